// `make bench`: `connmgr token NAME` with a cached token, the whole process (start, read the
// connections, read the keyring, print), against curl fetching a new token from the sandbox
// (also a whole process), in the same run, median of RUNS after one run of each not counted.
// Prints figures; asserts nothing about speed.
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT, isolatedHome, startSandbox } from "../e2e/harness.mjs";

const RUNS = 21;
const CLI = path.join(ROOT, "target/release/connmgr");
const SECRET = "sandbox-integration-secret";

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Milliseconds `program args` takes to run to its end (it must succeed). */
function timed(program, args, options) {
  const started = process.hrtime.bigint();
  const run = spawnSync(program, args, { ...options, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${program} ${args[0]} failed (${run.status}): ${run.stderr}`);
  return { ms, out: run.stdout };
}

const sandbox = await startSandbox();
try {
  const home = isolatedHome();
  const env = { ...process.env, ...home.env };
  execFileSync(
    CLI,
    ["add", "--name", "Bench", "--coupa", sandbox.url, "--client-id", "sandbox-integration"]
      .concat(["--valid-domain", "127.0.0.1", "--secret-from-stdin"]),
    { env, input: SECRET, stdio: ["pipe", "ignore", "inherit"] },
  );
  const curlArgs = [
    "-sS", "-f", "-X", "POST", `${sandbox.url}/oauth2/token`,
    "-d", "grant_type=client_credentials", "-d", "client_id=sandbox-integration", "-d", `client_secret=${SECRET}`,
    "-d", "scope=core.user.read",
  ];
  // One of each first: the token cached, the binaries and the sandbox warm.
  timed(CLI, ["token", "Bench"], { env });
  timed("curl", curlArgs, {});
  const cli = [];
  const curl = [];
  for (let i = 0; i < RUNS; i++) {
    cli.push(timed(CLI, ["token", "Bench"], { env }).ms);
    curl.push(timed("curl", curlArgs, {}).ms);
  }
  const a = median(cli);
  const b = median(curl);
  console.log(
    `bench: connmgr token (cached token, whole process, median of ${RUNS}) vs curl fetching a token from the sandbox: ` +
      `${a.toFixed(1)} ms vs ${b.toFixed(1)} ms = ${(a / b).toFixed(2)}x`,
  );
  execFileSync(CLI, ["delete", "Bench", "--yes"], { env, stdio: "ignore" });
} finally {
  await sandbox.stop();
}
