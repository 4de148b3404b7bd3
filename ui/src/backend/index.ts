// The typed interface between the UI and the app. Components receive a Backend through Svelte
// context and never import Tauri: the app gives them the Tauri implementation (./tauri.ts),
// component tests give them a fake.
import { getContext, setContext } from "svelte";
import type * as B from "./bindings";

/** Facts Rust decides (a new connection's settings, providers, grants, separators…). */
export { FACTS } from "./bindings";

// What Rust sends (its Serialize form) and what it accepts (its Deserialize form), under the
// names the UI uses.
export type AppError = B.AppError_Serialize;
export type AppInfo = B.AppInfo;
export type ErrorCode = B.ErrorCode;
export type Connection = B.Connection_Serialize;
export type ConnectionSummary = B.ConnectionSummary_Serialize;
export type ConnectionSettings = B.ConnectionSettings_Serialize;
export type ConnectionDraft = B.ConnectionDraft_Deserialize;
export type Endpoints = B.Endpoints_Serialize;
export type FieldIssue = B.FieldIssue;
export type Validation = B.Validation_Serialize;
export type ScopeGroup = B.ScopeGroup_Serialize;
export type ScopeInfo = B.ScopeInfo_Serialize;
export type StoreNotice = B.StoreNotice;
export type SecretUpdate = B.SecretUpdate;
export type Provider = B.Provider;
export type CoupaDomain = B.CoupaDomain;
export type GrantType = B.GrantType;
export type ClientAuth = B.ClientAuth;
export type ExtraParam = B.ExtraParam;
export type AssertionField = B.AssertionField;
export type KeyFacts = B.KeyFacts_Serialize;
export type ServiceKeyPreview = B.ServiceKeyPreview;
export type ParamStage = B.ParamStage;
export type ServerMetadata = B.ServerMetadata_Serialize;
export type Discovered = B.Discovered_Serialize;
export type TestSummary = B.TestSummary;
export type StepReport = B.StepReport_Serialize;
export type TestReport = B.TestReport_Serialize;
export type TokenInfo = B.TokenInfo_Serialize;
export type DecodedJwt = B.DecodedJwt;
export type TokenView = B.TokenView_Serialize;
export type TokenSummary = B.TokenSummary_Serialize;
export type CopyFormat = B.CopyFormat;
export type CopyReceipt = B.CopyReceipt_Serialize;
export type Prefs = B.Prefs_Serialize;
export type ListSort = B.ListSort;
export type ListQuery = B.ListQuery_Deserialize;
export type ListPage = B.ListPage_Serialize;
export type ClearAfter = B.ClearAfter;
export type FilePurpose = B.FilePurpose;
export type ImportPreview = B.ImportPreview_Serialize;
export type ImportItem = B.ImportItem_Serialize;
export type ImportAction = B.ImportAction;
export type ImportChoice = B.ImportChoice;
export type ImportOutcome = B.ImportOutcome_Serialize;
export type Revocation = B.Revocation;
export type Deleted = B.Deleted_Serialize;
export type DeleteFinished = B.DeleteFinished;
export type DeviceAuthorization = B.DeviceAuthorization_Serialize;

