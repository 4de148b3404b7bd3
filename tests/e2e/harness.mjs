// End-to-end harness: drives the real app window through WebDriver (tauri-driver in front of
// WebKitWebDriver). Each test gets its own app process, with HOME and the XDG folders in a fresh
// temporary directory so no test touches the user's own data or settings.
//
// Needs: a display (make test runs the suite under Xvfb), tauri-driver and WebKitWebDriver on the
// PATH, and the app built (make test builds it first; CONNMGR_APP overrides its path).
import { spawn } from "node:child_process";
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const ARTIFACTS = path.join(ROOT, "tests/artifacts");
/** No single end-to-end test may hang the suite: each fails after this long. */
export const TEST_TIMEOUT_MS = 90_000;
export const APP = process.env.CONNMGR_APP ?? path.join(ROOT, "target/debug/connmgr-app");

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rejects with a message naming `what` when `promise` takes longer than `ms`. */
function withTimeout(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Sends `signal` to a detached child's whole process group; a group already gone is fine. */
function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch (err) {
    if (err.code !== "ESRCH") throw err;
  }
}

async function waitFor(check, { timeoutMs, what }) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${lastErr.message}` : ""}`);
}

/**
 * Notes a secret or token a test typed or read, for the sweep after the suite
 * (tests/e2e/sweep.mjs) to search for. Written only when the suite runs through scripts/e2e.sh.
 */
export function remember(...values) {
  const ledger = process.env.CONNMGR_E2E_LEDGER;
  if (!ledger) return;
  for (const value of values) appendFileSync(ledger, `${JSON.stringify({ secret: value })}\n`);
}

/**
 * Starts tauri-driver on `port` in a process group of its own, so stop() can end everything it
 * started: WebKitWebDriver and the app under it. Left alone, an app that outlived its session
 * would hold the driver's output open and keep the test process from ever exiting.
 */
function startDriver(port, nativePort, env, output) {
  const outputFd = openSync(output, "a");
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    env,
    stdio: ["ignore", outputFd, outputFd],
    detached: true,
  });
  closeSync(outputFd);
  return { driver, exited: new Promise((resolve) => driver.once("exit", resolve)) };
}

/** A fresh, private home for one app run: HOME and every XDG folder inside a temp dir. */
export function isolatedHome() {
  const home = mkdtempSync(path.join(os.tmpdir(), "connmgr-e2e-"));
  const ledger = process.env.CONNMGR_E2E_LEDGER;
  if (ledger) appendFileSync(ledger, `${JSON.stringify({ home })}\n`);
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_DATA_HOME: path.join(home, ".local/share"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    XDG_STATE_HOME: path.join(home, ".local/state"),
  };
  for (const dir of Object.values(env)) mkdirSync(dir, { recursive: true });
  return { home, env };
}

/**
 * Starts tauri-driver and opens the app (or the program `app`) in a WebDriver session.
 * Returns { browser, stop, home, env, group }; call stop() in an `after` hook.
 */
