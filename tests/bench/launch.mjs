// `make bench`: the release app against a bare Tauri 2 + Vite window (tests/bench/bare-app, same
// Tauri version, release), in the same run:
// - start-up: from launching the program to the connection list painted with its 100
//   connections (the bare app: its page run), median of RUNS after one launch of each not
//   counted (a cold binary and cold caches). Each page marks the frame after its first content
//   (`performance.mark("painted")`); the time is that mark's wall-clock time less the launch's,
//   so WebDriver's polling does not count;
// - memory: PSS summed over the program and its WebKit processes, 5 s after launch, median.
// Prints figures; asserts nothing about speed.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { ROOT, isolatedHome, launchApp, visible } from "../e2e/harness.mjs";

const RUNS = 7;
const COUNT = 100;
const APP = path.join(ROOT, "target/release/connmgr-app");
const BARE = path.join(ROOT, "target/release/bare-app");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Kilobytes of PSS of every process in `group` but the WebDriver bridges. */
function pssKiB(group) {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== group) continue; // field 5 of stat: the process group
      const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      if (comm === "tauri-driver" || comm === "WebKitWebDriver") continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      total += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // A process that ended meanwhile.
    }
  }
  return total;
}

/** When the page marked its first content painted, in ms since the Unix epoch. */
async function paintedAt(browser) {
  let at = null;
  await browser.waitUntil(
    async () => {
      at = await browser.execute(() => {
        const [mark] = performance.getEntriesByName("painted", "mark");
        return mark ? performance.timeOrigin + mark.startTime : null;
      });
      return at !== null;
    },
    { timeout: 60_000, interval: 50, timeoutMsg: "the page marked its first content painted" },
  );
  return at;
}

async function launchOnce({ app, home, ready }) {
  const started = performance.now();
  const launchedAt = Date.now();
  const run = await launchApp({ home, app });
  try {
    await ready(run.browser);
    const load = (await paintedAt(run.browser)) - launchedAt;
    await sleep(Math.max(0, 5000 - (performance.now() - started)));
    return { load, pss: pssKiB(run.group) };
  } finally {
    await run.stop();
  }
}

const appHome = isolatedHome();
execFileSync(
  "cargo",
  ["run", "-q", "--release", "--locked", "-p", "connmgr-core", "--example", "seed_connections", "--",
    path.join(appHome.env.XDG_DATA_HOME, "dev.connmgr.desktop"), String(COUNT)],
  { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
);
const ours = {
  app: APP,
  home: appHome,
  ready: async (browser) => {
    const counter = await visible(browser, '[data-testid="connection-count"]', 60_000);
    await browser.waitUntil(async () => (await counter.getText()).trim() === `${COUNT} connections`, {
      timeout: 60_000,
      timeoutMsg: `the list shows ${COUNT} connections`,
    });
  },
};
const bare = {
  app: BARE,
  home: isolatedHome(),
  ready: async (browser) => {
    const hello = await visible(browser, "#hello", 60_000);
    await browser.waitUntil(async () => (await hello.getAttribute("data-ready")) === "true", {
      timeout: 60_000,
      timeoutMsg: "the bare page ran",
    });
  },
};

await launchOnce(ours);
await launchOnce(bare);
const [o, b] = [[], []];
for (let i = 0; i < RUNS; i++) {
  o.push(await launchOnce(ours));
  b.push(await launchOnce(bare));
}
const line = (name, value, base, unit, digits) =>
  console.log(`bench: ${name}: ${value.toFixed(digits)} ${unit} vs ${base.toFixed(digits)} ${unit} = ${(value / base).toFixed(2)}x`);
line(
  `release app launch to the list painted, ${COUNT} connections (median of ${RUNS}) vs a bare Tauri 2 + Vite window`,
  median(o.map((r) => r.load)),
  median(b.map((r) => r.load)),
  "ms",
  0,
);
line(
  `release app memory, PSS of the app and its WebKit processes 5 s after launch, ${COUNT} connections (median of ${RUNS}) vs the bare window`,
  median(o.map((r) => r.pss)) / 1024,
  median(b.map((r) => r.pss)) / 1024,
  "MiB",
  1,
);
