// An in-memory Backend for component tests. Validation verdicts are what the test says they are:
// the real rules live in Rust and are tested there.
import {
  type Backend,
  BackendError,
  type Connection,
  type ConnectionDraft,
  type ScopeGroup,
  type StepReport,
  type StoreNotice,
  type TestReport,
  type TokenInfo,
  type TokenView,
  type Validation,
} from "../backend";

export interface FakeOptions {
  validate?: (draft: ConnectionDraft) => Validation;
  failSave?: { code: "keyring_locked" | "store_io" | "keyring_unavailable"; message: string };
}

export function okVerdict(draft: ConnectionDraft): Validation {
  return {
    errors: [],
    warnings: [],
    endpoints: {
      instanceUrl: "https://acme.coupahost.com",
      authorizationUrl: null,
      tokenUrl: "https://acme.coupahost.com/oauth2/token",
      apiBaseUrl: "https://acme.coupahost.com",
    },
    normalized: draft.settings as Validation["normalized"],
  };
}

export class FakeBackend implements Backend {
  connections: Connection[] = [];
  saved: ConnectionDraft[] = [];
  options: FakeOptions;
  private seq = 0;

  constructor(options: FakeOptions = {}) {
    this.options = options;
  }

  appInfo = async () => ({ name: "Connection Manager", version: "9.9.9" });
  storeNotice = async (): Promise<StoreNotice | null> => null;
  listConnections = async () => structuredClone(this.connections);
  getConnection = async (id: string) => {
    const c = this.connections.find((x) => x.id === id);
    if (!c) throw new BackendError({ code: "not_found", message: `No saved connection has the id ${id}` });
    return structuredClone(c);
  };
  validateConnection = async (draft: ConnectionDraft) => (this.options.validate ?? okVerdict)(draft);
  saveConnection = async (draft: ConnectionDraft) => {
    this.saved.push(structuredClone(draft));
    if (this.options.failSave) throw new BackendError(this.options.failSave);
    const verdict = (this.options.validate ?? okVerdict)(draft);
    const [firstError] = verdict.errors;
    if (firstError || !verdict.endpoints) {
      throw new BackendError({ code: "validation_failed", message: firstError?.message ?? "invalid" });
    }
    const now = new Date().toISOString();
    const existing = this.connections.find((c) => c.id === draft.id);
    const conn: Connection = {
      id: draft.id ?? `id-${++this.seq}`,
      settings: verdict.normalized,
      endpoints: verdict.endpoints,
      hasClientSecret: draft.clientSecret.action === "replace" || (draft.clientSecret.action === "keep" && !!existing?.hasClientSecret),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      lastTest: null,
    };
    this.connections = existing
      ? this.connections.map((c) => (c.id === conn.id ? conn : c))
      : [...this.connections, conn];
    return structuredClone(conn);
  };
  deleteConnection = async (id: string) => {
    this.connections = this.connections.filter((c) => c.id !== id);
  };
  duplicateConnection = async (id: string) => {
    const c = await this.getConnection(id);
    const copy = { ...c, id: `id-${++this.seq}`, settings: { ...c.settings, name: `Copy of ${c.settings.name}` } };
    this.connections.push(copy);
    return structuredClone(copy);
  };
  testSteps: StepReport[] = [];
  testConnection = async (_id: string, onStep: (step: StepReport) => void): Promise<TestReport> => {
    for (const step of this.testSteps) onStep(step);
    return { steps: this.testSteps, ok: this.testSteps.every((s) => s.status === "passed"), token: null };
  };
  /** The cached token, if any; `renewToken` replaces it with a new one. */
  token: TokenView | null = null;
  renewals = 0;
  getToken = async (): Promise<TokenView> => {
    if (!this.token) throw new BackendError({ code: "invalid_grant", message: "There is no token: sign in." });
    return structuredClone(this.token);
  };
  renewToken = async (): Promise<TokenView> => {
    if (!this.token) throw new BackendError({ code: "invalid_grant", message: "There is no refresh token for this connection." });
    this.renewals += 1;
    this.token = { ...this.token, accessToken: `${this.token.accessToken}-renewed-${this.renewals}` };
    return structuredClone(this.token);
  };
  tokenStatus = async (): Promise<TokenInfo | null> => (this.token ? structuredClone(this.token.info) : null);
  startAuthorization = async (): Promise<TokenView> => {
    throw new BackendError({ code: "cancelled", message: "The sign-in was cancelled." });
  };
  cancelAuthorization = async () => {};
  forgetTokens = async () => {
    this.token = null;
  };
  copied: string[] = [];
  copyText = async (text: string) => {
    this.copied.push(text);
  };
  /** The scope catalog the fake serves; its search matches every word, as Rust's does. */
  catalog: ScopeGroup[] = [];
  scopeCatalog = async () => structuredClone(this.catalog);
  searchScopes = async (query: string) => {
    const words = query.toLowerCase().split(/[\s,]+/).filter(Boolean);
    return this.catalog
      .flatMap((g) => g.scopes)
      .filter((s) => words.every((w) => `${s.name} ${s.label} ${s.description}`.toLowerCase().includes(w)));
  };
}
