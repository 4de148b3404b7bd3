// Reads the test keyring (the private gnome-keyring that scripts/test-env.sh starts) with
// secret-tool, to check from outside the app what it stored or removed.
import { execFileSync } from "node:child_process";

export const SERVICE = process.env.CONNMGR_KEYRING_SERVICE ?? "";

/** The secret stored for `account` (`<connection id>/<kind>`), or null when there is none. */
export function lookup(account) {
  if (!SERVICE) throw new Error("CONNMGR_KEYRING_SERVICE is not set: run the suite through scripts/test-env.sh");
  try {
    return execFileSync("secret-tool", ["lookup", "service", SERVICE, "username", account], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return null; // secret-tool exits 1 when nothing matches
  }
}
