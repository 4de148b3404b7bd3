//! The app's managed state: the saved connections (file in the app's data folder, secrets in
//! the OS keyring) and what startup found out about them.

use std::sync::Arc;

use connmgr_core::Workspace;
use connmgr_core::storage::connections_file::Store;
use connmgr_core::storage::keyring::KeyringStore;
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Manager};

/// What the app holds for the commands.
#[derive(Debug)]
pub struct AppState {
    /// The saved connections, their secrets and tokens: the core API every command calls.
    pub workspace: Workspace,
    /// Set when the connections file could not be read at startup and was kept aside.
    pub store_notice: Option<StoreNotice>,
}

/// The connections file could not be read at startup: where it was kept and why.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StoreNotice {
    /// The path the unreadable file was moved to.
    pub kept: String,
    /// Why it could not be read.
    pub reason: String,
}

/// The keyring service name: the app's own, unless `CONNMGR_KEYRING_SERVICE` names another
/// (the tests do, so they never touch a person's real entries).
fn keyring_service() -> String {
    std::env::var("CONNMGR_KEYRING_SERVICE")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| KeyringStore::APP_SERVICE.to_owned())
}

/// Opens the connections in the app's data folder, setting an unreadable file aside.
pub fn init(app: &AppHandle) -> Result<AppState, Box<dyn std::error::Error>> {
    let dir = app.path().app_data_dir()?;
    let keyring: Arc<dyn connmgr_core::storage::keyring::SecretStore> =
        Arc::new(KeyringStore::new(keyring_service()));
    let http = connmgr_core::http::HttpClient::new()?;
    let workspace = Workspace::new(Store::new(&dir), keyring, http);
    let store_notice = match workspace.open() {
        Ok(set_aside) => set_aside.map(|s| StoreNotice {
            kept: s.kept.display().to_string(),
            reason: s.reason,
        }),
        Err(err) => {
            // The folder itself is unusable: start anyway, and let every command report it.
            tracing::error!(error = %err, "cannot open the connections store");
            None
        }
    };
    tracing::info!(data_dir = %dir.display(), "connections store opened");
    if let Some(url) = crate::demo::sandbox_url() {
        crate::demo::ensure(&workspace, &url);
    }
    Ok(AppState {
        workspace,
        store_notice,
    })
}
