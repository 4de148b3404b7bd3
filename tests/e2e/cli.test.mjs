// The app and the command-line tool at the same time, on the same connections: what `connmgr`
// adds, and the token it gets, appear in the open window by themselves.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
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

/** Runs connmgr as the app's user without waiting; resolves to { status, stdout, stderr }. */
function connmgrAsync(app, args, extraEnv = {}) {
  return new Promise((resolve) => {
    const child = spawn(CLI, args, { env: { ...process.env, ...app.env, ...extraEnv } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

nodeTest.describe("one rotating grant renewed by the window and connmgr at once", () => {
  const browserScript = path.join(ROOT, "tests/e2e/scripted-browser.mjs");
  const suite = useSandboxAndApp(nodeTest, () => ({ CONNMGR_AUTO_REFRESH_SECS: "off" }));

  suite.it("the grant survives, and the window shows the token connmgr got", async (browser) => {
    await visible(browser, '[data-testid="new-connection"]');
    const name = "Shared grant";
    connmgr(
      suite.app,
      ["add", "--name", name, "--coupa", suite.sandbox.url, "--grant", "authorization-code"]
        .concat(["--client-id", "sandbox-desktop", "--valid-domain", "127.0.0.1"])
        .concat(["--scope", "core.user.read", "--scope", "offline_access"])
        // The strict sandbox gives a refresh token only to a sign-in with prompt=consent.
        .concat(["--param", "authorization:prompt=consent"]),
    );
    // connmgr signs in through the scripted browser; the sandbox's public client rotates its
    // refresh token at every use and revokes the whole grant if a rotated one comes back.
    const signIn = await connmgrAsync(suite.app, ["sign-in", name], { BROWSER: browserScript });
    assert.equal(signIn.status, 0, signIn.stderr);
    await browser.waitUntil(async () => /token valid/.test((await rowText(browser, name)) ?? ""), {
      timeout: 15_000,
      timeoutMsg: "the window lists the signed-in connection",
    });
    await browser.execute((wanted) => {
      [...document.querySelectorAll('[data-testid="connection-row"]')]
        .find((r) => r.querySelector('[data-testid="row-name"]')?.textContent === wanted)
        ?.click();
    }, name);
    const refresh = await visible(browser, '[data-testid="refresh-token"]');
    await browser.waitUntil(async () => refresh.isEnabled(), { timeout: 5000, timeoutMsg: "Refresh is offered" });

    // The window's Refresh and three `connmgr token --renew` at the same moment.
    const renewals = [1, 2, 3].map(() => connmgrAsync(suite.app, ["token", name, "--renew"]));
    await refresh.click();
    const done = await Promise.all(renewals);
    for (const r of done) {
      assert.equal(r.status, 0, `connmgr token --renew: ${r.stderr}`);
      remember(r.stdout);
    }
    const state = await visible(browser, '[data-testid="token-state"]');
    await browser.waitUntil(async () => /^Valid — expires in/.test(await state.getText()), {
      timeout: 15_000,
      timeoutMsg: "the window's refresh ends with a valid token",
    });
    assert.equal((await browser.$$('[data-testid="token-problem"]')).length, 0, "the window's refresh did not fail");

    // The grant survived: one more renewal works, and the window, showing its token, follows
    // to the one connmgr got.
    await (await visible(browser, '[data-testid="reveal-token"]')).click();
    const shown = await visible(browser, '[data-testid="token-value"]');
    const last = await connmgrAsync(suite.app, ["token", name, "--renew"]);
    assert.equal(last.status, 0, `the grant is still alive: ${last.stderr}`);
    remember(last.stdout);
    await browser.waitUntil(async () => (await shown.getText()) === last.stdout, {
      timeout: 15_000,
      timeoutMsg: "the window shows the token connmgr got last",
    });
    assert.match(await rowText(browser, name), /token valid/);
  });
});
