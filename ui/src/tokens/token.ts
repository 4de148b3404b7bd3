// What the token view says about a token, kept out of the component to be tested alone.
import type { Revocation, TokenInfo } from "../backend";

/**
 * "Valid — expires in 23 h 59 m", "Expired", "No token"; for a connection where a person signs in
 * (`signIn`), "Needs sign-in" when nothing can renew the token.
 */
export function expiryText(info: TokenInfo | null, now: number, signIn = false): string {
  if (!info) return signIn ? "Needs sign-in" : "No token";
  if (!info.expiresAt) return "Expiry unknown — the server gave none; a new one is got when it is refused";
  const left = Math.floor((Date.parse(info.expiresAt) - now) / 1000);
  if (left <= 0) {
    if (info.hasRefreshToken) return "Expired — it will be refreshed when used";
    return signIn ? "Expired — needs sign-in" : "Expired";
  }
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const from = info.expiryFromJwt ? " (its own exp)" : "";
  if (h > 0) return `Valid — expires in ${h} h ${m} m${from}`;
  if (m > 0) return `Valid — expires in ${m} m ${s} s${from}`;
  return `Valid — expires in ${s} s${from}`;
}

/** "9:41" left until `expiresAt`, "0:00" once past: a device code's countdown. */
export function countdownText(expiresAt: string, now: number): string {
  const left = Math.max(0, Math.floor((Date.parse(expiresAt) - now) / 1000));
  const m = Math.floor(left / 60);
  const s = left % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

/** The token with all but its first and last four characters hidden. */
export function mask(token: string): string {
  if (token.length <= 12) return "•".repeat(token.length);
  return `${token.slice(0, 4)}${"•".repeat(12)}${token.slice(-4)}`;
}

/** Claims that hold a time in seconds since 1970 (RFC 7519 §4.1, OpenID Connect Core §2). */
const TIME_CLAIMS = new Set(["exp", "iat", "nbf", "auth_time", "updated_at"]);

/** A claim's JSON text, with the date beside the number for time claims. */
export function claimText(name: string, value: string): string {
  if (!TIME_CLAIMS.has(name) || !/^\d{1,12}$/.test(value)) return value;
  const date = new Date(Number(value) * 1000).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC");
  return `${value} (${date})`;
}

/**
 * What became of the tokens at the server when they were dropped here (delete, forget): a
 * sentence to add to the confirmation, empty when no token was held. `failed` also says to
 * revoke them by hand.
 */
export function revocationText(r: Revocation): string {
  switch (r.outcome) {
    case "revoked":
      return "Its tokens were revoked at the server.";
    case "not_offered":
      return "The server offers no revocation: a token copied before stays valid until it expires.";
    case "failed":
      return `The server did not revoke its tokens: ${r.message}`;
    case "nothing_held":
    default:
      return "";
  }
}
