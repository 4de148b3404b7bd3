// The device-code grant (RFC 8628) in the real window: a connection made in the form signs in
// by a code shown large with its QR code and countdown; "Open in browser" hands the page to
// $BROWSER (a scripted browser that approves the code filled in), and the window, which polls
// meanwhile, gets the tokens.
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import path from "node:path";
import * as nodeTest from "node:test";
import { ROOT, saveScreenshot, typeInto, useSandboxAndApp, visible } from "./harness.mjs";

nodeTest.describe("device code", () => {
  const browserScript = path.join(ROOT, "tests/e2e/scripted-browser.mjs");
  const suite = useSandboxAndApp(nodeTest, () => ({ BROWSER: browserScript }));

  nodeTest.it("shows the code, and signs in when the browser approves it", { timeout: 90_000 }, async () => {
    const { browser } = suite.app;
    const url = suite.sandbox.url;
    try {
      await (await visible(browser, '[data-testid="new-connection"]')).click();
      await (await visible(browser, '[data-testid="grant-device_code"]')).click();
      await typeInto(browser, "#name", "Device sign-in");
      await typeInto(browser, "#subdomain", url);
      await typeInto(browser, "#deviceAuthorizationUrl", `${url}/oauth2/device_authorization`);
      await typeInto(browser, "#clientId", "sandbox-desktop");
      await typeInto(browser, "#validDomains", "127.0.0.1");
      await typeInto(browser, "#scopes", "offline_access", { leave: false });
      await browser.keys("Enter");
      await visible(browser, '[data-testid="scopes-selected"] [data-scope="offline_access"]');
      await browser.waitUntil(async () => (await browser.$$('[role="alert"]')).length === 0, {
        timeout: 5000,
        timeoutMsg: "the form has no errors left",
      });
      await (await visible(browser, '[data-testid="save"]')).click();
      const state = await visible(browser, '[data-testid="token-state"]');
      await browser.waitUntil(async () => (await state.getText()) === "Needs sign-in", {
        timeout: 5000,
        timeoutMsg: "the saved connection's token panel is ready",
      });
      await (await visible(browser, '[data-testid="sign-in"]')).click();

      const code = await visible(browser, '[data-testid="device-user-code"]');
      assert.match(await code.getText(), /^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/);
      assert.equal(await (await visible(browser, '[data-testid="device-uri"]')).getText(), `${url}/oauth2/device`);
      assert.match(await (await visible(browser, '[data-testid="device-countdown"]')).getText(), /^Expires in (10:00|9:\d\d)$/);
      const qr = await visible(browser, '[data-testid="device-qr"]');
      assert.ok((await qr.getSize("width")) >= 140, "the QR code is drawn large enough to scan");
      const shot = await saveScreenshot(browser, "device-code");
      if (process.env.UPDATE_DOCS) copyFileSync(shot, path.join(ROOT, "docs/screenshot-device-code.png"));

      await (await visible(browser, '[data-testid="open-device-page"]')).click();
      await browser.waitUntil(async () => /^Valid — expires in/.test(await state.getText()), {
        timeout: 30_000,
        timeoutMsg: "the approval is seen by the next poll and the token kept",
      });
      assert.equal((await browser.$$('[data-testid="device-code"]')).length, 0, "the code screen is gone");
      assert.match(await (await visible(browser, '[data-testid="token-panel"]')).getText(), /Held in the system keyring \(never shown\)/);
      await saveScreenshot(browser, "device-code-signed-in");
    } catch (err) {
      await saveScreenshot(browser, "failed-device-code");
      throw err;
    }
  });
});
