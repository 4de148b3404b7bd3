//! The saved connections' metadata: a versioned JSON file, `connections.json`, in the app's data
//! folder. It never holds a secret (those are in the keyring).
//!
//! Crash safety: every write goes to a temporary file in the same folder, is flushed to disk
//! (`fsync`) and renamed over the old file, so a reader sees the old content or the new, never a
//! mix. Every read-modify-write holds an advisory lock on `connections.json.lock`, so two
//! processes never lose each other's update. The folder is 0700 and the file 0600.
//!
//! A file that cannot be read (empty, truncated, not UTF-8, not the expected shape, or written
//! by a newer version) is never overwritten: it is renamed to
//! `connections.json.corrupt-<timestamp>` and the store starts empty, reporting the kept file.
//!
//! Why not `tauri-plugin-store`: its save truncates then writes (not atomic) and it silently
//! drops a file it cannot parse, which the next save overwrites; it keeps UI preferences only.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::connection::Connection;
use crate::error::Error;

/// The file's name inside the data folder.
pub const FILE_NAME: &str = "connections.json";
/// The format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct StoreFile {
    version: u32,
    connections: Vec<Connection>,
}

#[derive(Deserialize)]
struct VersionOnly {
    version: Option<serde_json::Value>,
}

/// What [`Store::load`] found.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The saved connections (empty when the file was missing or set aside).
    pub connections: Vec<Connection>,
    /// When the file could not be read: where it was kept, and why.
    pub set_aside: Option<SetAside>,
}

/// A file that could not be read and was moved out of the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// Its new path.
    pub kept: PathBuf,
    /// Why it could not be read.
    pub reason: String,
}

/// The connections file in one folder.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Store { dir: dir.into() }
    }

    /// The connections file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    fn lock_path(&self) -> PathBuf {
        self.dir.join(format!("{FILE_NAME}.lock"))
    }

    /// Reads the saved connections. A file that cannot be read is set aside (see the module
    /// docs) and an empty list returned with the kept file named.
    pub fn load(&self) -> Result<Loaded, Error> {
        self.ensure_dir()?;
        let _lock = self.lock()?;
        match self.read_unlocked()? {
            Read::Ok(connections) => Ok(Loaded {
                connections,
                set_aside: None,
            }),
            Read::Corrupt(reason) => {
                let kept = self.set_aside()?;
                tracing::warn!(kept = %kept.display(), %reason, "connections file set aside");
                Ok(Loaded {
                    connections: Vec::new(),
                    set_aside: Some(SetAside { kept, reason }),
                })
            }
        }
    }

    /// Reads the saved connections. Unlike [`Store::load`], an unreadable file is an error
    /// ([`Error::StoreCorrupt`], naming where it was kept), so that nobody misses it.
    pub fn read(&self) -> Result<Vec<Connection>, Error> {
        self.update_inner(|_| Ok(()), false)
    }

    /// Reads the connections, lets `change` modify them and writes them back, all under the lock.
    /// When `change` fails, nothing is written. A corrupt file is set aside and the update fails
    /// with [`Error::StoreCorrupt`], naming the kept file.
    pub fn update<T>(
        &self,
        change: impl FnOnce(&mut Vec<Connection>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut out = None;
        self.update_inner(
            |list| {
                out = Some(change(list)?);
                Ok(())
            },
            true,
        )?;
        out.ok_or_else(|| Error::Internal("the store update produced no result".to_owned()))
    }

    fn update_inner(
        &self,
        change: impl FnOnce(&mut Vec<Connection>) -> Result<(), Error>,
        write: bool,
    ) -> Result<Vec<Connection>, Error> {
        self.ensure_dir()?;
        let _lock = self.lock()?;
        let mut connections = match self.read_unlocked()? {
            Read::Ok(c) => c,
            Read::Corrupt(reason) => {
                let kept = self.set_aside()?;
                return Err(Error::StoreCorrupt { kept, reason });
            }
        };
        change(&mut connections)?;
        if write {
            self.write_unlocked(&connections)?;
        }
        Ok(connections)
    }

    fn ensure_dir(&self) -> Result<(), Error> {
        fs::create_dir_all(&self.dir).map_err(|e| io_error(&self.dir, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700))
                .map_err(|e| io_error(&self.dir, e))?;
        }
        Ok(())
    }

    fn lock(&self) -> Result<File, Error> {
        let path = self.lock_path();
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(|e| io_error(&path, e))?;
        file.lock().map_err(|e| io_error(&path, e))?;
        Ok(file)
    }

    /// Removes temporary files left by writers that were killed mid-write. Called under the
    /// lock: no live writer has a temporary file then.
    fn remove_leftovers(&self) {
        let prefix = format!(".{FILE_NAME}.tmp-");
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    fn read_unlocked(&self) -> Result<Read, Error> {
        self.remove_leftovers();
        let path = self.path();
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Read::Ok(Vec::new())),
            Err(e) => return Err(io_error(&path, e)),
        };
        Ok(parse(&bytes))
    }

    fn write_unlocked(&self, connections: &[Connection]) -> Result<(), Error> {
        let file = StoreFile {
            version: FORMAT_VERSION,
            connections: connections.to_vec(),
        };
        let mut bytes =
            serde_json::to_vec_pretty(&file).map_err(|e| Error::Internal(e.to_string()))?;
        bytes.push(b'\n');
        write_atomic(&self.path(), &bytes)
    }

    fn set_aside(&self) -> Result<PathBuf, Error> {
        let path = self.path();
        let stamp = crate::time::file_stamp();
        let mut kept = self.dir.join(format!("{FILE_NAME}.corrupt-{stamp}"));
        let mut n = 1;
        while kept.exists() {
            kept = self.dir.join(format!("{FILE_NAME}.corrupt-{stamp}-{n}"));
            n += 1;
        }
        fs::rename(&path, &kept).map_err(|e| io_error(&path, e))?;
        Ok(kept)
    }
}

