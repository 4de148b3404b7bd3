// Every main screen of the window checked by axe-core, the accessibility engine most audits use,
// in the light and the dark theme: the list, a connection's details with its test result and
// token panel, the form with its errors, the scope picker, the import and export dialogs.
// Any violation fails, with its rule, its impact and where it is.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as nodeTest from "node:test";
import { ROOT, openAdvanced, saveScreenshot, testSelectedConnection, typeInto, useSandboxAndApp, visible } from "./harness.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe on the page as it is and fails with every violation it finds. */
async function noViolations(browser, screen) {
  const loaded = await browser.execute(() => typeof window.axe === "object");
  if (!loaded) await browser.execute(AXE);
  const violations = await browser.executeAsync((done) => {
    window.axe
      .run(document, { resultTypes: ["violations"] })
      .then((r) =>
        done(
          r.violations.map((v) => ({
            rule: v.id,
            impact: v.impact,
            help: v.help,
            where: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, " ")})` : ""}`),
          })),
        ),
      )
      .catch((err) => done([{ rule: "axe failed", impact: "critical", help: String(err), where: [] }]));
  });
  if (violations.length > 0) await saveScreenshot(browser, `a11y-${screen}`);
  assert.deepEqual(
    violations.map((v) => `${v.rule} (${v.impact}): ${v.help}\n    ${v.where.join("\n    ")}`),
    [],
    `${screen}: axe found violations`,
  );
}

/** Runs connmgr on the app's data; fails with its output unless it succeeds. */
function connmgr(app, args) {
  const run = spawnSync(path.join(ROOT, "target/debug/connmgr"), args, { env: { ...process.env, ...app.env }, encoding: "utf8" });
  assert.equal(run.status, 0, `connmgr ${args.join(" ")}: ${run.stderr}`);
}

/** Adds a copy of the demo connection without its secret, as an import leaves it: its row
 *  says "needs secret". */
function addOneNeedingItsSecret(app) {
  const file = path.join(app.home, "one.json");
  connmgr(app, ["export", "--output", file, "Local sandbox (Coupa)"]);
  const exported = JSON.parse(readFileSync(file, "utf8"));
  exported.connections[0].settings.name = "Imported, needs its secret";
  writeFileSync(file, JSON.stringify(exported));
  connmgr(app, ["import", file]);
}

/** Presses Tab until the focus is on an element matching `selector`; returns how it is drawn. */
async function tabTo(browser, selector) {
  for (let i = 0; i < 60; i += 1) {
    await browser.keys("Tab");
    const drawn = await browser.execute((sel) => {
      const el = document.activeElement;
      if (!el?.matches(sel)) return null;
      const style = getComputedStyle(el);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth), visible: el.matches(":focus-visible") };
    }, selector);
    if (drawn) return drawn;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Waits until no element animates, so colours are read as they settle. */
async function settled(browser) {
  await browser.executeAsync((done) => Promise.all(document.getAnimations().map((a) => a.finished)).then(() => done(), () => done()));
}

