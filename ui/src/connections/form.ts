// Pure helpers of the connection form, kept out of the component so they are unit-tested alone.
import type { Connection, ConnectionSettings, CoupaDomain, SecretUpdate } from "../backend";

/** The provider choices the form offers, as one select. */
export type ProviderChoice = "coupa:customer" | "coupa:partner" | "generic";

export const PROVIDER_CHOICES: { value: ProviderChoice; label: string }[] = [
  { value: "coupa:customer", label: "Coupa — customer (coupahost.com)" },
  { value: "coupa:partner", label: "Coupa — partner or demo (coupacloud.com)" },
  { value: "generic", label: "Generic OAuth 2.0" },
];

const COUPA_DOMAIN: Record<CoupaDomain, string> = { customer: "coupahost.com", partner: "coupacloud.com" };

export function providerChoice(s: ConnectionSettings): ProviderChoice {
  if (s.provider === "generic") return "generic";
  return s.coupaDomain === "partner" ? "coupa:partner" : "coupa:customer";
}

/** The valid domain names a provider starts with. */
export function defaultDomains(choice: ProviderChoice): string[] {
  if (choice === "coupa:customer") return [COUPA_DOMAIN.customer];
  if (choice === "coupa:partner") return [COUPA_DOMAIN.partner];
  return [];
}

/** Applies a provider choice; the domain list follows it unless the admin changed it. */
export function applyProviderChoice(s: ConnectionSettings, choice: ProviderChoice): ConnectionSettings {
  const before = providerChoice(s);
  const untouched = sameList(s.validDomains, defaultDomains(before)) || s.validDomains.length === 0;
  const next: ConnectionSettings =
    choice === "generic"
      ? { ...s, provider: "generic" }
      : { ...s, provider: "coupa", coupaDomain: choice === "coupa:partner" ? "partner" : "customer" };
  if (untouched) next.validDomains = defaultDomains(choice);
  return next;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The settings a new connection starts with: Coupa, client credentials, core.user.read. */
export function newSettings(): ConnectionSettings {
  return {
    name: "",
    provider: "coupa",
    coupaDomain: "customer",
    subdomain: "",
    authorizationUrl: "",
    tokenUrl: "",
    apiBaseUrl: "",
    clientId: "",
    grantType: "client_credentials",
    clientAuth: "body",
    validDomains: [COUPA_DOMAIN.customer],
    scopes: ["core.user.read"],
    redirectPort: null,
    autoRefresh: true,
    testRequest: { method: "GET", path: "/api/users?limit=1" },
  };
}

/** Splits what the admin typed or pasted into a list: spaces, commas and new lines separate. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

/**
 * What to do with the client secret: a typed value replaces it; an empty field keeps what is
 * stored (nothing, for a new connection) unless the admin asked to remove it.
 */
export function secretUpdate(typed: string, remove: boolean): SecretUpdate {
  if (remove) return { action: "remove" };
  if (typed.length > 0) return { action: "replace", value: typed };
  return { action: "keep" };
}

/** The settings of a saved connection, as the form edits them (a deep copy). */
export function settingsOf(c: Connection): ConnectionSettings {
  // A JSON copy: the connection may be reactive state (a proxy), which structuredClone refuses.
  return JSON.parse(JSON.stringify(c.settings)) as ConnectionSettings;
}
