// An in-memory Backend for component tests. Validation verdicts are what the test says they are:
// the real rules live in Rust and are tested there.
import {
  type Backend,
  BackendError,
  FACTS,
  type Connection,
  type ConnectionDraft,
  type ConnectionSettings,
  type ConnectionSummary,
  type CopyFormat,
  type CopyReceipt,
  type DeviceAuthorization,
  type Discovered,
  type FilePurpose,
  type ServerMetadata,
  type ImportChoice,
  type ImportOutcome,
  type ImportPreview,
  type ListPage,
  type ListQuery,
  type Prefs,
  type Revocation,
  type ScopeGroup,
  type ServiceKeyPreview,
  type StepReport,
  type StoreNotice,
  type TestReport,
  type TokenInfo,
  type TokenView,
  type Validation,
} from "../backend";
import { newSettings } from "../connections/form";
import { summaryOf } from "./connection-fixture";

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

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
      issuer: "https://acme.coupahost.com",
      revocationUrl: null,
      deviceAuthorizationUrl: null,
    },
    normalized: draft.settings as Validation["normalized"],
    domains: draft.settings.validDomains.map((host) => ({ typed: host, host, problem: null })),
  };
}

export class FakeBackend implements Backend {
  connections: Connection[] = [];
  saved: ConnectionDraft[] = [];
  options: FakeOptions;
  private seq = 0;

  /** Hears of sign-in pages as the app's shell does; `openSignIn` sends one as Rust would. */
  signInListener: ((id: string, url: string) => void) | null = null;
  onSignInOpened = async (listener: (id: string, url: string) => void) => {
    this.signInListener = listener;
    return () => (this.signInListener = null);
  };
  openSignIn(id: string, url: string): void {
    this.signInListener?.(id, url);
  }

  /** What the window was asked, as a person closing it or the app renaming it would. */
  closeListener: (() => boolean) | null = null;
  windowClosed = false;
  windowTitle = "";
  onCloseRequested = async (keepOpen: () => boolean) => {
    this.closeListener = keepOpen;
    return () => (this.closeListener = null);
  };
  /** Asks to close the window as the window manager would; whether it closed. */
  requestClose(): boolean {
    if (this.closeListener?.()) return false;
    this.windowClosed = true;
    return true;
  }
  closeWindow = async () => {
    this.windowClosed = true;
  };
  setWindowTitle = async (title: string) => {
    this.windowTitle = title;
  };

  constructor(options: FakeOptions = {}) {
    this.options = options;
  }