for (const theme of ["light", "dark"]) {
  nodeTest.describe(`every main screen, ${theme} theme`, () => {
    const suite = useSandboxAndApp(nodeTest, (url) => ({
      CONNMGR_SANDBOX_URL: url,
      GTK_THEME: theme === "dark" ? "Adwaita:dark" : "Adwaita",
    }));

    suite.it("the list and a connection's details, tested, with its token", async (browser) => {
      const dark = await browser.execute(() => matchMedia("(prefers-color-scheme: dark)").matches);
      assert.equal(dark, theme === "dark", `the ${theme} theme is on`);
      addOneNeedingItsSecret(suite.app);
      await browser.waitUntil(async () => (await browser.$$('[data-testid="connection-row"]')).length === 2, {
        timeout: 10_000,
        timeoutMsg: "the imported connection is listed",
      });
      // The one needing its secret selected too: its row's words on the selected row's colour.
      await (await browser.$$('[data-testid="connection-row"]'))[0].click();
      await noViolations(browser, `${theme}-list`);
      await (await browser.$$('[data-testid="connection-row"]'))[1].click();
      await visible(browser, "#details-heading");
      // The window's title names the connection on screen, as the desktop shows it.
      const title = "Local sandbox (Coupa) — Connection Manager";
      await browser.waitUntil(async () => (await browser.getTitle()) === title, { timeout: 5000, timeoutMsg: "the page's title" });
      await browser.waitUntil(() => spawnSync("xwininfo", ["-root", "-tree"], { encoding: "utf8" }).stdout.includes(`"${title}"`), {
        timeout: 5000,
        timeoutMsg: "the X window's name names the connection",
      });
      await testSelectedConnection(browser);
      // Clicked until the token shows: WebKitWebDriver now and then drops a click.
      await browser.waitUntil(
        async () => {
          if (await (await browser.$('[data-testid="token-value"]')).isExisting()) return true;
          await (await visible(browser, '[data-testid="get-token"]')).click();
          return false;
        },
        { timeout: 15_000, interval: 1000, timeoutMsg: "Show token shows the token" },
      );
      await settled(browser);
      await noViolations(browser, `${theme}-details`);
    });

    suite.it("the form with its errors, and the scope picker", async (browser) => {
      await (await visible(browser, '[data-testid="add-connection"]')).click();
      await visible(browser, '[data-testid="connection-form"]');
      const blockers = await visible(browser, '[data-testid="save-blockers"]');
      await blockers.click();
      await visible(browser, '[data-testid="error-name"]');
      // A domain no connection may have: marked on its own chip, with its message under it.
      await typeInto(browser, "#validDomains", "com");
      await visible(browser, '[data-testid="chip-error"]');
      await settled(browser);
      await noViolations(browser, `${theme}-form-errors`);
      if (theme === "light") {
        // The client secret's error down to the bad domain's: each at its field or chip.
        await (await browser.$('[data-testid="validDomains-chips"]')).scrollIntoView({ block: "end" });
        const shot = await saveScreenshot(browser, "form-errors");
        if (process.env.UPDATE_DOCS) copyFileSync(shot, path.join(ROOT, "docs/screenshot-form-errors.png"));
      }
      const picker = await browser.$('[data-testid="scope-picker"]');
      await picker.scrollIntoView();
      await settled(browser);
      await noViolations(browser, `${theme}-scope-picker`);
      // From the keyboard, each kind of control shows where the focus is with an outline.
      await openAdvanced(browser);
      await (await visible(browser, "#name")).click();
      for (const kind of ["select", 'input[type="radio"]', 'input[type="checkbox"]', "button"]) {
        const drawn = await tabTo(browser, kind);
        assert.ok(drawn.visible && drawn.style !== "none" && drawn.width >= 2, `${kind} shows its focus: ${JSON.stringify(drawn)}`);
      }
      await (await visible(browser, '[data-testid="cancel"]')).click();
      const discard = await browser.$('[data-testid="discard"]');
      if (await discard.isExisting()) await discard.click();
    });

    suite.it("the import and export dialogs, and an import that refuses a connection", async (browser) => {
      // A file of two: the demo connection as a copy, and one whose valid domain is too broad.
      const file = path.join(suite.app.home, "two.json");
      connmgr(suite.app, ["export", "--output", file, "Local sandbox (Coupa)"]);
      const exported = JSON.parse(readFileSync(file, "utf8"));
      const [good] = exported.connections;
      good.settings.name = "Imported copy";
      const bad = structuredClone(good);
      bad.settings.name = "Too broad";
      bad.settings.validDomains = ["com"];
      exported.connections = [good, bad];
      writeFileSync(file, JSON.stringify(exported));
      await (await visible(browser, '[data-testid="import"]')).click();
      await typeInto(browser, '[data-testid="import-path"]', file);
      await (await visible(browser, '[data-testid="import-check"]')).click();
      const refused = await visible(browser, '[data-testid="import-refused"]');
      assert.match(await refused.getText(), /^Not imported: Valid domain names: “com” is too broad/);
      await settled(browser);
      await noViolations(browser, `${theme}-import-refused`);
      if (theme === "light") {
        const shot = await saveScreenshot(browser, "import-refused");
        if (process.env.UPDATE_DOCS) copyFileSync(shot, path.join(ROOT, "docs/screenshot-import-refused.png"));
      }
      await browser.keys("Escape");
      await browser.waitUntil(async () => !(await (await browser.$('[role="dialog"]')).isExisting()), {
        timeout: 5000,
        timeoutMsg: "the import dialog closes on Escape",
      });
      for (const which of ["import", "export"]) {
        await (await visible(browser, `[data-testid="${which}"]`)).click();
        await visible(browser, '[role="dialog"]');
        await settled(browser);
        await noViolations(browser, `${theme}-${which}-dialog`);
        await browser.keys("Escape");
        await browser.waitUntil(async () => !(await (await browser.$('[role="dialog"]')).isExisting()), {
          timeout: 5000,
          timeoutMsg: `the ${which} dialog closes on Escape`,
        });
      }
    });
  });
}
