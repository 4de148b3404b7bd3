import { describe, expect, it } from "vitest";
import { timeLeft } from "./waiting";

describe("sign-in countdown", () => {
  const now = Date.parse("2026-11-24T10:00:00Z");
  it("counts minutes and seconds down to zero", () => {
    expect(timeLeft("2026-11-24T10:05:00Z", now)).toBe("5 m 0 s left");
    expect(timeLeft("2026-11-24T10:00:12Z", now)).toBe("12 s left");
    expect(timeLeft("2026-11-24T09:59:59Z", now)).toBe("time is up");
    expect(timeLeft("not a date", now)).toBe("time is up");
  });
});