/** Everything the UI can ask of the app. Each method rejects with a BackendError. */
export interface Backend {
  appInfo(): Promise<AppInfo>;
  storeNotice(): Promise<StoreNotice | null>;
  /** One page of the connection list: what a search finds, in order, with the totals. */
  listConnections(query: ListQuery): Promise<ListPage>;
  getConnection(id: string): Promise<Connection>;
  validateConnection(draft: ConnectionDraft): Promise<Validation>;
  saveConnection(draft: ConnectionDraft): Promise<Connection>;
  /** Deletes a connection; it can be undone for `undoSeconds` (then it is final: tokens
   *  revoked at the server, keyring entries removed, and `onDeleteFinished` hears of it). */
  deleteConnection(id: string): Promise<Deleted>;
  /** Undoes a delete that is not final yet: the connection is back as it was. */
  undoDelete(id: string): Promise<Connection>;
  duplicateConnection(id: string): Promise<Connection>;
  scopeCatalog(): Promise<ScopeGroup[]>;
  /** The scopes a server's metadata offers, grouped for the picker. */
  serverScopeCatalog(metadata: ServerMetadata): Promise<ScopeGroup[]>;
  /** Fetches the issuer's metadata (RFC 8414) and says what it makes of the settings. */
  discoverServer(settings: ConnectionDraft["settings"]): Promise<Discovered>;
  /** The form's settings made into a connection of a provider preset (Rust's defaults). */
  choosePreset(settings: ConnectionDraft["settings"], id: string): Promise<ConnectionSettings>;
  /** A preset's credential file (SAP BTP's service key): its fields and client ID, not its secret. */
  readServiceKey(preset: string, path: string): Promise<ServiceKeyPreview>;
  searchScopes(query: string): Promise<ScopeInfo[]>;
  /** Tests a saved connection; `onStep` hears each step as it starts and ends. */
  testConnection(id: string, onStep: (step: StepReport) => void): Promise<TestReport>;
  /** A usable access token: cached, refreshed or new. */
  getToken(id: string): Promise<TokenView>;
  /** What is known of the cached token, without renewing it. */
  tokenStatus(id: string): Promise<TokenInfo | null>;
  /** Signs in through the system browser (authorization code). */
  startAuthorization(id: string): Promise<TokenView>;
  /** Cancels the connection's sign-ins in progress (browser or device code). */
  cancelAuthorization(id: string): Promise<void>;
  /** Starts a device sign-in (RFC 8628): the code to show and the page to enter it on. */
  startDeviceSignIn(id: string): Promise<DeviceAuthorization>;
  /** Waits for the person to approve the code the start got; keeps the tokens. */
  finishDeviceSignIn(id: string): Promise<TokenView>;
  /** Opens a web page (https, or http on this computer) in the system browser. */
  openInBrowser(url: string): Promise<void>;
  forgetTokens(id: string): Promise<Revocation>;
  /** A new token now: a refresh, or a new client-credentials token. */
  renewToken(id: string): Promise<TokenView>;
  /** Puts text that is not a secret on the clipboard. */
  copyText(text: string): Promise<void>;
  /** Copies the connection's token (renewed first if under a minute is left); cleared later. */
  copyToken(id: string, format: CopyFormat): Promise<CopyReceipt>;
  getPrefs(): Promise<Prefs>;
  setPrefs(prefs: Prefs): Promise<void>;
  /** Where an export goes unless another place is chosen. */
  defaultExportPath(): Promise<string>;
  /** The system's file dialog; null when cancelled. */
  chooseFile(purpose: FilePurpose, current: string): Promise<string | null>;
  /** Exports the given connections (all for null), without secrets; how many were written. */
  exportConnections(ids: string[] | null, path: string, replace: boolean): Promise<number>;
  /** Checks a file for import and says what importing it would do. */
  previewImport(path: string): Promise<ImportPreview>;
  importConnections(path: string, choices: ImportChoice[]): Promise<ImportOutcome>;
  /** The local sandbox's address when it runs, else null. */
  sandboxStatus(): Promise<string | null>;
  addSandboxConnection(): Promise<Connection>;
  /** Hears each background renewal (auto-refresh) of a connection's token, by connection id;
   *  resolves to the function that stops listening. */
  onTokenRenewed(listener: (id: string) => void): Promise<() => void>;
  /** Hears that another process (the command-line tool) changed the saved connections;
   *  resolves to the function that stops listening. */
  onConnectionsChanged(listener: () => void): Promise<() => void>;
  /** Hears that a delete became final, and what became of its tokens at the server;
   *  resolves to the function that stops listening. */
  onDeleteFinished(listener: (finished: DeleteFinished) => void): Promise<() => void>;
  /** Hears the address of each sign-in page the app sends the browser to, by connection id;
   *  resolves to the function that stops listening. */
  onSignInOpened(listener: (id: string, url: string) => void): Promise<() => void>;
  /** Hears that the window is asked to close; `keepOpen` says whether it stays (unsaved work
   *  to ask about). Resolves to the function that stops listening. */
  onCloseRequested(keepOpen: () => boolean): Promise<() => void>;
  /** Closes the window now, without asking again. */
  closeWindow(): Promise<void>;
  /** The window's title, as the desktop's task bar and window switcher show it. */
  setWindowTitle(title: string): Promise<void>;
}

/** A command's failure, as Rust reported it. Match on `code`, never on `message`. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;

  constructor(error: { code: ErrorCode; message: string; field?: string | null }) {
    super(error.message);
    this.name = "BackendError";
    this.code = error.code;
    this.field = error.field ?? null;
  }
}

/** A failure's message for people, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Turns a generated command's result into a value, or throws its error as a BackendError. */
export function unwrap<T>(result: { status: "ok"; data: T } | { status: "error"; error: AppError }): T {
  if (result.status === "ok") return result.data;
  // The IPC layer itself refuses with a bare string (a command not allowed or not found): say it
  // rather than fail with an empty message.
  const error: unknown = result.error;
  if (typeof error !== "object" || error === null || typeof (error as AppError).message !== "string") {
    throw new BackendError({ code: "internal", message: `The app could not do this: ${String(error)}.` });
  }
  throw new BackendError(result.error);
}

const KEY = Symbol("backend");

/** Makes `backend` available to every component below the caller. */
export function provideBackend(backend: Backend): void {
  setContext(KEY, backend);
}

/** The Backend given by an ancestor through provideBackend. */
export function useBackend(): Backend {
  const backend = getContext<Backend | undefined>(KEY);
  if (!backend) throw new Error("No Backend was provided to this component tree");
  return backend;
}
