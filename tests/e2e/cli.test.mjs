// The app and the command-line tool at the same time, on the same connections: what `connmgr`
// adds, and the token it gets, appear in the open window by themselves.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import * as nodeTest from "node:test";
import { ROOT, remember, saveScreenshot, useSandboxAndApp, visible } from "./harness.mjs";

const CLI = process.env.CONNMGR_CLI ?? path.join(ROOT, "target/debug/connmgr");
const SECRET = "sandbox-integration-secret";
remember(SECRET);

/** Runs connmgr as the app's user (its home), with `input` on standard input. */
function connmgr(app, args, input = "") {
  const run = spawnSync(CLI, args, { env: { ...process.env, ...app.env }, input, encoding: "utf8" });
  assert.equal(run.status, 0, `connmgr ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

/** The text of the row named `name`, or null while there is none. */
async function rowText(browser, name) {
  return browser.execute((wanted) => {
    const row = [...document.querySelectorAll('[data-testid="connection-row"]')].find(
      (r) => r.querySelector('[data-testid="row-name"]')?.textContent === wanted,
    );
    return row ? row.textContent.replace(/\s+/g, " ").trim() : null;
  }, name);
}

nodeTest.describe("the command line beside the window", () => {
  const suite = useSandboxAndApp(nodeTest, () => ({ CONNMGR_AUTO_REFRESH_SECS: "off" }));

  suite.it("what connmgr adds and the token it gets appear in the open window", async (browser) => {
    await visible(browser, '[data-testid="new-connection"]');
    const name = "Added by connmgr";
    connmgr(
      suite.app,
      ["add", "--name", name, "--coupa", suite.sandbox.url, "--client-id", "sandbox-integration"]
        .concat(["--valid-domain", "127.0.0.1", "--secret-from-stdin"]),
      SECRET,
    );
    await browser.waitUntil(async () => (await rowText(browser, name)) !== null, {
      timeout: 15_000,
      timeoutMsg: "the window lists the connection connmgr added",
    });
    assert.match(await rowText(browser, name), /no token/);

    const token = connmgr(suite.app, ["token", name]);
    remember(token);
    await browser.waitUntil(async () => /token valid/.test(await rowText(browser, name)), {
      timeout: 15_000,
      timeoutMsg: "the row shows the token connmgr got",
    });
    await saveScreenshot(browser, "cli-beside-the-window");
  });
});
