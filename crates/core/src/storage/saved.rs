//! [`SavedConnections`]: the saved connections, their metadata in the [`Store`] and their secrets in a
//! [`SecretStore`], kept in step.
//!
//! Saving is all-or-nothing across the two: the secret is written first and the file second; if
//! the file cannot be written the keyring is put back as it was, and if the keyring cannot be
//! written the file is not touched. Either way the caller still holds the draft, so the form
//! keeps what the admin typed.

use std::sync::Arc;

use crate::error::Error;
use crate::model::connection::{Connection, ConnectionDraft, ConnectionSettings};
use crate::model::names::{check_name_free, copy_name, free_name, name_taken};
use crate::model::validate::{self, Context, FieldIssue, Validation};
use crate::storage::connections_file::{Loaded, Store};
use crate::storage::credential::{self, Change};
use crate::storage::keyring::{SecretKind, SecretStore};
use crate::storage::secret::Secret;

/// The saved connections.
#[derive(Debug, Clone)]
pub struct SavedConnections {
    store: Store,
    secrets: Arc<dyn SecretStore>,
}

impl SavedConnections {
    /// SavedConnections kept in `store`, with their secrets in `secrets`.
    pub fn new(store: Store, secrets: Arc<dyn SecretStore>) -> Self {
        SavedConnections { store, secrets }
    }

    /// The metadata store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The secret store.
    pub fn secrets(&self) -> &Arc<dyn SecretStore> {
        &self.secrets
    }

    /// Reads the saved connections, setting an unreadable file aside (see [`Store::load`]).
    pub fn load(&self) -> Result<Loaded, Error> {
        self.store.load()
    }

    /// The saved connections, in the order they were created. An unreadable file is set aside
    /// and reported as [`Error::StoreCorrupt`].
    pub fn list(&self) -> Result<Vec<Connection>, Error> {
        self.store.read()
    }

    /// One saved connection.
    pub fn get(&self, id: &str) -> Result<Connection, Error> {
        self.store
            .current()?
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or_else(|| Error::NotFound(id.to_owned()))
    }

    /// Validates a draft against the saved connections (name uniqueness, stored secret) as
    /// last read: no file is read while the admin types (a save checks again under the lock).
    pub fn validate(&self, draft: &ConnectionDraft) -> Result<Validation, Error> {
        Ok(validate_against(&self.store.remembered()?, draft))
    }

    /// Creates (`draft.id` is `None`) or updates a connection. Returns it as saved.
    pub fn save(&self, draft: &ConnectionDraft) -> Result<Connection, Error> {
        match &draft.id {
            None => self.create(draft),
            Some(id) => self.update(id, draft),
        }
    }

    fn create(&self, draft: &ConnectionDraft) -> Result<Connection, Error> {
        let (verdict, change) = check(&self.store.remembered()?, draft);
        let (settings, endpoints) = accept(verdict)?;
        let id = uuid::Uuid::new_v4().to_string();
        let now = crate::time::Timestamp::now();
        let new_secret = match &change {
            Change::Store(value) => Some(value),
            Change::Keep | Change::Remove => None,
        };
        let connection = Connection {
            id: id.clone(),
            settings,
            endpoints,
            has_client_secret: new_secret.is_some(),
            created_at: now,
            updated_at: now,
            last_test: None,
            last_used: None,
            token: None,
            needs_client_secret: false,
        };
        if let Some(secret) = new_secret {
            self.secrets.set(&id, SecretKind::ClientSecret, secret)?;
        }
        let saved = self.store.update(|list| {
            // Checked again under the lock: another window may have saved the same name.
            check_name_free(list, &connection.settings.name, None)?;
            list.push(connection.clone());
            Ok(())
        });
        if let Err(err) = saved {
            if new_secret.is_some() {
                self.rollback(&id, None);
            }
            return Err(err);
        }
        tracing::info!(id = %id, "connection created");
        Ok(connection)
    }

    fn update(&self, id: &str, draft: &ConnectionDraft) -> Result<Connection, Error> {
        let all = self.store.current()?;
        let existing = all
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| Error::NotFound(id.to_owned()))?
            .clone();
        let (verdict, change) = check(&all, draft);
        let (settings, endpoints) = accept(verdict)?;
        let has_client_secret = match &change {
            Change::Keep => existing.has_client_secret,
            Change::Store(_) => true,
            Change::Remove => false,
        };
        // Tokens were issued for the old client, endpoints and scopes; they go when those change.
        let tokens_stale = !matches!(change, Change::Keep)
            || token_relevant(&existing.settings) != token_relevant(&settings)
            || existing.endpoints != endpoints;
        let updated = Connection {
            settings,
            endpoints,
            has_client_secret,
            updated_at: crate::time::Timestamp::now(),
            needs_client_secret: existing.needs_client_secret && !has_client_secret,
            token: if tokens_stale {
                None
            } else {
                existing.token.clone()
            },
            ..existing.clone()
        };

