import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { Connection, ListSort } from "../backend";
import { makeConnection } from "../test/connection-fixture";
import { FakeBackend } from "../test/fake-backend";
import WithBackend from "../test/WithBackend.svelte";
import ConnectionList from "./ConnectionList.svelte";

/** The list over a backend holding `connections`; resolves once its first rows are drawn. */
async function setup(connections: Connection[], extra: { sort?: ListSort; sandboxUrl?: string | null; selectedId?: string | null } = {}) {
  const backend = new FakeBackend();
  backend.connections = connections;
  const calls = {
    onselect: vi.fn(),
    onopen: vi.fn(),
    oncreate: vi.fn(),
    onsort: vi.fn(),
    ontrysandbox: vi.fn(),
    onimport: vi.fn(),
    onexport: vi.fn(),
    ondelete: vi.fn(),
    onaction: vi.fn(),
  };
  let props: Record<string, unknown> = { revision: 0, selectedId: extra.selectedId ?? null, sort: extra.sort ?? "name", sandboxUrl: extra.sandboxUrl ?? null, ...calls };
  const view = render(WithBackend, { backend, component: ConnectionList, innerProps: props });
  /** Changes props as the parent would. */
  const update = async (changes: Record<string, unknown>) => {
    props = { ...props, ...changes };
    await view.rerender({ backend, component: ConnectionList, innerProps: props });
  };
  // The parent owns the selection: follow it, as App does.
  calls.onselect.mockImplementation((id: string) => void update({ selectedId: id }));
  await waitFor(() => expect(screen.queryAllByTestId("connection-row").length + screen.queryAllByTestId("connections-empty").length).toBeGreaterThan(0));
  return { ...calls, view, backend, update };
}

const names = () => screen.getAllByTestId("row-name").map((n) => n.textContent);

