// The sweep's self-test: each kind of leak is planted in a file of its own, and the search the
// sweep runs (leaks.mjs) must report each one, with how it was encoded, and nothing in a clean
// file. Then the sweep itself (sweep.mjs) runs on planted app homes and must fail.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "./harness.mjs";
import { findLeaks } from "./leaks.mjs";

const SECRET = String.raw`planted-client-secret+/:%&= with space \ and "quotes"`;
const TOKEN = "sbx_at_5f0c1e9a7d3b42c8a61e0f9d2b7c4a13e8f6d0b9c2a5471e";
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsImp0aSI6Ijk4NzY1In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi0xMjM0NTY3ODkw";

/** Each planted file: [name, content, the encoding the search must name]. */
const basic = Buffer.from(`sandbox-integration:${encodeURIComponent(SECRET).replace(/%20/g, "+")}`).toString("base64");
const PLANTED = [
  ["as-is.log", `token=${TOKEN}\n`, "as it is"],
  ["query.log", `GET /callback?secret=${encodeURIComponent(SECRET)}`, "URL-encoded"],
  ["form.log", `client_secret=${encodeURIComponent(SECRET).replace(/%20/g, "+")}&grant_type=x`, "form-encoded"],
  ["basic.log", `authorization: Basic ${basic}\n`, "base64"],
  ["escaped.json", JSON.stringify({ secret: SECRET }), "JSON-escaped"],
  ["unicode.json", `{"t":"${[...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}"}`, "JSON \\u-escaped"],
  ["localstorage", Buffer.from(`key\u0000${TOKEN}`, "utf16le"), "UTF-16"],
  ["cut.log", `bearer ${TOKEN.slice(0, 18)}…[redacted]`, "its first 16 characters"],
  ["jwt-cut.log", `id ${JWT.split(".").slice(0, 2).join(".")}.${JWT.split(".")[2].slice(0, 17)}`, "its first 16 characters"],
];

describe("the sweep finds a leak in every encoding", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "connmgr-leaks-"));
  const files = PLANTED.map(([name, content]) => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  });
  const clean = path.join(dir, "clean.log");
  // A JWT from the same server shares the first part (the header): not a leak of the token.
  writeFileSync(clean, `client sandbox-integration signed in; ${JWT.split(".")[0]}.e30.\n`);
  const secrets = new Map([
    [SECRET, { origin: "planted secret", token: false }],
    [TOKEN, { origin: "planted token", token: true }],
    [JWT, { origin: "planted JWT", token: true }],
  ]);

  it("reports each planted file with its encoding, and not the clean one", () => {
    const { hits } = findLeaks([...files, clean], secrets, (f) => readFileSync(f));
    for (const [i, [name, , encoding]] of PLANTED.entries()) {
      const hit = hits.find((h) => h.file === files[i]);
      assert.ok(hit, `${name}: the leak is found`);
      assert.equal(hit.encoding, encoding, `${name}: named by its encoding`);
    }
    assert.ok(!hits.some((h) => h.file === clean), "nothing in the clean file");
  });

  it("the sweep fails on planted homes and says where, never the value", () => {
    const work = mkdtempSync(path.join(os.tmpdir(), "connmgr-sweep-"));
    const home = path.join(work, "home");
    mkdirSync(path.join(home, ".local/share/dev.connmgr.desktop/logs"), { recursive: true });
    writeFileSync(path.join(home, ".local/share/dev.connmgr.desktop/logs/connmgr.log"), `refresh ${encodeURIComponent(SECRET)}\n`);
    writeFileSync(path.join(home, "app-output.log"), Buffer.from(TOKEN, "utf16le"));
    const ledger = path.join(work, "ledger");
    writeFileSync(ledger, `${JSON.stringify({ home })}\n${JSON.stringify({ secret: SECRET })}\n`);
    const record = path.join(work, "record");
    writeFileSync(record, `${JSON.stringify({ kind: "access token", value: TOKEN })}\n`);
    const output = path.join(work, "output");
    writeFileSync(output, "the suite's output, clean\n");
    // What a screenshot showed: the token as the token panel prints it.
    const screens = path.join(work, "screens");
    mkdirSync(screens);
    writeFileSync(path.join(screens, "token-panel.txt"), `Access token\n${TOKEN}\nCopy`);
    let out;
    let status = 0;
    try {
      out = execFileSync("node", [path.join(ROOT, "tests/e2e/sweep.mjs"), ledger, output, record, screens], {
        encoding: "utf8",
        // A keyring service name nothing is stored under: only the planted values are searched.
        env: { ...process.env, CONNMGR_KEYRING_SERVICE: `Connection Manager (sweep self-test ${process.pid})` },
      });
    } catch (err) {
      status = err.status;
      out = String(err.stdout);
    }
    assert.equal(status, 1, `the sweep fails:\n${out}`);
    assert.match(out, /FOUND .*connmgr\.log: a secret \(used by a test\), URL-encoded/);
    assert.match(out, /FOUND .*app-output\.log: a secret \(a sandbox's access token\), UTF-16/);
    assert.match(out, /FOUND .*screens\/token-panel\.txt: a secret \(a sandbox's access token\), as it is/);
    assert.match(out, /1 screenshots' text/);
    assert.ok(!out.includes(SECRET) && !out.includes(TOKEN), "the values are never printed");
    rmSync(work, { recursive: true, force: true });
  });

  it("the sweep fails when the keyring cannot be read", () => {
    const work = mkdtempSync(path.join(os.tmpdir(), "connmgr-sweep-"));
    const ledger = path.join(work, "ledger");
    writeFileSync(ledger, "");
    const record = path.join(work, "record");
    writeFileSync(record, `${JSON.stringify({ kind: "access token", value: TOKEN })}\n`);
    let status = 0;
    let out;
    try {
      out = execFileSync("node", [path.join(ROOT, "tests/e2e/sweep.mjs"), ledger, ledger, record], {
        encoding: "utf8",
        env: { ...process.env, CONNMGR_KEYRING_SERVICE: "x", DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/bus" },
      });
    } catch (err) {
      status = err.status;
      out = String(err.stdout);
    }
    assert.equal(status, 1, out);
    assert.match(out, /the test keyring cannot be read/);
    rmSync(work, { recursive: true, force: true });
  });

  it("cleans up", () => rmSync(dir, { recursive: true, force: true }));
});
