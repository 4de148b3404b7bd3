// Creating, listing, duplicating and deleting connections in the real window, with the real
// keyring: the secret goes to the keyring, never to the store file, and survives a restart.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import path from "node:path";
import * as nodeTest from "node:test";
import { ROOT, isolatedHome, launchApp, remember, saveScreenshot, typeInto, visible } from "./harness.mjs";
import { lookup } from "./keyring.mjs";

const SECRET = "e2e-client-secret-4d9b27+/=";
remember(SECRET);

async function storeFile(home) {
  return readFileSync(path.join(home, ".local/share/dev.connmgr.desktop/connections.json"), "utf8");
}

nodeTest.describe("connections", () => {
  const home = isolatedHome();
  let app;
  let savedId;

  nodeTest.after(async () => {
    await app?.stop();
  }, { timeout: 30_000 });

  nodeTest.it("creates a client-credentials Coupa connection through the form", { timeout: 90_000 }, async () => {
    // Time to press Undo, even on a slow machine.
    app = await launchApp({ home, extraEnv: { CONNMGR_UNDO_DELETE_SECS: "8" } });
    const { browser } = app;
    try {
      await (await visible(browser, '[data-testid="new-connection"]')).click();
      await typeInto(browser, "#name", "Acme production");
      await typeInto(browser, "#subdomain", "https://acme.coupahost.com/");
      await typeInto(browser, "#clientId", "acme-integration");
      await typeInto(browser, "#clientSecret", SECRET);
      const preview = await visible(browser, '[data-testid="preview-token-url"]');
      await browser.waitUntil(async () => (await preview.getText()) === "https://acme.coupahost.com/oauth2/token", {
        timeout: 5000,
        timeoutMsg: "the live preview shows the resolved token endpoint",
      });
      await saveScreenshot(browser, "create-connection-form");
      await (await visible(browser, '[data-testid="save"]')).click();
      const details = await visible(browser, '[data-testid="connection-details"]');
      assert.match(await details.getText(), /Acme production/);
      assert.equal(await (await visible(browser, '[data-testid="detail-secret"]')).getText(), "Stored in the system keyring");
      assert.equal(await (await visible(browser, '[data-testid="detail-instance"]')).getText(), "https://acme.coupahost.com");
    } catch (err) {
      await saveScreenshot(browser, "failed-create-connection");
      throw err;
    }
    const file = JSON.parse(await storeFile(home.home));
    assert.equal(file.connections.length, 1);
    savedId = file.connections[0].id;
    assert.equal(lookup(`${savedId}/client-secret`), SECRET, "the secret is in the keyring");
    assert.ok(!(await storeFile(home.home)).includes(SECRET), "and not in the store file");
  });

  nodeTest.it("shows Rust's validation message under the field and keeps what was typed", { timeout: 60_000 }, async () => {
    const { browser } = app;
    await (await visible(browser, '[data-testid="add-connection"]')).click();
    await typeInto(browser, "#name", "ACME production ");
    await typeInto(browser, "#subdomain", "http://acme.coupahost.com");
    await (await visible(browser, "#clientId")).click(); // leave the fields
    // The verdict follows the typing shortly after; wait for the one about the final input.
    const shows = async (selector, pattern) => {
      const el = await visible(browser, selector);
      await browser.waitUntil(async () => pattern.test(await el.getText()), {
        timeout: 5000,
        timeoutMsg: `${selector} should say ${pattern}, says ${JSON.stringify(await el.getText())}`,
      });
    };
    await shows('[data-testid="error-name"]', /already exists/);
    await shows('[data-testid="error-subdomain"]', /https:\/\//);
    assert.equal(await (await browser.$("#name")).getValue(), "ACME production ", "the form keeps the input");
    await (await visible(browser, '[data-testid="cancel"]')).click();
    await (await visible(browser, '[data-testid="discard"]')).click();
  });

  nodeTest.it("lists the connection again after a restart", { timeout: 90_000 }, async () => {
    await app.stop();
    // Time to press Undo, even on a slow machine.
    app = await launchApp({ home, extraEnv: { CONNMGR_UNDO_DELETE_SECS: "8" } });
    const row = await visible(app.browser, '[data-testid="connection-row"]');
    // WebKitWebDriver reports no text for ARIA options; read the DOM's text instead.
    const text = async () => (await row.getProperty("textContent")).replace(/\s+/g, " ");
    await app.browser.waitUntil(async () => /Acme production/.test(await text()), {
      timeout: 5000,
      timeoutMsg: "the saved connection is listed after a restart",
    });
    assert.match(await text(), /acme\.coupahost\.com no token Client credentials · 1 scope/);
  });

  nodeTest.it("duplicates with the secret, then deletes and removes the keyring entries", { timeout: 90_000 }, async () => {
    const { browser } = app;
    await (await visible(browser, '[data-testid="connection-row"]')).click();
    await (await visible(browser, '[data-testid="duplicate"]')).click();
    await browser.waitUntil(async () => (await browser.$$('[data-testid="connection-row"]')).length === 2, {
      timeout: 5000,
      timeoutMsg: "the copy is listed",
    });
    const file = JSON.parse(await storeFile(home.home));
    const copy = file.connections.find((c) => c.settings.name === "Copy of Acme production");
    assert.ok(copy, "the copy is saved as Copy of …");
    assert.equal(lookup(`${copy.id}/client-secret`), SECRET, "the copy has the secret too");

    // The copy is selected; delete it, confirming in the dialog that names it.
    await (await visible(browser, '[data-testid="delete"]')).click();
    const dialog = await visible(browser, '[role="alertdialog"]');
    assert.match(await dialog.getText(), /Copy of Acme production/);
    await (await visible(browser, '[data-testid="confirm-delete"]')).click();
    await browser.waitUntil(async () => (await browser.$$('[data-testid="connection-row"]')).length === 1, {
      timeout: 5000,
      timeoutMsg: "the copy is gone from the list",
    });
    assert.equal((await browser.$$('[data-testid="problem"]')).length, 0, "no error after the delete");
    // Undo, from the toast: the copy is back, its secret never left the keyring.
    const toastText = await visible(browser, '[data-testid="toast-text"]');
    assert.equal(await toastText.getText(), "Deleted “Copy of Acme production”.");
    await saveScreenshot(browser, "delete-undo-toast");
    if (process.env.UPDATE_DOCS) copyFileSync(path.join(ROOT, "tests/artifacts/delete-undo-toast.png"), path.join(ROOT, "docs/screenshot-delete-undo.png"));
    await (await visible(browser, '[data-testid="toast-action"]')).click();
    await browser.waitUntil(async () => (await browser.$$('[data-testid="connection-row"]')).length === 2, {
      timeout: 5000,
      timeoutMsg: "Undo brings the copy back",
    });
    assert.equal(await (await visible(browser, "#details-heading")).getText(), "Copy of Acme production");
    assert.equal(lookup(`${copy.id}/client-secret`), SECRET, "its secret is still there");

    // Deleted again and left: once the undo time is over, the entry goes.
    await (await visible(browser, '[data-testid="delete"]')).click();
    await (await visible(browser, '[data-testid="confirm-delete"]')).click();
    await browser.waitUntil(async () => (await browser.$$('[data-testid="connection-row"]')).length === 1, {
      timeout: 5000,
      timeoutMsg: "the copy is gone from the list again",
    });
    await browser.waitUntil(async () => lookup(`${copy.id}/client-secret`) === null, {
      timeout: 30_000,
      timeoutMsg: "its keyring entry is gone once the delete is final",
    });
    assert.equal(lookup(`${savedId}/client-secret`), SECRET, "the original's entry is untouched");
    assert.ok(!(await storeFile(home.home)).includes(SECRET), "no secret in the store file");
  });

  nodeTest.it("never writes a secret to the app's log", { timeout: 10_000 }, async () => {
    const log = readFileSync(path.join(home.home, ".local/share/dev.connmgr.desktop/logs/connmgr.log"), "utf8");
    assert.ok(log.includes("connection created"), "the log is written");
    assert.ok(!log.includes(SECRET), "the log holds no secret");
  });
});
