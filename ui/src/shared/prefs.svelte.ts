// The admin's preferences as the UI holds them: loaded once at start, each change saved through
// the backend (Rust keeps them with tauri-plugin-store).
import type { Backend, Prefs } from "../backend";

export const prefsState = $state<{ prefs: Prefs }>({
  prefs: { selectedId: null, sort: "name", clearClipboard: "30s" },
});

export async function loadPrefs(backend: Backend): Promise<Prefs> {
  prefsState.prefs = await backend.getPrefs();
  return prefsState.prefs;
}

/** Changes some preferences and saves them all. A failed save is reported, the change kept. */
export async function updatePrefs(backend: Backend, change: Partial<Prefs>): Promise<void> {
  prefsState.prefs = { ...prefsState.prefs, ...change };
  await backend.setPrefs({ ...prefsState.prefs });
}
