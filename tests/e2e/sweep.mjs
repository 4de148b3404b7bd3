// After the whole end-to-end suite: searches every app home the suite used (store file, logs,
// preferences) and the suite's own output for every secret and token it used: the ones the tests
// typed or read (the ledger) and every value the app left in the test keyring. Any hit fails.
//   node tests/e2e/sweep.mjs LEDGER OUTPUT
// Run by scripts/e2e.sh inside the test keyring's D-Bus session. Prints where a value was found,
// never the value.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";

const [ledgerFile, outputFile] = process.argv.slice(2);
if (!ledgerFile || !outputFile) {
  console.error("usage: node tests/e2e/sweep.mjs LEDGER OUTPUT");
  process.exit(2);
}

const secrets = new Map(); // value -> where it came from
const homes = [];
for (const line of readFileSync(ledgerFile, "utf8").split("\n")) {
  if (!line.trim()) continue;
  const entry = JSON.parse(line);
  if (entry.home) homes.push(entry.home);
  if (entry.secret) secrets.set(entry.secret, "used by a test");
}

// Everything the app keeps in the test keyring: client secrets, refresh tokens, and the cached
// access tokens (a JSON record holding the token).
const service = process.env.CONNMGR_KEYRING_SERVICE;
if (!service) {
  console.error("CONNMGR_KEYRING_SERVICE is not set: run through scripts/e2e.sh");
  process.exit(2);
}
let listing;
try {
  listing = execFileSync("secret-tool", ["search", "--all", "service", service], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
} catch {
  listing = ""; // nothing stored
}
let fromKeyring = 0;
for (const line of listing.split("\n")) {
  const m = /^secret = (.*)$/.exec(line);
  if (!m) continue;
  fromKeyring += 1;
  secrets.set(m[1], "in the keyring");
  try {
    const cached = JSON.parse(m[1]);
    if (typeof cached?.access_token === "string") secrets.set(cached.access_token, "an access token in the keyring");
  } catch {
    // Not JSON: a secret or refresh token as it is.
  }
}
// Short values (none of ours) would match by chance.
for (const value of [...secrets.keys()]) if (value.length < 8) secrets.delete(value);

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

const searched = [outputFile, ...homes.flatMap((h) => files(h))];
let bytes = 0;
const hits = [];
for (const file of searched) {
  const text = readFileSync(file).toString("latin1");
  bytes += text.length;
  for (const [value, origin] of secrets) {
    if (text.includes(value)) hits.push(`${file}: a secret (${origin})`);
  }
}

console.log(
  `sweep: searched ${searched.length} files (${Math.round(bytes / 1024)} KiB) from ${homes.length} app homes and the suite's output ` +
    `for ${secrets.size} secrets and tokens (${fromKeyring} keyring entries): ${hits.length === 0 ? "none found" : `${hits.length} found`}`,
);
for (const hit of hits) console.log(`  FOUND ${hit}`);
if (secrets.size === 0) {
  console.log("sweep: no secrets were recorded; the suite did not run as expected");
  process.exit(1);
}
for (const home of homes) rmSync(home, { recursive: true, force: true });
process.exit(hits.length === 0 ? 0 : 1);
