//! The commands the UI invokes. Each is thin glue: take the managed state, call one function of
//! `connmgr-core`, map its error to [`AppError`]. The TypeScript bindings for all of them are
//! generated from these signatures (see [`builder`] and `ui/src/backend/bindings.ts`).
//!
//! Commands that receive a secret (`save_connection`) are instrumented with the secret skipped;
//! [`connmgr_core::Secret`] prints as `<redacted>` in any case.

use connmgr_core::clipboard::CopyFormat;
use connmgr_core::model::connection::{Connection, ConnectionDraft};
use connmgr_core::model::listing::{ListPage, ListQuery};
use connmgr_core::model::scopes::{ScopeCatalog, ScopeGroup, ScopeInfo};
use connmgr_core::model::transfer::{self, ImportChoice, ImportOutcome, ImportPreview};
use connmgr_core::model::validate::Validation;
use connmgr_core::oauth::TokenInfo;
use connmgr_core::oauth::redirect::DEFAULT_TIMEOUT;
use connmgr_core::oauth::revoke::Revocation;
use connmgr_core::tester::{StepReport, TestReport};
use connmgr_core::tokens::AccessToken;
use connmgr_core::workspace::CopyReceipt;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::browser::SystemBrowser;
use crate::error::CommandResult;
use crate::prefs::Prefs;
use crate::state::{AppState, StoreNotice};
use crate::tasks::{guarded, off_main, off_main_app};

/// The app's name and version, shown in the window and used to check that the UI reaches Rust.
#[derive(Debug, Clone, Serialize, Type)]
pub struct AppInfo {
    /// The product's name as people see it.
    pub name: String,
    /// The build's version.
    pub version: String,
}

/// Tells the UI which app and version it runs in.
#[tauri::command]
#[specta::specta]
pub async fn app_info() -> CommandResult<AppInfo> {
    Ok(AppInfo {
        name: connmgr_core::PRODUCT_NAME.to_owned(),
        version: connmgr_core::VERSION.to_owned(),
    })
}

/// If the connections file could not be read at startup: where it was kept and why.
#[tauri::command]
#[specta::specta]
pub async fn store_notice(state: State<'_, AppState>) -> CommandResult<Option<StoreNotice>> {
    Ok(state.store_notice.clone())
}

/// One page of the connection list: the rows in view of what a search finds, in the order
/// asked for, with the totals and where the selection is.
#[tauri::command]
#[specta::specta]
pub async fn list_connections(
    state: State<'_, AppState>,
    query: ListQuery,
) -> CommandResult<ListPage> {
    off_main(&state, move |w| w.list(&query)).await
}

/// One saved connection.
#[tauri::command]
#[specta::specta]
pub async fn get_connection(state: State<'_, AppState>, id: String) -> CommandResult<Connection> {
    off_main(&state, move |w| w.get(&id)).await
}

/// Rust's verdict on the form: every field error and warning, and the resolved endpoints.
#[tauri::command]
#[specta::specta]
pub async fn validate_connection(
    state: State<'_, AppState>,
    draft: ConnectionDraft,
) -> CommandResult<Validation> {
    off_main(&state, move |w| w.validate(&draft)).await
}

/// Creates or updates a connection; all or nothing across the file and the keyring.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, fields(id = ?draft.id))]
pub async fn save_connection(
    state: State<'_, AppState>,
    draft: ConnectionDraft,
) -> CommandResult<Connection> {
    off_main(&state, move |w| w.save(&draft)).await
}

/// Copies a connection as "Copy of …", with its client secret.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn duplicate_connection(
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<Connection> {
    off_main(&state, move |w| w.duplicate(&id)).await
}

/// Coupa's scope catalog, grouped by object (the standard OpenID Connect scopes first).
#[tauri::command]
#[specta::specta]
pub async fn scope_catalog() -> CommandResult<Vec<ScopeGroup>> {
    Ok(ScopeCatalog::coupa().groups())
}

/// Coupa scopes whose name or description contains every word of `query`.
#[tauri::command]
#[specta::specta]
pub async fn search_scopes(query: String) -> CommandResult<Vec<ScopeInfo>> {
    Ok(ScopeCatalog::coupa()
        .search(&query)
        .into_iter()
        .cloned()
        .collect())
}

/// A step of a running connection test changed: sent as the test goes.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct TestProgress {
    /// The connection under test.
    pub connection_id: String,
    /// The step's new state.
    pub step: StepReport,
}

/// Tests a saved connection step by step (reach the host, get a token, call the API), sending
/// [`TestProgress`] events as it goes, and keeps the outcome with the connection. An
/// authorization-code connection without a usable token signs in through the system browser.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app, state))]
pub async fn test_connection(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<TestReport> {
    let (events, browser) = (id.clone(), SystemBrowser::for_sign_in(app.clone(), &id));
    let progress = move |step: StepReport| {
        let event = TestProgress {
            connection_id: events.clone(),
            step,
        };
        if let Err(err) = event.emit(&app) {
            tracing::warn!(error = %err, "could not send test progress");
        }
    };
    let w = state.workspace.clone();
    guarded(async move { w.test(&id, &browser, DEFAULT_TIMEOUT, &progress).await }).await
}

/// A token as the UI receives it: the value (for copy and reveal) and what is known about it.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    /// The access token.
    pub access_token: String,
    /// Its expiry, scopes and whether a refresh token is held.
    pub info: TokenInfo,
}

