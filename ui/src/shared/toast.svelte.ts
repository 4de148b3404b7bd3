// One short message at a time at the bottom of the window ("Access token copied…"), from any
// component. The shell renders it (Toast.svelte); it goes after a few seconds.

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface ToastMessage {
  id: number;
  text: string;
  /** One thing to do about it (Undo), as a button beside the text. */
  action?: ToastAction;
}

export const toastState = $state<{ current: ToastMessage | null }>({ current: null });

let seq = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

/** Shows `text` for `ms` milliseconds, replacing any message shown. */
export function toast(text: string, ms = 6000, action?: ToastAction): void {
  clearTimeout(timer);
  const id = ++seq;
  toastState.current = action ? { id, text, action } : { id, text };
  timer = setTimeout(() => {
    if (toastState.current?.id === id) toastState.current = null;
  }, ms);
}

export function dismissToast(): void {
  clearTimeout(timer);
  toastState.current = null;
}
