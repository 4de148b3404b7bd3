//! Auto-refresh while the app runs: every [`TICK`] the connections due for renewal (see
//! `connmgr_core::renewal`) get a new token, their token state is noted in the store (without
//! counting as a use), and the window is told with a [`TokenRenewed`] event so that it reads
//! that connection again.

use std::time::{Duration, SystemTime};

use connmgr_core::Workspace;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::state::AppState;

/// How often the connections are looked over. Cheap: the list is held in memory.
pub const TICK: Duration = Duration::from_secs(20);

/// [`TICK`], unless `CONNMGR_AUTO_REFRESH_SECS` gives another number of seconds, or `off`
/// (the end-to-end tests set it, to see a renewal soon or to have none while they count).
fn tick() -> Option<Duration> {
    tick_from(std::env::var("CONNMGR_AUTO_REFRESH_SECS").ok().as_deref())
}

/// The period `CONNMGR_AUTO_REFRESH_SECS` gives when it holds `value`: a whole number of
/// seconds above zero, `off` for none; anything else (or nothing) is the default, [`TICK`].
fn tick_from(value: Option<&str>) -> Option<Duration> {
    let Some(v) = value else {
        return Some(TICK);
    };
    match v.trim() {
        "off" => None,
        text => match text.parse::<u64>() {
            Ok(secs) if secs > 0 => Some(Duration::from_secs(secs)),
            _ => {
                tracing::warn!(value = %v, "CONNMGR_AUTO_REFRESH_SECS is not a number of seconds or off");
                Some(TICK)
            }
        },
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
    let workspace = app.state::<AppState>().workspace.clone();
    tauri::async_runtime::spawn(every_round(every, move || {
        renew_due(app.clone(), workspace.clone())
    }));
}

/// Runs `round` every `every`, until the app exits. Each round runs in a task of its own: a
/// panic in one ends that round (it is logged), never the timer.
async fn every_round<F, R>(every: Duration, mut round: F)
where
    F: FnMut() -> R,
    R: std::future::Future<Output = ()> + Send + 'static,
{
    loop {
        tokio::time::sleep(every).await;
        if let Err(err) = tauri::async_runtime::spawn(round()).await {
            tracing::error!(error = %err, "an auto-refresh round stopped unexpectedly");
        }
    }
}

/// Renews what is due (the workspace records each outcome) and tells the window.
async fn renew_due(app: AppHandle, workspace: Workspace) {
    let done = match workspace.renew_due(SystemTime::now()).await {
        Ok(done) => done,
        Err(err) => {
            tracing::warn!(error = %err, "auto-refresh could not read the connections");
            return;
        }
    };
    for renewed in done {
        let event = TokenRenewed {
            connection_id: renewed.id.clone(),
            ok: renewed.result.is_ok(),
        };
        if let Err(err) = event.emit(&app) {
            tracing::warn!(error = %err, "could not tell the window of a renewal");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::{TICK, every_round, tick_from};

    #[test]
    fn the_period_comes_from_the_environment_or_is_the_default() {
        assert_eq!(tick_from(None), Some(TICK));
        assert_eq!(tick_from(Some("off")), None, "off: no timer");
        assert_eq!(tick_from(Some(" 5 ")), Some(Duration::from_secs(5)));
        for bad in ["0", "-3", "1.5", "soon", "", "99999999999999999999999"] {
            assert_eq!(tick_from(Some(bad)), Some(TICK), "{bad:?} is not a period");
        }
    }

    #[test]
    fn a_round_that_panics_does_not_stop_the_timer() {
        let rounds = Arc::new(AtomicUsize::new(0));
        let counted = rounds.clone();
        tauri::async_runtime::spawn(every_round(Duration::from_millis(5), move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    panic!("a defect in the first round");
                }
            }
        }));
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while rounds.load(Ordering::SeqCst) < 3 {
            assert!(
                std::time::Instant::now() < deadline,
                "the timer stopped after {} rounds",
                rounds.load(Ordering::SeqCst)
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}
