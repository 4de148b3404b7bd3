//! Every credential the sandbox hands out or receives, as JSON lines (`{"kind", "value"}`) in
//! the file that `CONNMGR_SANDBOX_RECORD` names, when it is set. The end-to-end suite sets it so
//! that its sweep searches for every token, code and verifier the app ever held, the rotated,
//! revoked and deleted ones too, not only those a test happened to read. The file is the
//! sandbox's own tokens, never a real server's; it is made readable by its owner only, and the
//! suite keeps it in a private folder it removes when it ends (`scripts/e2e.sh`).

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::sync::{Mutex, OnceLock};

static RECORD: OnceLock<Option<Mutex<File>>> = OnceLock::new();

fn record() -> Option<&'static Mutex<File>> {
    RECORD
        .get_or_init(|| {
            let path = std::env::var_os("CONNMGR_SANDBOX_RECORD")?;
            match File::options()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(file) => Some(Mutex::new(file)),
                Err(err) => {
                    tracing::error!(error = %err, "CONNMGR_SANDBOX_RECORD cannot be opened");
                    None
                }
            }
        })
        .as_ref()
}

/// Notes `value`, a credential of the given kind, when a record is kept.
pub fn note(kind: &str, value: &str) {
    let Some(file) = record() else { return };
    let line = serde_json::json!({ "kind": kind, "value": value }).to_string();
    let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
    if let Err(err) = writeln!(file, "{line}") {
        tracing::error!(error = %err, "the record could not be written");
    }
}
