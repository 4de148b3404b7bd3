//! The person's workspace, as the app opens it: the same data folder, keyring service and HTTP
//! client rules (`connmgr_core::storage::place`).

use std::sync::Arc;

use connmgr_core::http::HttpClient;
use connmgr_core::storage::connections_file::Store;
use connmgr_core::storage::keyring::{KeyringStore, SecretStore};
use connmgr_core::storage::place;
use connmgr_core::{Connection, Workspace};

use crate::failure::Failure;

/// Opens the connections. An unreadable connections file is set aside (as the app does) and
/// said on standard error; the command goes on with none.
pub fn workspace() -> Result<Workspace, Failure> {
    let dir = place::data_dir()?;
    let keyring: Arc<dyn SecretStore> = Arc::new(KeyringStore::new(place::keyring_service()));
    let http = HttpClient::new().map_err(|e| Failure {
        code: "internal".to_owned(),
        message: format!("The HTTP client could not start: {e}."),
        exit: 1,
    })?;
    let ws = Workspace::new(Store::new(dir), keyring, http);
    if let Some(aside) = ws.open()? {
        Failure {
            code: "store_corrupt".to_owned(),
            message: format!(
                "The connections file could not be read ({}); it was kept as {}.",
                aside.reason,
                aside.kept.display()
            ),
            exit: 0,
        }
        .report();
    }
    Ok(ws)
}

/// The connection named `key` (any case) or with that id.
pub fn find(ws: &Workspace, key: &str) -> Result<Connection, Failure> {
    ws.find(key).map_err(|err| match err {
        connmgr_core::Error::NotFound(_) => Failure {
            code: "not_found".to_owned(),
            message: format!(
                "No connection is named \u{201c}{key}\u{201d}. `connmgr list` shows them."
            ),
            exit: 3,
        },
        other => other.into(),
    })
}
