//! The system clipboard for [`connmgr_core::clipboard`], through tauri-plugin-clipboard-manager.

use connmgr_core::Error;
use tauri::AppHandle;
use tauri_plugin_clipboard_manager::ClipboardExt;

/// The app's clipboard.
#[derive(Debug, Clone)]
pub struct SystemClipboard {
    app: AppHandle,
}

impl SystemClipboard {
    /// The clipboard of this app's session.
    pub fn new(app: AppHandle) -> Self {
        SystemClipboard { app }
    }
}

fn clipboard_error(e: impl std::fmt::Display) -> Error {
    Error::Clipboard(e.to_string())
}

impl connmgr_core::clipboard::Clipboard for SystemClipboard {
    fn write_secret(&self, text: &str) -> Result<(), Error> {
        self.app
            .clipboard()
            .write_secret(text)
            .map_err(clipboard_error)
    }

    fn read_text(&self) -> Result<Option<String>, Error> {
        // An empty clipboard, or one holding no text, reads as an error: both mean "not ours".
        Ok(self.app.clipboard().read_text().ok())
    }

    fn clear(&self) -> Result<(), Error> {
        self.app.clipboard().clear().map_err(clipboard_error)
    }
}
