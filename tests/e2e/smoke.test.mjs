// The app opens its window, shows the main view and answers through the Rust <-> UI bridge.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import * as nodeTest from "node:test";
import { ROOT, saveScreenshot, useApp, visible } from "./harness.mjs";

const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));

nodeTest.describe("smoke", () => {
  const { it } = useApp(nodeTest);

  it("opens the main window titled Connection Manager", async ({ browser }) => {
    assert.equal(await browser.getTitle(), "Connection Manager");
  });

  it("shows an empty connection list with a New connection action", async ({ browser }) => {
    const empty = await visible(browser, '[data-testid="connections-empty"]');
    assert.match(await empty.getText(), /No connections yet/);
    const action = await visible(browser, '[data-testid="new-connection"]');
    assert.equal(await action.getText(), "New connection");
    assert.ok(await action.isClickable(), "the New connection action can be clicked");
  });

  it("gets the app version from Rust through the command bridge", async ({ browser }) => {
    const version = await visible(browser, '[data-testid="app-version"]');
    // The version comes from the Rust crate (CARGO_PKG_VERSION); package.json carries the same.
    assert.equal(await version.getText(), `Connection Manager ${pkg.version}`);
  });

  it("renders the main view for the README screenshot", async ({ browser }) => {
    await visible(browser, '[data-testid="welcome"]');
    // The window as a person sees it once it has started: the version is in the status bar.
    const version = await visible(browser, '[data-testid="app-version"]');
    await browser.waitUntil(async () => (await version.getText()) === `Connection Manager ${pkg.version}`, {
      timeout: 10_000,
      timeoutMsg: "the status bar shows the version",
    });
    const shot = await saveScreenshot(browser, "main-window");
    assert.ok(statSync(shot).size > 10_000, "the screenshot holds a rendered window, not a blank image");
    // `make screenshots` refreshes the README's copy; a plain test run leaves docs/ untouched.
    if (process.env.UPDATE_DOCS) {
      mkdirSync(path.join(ROOT, "docs"), { recursive: true });
      copyFileSync(shot, path.join(ROOT, "docs/screenshot-main.png"));
    }
  });
});
