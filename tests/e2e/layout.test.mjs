// The window as a person on a small screen with a dark desktop sees it: 800×600, dark theme
// followed from the system, nothing cut off sideways, the form's actions always in view; and
// editing a connection in the same panel.
import assert from "node:assert/strict";
import * as nodeTest from "node:test";
import { saveScreenshot, testSelectedConnection, typeInto, useSandboxAndApp, visible } from "./harness.mjs";

/** Whether the element's content is wider than its box (something cut off or a sideways scroll). */
async function overflowsSideways(browser, selector) {
  return browser.execute((sel) => {
    const el = document.querySelector(sel);
    return el ? el.scrollWidth > el.clientWidth + 1 : null;
  }, selector);
}

nodeTest.describe("small window, dark theme", () => {
  const suite = useSandboxAndApp(nodeTest, (url) => ({ CONNMGR_SANDBOX_URL: url, GTK_THEME: "Adwaita:dark" }));

  suite.it("follows the system's dark theme and fits 800×600", async (browser) => {
    await browser.setWindowSize(800, 600);
    await browser.waitUntil(async () => (await browser.execute(() => innerWidth)) === 800, {
      timeout: 5000,
      timeoutMsg: "the window is 800 wide",
    });
    const dark = await browser.execute(() => {
      const [r, g, b] = getComputedStyle(document.documentElement).backgroundColor.match(/\d+/g).map(Number);
      return { prefers: matchMedia("(prefers-color-scheme: dark)").matches, luminance: (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 };
    });
    assert.ok(dark.prefers, "the system's dark preference reaches the page");
    assert.ok(dark.luminance < 0.2, `a dark background (luminance ${dark.luminance.toFixed(2)})`);

    const row = await visible(browser, '[data-testid="connection-row"]');
    await row.click();
    await testSelectedConnection(browser);
    assert.equal(await overflowsSideways(browser, "main"), false, "the details fit sideways");
    await saveScreenshot(browser, "small-dark-details");

    // A copy's message does not cover what it reports on: the copy buttons, or the token's state.
    await (await visible(browser, '[data-testid="copy-token"]')).click();
    const toast = await visible(browser, '[data-testid="toast"]');
    const overlap = await browser.execute((t) => {
      const a = t.getBoundingClientRect();
      return ['[data-testid="token-panel"] .copy', '[data-testid="token-state"]']
        .map((sel) => document.querySelector(sel)?.getBoundingClientRect())
        .filter((b) => b && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom).length;
    }, toast);
    assert.equal(overlap, 0, "the toast covers neither the copy buttons nor the token's state");
    await saveScreenshot(browser, "small-dark-copied");

    await (await visible(browser, '[data-testid="edit"]')).click();
    await visible(browser, '[data-testid="connection-form"]');
    assert.equal(await overflowsSideways(browser, '[data-testid="connection-form"] .body'), false, "the form fits sideways");
    await (await browser.$('[data-testid="scope-picker"]')).scrollIntoView();
    assert.equal(await overflowsSideways(browser, '[data-testid="scope-picker"]'), false, "the picker fits sideways");
    const save = await visible(browser, '[data-testid="save"]');
    const inView = await browser.execute((el) => {
      const r = el.getBoundingClientRect();
      return r.bottom <= innerHeight && r.right <= innerWidth;
    }, save);
    assert.ok(inView, "Save stays in view while the form scrolls");
    await saveScreenshot(browser, "small-dark-picker");
  });

  suite.it("edits the connection in the same panel and keeps the change", async (browser) => {
    await (await visible(browser, "#name")).scrollIntoView();
    await typeInto(browser, "#name", "Sandbox, renamed");
    const save = await visible(browser, '[data-testid="save"]');
    // Rust's verdict on what was typed came back: Save is no longer marked disabled.
    await browser.waitUntil(async () => (await save.getAttribute("aria-disabled")) === null, {
      timeout: 5000,
      timeoutMsg: "Save is offered",
    });
    await save.click();
    const heading = await visible(browser, "#details-heading");
    await browser.waitUntil(async () => (await heading.getText()) === "Sandbox, renamed", {
      timeout: 5000,
      timeoutMsg: "the details show the new name",
    });
    const row = await visible(browser, '[data-testid="connection-row"]');
    assert.match(await row.getProperty("textContent"), /Sandbox, renamed/);
  });

  suite.it("keeps the form where it is under a long name, the whole name in its tooltip", async (browser) => {
    const long = `Sandbox with a name as long as the rules allow, ${"x".repeat(48)}`;
    await (await visible(browser, '[data-testid="edit"]')).click();
    await typeInto(browser, "#name", long);
    await (await visible(browser, '[data-testid="save"]')).click();
    await browser.waitUntil(async () => (await (await visible(browser, "#details-heading")).getText()) === long, {
      timeout: 5000,
      timeoutMsg: "saved under the long name",
    });
    await (await visible(browser, '[data-testid="edit"]')).click();
    const heading = await visible(browser, "#form-heading");
    const drawn = await browser.execute((el) => {
      const line = parseFloat(getComputedStyle(el).lineHeight) || 24;
      return { height: el.getBoundingClientRect().height, line, cut: el.scrollWidth > el.clientWidth, title: el.title };
    }, heading);
    assert.ok(drawn.height < drawn.line * 1.5, `one line at 800 px: ${JSON.stringify(drawn)}`);
    assert.ok(drawn.cut, "the name is cut, not wrapped");
    assert.equal(drawn.title, `Edit ${long}`, "the whole name is in the tooltip");
    await saveScreenshot(browser, "small-long-name-form");
    await (await visible(browser, '[data-testid="cancel"]')).click();
  });
});
