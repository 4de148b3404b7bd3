// After the whole end-to-end suite: searches every place the suite's apps could have written
// (each app home: store file, logs at trace level, preferences, WebKit's storage, the app's
// own standard output and error and WebKit's console; the test keyring's runtime folder; the
// suite's output; the text each screenshot shows) for every secret and token of the run, in every encoding a leak could take
// (see leaks.mjs). The values: the ones the tests typed or read (the ledger), every value in
// the test keyring, and every token, code and verifier the sandboxes issued or received (their
// record), the rotated and deleted ones too. Any hit fails, and so does a keyring that cannot
// be read or a run that recorded nothing.
//   node tests/e2e/sweep.mjs LEDGER OUTPUT RECORD [SCREENS]
// SCREENS: the folder where the harness wrote the text of each screenshot (saveScreenshot); a
// screenshot taken after a test revealed a token on purpose has none.
// Run by scripts/e2e.sh inside the test keyring's D-Bus session. Prints where a value was
// found and how it was encoded, never the value.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { findLeaks } from "./leaks.mjs";

const [ledgerFile, outputFile, recordFile, screensDir] = process.argv.slice(2);
if (!ledgerFile || !outputFile || !recordFile) {
  console.error("usage: node tests/e2e/sweep.mjs LEDGER OUTPUT RECORD [SCREENS]");
  process.exit(2);
}
const fail = (why) => {
  console.log(`sweep: ${why}`);
  process.exit(1);
};

const secrets = new Map(); // value -> { origin, token }
const note = (value, origin, token) => {
  if (typeof value !== "string" || value.length < 8) return; // short values match by chance
  if (!secrets.has(value) || token) secrets.set(value, { origin, token });
};

const homes = [];
for (const line of readFileSync(ledgerFile, "utf8").split("\n")) {
  if (!line.trim()) continue;
  const entry = JSON.parse(line);
  if (entry.home) homes.push(entry.home);
  if (entry.secret) note(entry.secret, "used by a test", false);
}

// Every credential the sandboxes handed out or received.
let recorded = 0;
if (existsSync(recordFile)) {
  for (const line of readFileSync(recordFile, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const { kind, value } = JSON.parse(line);
    recorded += 1;
    note(value, `a sandbox's ${kind}`, true);
  }
}
if (recorded === 0) fail(`the sandboxes recorded no token, code or verifier in ${recordFile}: the suite did not run as expected`);

// Everything the app keeps in the test keyring: client secrets and private keys, refresh
// tokens, and the cached access tokens (a JSON record holding the token).
const service = process.env.CONNMGR_KEYRING_SERVICE;
if (!service) fail("CONNMGR_KEYRING_SERVICE is not set: run through scripts/e2e.sh");
let listing;
try {
  listing = execFileSync("secret-tool", ["search", "--all", "service", service], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
} catch (err) {
  fail(`the test keyring cannot be read, so its values cannot be searched for: ${String(err.stderr || err.message).trim()}`);
}
let fromKeyring = 0;
// secret-tool prints one block per item: "[path]", "label = …", "secret = …", "attribute.… = …".
for (const block of listing.split(/^\[/m).slice(1)) {
  const secret = /^secret = (.*)$/m.exec(block)?.[1];
  if (secret === undefined) continue;
  fromKeyring += 1;
  const account = /^attribute\.username = (.*)$/m.exec(block)?.[1] ?? "";
  const isToken = /\/(access|refresh)-token$/.test(account);
  note(secret, "in the keyring", isToken);
  try {
    const cached = JSON.parse(secret);
    note(cached?.access_token, "an access token in the keyring", true);
  } catch {
    // Not JSON: a secret, a key or a refresh token as it is.
  }
}

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...files(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

const runtime = process.env.XDG_RUNTIME_DIR;
const places = [...homes, ...(runtime && existsSync(runtime) ? [runtime] : [])];
const screens = screensDir && existsSync(screensDir) ? files(screensDir) : [];
const searched = [outputFile, ...screens, ...places.flatMap((dir) => (existsSync(dir) ? files(dir) : []))];
const { hits, bytes } = findLeaks(searched, secrets, (file) => readFileSync(file));

console.log(
  `sweep: searched ${searched.length} files (${Math.round(bytes / 1024)} KiB) from ${homes.length} app homes, ` +
    `the keyring's runtime folder, the suite's output and ${screens.length} screenshots' text for ${secrets.size} secrets and tokens ` +
    `(${fromKeyring} keyring entries, ${recorded} issued or received by the sandboxes), in every encoding: ` +
    `${hits.length === 0 ? "none found" : `${hits.length} found`}`,
);
for (const hit of hits) console.log(`  FOUND ${hit.file}: a secret (${hit.origin}), ${hit.encoding}`);
if (hits.length === 0) for (const home of homes) rmSync(home, { recursive: true, force: true });
process.exit(hits.length === 0 ? 0 : 1);
