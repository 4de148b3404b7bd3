//! A delete that can be undone: the connection leaves the list at once, but its client secret,
//! tokens and grant stay until the delete is made final, so that Undo gives back exactly what
//! was there. Making it final revokes the tokens at the server (RFC 7009), which cannot be
//! undone, and removes every keyring entry. A front end makes it final after its undo time, and
//! for every pending one when it quits (`finish_deletes`).

use super::Workspace;
use crate::error::Error;
use crate::model::connection::Connection;
use crate::oauth::revoke::Revocation;

impl Workspace {
    /// Takes the connection out of the list; nothing else is touched until
    /// [`Workspace::finish_delete`] (or [`Workspace::undo_delete`]). Its sign-ins in progress
    /// are cancelled.
    pub async fn delete_undoably(&self, id: &str) -> Result<Connection, Error> {
        self.get(id)?;
        self.inner.sign_ins.cancel(id);
        let locks = self.inner.tokens.locks().clone();
        let connections = self.inner.connections.clone();
        let owned = id.to_owned();
        let taken = tokio::task::spawn_blocking(move || {
            let _held = locks.hold_blocking(&owned)?;
            connections.take_out(&owned)
        })
        .await
        .map_err(|e| Error::Internal(format!("deleting a connection: {e}")))??;
        self.pending().insert(id.to_owned(), taken.clone());
        Ok(taken)
    }

    /// Puts a connection deleted with [`Workspace::delete_undoably`] back, as it was (under a
    /// free name if its name was taken meanwhile). Too late once the delete is final.
    pub fn undo_delete(&self, id: &str) -> Result<Connection, Error> {
        let taken = self.pending().remove(id).ok_or_else(|| {
            Error::Refused(
                "The delete can no longer be undone: the connection and its secrets are gone."
                    .to_owned(),
            )
        })?;
        let name = taken.settings.name.clone();
        self.inner
            .connections
            .put_back(taken.clone())
            .inspect_err(|_| {
                // Still deleted, still undoable: the caller may try again.
                self.pending().insert(id.to_owned(), taken);
            })
            .inspect(|back| {
                if back.settings.name != name {
                    tracing::info!(id, "restored under a new name");
                }
            })
    }

    /// Makes a delete final: the tokens are revoked at the server when it can be told, and
    /// every keyring entry of the connection goes. `None` when there was nothing pending (it
    /// was undone, or made final already).
    pub async fn finish_delete(&self, id: &str) -> Result<Option<Revocation>, Error> {
        let Some(taken) = self.pending().remove(id) else {
            return Ok(None);
        };
        let revocation = match self.inner.tokens.revoke_and_forget(&taken).await {
            Ok(r) => r,
            Err(err) => Revocation::Failed {
                message: err.to_string(),
            },
        };
        if let Err(err) = self.inner.connections.secrets().delete_all(id) {
            // Kept pending: a later try (or the next quit) removes them.
            self.pending().insert(id.to_owned(), taken);
            return Err(err);
        }
        self.inner.tokens.locks().remove(id);
        tracing::info!(id, "connection deleted");
        Ok(Some(revocation))
    }

    /// Makes every pending delete final (when the app quits).
    pub async fn finish_deletes(&self) {
        let ids: Vec<String> = self.pending().keys().cloned().collect();
        for id in ids {
            if let Err(err) = self.finish_delete(&id).await {
                tracing::warn!(id, error = %err, "a deleted connection's secrets could not be removed");
            }
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Connection>> {
        self.inner.removed.lock().unwrap_or_else(|p| p.into_inner())
    }
}
