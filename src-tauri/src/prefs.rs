//! The admin's preferences (the selected connection, the list's order, when a copied token is
//! cleared), kept with tauri-plugin-store in `prefs.json` in the app's data folder.
//!
//! The plugin starts empty when the file cannot be read and would then overwrite it; so an
//! unreadable file is first renamed `prefs.json.corrupt-<timestamp>` and kept, as the
//! connections file is.

use connmgr_core::clipboard::ClearAfter;
use connmgr_core::model::listing::ListSort;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use crate::error::{AppError, CommandResult};

/// The file, relative to the app's data folder.
pub const FILE: &str = "prefs.json";
const KEY: &str = "prefs";

/// What the app remembers between runs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct Prefs {
    /// The connection selected when the app last closed.
    pub selected_id: Option<String>,
    /// The list's order.
    pub sort: ListSort,
    /// When a copied token is cleared from the clipboard.
    pub clear_clipboard: ClearAfter,
}

/// Renames an unreadable preferences file aside, so the store never overwrites it.
pub fn set_aside_if_unreadable<R: Runtime>(app: &AppHandle<R>) {
    let Ok(path) = tauri_plugin_store::resolve_store_path(app, FILE) else {
        return;
    };
    let Ok(bytes) = std::fs::read(&path) else {
        return;
    };
    if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes).is_ok() {
        return;
    }
    let kept = path.with_file_name(format!(
        "{FILE}.corrupt-{}",
        connmgr_core::time::Timestamp::now().file_stamp()
    ));
    match std::fs::rename(&path, &kept) {
        Ok(()) => tracing::warn!(kept = %kept.display(), "unreadable preferences kept aside"),
        Err(err) => tracing::error!(error = %err, "could not set unreadable preferences aside"),
    }
}

fn store_error(e: impl std::fmt::Display) -> AppError {
    AppError {
        code: connmgr_core::ErrorCode::StoreIo,
        message: format!("The preferences could not be saved: {e}"),
        field: None,
    }
}

/// The saved preferences, or the defaults.
pub fn load<R: Runtime>(app: &AppHandle<R>) -> CommandResult<Prefs> {
    let store = app.store(FILE).map_err(store_error)?;
    Ok(store
        .get(KEY)
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

/// Saves the preferences.
pub fn save<R: Runtime>(app: &AppHandle<R>, prefs: &Prefs) -> CommandResult<()> {
    let store = app.store(FILE).map_err(store_error)?;
    store.set(KEY, serde_json::to_value(prefs).map_err(store_error)?);
    store.save().map_err(store_error)
}
