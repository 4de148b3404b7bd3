//! Discovery commands: the metadata of a generic server's issuer (RFC 8414) applied to the
//! form's settings, the scopes it offers for the picker, and a provider preset applied to
//! them. Thin glue over the core.

use connmgr_core::ConnectionSettings;
use connmgr_core::model::scopes::{ScopeCatalog, ScopeGroup};
use connmgr_core::oauth::discovery::{Discovered, ServerMetadata};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;
use crate::tasks::guarded;

/// The scopes a server's metadata offers, grouped for the picker (a generic connection's
/// catalog once its issuer's metadata was fetched).
#[tauri::command]
#[specta::specta]
pub async fn server_scope_catalog(metadata: ServerMetadata) -> CommandResult<Vec<ScopeGroup>> {
    Ok(ScopeCatalog::from_metadata(&metadata).groups())
}

/// Fetches the metadata of the form's issuer (RFC 8414) and says what it would make of the
/// settings: filled endpoints, warnings and what changed since the last fetch. Nothing is saved.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, settings))]
pub async fn discover_server(
    state: State<'_, AppState>,
    settings: ConnectionSettings,
) -> CommandResult<Discovered> {
    let w = state.workspace.clone();
    guarded(async move { w.discover(&settings).await }).await
}

/// The form's settings made into a connection of the preset `id` (its defaults and fields'
/// starting values); nothing is saved.
#[tauri::command]
#[specta::specta]
pub async fn choose_preset(
    settings: ConnectionSettings,
    id: String,
) -> CommandResult<ConnectionSettings> {
    let preset = connmgr_core::presets::get(&id)
        .ok_or_else(|| connmgr_core::Error::NotFound(format!("the provider preset {id}")))?;
    Ok(connmgr_core::presets::choose(&settings, preset))
}

/// The fields and client ID of a preset's credential file (SAP BTP's service key), for the
/// form; the secret stays in the file until the core reads it on save.
#[tauri::command]
#[specta::specta]
pub async fn read_service_key(
    preset: String,
    path: String,
) -> CommandResult<connmgr_core::presets::ServiceKeyPreview> {
    let found = connmgr_core::presets::get(&preset)
        .ok_or_else(|| connmgr_core::Error::NotFound(format!("the provider preset {preset}")))?;
    let file = std::path::PathBuf::from(path.trim());
    let read = tokio::task::spawn_blocking(move || {
        connmgr_core::presets::read_service_key_file(found, &path)
    })
    .await
    .map_err(|e| connmgr_core::Error::Internal(e.to_string()))?
    .map_err(|reason| connmgr_core::Error::ImportInvalid { path: file, reason })?;
    Ok(read.preview())
}
