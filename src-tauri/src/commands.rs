//! The commands the UI invokes. Each is thin glue: take the managed state, call one function of
//! `connmgr-core`, map its error to [`AppError`]. The TypeScript bindings for all of them are
//! generated from these signatures (see [`builder`] and `ui/src/backend/bindings.ts`).
//!
//! Commands that receive a secret (`save_connection`) are instrumented with the secret skipped;
//! [`connmgr_core::Secret`] prints as `<redacted>` in any case.

use connmgr_core::connection::{Connection, ConnectionDraft};
use connmgr_core::scopes::{ScopeCatalog, ScopeGroup, ScopeInfo};
use connmgr_core::secrets::SecretKind;
use connmgr_core::tester::{StepReport, TestReport};
use connmgr_core::validate::Validation;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, State};
use tauri_specta::Event;

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
/// [`TestProgress`] events as it goes, and keeps the outcome with the connection.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app, state))]
pub async fn test_connection(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<TestReport> {
    let connection = state.connections.get(&id)?;
    let secret = if connection.has_client_secret {
        state
            .connections
            .secrets()
            .get(&id, SecretKind::ClientSecret)?
    } else {
        None
    };
    let progress = |step: StepReport| {
        let event = TestProgress {
            connection_id: id.clone(),
            step,
        };
        if let Err(err) = event.emit(&app) {
            tracing::warn!(error = %err, "could not send test progress");
        }
    };
    let report =
        connmgr_core::tester::run(&state.http, &connection, secret.as_ref(), &progress).await;
    state.connections.record_test(&id, report.summary())?;
    tracing::info!(ok = report.ok, "connection tested");
    Ok(report)
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
        ])
        .events(tauri_specta::collect_events![TestProgress])
}