impl From<AccessToken> for TokenView {
    fn from(t: AccessToken) -> Self {
        TokenView {
            access_token: t.token.expose().to_owned(),
            info: t.info,
        }
    }
}

/// A usable access token: cached, refreshed or new (client credentials).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn get_token(state: State<'_, AppState>, id: String) -> CommandResult<TokenView> {
    let w = state.workspace.clone();
    guarded(async move { w.token(&id).await.map(TokenView::from) }).await
}

/// A new access token now, whatever is cached: a refresh (authorization code) or a new
/// client-credentials token.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn renew_token(state: State<'_, AppState>, id: String) -> CommandResult<TokenView> {
    let w = state.workspace.clone();
    guarded(async move { w.renew(&id).await.map(TokenView::from) }).await
}

/// What is known of the cached token, without renewing it; `None` when there is none.
#[tauri::command]
#[specta::specta]
pub async fn token_status(
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<Option<TokenInfo>> {
    off_main(&state, move |w| w.token_status(&id)).await
}

/// Removes the connection's cached access token and refresh token, revoked at the server
/// first when it has a revocation endpoint; says what became of them there.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn forget_tokens(state: State<'_, AppState>, id: String) -> CommandResult<Revocation> {
    let w = state.workspace.clone();
    guarded(async move { w.forget(&id).await }).await
}

/// Copies the connection's access token (as the token, a header or a curl command) and clears
/// the clipboard after the delay in the preferences. A token with under a minute left is
/// renewed first (auto-refresh on), or the error says why it cannot be.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app, state))]
pub async fn copy_token(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    format: CopyFormat,
) -> CommandResult<CopyReceipt> {
    let prefs_app = app.clone();
    let clear = tauri::async_runtime::spawn_blocking(move || crate::prefs::load(&prefs_app))
        .await
        .map_err(crate::error::task_failed)??
        .clear_clipboard;
    let clipboard = std::sync::Arc::new(crate::clipboard::SystemClipboard::new(app));
    let w = state.workspace.clone();
    guarded(async move { w.copy(&id, format, clipboard, clear).await }).await
}

/// The saved preferences (or the defaults).
#[tauri::command]
#[specta::specta]
pub async fn get_prefs(app: AppHandle) -> CommandResult<Prefs> {
    off_main_app(app, crate::prefs::load).await
}

/// Saves the preferences.
#[tauri::command]
#[specta::specta]
pub async fn set_prefs(app: AppHandle, prefs: Prefs) -> CommandResult<()> {
    off_main_app(app, move |app| crate::prefs::save(app, &prefs)).await
}

fn home() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(std::path::PathBuf::from)
}

/// Where an export goes unless the admin picks another place: the documents folder (or home),
/// `connections-<date>.json`.
#[tauri::command]
#[specta::specta]
pub async fn default_export_path(app: AppHandle) -> CommandResult<String> {
    off_main_app(app, export_path).await
}

fn export_path(app: &AppHandle) -> CommandResult<String> {
    use tauri::Manager;
    let dir = app
        .path()
        .document_dir()
        .ok()
        .filter(|d| d.is_dir())
        .or_else(home)
        .unwrap_or_else(std::env::temp_dir);
    let date = connmgr_core::time::Timestamp::now().date();
    Ok(dir
        .join(format!("connections-{date}.json"))
        .display()
        .to_string())
}

/// What a file dialog is for.
#[derive(Debug, Clone, Copy, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum FilePurpose {
    /// Choosing where to export to.
    Export,
    /// Choosing a file to import.
    Import,
    /// Choosing a private key (PEM) for a signed assertion.
    PrivateKey,
    /// Choosing the key's certificate (PEM).
    Certificate,
    /// Choosing a provider's credential file (SAP BTP's service key, JSON).
    ServiceKey,
}

/// The system's file dialog; `None` when the admin cancels it.
#[tauri::command]
#[specta::specta]
pub async fn choose_file(
    app: AppHandle,
    purpose: FilePurpose,
    current: String,
) -> CommandResult<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let current = std::path::PathBuf::from(current.trim());
    let mut dialog = app.dialog().file();
    dialog = match purpose {
        FilePurpose::Export | FilePurpose::Import => {
            dialog.add_filter("Connection Manager export", &["json"])
        }
        FilePurpose::ServiceKey => dialog
            .add_filter("Service key", &["json"])
            .add_filter("All files", &["*"]),
        FilePurpose::PrivateKey | FilePurpose::Certificate => dialog
            .add_filter("PEM files", &["pem", "key", "crt", "cer"])
            .add_filter("All files", &["*"]),
    };
    if let Some(dir) = current.parent().filter(|d| d.is_dir()) {
        dialog = dialog.set_directory(dir);
    }
    let done = move |picked: Option<tauri_plugin_dialog::FilePath>| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
    };
    match purpose {
        FilePurpose::Export => {
            if let Some(name) = current.file_name() {
                dialog = dialog.set_file_name(name.to_string_lossy());
            }
            dialog.set_title("Export connections").save_file(done);
        }
        FilePurpose::Import => dialog.set_title("Import connections").pick_file(done),
        FilePurpose::PrivateKey => dialog.set_title("Choose the private key").pick_file(done),
        FilePurpose::ServiceKey => dialog.set_title("Choose the service key").pick_file(done),
        FilePurpose::Certificate => dialog
            .set_title("Choose the key's certificate")
            .pick_file(done),
    }
    Ok(rx.await.ok().flatten().map(|p| p.display().to_string()))
}

