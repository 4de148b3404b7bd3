//! The commands the UI invokes. Each is thin glue: take the managed state, call one function of
//! `connmgr-core`, map its error to [`AppError`]. The TypeScript bindings for all of them are
//! generated from these signatures (see [`builder`] and `ui/src/backend/bindings.ts`).
//!
//! Commands that receive a secret (`save_connection`) are instrumented with the secret skipped;
//! [`connmgr_core::Secret`] prints as `<redacted>` in any case.

use connmgr_core::connection::{Connection, ConnectionDraft};
use connmgr_core::oauth::TokenInfo;
use connmgr_core::redirect::DEFAULT_TIMEOUT;
use connmgr_core::scopes::{ScopeCatalog, ScopeGroup, ScopeInfo};
use connmgr_core::tester::{SignIn, StepReport, TestReport};
use connmgr_core::tokens::AccessToken;
use connmgr_core::validate::Validation;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::browser::SystemBrowser;
use crate::error::CommandResult;
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

/// The saved connections, in the order they were created.
#[tauri::command]
#[specta::specta]
pub fn list_connections(state: State<'_, AppState>) -> CommandResult<Vec<Connection>> {
    Ok(state.connections.list()?)
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
    Ok(state.tokens.get(&connection).await?.into())
}

/// A new access token now, whatever is cached: a refresh (authorization code) or a new
/// client-credentials token.
#[tauri::command]
#[specta::specta]
pub async fn renew_token(state: State<'_, AppState>, id: String) -> CommandResult<TokenView> {
    let connection = state.connections.get(&id)?;
    Ok(state.tokens.renew_now(&connection).await?.into())
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
    Ok(result?.into())
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
    Ok(state.tokens.forget(&id)?)
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
        ])
        .events(tauri_specta::collect_events![TestProgress])
}
