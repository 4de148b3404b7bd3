//! Opening the system browser for sign-in (RFC 8252 §8.12: never a webview of the app).
//! `$BROWSER`, when set, names the program to use, as many command-line tools honour it;
//! otherwise the operating system's default browser opens through tauri-plugin-opener.

use connmgr_core::oauth::BrowserOpener;
use tauri::{AppHandle, Runtime, Wry};
use tauri_plugin_opener::OpenerExt;

/// The app's browser opener. It never makes a window of its own: the sign-in page opens in a
/// browser, outside the app (tested in `src-tauri/tests/browser.rs`).
#[derive(Debug, Clone)]
pub struct SystemBrowser<R: Runtime = Wry> {
    app: AppHandle<R>,
}

impl<R: Runtime> SystemBrowser<R> {
    /// An opener for this app.
    pub fn new(app: AppHandle<R>) -> Self {
        SystemBrowser { app }
    }
}

impl<R: Runtime> BrowserOpener for SystemBrowser<R> {
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
