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
//! The list is held in memory: read once, kept up to date by every write through this store,
//! and read again only when the file on disk is not the one last seen (its inode, size or
//! modification time changed: another process, such as the command-line tool, wrote it). The
//! file is replaced by rename on every write, so a new inode and time mark every change.
//!
//! Why not `tauri-plugin-store`: its save truncates then writes (not atomic) and it silently
//! drops a file it cannot parse, which the next save overwrites; it keeps UI preferences only.

use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::connection::Connection;

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

/// The connections file in one folder, and the list it held when last read or written.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    memory: Arc<Memory>,
}

/// What the store holds in memory. Shared by the clones of one [`Store`].
#[derive(Debug, Default)]
struct Memory {
    /// The file as last read or written, `None` before the first read.
    seen: Mutex<Option<Seen>>,
    /// How many times the file was read and parsed (for tests and benchmarks).
    parses: AtomicU64,
}

#[derive(Debug, Clone)]
struct Seen {
    /// Which file it was: `None` when there was none.
    stamp: Option<Stamp>,
    connections: Arc<Vec<Connection>>,
}

/// What tells one version of the file from another without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Self {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        }
    }
}

impl Store {
    /// The store in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Store {
            dir: dir.into(),
            memory: Arc::new(Memory::default()),
        }
    }

    /// How many times this store (and its clones) read and parsed the file.
    pub fn parses(&self) -> u64 {
        self.memory.parses.load(Ordering::Relaxed)
    }

    /// The saved connections as last read or written, with no look at the disk (read once if
    /// they never were). For what may be a moment stale, such as validating a form while the
    /// admin types; a save checks again under the lock.
    pub fn remembered(&self) -> Result<Arc<Vec<Connection>>, Error> {
        if let Some(seen) = self.seen() {
            return Ok(seen.connections);
        }
        self.current()
    }

    /// The saved connections as they are on disk now: the list in memory when the file has not
    /// changed since it was last read or written, else the file read again. An unreadable file
    /// is set aside and reported as [`Error::StoreCorrupt`].
    pub fn current(&self) -> Result<Arc<Vec<Connection>>, Error> {
        if let Some(seen) = self.seen()
            && self.stamp_on_disk()? == seen.stamp
        {
            return Ok(seen.connections);
        }
        self.ensure_dir()?;
        let _lock = self.lock()?;
        match self.read_unlocked()? {
            Read::Ok(c) => Ok(c),
            Read::Corrupt(reason) => {
                let kept = self.set_aside()?;
                Err(Error::StoreCorrupt { kept, reason })
            }
        }
    }

    /// Whether the file on disk is not the one this store last read or wrote: another
    /// process (the command-line tool) changed it. A stat, no read.
    pub fn changed_on_disk(&self) -> Result<bool, Error> {
        let on_disk = self.stamp_on_disk()?;
        Ok(match self.seen() {
            Some(seen) => seen.stamp != on_disk,
            None => on_disk.is_some(),
        })
    }

    fn seen(&self) -> Option<Seen> {
        self.memory
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn remember(&self, seen: Seen) {
        *self.memory.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(seen);
    }

    fn stamp_on_disk(&self) -> Result<Option<Stamp>, Error> {
        let path = self.path();
        match fs::metadata(&path) {
            Ok(meta) => Ok(Some(Stamp::of(&meta))),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&path, e)),
        }
    }

    /// The folder holding the connections file.
    pub fn dir(&self) -> &Path {
        &self.dir
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
                connections: connections.to_vec(),
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
        Ok(self.current()?.to_vec())
    }

    /// Reads the connections, lets `change` modify them and writes them back, all under the lock.
    /// When `change` fails, nothing is written. A corrupt file is set aside and the update fails
    /// with [`Error::StoreCorrupt`], naming the kept file.
    pub fn update<T>(
        &self,
        change: impl FnOnce(&mut Vec<Connection>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.ensure_dir()?;
        let _lock = self.lock()?;
        let mut connections = match self.read_unlocked()? {
            Read::Ok(c) => c.to_vec(),
            Read::Corrupt(reason) => {
                let kept = self.set_aside()?;
                return Err(Error::StoreCorrupt { kept, reason });
            }
        };
        let out = change(&mut connections)?;
        self.write_unlocked(connections)?;
        Ok(out)
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
        crate::storage::atomic::hold_lock_file(&self.lock_path())
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

    /// The file's content, from memory when it is the file last seen. Called under the lock.
    fn read_unlocked(&self) -> Result<Read, Error> {
        let path = self.path();
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let empty = Arc::new(Vec::new());
                self.remember(Seen {
                    stamp: None,
                    connections: empty.clone(),
                });
                return Ok(Read::Ok(empty));
            }
            Err(e) => return Err(io_error(&path, e)),
        };
        // The stamp of the file opened, so it matches the bytes read whatever is renamed over
        // the path meanwhile.
        let stamp = Stamp::of(&file.metadata().map_err(|e| io_error(&path, e))?);
        if let Some(seen) = self.seen()
            && seen.stamp == Some(stamp)
        {
            return Ok(Read::Ok(seen.connections));
        }
        self.remove_leftovers();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).map_err(|e| io_error(&path, e))?;
        self.memory.parses.fetch_add(1, Ordering::Relaxed);
        Ok(match parse(&bytes) {
            Read::Ok(connections) => {
                self.remember(Seen {
                    stamp: Some(stamp),
                    connections: connections.clone(),
                });
                Read::Ok(connections)
            }
            corrupt => corrupt,
        })
    }

    fn write_unlocked(&self, connections: Vec<Connection>) -> Result<(), Error> {
        let file = StoreFile {
            version: FORMAT_VERSION,
            connections,
        };
        let mut bytes =
            serde_json::to_vec_pretty(&file).map_err(|e| Error::Internal(e.to_string()))?;
        bytes.push(b'\n');
        let path = self.path();
        super::atomic::write_atomic(&path, &bytes)?;
        let mut seen = self.memory.seen.lock().unwrap_or_else(|p| p.into_inner());
        // Without the new file's stamp the next read goes to the disk.
        *seen = fs::metadata(&path).ok().map(|meta| Seen {
            stamp: Some(Stamp::of(&meta)),
            connections: Arc::new(file.connections),
        });
        Ok(())
    }

    fn set_aside(&self) -> Result<PathBuf, Error> {
        let path = self.path();
        let stamp = crate::time::Timestamp::now().file_stamp();
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
    Ok(Arc<Vec<Connection>>),
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
        Ok(f) => Read::Ok(Arc::new(f.connections)),
        Err(e) => Read::Corrupt(format!("the file does not have the expected shape ({e})")),
    }
}

pub(crate) fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::StoreIo {
        path: path.to_path_buf(),
        source,
    }
}
