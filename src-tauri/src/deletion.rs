//! Delete with Undo: the connection leaves the list at once and the window offers Undo for
//! [`UNDO`]; only then is the delete made final (its tokens revoked at the server, its keyring
//! entries removed), and the window is told how the revocation went ([`DeleteFinished`]).
//! Deletes still pending when the app quits are made final then (see `lib.rs`).

use std::time::Duration;

use connmgr_core::model::connection::Connection;
use connmgr_core::oauth::revoke::Revocation;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager, State};
use tauri_specta::Event;

use crate::error::CommandResult;
use crate::state::AppState;
use crate::tasks::guarded;

/// How long a delete can be undone.
pub const UNDO: Duration = Duration::from_secs(10);

/// [`UNDO`], unless `CONNMGR_UNDO_DELETE_SECS` gives another whole number of seconds (the
/// end-to-end tests shorten it).
fn undo_period() -> Duration {
    undo_from(std::env::var("CONNMGR_UNDO_DELETE_SECS").ok().as_deref())
}

fn undo_from(value: Option<&str>) -> Duration {
    match value.map(|v| v.trim().parse::<u64>()) {
        None => UNDO,
        Some(Ok(secs)) => Duration::from_secs(secs),
        Some(Err(_)) => {
            tracing::warn!("CONNMGR_UNDO_DELETE_SECS is not a number of seconds");
            UNDO
        }
    }
}

/// A delete, as the window hears of it: what was deleted, and for how long it can be undone.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Deleted {
    /// The connection as it was.
    pub connection: Connection,
    /// Undo works for this many seconds.
    pub undo_seconds: u32,
}

/// A delete was made final: what became of the connection's tokens at the server.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct DeleteFinished {
    /// The connection deleted.
    pub connection_id: String,
    /// Its name.
    pub name: String,
    /// Its tokens at the server.
    pub revocation: Revocation,
}

/// Deletes a connection: it leaves the list now, and its tokens and keyring entries go once
/// the undo time is over (the window hears [`DeleteFinished`]).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app, state))]
pub async fn delete_connection(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<Deleted> {
    let w = state.workspace.clone();
    let connection = guarded(async move { w.delete_undoably(&id).await }).await?;
    let period = undo_period();
    let (id, name) = (connection.id.clone(), connection.settings.name.clone());
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(period).await;
        let w = app.state::<AppState>().workspace.clone();
        match w.finish_delete(&id).await {
            Ok(Some(revocation)) => {
                let said = DeleteFinished {
                    connection_id: id,
                    name,
                    revocation,
                };
                if let Err(err) = said.emit(&app) {
                    tracing::warn!(error = %err, "could not tell the window a delete is final");
                }
            }
            // Undone meanwhile.
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(error = %err, "a deleted connection's secrets could not be removed")
            }
        }
    });
    Ok(Deleted {
        connection,
        undo_seconds: u32::try_from(period.as_secs()).unwrap_or(u32::MAX),
    })
}

/// Undoes a delete while it is not final: the connection is back as it was.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn undo_delete(state: State<'_, AppState>, id: String) -> CommandResult<Connection> {
    let w = state.workspace.clone();
    guarded(async move { w.undo_delete(&id) }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_undo_time_is_ten_seconds_unless_the_environment_says_otherwise() {
        assert_eq!(undo_from(None), Duration::from_secs(10));
        assert_eq!(undo_from(Some(" 2 ")), Duration::from_secs(2));
        assert_eq!(undo_from(Some("0")), Duration::ZERO);
        assert_eq!(
            undo_from(Some("soon")),
            UNDO,
            "a wrong value is the default"
        );
    }
}