        let previous_secret = if let Change::Store(value) = &change {
            let previous = self.secrets.get(id, SecretKind::ClientSecret)?;
            self.secrets.set(id, SecretKind::ClientSecret, value)?;
            Some(previous)
        } else {
            None
        };
        let saved = self.store.update(|list| {
            check_name_free(list, &updated.settings.name, Some(id))?;
            let slot = list
                .iter_mut()
                .find(|c| c.id == id)
                .ok_or_else(|| Error::NotFound(id.to_owned()))?;
            *slot = edited(slot, &updated, tokens_stale);
            Ok(slot.clone())
        });
        let updated = match saved {
            Ok(updated) => updated,
            Err(err) => {
                if let Some(previous) = previous_secret {
                    self.rollback(id, previous.as_ref());
                }
                return Err(err);
            }
        };
        if matches!(change, Change::Remove)
            && let Err(err) = self.secrets.delete(id, SecretKind::ClientSecret)
        {
            // The file already says "no secret": put the old entry back so both halves agree.
            let restored = self.store.update(|list| {
                if let Some(slot) = list.iter_mut().find(|c| c.id == id) {
                    *slot = edited(slot, &existing, false);
                }
                Ok(())
            });
            if let Err(restore_err) = restored {
                tracing::error!(id, error = %restore_err, "could not restore the connection after a failed secret removal");
            }
            return Err(err);
        }
        if tokens_stale {
            self.forget_tokens(id);
        }
        tracing::info!(id, "connection updated");
        Ok(updated)
    }

    /// Deletes a connection and every secret it has in the keyring.
    pub fn delete(&self, id: &str) -> Result<(), Error> {
        self.get(id)?;
        // Secrets first: if the keyring fails, nothing is deleted and the admin can retry;
        // the reverse order could leave secrets behind with nothing pointing at them.
        self.secrets.delete_all(id)?;
        self.store.update(|list| {
            list.retain(|c| c.id != id);
            Ok(())
        })?;
        tracing::info!(id, "connection deleted");
        Ok(())
    }

    /// Takes a connection out of the file and returns it; its keyring entries stay, so that
    /// [`SavedConnections::put_back`] can undo this (see `Workspace::delete_undoably`).
    pub fn take_out(&self, id: &str) -> Result<Connection, Error> {
        let mut taken = None;
        self.store.update(|list| {
            let at = list
                .iter()
                .position(|c| c.id == id)
                .ok_or_else(|| Error::NotFound(id.to_owned()))?;
            taken = Some(list.remove(at));
            Ok(())
        })?;
        tracing::info!(
            id,
            "connection taken out (its secrets kept until the delete is final)"
        );
        taken.ok_or_else(|| Error::NotFound(id.to_owned()))
    }

    /// Puts a connection taken out back into the file, as it was; under a free name if
    /// another connection took its name meanwhile.
    pub fn put_back(&self, connection: Connection) -> Result<Connection, Error> {
        let back = self.store.update(|list| {
            if list.iter().any(|c| c.id == connection.id) {
                return Err(Error::Internal("the connection is already back".to_owned()));
            }
            let mut back = connection;
            if name_taken(list, &back.settings.name) {
                back.settings.name = free_name(&back.settings.name, &|n| name_taken(list, n));
            }
            list.push(back.clone());
            Ok(back)
        })?;
        tracing::info!(id = back.id, "connection put back");
        Ok(back)
    }

    /// Copies a connection as "Copy of …", with a copy of its client secret (not its tokens).
    pub fn duplicate(&self, id: &str) -> Result<Connection, Error> {
        let all = self.store.current()?;
        let original = all
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| Error::NotFound(id.to_owned()))?;
        let secret = if original.has_client_secret {
            self.secrets.get(id, SecretKind::ClientSecret)?
        } else {
            None
        };
        let new_id = uuid::Uuid::new_v4().to_string();
        let now = crate::time::Timestamp::now();
        let mut copy = Connection {
            id: new_id.clone(),
            has_client_secret: secret.is_some(),
            created_at: now,
            updated_at: now,
            last_test: None,
            last_used: None,
            token: None,
            ..original.clone()
        };
        if let Some(secret) = &secret {
            self.secrets
                .set(&new_id, SecretKind::ClientSecret, secret)?;
        }
        let saved = self.store.update(|list| {
            copy.settings.name = copy_name(&original.settings.name, list);
            list.push(copy.clone());
            Ok(())
        });
        if let Err(err) = saved {
            if secret.is_some() {
                self.rollback(&new_id, None);
            }
            return Err(err);
        }
        tracing::info!(from = id, id = %new_id, "connection duplicated");
        Ok(copy)
    }

    /// Records the outcome of a connection test.
    pub fn record_test(
        &self,
        id: &str,
        summary: crate::model::connection::TestSummary,
    ) -> Result<Connection, Error> {
        self.store.update(|list| {
            let slot = list
                .iter_mut()
                .find(|c| c.id == id)
                .ok_or_else(|| Error::NotFound(id.to_owned()))?;
            slot.last_used = Some(summary.at);
            slot.last_test = Some(summary);
            Ok(slot.clone())
        })
    }

    /// Records what is known of the connection's cached token (`None`: it has none) and, when
    /// there is one, that the connection was just used.
    pub fn record_token(
        &self,
        id: &str,
        token: Option<&crate::oauth::TokenInfo>,
    ) -> Result<Connection, Error> {
        self.note_token(id, token, true)
    }

    /// Records a token renewed in the background (see [`crate::renewal`]): the connection's
    /// token state changes, but it was not used, so its place in "last used" stays.
    pub fn record_renewal(
        &self,
        id: &str,
        token: Option<&crate::oauth::TokenInfo>,
    ) -> Result<Connection, Error> {
        self.note_token(id, token, false)
    }

    fn note_token(
        &self,
        id: &str,
        token: Option<&crate::oauth::TokenInfo>,
        used: bool,
    ) -> Result<Connection, Error> {
        let summary = token.map(|t| crate::model::connection::TokenSummary {
            obtained_at: t.obtained_at,
            expires_at: t.expires_at,
            has_refresh_token: t.has_refresh_token,
        });
        self.store.update(|list| {
            let slot = list
                .iter_mut()
                .find(|c| c.id == id)
                .ok_or_else(|| Error::NotFound(id.to_owned()))?;
            if used && summary.is_some() {
                slot.last_used = Some(crate::time::Timestamp::now());
            }
            slot.token = summary;
            Ok(slot.clone())
        })
    }

    /// Removes a connection's cached access token and refresh token (not its client secret).
    /// Failures are logged: stale tokens are replaced on next use anyway.
    fn forget_tokens(&self, id: &str) {
        for kind in [SecretKind::AccessToken, SecretKind::RefreshToken] {
            if let Err(err) = self.secrets.delete(id, kind) {
                tracing::warn!(id, error = %err, "could not remove a stale token");
            }
        }
    }

    /// Puts a connection's client secret back as it was before a failed save.
    fn rollback(&self, id: &str, previous: Option<&Secret>) {
        let result = match previous {
            Some(secret) => self.secrets.set(id, SecretKind::ClientSecret, secret),
            None => self.secrets.delete(id, SecretKind::ClientSecret),
        };
        if let Err(err) = result {
            tracing::error!(id, error = %err, "could not roll the client secret back after a failed save");
        }
    }
}

