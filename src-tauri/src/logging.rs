//! Logging with `tracing` to a file in the app's log folder (`connmgr.log`). The level comes
//! from `CONNMGR_LOG` (an `EnvFilter` directive, `info` by default).
//!
//! Secrets never reach a log: secret values are held in types whose `Debug` is redacted, and
//! commands skip their secret arguments when they are instrumented.

use std::sync::OnceLock;

use tauri::{AppHandle, Manager};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Keeps the background writer alive for the life of the process, so buffered lines are flushed.
static GUARD: OnceLock<WorkerGuard> = OnceLock::new();

/// Starts logging to `<app log dir>/connmgr.log`.
pub fn init(app: &AppHandle) -> Result<(), Box<dyn std::error::Error>> {
    let dir = app.path().app_log_dir()?;
    std::fs::create_dir_all(&dir)?;
    let appender = tracing_appender::rolling::never(&dir, "connmgr.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("CONNMGR_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|e| e.to_string())?;
    let _ = GUARD.set(guard);
    Ok(())
}
