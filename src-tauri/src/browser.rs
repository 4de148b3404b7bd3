//! Opening the system browser for sign-in (RFC 8252 §8.12: never a webview of the app).
//! `$BROWSER`, when set, names the program to use, as many command-line tools honour it;
//! otherwise the operating system's default browser opens through tauri-plugin-opener.

use connmgr_core::oauth::BrowserOpener;
use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt;

/// The app's browser opener.
#[derive(Debug, Clone)]
pub struct SystemBrowser {
    app: AppHandle,
}

impl SystemBrowser {
    /// An opener for this app.
    pub fn new(app: AppHandle) -> Self {
        SystemBrowser { app }
    }
}

impl BrowserOpener for SystemBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        if let Some(opened) = connmgr_core::oauth::browser::open_with_env_browser(url) {
            return opened;
        }
        self.app
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| e.to_string())
    }
}
