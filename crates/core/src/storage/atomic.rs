//! Writing a file so that a reader, or a crash, sees the old content or the new, never a mix;
//! and the advisory lock files that keep two processes' changes apart.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::storage::connections_file::io_error;

/// Writes `bytes` to `path` atomically: a temporary file in the same folder (created 0600 by
/// `tempfile`, named `.<name>.tmp-…` so the store can remove one a killed writer left), `fsync`,
/// rename over `path`, then `fsync` of the folder so the rename itself survives a crash.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path
        .parent()
        .ok_or_else(|| Error::Internal(format!("{} has no folder", path.display())))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let write = || -> std::io::Result<()> {
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}.tmp-"))
            .tempfile_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        #[cfg(unix)]
        File::open(dir)?.sync_all()?;
        Ok(())
    };
    // On failure the temporary file is removed when `tmp` is dropped.
    write().map_err(|e| io_error(path, e))
}

/// Opens (creating it 0600) the lock file at `path` and waits for its exclusive advisory lock,
/// which lasts until the returned file is closed, or the process ends.
pub fn hold_lock_file(path: &Path) -> Result<File, Error> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path).map_err(|e| io_error(path, e))?;
    file.lock().map_err(|e| io_error(path, e))?;
    Ok(file)
}
