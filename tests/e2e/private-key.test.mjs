// A client-credentials connection that authenticates with a signed assertion (private_key_jwt,
// RFC 7523), made in the real window: the admin names a PEM key and its certificate made with
// openssl, the form shows the key's thumbprint and the certificate's coming expiry (read by
// Rust, which imports the key into the keyring on save), and the connection test gets a token
// from a sandbox client that accepts nothing but assertions signed with that key.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as nodeTest from "node:test";
import {
  ROOT,
  remember,
  saveScreenshot,
  testSelectedConnection,
  typeInto,
  useSandboxAndApp,
  visible,
} from "./harness.mjs";

// The key pair, as an admin makes it; its folder is not an app home, and goes after the suite.
const keys = mkdtempSync(path.join(os.tmpdir(), "connmgr-e2e-keys-"));
const keyFile = path.join(keys, "netsuite.key.pem");
const certFile = path.join(keys, "netsuite.cert.pem");
const openssl = (...args) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyFile);
// 20 days: inside the 30 days before expiry that the form and the list warn about.
openssl("req", "-x509", "-new", "-key", keyFile, "-subj", "/CN=netsuite-m2m", "-days", "20", "-out", certFile);
const publicKey = execFileSync("openssl", ["pkey", "-in", keyFile, "-pubout"], { encoding: "utf8" });
// The sweep looks for every line of the key wherever the app writes.
remember(...readFileSync(keyFile, "utf8").split("\n").filter((l) => l && !l.startsWith("-----")));

const SANDBOX = {
  clients: [
    { id: "m2m", grants: ["client_credentials"], scopes: ["core.user.read"], publicKeys: [publicKey] },
  ],
};

nodeTest.describe("a signed client assertion", () => {
  const suite = useSandboxAndApp(nodeTest, () => ({}), { sandboxConfig: SANDBOX });
  nodeTest.after(() => rmSync(keys, { recursive: true, force: true }));

  suite.it("imports a PEM key, shows its facts, and gets a token with it", async (browser) => {
    const url = suite.sandbox.url;
    await (await visible(browser, '[data-testid="new-connection"]')).click();
    await typeInto(browser, "#name", "NetSuite M2M");
    await typeInto(browser, "#subdomain", url);
    await typeInto(browser, "#clientId", "m2m");
    await typeInto(browser, "#validDomains", "127.0.0.1");
    await (await visible(browser, '[data-testid="client-auth"]')).selectByAttribute("value", "private_key_jwt");
    assert.equal((await browser.$$("#clientSecret")).length, 0, "no secret field for a signed assertion");
    await typeInto(browser, '[data-testid="key-file"]', keyFile);
    await typeInto(browser, '[data-testid="certificate-file"]', certFile);
    const thumbprint = await visible(browser, '[data-testid="key-thumbprint"]');
    await browser.waitUntil(async () => /^[A-Za-z0-9_-]{43}$/.test(await thumbprint.getText()), {
      timeout: 5000,
      timeoutMsg: "the key's thumbprint, read by Rust, is shown",
    });
    assert.match(await (await visible(browser, '[data-testid="key-facts"]')).getText(), /RSA 2048-bit/);
    assert.match(await (await visible(browser, '[data-testid="key-warning"]')).getText(), /certificate expires on/);
    await (await visible(browser, '[data-testid="signing-algorithm"]')).selectByAttribute("value", "PS256");
    await typeInto(browser, '[data-testid="key-id"]', "cert-9");
    await (await visible(browser, '[data-testid="x5t"]')).click();
    await browser.waitUntil(async () => (await browser.$$('[role="alert"]')).length === 0, {
      timeout: 5000,
      timeoutMsg: "the form has no errors left",
    });
    await (await visible(browser, '[data-testid="private-key"]')).scrollIntoView({ block: "center" });
    const shot = await saveScreenshot(browser, "private-key-form");
    if (process.env.UPDATE_DOCS) copyFileSync(shot, path.join(ROOT, "docs/screenshot-private-key.png"));
    await (await visible(browser, '[data-testid="save"]')).click();

    await visible(browser, '[data-testid="connection-details"]');
    assert.match(await (await visible(browser, '[data-testid="detail-key"]')).getText(), /RSA 2048-bit in the system keyring/);
    assert.match(await (await visible(browser, '[data-testid="detail-certificate"]')).getText(), /CN=netsuite-m2m/);
    // The sandbox's client takes nothing but an assertion signed with this key.
    await testSelectedConnection(browser);
    const marker = await visible(browser, '[data-testid="row-certificate"]');
    assert.match(await marker.getAttribute("title"), /^Its certificate expires .*renew it/);
    await saveScreenshot(browser, "private-key-tested");
  });

  suite.it("fills a preset's endpoints from its fields, with Rust's verdict on each value", async (browser) => {
    await (await visible(browser, '[data-testid="add-connection"]')).click();
    await typeInto(browser, "#name", "ServiceNow production");
    await (await visible(browser, "#provider")).selectByAttribute("value", "preset:servicenow");
    await typeInto(browser, '[data-testid="preset-field-instance"]', "acme.evil.com");
    // The verdict on the empty field may show first; Rust's verdict on what was typed follows.
    await browser.waitUntil(
      async () => {
        const shown = await browser.$$('[data-testid="error-preset.instance"]');
        return shown.length > 0 && /instance's name only/.test(await shown[0].getText());
      },
      { timeout: 5000, timeoutMsg: "the instance's error says what an instance looks like" },
    );
    await typeInto(browser, '[data-testid="preset-field-instance"]', "acme");
    const token = await visible(browser, '[data-testid="preview-token-url"]');
    await browser.waitUntil(async () => (await token.getText()) === "https://acme.service-now.com/oauth_token.do", {
      timeout: 5000,
      timeoutMsg: "the token endpoint follows the instance typed",
    });
    assert.match(await (await visible(browser, '[data-testid="preset-hints"]')).getText(), /glide\.oauth\.inbound/);
    await saveScreenshot(browser, "preset-servicenow");
    await (await visible(browser, '[data-testid="cancel"]')).click();
    await (await visible(browser, '[data-testid="discard"]')).click();
  });
});