describe("ConnectionList", () => {
  const list = [
    makeConnection({ name: "Beta", host: "beta.coupacloud.com", testedAt: new Date(Date.now() - 3_600_000).toISOString(), tokenExpiresAt: new Date(Date.now() + 3 * 3_600_000 + 30_000).toISOString() }),
    makeConnection({ name: "Acme", scopes: ["core.invoice.read", "core.user.read"], testedAt: new Date().toISOString(), testOk: false }),
    makeConnection({ name: "Gamma", provider: "generic", host: "login.example.com", needsSecret: true }),
  ];

  it("shows each connection's provider, host, grant, scopes, last test and token", async () => {
    await setup(list);
    expect(names()).toEqual(["Acme", "Beta", "Gamma"]);
    const [acme, beta, gamma] = screen.getAllByTestId("connection-row");
    if (!acme || !beta || !gamma) throw new Error("three rows expected");
    expect(acme.textContent).toContain("Coupa");
    expect(within(acme).getByTestId("row-test").textContent).toBe("✗ just now");
    expect(within(acme).getByText(/2\s+scopes/)).toBeTruthy();
    expect(within(beta).getByTestId("row-host").textContent).toBe("beta.coupacloud.com");
    expect(within(beta).getByTestId("row-test").textContent).toBe("✓ 1 h ago");
    expect(within(beta).getByTestId("row-token").textContent).toBe("token valid for 3 h");
    expect(gamma.textContent).toContain("OAuth 2.0");
    expect(within(gamma).getByTestId("row-test").textContent).toBe("not tested");
    expect(within(gamma).getByTestId("row-token").textContent).toBe("needs secret");
    expect(within(acme).getByTestId("row-token").textContent).toBe("no token");
  });

  it("measures a token got just now against the time it was got, not the list's last tick", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const start = Date.parse("2026-11-24T12:00:00Z");
      vi.setSystemTime(start);
      const acme = makeConnection({ name: "Acme" });
      const { backend, update } = await setup([acme]);
      // 20 s later (before the list's clock ticks), a 24-hour token got a second ago arrives.
      vi.setSystemTime(start + 20_000);
      const withToken = makeConnection({ name: "Acme", tokenExpiresAt: new Date(start + 19_000 + 86_400_000).toISOString() });
      backend.connections = [{ ...withToken, id: acme.id }];
      await update({ revision: 1 });
      await waitFor(() => expect(screen.getByTestId("row-token").textContent).toBe("token valid for 23 h"));
    } finally {
      vi.useRealTimers();
    }
  });

  it("sorts as the preference says and reports a new choice", async () => {
    const { onsort, update } = await setup(list, { sort: "last_tested" });
    expect(names()).toEqual(["Acme", "Beta", "Gamma"]);
    await update({ sort: "last_used" });
    expect(names()).toEqual(["Acme", "Beta", "Gamma"]);
    await fireEvent.change(screen.getByTestId("connection-sort"), { target: { value: "last_used" } });
    expect(onsort).toHaveBeenCalledWith("last_used");
  });

  it("filters on name, host and scopes, and says when nothing matches", async () => {
    await setup(list);
    const search = screen.getByTestId("connection-search");
    await fireEvent.input(search, { target: { value: "invoice" } });
    await waitFor(() => expect(names()).toEqual(["Acme"]));
    expect(screen.getByTestId("list-count").textContent?.trim()).toBe("1 of 3 shown");
    await fireEvent.input(search, { target: { value: "example.com" } });
    await waitFor(() => expect(names()).toEqual(["Gamma"]));
    await fireEvent.input(search, { target: { value: "zzz" } });
    expect((await screen.findByTestId("connections-no-match")).textContent).toContain("No connection matches “zzz”");
    await fireEvent.click(screen.getByText("Clear search"));
    await waitFor(() => expect(names()).toHaveLength(3));
  });

  it("is driven from the keyboard: arrows, Home/End, Enter opens, Delete asks", async () => {
    const { onselect, onopen, ondelete } = await setup(list);
    const box = screen.getByTestId("connection-listbox");
    const press = async (key: string, id: string | undefined) => {
      await fireEvent.keyDown(box, { key });
      await waitFor(() => expect(onselect).toHaveBeenLastCalledWith(id));
    };
    await press("ArrowDown", list[1]?.id);
    await press("ArrowDown", list[0]?.id);
    await waitFor(() => expect(box.getAttribute("aria-activedescendant")).toBe("connection-row-1"));
    await press("End", list[2]?.id);
    await press("Home", list[1]?.id);
    await waitFor(() => expect(box.getAttribute("aria-activedescendant")).toBe("connection-row-0"));
    await fireEvent.keyDown(box, { key: "Enter" });
    expect(onopen).toHaveBeenCalledWith(list[1]?.id);
    await fireEvent.keyDown(box, { key: "Delete" });
    expect(ondelete).toHaveBeenCalledWith(list[1]?.id);
    // From the search box, ArrowDown goes into the list.
    await fireEvent.keyDown(screen.getByTestId("connection-search"), { key: "ArrowDown" });
    expect(document.activeElement).toBe(box);
  });

  it("has a menu on each row: right-click or Shift+F10, arrows, Escape, and each action", async () => {
    const { onselect, onaction, ondelete, onopen } = await setup(list);
    const [acme] = screen.getAllByTestId("connection-row");
    if (!acme) throw new Error("a row expected");
    await fireEvent.contextMenu(acme, { clientX: 40, clientY: 120 });
    expect(onselect).toHaveBeenLastCalledWith(list[1]?.id);
    const menu = screen.getByRole("menu", { name: "Actions for Acme" });
    const items = within(menu).getAllByRole("menuitem");
    expect(items.map((i) => i.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      "Open Enter",
      "Edit",
      "Test connection",
      "Copy token Ctrl+Shift+C",
      "Duplicate",
      "Delete… Del",
    ]);
    await waitFor(() => expect(document.activeElement).toBe(items[0]));
    await fireEvent.keyDown(menu, { key: "ArrowDown" });
    expect(document.activeElement).toBe(items[1]);
    await fireEvent.keyDown(menu, { key: "ArrowUp" });
    await fireEvent.keyDown(menu, { key: "ArrowUp" });
    expect(document.activeElement).toBe(items[5]);
    await fireEvent.keyDown(menu, { key: "Escape" });
    expect(screen.queryByRole("menu")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("connection-listbox"));

    const box = screen.getByTestId("connection-listbox");
    for (const [action, check] of [
      ["edit", () => expect(onaction).toHaveBeenLastCalledWith(list[1]?.id, "edit")],
      ["test", () => expect(onaction).toHaveBeenLastCalledWith(list[1]?.id, "test")],
      ["copy", () => expect(onaction).toHaveBeenLastCalledWith(list[1]?.id, "copy")],
      ["duplicate", () => expect(onaction).toHaveBeenLastCalledWith(list[1]?.id, "duplicate")],
      ["open", () => expect(onopen).toHaveBeenLastCalledWith(list[1]?.id)],
      ["delete", () => expect(ondelete).toHaveBeenLastCalledWith(list[1]?.id)],
    ] as const) {
      await fireEvent.keyDown(box, { key: "F10", shiftKey: true });
      await fireEvent.click(screen.getByTestId(`row-menu-${action}`));
      check();
      expect(screen.queryByRole("menu")).toBeNull();
    }
    // A click elsewhere closes it without a choice.
    await fireEvent.keyDown(box, { key: "ContextMenu" });
    expect(screen.getByRole("menu")).toBeTruthy();
    await fireEvent.pointerDown(document.body);
    expect(screen.queryByRole("menu")).toBeNull();
    // So does a key it does not use, pressed in it (a shortcut such as Ctrl+N) or elsewhere.
    await fireEvent.keyDown(box, { key: "ContextMenu" });
    const open = screen.getByRole("menu");
    await fireEvent.keyDown(open, { key: "Control" });
    expect(screen.getByRole("menu"), "a modifier alone keeps it").toBeTruthy();
    await fireEvent.keyDown(open, { key: "n", ctrlKey: true });
    expect(screen.queryByRole("menu")).toBeNull();
    await fireEvent.keyDown(box, { key: "ContextMenu" });
    expect(screen.getByRole("menu")).toBeTruthy();
    await fireEvent.keyDown(document.body, { key: "x" });
    expect(screen.queryByRole("menu")).toBeNull();
  });

  it("offers New connection, and the sandbox only when it runs", async () => {
    const first = await setup([]);
    expect(screen.getByTestId("connections-empty").textContent).toContain("No connections yet");
    expect(screen.queryByTestId("try-sandbox")).toBeNull();
    first.view.unmount();
    const { ontrysandbox, oncreate } = await setup([], { sandboxUrl: "http://127.0.0.1:4010" });
    await fireEvent.click(screen.getByTestId("try-sandbox"));
    expect(ontrysandbox).toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId("new-connection"));
    expect(oncreate).toHaveBeenCalled();
  });

  it("reads and renders only the rows in view of 10,000, and reads more as it scrolls", async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => makeConnection({ name: `Connection ${String(i).padStart(5, "0")}` }));
    const { backend, onselect } = await setup(many);
    const asked: number[] = [];
    const list = backend.listConnections;
    backend.listConnections = async (q) => {
      asked.push(q.limit ?? 0);
      return list(q);
    };
    const rows = screen.getAllByTestId("connection-row");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(rows[0]?.getAttribute("aria-setsize")).toBe("10000");
    expect(screen.queryByTestId("list-count"), "nothing filtered: the status bar gives the total").toBeNull();

    const box = screen.getByTestId("connection-listbox");
    box.scrollTop = 5000 * 68;
    await fireEvent.scroll(box);
    await waitFor(() => expect(names()).toContain("Connection 05000"));
    expect(screen.getAllByTestId("connection-row").length).toBeLessThan(40);
    // End goes to the last row, which was never read.
    await fireEvent.keyDown(box, { key: "End" });
    await waitFor(() => expect(onselect).toHaveBeenLastCalledWith(many[9_999]?.id));
    expect(Math.max(...asked), "pages, never the whole list").toBeLessThan(200);
  });
});
