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

/// The log file's name in the app's log folder.
const FILE: &str = "connmgr.log";

/// Creates the log file readable and writable by its owner only (0600), or makes an existing
/// one so, before the appender opens it: what a log says of connections is nobody else's.
fn prepare(dir: &std::path::Path) -> std::io::Result<()> {
    let path = dir.join(FILE);
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        options.open(&path)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    options.open(&path)?;
    Ok(())
}

/// Starts logging to `<app log dir>/connmgr.log`.
pub fn init(app: &AppHandle) -> Result<(), Box<dyn std::error::Error>> {
    let dir = app.path().app_log_dir()?;
    std::fs::create_dir_all(&dir)?;
    prepare(&dir)?;
    let appender = tracing_appender::rolling::never(&dir, FILE);
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

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_log_file_is_the_owners_alone_new_or_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        super::prepare(dir.path()).expect("created");
        let mode = |p: &std::path::Path| {
            std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
        };
        let path = dir.path().join(super::FILE);
        assert_eq!(mode(&path), 0o600);

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        std::fs::write(&path, "kept\n").expect("write");
        super::prepare(dir.path()).expect("prepared again");
        assert_eq!(
            mode(&path),
            0o600,
            "an existing world-readable log is closed"
        );
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "kept\n");
    }
}
