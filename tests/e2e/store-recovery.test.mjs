// An unreadable connections file is kept aside, never overwritten, and the window says where;
// so is an unreadable preferences file, and the app starts with the default preferences.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as nodeTest from "node:test";
import { isolatedHome, launchApp, visible } from "./harness.mjs";

nodeTest.describe("store recovery", () => {
  const home = isolatedHome();
  const dataDir = path.join(home.env.XDG_DATA_HOME, "dev.connmgr.desktop");
  const garbage = '{"version": 1, "connections": [{"id": "half-writ';
  const badPrefs = '{"prefs": {"sort": "name", "selec';
  let app;

  nodeTest.before(() => {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, "connections.json"), garbage);
    writeFileSync(path.join(dataDir, "prefs.json"), badPrefs);
  });
  nodeTest.after(async () => {
    await app?.stop();
  }, { timeout: 30_000 });

  nodeTest.it("starts with an empty list and names the kept file", { timeout: 60_000 }, async () => {
    app = await launchApp({ home });
    const notice = await visible(app.browser, '[data-testid="store-notice"]');
    const text = await notice.getText();
    assert.match(text, /could not be read \(the file is cut short/);
    const kept = readdirSync(dataDir).filter((n) => n.startsWith("connections.json.corrupt-"));
    assert.equal(kept.length, 1, "one file was kept aside");
    assert.ok(text.includes(kept[0]), `the notice names ${kept[0]}`);
    assert.equal(readFileSync(path.join(dataDir, kept[0]), "utf8"), garbage, "kept byte for byte");
    await visible(app.browser, '[data-testid="connections-empty"]');
  });

  nodeTest.it("keeps unreadable preferences aside, byte for byte", { timeout: 60_000 }, async () => {
    const keptPrefs = readdirSync(dataDir).filter((n) => n.startsWith("prefs.json.corrupt-"));
    assert.equal(keptPrefs.length, 1, "the preferences were kept aside");
    assert.equal(readFileSync(path.join(dataDir, keptPrefs[0]), "utf8"), badPrefs, "kept byte for byte");
  });
});