  appInfo = async () => ({ name: "Connection Manager", version: "9.9.9" });
  storeNotice = async (): Promise<StoreNotice | null> => null;
  /** A plain stand-in for Rust's list (connmgr_core::model::listing, tested there). */
  listConnections = async (q: ListQuery): Promise<ListPage> => {
    const words = (q.search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    const found = this.connections
      .map((c) => ({ c, s: summaryOf(c) }))
      .filter(({ c, s }) => words.every((w) => `${s.name}\n${s.host}\n${c.settings.scopes.join(" ")}`.toLowerCase().includes(w)));
    const byName = (a: { s: ConnectionSummary }, b: { s: ConnectionSummary }) => collator.compare(a.s.name, b.s.name);
    const when = (t: string | null | undefined) => (t ? Date.parse(t) : 0);
    found.sort((a, b) => {
      if (q.sort === "last_used") return when(b.s.lastUsed) - when(a.s.lastUsed) || byName(a, b);
      if (q.sort === "last_tested") return when(b.s.lastTest?.at) - when(a.s.lastTest?.at) || byName(a, b);
      return byName(a, b);
    });
    const offset = Math.min(q.offset ?? 0, found.length);
    const at = found.findIndex(({ s }) => s.id === q.locate);
    return {
      saved: this.connections.length,
      matching: found.length,
      offset,
      rows: found.slice(offset, offset + (q.limit ?? 0)).map(({ s }) => s),
      located: at < 0 ? null : at,
    };
  };
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
      lastTest: existing?.lastTest ?? null,
      lastUsed: existing?.lastUsed ?? null,
      token: existing?.token ?? null,
      needsClientSecret: !!existing?.needsClientSecret && draft.clientSecret.action !== "replace",
    };
    this.connections = existing
      ? this.connections.map((c) => (c.id === conn.id ? conn : c))
      : [...this.connections, conn];
    return structuredClone(conn);
  };
  /** What the server is said to have done with the tokens on delete and forget. */
  revocation: Revocation = { outcome: "nothing_held" };
  /** Deleted but still undoable, as Rust keeps them; `finishDeletes` makes them final. */
  pendingDeletes: Connection[] = [];
  undoSeconds = 10;
  deleteConnection = async (id: string) => {
    const gone = this.connections.find((c) => c.id === id);
    if (!gone) throw new BackendError({ code: "not_found", message: `No saved connection has the id ${id}.` });
    this.connections = this.connections.filter((c) => c.id !== id);
    this.pendingDeletes.push(gone);
    return { connection: structuredClone(gone), undoSeconds: this.undoSeconds };
  };
  undoDelete = async (id: string) => {
    const back = this.pendingDeletes.find((c) => c.id === id);
    if (!back) throw new BackendError({ code: "refused", message: "The delete can no longer be undone." });
    this.pendingDeletes = this.pendingDeletes.filter((c) => c.id !== id);
    this.connections.push(back);
    return structuredClone(back);
  };
  deleteListener: ((f: { connectionId: string; name: string; revocation: Revocation }) => void) | null = null;
  onDeleteFinished = async (listener: (f: { connectionId: string; name: string; revocation: Revocation }) => void) => {
    this.deleteListener = listener;
    return () => (this.deleteListener = null);
  };
  /** Makes the pending deletes final, as Rust does when the undo time is over. */
  finishDeletes(): void {
    for (const c of this.pendingDeletes) this.deleteListener?.({ connectionId: c.id, name: c.settings.name, revocation: this.revocation });
    this.pendingDeletes = [];
  }
  duplicateConnection = async (id: string) => {
    const c = await this.getConnection(id);
    const copy = { ...c, id: `id-${++this.seq}`, settings: { ...c.settings, name: `Copy of ${c.settings.name}` } };
    this.connections.push(copy);
    return structuredClone(copy);
  };
  testSteps: StepReport[] = [];
  testConnection = async (id: string, onStep: (step: StepReport) => void): Promise<TestReport> => {
    for (const step of this.testSteps) onStep(step);
    const ok = this.testSteps.every((s) => s.status === "passed");
    const lastTest = { ok, at: new Date().toISOString(), summary: ok ? "All steps passed" : "A step failed" };
    this.connections = this.connections.map((c) => (c.id === id ? { ...c, lastTest } : c));
    return { steps: this.testSteps, ok, token: null };
  };
  /** The cached token, if any; `renewToken` replaces it with a new one. */
  token: TokenView | null = null;
  private renewedListeners = new Set<(id: string) => void>();
  onTokenRenewed = async (listener: (id: string) => void) => {
    this.renewedListeners.add(listener);
    return () => {
      this.renewedListeners.delete(listener);
    };
  };
  private changedListeners = new Set<() => void>();
  onConnectionsChanged = async (listener: () => void) => {
    this.changedListeners.add(listener);
    return () => {
      this.changedListeners.delete(listener);
    };
  };
  /** Plays another process changing the saved connections. */
  emitConnectionsChanged() {
    for (const listener of this.changedListeners) listener();
  }
    /** Plays the app's background renewal of `id`'s token. */
  emitTokenRenewed(id: string) {
    for (const listener of this.renewedListeners) listener(id);
  }
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
  cancelAuthorization = async () => {
    this.rejectDevice?.(new BackendError({ code: "cancelled", message: "The sign-in was cancelled." }));
  };
  /** The device sign-in the fake hands out; `approveDevice` completes it with `token`. */
  device: DeviceAuthorization = {
    userCode: "WDJB-MJHT",
    verificationUri: "https://id.example.com/device",
    verificationUriComplete: "https://id.example.com/device?user_code=WDJB-MJHT",
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
    intervalSeconds: 5,
    qrSvg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>',
  };
  private resolveDevice: ((t: TokenView) => void) | null = null;
  private rejectDevice: ((e: unknown) => void) | null = null;
  startDeviceSignIn = async (): Promise<DeviceAuthorization> => structuredClone(this.device);
  finishDeviceSignIn = (): Promise<TokenView> =>
    new Promise((resolve, reject) => {
      this.resolveDevice = resolve;
      this.rejectDevice = reject;
    });
  /** Plays the person approving the device code. */
  approveDevice(token: TokenView) {
    this.token = token;
    this.resolveDevice?.(structuredClone(token));
  }
  opened: string[] = [];
  openInBrowser = async (url: string) => {
    this.opened.push(url);
  };
  forgetTokens = async (): Promise<Revocation> => {
    this.token = null;
    return this.revocation;
  };
  copied: string[] = [];
  copyText = async (text: string) => {
    this.copied.push(text);
  };
  /** The scope catalog the fake serves; its search matches every word, as Rust's does. */
  catalog: ScopeGroup[] = [];
  scopeCatalog = async () => structuredClone(this.catalog);
  serverScopeCatalog = async (metadata: ServerMetadata): Promise<ScopeGroup[]> => [
    {
      group: "server",
      label: "Offered by the server",
      scopes: metadata.scopesSupported.map((name) => ({
        name,
        group: "server",
        right: "",
        label: "Offered by the server",
        description: "",
        standard: false,
      })),
    },
  ];
  /** As Rust's presets::choose: a generic connection of the preset, with its defaults. */
  choosePreset = async (settings: ConnectionDraft["settings"], id: string): Promise<ConnectionSettings> => {
    const p = FACTS.presets.find((x) => x.id === id);
    if (!p) throw new BackendError({ code: "not_found", message: `the provider preset ${id}` });
    const fresh = newSettings();
    return {
      ...fresh,
      provider: "generic",
      name: settings.name,
      clientId: settings.clientId,
      validDomains: [],
      scopes: [...p.scopes],
      grantType: p.grantType,
      clientAuth: p.clientAuth,
      extraParams: p.extraParams.map((x) => ({ ...x })),
      testRequest: { ...p.testRequest },
      assertion: {
        ...fresh.assertion,
        algorithm: p.assertion?.algorithm ?? fresh.assertion.algorithm,
        certificateThumbprint: p.assertion?.certificateThumbprint ?? false,
        claims: (p.assertion?.claims ?? []).map((c) => ({ ...c })),
      },
      preset: { id, values: Object.fromEntries(p.fields.map((f) => [f.id, f.default ?? ""])) },
    };
  };
  /** What readServiceKey answers, by path. */
  serviceKeys = new Map<string, ServiceKeyPreview>();
  readServiceKey = async (_preset: string, path: string): Promise<ServiceKeyPreview> => {
    const found = this.serviceKeys.get(path);
    if (!found) throw new BackendError({ code: "import_invalid", message: `${path} cannot be imported: no such file.` });
    return structuredClone(found);
  };
  /** What discoverServer answers next; null makes it fail as an unreachable issuer would. */
  discovered: Discovered | null = null;
  discoverServer = async (): Promise<Discovered> => {
    if (!this.discovered) throw new BackendError({ code: "connect", message: "The issuer could not be reached." });
    return structuredClone(this.discovered);
  };
  searchScopes = async (query: string) => {
    const words = query.toLowerCase().split(/[\s,]+/).filter(Boolean);
    return this.catalog
      .flatMap((g) => g.scopes)
      .filter((s) => words.every((w) => `${s.name} ${s.label} ${s.description}`.toLowerCase().includes(w)));
  };
  /** What copyToken was asked for, in order. */
  copiedTokens: { id: string; format: CopyFormat }[] = [];
  copyToken = async (id: string, format: CopyFormat): Promise<CopyReceipt> => {
    if (!this.token) throw new BackendError({ code: "invalid_grant", message: "There is no token: sign in." });
    this.copiedTokens.push({ id, format });
    const labels: Record<CopyFormat, string> = {
      access_token: "Access token",
      authorization_header: "Authorization header",
      curl: "curl command",
    };
    const seconds = { off: null, "15s": 15, "30s": 30, "2m": 120 }[this.prefs.clearClipboard];
    return {
      what: labels[format],
      clearAfterSeconds: seconds,
      clearsAt: seconds === null ? null : new Date(Date.now() + seconds * 1000).toISOString(),
      renewed: false,
      expiresAt: this.token.info.expiresAt,
    };
  };
  prefs: Prefs = { selectedId: null, sort: "name", clearClipboard: "30s" };
  getPrefs = async () => structuredClone(this.prefs);
  setPrefs = async (prefs: Prefs) => {
    this.prefs = structuredClone(prefs);
  };
  defaultExportPath = async () => "/home/admin/connections.json";
  chooseFile: (purpose: FilePurpose, current: string) => Promise<string | null> = async () => null;
  exported: { ids: string[] | null; path: string }[] = [];
  /** Paths that exist already: exporting there needs `replace`. */
  existingFiles = new Set<string>();
  exportConnections = async (ids: string[] | null, path: string, replace: boolean) => {
    if (!path.startsWith("/")) throw new BackendError({ code: "validation_failed", message: "Give the full path.", field: "path" });
    if (!replace && this.existingFiles.has(path)) {
      throw new BackendError({ code: "file_exists", message: `${path} already exists. Choose another name, or replace it.`, field: "path" });
    }
    this.exported.push({ ids, path });
    return ids?.length ?? this.connections.length;
  };
  /** The preview previewImport answers; null: the file is refused. */
  importPreview: ImportPreview | null = null;
  previewImport = async (path: string) => {
    if (!this.importPreview) throw new BackendError({ code: "import_invalid", message: `${path} cannot be imported: it is not JSON.` });
    return structuredClone(this.importPreview);
  };
  importChoices: ImportChoice[] = [];
  importOutcome: ImportOutcome = { imported: [], skipped: 0, refused: [] };
  importConnections = async (_path: string, choices: ImportChoice[]) => {
    this.importChoices = structuredClone(choices);
    this.connections.push(...structuredClone(this.importOutcome.imported));
    return structuredClone(this.importOutcome);
  };
  sandboxUrl: string | null = null;
  sandboxStatus = async () => this.sandboxUrl;
  addSandboxConnection = async () => {
    const c = await this.saveConnection({
      id: null,
      settings: { ...newSettings(), name: "Local sandbox (Coupa)", subdomain: this.sandboxUrl ?? "" },
      clientSecret: { action: "keep" },
    });
    return c;
  };
}
