// While a browser sign-in waits, the window offers the sign-in page's link: "Open again" sends
// the same address to the system browser once more, "Copy sign-in link" puts it on the X
// clipboard, for a browser that did not come up or a sign-in in another browser or profile.
// The system browser here only notes what it was asked to open: nobody signs in.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as nodeTest from "node:test";
import { typeInto, useSandboxAndApp, visible } from "./harness.mjs";

const dir = mkdtempSync(path.join(os.tmpdir(), "connmgr-noting-browser-"));
const opened = path.join(dir, "opened");
const noting = path.join(dir, "noting-browser");
writeFileSync(noting, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
chmodSync(noting, 0o755);

/** The addresses the system browser was asked to open, in order. */
const openedUrls = () => {
  try {
    return readFileSync(opened, "utf8").trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

nodeTest.describe("the sign-in link while the browser sign-in waits", () => {
  const suite = useSandboxAndApp(nodeTest, () => ({ BROWSER: noting }));

  suite.it("opens the same page again and copies its address", async (browser) => {
    await (await visible(browser, '[data-testid="new-connection"]')).click();
    await (await visible(browser, '[data-testid="grant-authorization_code"]')).click();
    await typeInto(browser, "#name", "Waits for a browser");
    await typeInto(browser, "#subdomain", suite.sandbox.url);
    await typeInto(browser, "#clientId", "sandbox-desktop");
    await typeInto(browser, "#validDomains", "127.0.0.1");
    const save = await visible(browser, '[data-testid="save"]');
    // Rust's verdict on what was typed came back: Save is no longer marked disabled.
    await browser.waitUntil(async () => (await save.getAttribute("aria-disabled")) === null, {
      timeout: 5000,
      timeoutMsg: "Save is offered",
    });
    await save.click();

    await (await visible(browser, '[data-testid="sign-in"]')).click();
    await visible(browser, '[data-testid="waiting-sign-in"]');
    await browser.waitUntil(async () => openedUrls().length === 1, { timeout: 10_000, timeoutMsg: "the browser is opened" });
    const [first] = openedUrls();
    assert.ok(first.startsWith(`${suite.sandbox.url}/oauth2/authorizations/new?`), first);

    await (await visible(browser, '[data-testid="open-sign-in-again"]')).click();
    await browser.waitUntil(async () => openedUrls().length === 2, { timeout: 10_000, timeoutMsg: "the browser is opened again" });
    assert.equal(openedUrls()[1], first, "the same page, the same attempt");

    await (await visible(browser, '[data-testid="copy-sign-in-link"]')).click();
    await browser.waitUntil(
      async () => spawnSync("xclip", ["-selection", "clipboard", "-o"], { encoding: "utf8", timeout: 5000 }).stdout === first,
      { timeout: 5000, timeoutMsg: "the clipboard holds the sign-in page's address" },
    );

    await (await visible(browser, '[data-testid="cancel-sign-in"]')).click();
    await browser.waitUntil(async () => !(await (await browser.$('[data-testid="waiting-sign-in"]')).isExisting()), {
      timeout: 10_000,
      timeoutMsg: "the sign-in is cancelled",
    });
    assert.equal((await browser.$$('[data-testid="copy-sign-in-link"]')).length, 0, "the link goes with the wait");
  });
});
