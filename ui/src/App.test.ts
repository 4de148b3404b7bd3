import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "./App.svelte";
import { BackendError, type ConnectionDraft, type ListQuery, type Validation } from "./backend";
import { newSettings } from "./connections/form";
import { makeConnection, makeToken } from "./test/connection-fixture";
import { FakeBackend, okVerdict } from "./test/fake-backend";

function verdictRequiringName(draft: ConnectionDraft): Validation {
  const v = okVerdict(draft);
  if (draft.settings.name.trim() === "") v.errors.push({ field: "name", message: "Enter a name for this connection." });
  return v;
}

/** Records every listConnections query. */
function spyOnList(backend: FakeBackend): ListQuery[] {
  const asked: ListQuery[] = [];
  const list = backend.listConnections;
  backend.listConnections = async (q: ListQuery) => {
    asked.push(q);
    return list(q);
  };
  return asked;
}

/** The list reads pages of the rows in view, never the whole list. */
function onlyPages(asked: ListQuery[]) {
  for (const q of asked) expect(q.limit ?? 0).toBeLessThan(200);
}

/** Two saved connections, Acme selected, and a test that passes. */
function acmeAndBeta() {
  const backend = new FakeBackend();
  const [acme, beta] = [makeConnection({ name: "Acme" }), makeConnection({ name: "Beta" })];
  backend.connections = [acme, beta];
  backend.prefs = { selectedId: acme.id, sort: "name", clearClipboard: "30s" };
  backend.testSteps = [
    { id: "reach", label: "Reach the host", status: "passed", durationMs: 3, detail: "200 OK", hint: null, code: null, waitingUntil: null },
  ];
  return { backend, acme, beta };
}

