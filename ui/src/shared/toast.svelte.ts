// One short message at a time at the bottom of the window ("Access token copied…"), from any
// component. The shell renders it (Toast.svelte); it goes after a few seconds.

export interface ToastMessage {
  id: number;
  text: string;
}

export const toastState = $state<{ current: ToastMessage | null }>({ current: null });

let seq = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

/** Shows `text` for `ms` milliseconds, replacing any message shown. */
export function toast(text: string, ms = 6000): void {
  clearTimeout(timer);
  const id = ++seq;
  toastState.current = { id, text };
  timer = setTimeout(() => {
    if (toastState.current?.id === id) toastState.current = null;
  }, ms);
}

export function dismissToast(): void {
  clearTimeout(timer);
  toastState.current = null;
}
