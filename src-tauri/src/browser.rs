//! Opening the system browser for sign-in (RFC 8252 §8.12: never a webview of the app).
//! `$BROWSER`, when set, names the program to use, as many command-line tools honour it;
//! otherwise the operating system's default browser opens through tauri-plugin-opener.

use connmgr_core::oauth::BrowserOpener;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Runtime, Wry};
use tauri_plugin_opener::OpenerExt;
use tauri_specta::Event;

/// The browser is being sent to a connection's sign-in page: while the app waits, the window
/// offers to copy the link (for another browser or profile) or to open it again. The address
/// holds no secret: `state` and the PKCE challenge only (RFC 7636 §4.2), never the verifier.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct SignInOpened {
    /// The connection signing in.
    pub connection_id: String,
    /// The authorization request's address.
    pub url: String,
}

/// The app's browser opener. It never makes a window of its own: the sign-in page opens in a
/// browser, outside the app (tested in `src-tauri/tests/browser.rs`).
#[derive(Debug, Clone)]
pub struct SystemBrowser<R: Runtime = Wry> {
    app: AppHandle<R>,
    /// The connection whose sign-in it opens, when it does: the window hears of the address.
    sign_in: Option<String>,
}

impl<R: Runtime> SystemBrowser<R> {
    /// An opener for this app.
    pub fn new(app: AppHandle<R>) -> Self {
        SystemBrowser { app, sign_in: None }
    }

    /// An opener for the sign-in of connection `id`: each address it opens is sent to the
    /// window as [`SignInOpened`] first.
    pub fn for_sign_in(app: AppHandle<R>, id: &str) -> Self {
        SystemBrowser {
            app,
            sign_in: Some(id.to_owned()),
        }
    }
}

impl<R: Runtime> BrowserOpener for SystemBrowser<R> {
    fn open(&self, url: &str) -> Result<(), String> {
        if let Some(id) = &self.sign_in {
            let said = SignInOpened {
                connection_id: id.clone(),
                url: url.to_owned(),
            };
            if let Err(err) = said.emit(&self.app) {
                tracing::warn!(error = %err, "could not tell the window of the sign-in page");
            }
        }
        if let Some(opened) = connmgr_core::oauth::browser::open_with_env_browser(url) {
            return opened;
        }
        self.app
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| e.to_string())
    }
}