/// Validates a draft against a list of saved connections.
pub fn validate_against(all: &[Connection], draft: &ConnectionDraft) -> Validation {
    check(all, draft).0
}

/// The verdict on a draft, and what its save does to the credential in the keyring.
fn check(all: &[Connection], draft: &ConnectionDraft) -> (Validation, Change) {
    let existing = draft
        .id
        .as_deref()
        .and_then(|id| all.iter().find(|c| c.id == id));
    let other_names: Vec<&str> = all
        .iter()
        .filter(|c| Some(c.id.as_str()) != draft.id.as_deref())
        .map(|c| c.settings.name.as_str())
        .collect();
    let resolved = credential::resolve(existing, draft);
    // The key's facts are the core's to say: worked out from the key, never taken from a draft.
    let mut settings = draft.settings.clone();
    settings.assertion.key = resolved.facts;
    let typed_port = draft
        .redirect_port_text
        .as_deref()
        .map(validate::redirect_port_from_text);
    if let Some(Ok(port)) = typed_port {
        settings.redirect_port = port;
    }
    let mut verdict = validate::validate(
        &settings,
        Context {
            other_names: &other_names,
            has_client_secret: resolved.held,
            secret_is_empty: resolved.empty,
        },
    );
    if let Some(issue) = resolved.issue {
        verdict.errors.retain(|e| e.field != issue.field);
        verdict.errors.push(issue);
    }
    if let Some(Err(message)) = typed_port {
        verdict.errors.push(FieldIssue {
            field: validate::field::REDIRECT_PORT.to_owned(),
            message,
            action: None,
        });
    }
    (verdict, resolved.change)
}

fn accept(
    v: Validation,
) -> Result<(ConnectionSettings, crate::model::connection::Endpoints), Error> {
    match (v.errors.is_empty(), v.endpoints) {
        (true, Some(endpoints)) => Ok((v.normalized, endpoints)),
        (_, _) if !v.errors.is_empty() => Err(Error::Validation(v.errors)),
        _ => Err(Error::Internal(
            "the endpoints could not be resolved".to_owned(),
        )),
    }
}

/// `current` (the connection as the file holds it under the lock) with what an edit changes:
/// the settings, endpoints and secret flags of `edit`. The bookkeeping recorded since the edit
/// was prepared (a renewal, a test, a use) is kept; the token summary goes only when the edit
/// made the tokens stale.
fn edited(current: &Connection, edit: &Connection, tokens_stale: bool) -> Connection {
    Connection {
        token: if tokens_stale {
            None
        } else {
            current.token.clone()
        },
        last_test: current.last_test.clone(),
        last_used: current.last_used,
        ..edit.clone()
    }
}

/// The settings a token depends on: when one changes, cached tokens no longer apply.
fn token_relevant(s: &ConnectionSettings) -> impl PartialEq + '_ {
    (
        &s.client_id,
        s.grant_type,
        s.client_auth,
        &s.scopes,
        s.provider,
    )
}

#[cfg(test)]
mod tests;