describe("App", () => {
  it("shows the empty connection list with a New connection action", async () => {
    render(App, { backend: new FakeBackend() });
    expect((await screen.findByTestId("connections-empty")).textContent).toContain("No connections yet");
    expect(screen.getByTestId("new-connection").textContent).toBe("New connection");
  });

  it("shows the version the backend reports", async () => {
    render(App, { backend: new FakeBackend() });
    expect((await screen.findByTestId("app-version")).textContent).toBe("Connection Manager 9.9.9");
  });

  it("shows a backend failure as an alert with Rust's message", async () => {
    const backend = new FakeBackend();
    backend.appInfo = async () => {
      throw new BackendError({ code: "internal", message: "The app could not start its store" });
    };
    render(App, { backend });
    expect((await screen.findByRole("alert")).textContent).toContain("The app could not start its store");
  });

  it("names the kept file when the store could not be read", async () => {
    const backend = new FakeBackend();
    backend.storeNotice = async () => ({ kept: "/data/connections.json.corrupt-1", reason: "the file is empty" });
    render(App, { backend });
    const notice = await screen.findByTestId("store-notice");
    expect(notice.textContent).toContain("/data/connections.json.corrupt-1");
    expect(notice.textContent).toContain("the file is empty");
  });

  it("shows Rust's field error under the field once the user leaves it", async () => {
    render(App, { backend: new FakeBackend({ validate: verdictRequiringName }) });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    const name = screen.getByLabelText(/Name your connection/);
    expect(screen.queryByTestId("error-name")).toBeNull();
    await fireEvent.blur(name);
    expect((await screen.findByTestId("error-name")).textContent).toBe("Enter a name for this connection.");
  });

  it("speaks of Coupa only while the provider is Coupa", async () => {
    render(App, { backend: new FakeBackend() });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    expect(screen.getByTestId("coupa-howto").textContent).toContain("OAuth2/OpenID Connect Clients");
    await fireEvent.change(screen.getByLabelText(/Provider/), { target: { value: "generic" } });
    await waitFor(() => expect(screen.queryByTestId("coupa-howto")).toBeNull());
    const form = screen.getByTestId("connection-form");
    expect(form.textContent).not.toMatch(/as Coupa shows|client in Coupa|Coupa documents/);
    expect((screen.getByLabelText(/Name your connection/) as HTMLInputElement).placeholder).not.toContain("Coupa");
  });

  it("follows the Coupa domain of a pasted address: provider and valid domain", async () => {
    // As Rust does: a host under coupacloud.com is a partner or demo instance.
    const validate = (draft: ConnectionDraft) => {
      const v = okVerdict(draft);
      const partner = draft.settings.subdomain.includes("coupacloud.com");
      return { ...v, normalized: { ...v.normalized, coupaDomain: partner ? ("partner" as const) : draft.settings.coupaDomain } };
    };
    render(App, { backend: new FakeBackend({ validate }) });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    const provider = screen.getByLabelText(/Provider/) as HTMLSelectElement;
    expect(provider.value).toBe("coupa:customer");
    await fireEvent.input(screen.getByLabelText(/URL subdomain/), { target: { value: "https://acme.coupacloud.com/" } });
    await waitFor(() => expect(provider.value).toBe("coupa:partner"));
    const chips = screen.getByTestId("validDomains-chips");
    expect(within(chips).getAllByTestId("chip").map((c) => c.textContent?.replace("×", "").trim())).toEqual([
      "coupacloud.com",
    ]);
  });

  it("saves a new connection and lists it", async () => {
    const backend = new FakeBackend();
    render(App, { backend });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    await fireEvent.input(screen.getByLabelText(/Name your connection/), { target: { value: "Acme" } });
    await fireEvent.input(screen.getByLabelText(/URL subdomain/), { target: { value: "acme" } });
    await fireEvent.input(screen.getByLabelText(/Client secret/), { target: { value: "s3cret" } });
    await waitFor(() => expect(screen.getByTestId("endpoint-preview").textContent).toContain("/oauth2/token"));
    await fireEvent.click(screen.getByTestId("save"));
    await waitFor(() => expect(screen.getByTestId("connection-details")).toBeTruthy());
    expect(backend.saved[0]?.clientSecret).toEqual({ action: "replace", value: "s3cret" });
    expect(screen.getByRole("option", { name: /Acme/ })).toBeTruthy();
  });

  it("saves when Save is pressed before the verdict on the last keystroke came back", async () => {
    const backend = new FakeBackend();
    render(App, { backend });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    const name = screen.getByLabelText(/Name your connection/);
    await fireEvent.input(name, { target: { value: "Q" } });
    const save = screen.getByTestId("save") as HTMLButtonElement;
    await waitFor(() => expect(save.disabled).toBe(false));
    // Type on and press Save at once: what is saved is what was typed last, judged again.
    await fireEvent.input(name, { target: { value: "Quick" } });
    await fireEvent.click(save);
    await waitFor(() => expect(screen.getByTestId("connection-details")).toBeTruthy());
    expect(backend.connections.map((c) => c.settings.name)).toEqual(["Quick"]);
  });

  it("keeps everything typed when the save fails, with the reason", async () => {
    const backend = new FakeBackend({
      failSave: { code: "keyring_locked", message: "The system keyring is locked. Unlock it and try again." },
    });
    render(App, { backend });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    const name = screen.getByLabelText(/Name your connection/) as HTMLInputElement;
    await fireEvent.input(name, { target: { value: "Acme" } });
    await waitFor(() => expect(screen.getByTestId("endpoint-preview")).toBeTruthy());
    await fireEvent.click(screen.getByTestId("save"));
    expect((await screen.findByTestId("save-error")).textContent).toContain("keyring is locked");
    expect((screen.getByLabelText(/Name your connection/) as HTMLInputElement).value).toBe("Acme");
    expect(backend.connections).toHaveLength(0);
  });

  it("asks before discarding unsaved changes", async () => {
    render(App, { backend: new FakeBackend() });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    await fireEvent.input(screen.getByLabelText(/Name your connection/), { target: { value: "Half done" } });
    await fireEvent.click(screen.getByTestId("cancel"));
    expect(screen.getByText("Discard your changes?")).toBeTruthy();
    await fireEvent.click(screen.getByTestId("discard"));
    expect(screen.getByTestId("welcome")).toBeTruthy();
  });

  it("duplicates and deletes the selected connection after confirmation", async () => {
    const backend = new FakeBackend();
    await backend.saveConnection({
      id: null,
      settings: { ...newSettings(), name: "Acme" },
      clientSecret: { action: "replace", value: "x" },
    });
    render(App, { backend });
    await fireEvent.click(await screen.findByRole("option", { name: /Acme/ }));
    await fireEvent.click(screen.getByTestId("duplicate"));
    await waitFor(() => expect(screen.getByRole("heading", { name: "Copy of Acme" })).toBeTruthy());
    await fireEvent.click(screen.getByTestId("delete"));
    expect(screen.getByRole("alertdialog").textContent).toContain("Copy of Acme");
    await fireEvent.click(screen.getByTestId("confirm-delete"));
    await waitFor(() => expect(backend.connections.map((c) => c.settings.name)).toEqual(["Acme"]));
  });

  it("edits a saved connection in the same panel, filled with its settings", async () => {
    const backend = new FakeBackend();
    await backend.saveConnection({
      id: null,
      settings: { ...newSettings(), name: "Acme", subdomain: "acme", clientId: "client-1", scopes: ["core.user.read", "core.invoice.read"] },
      clientSecret: { action: "replace", value: "x" },
    });
    render(App, { backend });
    await fireEvent.click(await screen.findByRole("option", { name: /Acme/ }));
    await fireEvent.click(screen.getByTestId("edit"));
    expect((await screen.findByRole("heading", { name: "Edit Acme" })).textContent).toBe("Edit Acme");
    expect((screen.getByLabelText(/Client ID/) as HTMLInputElement).value).toBe("client-1");
    const selected = screen.getByTestId("scopes-selected");
    expect([...selected.querySelectorAll("[data-scope]")].map((e) => e.getAttribute("data-scope"))).toEqual([
      "core.user.read",
      "core.invoice.read",
    ]);
    await fireEvent.input(screen.getByLabelText(/Name your connection/), { target: { value: "Acme EU" } });
    const save = screen.getByTestId("save") as HTMLButtonElement;
    await waitFor(() => expect(save.disabled).toBe(false));
    await fireEvent.click(save);
    await waitFor(() => expect(backend.connections.map((c) => c.settings.name)).toEqual(["Acme EU"]));
    expect(backend.saved.at(-1)?.clientSecret).toEqual({ action: "keep" });
  });

  it("keeps Save marked disabled while the form is invalid, saying why, and shows what is missing on request", async () => {
    const backend = new FakeBackend({
      validate: (draft) => ({
        ...okVerdict(draft),
        errors: draft.settings.name.trim() === "" ? [{ field: "name", message: "Give the connection a name." }] : [],
      }),
    });
    render(App, { backend });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    const blockers = await screen.findByTestId("save-blockers");
    expect(blockers.textContent).toContain("Name");
    // Reachable from the keyboard (not disabled), marked so, and tied to what it needs.
    for (const id of ["save", "save-and-test"]) {
      const button = screen.getByTestId(id) as HTMLButtonElement;
      expect(button.disabled).toBe(false);
      expect(button.getAttribute("aria-disabled")).toBe("true");
      expect(button.getAttribute("aria-describedby")).toBe(blockers.id);
    }
    expect(screen.queryByTestId("error-name")).toBeNull();
    await fireEvent.click(blockers);
    expect(screen.getByTestId("error-name").textContent).toBe("Give the connection a name.");
    expect(document.activeElement?.id).toBe("name");
    // Pressed anyway, Save saves nothing and shows what is missing.
    (document.activeElement as HTMLElement).blur();
    await fireEvent.click(screen.getByTestId("save"));
    await waitFor(() => expect(document.activeElement?.id).toBe("name"));
    expect(backend.saved).toHaveLength(0);
  });

  it("opens the connection selected last time and remembers a new selection and order", async () => {
    const backend = new FakeBackend();
    const [a, b] = [makeConnection({ name: "Acme" }), makeConnection({ name: "Beta" })];
    backend.connections = [a, b];
    backend.prefs = { selectedId: b.id, sort: "name", clearClipboard: "30s" };
    render(App, { backend });
    expect((await screen.findByRole("heading", { name: "Beta" })).textContent).toBe("Beta");
    await fireEvent.click(screen.getByRole("option", { name: /Acme/ }));
    await waitFor(() => expect(backend.prefs.selectedId).toBe(a.id));
    await fireEvent.change(screen.getByTestId("connection-sort"), { target: { value: "last_tested" } });
    await waitFor(() => expect(backend.prefs.sort).toBe("last_tested"));
  });

  it("copies the selected connection's token with Ctrl+Shift+C and says when it is cleared", async () => {
    const backend = new FakeBackend();
    const c = makeConnection({ name: "Acme" });
    backend.connections = [c];
    backend.prefs = { selectedId: c.id, sort: "name", clearClipboard: "15s" };
    backend.token = makeToken("secret-token-value", 3600, ["core.user.read"]);
    render(App, { backend });
    await screen.findByRole("heading", { name: "Acme" });
    await fireEvent.keyDown(window, { key: "C", ctrlKey: true, shiftKey: true });
    const toast = await screen.findByTestId("toast");
    expect(toast.textContent).toContain("Access token copied.");
    expect(toast.textContent).toContain("cleared in 15 s");
    expect(toast.textContent).not.toContain("secret-token-value");
    expect(backend.copiedTokens).toEqual([{ id: c.id, format: "access_token" }]);
    await fireEvent.click(screen.getByTestId("copy-curl"));
    await waitFor(() => expect(backend.copiedTokens.at(-1)?.format).toBe("curl"));
  });

  it("imports: a bad file is named, clashes are chosen, then the secrets are asked for", async () => {
    const backend = new FakeBackend();
    const saved = makeConnection({ name: "Acme" });
    backend.connections = [saved];
    render(App, { backend });
    await fireEvent.click(await screen.findByTestId("import"));
    const path = screen.getByTestId("import-path");
    await fireEvent.input(path, { target: { value: "/tmp/broken.json" } });
    await fireEvent.click(screen.getByTestId("import-check"));
    expect((await screen.findByTestId("import-error")).textContent).toContain("/tmp/broken.json cannot be imported");
    expect((path as HTMLInputElement).value).toBe("/tmp/broken.json");

    const imported = makeConnection({ name: "Acme (2)", needsSecret: true });
    const fresh = makeConnection({ name: "Beta" });
    backend.importPreview = {
      exportedAt: "2026-11-24T10:00:00.000Z",
      exportedBy: "Connection Manager 0.1.0",
      items: [
        {
          index: 0, name: "Acme", provider: "coupa", host: "other.coupahost.com", tokenHost: "other.coupahost.com", validDomains: ["coupahost.com"],
          grantType: "client_credentials", scopeCount: 1, needsClientSecret: true, renameTo: "Acme (2)",
          clash: { id: saved.id, name: "Acme", changes: ["Token host: https://acme.coupahost.com → https://other.coupahost.com"], keepsSecret: false },
          refused: null,
        },
        {
          index: 1, name: "Beta", provider: "coupa", host: "acme.coupahost.com", tokenHost: "acme.coupahost.com", validDomains: ["coupahost.com"],
          grantType: "client_credentials", scopeCount: 1, needsClientSecret: false, clash: null, renameTo: "Beta", refused: null,
        },
        {
          index: 2, name: "Gamma", provider: "coupa", host: "", tokenHost: "", validDomains: [],
          grantType: "client_credentials", scopeCount: 1, needsClientSecret: false, clash: null, renameTo: "Gamma",
          refused: "Valid domain names: “com” is too broad: give a domain name with a dot, such as example.com or api.example.com.",
        },
      ],
    };
    const reason = backend.importPreview.items[2]?.refused ?? "";
    backend.importOutcome = { imported: [imported, fresh], skipped: 0, refused: [{ name: "Gamma", reason }] };
    await fireEvent.click(screen.getByTestId("import-check"));
    const items = await screen.findAllByTestId("import-item");
    expect(items[0]?.textContent).toContain("Acme");
    // One the file holds wrong is listed with Rust's reason and left out; the others can be imported.
    expect(screen.getByTestId("import-refused-summary").textContent).toContain("1 of them cannot be imported");
    expect(screen.getByTestId("import-refused").textContent).toBe(`Not imported: ${reason}`);
    expect(items[2]?.querySelector("select, input")).toBeNull();
    expect(items[0]?.textContent).toContain("Secret sent to other.coupahost.com · valid domains coupahost.com");
    const action = screen.getByTestId("import-action") as HTMLSelectElement;
    // Replacing says what changes, and that the saved secret will be asked for again.
    await fireEvent.change(action, { target: { value: "replace" } });
    const changes = screen.getByTestId("import-changes");
    expect(changes.textContent).toContain("Token host: https://acme.coupahost.com → https://other.coupahost.com");
    expect(changes.textContent).toContain("Its saved client secret is not kept");
    await fireEvent.change(action, { target: { value: "rename" } });
    expect(screen.queryByTestId("import-changes")).toBeNull();
    expect(action.value).toBe("rename");
    expect(action.selectedOptions[0]?.textContent).toBe("Add as “Acme (2)”");
    await fireEvent.change(action, { target: { value: "skip" } });
    expect(screen.getByTestId("import-run").textContent?.trim()).toBe("Import 1 connection");
    await fireEvent.change(action, { target: { value: "rename" } });
    await fireEvent.click(screen.getByTestId("import-run"));
    await waitFor(() =>
      expect(backend.importChoices).toEqual([
        { index: 0, action: "rename" },
        { index: 1, action: "add" },
        { index: 2, action: "skip" },
      ]),
    );
    expect(screen.getByTestId("toast-text").textContent).toBe("2 connections imported. 1 could not be: the import listed why.");
    const secrets = await screen.findByTestId("import-secrets");
    expect(secrets.textContent).toContain("Acme (2)");
    await fireEvent.input(within(secrets).getByTestId("secret-input"), { target: { value: "the-secret" } });
    await fireEvent.click(within(secrets).getByTestId("secret-save"));
    await waitFor(() => expect(screen.queryByTestId("import-dialog")).toBeNull());
    expect(backend.saved.at(-1)).toMatchObject({ id: imported.id, clientSecret: { action: "replace", value: "the-secret" } });
  });

  it("exports to the path typed, and names the field when it is not a full path", async () => {
    const backend = new FakeBackend();
    backend.connections = [makeConnection({ name: "Acme" })];
    render(App, { backend });
    await fireEvent.click(await screen.findByTestId("export"));
    const path = screen.getByTestId("export-path") as HTMLInputElement;
    await waitFor(() => expect(path.value).toBe("/home/admin/connections.json"));
    await fireEvent.input(path, { target: { value: "relative.json" } });
    await fireEvent.click(screen.getByTestId("export-run"));
    expect((await screen.findByRole("alert")).textContent).toContain("Give the full path.");
    expect(path.value).toBe("relative.json");
    await fireEvent.input(path, { target: { value: "/tmp/out.json" } });
    await fireEvent.click(screen.getByTestId("export-run"));
    await waitFor(() => expect(backend.exported).toEqual([{ ids: null, path: "/tmp/out.json" }]));
    expect((await screen.findByTestId("toast")).textContent).toContain("1 connection exported to /tmp/out.json");
  });

  it("asks before replacing an existing file, and exports only when told to", async () => {
    const backend = new FakeBackend();
    backend.connections = [makeConnection({ name: "Acme" })];
    backend.existingFiles.add("/tmp/notes.json");
    render(App, { backend });
    await fireEvent.click(await screen.findByTestId("export"));
    const path = screen.getByTestId("export-path") as HTMLInputElement;
    await waitFor(() => expect(path.value).toBe("/home/admin/connections.json"));
    await fireEvent.input(path, { target: { value: "/tmp/notes.json" } });
    await fireEvent.click(screen.getByTestId("export-run"));
    expect((await screen.findByRole("alert")).textContent).toContain("/tmp/notes.json already exists");
    expect(backend.exported).toEqual([]);
    // Another name: back to a plain Export.
    await fireEvent.input(path, { target: { value: "/tmp/other.json" } });
    expect(screen.queryByTestId("export-replace")).toBeNull();
    expect(screen.getByTestId("export-run")).toBeTruthy();
    await fireEvent.input(path, { target: { value: "/tmp/notes.json" } });
    await fireEvent.click(await screen.findByTestId("export-replace"));
    await waitFor(() => expect(backend.exported).toEqual([{ ids: null, path: "/tmp/notes.json" }]));
  });

  it("after a test reads the rows in view again, and the tested one shows the result", async () => {
    const { backend } = acmeAndBeta();
    const asked = spyOnList(backend);
    render(App, { backend });
    await screen.findByRole("heading", { name: "Acme" });
    const row = (name: string) => screen.getAllByTestId("connection-row").find((r) => r.textContent?.includes(name));
    await waitFor(() => expect(row("Acme")?.textContent).toContain("not tested"));
    const before = asked.length;
    await fireEvent.click(screen.getByTestId("test"));
    await waitFor(() => expect(row("Acme")?.textContent).toContain("✓"));
    expect(asked.length).toBeGreaterThan(before);
    onlyPages(asked);
    expect(row("Beta")?.textContent).toContain("not tested");
  });

  it("a token renewed in the background reads the rows in view again", async () => {
    const { backend, acme } = acmeAndBeta();
    const asked = spyOnList(backend);
    render(App, { backend });
    await screen.findByRole("heading", { name: "Acme" });
    const row = (name: string) => screen.getAllByTestId("connection-row").find((r) => r.textContent?.includes(name));
    await waitFor(() => expect(row("Acme")?.textContent).toContain("no token"));
    const now = Date.now();
    const token = {
      obtainedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 3 * 3600_000 + 60_000).toISOString(),
      hasRefreshToken: false,
    };
    backend.connections = backend.connections.map((c) => (c.id === acme.id ? { ...c, token } : c));
    backend.emitTokenRenewed(acme.id);
    await waitFor(() => expect(row("Acme")?.textContent).toContain("valid for 3 h"));
    onlyPages(asked);
  });

  it("a change by another process (the command line) is read again: rows and details", async () => {
    const { backend, acme } = acmeAndBeta();
    render(App, { backend });
    await screen.findByRole("heading", { name: "Acme" });
    backend.connections = [
      ...backend.connections.map((c) => (c.id === acme.id ? { ...c, settings: { ...c.settings, name: "Acme renamed" } } : c)),
      makeConnection({ name: "Gamma" }),
    ];
    backend.emitConnectionsChanged();
    await screen.findByRole("heading", { name: "Acme renamed" });
    await waitFor(() => expect(screen.getAllByTestId("connection-row")).toHaveLength(3));
  });

  it("a row's menu tests, edits and duplicates the connection it was opened on", async () => {
    const { backend, beta } = acmeAndBeta();
    const tested: string[] = [];
    const test = backend.testConnection;
    backend.testConnection = async (id, onStep) => {
      tested.push(id);
      return test(id, onStep);
    };
    render(App, { backend });
    await screen.findByRole("heading", { name: "Acme" });
    const row = (name: string) => {
      const found = screen.getAllByTestId("connection-row").find((r) => r.textContent?.includes(name));
      if (!found) throw new Error(`no row for ${name}`);
      return found;
    };
    const menu = async (name: string, action: string) => {
      await fireEvent.contextMenu(row(name));
      await fireEvent.click(screen.getByTestId(`row-menu-${action}`));
    };

    // Another connection: it opens and its test runs.
    await menu("Beta", "test");
    await screen.findByRole("heading", { name: "Beta" });
    await waitFor(() => expect(row("Beta").textContent).toContain("✓"));
    // The one already open: its test runs again.
    await menu("Beta", "test");
    await waitFor(() => expect(tested).toEqual([beta.id, beta.id]));

    await menu("Acme", "edit");
    expect((await screen.findByRole("heading", { name: "Edit Acme" })).textContent).toBe("Edit Acme");
    await fireEvent.click(screen.getByTestId("cancel"));

    await menu("Acme", "duplicate");
    await screen.findByRole("heading", { name: "Copy of Acme" });
    expect(backend.connections.map((c) => c.settings.name)).toEqual(["Acme", "Beta", "Copy of Acme"]);
  });

  it("keeps a fetched token shown after the list refreshes", async () => {
    const backend = new FakeBackend();
    const c = makeConnection({ name: "Acme" });
    backend.connections = [c];
    backend.prefs = { selectedId: c.id, sort: "name", clearClipboard: "30s" };
    backend.token = makeToken("fetched-token-value-123");
    let listed = 0;
    const list = backend.listConnections;
    backend.listConnections = async (q) => {
      listed += 1;
      return list(q);
    };
    render(App, { backend });
    await screen.findByRole("heading", { name: "Acme" });
    const before = listed;
    await fireEvent.click(screen.getByTestId("get-token"));
    await waitFor(() => expect(listed).toBeGreaterThan(before));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByTestId("token-value").textContent).toContain("fetc");
  });
});
