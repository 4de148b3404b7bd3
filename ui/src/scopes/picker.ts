// The scope picker's rules, kept out of the component to be tested alone. Which scopes exist and
// what they mean comes from Rust's catalog; the search is Rust's too (`searchScopes`).
import type { ScopeGroup, ScopeInfo } from "../backend";
import { splitList } from "../connections/form";

/** A group of the Available list as shown: its title and the scopes left to pick. */
export interface ShownGroup {
  group: string;
  title: string;
  scopes: ScopeInfo[];
}

/** "Invoices — read, write, create, delete"; the standard scopes are "OpenID Connect (standard)". */
export function groupTitle(group: ScopeGroup): string {
  if (group.group === "standard") return "OpenID Connect (standard)";
  const rights = group.scopes.map((s) => s.right.replace(/_/g, " ")).filter((r) => r !== "");
  return rights.length > 0 ? `${group.label} — ${rights.join(", ")}` : group.label;
}

/**
 * The Available list: every catalog scope not yet selected and, when a search is on, among its
 * matches. Groups left empty are dropped.
 */
export function availableGroups(catalog: ScopeGroup[], selected: string[], matches: Set<string> | null): ShownGroup[] {
  const taken = new Set(selected);
  return catalog
    .map((g) => ({
      group: g.group,
      title: groupTitle(g),
      scopes: g.scopes.filter((s) => !taken.has(s.name) && (matches === null || matches.has(s.name))),
    }))
    .filter((g) => g.scopes.length > 0);
}

/** Scope names in a pasted or typed string: split on spaces and commas, duplicates dropped. */
export function parseScopes(text: string): string[] {
  const out: string[] = [];
  for (const part of splitList(text)) {
    if (!out.includes(part)) out.push(part);
  }
  return out;
}

/** `selected` with `added` appended, each once. */
export function addScopes(selected: string[], added: string[]): string[] {
  const out = [...selected];
  for (const s of added) if (!out.includes(s)) out.push(s);
  return out;
}

/** The names from `order` between `a` and `b`, both included (a shift-click or shift-arrow range). */
export function range(order: string[], a: string, b: string): string[] {
  const i = order.indexOf(a);
  const j = order.indexOf(b);
  if (i < 0 || j < 0) return [b];
  return order.slice(Math.min(i, j), Math.max(i, j) + 1);
}
