//! Where a person's connections are kept, the same for every front end: the app and the
//! command-line tool open the same connections file, keyring entries and lock files.

use std::path::PathBuf;

use crate::error::Error;
use crate::storage::keyring::KeyringStore;

/// The app's identifier: its data folder's name (and the app bundle's identifier, which
/// `src-tauri` checks against its `tauri.conf.json`).
pub const APP_IDENTIFIER: &str = "dev.connmgr.desktop";

/// The data folder: `$XDG_DATA_HOME/dev.connmgr.desktop` on Linux (`~/.local/share/…`),
/// `~/Library/Application Support/…` on macOS, `%APPDATA%\…` on Windows.
pub fn data_dir() -> Result<PathBuf, Error> {
    dirs::data_dir()
        .map(|d| d.join(APP_IDENTIFIER))
        .ok_or_else(|| {
            Error::Internal(
                "No home folder is known (HOME is not set), so the connections cannot be found."
                    .to_owned(),
            )
        })
}

/// The keyring service the secrets are kept under: the app's own, unless
/// `CONNMGR_KEYRING_SERVICE` names another (tests do, so they never touch a person's entries).
pub fn keyring_service() -> String {
    std::env::var("CONNMGR_KEYRING_SERVICE")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| KeyringStore::APP_SERVICE.to_owned())
}
