//! One renewal of a connection's grant at a time, across processes.
//!
//! The app and the command-line tool share the connections file and the keyring. A server that
//! rotates refresh tokens and treats a reused one as theft (RFC 9700 §4.14.2) revokes the whole
//! grant when two processes refresh with the same refresh token. So whatever changes a
//! connection's tokens (a renewal, a sign-in's answer, forget, delete) first holds an advisory
//! lock on `locks/<connection>.lock` beside the connections file, and reads the tokens again
//! after taking it: the second process then finds the token the first one got, or at least the
//! rotated refresh token, and never sends the old one.
//!
//! The lock is the operating system's (`flock` on Linux, `LockFileEx` on Windows): it is
//! released when the holder's file is closed, including when the process dies, so a killed
//! process never leaves a connection locked. Inside one process, [`super::Tokens`] also keeps
//! its single flight per connection, so tasks of one process queue there first.

use std::fs::{self, File};
use std::path::PathBuf;

use crate::error::Error;
use crate::storage::atomic::hold_lock_file;
use crate::storage::connections_file::io_error;

/// The folder of the lock files, beside the connections file.
const FOLDER: &str = "locks";
/// A connection id used as a file name as it is; anything else is written in hex.
const PLAIN_NAME_MAX: usize = 64;

/// Where the per-connection locks live; `None` keeps them inside this process only (a
/// workspace with no folder of its own, such as unit tests' in-memory stores).
#[derive(Debug, Clone, Default)]
pub struct GrantLocks {
    folder: Option<PathBuf>,
}

/// A held lock, released when dropped.
#[derive(Debug)]
pub struct Held {
    _file: Option<File>,
}

impl GrantLocks {
    /// Locks shared by every process whose connections file is in `data_dir`.
    pub fn in_folder(data_dir: impl Into<PathBuf>) -> Self {
        GrantLocks {
            folder: Some(data_dir.into().join(FOLDER)),
        }
    }

    fn path(&self, id: &str) -> Option<PathBuf> {
        self.folder
            .as_ref()
            .map(|folder| folder.join(format!("{}.lock", file_name(id))))
    }

    /// Waits for the lock of connection `id` (blocking this thread).
    pub fn hold_blocking(&self, id: &str) -> Result<Held, Error> {
        let Some(path) = self.path(id) else {
            return Ok(Held { _file: None });
        };
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(|e| io_error(folder, e))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(folder, fs::Permissions::from_mode(0o700))
                    .map_err(|e| io_error(folder, e))?;
            }
        }
        let file = hold_lock_file(&path)?;
        Ok(Held { _file: Some(file) })
    }

    /// Waits for the lock of connection `id` without blocking the async runtime.
    pub async fn hold(&self, id: &str) -> Result<Held, Error> {
        if self.folder.is_none() {
            return Ok(Held { _file: None });
        }
        let locks = self.clone();
        let id = id.to_owned();
        tokio::task::spawn_blocking(move || locks.hold_blocking(&id))
            .await
            .map_err(|e| Error::Internal(format!("waiting for a connection's lock: {e}")))?
    }

    /// Removes the lock file of a deleted connection. Called while holding its lock: a process
    /// that was waiting for it finds the connection's tokens gone and stops there.
    pub fn remove(&self, id: &str) {
        if let Some(path) = self.path(id) {
            let _ = fs::remove_file(path);
        }
    }
}

/// A file name for a connection id: the id itself when it is a plain one (a UUID), otherwise
/// its bytes in hex (ids come from files, which may hold anything), cut to a safe length.
fn file_name(id: &str) -> String {
    let plain = !id.is_empty()
        && id.len() <= PLAIN_NAME_MAX
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain {
        return id.to_owned();
    }
    let hex: String = id
        .bytes()
        .take(PLAIN_NAME_MAX)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("x-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_id_names_its_file_and_anything_else_is_hex() {
        assert_eq!(
            file_name("0b7c1e8a-5d1f-4c3e-9a7b-2f6d8e1c4a90"),
            "0b7c1e8a-5d1f-4c3e-9a7b-2f6d8e1c4a90"
        );
        assert_eq!(file_name("../x"), "x-2e2e2f78");
        assert_eq!(file_name(""), "x-");
        assert!(file_name(&"é".repeat(500)).len() <= 2 + 2 * PLAIN_NAME_MAX);
    }

    #[test]
    fn a_second_holder_waits_until_the_first_lets_go() {
        let dir = tempfile::tempdir().expect("temp dir");
        let locks = GrantLocks::in_folder(dir.path());
        let first = locks.hold_blocking("c1").expect("first");
        let (tx, rx) = std::sync::mpsc::channel();
        let other = locks.clone();
        let waiter = std::thread::spawn(move || {
            let _second = other.hold_blocking("c1").expect("second");
            tx.send(()).expect("send");
        });
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(200))
                .is_err(),
            "the second holder waits"
        );
        // Another connection's lock is free meanwhile.
        drop(locks.hold_blocking("c2").expect("other connection"));
        drop(first);
        rx.recv_timeout(std::time::Duration::from_secs(5))
            .expect("the second holder gets it once the first lets go");
        waiter.join().expect("join");
    }
}
