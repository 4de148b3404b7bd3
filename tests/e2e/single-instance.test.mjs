// Launching the app again while it runs brings the open window forward; no second app starts on
// the same connections, keyring entries and renewal timer.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import * as nodeTest from "node:test";
import { APP, useApp, visible } from "./harness.mjs";

/** Every file named `name` under `dir`. */
function find(dir, name) {
  return readdirSync(dir, { recursive: true })
    .filter((rel) => path.basename(rel) === name)
    .map((rel) => path.join(dir, rel));
}

nodeTest.describe("one window per data folder", () => {
  const { it } = useApp(nodeTest);

  it("a second launch hands over to the open window and exits", async ({ browser, home, env }) => {
    await visible(browser, '[data-testid="new-connection"]');
    const second = spawn(APP, [], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    second.stdout.on("data", (c) => (output += c));
    second.stderr.on("data", (c) => (output += c));
    const code = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        second.kill("SIGKILL");
        reject(new Error(`the second launch was still running after 20 s:\n${output}`));
      }, 20_000);
      second.once("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, `the second launch exits cleanly:\n${output}`);

    // The first window is still there and answering, and it noted the hand-over.
    assert.equal(await browser.getTitle(), "Connection Manager");
    await visible(browser, '[data-testid="new-connection"]');
    await browser.waitUntil(
      () => find(home, "connmgr.log").some((f) => readFileSync(f, "utf8").includes("launched again")),
      { timeout: 10_000, timeoutMsg: "the running app logs the second launch" },
    );
  });
});
