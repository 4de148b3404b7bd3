// A client-credentials connection to the local sandbox, created through the form and tested in
// the real window: every step passes; a wrong secret shows the invalid_client hint, and the
// form, kept as typed, takes the right one.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as nodeTest from "node:test";
import { ROOT, openAdvanced, remember, saveScreenshot, testSelectedConnection, typeInto, useSandboxAndApp, visible } from "./harness.mjs";

remember("sandbox-integration-secret", "not-the-secret");

nodeTest.describe("connection tester", () => {
  const suite = useSandboxAndApp(nodeTest);

  /** Fills the form for the sandbox's client-credentials client; `pick` also picks a scope in the picker. */
  async function fill(browser, name, secret, { pick = false } = {}) {
    await (await visible(browser, '[data-testid="add-connection"]')).click();
    await typeInto(browser, "#name", name);
    await typeInto(browser, "#subdomain", suite.sandbox.url);
    await typeInto(browser, "#clientId", "sandbox-integration");
    await typeInto(browser, "#clientSecret", secret);
    await typeInto(browser, "#validDomains", "127.0.0.1");
    const preview = await visible(browser, '[data-testid="preview-token-url"]');
    await browser.waitUntil(async () => (await preview.getText()) === `${suite.sandbox.url}/oauth2/token`, {
      timeout: 5000,
      timeoutMsg: "the preview shows the sandbox's token endpoint",
    });
    if (pick) {
      // The scope picker as a person uses it: filter, highlight one, ›.
      await typeInto(browser, '[data-testid="scope-filter"]', "invoice read");
      await browser.waitUntil(
        async () => (await browser.$$('[data-testid="scopes-available"] [data-scope="core.accounting.read"]')).length === 0,
        { timeout: 5000, timeoutMsg: "the filter hides scopes without the words" },
      );
      await (await visible(browser, '[data-testid="scopes-available"] [data-scope="core.invoice.read"]')).click();
      await (await visible(browser, '[data-testid="scope-add"]')).click();
      await visible(browser, '[data-testid="scopes-selected"] [data-scope="core.invoice.read"]');
      assert.equal(await (await visible(browser, '[data-testid="scope-count"]')).getText(), "2");
    }
    await browser.waitUntil(async () => (await browser.$$('[role="alert"]')).length === 0, {
      timeout: 5000,
      timeoutMsg: "the form has no errors left",
    });
  }

  async function create(browser, name, secret) {
    await fill(browser, name, secret);
    await (await visible(browser, '[data-testid="save"]')).click();
    await visible(browser, '[data-testid="connection-details"]');
  }

  async function stepStatus(browser, id) {
    return (await visible(browser, `[data-testid="step-${id}"]`)).getAttribute("data-status");
  }

  nodeTest.it("Save & test: every step passes and the token view shows the token", { timeout: 90_000 }, async () => {
    const { browser } = suite.app;
    try {
      await fill(browser, "Local sandbox", "sandbox-integration-secret", { pick: true });
      await browser.execute(() => document.querySelector('[data-testid="connection-form"] .body')?.scrollTo(0, 0));
      const panel = await saveScreenshot(browser, "create-panel");
      await (await browser.$('[data-testid="scope-picker"]')).scrollIntoView();
      const picker = await saveScreenshot(browser, "scope-picker");
      if (process.env.UPDATE_DOCS) {
        copyFileSync(panel, path.join(ROOT, "docs/screenshot-panel.png"));
        copyFileSync(picker, path.join(ROOT, "docs/screenshot-picker.png"));
      }
      await (await visible(browser, '[data-testid="save-and-test"]')).click();
      await browser.waitUntil(async () => (await stepStatus(browser, "api")) === "passed", {
        timeout: 15_000,
        timeoutMsg: "the API step passes",
      });
      assert.equal(await stepStatus(browser, "reach"), "passed");
      assert.equal(await stepStatus(browser, "token"), "passed");
      const api = await (await visible(browser, '[data-testid="step-api"]')).getText();
      assert.match(api, /200 OK · 1 record/);
      const scopes = await (await visible(browser, '[data-testid="token-scopes"]')).getText();
      assert.equal(scopes, "core.user.read core.invoice.read", "both picked scopes were granted");
      const state = await visible(browser, '[data-testid="token-state"]');
      await browser.waitUntil(async () => /Valid — expires in 23 h/.test(await state.getText()), {
        timeout: 5000,
        timeoutMsg: "the token view shows the new token's expiry",
      });
      const jwt = await visible(browser, '[data-testid="token-jwt"]');
      assert.match(await jwt.getText(), /Access token \(JWT\)\s*not verified/);
      const shot = await saveScreenshot(browser, "test-result");
      if (process.env.UPDATE_DOCS) copyFileSync(shot, path.join(ROOT, "docs/screenshot-test.png"));
      // The token itself, revealed on request; the sweep after the suite searches for it.
      await (await visible(browser, '[data-testid="get-token"]')).click();
      const value = await visible(browser, '[data-testid="token-value"]');
      await (await visible(browser, '[data-testid="reveal-token"]')).click();
      await browser.waitUntil(async () => !(await value.getText()).includes("•"), {
        timeout: 5000,
        timeoutMsg: "the token is revealed",
      });
      const token = await value.getText();
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, "a JWT");
      remember(token);
    } catch (err) {
      await saveScreenshot(browser, "failed-tester-good");
      throw err;
    }
  });

  nodeTest.it("a wrong secret shows the invalid_client hint; the form kept as typed takes the right one", { timeout: 90_000 }, async () => {
    const { browser } = suite.app;
    try {
      await create(browser, "Wrong secret", "not-the-secret");
      await (await visible(browser, '[data-testid="test"]')).click();
      await browser.waitUntil(async () => (await stepStatus(browser, "token")) === "failed", {
        timeout: 15_000,
        timeoutMsg: "the token step fails",
      });
      const hint = await (await visible(browser, '[data-testid="hint-token"]')).getText();
      assert.match(hint, /Identifier and Secret/);
      assert.equal(await stepStatus(browser, "api"), "skipped");

      // Nothing typed is lost: Edit opens the form as it was, and the right secret fixes it.
      await (await visible(browser, '[data-testid="edit"]')).click();
      const value = async (sel) => (await visible(browser, sel)).getValue();
      assert.equal(await value("#name"), "Wrong secret");
      assert.equal(await value("#subdomain"), suite.sandbox.url);
      assert.equal(await value("#clientId"), "sandbox-integration");
      assert.equal(await value("#clientSecret"), "", "a stored secret is never put back in a field");
      const chips = await browser.execute(() =>
        [...document.querySelectorAll('[data-testid="validDomains-chips"] [data-testid="chip"]')].map((c) => c.textContent),
      );
      assert.deepEqual(chips.map((c) => c.replace(/[×✕]/g, "").trim()), ["coupahost.com", "127.0.0.1"]);
      await typeInto(browser, "#clientSecret", "sandbox-integration-secret");
      await (await visible(browser, '[data-testid="save-and-test"]')).click();
      await browser.waitUntil(async () => (await stepStatus(browser, "api")) === "passed", {
        timeout: 15_000,
        timeoutMsg: "with the right secret every step passes",
      });
    } catch (err) {
      await saveScreenshot(browser, "failed-tester-wrong-secret");
      throw err;
    }
  });
});

