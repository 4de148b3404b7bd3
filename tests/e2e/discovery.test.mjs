// A generic connection made from an issuer URL alone, in the real window: Fetch endpoints reads
// the sandbox's metadata at the path-aware address of an issuer with a path, fills in the
// endpoints and the scope list; the admin adds prompt=consent under Advanced, because this
// server gives a refresh token only then, and the sign-in (authorization code, PKCE, the path
// issuer's iss) brings one.
import assert from "node:assert/strict";
import path from "node:path";
import * as nodeTest from "node:test";
import { ROOT, openAdvanced, saveScreenshot, typeInto, useSandboxAndApp, visible } from "./harness.mjs";

const SANDBOX = {
  clients: [
    {
      id: "keycloak-desktop",
      grants: ["authorization_code", "refresh_token"],
      scopes: ["openid", "profile", "email", "offline_access", "reports.read"],
      rotateRefreshTokens: true,
    },
  ],
  issuerPath: "/realms/acme",
  offlineNeedsConsent: true,
  unknownScope: "drop",
};

nodeTest.describe("discovery from an issuer", () => {
  const browserScript = path.join(ROOT, "tests/e2e/scripted-browser.mjs");
  const suite = useSandboxAndApp(nodeTest, () => ({ BROWSER: browserScript }), { sandboxConfig: SANDBOX });

  suite.it("fills the endpoints from the issuer and signs in with a refresh token", async (browser) => {
    const url = suite.sandbox.url;
    const issuer = `${url}/realms/acme`;
    await (await visible(browser, '[data-testid="new-connection"]')).click();
    await (await visible(browser, "#provider")).selectByAttribute("value", "generic");
    await typeInto(browser, "#name", "Keycloak realm");
    await typeInto(browser, "#issuer", issuer);
    await (await visible(browser, '[data-testid="discover"]')).click();
    const tokenUrl = await visible(browser, "#tokenUrl");
    await browser.waitUntil(async () => (await tokenUrl.getValue()) === `${url}/oauth2/token`, {
      timeout: 10_000,
      timeoutMsg: "the token URL comes from the metadata",
    });
    const result = await (await visible(browser, '[data-testid="discovery-result"]')).getText();
    assert.match(result, /well-known\/oauth-authorization-server\/realms\/acme/);
    await (await visible(browser, '[data-testid="discovery-result"]')).scrollIntoView({ block: "center" });
    await saveScreenshot(browser, "issuer-discovered");
    await (await visible(browser, '[data-testid="grant-authorization_code"]')).click();
    await typeInto(browser, "#clientId", "keycloak-desktop");
    // The picker offers the scopes of the server's metadata.
    await browser.waitUntil(async () => (await browser.$$('[data-scope="reports.read"]')).length > 0, {
      timeout: 5000,
      timeoutMsg: "the picker lists scopes_supported",
    });
    await typeInto(browser, "#scopes", "openid offline_access", { leave: false });
    await browser.keys("Enter");
    await visible(browser, '[data-testid="scopes-selected"] [data-scope="offline_access"]');
    await openAdvanced(browser);
    await (await visible(browser, '[data-testid="add-extra-param"]')).click();
    await typeInto(browser, '[data-testid="extra-param-name"]', "prompt");
    await typeInto(browser, '[data-testid="extra-param-value"]', "consent");
    await browser.waitUntil(async () => (await browser.$$('[role="alert"]')).length === 0, {
      timeout: 5000,
      timeoutMsg: "the form has no errors left",
    });
    await saveScreenshot(browser, "issuer-discovery-form");
    await (await visible(browser, '[data-testid="save"]')).click();

    const state = await visible(browser, '[data-testid="token-state"]');
    await browser.waitUntil(async () => (await state.getText()) === "Needs sign-in", {
      timeout: 5000,
      timeoutMsg: "the saved connection's token panel is ready",
    });
    await (await visible(browser, '[data-testid="sign-in"]')).click();
    await browser.waitUntil(async () => /^Valid — expires in/.test(await state.getText()), {
      timeout: 30_000,
      timeoutMsg: "the sign-in through the scripted browser completes",
    });
    const panel = await (await visible(browser, '[data-testid="token-panel"]')).getText();
    assert.match(panel, /Held in the system keyring \(never shown\)/, "a refresh token came, thanks to prompt=consent");
    assert.equal((await browser.$$('[data-testid="token-note"]')).length, 0);
  });
});
