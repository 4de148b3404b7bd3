// What the token view says about a token, kept out of the component to be tested alone.
import type { TokenInfo } from "../backend";

/** "valid — expires in 23 h 59 m", "expired", "no token". */
export function expiryText(info: TokenInfo | null, now: number): string {
  if (!info) return "No token";
  if (!info.expiresAt) return "Valid — the server gave no expiry";
  const left = Math.floor((Date.parse(info.expiresAt) - now) / 1000);
  if (left <= 0) return info.hasRefreshToken ? "Expired — it will be refreshed when used" : "Expired";
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  if (h > 0) return `Valid — expires in ${h} h ${m} m`;
  if (m > 0) return `Valid — expires in ${m} m ${s} s`;
  return `Valid — expires in ${s} s`;
}

/** The token with all but its first and last four characters hidden. */
export function mask(token: string): string {
  if (token.length <= 12) return "•".repeat(token.length);
  return `${token.slice(0, 4)}${"•".repeat(12)}${token.slice(-4)}`;
}