export async function launchApp({ home = isolatedHome(), extraEnv = {}, app = APP } = {}) {
  // A delete is final 2 s after it (not the app's 10 s) unless a test asks for more time.
  const env = { ...process.env, CONNMGR_UNDO_DELETE_SECS: "2", ...home.env, ...extraEnv };
  // The driver's, WebKitWebDriver's and the app's standard output and error (WebKit's console
  // included) go to a file in the app's home, where the sweep searches for leaked secrets.
  const output = path.join(home.home, "app-output.log");
  // tauri-driver takes its two ports on its command line, so they are found free just before it
  // starts, and another process can take one in between. Neither tauri-driver nor
  // WebKitWebDriver exits then: each says it cannot listen and goes on. A driver that says so
  // is ended and started again on new ports.
  let driver;
  let exited;
  let port;
  for (let attempt = 1; ; attempt += 1) {
    const before = existsSync(output) ? statSync(output).size : 0;
    const said = () => readFileSync(output).subarray(before).toString("utf8");
    port = await freePort();
    ({ driver, exited } = startDriver(port, await freePort(), env, output));
    let taken = false;
    try {
      await waitFor(
        async () => {
          if (/can not listen to address|Unable to listen/.test(said())) return (taken = true);
          // A port taken by a program that never answers must not hold the wait.
          return (await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2000) })).ok;
        },
        { timeoutMs: 15000, what: `tauri-driver on port ${port}` },
      );
    } catch (err) {
      signalGroup(driver, "SIGKILL");
      throw new Error(`${err.message}\n${said().slice(-4000)}`, { cause: err });
    }
    if (!taken) break;
    signalGroup(driver, "SIGKILL");
    await Promise.race([exited, sleep(3000)]);
    if (attempt === 3) throw new Error(`tauri-driver found its ports taken three times:\n${said().slice(-4000)}`);
  }

  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "error",
    connectionRetryCount: 0,
    capabilities: {
      browserName: "wry",
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: app },
    },
  });

  async function stop() {
    try {
      await withTimeout(browser.deleteSession(), 10_000, "closing the WebDriver session");
    } catch {
      // The app may already have gone, or the session may hang; the group is ended below either way.
    }
    signalGroup(driver, "SIGTERM");
    await Promise.race([exited, sleep(3000)]);
    // Whatever is left of the group (the app, its web processes) goes now.
    signalGroup(driver, "SIGKILL");
  }

  // `group`: the process group of everything started (the driver, the app, its web processes).
  return { browser, stop, home: home.home, env: home.env, group: driver.pid };
}

/**
 * Saves a screenshot of the window as tests/artifacts/<name>.png and returns its path.
 *
 * When the suite runs through scripts/e2e.sh, the text the screenshot shows (the page's rendered
 * text and the values of its visible fields; a password field shows dots) is also written to
 * CONNMGR_E2E_SCREENS, where the sweep searches it as it searches any file: a token on screen
 * is a token in the picture. `revealsToken` exempts a screenshot taken after a test revealed a
 * token on purpose.
 */
export async function saveScreenshot(browser, name, { revealsToken = false } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const base = name.replace(/[^a-z0-9_-]+/gi, "_");
  const file = path.join(ARTIFACTS, `${base}.png`);
  // Two animation frames first: the capture can otherwise show the frame before the last change.
  await browser
    .executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())))
    .catch(() => {});
  writeFileSync(file, Buffer.from(await browser.takeScreenshot(), "base64"));
  const screens = process.env.CONNMGR_E2E_SCREENS;
  if (screens && !revealsToken) {
    mkdirSync(screens, { recursive: true });
    writeFileSync(path.join(screens, `${base}.txt`), await shownText(browser));
  }
  return file;
}

/** The text a screenshot of the window shows: rendered text, then each visible field's value. */
async function shownText(browser) {
  return browser.execute(() => {
    const fields = [...document.querySelectorAll("input, textarea, select")]
      .filter((el) => el.type !== "password" && el.type !== "hidden" && el.getClientRects().length > 0)
      .map((el) => el.value);
    return [document.body.innerText, ...fields].join("\n");
  });
}

/** Waits until `selector` is displayed and returns the element. */
export async function visible(browser, selector, timeout = 10000) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout, timeoutMsg: `${selector} was not displayed within ${timeout} ms` });
  return el;
}

/**
 * Registers one app for a node:test suite and returns { app, it }: `app()` gives the running app,
 * `it(name, fn)` declares a test that saves a screenshot of the window when it fails.
 */
export function useApp(nodeTest, options) {
  let app;
  nodeTest.before(async () => {
    app = await launchApp(options);
  }, { timeout: 60_000 });
  nodeTest.after(async () => {
    await app?.stop();
  }, { timeout: 30_000 });
  const it = (name, fn) =>
    nodeTest.it(name, { timeout: TEST_TIMEOUT_MS }, async (t) => {
      try {
        await fn(app, t);
      } catch (err) {
        if (app) {
          const shot = await saveScreenshot(app.browser, `failed-${name}`).catch(() => null);
          if (shot) t.diagnostic(`screenshot: ${shot}`);
        }
        throw err;
      }
    });
  return { app: () => app, it };
}

/**
 * Starts the local sandbox (the built binary) on a free port; returns { url, stop }. `config`,
 * when given, is its configuration (clients, token lifetime…) instead of the built-in demo's.
 * It behaves as strictly as a certified server (`--strict`) unless `coupa` asks for Coupa's
 * own ways (`invalid_scope` for a scope the client may not have, `offline_access` listed).
 */
