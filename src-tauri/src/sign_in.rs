//! The sign-in commands: through the system browser (authorization code with PKCE), and the
//! device-code grant in two steps so that the window can show the code while the core polls.
//! Each is thin glue over the workspace, like the other commands.

use connmgr_core::oauth::BrowserOpener;
use connmgr_core::oauth::device_code::DeviceAuthorization;
use connmgr_core::oauth::redirect::DEFAULT_TIMEOUT;
use tauri::{AppHandle, State};

use crate::browser::SystemBrowser;
use crate::commands::TokenView;
use crate::error::CommandResult;
use crate::state::AppState;
use crate::tasks::guarded;

/// Signs in through the system browser (authorization code) and keeps the tokens.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app, state))]
pub async fn start_authorization(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<TokenView> {
    let browser = SystemBrowser::for_sign_in(app, &id);
    let w = state.workspace.clone();
    guarded(async move {
        w.sign_in(&id, &browser, DEFAULT_TIMEOUT)
            .await
            .map(TokenView::from)
    })
    .await
}

/// Cancels the connection's sign-ins in progress (browser or device code); a browser sign-in's
/// redirect port is released, a device code is no longer polled.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn cancel_authorization(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.workspace.cancel_sign_in(&id);
    Ok(())
}

/// Starts a device sign-in (RFC 8628): the user code and the page to enter it on, for the
/// window to show. The device code stays in the core.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn start_device_sign_in(
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<DeviceAuthorization> {
    let w = state.workspace.clone();
    guarded(async move { w.start_device_sign_in(&id).await }).await
}

/// Waits for the person to approve the code the start got (the core polls as RFC 8628 says),
/// and keeps the tokens.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn finish_device_sign_in(
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<TokenView> {
    let w = state.workspace.clone();
    guarded(async move { w.finish_device_sign_in(&id).await.map(TokenView::from) }).await
}

/// Opens a web page in the system browser: the device sign-in's verification page. Only an
/// https address (or http on this computer) is opened.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app))]
pub async fn open_in_browser(app: AppHandle, url: String) -> CommandResult<()> {
    let checked = connmgr_core::model::validate::check_url(&url, "address")
        .map_err(connmgr_core::Error::Refused)?;
    SystemBrowser::new(app).open(&checked).map_err(|why| {
        connmgr_core::Error::Refused(format!("The browser could not be opened: {why}.")).into()
    })
}
