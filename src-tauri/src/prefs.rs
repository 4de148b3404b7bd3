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
    if let Ok(path) = tauri_plugin_store::resolve_store_path(app, FILE) {
        set_aside_at(&path);
    }
}

/// Renames the preferences file at `path` aside when it is not a JSON object; returns where
/// it was kept, if it was.
fn set_aside_at(path: &std::path::Path) -> Option<std::path::PathBuf> {
    let bytes = std::fs::read(path).ok()?;
    if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes).is_ok() {
        return None;
    }
    let kept = path.with_file_name(format!(
        "{FILE}.corrupt-{}",
        connmgr_core::time::Timestamp::now().file_stamp()
    ));
    match std::fs::rename(path, &kept) {
        Ok(()) => {
            tracing::warn!(kept = %kept.display(), "unreadable preferences kept aside");
            Some(kept)
        }
        Err(err) => {
            tracing::error!(error = %err, "could not set unreadable preferences aside");
            None
        }
    }
}

/// The preferences in a stored value; the defaults for what is missing, and all of them when
/// the value is not preferences at all.
fn from_stored(value: Option<serde_json::Value>) -> Prefs {
    value
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
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
    Ok(from_stored(store.get(KEY)))
}

/// Saves the preferences.
pub fn save<R: Runtime>(app: &AppHandle<R>, prefs: &Prefs) -> CommandResult<()> {
    let store = app.store(FILE).map_err(store_error)?;
    store.set(KEY, serde_json::to_value(prefs).map_err(store_error)?);
    store.save().map_err(store_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_file_is_kept_aside_and_a_readable_one_left_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE);
        assert_eq!(set_aside_at(&path), None, "no file: nothing to do");
        std::fs::write(&path, br#"{"prefs":{"sort":"name"}}"#).expect("write");
        assert_eq!(set_aside_at(&path), None, "a readable file stays");
        assert!(path.exists());
        for broken in [&b"{\"prefs\": "[..], b"\xff\xfe", b"[1, 2]", b""] {
            std::fs::write(&path, broken).expect("write");
            let kept = set_aside_at(&path).expect("kept aside");
            assert!(!path.exists(), "the store starts afresh");
            assert_eq!(std::fs::read(&kept).expect("read"), broken, "nothing lost");
            let name = kept
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            assert!(name.starts_with("prefs.json.corrupt-"), "{name}");
            std::fs::remove_file(kept).expect("clean");
        }
    }

    #[test]
    fn missing_or_wrong_values_fall_back_to_the_defaults() {
        assert_eq!(from_stored(None), Prefs::default());
        assert_eq!(
            from_stored(Some(serde_json::json!("not preferences"))),
            Prefs::default()
        );
        let partial = from_stored(Some(serde_json::json!({ "selectedId": "abc" })));
        assert_eq!(partial.selected_id.as_deref(), Some("abc"));
        assert_eq!(
            partial.sort,
            Prefs::default().sort,
            "the rest is the default"
        );
        let round = Prefs {
            selected_id: Some("x".to_owned()),
            ..Prefs::default()
        };
        assert_eq!(
            from_stored(Some(serde_json::to_value(&round).expect("json"))),
            round
        );
    }
}