export async function startSandbox({ config, coupa = false } = {}) {
  const bin = path.join(ROOT, "target/debug/connmgr-sandbox");
  const args = ["--port", "0"];
  if (!coupa) args.push("--strict");
  if (config) {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "connmgr-sandbox-")), "config.json");
    writeFileSync(file, JSON.stringify(config));
    args.push("--config", file);
  }
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  // Its log is read as it comes (a full pipe would stall it); the tail explains an early exit.
  let log = "";
  child.stderr.on("data", (chunk) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("the sandbox printed no URL within 10 s")), 10_000);
    child.stdout.on("data", (chunk) => {
      out += chunk.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n")) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.once("exit", (code) => reject(new Error(`the sandbox exited with ${code}: ${log}`)));
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    url,
    /** Ends the sandbox: SIGTERM (it stops serving and exits), SIGKILL if it is still there after 3 s. */
    stop: async () => {
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      child.stdout.destroy();
      child.stderr.destroy();
    },
  };
}

/**
 * Starts the sandbox and then the app for a node:test suite, and stops both after it. `extraEnv`
 * gives the app's extra environment from the sandbox's URL; `sandboxConfig`, the sandbox's
 * configuration instead of its demo's. Returns { sandbox, app }, filled in
 * once the suite's `before` has run.
 */
export function useSandboxAndApp(nodeTest, extraEnv = () => ({}), { sandboxConfig } = {}) {
  const ctx = { sandbox: null, app: null, it: null };
  nodeTest.before(async () => {
    ctx.sandbox = await startSandbox({ config: sandboxConfig });
    ctx.app = await launchApp({ home: isolatedHome(), extraEnv: extraEnv(ctx.sandbox.url) });
  }, { timeout: 60_000 });
  nodeTest.after(async () => {
    await ctx.app?.stop();
    await ctx.sandbox?.stop();
  }, { timeout: 30_000 });
  /** A test given the window's browser; a failure saves a screenshot named after the test. */
  ctx.it = (name, fn) =>
    nodeTest.it(name, { timeout: TEST_TIMEOUT_MS }, async (t) => {
      try {
        await fn(ctx.app.browser, t);
      } catch (err) {
        const shot = await saveScreenshot(ctx.app.browser, `failed-${name}`).catch(() => null);
        if (shot) t.diagnostic(`screenshot: ${shot}`);
        throw err;
      }
    });
  return ctx;
}

/**
 * Clears a field, types into it, then leaves it as a person moving on does (`leave: false`
 * stays, to press a key there next). Leaving matters: WebKitWebDriver now and then drops a
 * click that takes the focus from a text field. The page gets the pointerdown and the field's
 * focusout, never the mousedown, mouseup or click (seen on Save, about one click in ten).
 */
export async function typeInto(browser, selector, text, { leave = true } = {}) {
  const el = await visible(browser, selector);
  await el.clearValue();
  await el.setValue(text);
  if (leave) await browser.execute((field) => field.blur(), el);
  return el;
}

/** Presses Test connection on the selected connection and waits until its API step passes. */
export async function testSelectedConnection(browser, timeout = 15_000) {
  await (await visible(browser, '[data-testid="test"]')).click();
  const api = await visible(browser, '[data-testid="step-api"]');
  await browser.waitUntil(async () => (await api.getAttribute("data-status")) === "passed", {
    timeout,
    timeoutMsg: "the connection's test passes",
  });
}

/**
 * Opens the form's Advanced section. A click on its summary is now and then dropped by
 * WebKitWebDriver (see typeInto), so it is clicked again until the section is open.
 */
export async function openAdvanced(browser) {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const details = await visible(browser, "details.advanced");
    if ((await details.getAttribute("open")) !== null) return;
    await (await visible(browser, "details.advanced > summary")).click();
    try {
      await browser.waitUntil(async () => (await details.getAttribute("open")) !== null, { timeout: 2000 });
      return;
    } catch {
      // Dropped: click again.
    }
  }
  throw new Error("the Advanced section did not open");
}
