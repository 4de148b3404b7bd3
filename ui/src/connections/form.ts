// Pure helpers of the connection form, kept out of the component so they are unit-tested alone.
// The providers, the domains and a new connection's settings are Rust's (FACTS, generated).
import { FACTS, type Connection, type ConnectionSettings, type SecretUpdate } from "../backend";

/** The provider choices the form offers, as one select: Coupa's, Generic, then each preset as
 * `preset:<id>`. */
export type ProviderChoice = (typeof FACTS.providers)[number]["value"] | `preset:${string}`;

export const PROVIDER_CHOICES: readonly { value: ProviderChoice; label: string }[] = [
  ...FACTS.providers,
  ...FACTS.presets.map((p) => ({ value: `preset:${p.id}` as const, label: p.label })),
];

export function providerChoice(s: ConnectionSettings): ProviderChoice {
  if (s.provider === "generic") return s.preset ? `preset:${s.preset.id}` : "generic";
  return s.coupaDomain === "partner" ? "coupa:partner" : "coupa:customer";
}

/** The preset a connection was made from, as Rust describes it. */
export function presetOf(s: ConnectionSettings) {
  return s.preset ? (FACTS.presets.find((p) => p.id === s.preset?.id) ?? null) : null;
}

/** The valid domain names a provider starts with. */
export function defaultDomains(choice: ProviderChoice): string[] {
  if (choice.startsWith("preset:")) return [];
  return [...(FACTS.providers.find((p) => p.value === choice)?.validDomains ?? [])];
}

/** Applies a provider choice; the domain list follows it unless the admin changed it. */
export function applyProviderChoice(s: ConnectionSettings, choice: ProviderChoice): ConnectionSettings {
  const before = providerChoice(s);
  const untouched = sameList(s.validDomains, defaultDomains(before)) || s.validDomains.length === 0;
  const next: ConnectionSettings =
    choice === "generic"
      ? { ...s, provider: "generic", preset: null }
      : { ...s, provider: "coupa", preset: null, coupaDomain: choice === "coupa:partner" ? "partner" : "customer" };
  if (untouched) next.validDomains = defaultDomains(choice);
  return next;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The settings a new connection starts with (Rust's `ConnectionSettings::new_coupa`), a fresh copy. */
export function newSettings(): ConnectionSettings {
  const n = FACTS.newConnection;
  return {
    ...n,
    validDomains: [...n.validDomains],
    scopes: [...n.scopes],
    testRequest: { ...n.testRequest },
    extraParams: [],
    assertion: { ...n.assertion, header: [], claims: [], key: null },
  };
}

/** Splits what the admin typed or pasted into a list, on Rust's separators (spaces, commas, new lines). */
export function splitList(text: string): string[] {
  const items: string[] = [];
  let item = "";
  for (const c of text) {
    if (FACTS.listSeparators.includes(c)) {
      if (item) items.push(item);
      item = "";
    } else item += c;
  }
  if (item) items.push(item);
  return items;
}

/** How a grant type is named: `label` in details, `short` in the list's rows. */
export function grantName(grant: ConnectionSettings["grantType"], form: "label" | "short" = "label"): string {
  return FACTS.grants.find((g) => g.value === grant)?.[form] ?? grant;
}

/** The redirect URI to register for a fixed port, or the shape of a random one. */
export function redirectUri(port: string): string {
  return `http://${FACTS.redirectHost}${port ? `:${port}` : ""}${FACTS.redirectPath}`;
}

/**
 * What to do with the client secret: a typed value replaces it; an empty field keeps what is
 * stored (nothing, for a new connection) unless the admin asked to remove it.
 */
export function secretUpdate(
  typed: string,
  remove: boolean,
  keyFile = "",
  certificateFile = "",
  auth: ConnectionSettings["clientAuth"] = "body",
  serviceKeyFile = "",
): SecretUpdate {
  if (auth === "private_key_jwt") {
    // Rust reads the files: the key never passes through the window.
    if (keyFile.trim() === "") return { action: "keep" };
    return {
      action: "import_key",
      keyFile: keyFile.trim(),
      certificateFile: certificateFile.trim() === "" ? null : certificateFile.trim(),
    };
  }
  if (remove) return { action: "remove" };
  if (typed.length > 0) return { action: "replace", value: typed };
  // Rust reads the secret from the service key when it saves.
  if (serviceKeyFile !== "") return { action: "import_service_key", file: serviceKeyFile };
  return { action: "keep" };
}

/** The settings of a saved connection, as the form edits them (a deep copy). */
export function settingsOf(c: Connection): ConnectionSettings {
  // A JSON copy: the connection may be reactive state (a proxy), which structuredClone refuses.
  return JSON.parse(JSON.stringify(c.settings)) as ConnectionSettings;
}
