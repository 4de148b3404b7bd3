//! The commands the UI invokes. Each is thin glue: take the managed state, call one function of
//! `connmgr-core`, map its error to [`AppError`]. The TypeScript bindings for all of them are
//! generated from these signatures (see [`builder`] and `ui/src/backend/bindings.ts`).
//!
//! Commands that receive a secret (`save_connection`) are instrumented with the secret skipped;
//! [`connmgr_core::Secret`] prints as `<redacted>` in any case.

use connmgr_core::clipboard::CopyFormat;
use connmgr_core::connection::{Connection, ConnectionDraft, ConnectionSummary};
use connmgr_core::oauth::TokenInfo;
use connmgr_core::redirect::DEFAULT_TIMEOUT;
use connmgr_core::scopes::{ScopeCatalog, ScopeGroup, ScopeInfo};
use connmgr_core::tester::{SignIn, StepReport, TestReport};
use connmgr_core::tokens::AccessToken;
use connmgr_core::transfer::{self, ImportChoice, ImportOutcome, ImportPreview};
use connmgr_core::validate::Validation;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::browser::SystemBrowser;
use crate::error::CommandResult;
use crate::prefs::Prefs;
use crate::state::{AppState, StoreNotice};

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
pub fn app_info() -> CommandResult<AppInfo> {
    Ok(AppInfo {
        name: connmgr_core::PRODUCT_NAME.to_owned(),
        version: connmgr_core::VERSION.to_owned(),
    })
}

/// If the connections file could not be read at startup: where it was kept and why.
#[tauri::command]
#[specta::specta]
pub fn store_notice(state: State<'_, AppState>) -> CommandResult<Option<StoreNotice>> {
    Ok(state.store_notice.clone())
}

/// What the list shows of the saved connections, in the order they were created: all of them, or
/// only those in `ids` (the ones an action just changed; an id no longer saved is left out).
#[tauri::command]
#[specta::specta]
pub fn list_connections(
    state: State<'_, AppState>,
    ids: Option<Vec<String>>,
) -> CommandResult<Vec<ConnectionSummary>> {
    let mut all = state.connections.summaries()?;
    if let Some(ids) = ids {
        all.retain(|c| ids.contains(&c.id));
    }
    Ok(all)
}

/// One saved connection.
#[tauri::command]
#[specta::specta]
pub fn get_connection(state: State<'_, AppState>, id: String) -> CommandResult<Connection> {
    Ok(state.connections.get(&id)?)
}

/// Rust's verdict on the form: every field error and warning, and the resolved endpoints.
#[tauri::command]
#[specta::specta]
pub fn validate_connection(
    state: State<'_, AppState>,
    draft: ConnectionDraft,
) -> CommandResult<Validation> {
    Ok(state.connections.validate(&draft)?)
}

/// Creates or updates a connection; all or nothing across the file and the keyring.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, fields(id = ?draft.id))]
pub fn save_connection(
    state: State<'_, AppState>,
    draft: ConnectionDraft,
) -> CommandResult<Connection> {
    Ok(state.connections.save(&draft)?)
}

/// Deletes a connection and its keyring entries.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub fn delete_connection(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    Ok(state.connections.delete(&id)?)
}

/// Copies a connection as "Copy of …", with its client secret.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub fn duplicate_connection(state: State<'_, AppState>, id: String) -> CommandResult<Connection> {
    Ok(state.connections.duplicate(&id)?)
}

/// Coupa's scope catalog, grouped by object (the standard OpenID Connect scopes first).
#[tauri::command]
#[specta::specta]
pub fn scope_catalog() -> CommandResult<Vec<ScopeGroup>> {
    Ok(ScopeCatalog::coupa().groups())
}

