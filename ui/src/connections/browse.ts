// What a row of the connection list shows, and how the list answers the keyboard. Which rows
// a search finds and their order are Rust's (`connmgr_core::model::listing`).
import { FACTS, type ConnectionSummary } from "../backend";
import { grantName } from "./form";

export type TokenState = "valid" | "expiring" | "expired" | "none";

export interface BrowseRow {
  id: string;
  name: string;
  /** "Coupa" or "OAuth 2.0". */
  badge: string;
  host: string;
  grant: string;
  scopeCount: number;
  /** Last test: passed, failed or never, and when. */
  lastTest: { ok: boolean; at: number } | null;
  /** The cached token's state, from what the store knows (never the token). */
  token: { state: TokenState; expiresAt: number | null };
  needsSecret: boolean;
  /** When its signing certificate expires, if within the warning days (or past). */
  certificateDue: number | null;
  lastUsed: number;
}

function time(iso: string | null | undefined): number {
  if (!iso) return 0;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

export function toRow(c: ConnectionSummary, now: number): BrowseRow {
  const expiresAt = c.token?.expiresAt ? time(c.token.expiresAt) : null;
  let state: TokenState = "none";
  if (c.token) {
    if (expiresAt === null) state = "valid";
    else if (expiresAt <= now) state = "expired";
    else if (expiresAt - now < FACTS.reuseMarginSeconds * 1000) state = "expiring";
    else state = "valid";
  }
  return {
    id: c.id,
    name: c.name,
    badge: c.provider === "coupa" ? "Coupa" : "OAuth 2.0",
    host: c.host,
    grant: grantName(c.grantType, "short"),
    scopeCount: c.scopeCount,
    lastTest: c.lastTest ? { ok: c.lastTest.ok, at: time(c.lastTest.at) } : null,
    token: { state, expiresAt },
    needsSecret: c.needsClientSecret,
    certificateDue: certificateDue(c.certificateExpiresAt, now),
    lastUsed: time(c.lastUsed),
  };
}

/** The certificate's expiry when it is within Rust's warning days of `now`, or past. */
export function certificateDue(expiresAt: string | null, now: number): number | null {
  if (!expiresAt) return null;
  const at = time(expiresAt);
  return at - now <= FACTS.certificateWarningDays * 86_400_000 ? at : null;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago". */
export function ago(at: number, now: number): string {
  const s = Math.max(0, Math.floor((now - at) / 1000));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** "3 h", "45 min", "20 s", "2 d": a time left, rounded down. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** What the row says of the token: "token valid for 3 h", "token expired", "no token". */
export function tokenText(row: BrowseRow, now: number): string {
  switch (row.token.state) {
    case "none":
      return "no token";
    case "expired":
      return "token expired";
    case "expiring":
    case "valid":
      return row.token.expiresAt === null
        ? "token valid"
        : `token valid for ${shortDuration(row.token.expiresAt - now)}`;
  }
}

/** The index `key` moves the selection to in a list of `count` rows, `page` rows per page. */
export function moveIndex(key: string, current: number, count: number, page: number): number | null {
  if (count === 0) return null;
  const last = count - 1;
  switch (key) {
    case "ArrowDown":
      return current < 0 ? 0 : Math.min(last, current + 1);
    case "ArrowUp":
      return current < 0 ? last : Math.max(0, current - 1);
    case "Home":
      return 0;
    case "End":
      return last;
    case "PageDown":
      return Math.min(last, Math.max(0, current) + page);
    case "PageUp":
      return Math.max(0, current - page);
    default:
      return null;
  }
}
