// Every way out of a form with unsaved changes asks first (Save / Discard / Keep editing), and
// the focus and the window's title follow the person.
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "./App.svelte";
import { makeConnection } from "./test/connection-fixture";
import { FakeBackend } from "./test/fake-backend";

/** Acme and Beta saved, Acme on screen. */
async function twoSaved() {
  const backend = new FakeBackend();
  const [acme, beta] = [makeConnection({ name: "Acme" }), makeConnection({ name: "Beta" })];
  backend.connections = [acme, beta];
  backend.prefs = { selectedId: acme.id, sort: "name", clearClipboard: "30s" };
  render(App, { backend });
  await screen.findByRole("heading", { name: "Acme" });
  return { backend, acme, beta };
}

/** Opens Acme's form and changes its name. */
async function editAcme(to = "Acme, renamed") {
  await fireEvent.click(screen.getByTestId("edit"));
  const name = (await screen.findByLabelText(/Name your connection/)) as HTMLInputElement;
  await fireEvent.input(name, { target: { value: to } });
  return name;
}

describe("unsaved changes", () => {
  it("clicking another connection asks; Keep editing keeps everything typed", async () => {
    await twoSaved();
    const name = await editAcme();
    await fireEvent.click(screen.getByRole("option", { name: /Beta/ }));
    const dialog = await screen.findByTestId("unsaved-dialog");
    expect(dialog.textContent).toContain("Your changes to “Acme” are not saved.");
    // The question takes the focus, on its safe answer.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("keep-editing-dialog")));
    await fireEvent.click(screen.getByTestId("keep-editing-dialog"));
    expect(screen.queryByTestId("unsaved-dialog")).toBeNull();
    expect(name.value).toBe("Acme, renamed");
    expect(screen.getByTestId("connection-form")).toBeTruthy();
  });

  it("Discard goes where the person was going, and Save saves first", async () => {
    const { backend, beta } = await twoSaved();
    await editAcme();
    await fireEvent.click(screen.getByRole("option", { name: /Beta/ }));
    await fireEvent.click(await screen.findByTestId("discard-and-leave"));
    expect(await screen.findByRole("heading", { name: "Beta" })).toBeTruthy();
    expect(backend.saved).toHaveLength(0);

    await fireEvent.click(screen.getByRole("option", { name: /Acme/ }));
    await screen.findByRole("heading", { name: "Acme" });
    await editAcme();
    await fireEvent.keyDown(window, { key: "n", ctrlKey: true });
    await fireEvent.click(await screen.findByTestId("save-and-leave"));
    await waitFor(() => expect(backend.saved.at(-1)?.settings.name).toBe("Acme, renamed"));
    expect(await screen.findByRole("heading", { name: "New connection" })).toBeTruthy();
    expect(backend.connections.map((c) => c.settings.name)).toContain("Acme, renamed");
    expect(beta.settings.name).toBe("Beta");
  });

  it("Import, Delete and a row's menu ask too", async () => {
    await twoSaved();
    await editAcme();
    await fireEvent.click(screen.getByTestId("import"));
    expect(await screen.findByTestId("unsaved-dialog")).toBeTruthy();
    expect(screen.queryByTestId("import-dialog")).toBeNull();
    await fireEvent.click(screen.getByTestId("keep-editing-dialog"));
    await fireEvent.click(screen.getByTestId("add-connection"));
    expect(await screen.findByTestId("unsaved-dialog")).toBeTruthy();
  });

  it("closing the window asks, and Discard closes it; with nothing changed it closes at once", async () => {
    const { backend } = await twoSaved();
    expect(backend.requestClose()).toBe(true);
    backend.windowClosed = false;
    await editAcme();
    expect(backend.requestClose()).toBe(false);
    expect(backend.windowClosed).toBe(false);
    await fireEvent.click(await screen.findByTestId("discard-and-leave"));
    await waitFor(() => expect(backend.windowClosed).toBe(true));
  });

  it("Ctrl+S saves the form; Escape cancels it, asking when there are changes", async () => {
    const { backend } = await twoSaved();
    await editAcme();
    await fireEvent.keyDown(window, { key: "s", ctrlKey: true });
    await waitFor(() => expect(backend.saved.at(-1)?.settings.name).toBe("Acme, renamed"));
    expect(await screen.findByRole("heading", { name: "Acme, renamed" })).toBeTruthy();

    await fireEvent.click(screen.getByTestId("edit"));
    await screen.findByTestId("connection-form");
    await fireEvent.keyDown(window, { key: "Escape" });
    expect(await screen.findByRole("heading", { name: "Acme, renamed" })).toBeTruthy();

    await editAcme("Acme, renamed again");
    await fireEvent.keyDown(window, { key: "Escape" });
    expect(screen.getByText("Discard your changes?")).toBeTruthy();
    await waitFor(() => expect(document.activeElement?.id).toBe("keep-editing"));
    await fireEvent.keyDown(window, { key: "Escape" });
    expect(screen.queryByText("Discard your changes?")).toBeNull();
    expect(screen.getByTestId("connection-form")).toBeTruthy();
  });
});

