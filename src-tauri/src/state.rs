//! The app's managed state: the saved connections (file in the app's data folder, secrets in
//! the OS keyring) and what startup found out about them.

use std::sync::Arc;

use connmgr_core::Workspace;
use connmgr_core::storage::connections_file::Store;
use connmgr_core::storage::keyring::KeyringStore;
use connmgr_core::storage::place;
use serde::Serialize;
use specta::Type;

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

/// Opens the connections in the app's data folder, setting an unreadable file aside.
pub fn init() -> Result<AppState, Box<dyn std::error::Error>> {
    // The core's data folder, the one the command-line tool opens too (the same path as
    // Tauri's app data folder: `tests::the_identifier_is_the_cores` checks the name).
    let dir = place::data_dir()?;
    let keyring: Arc<dyn connmgr_core::storage::keyring::SecretStore> =
        Arc::new(KeyringStore::new(place::keyring_service()));
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_identifier_is_the_cores() {
        // Tauri names the app's folders (logs, preferences) after the bundle identifier; the
        // core names the connections' folder after its own: they must be one name.
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).expect("tauri.conf.json");
        assert_eq!(
            config["identifier"].as_str(),
            Some(connmgr_core::storage::place::APP_IDENTIFIER)
        );
    }
}
