import { describe, expect, it } from "vitest";
import { applyProviderChoice, newSettings, providerChoice, secretUpdate, splitList } from "./form";

describe("connection form helpers", () => {
  it("starts a Coupa client-credentials connection with core.user.read", () => {
    const s = newSettings();
    expect(providerChoice(s)).toBe("coupa:customer");
    expect(s.validDomains).toEqual(["coupahost.com"]);
    expect(s.scopes).toEqual(["core.user.read"]);
  });

  it("moves the default domain with the provider, but keeps domains the admin set", () => {
    let s = applyProviderChoice(newSettings(), "coupa:partner");
    expect(s.coupaDomain).toBe("partner");
    expect(s.validDomains).toEqual(["coupacloud.com"]);
    s = { ...s, validDomains: ["acme.coupacloud.com"] };
    s = applyProviderChoice(s, "coupa:customer");
    expect(s.validDomains).toEqual(["acme.coupacloud.com"]);
    expect(applyProviderChoice(newSettings(), "generic").validDomains).toEqual([]);
  });

  it("splits pasted scopes on spaces, commas and new lines", () => {
    expect(splitList("core.user.read, core.invoice.read\ncore.common.read  ")).toEqual([
      "core.user.read",
      "core.invoice.read",
      "core.common.read",
    ]);
    expect(splitList("  ")).toEqual([]);
  });

  it("keeps the stored secret unless one is typed or removal is asked", () => {
    expect(secretUpdate("", false)).toEqual({ action: "keep" });
    expect(secretUpdate("s3cret", false)).toEqual({ action: "replace", value: "s3cret" });
    expect(secretUpdate("s3cret", true)).toEqual({ action: "remove" });
  });
});