enum Read {
    Ok(Vec<Connection>),
    Corrupt(String),
}

fn parse(bytes: &[u8]) -> Read {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Read::Corrupt("the file is empty".to_owned());
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Read::Corrupt("the file is not UTF-8 text".to_owned());
    };
    let version = match serde_json::from_str::<VersionOnly>(text) {
        Ok(v) => v.version,
        Err(e) if e.is_eof() => {
            return Read::Corrupt("the file is cut short (truncated JSON)".to_owned());
        }
        Err(e) if e.is_syntax() => {
            return Read::Corrupt(format!("the file is not valid JSON ({e})"));
        }
        Err(_) => return Read::Corrupt("the file is not a JSON object with a version".to_owned()),
    };
    match version.as_ref().and_then(serde_json::Value::as_u64) {
        None => return Read::Corrupt("the file has no format version".to_owned()),
        Some(v) if v > u64::from(FORMAT_VERSION) => {
            return Read::Corrupt(format!(
                "the file was written by a newer version of Connection Manager (format {v}; this one reads up to {FORMAT_VERSION})"
            ));
        }
        Some(0) => {
            return Read::Corrupt(
                "the file has format version 0, which no release wrote".to_owned(),
            );
        }
        Some(_) => {}
    }
    match serde_json::from_str::<StoreFile>(text) {
        Ok(f) => Read::Ok(f.connections),
        Err(e) => Read::Corrupt(format!("the file does not have the expected shape ({e})")),
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, `fsync`, rename,
/// then `fsync` of the folder so the rename itself survives a crash.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path
        .parent()
        .ok_or_else(|| Error::Internal(format!("{} has no folder", path.display())))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        crate::time::unique_suffix()
    ));
    let result = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        #[cfg(unix)]
        File::open(dir)?.sync_all()?;
        Ok::<(), std::io::Error>(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io_error(path, e));
    }
    Ok(())
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::StoreIo {
        path: path.to_path_buf(),
        source,
    }
}
