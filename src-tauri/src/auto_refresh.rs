//! Auto-refresh while the app runs: every [`TICK`] the connections due for renewal (see
//! `connmgr_core::renewal`) get a new token, their token state is noted in the store (without
//! counting as a use), and the window is told with a [`TokenRenewed`] event so that it reads
//! that connection again.

use std::time::{Duration, SystemTime};

use connmgr_core::renewal::Renewal;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::state::AppState;

/// How often the connections are looked over. Cheap: one read of the connections file.
pub const TICK: Duration = Duration::from_secs(20);

/// [`TICK`], unless `CONNMGR_AUTO_REFRESH_SECS` gives another number of seconds, or `off`
/// (the end-to-end tests set it, to see a renewal soon or to have none while they count).
fn tick() -> Option<Duration> {
    match std::env::var("CONNMGR_AUTO_REFRESH_SECS") {
        Ok(v) if v.trim() == "off" => None,
        Ok(v) => match v.trim().parse::<u64>() {
            Ok(secs) if secs > 0 => Some(Duration::from_secs(secs)),
            _ => {
                tracing::warn!(value = %v, "CONNMGR_AUTO_REFRESH_SECS is not a number of seconds or off");
                Some(TICK)
            }
        },
        Err(_) => Some(TICK),
    }
}

/// A connection's token was renewed in the background, or its renewal failed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct TokenRenewed {
    /// The connection.
    pub connection_id: String,
    /// Whether it has a new token; on failure the reason is in the log.
    pub ok: bool,
}

/// Starts the timer; it runs until the app exits.
pub fn start(app: &AppHandle) {
    let Some(every) = tick() else {
        tracing::info!("auto-refresh timer off (CONNMGR_AUTO_REFRESH_SECS)");
        return;
    };
    let app = app.clone();
    let renewal = Renewal::new(app.state::<AppState>().tokens.clone());
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            renew_due(&app, &renewal).await;
        }
    });
}

async fn renew_due(app: &AppHandle, renewal: &Renewal) {
    let state = app.state::<AppState>();
    let connections = match state.connections.list() {
        Ok(list) => list,
        Err(err) => {
            tracing::warn!(error = %err, "auto-refresh could not read the connections");
            return;
        }
    };
    for done in renewal.run(&connections, SystemTime::now()).await {
        let id = done.id.as_str();
        let noted = match &done.result {
            Ok(token) => {
                tracing::info!(id, "token renewed in the background");
                state.connections.record_renewal(id, Some(&token.info))
            }
            Err(err) => {
                tracing::warn!(id, code = ?err.code(), error = %err, "background renewal failed");
                // The keyring says what is left (a refused refresh token is gone).
                let left = state.tokens.cached(id).ok().flatten();
                state
                    .connections
                    .record_renewal(id, left.as_ref().map(|t| &t.info))
            }
        };
        if let Err(err) = noted {
            tracing::warn!(id, error = %err, "could not note the renewed token");
        }
        let event = TokenRenewed {
            connection_id: done.id.clone(),
            ok: done.result.is_ok(),
        };
        if let Err(err) = event.emit(app) {
            tracing::warn!(error = %err, "could not tell the window of a renewal");
        }
    }
}
