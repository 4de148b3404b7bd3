//! Changes made by another process: the command-line tool (`connmgr`) writes the same
//! connections file. Every [`EVERY`] the app looks whether the file is still the one it last
//! read or wrote (a stat); when it is not, it reads it again and tells the window with a
//! [`ConnectionsChanged`] event, so the list and the connection on screen are read again.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::state::AppState;

/// How often the file is looked at.
pub const EVERY: Duration = Duration::from_secs(2);

/// Another process changed the saved connections; they were read again.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionsChanged {}

/// Starts looking; it runs until the app exits.
pub fn start(app: &AppHandle) {
    let app = app.clone();
    let workspace = app.state::<AppState>().workspace.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(EVERY).await;
            let ws = workspace.clone();
            let looked =
                tauri::async_runtime::spawn_blocking(move || ws.reread_if_changed_elsewhere())
                    .await;
            match looked {
                Ok(Ok(true)) => {
                    tracing::info!("the connections were changed by another process");
                    if let Err(err) = (ConnectionsChanged {}).emit(&app) {
                        tracing::warn!(error = %err, "could not tell the window of the change");
                    }
                }
                Ok(Ok(false)) => {}
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "could not look at the connections file")
                }
                Err(err) => {
                    tracing::error!(error = %err, "looking at the connections file stopped unexpectedly")
                }
            }
        }
    });
}
