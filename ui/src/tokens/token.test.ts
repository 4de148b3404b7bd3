import { describe, expect, it } from "vitest";
import type { TokenInfo } from "../backend";
import { claimText, expiryText, mask, revocationText } from "./token";

const info = (expiresAt: string | null, hasRefreshToken = false): TokenInfo => ({
  tokenType: "Bearer",
  obtainedAt: "2026-11-24T10:00:00Z",
  expiresAt,
  grantedScopes: ["core.user.read"],
  missingScopes: [],
  hasRefreshToken,
  expiryFromJwt: false,
  notes: [],
  jwt: null,
  idToken: null,
});

describe("token view text", () => {
  const now = Date.parse("2026-11-24T10:00:00Z");

  it("counts down hours, minutes and seconds", () => {
    expect(expiryText(info("2026-11-25T09:59:00Z"), now)).toBe("Valid — expires in 23 h 59 m");
    expect(expiryText(info("2026-11-24T10:02:05Z"), now)).toBe("Valid — expires in 2 m 5 s");
    expect(expiryText(info("2026-11-24T10:00:09Z"), now)).toBe("Valid — expires in 9 s");
  });

  it("says when a token is expired or there is none", () => {
    expect(expiryText(info("2026-11-24T09:00:00Z"), now)).toBe("Expired");
    expect(expiryText(info("2026-11-24T09:00:00Z", true), now)).toBe("Expired — it will be refreshed when used");
    expect(expiryText(null, now)).toBe("No token");
    expect(expiryText(info(null), now)).toBe(
      "Expiry unknown — the server gave none; a new one is got when it is refused",
    );
    expect(expiryText({ ...info(new Date(now + 7_200_000).toISOString()), expiryFromJwt: true }, now)).toBe(
      "Valid — expires in 2 h 0 m (its own exp)",
    );
    expect(expiryText(null, now, true)).toBe("Needs sign-in");
    expect(expiryText(info("2026-11-24T09:00:00Z"), now, true)).toBe("Expired — needs sign-in");
  });

  it("masks all but the ends of a token", () => {
    expect(mask("sbx_at_0123456789abcdef")).toBe("sbx_••••••••••••cdef");
    expect(mask("short")).toBe("•••••");
  });

  it("shows the date beside time claims only", () => {
    expect(claimText("exp", "1795000000")).toBe("1795000000 (2026-11-18 11:06:40 UTC)");
    expect(claimText("sub", "1795000000")).toBe("1795000000");
    expect(claimText("exp", '"soon"')).toBe('"soon"');
  });
});

describe("revocationText", () => {
  it("says what became of the tokens at the server, and nothing when none was held", () => {
    expect(revocationText({ outcome: "revoked" })).toBe("Its tokens were revoked at the server.");
    expect(revocationText({ outcome: "not_offered" })).toMatch(/stays valid until it expires/);
    expect(revocationText({ outcome: "failed", message: "It answered 503." })).toBe(
      "The server did not revoke its tokens: It answered 503.",
    );
    expect(revocationText({ outcome: "nothing_held" })).toBe("");
  });
});
