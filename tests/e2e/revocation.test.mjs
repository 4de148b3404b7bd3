// A generic OAuth 2.0 connection to the local sandbox with its issuer and revocation endpoint,
// created through the form: deleting it revokes its token at the server (RFC 7009), and the
// window says so.
import assert from "node:assert/strict";
import * as nodeTest from "node:test";
import { remember, saveScreenshot, testSelectedConnection, typeInto, useSandboxAndApp, visible } from "./harness.mjs";

remember("sandbox-integration-secret");

nodeTest.describe("revocation", () => {
  const suite = useSandboxAndApp(nodeTest);

  suite.it("deleting a connection revokes its token at the server and says so", async (browser) => {
    const url = suite.sandbox.url;
    await (await visible(browser, '[data-testid="add-connection"]')).click();
    await (await visible(browser, "#provider")).selectByAttribute("value", "generic");
    await typeInto(browser, "#name", "Generic with revocation");
    await typeInto(browser, "#tokenUrl", `${url}/oauth2/token`);
    await typeInto(browser, "#apiBaseUrl", url);
    await typeInto(browser, "#issuer", url);
    await typeInto(browser, "#revocationUrl", `${url}/oauth2/revoke`);
    await typeInto(browser, "#clientId", "sandbox-integration");
    await typeInto(browser, "#clientSecret", "sandbox-integration-secret");
    await typeInto(browser, "#validDomains", "127.0.0.1");
    const issuer = await visible(browser, '[data-testid="preview-issuer"]');
    await browser.waitUntil(async () => (await issuer.getText()) === url, {
      timeout: 5000,
      timeoutMsg: "the preview shows the issuer exactly as typed",
    });
    await saveScreenshot(browser, "generic-connection-form");
    await (await visible(browser, '[data-testid="save"]')).click();
    await visible(browser, '[data-testid="connection-details"]');
    await testSelectedConnection(browser);

    await (await visible(browser, '[data-testid="delete"]')).click();
    await (await visible(browser, '[data-testid="confirm-delete"]')).click();
    // The revocation happens when the delete is final, once its undo time is over.
    let text;
    await browser.waitUntil(
      async () => {
        text = await browser.$('[data-testid="toast-text"]');
        return (await text.isExisting()) && /deleted for good/.test(await text.getText());
      },
      { timeout: 20_000, timeoutMsg: "the deletion is final and said" },
    );
    assert.match(await text.getText(), /Its tokens were revoked at the server\./);
    await saveScreenshot(browser, "deleted-and-revoked");
  });
});