/// Coupa scopes whose name or description contains every word of `query`.
#[tauri::command]
#[specta::specta]
pub fn search_scopes(query: String) -> CommandResult<Vec<ScopeInfo>> {
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
    let connection = state.connections.get(&id)?;
    let progress = |step: StepReport| {
        let event = TestProgress {
            connection_id: id.clone(),
            step,
        };
        if let Err(err) = event.emit(&app) {
            tracing::warn!(error = %err, "could not send test progress");
        }
    };
    let browser = SystemBrowser::new(app.clone());
    let cancel = sign_in_cancel(&state, &id);
    let sign_in = SignIn {
        opener: &browser,
        timeout: DEFAULT_TIMEOUT,
        cancel: Box::pin(async move { cancel.notified().await }),
    };
    let report = connmgr_core::tester::run(
        &state.http,
        &state.tokens,
        &connection,
        Some(sign_in),
        &progress,
    )
    .await;
    state
        .sign_ins
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&id);
    state.connections.record_test(&id, report.summary())?;
    let cached = state.tokens.cached(&id).ok().flatten();
    remember_token(&state, &id, cached.as_ref().map(|t| &t.info));
    tracing::info!(ok = report.ok, "connection tested");
    Ok(report)
}

/// A new cancel signal for a sign-in of connection `id`.
fn sign_in_cancel(state: &AppState, id: &str) -> std::sync::Arc<tokio::sync::Notify> {
    let notify = std::sync::Arc::new(tokio::sync::Notify::new());
    state
        .sign_ins
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.to_owned(), notify.clone());
    notify
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
    let connection = state.connections.get(&id)?;
    let token = state.tokens.get(&connection).await?;
    remember_token(&state, &id, Some(&token.info));
    Ok(token.into())
}

/// A new access token now, whatever is cached: a refresh (authorization code) or a new
/// client-credentials token.
#[tauri::command]
#[specta::specta]
pub async fn renew_token(state: State<'_, AppState>, id: String) -> CommandResult<TokenView> {
    let connection = state.connections.get(&id)?;
    let token = state.tokens.renew_now(&connection).await?;
    remember_token(&state, &id, Some(&token.info));
    Ok(token.into())
}

/// What is known of the cached token, without renewing it; `None` when there is none.
#[tauri::command]
#[specta::specta]
pub fn token_status(state: State<'_, AppState>, id: String) -> CommandResult<Option<TokenInfo>> {
    Ok(state.tokens.cached(&id)?.map(|t| t.info))
}

/// Signs in through the system browser (authorization code) and keeps the tokens.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app, state))]
pub async fn start_authorization(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<TokenView> {
    let connection = state.connections.get(&id)?;
    let browser = SystemBrowser::new(app);
    let cancel = sign_in_cancel(&state, &id);
    let result = state
        .tokens
        .sign_in(&connection, &browser, DEFAULT_TIMEOUT, async move {
            cancel.notified().await
        })
        .await;
    state
        .sign_ins
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&id);
    let token = result?;
    remember_token(&state, &id, Some(&token.info));
    Ok(token.into())
}

/// Cancels a sign-in waiting for the browser; the redirect port is released.
#[tauri::command]
#[specta::specta]
pub fn cancel_authorization(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    if let Some(notify) = state
        .sign_ins
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&id)
    {
        notify.notify_one();
    }
    Ok(())
}

/// Removes the connection's cached access token and refresh token.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub fn forget_tokens(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.tokens.forget(&id)?;
    remember_token(&state, &id, None);
    Ok(())
}

/// Keeps what the list shows of a connection's token. The token itself is already in the
/// keyring; a failure to note it is logged and does not fail the command.
fn remember_token(state: &AppState, id: &str, info: Option<&TokenInfo>) {
    if let Err(err) = state.connections.record_token(id, info) {
        tracing::warn!(id, error = %err, "could not note the token state");
    }
}

/// What a copy put on the clipboard, for the toast (never the value).
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CopyReceipt {
    /// "Access token", "Authorization header" or "curl command".
    pub what: String,
    /// When the clipboard will be cleared (RFC 3339), or `None` when it is not.
    pub clears_at: Option<String>,
    /// The delay before it is cleared, in seconds.
    pub clear_after_seconds: Option<u32>,
    /// Whether a new token was obtained first (the cached one was expired or nearly).
    pub renewed: bool,
    /// When the copied token expires (RFC 3339), if known.
    pub expires_at: Option<String>,
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
    let connection = state.connections.get(&id)?;
    let before = state.tokens.cached(&id)?.map(|t| t.info.obtained_at);
    let token = state.tokens.get(&connection).await?;
    remember_token(&state, &id, Some(&token.info));
    let text = connmgr_core::clipboard::render(format, &token.token, &connection)?;
    let clear = crate::prefs::load(&app)?.clear_clipboard;
    let clipboard = std::sync::Arc::new(crate::clipboard::SystemClipboard::new(app.clone()));
    connmgr_core::clipboard::copy_and_clear_later(clipboard, text, clear)?;
    let delay = clear.delay();
    tracing::info!(format = format.label(), "token copied");
    Ok(CopyReceipt {
        what: format.label().to_owned(),
        clears_at: delay.map(connmgr_core::time::rfc3339_after),
        clear_after_seconds: delay.map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX)),
        renewed: before.as_ref() != Some(&token.info.obtained_at),
        expires_at: token.info.expires_at.clone(),
    })
}