describe("focus and title", () => {
  it("with nothing to go back to, Cancel and the last delete put the focus on the welcome", async () => {
    const backend = new FakeBackend();
    render(App, { backend });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    await screen.findByTestId("connection-form");
    await fireEvent.click(screen.getByTestId("cancel"));
    await waitFor(() => expect(document.activeElement?.id).toBe("welcome-heading"));
  });

  it("a passing test gives the focus back to Test connection", async () => {
    const { backend } = await twoSaved();
    backend.testSteps = [
      { id: "reach", label: "Reach the host", status: "passed", durationMs: 3, detail: "200 OK", hint: null, code: null, waitingUntil: null },
    ];
    const test = screen.getByTestId("test");
    test.focus();
    await fireEvent.click(test);
    (document.activeElement as HTMLElement).blur();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("test")));
  });

  it("Edit and New put the focus in the form's first field", async () => {
    await twoSaved();
    const edit = screen.getByTestId("edit");
    edit.focus();
    await fireEvent.click(edit);
    await waitFor(() => expect(document.activeElement?.id).toBe("name"));
    await fireEvent.click(screen.getByTestId("cancel"));
    await screen.findByRole("heading", { name: "Acme" });
    await fireEvent.keyDown(window, { key: "n", ctrlKey: true });
    await waitFor(() => expect(document.activeElement?.id).toBe("name"));
  });

  it("Cancel on a new form goes back to the connection on screen before, its heading focused", async () => {
    await twoSaved();
    await fireEvent.click(screen.getByTestId("add-connection"));
    await screen.findByTestId("connection-form");
    await fireEvent.click(screen.getByTestId("cancel"));
    const heading = await screen.findByRole("heading", { name: "Acme" });
    await waitFor(() => expect(document.activeElement).toBe(heading));
  });

  it("Delete asks with the focus on Keep; Escape keeps it; after a delete the next one is on screen", async () => {
    const backend = new FakeBackend();
    backend.connections = ["Acme", "Beta", "Gamma"].map((name) => makeConnection({ name }));
    backend.prefs = { selectedId: backend.connections[1]?.id ?? null, sort: "name", clearClipboard: "30s" };
    render(App, { backend });
    await screen.findByRole("heading", { name: "Beta" });
    await fireEvent.click(screen.getByTestId("delete"));
    const ask = screen.getByRole("alertdialog");
    expect(ask.textContent).toContain("Delete “Beta” and remove its secrets from the keyring?");
    expect(screen.getByTestId("confirm-delete").textContent?.trim()).toBe("Delete connection");
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("keep-connection")));
    await fireEvent.keyDown(document.activeElement as HTMLElement, { key: "Escape" });
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(backend.connections).toHaveLength(3);

    await fireEvent.click(screen.getByTestId("delete"));
    await fireEvent.click(screen.getByTestId("confirm-delete"));
    // Gamma took Beta's place in the list: it is on screen, its heading focused.
    const next = await screen.findByRole("heading", { name: "Gamma" });
    await waitFor(() => expect(document.activeElement).toBe(next));
    expect(backend.connections.map((c) => c.settings.name)).toEqual(["Acme", "Gamma"]);
    expect(screen.queryByTestId("problem"), "the deleted one is not read again").toBeNull();
    // The last one deleted: the one before it.
    await fireEvent.click(screen.getByTestId("delete"));
    await fireEvent.click(screen.getByTestId("confirm-delete"));
    expect(await screen.findByRole("heading", { name: "Acme" })).toBeTruthy();
  });

  it("a delete can be undone from its toast; once final, the server's answer is said", async () => {
    const { backend, acme } = await twoSaved();
    await fireEvent.click(screen.getByTestId("delete"));
    await fireEvent.click(screen.getByTestId("confirm-delete"));
    await waitFor(() => expect(screen.getByTestId("toast-text").textContent).toBe("Deleted “Acme”."));
    expect(screen.getByTestId("toast-action").textContent).toBe("Undo");
    expect(await screen.findByRole("heading", { name: "Beta" })).toBeTruthy();
    await fireEvent.click(screen.getByTestId("toast-action"));
    const back = await screen.findByRole("heading", { name: "Acme" });
    await waitFor(() => expect(document.activeElement).toBe(back));
    expect(screen.getByTestId("toast-text").textContent).toBe("“Acme” is back, with its secrets and tokens.");
    expect(backend.connections.map((c) => c.id)).toContain(acme.id);

    await fireEvent.click(screen.getByTestId("delete"));
    await fireEvent.click(screen.getByTestId("confirm-delete"));
    await screen.findByRole("heading", { name: "Beta" });
    backend.revocation = { outcome: "revoked" };
    backend.finishDeletes();
    await waitFor(() =>
      expect(screen.getByTestId("toast-text").textContent).toBe("“Acme” is deleted for good. Its tokens were revoked at the server."),
    );
    expect(screen.queryByTestId("toast-action")).toBeNull();
  });

  it("a failed test puts the focus on the step that failed", async () => {
    const { backend } = await twoSaved();
    backend.testSteps = [
      { id: "reach", label: "Reach the host", status: "passed", durationMs: 3, detail: "200 OK", hint: null, code: null, waitingUntil: null },
      { id: "token", label: "Get a token", status: "failed", durationMs: 9, detail: "invalid_client", hint: "Check the secret.", code: "invalid_client", waitingUntil: null },
    ];
    await fireEvent.click(screen.getByTestId("test"));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("step-token")));
  });

  it("Escape closes a dialog wherever the focus is, and the focus goes back", async () => {
    await twoSaved();
    const opener = screen.getByTestId("import");
    opener.focus();
    await fireEvent.click(opener);
    await screen.findByTestId("import-dialog");
    (document.activeElement as HTMLElement).blur();
    await fireEvent.keyDown(window, { key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("import-dialog")).toBeNull());
    expect(document.activeElement).toBe(opener);
  });

  it("on a first run the first connection is on screen, and the title names it", async () => {
    const backend = new FakeBackend();
    backend.connections = [makeConnection({ name: "Local sandbox (Coupa)" })];
    render(App, { backend });
    expect(await screen.findByRole("heading", { name: "Local sandbox (Coupa)" })).toBeTruthy();
    await waitFor(() => expect(backend.windowTitle).toBe("Local sandbox (Coupa) — Connection Manager"));
  });
});
