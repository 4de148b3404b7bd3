// A small scope catalog shaped as Rust's, for component tests.
import type { ScopeGroup, ScopeInfo } from "../backend";

const scope = (name: string, group: string, right: string, label: string, description: string): ScopeInfo => ({
  name,
  group,
  right,
  label,
  description,
  standard: group === "standard",
});

export const CATALOG: ScopeGroup[] = [
  {
    group: "standard",
    label: "OpenID Connect",
    scopes: [
      scope("openid", "standard", "", "OpenID Connect", "Sign the user in with OpenID Connect"),
      scope("offline_access", "standard", "", "OpenID Connect", "A refresh token"),
    ],
  },
  {
    group: "core.invoice",
    label: "Invoices",
    scopes: [
      scope("core.invoice.read", "core.invoice", "read", "Invoices", "Read invoices"),
      scope("core.invoice.write", "core.invoice", "write", "Invoices", "Create and update invoices"),
    ],
  },
  {
    group: "core.supplier",
    label: "Suppliers",
    scopes: [
      scope("core.supplier.read", "core.supplier", "read", "Suppliers", "Read suppliers"),
      scope("core.supplier.write", "core.supplier", "write", "Suppliers", "Create and update suppliers"),
    ],
  },
];
