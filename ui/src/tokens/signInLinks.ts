// The address of each connection's sign-in page while the app waits for the person to sign in:
// Rust sends it as it opens the browser (the SignInOpened event, heard once by the shell), and
// the waiting message offers to copy it or open it again.
import { SvelteMap } from "svelte/reactivity";

export const signInLinks = new SvelteMap<string, string>();

export function noteSignInLink(id: string, url: string): void {
  signInLinks.set(id, url);
}

/** A new attempt starts: the previous one's address is no longer offered. */
export function forgetSignInLink(id: string): void {
  signInLinks.delete(id);
}
