// `make bench`: the connection list in the real window with 10,000 saved connections, against
// the same window with 10 in the same run. Prints figures; asserts nothing about speed.
//
// - Load: from starting the app to the list's count showing every connection (after one
//   launch not counted, which warms the binary and the caches).
// - The list command alone, as the window asks for it (the first page of rows, with the totals):
//   its time through Tauri's IPC and the size of what it sends.
// - Search: per keystroke, from the input event to the list's rows drawn for that text (the
//   search runs in Rust, behind the IPC), typing "connection 09998 sandbox" one character at a
//   time; the first keystroke is reported apart (it also warms the code up).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { ROOT, isolatedHome, launchApp, visible } from "../e2e/harness.mjs";

const QUERY = "connection 09998 sandbox";

function seed(home, count) {
  const dir = path.join(home.env.XDG_DATA_HOME, "dev.connmgr.desktop");
  const out = execFileSync(
    "cargo",
    ["run", "-q", "--release", "--locked", "-p", "connmgr-core", "--example", "seed_connections", "--", dir, String(count)],
    { cwd: ROOT, encoding: "utf8" },
  );
  return out.trim();
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(count) {
  const home = isolatedHome();
  const storeLine = seed(home, count);
  const started = performance.now();
  const app = await launchApp({ home });
  try {
    const { browser } = app;
    const counter = await visible(browser, '[data-testid="connection-count"]', 60_000);
    await browser.waitUntil(async () => (await counter.getText()).trim() === `${count} connections`, {
      timeout: 60_000,
      timeoutMsg: `the list shows ${count} connections`,
    });
    const load = performance.now() - started;
    const perKey = await browser.executeAsync((query, done) => {
      const input = document.querySelector('[data-testid="connection-search"]');
      const times = [];
      const tick = () => new Promise((r) => setTimeout(r, 0));
      // The rows drawn for `text`: the listbox says which search its rows answer.
      const drawn = (text) =>
        document.querySelector('[data-testid="connection-listbox"]')?.dataset.search === text ||
        document.querySelector('[data-testid="connections-no-match"]') !== null;
      (async () => {
        for (let i = 1; i <= query.length; i++) {
          const t0 = performance.now();
          const text = query.slice(0, i);
          input.value = text;
          input.dispatchEvent(new Event("input", { bubbles: true }));
          do await tick();
          while (!drawn(text) && performance.now() - t0 < 10_000);
          times.push(performance.now() - t0);
        }
        done(times);
      })();
    }, QUERY);
    const found = await browser.execute(() => document.querySelectorAll('[data-testid="connection-row"]').length);
    // The list command alone, as the window calls it (through Tauri's IPC) for a first view
    // of the list: the rows in view and those read ahead, with the totals; five times.
    const ipc = await browser.executeAsync((done) => {
      const times = [];
      let chars = 0;
      const query = { search: "", sort: "name", offset: 0, limit: 60, locate: null };
      (async () => {
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          const page = await window.__TAURI_INTERNALS__.invoke("list_connections", { query });
          times.push(performance.now() - t0);
          chars = JSON.stringify(page).length;
        }
        done({ times, chars });
      })();
    });
    // The form's validation round trip (what each pause in typing costs), twenty times, on the
    // first saved connection's settings.
    const validation = await browser.executeAsync((done) => {
      (async () => {
        const invoke = window.__TAURI_INTERNALS__.invoke;
        const query = { search: "", sort: "name", offset: 0, limit: 1, locate: null };
        const [first] = (await invoke("list_connections", { query })).rows;
        const c = await invoke("get_connection", { id: first.id });
        const draft = { id: c.id, settings: c.settings, clientSecret: { action: "keep" } };
        const times = [];
        for (let i = 0; i < 20; i++) {
          const t0 = performance.now();
          await invoke("validate_connection", { draft });
          times.push(performance.now() - t0);
        }
        done(times);
      })();
    });
    return { load, perKey, found, storeLine, ipc, validation };
  } finally {
    await app.stop();
  }
}

// One launch first, not counted: the first start after a build reads a cold binary and cold
// caches, and would make the baseline look slow (seen: 8.8 s against 1.0 s).
await measure(10);
const small = await measure(10);
const large = await measure(10_000);
// One line a figure: `bench: NAME: VALUE UNIT vs BASELINE UNIT = RATIOx`, the baseline being
// the same measure with 10 connections in the same run.
const line = (name, value, base, unit, digits = 1) =>
  console.log(`bench: ${name}: ${value.toFixed(digits)} ${unit} vs ${base.toFixed(digits)} ${unit} = ${(value / base).toFixed(2)}x`);
console.log(large.storeLine);
line("window load, 10,000 connections vs 10", large.load, small.load, "ms");
const [lk, sk] = [median(large.perKey.slice(1)), median(small.perKey.slice(1))];
line(`search per keystroke (median of ${large.perKey.length - 1}), 10,000 connections vs 10`, lk, sk, "ms");
line("list command time through the IPC (median of 5), 10,000 connections vs 10", median(large.ipc.times), median(small.ipc.times), "ms");
line("list command size, 10,000 connections vs 10", large.ipc.chars / 1024, small.ipc.chars / 1024, "KiB");
line(
  "validation round trip through the IPC (median of 20), 10,000 connections vs 10",
  median(large.validation),
  median(small.validation),
  "ms",
  2,
);
console.log(`rows matching "${QUERY}" with 10,000 connections: ${large.found}`);
