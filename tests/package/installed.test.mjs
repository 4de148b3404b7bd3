// `make package-test`: the program the .deb installed (CONNMGR_APP, set by
// scripts/package-test.sh) opens its window on a private home with three saved connections and
// shows them in the connection list.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import * as nodeTest from "node:test";
import { APP, ROOT, isolatedHome, launchApp, saveScreenshot, visible } from "../e2e/harness.mjs";

const COUNT = 3;

nodeTest.describe("the installed package", () => {
  nodeTest.it("is the installed program, not the build tree's", () => {
    assert.ok(APP.startsWith("/usr/"), `CONNMGR_APP names the installed program: ${APP}`);
  });

  nodeTest.it("opens its window with the saved connections listed", { timeout: 120_000 }, async () => {
    const home = isolatedHome();
    const dir = path.join(home.env.XDG_DATA_HOME, "dev.connmgr.desktop");
    execFileSync(
      "cargo",
      ["run", "-q", "--locked", "-p", "connmgr-core", "--example", "seed_connections", "--", dir, String(COUNT)],
      { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
    );
    const app = await launchApp({ home });
    try {
      const { browser } = app;
      assert.equal(await browser.getTitle(), "Connection Manager");
      const counter = await visible(browser, '[data-testid="connection-count"]', 30_000);
      await browser.waitUntil(async () => (await counter.getText()).trim() === `${COUNT} connections`, {
        timeout: 30_000,
        timeoutMsg: `the list shows ${COUNT} connections`,
      });
      const rows = await browser.$$('[data-testid="connection-row"]');
      assert.equal(rows.length, COUNT, "every saved connection has a row");
      // The command-line tool the package installed beside it reads the same connections.
      const cli = process.env.CONNMGR_CLI;
      assert.ok(cli?.startsWith("/usr/bin/"), `CONNMGR_CLI names the installed connmgr: ${cli}`);
      const listed = JSON.parse(execFileSync(cli, ["list", "--json"], { env: { ...process.env, ...home.env } }));
      assert.equal(listed.length, COUNT, "connmgr lists the same connections");
      await saveScreenshot(browser, "installed-package");
    } finally {
      await app.stop();
    }
  });
});