nodeTest.describe("the ready demo", () => {
    // As `make run` starts it: the app is told where the sandbox listens.
  const suite = useSandboxAndApp(nodeTest, (url) => ({ CONNMGR_SANDBOX_URL: url }));

  nodeTest.it("offers a Local sandbox (Coupa) connection that passes its test", { timeout: 90_000 }, async () => {
    const { browser } = suite.app;
    const row = await visible(browser, '[data-testid="connection-row"]');
    await browser.waitUntil(async () => /Local sandbox \(Coupa\)/.test(await row.getProperty("textContent")), {
      timeout: 5000,
      timeoutMsg: "the demo connection is listed",
    });
    await row.click();
    await testSelectedConnection(browser);
  });
});

nodeTest.describe("authorization code through the browser", () => {
  const browserScript = path.join(ROOT, "tests/e2e/scripted-browser.mjs");
  const opened = path.join(mkdtempSync(path.join(os.tmpdir(), "connmgr-opened-")), "opened");
  const suite = useSandboxAndApp(nodeTest, () => ({ BROWSER: browserScript, CONNMGR_E2E_OPENED: opened }));

  nodeTest.it("signs in through the sandbox's page and passes the test", { timeout: 90_000 }, async () => {
    const { browser } = suite.app;
    try {
      await (await visible(browser, '[data-testid="new-connection"]')).click();
      // The grant first: the endpoint preview appears as the address is typed and moves it.
      await (await visible(browser, '[data-testid="grant-authorization_code"]')).click();
      await typeInto(browser, "#name", "Desktop sign-in");
      await typeInto(browser, "#subdomain", suite.sandbox.url);
      await typeInto(browser, "#clientId", "sandbox-desktop");
      await typeInto(browser, "#validDomains", "127.0.0.1");
      // Typed into the picker's box; Enter adds it to Selected.
      await typeInto(browser, "#scopes", "offline_access", { leave: false });
      await browser.keys("Enter");
      await visible(browser, '[data-testid="scopes-selected"] [data-scope="offline_access"]');
      // The sandbox is as strict as a certified server: a refresh token only with prompt=consent,
      // and `offline_access` never listed in the granted scopes (the refresh token says it).
      await openAdvanced(browser);
      await (await visible(browser, '[data-testid="add-extra-param"]')).click();
      await typeInto(browser, '[data-testid="extra-param-name"]', "prompt");
      await typeInto(browser, '[data-testid="extra-param-value"]', "consent");
      await browser.waitUntil(async () => (await browser.$$('[role="alert"]')).length === 0, {
        timeout: 5000,
        timeoutMsg: "the form has no errors left",
      });
      await (await visible(browser, '[data-testid="save"]')).click();
      await (await visible(browser, '[data-testid="test"]')).click();
      const api = await visible(browser, '[data-testid="step-api"]');
      await browser.waitUntil(async () => (await api.getAttribute("data-status")) === "passed", {
        timeout: 20_000,
        timeoutMsg: "the sign-in completes and the API step passes",
      });
      const token = await (await visible(browser, '[data-testid="step-token"]')).getText();
      assert.match(token, /Authorization code · Bearer · scopes: core\.user\.read offline_access · refresh token held/);
      // Checklist 1: the sign-in went through the system browser (the app's opener ran
      // $BROWSER with the authorization URL), and the app made no window of its own for it.
      assert.deepEqual(readFileSync(opened, "utf8").trim().split("\n"), [`${suite.sandbox.url}/oauth2/authorizations/new`]);
      assert.equal((await browser.getWindowHandles()).length, 1, "no webview window was created");
      await saveScreenshot(browser, "auth-code-test");
    } catch (err) {
      await saveScreenshot(browser, "failed-auth-code");
      throw err;
    }
  });
});
