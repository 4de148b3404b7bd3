// What the toast says after a token was copied: what, never the value, and when the clipboard
// will be cleared.
import type { ClearAfter, CopyReceipt } from "../backend";

export const CLEAR_CHOICES: { value: ClearAfter; label: string }[] = [
  { value: "off", label: "Never" },
  { value: "15s", label: "15 s" },
  { value: "30s", label: "30 s" },
  { value: "2m", label: "2 min" },
];

function seconds(n: number): string {
  return n >= 60 && n % 60 === 0 ? `${n / 60} min` : `${n} s`;
}

export function receiptText(r: CopyReceipt): string {
  const first = r.renewed ? `${r.what} copied (a fresh token: the last one was about to expire).` : `${r.what} copied.`;
  if (r.clearAfterSeconds === null || !r.clearsAt) return `${first} The clipboard will not be cleared.`;
  const at = new Date(r.clearsAt).toLocaleTimeString();
  return `${first} The clipboard will be cleared in ${seconds(r.clearAfterSeconds)} (at ${at}).`;
}
