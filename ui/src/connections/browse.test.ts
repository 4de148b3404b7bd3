import { describe, expect, it } from "vitest";
import { makeSummary } from "../test/connection-fixture";
import { ago, moveIndex, toRow, tokenText } from "./browse";

const NOW = Date.parse("2026-11-24T12:00:00.000Z");
const rows = [
  makeSummary({ name: "beta", host: "beta.coupacloud.com", usedAt: "2026-11-24T11:00:00Z", testedAt: "2026-11-20T00:00:00Z" }),
  makeSummary({ name: "Acme 10", scopes: ["core.invoice.read", "core.user.read"], usedAt: "2026-11-24T11:30:00Z" }),
  makeSummary({ name: "acme 9", provider: "generic", host: "login.example.com", testedAt: "2026-11-24T10:00:00Z", testOk: false }),
].map((c) => toRow(c, NOW));

describe("what a row of the connection list shows", () => {
  it("shows the provider, the last test and the token state", () => {
    const [beta, acme10, acme9] = rows;
    expect([beta?.badge, acme9?.badge]).toEqual(["Coupa", "OAuth 2.0"]);
    expect(acme9?.lastTest).toEqual({ ok: false, at: Date.parse("2026-11-24T10:00:00Z") });
    expect(acme10?.lastTest).toBeNull();
    const token = (expiresAt: string | null) =>
      tokenText(toRow(makeSummary({ name: "t", tokenExpiresAt: expiresAt }), NOW), NOW);
    expect(token("2026-11-24T15:00:30Z")).toBe("token valid for 3 h");
    expect(token("2026-11-24T11:59:00Z")).toBe("token expired");
    expect(token(null)).toBe("token valid");
    expect(tokenText(toRow(makeSummary({ name: "n" }), NOW), NOW)).toBe("no token");
    expect(toRow(makeSummary({ name: "t", tokenExpiresAt: "2026-11-24T12:00:30Z" }), NOW).token.state).toBe("expiring");
    expect(ago(NOW - 5 * 60_000, NOW)).toBe("5 min ago");
    expect(ago(NOW - 2 * 86_400_000, NOW)).toBe("2 d ago");
  });

  it("moves the selection with the keys a list answers to", () => {
    expect(moveIndex("ArrowDown", -1, 5, 3)).toBe(0);
    expect(moveIndex("ArrowDown", 4, 5, 3)).toBe(4);
    expect(moveIndex("ArrowUp", 0, 5, 3)).toBe(0);
    expect(moveIndex("ArrowUp", -1, 5, 3)).toBe(4);
    expect(moveIndex("End", 0, 5, 3)).toBe(4);
    expect(moveIndex("Home", 4, 5, 3)).toBe(0);
    expect(moveIndex("PageDown", 1, 5, 3)).toBe(4);
    expect(moveIndex("PageUp", 4, 5, 3)).toBe(1);
    expect(moveIndex("x", 1, 5, 3)).toBeNull();
    expect(moveIndex("ArrowDown", -1, 0, 3)).toBeNull();
  });
});