/// Exports the connections with the given ids (all for `None`) to `path`, without secrets. An
/// existing file is replaced only with `replace` (else `file_exists`, at the path field).
/// Returns how many were written.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, ids))]
pub async fn export_connections(
    state: State<'_, AppState>,
    ids: Option<Vec<String>>,
    path: String,
    replace: bool,
) -> CommandResult<u32> {
    let count = off_main(&state, move |w| {
        w.export(
            ids.as_deref(),
            &transfer::resolve_path(&path, home().as_deref())?,
            replace,
        )
    })
    .await?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// Checks a file for import and says what importing it would do. Changes nothing.
#[tauri::command]
#[specta::specta]
pub async fn preview_import(
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<ImportPreview> {
    off_main(&state, move |w| {
        w.preview_import(&transfer::resolve_path(&path, home().as_deref())?)
    })
    .await
}

/// Imports a file with the admin's choice for each connection; all or nothing.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, choices))]
pub async fn import_connections(
    state: State<'_, AppState>,
    path: String,
    choices: Vec<ImportChoice>,
) -> CommandResult<ImportOutcome> {
    off_main(&state, move |w| {
        w.import(&transfer::resolve_path(&path, home().as_deref())?, &choices)
    })
    .await
}

/// The local sandbox's address when the app was started with one and it answers; `None`
/// otherwise.
#[tauri::command]
#[specta::specta]
pub async fn sandbox_status(state: State<'_, AppState>) -> CommandResult<Option<String>> {
    let Some(url) = crate::demo::sandbox_url() else {
        return Ok(None);
    };
    let health = format!("{}/healthz", url.trim_end_matches('/'));
    let Ok(request) = http::Request::get(health).body(Vec::new()) else {
        return Ok(None);
    };
    let up = matches!(state.workspace.http().send(request).await, Ok(r) if r.status().is_success());
    Ok(up.then_some(url))
}

/// Adds (or points again at the running sandbox) the "Local sandbox (Coupa)" connection.
#[tauri::command]
#[specta::specta]
pub async fn add_sandbox_connection(state: State<'_, AppState>) -> CommandResult<Connection> {
    let Some(url) = crate::demo::sandbox_url() else {
        return Err(connmgr_core::Error::Refused(
            "No local sandbox was started with the app (make run starts one).".to_owned(),
        )
        .into());
    };
    off_main(&state, move |w| crate::demo::ensure_now(w, &url)).await
}

/// Puts text that is not a secret (a redirect URI, a scope string) on the clipboard.
#[tauri::command]
#[specta::specta]
pub async fn copy_text(app: AppHandle, text: String) -> CommandResult<()> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    off_main_app(app, move |app| {
        app.clipboard()
            .write_text(text)
            .map_err(|e| connmgr_core::Error::Clipboard(e.to_string()).into())
    })
    .await
}

/// The typed command and event set: registered with Tauri by [`crate::run`] and exported as
/// TypeScript by the `bindings_are_current` test.
pub fn builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            app_info,
            store_notice,
            list_connections,
            get_connection,
            validate_connection,
            save_connection,
            crate::deletion::delete_connection,
            crate::deletion::undo_delete,
            duplicate_connection,
            scope_catalog,
            crate::discovery::server_scope_catalog,
            search_scopes,
            test_connection,
            get_token,
            renew_token,
            token_status,
            crate::sign_in::start_authorization,
            crate::sign_in::cancel_authorization,
            crate::sign_in::start_device_sign_in,
            crate::sign_in::finish_device_sign_in,
            crate::sign_in::open_in_browser,
            crate::discovery::discover_server,
            crate::discovery::choose_preset,
            crate::discovery::read_service_key,
            forget_tokens,
            copy_text,
            copy_token,
            get_prefs,
            set_prefs,
            default_export_path,
            choose_file,
            export_connections,
            preview_import,
            import_connections,
            sandbox_status,
            add_sandbox_connection,
        ])
        .events(tauri_specta::collect_events![
            TestProgress,
            crate::browser::SignInOpened,
            crate::deletion::DeleteFinished,
            crate::auto_refresh::TokenRenewed,
            crate::watch::ConnectionsChanged
        ])
        .constant("FACTS", connmgr_core::facts::facts())
}