/// The saved preferences (or the defaults).
#[tauri::command]
#[specta::specta]
pub fn get_prefs(app: AppHandle) -> CommandResult<Prefs> {
    crate::prefs::load(&app)
}

/// Saves the preferences.
#[tauri::command]
#[specta::specta]
pub fn set_prefs(app: AppHandle, prefs: Prefs) -> CommandResult<()> {
    crate::prefs::save(&app, &prefs)
}

fn home() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(std::path::PathBuf::from)
}

/// Where an export goes unless the admin picks another place: the documents folder (or home),
/// `connections-<date>.json`.
#[tauri::command]
#[specta::specta]
pub fn default_export_path(app: AppHandle) -> CommandResult<String> {
    use tauri::Manager;
    let dir = app
        .path()
        .document_dir()
        .ok()
        .filter(|d| d.is_dir())
        .or_else(home)
        .unwrap_or_else(std::env::temp_dir);
    let date: String = connmgr_core::time::now_rfc3339().chars().take(10).collect();
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
    let mut dialog = app
        .dialog()
        .file()
        .add_filter("Connection Manager export", &["json"]);
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
    }
    Ok(rx.await.ok().flatten().map(|p| p.display().to_string()))
}

/// Exports the connections with the given ids (all for `None`) to `path`, without secrets.
/// Returns how many were written.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, ids))]
pub fn export_connections(
    state: State<'_, AppState>,
    ids: Option<Vec<String>>,
    path: String,
) -> CommandResult<u32> {
    let path = transfer::resolve_path(&path, home().as_deref())?;
    let count = state.connections.export_to(ids.as_deref(), &path)?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// Checks a file for import and says what importing it would do. Changes nothing.
#[tauri::command]
#[specta::specta]
pub fn preview_import(state: State<'_, AppState>, path: String) -> CommandResult<ImportPreview> {
    let path = transfer::resolve_path(&path, home().as_deref())?;
    Ok(state.connections.preview_import(&path)?)
}

/// Imports a file with the admin's choice for each connection; all or nothing.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, choices))]
pub fn import_connections(
    state: State<'_, AppState>,
    path: String,
    choices: Vec<ImportChoice>,
) -> CommandResult<ImportOutcome> {
    let path = transfer::resolve_path(&path, home().as_deref())?;
    Ok(state.connections.import(&path, &choices)?)
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
    let up = matches!(state.http.send(request).await, Ok(r) if r.status().is_success());
    Ok(up.then_some(url))
}

/// Adds (or points again at the running sandbox) the "Local sandbox (Coupa)" connection.
#[tauri::command]
#[specta::specta]
pub fn add_sandbox_connection(state: State<'_, AppState>) -> CommandResult<Connection> {
    let Some(url) = crate::demo::sandbox_url() else {
        return Err(crate::error::AppError {
            code: connmgr_core::ErrorCode::NotFound,
            message: "No local sandbox was started with the app (make run starts one).".to_owned(),
            field: None,
        });
    };
    Ok(crate::demo::ensure_now(&state.connections, &url)?)
}

/// Puts text that is not a secret (a redirect URI, a scope string) on the clipboard.
#[tauri::command]
#[specta::specta]
pub fn copy_text(app: AppHandle, text: String) -> CommandResult<()> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    app.clipboard()
        .write_text(text)
        .map_err(|e| crate::error::AppError {
            code: connmgr_core::ErrorCode::Internal,
            message: format!("The clipboard could not be written: {e}"),
            field: None,
        })
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
            delete_connection,
            duplicate_connection,
            scope_catalog,
            search_scopes,
            test_connection,
            get_token,
            renew_token,
            token_status,
            start_authorization,
            cancel_authorization,
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
            crate::auto_refresh::TokenRenewed
        ])
}
