//! One window per data folder: launching the app again while it runs brings the open window
//! forward instead of starting a second app on the same connections, keyring entries and
//! renewal timer (tauri-plugin-single-instance; a D-Bus name on Linux).
//!
//! The name is the app's identifier and a digest of the data folder, so the window is unique
//! per person and data folder: two people on one computer, or tests that each run the app in a
//! home of their own, never hand over to each other.

use sha2::{Digest, Sha256};
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};

/// The plugin, for the app with bundle identifier `identifier`. Registered before every other
/// plugin, so a second launch exits before it opens anything.
pub fn plugin<R: Runtime>(identifier: &str) -> TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(bus_id(identifier, dirs::data_dir().as_deref()))
        .callback(|app, _args, _cwd| bring_forward(app))
        .build()
}

/// `<identifier>.d<16 hex digits of the data folder's digest>`: a valid D-Bus name (each element
/// starts with a letter), the same for every launch with the same data folder.
fn bus_id(identifier: &str, data_dir: Option<&std::path::Path>) -> String {
    let folder = data_dir
        .map(|d| d.join(identifier).to_string_lossy().into_owned())
        .unwrap_or_default();
    let digest = Sha256::digest(folder.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{identifier}.d{hex}")
}

fn bring_forward<R: Runtime>(app: &AppHandle<R>) {
    tracing::info!("the app was launched again: bringing its window forward");
    if let Some(window) = app.get_webview_window("main") {
        for result in [window.unminimize(), window.show(), window.set_focus()] {
            if let Err(err) = result {
                tracing::warn!(error = %err, "could not bring the window forward");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_bus_name_depends_on_the_data_folder_and_is_valid() {
        let a = bus_id(
            "dev.connmgr.desktop",
            Some(Path::new("/home/a/.local/share")),
        );
        let b = bus_id(
            "dev.connmgr.desktop",
            Some(Path::new("/home/b/.local/share")),
        );
        assert_ne!(a, b);
        assert_eq!(
            a,
            bus_id(
                "dev.connmgr.desktop",
                Some(Path::new("/home/a/.local/share"))
            )
        );
        assert!(a.starts_with("dev.connmgr.desktop.d"));
        let last = a.rsplit('.').next().unwrap_or_default();
        assert_eq!(last.len(), 17);
        assert!(last.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
