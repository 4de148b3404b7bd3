//! The commands the UI invokes. Each is thin glue: take the managed state, call one function of
//! `connmgr-core`, map its error to [`AppError`]. The TypeScript bindings for all of them are
//! generated from these signatures (see [`builder`] and `ui/src/backend/bindings.ts`).

use serde::Serialize;
use specta::Type;

use crate::error::CommandResult;

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

/// The typed command and event set: registered with Tauri by [`crate::run`] and exported as
/// TypeScript by the `bindings_are_current` test.
pub fn builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new().commands(tauri_specta::collect_commands![app_info])
}
