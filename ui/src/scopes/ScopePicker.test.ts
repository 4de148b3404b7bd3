import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../test/fake-backend";
import PickerHarness from "../test/PickerHarness.svelte";
import { CATALOG } from "../test/scope-fixture";
import { availableGroups, groupTitle, parseScopes, range } from "./picker";

function setup(initial: string[] = [], notGranted: string[] = []) {
  const backend = new FakeBackend();
  backend.catalog = CATALOG;
  const seen: { value: string[] } = { value: [] };
  render(PickerHarness, { backend, catalog: CATALOG, initial, notGranted, onchange: (v: string[]) => (seen.value = v) });
  const available = screen.getByTestId("scopes-available");
  const selected = screen.getByTestId("scopes-selected");
  const option = (list: HTMLElement, name: string) => list.querySelector(`[data-scope="${name}"]`) as HTMLElement;
  const names = (list: HTMLElement) => [...list.querySelectorAll("[data-scope]")].map((e) => e.getAttribute("data-scope"));
  return { backend, seen, available, selected, option, names, user: userEvent.setup() };
}

describe("scope picker rules", () => {
  it("titles groups by object and rights, the standard ones apart", () => {
    expect(CATALOG.map(groupTitle)).toEqual([
      "OpenID Connect (standard)",
      "Invoices — read, write",
      "Suppliers — read, write",
    ]);
  });

  it("leaves selected and filtered-out scopes out of Available", () => {
    const groups = availableGroups(CATALOG, ["core.invoice.read"], new Set(["core.invoice.read", "core.invoice.write"]));
    expect(groups.map((g) => g.scopes.map((s) => s.name))).toEqual([["core.invoice.write"]]);
  });

  it("splits pasted scopes on spaces and commas, once each", () => {
    expect(parseScopes(" core.user.read,core.invoice.read  core.user.read\nopenid ")).toEqual([
      "core.user.read",
      "core.invoice.read",
      "openid",
    ]);
    expect(range(["a", "b", "c", "d"], "c", "a")).toEqual(["a", "b", "c"]);
  });
});

describe("ScopePicker", () => {
  it("adds the highlighted scopes with › and removes them with ‹", async () => {
    const p = setup();
    await fireEvent.click(p.option(p.available, "core.invoice.read"));
    await fireEvent.click(p.option(p.available, "core.supplier.read"), { ctrlKey: true });
    await fireEvent.click(screen.getByTestId("scope-add"));
    expect(p.seen.value).toEqual(["core.invoice.read", "core.supplier.read"]);
    expect(p.names(p.available)).not.toContain("core.invoice.read");
    expect(screen.getByTestId("scope-count").textContent).toBe("2");

    await fireEvent.click(p.option(p.selected, "core.invoice.read"));
    await fireEvent.click(screen.getByTestId("scope-remove"));
    expect(p.seen.value).toEqual(["core.supplier.read"]);
    expect(p.names(p.available)).toContain("core.invoice.read");
  });

  it("» adds everything the filter shows and « removes all", async () => {
    const p = setup();
    await p.user.type(screen.getByTestId("scope-filter"), "invoice");
    await waitFor(() => expect(p.names(p.available)).toEqual(["core.invoice.read", "core.invoice.write"]));
    await fireEvent.click(screen.getByTestId("scope-add-all"));
    expect(p.seen.value).toEqual(["core.invoice.read", "core.invoice.write"]);
    expect(within(p.available).getByText(/No scope left matches “invoice”/)).toBeTruthy();

    await fireEvent.click(screen.getByTestId("scope-remove-all"));
    expect(p.seen.value).toEqual([]);
  });

  it("a shift-click takes a range; a double-click moves one", async () => {
    const p = setup();
    await fireEvent.click(p.option(p.available, "openid"));
    await fireEvent.click(p.option(p.available, "core.invoice.write"), { shiftKey: true });
    await fireEvent.click(screen.getByTestId("scope-add"));
    expect(p.seen.value).toEqual(["openid", "offline_access", "core.invoice.read", "core.invoice.write"]);

    await fireEvent.dblClick(p.option(p.selected, "offline_access"));
    expect(p.seen.value).toEqual(["openid", "core.invoice.read", "core.invoice.write"]);
    await fireEvent.dblClick(p.option(p.available, "core.supplier.write"));
    expect(p.seen.value).toEqual(["openid", "core.invoice.read", "core.invoice.write", "core.supplier.write"]);
  });

  it("works from the keyboard: arrows, Shift, Space, Ctrl+A, Enter and Delete", async () => {
    const p = setup();
    // Focus makes the first scope active; Shift+↓ highlights it and the next.
    p.available.focus();
    await p.user.keyboard("{Shift>}{ArrowDown}{/Shift}{Enter}");
    expect(p.seen.value).toEqual(["openid", "offline_access"]);
    // Space adds the active item to the highlight without moving it.
    await p.user.keyboard("{End}{Control>}{ArrowUp}{/Control} {Enter}");
    expect(p.seen.value).toEqual(["openid", "offline_access", "core.supplier.read", "core.supplier.write"]);

    p.selected.focus();
    await p.user.keyboard("{Home}{Delete}");
    expect(p.seen.value).toEqual(["offline_access", "core.supplier.read", "core.supplier.write"]);
    await p.user.keyboard("{Control>}a{/Control}{Enter}");
    expect(p.seen.value).toEqual([]);
  });

  it("pasting a list fills Selected, flagging scopes the catalog does not know", async () => {
    const p = setup();
    const box = screen.getByPlaceholderText(/Type or paste scopes/i) as HTMLInputElement;
    await p.user.click(box);
    await p.user.paste("core.invoice.read core.custom_object.read,openid");
    expect(p.seen.value).toEqual(["core.invoice.read", "core.custom_object.read", "openid"]);
    expect(box.value).toBe("");
    expect(p.option(p.selected, "core.custom_object.read").textContent).toContain("not in the catalog");
    expect(p.option(p.selected, "core.invoice.read").textContent).not.toContain("not in the catalog");

    await p.user.type(box, "core.supplier.read{Enter}");
    expect(p.seen.value).toContain("core.supplier.read");
  });

  it("copies the selection as a space-separated string and marks scopes not granted", async () => {
    const p = setup(["core.invoice.read", "core.invoice.write"], ["core.invoice.write"]);
    expect(p.option(p.selected, "core.invoice.write").textContent).toContain("not granted");
    expect(p.option(p.selected, "core.invoice.read").textContent).not.toContain("not granted");
    await fireEvent.click(screen.getByTestId("scope-copy"));
    await waitFor(() => expect(p.backend.copied).toEqual(["core.invoice.read core.invoice.write"]));
    expect(screen.getByTestId("scope-note").textContent).toContain("Copied");
  });
});
