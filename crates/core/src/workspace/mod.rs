//! [`Workspace`]: the one API every front end calls (the app's commands, the command-line
//! tool). It owns the saved connections, their secrets and their tokens, and keeps its own
//! bookkeeping: after every token operation, whether it succeeded or failed, the connection's
//! token summary, last use and last test are recorded here, never by the caller.
//!
//! Methods that touch only the file and the keyring are plain functions; a front end with a
//! window calls them off its main thread (the app uses `spawn_blocking`). Methods that talk to a
//! server are `async`.

mod device;
mod discovery;
mod removal;
mod sign_ins;
mod tokens;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::Error;
use crate::http::HttpClient;
use crate::model::connection::{Connection, ConnectionDraft};
use crate::model::listing::{ListIndex, ListPage, ListQuery};
use crate::model::transfer::{ImportChoice, ImportOutcome, ImportPreview};
use crate::model::validate::Validation;
use crate::oauth::revoke::Revocation;
use crate::storage::connections_file::{SetAside, Store};
use crate::storage::keyring::SecretStore;
use crate::storage::saved::SavedConnections;
use crate::tokens::Tokens;
use crate::tokens::renewal::Renewal;

pub use tokens::CopyReceipt;

/// The saved connections of one person on one computer, with their secrets and tokens.
/// Cheap to clone: clones share the connections held in memory and the sign-ins in progress.
#[derive(Debug, Clone)]
pub struct Workspace {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    connections: SavedConnections,
    tokens: Tokens,
    http: HttpClient,
    renewal: Renewal,
    sign_ins: sign_ins::SignIns,
    /// Device sign-ins whose code is shown, waiting to be polled for (by connection id).
    devices: Mutex<std::collections::HashMap<String, crate::oauth::device_code::PendingDevice>>,
    /// The list prepared for the saved connections as last read (see [`Workspace::list`]).
    listing: Mutex<Option<Listed>>,
    /// Connections deleted but still undoable, their secrets and tokens still in the keyring
    /// (see [`Workspace::delete_undoably`]).
    removed: Mutex<std::collections::HashMap<String, Connection>>,
}

/// The list prepared for one read of the saved connections.
type Listed = (Arc<Vec<Connection>>, Arc<ListIndex>);

impl Workspace {
    /// The connections kept in `store`, their secrets in `secrets`, every server reached
    /// through `http`.
    pub fn new(store: Store, secrets: Arc<dyn SecretStore>, http: HttpClient) -> Self {
        let tokens = Tokens::new(http.clone(), secrets.clone()).shared_in(store.dir());
        Workspace {
            inner: Arc::new(Inner {
                connections: SavedConnections::new(store, secrets),
                renewal: Renewal::new(tokens.clone()),
                tokens,
                http,
                sign_ins: sign_ins::SignIns::default(),
                devices: Mutex::default(),
                listing: Mutex::new(None),
                removed: Mutex::default(),
            }),
        }
    }

    /// Reads the saved connections once, setting an unreadable file aside (see
    /// [`Store::load`]); returns where it was kept and why.
    pub fn open(&self) -> Result<Option<SetAside>, Error> {
        Ok(self.inner.connections.load()?.set_aside)
    }

    /// The HTTP client every call goes through.
    pub fn http(&self) -> &HttpClient {
        &self.inner.http
    }

    /// The connections file's path.
    pub fn store_path(&self) -> PathBuf {
        self.inner.connections.store().path()
    }

    /// How many times the connections file was read and parsed (for tests and benchmarks).
    pub fn file_reads(&self) -> u64 {
        self.inner.connections.store().parses()
    }

    /// One page of the connection list: the rows a search finds, in the order asked for, with
    /// the totals and where the selection is (see [`ListQuery`]). The search text and each
    /// order are prepared once per change of the saved connections, so a page of a list of
    /// thousands costs a filter and a slice.
    pub fn list(&self, query: &ListQuery) -> Result<ListPage, Error> {
        let current = self.inner.connections.store().current()?;
        let index = {
            let mut cached = self.inner.listing.lock().unwrap_or_else(|p| p.into_inner());
            match &*cached {
                Some((of, index)) if Arc::ptr_eq(of, &current) => index.clone(),
                _ => {
                    let index = Arc::new(ListIndex::new(&current));
                    *cached = Some((current.clone(), index.clone()));
                    index
                }
            }
        };
        Ok(index.page(&current, query))
    }

