// The countdown shown while the connection test waits for a person to sign in in the browser.

/** "4 m 32 s left", "12 s left", or "time is up" once `until` (RFC 3339) has passed. */
export function timeLeft(until: string, now: number): string {
  const left = Math.ceil((Date.parse(until) - now) / 1000);
  if (!(left > 0)) return "time is up";
  const m = Math.floor(left / 60);
  const s = left % 60;
  return m > 0 ? `${m} m ${s} s left` : `${s} s left`;
}