    /// Whether another process (the command-line tool) changed the saved connections since
    /// this workspace last read or wrote them; when it did, they are read again, so the next
    /// list and get see the change. Costs a stat when nothing changed.
    pub fn reread_if_changed_elsewhere(&self) -> Result<bool, Error> {
        let store = self.inner.connections.store();
        if !store.changed_on_disk()? {
            return Ok(false);
        }
        store.current()?;
        Ok(true)
    }

    /// Every saved connection in full, in the order they were created.
    pub fn connections(&self) -> Result<Vec<Connection>, Error> {
        self.inner.connections.list()
    }

    /// One saved connection.
    pub fn get(&self, id: &str) -> Result<Connection, Error> {
        self.inner.connections.get(id)
    }

    /// The connection whose id is `key`, or whose name is `key` (trimmed, case-insensitive).
    pub fn find(&self, key: &str) -> Result<Connection, Error> {
        let wanted = key.trim().to_lowercase();
        self.inner
            .connections
            .list()?
            .into_iter()
            .find(|c| c.id == key.trim() || c.settings.name.trim().to_lowercase() == wanted)
            .ok_or_else(|| Error::NotFound(key.to_owned()))
    }

    /// Rust's verdict on a form: every field error and warning, and the resolved endpoints.
    /// Reads no file: the names it checks against are the ones held in memory.
    pub fn validate(&self, draft: &ConnectionDraft) -> Result<Validation, Error> {
        self.inner.connections.validate(draft)
    }

    /// Creates or updates a connection; all or nothing across the file and the keyring.
    pub fn save(&self, draft: &ConnectionDraft) -> Result<Connection, Error> {
        self.inner.connections.save(draft)
    }

    /// Copies a connection as "Copy of …", with its client secret.
    pub fn duplicate(&self, id: &str) -> Result<Connection, Error> {
        self.inner.connections.duplicate(id)
    }

    /// Deletes a connection and its keyring entries, cancelling its sign-ins. Its tokens are
    /// first revoked at the server when it has a revocation endpoint (RFC 7009); the answer
    /// says what became of them there. Holds the connection's lock, so no renewal in another
    /// process is halfway through.
    pub async fn delete(&self, id: &str) -> Result<Revocation, Error> {
        let connection = self.get(id)?;
        self.inner.sign_ins.cancel(id);
        let revocation = self.inner.tokens.revoke_and_forget(&connection).await?;
        let locks = self.inner.tokens.locks().clone();
        let id = id.to_owned();
        let connections = self.inner.connections.clone();
        tokio::task::spawn_blocking(move || {
            let _held = locks.hold_blocking(&id)?;
            connections.delete(&id)?;
            locks.remove(&id);
            Ok::<_, Error>(())
        })
        .await
        .map_err(|e| Error::Internal(format!("deleting a connection: {e}")))??;
        Ok(revocation)
    }

    /// Writes the connections with the given ids (all for `None`) to `path`, without secrets;
    /// an existing file only with `replace` ([`Error::FileExists`] otherwise). Returns how many
    /// were written.
    pub fn export(
        &self,
        ids: Option<&[String]>,
        path: &Path,
        replace: bool,
    ) -> Result<usize, Error> {
        self.inner.connections.export_to(ids, path, replace)
    }

    /// Checks a file for import and says what importing it would do. Changes nothing.
    pub fn preview_import(&self, path: &Path) -> Result<ImportPreview, Error> {
        self.inner.connections.preview_import(path)
    }

    /// Imports a file with the admin's choice for each connection; all or nothing.
    pub fn import(&self, path: &Path, choices: &[ImportChoice]) -> Result<ImportOutcome, Error> {
        self.inner.connections.import(path, choices)
    }
}
