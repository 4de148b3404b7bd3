//! [`SavedConnections`]: the saved connections, their metadata in the [`Store`] and their secrets in a
//! [`SecretStore`], kept in step.
//!
//! Saving is all-or-nothing across the two: the secret is written first and the file second; if
//! the file cannot be written the keyring is put back as it was, and if the keyring cannot be
//! written the file is not touched. Either way the caller still holds the draft, so the form
//! keeps what the admin typed.

use std::sync::Arc;

use crate::error::Error;
use crate::model::connection::{
    Connection, ConnectionDraft, ConnectionSettings, ConnectionSummary, SecretUpdate,
};
use crate::model::names::{check_name_free, copy_name};
use crate::model::validate::{self, Context, Validation};
use crate::storage::connections_file::{Loaded, Store};
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

    /// What the connection list shows of every saved connection, in the order they were created.
    pub fn summaries(&self) -> Result<Vec<ConnectionSummary>, Error> {
        Ok(self
            .store
            .current()?
            .iter()
            .map(Connection::summary)
            .collect())
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
        let verdict = self.validate(draft)?;
        let (settings, endpoints) = accept(verdict)?;
        let id = uuid::Uuid::new_v4().to_string();
        let now = crate::time::Timestamp::now();
        let new_secret = match &draft.client_secret {
            SecretUpdate::Replace { value } => Some(value),
            SecretUpdate::Keep | SecretUpdate::Remove => None,
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
        let (settings, endpoints) = accept(validate_against(&all, draft))?;
        let has_client_secret = match &draft.client_secret {
            SecretUpdate::Keep => existing.has_client_secret,
            SecretUpdate::Replace { .. } => true,
            SecretUpdate::Remove => false,
        };
        // Tokens were issued for the old client, endpoints and scopes; they go when those change.
        let tokens_stale = !matches!(draft.client_secret, SecretUpdate::Keep)
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

        let previous_secret = if let SecretUpdate::Replace { value } = &draft.client_secret {
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
            *slot = updated.clone();
            Ok(())
        });
        if let Err(err) = saved {
            if let Some(previous) = previous_secret {
                self.rollback(id, previous.as_ref());
            }
            return Err(err);
        }
        if matches!(draft.client_secret, SecretUpdate::Remove)
            && let Err(err) = self.secrets.delete(id, SecretKind::ClientSecret)
        {
            // The file already says "no secret": put the old entry back so both halves agree.
            let restored = self.store.update(|list| {
                if let Some(slot) = list.iter_mut().find(|c| c.id == id) {
                    *slot = existing.clone();
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
    let existing = draft
        .id
        .as_deref()
        .and_then(|id| all.iter().find(|c| c.id == id));
    let other_names: Vec<&str> = all
        .iter()
        .filter(|c| Some(c.id.as_str()) != draft.id.as_deref())
        .map(|c| c.settings.name.as_str())
        .collect();
    let (has_client_secret, secret_is_empty) = match &draft.client_secret {
        SecretUpdate::Keep => (existing.is_some_and(|c| c.has_client_secret), false),
        SecretUpdate::Replace { value } => (!value.is_empty(), value.is_empty()),
        SecretUpdate::Remove => (false, false),
    };
    validate::validate(
        &draft.settings,
        Context {
            other_names: &other_names,
            has_client_secret,
            secret_is_empty,
        },
    )
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
mod tests {
    use super::*;
    use crate::model::validate::NAME_MAX;
    use crate::storage::keyring::{FailMode, MemoryStore};

    fn setup() -> (tempfile::TempDir, SavedConnections, Arc<MemoryStore>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let secrets = Arc::new(MemoryStore::new());
        let conns = SavedConnections::new(Store::new(dir.path()), secrets.clone());
        (dir, conns, secrets)
    }

    fn draft(name: &str, secret: Option<&str>) -> ConnectionDraft {
        ConnectionDraft {
            id: None,
            settings: ConnectionSettings {
                name: name.to_owned(),
                subdomain: "acme".to_owned(),
                client_id: "client-1".to_owned(),
                ..ConnectionSettings::new_coupa()
            },
            client_secret: match secret {
                Some(s) => SecretUpdate::Replace {
                    value: Secret::new(s),
                },
                None => SecretUpdate::Keep,
            },
        }
    }

    #[test]
    fn create_stores_metadata_in_the_file_and_the_secret_in_the_keyring() {
        let (_dir, conns, secrets) = setup();
        let c = conns.save(&draft("Acme", Some("s3cret"))).expect("saved");
        assert!(c.has_client_secret);
        assert_eq!(
            c.endpoints.token_url,
            "https://acme.coupahost.com/oauth2/token"
        );
        let got = secrets
            .get(&c.id, SecretKind::ClientSecret)
            .expect("read")
            .expect("present");
        assert_eq!(got.expose(), "s3cret");
        assert_eq!(conns.list().expect("list"), [c]);
        let file = std::fs::read_to_string(conns.store().path()).expect("file");
        assert!(!file.contains("s3cret"), "the secret is not in the file");
    }

    #[test]
    fn summaries_carry_what_the_list_shows_and_the_host_with_its_port() {
        let (_dir, conns, _secrets) = setup();
        let coupa = conns.save(&draft("Acme", Some("s3cret"))).expect("coupa");
        let mut local = draft("Local", Some("s3cret"));
        local.settings = ConnectionSettings {
            name: "Local".to_owned(),
            provider: crate::model::connection::Provider::Generic,
            grant_type: crate::model::connection::GrantType::ClientCredentials,
            client_id: "client-1".to_owned(),
            token_url: "http://127.0.0.1:8080/oauth/token".to_owned(),
            valid_domains: vec!["127.0.0.1".to_owned()],
            scopes: vec!["read".to_owned(), "write".to_owned()],
            ..ConnectionSettings::new_coupa()
        };
        let local = conns.save(&local).expect("generic");

        let list = conns.summaries().expect("summaries");
        assert_eq!(list, [coupa.summary(), local.summary()]);
        assert_eq!(list[0].host, "acme.coupahost.com");
        assert_eq!(list[0].name, "Acme");
        assert_eq!(list[0].scopes, ["core.user.read"]);
        assert_eq!(
            list[1].host, "127.0.0.1:8080",
            "a port that is not the default is kept"
        );
        assert_eq!(
            list[1].grant_type,
            crate::model::connection::GrantType::ClientCredentials
        );
        assert_eq!(
            list[1].provider,
            crate::model::connection::Provider::Generic
        );
    }

    #[test]
    fn a_failed_keyring_write_changes_nothing() {
        let (_dir, conns, secrets) = setup();
        secrets.set_failure(Some(FailMode::WritesUnavailable));
        let err = conns
            .save(&draft("Acme", Some("s3cret")))
            .expect_err("keyring down");
        assert_eq!(err.code(), crate::ErrorCode::KeyringUnavailable);
        assert!(
            conns.list().expect("list").is_empty(),
            "no metadata without its secret"
        );
    }

    #[test]
    fn a_failed_file_write_rolls_the_keyring_back() {
        let (_dir, conns, secrets) = setup();
        conns.save(&draft("Acme", Some("one"))).expect("first save");
        // A folder where the file should be: it can be neither read nor replaced (even by root).
        let path = conns.store().path();
        std::fs::remove_file(&path).expect("remove file");
        std::fs::create_dir(&path).expect("folder in its place");
        let err = conns
            .save(&draft("Beta", Some("two")))
            .expect_err("file cannot be written");
        assert_eq!(err.code(), crate::ErrorCode::StoreIo);
        assert!(
            err.to_string().contains("connections.json"),
            "the message names the file: {err}"
        );
        assert_eq!(
            secrets.len(),
            1,
            "the new secret was removed again; only the first remains"
        );
    }

    #[test]
    fn update_replaces_the_secret_and_forgets_tokens_when_the_client_changes() {
        let (_dir, conns, secrets) = setup();
        let c = conns.save(&draft("Acme", Some("one"))).expect("saved");
        secrets
            .set(&c.id, SecretKind::AccessToken, &Secret::new("tok"))
            .expect("token");
        let mut d = draft("Acme", Some("two"));
        d.id = Some(c.id.clone());
        let u = conns.save(&d).expect("updated");
        assert_eq!(u.created_at, c.created_at);
        assert_eq!(
            secrets
                .get(&c.id, SecretKind::ClientSecret)
                .expect("get")
                .expect("some")
                .expose(),
            "two"
        );
        assert!(
            secrets
                .get(&c.id, SecretKind::AccessToken)
                .expect("get")
                .is_none(),
            "old token forgotten"
        );

        let mut keep = draft("Acme renamed", None);
        keep.id = Some(c.id.clone());
        let k = conns.save(&keep).expect("rename");
        assert!(k.has_client_secret, "Keep keeps the secret");
        assert_eq!(conns.list().expect("list").len(), 1);
    }

    #[test]
    fn duplicate_names_are_refused_and_the_form_can_retry() {
        let (_dir, conns, _secrets) = setup();
        conns.save(&draft("Acme", Some("x"))).expect("saved");
        let err = conns
            .save(&draft(" ACME ", Some("y")))
            .expect_err("same name");
        assert_eq!(err.code(), crate::ErrorCode::ValidationFailed);
        assert_eq!(err.field(), Some("name"));
    }

    #[test]
    fn delete_removes_the_connection_and_its_secrets() {
        let (_dir, conns, secrets) = setup();
        let c = conns.save(&draft("Acme", Some("x"))).expect("saved");
        secrets
            .set(&c.id, SecretKind::RefreshToken, &Secret::new("r"))
            .expect("token");
        conns.delete(&c.id).expect("deleted");
        assert!(conns.list().expect("list").is_empty());
        assert!(secrets.is_empty());
        assert_eq!(
            conns.delete(&c.id).expect_err("gone").code(),
            crate::ErrorCode::NotFound
        );
    }

    #[test]
    fn a_locked_keyring_stops_delete_before_anything_changes() {
        let (_dir, conns, secrets) = setup();
        let c = conns.save(&draft("Acme", Some("x"))).expect("saved");
        secrets.set_failure(Some(FailMode::Locked));
        assert_eq!(
            conns.delete(&c.id).expect_err("locked").code(),
            crate::ErrorCode::KeyringLocked
        );
        assert_eq!(conns.list().expect("list").len(), 1);
    }

    #[test]
    fn duplicate_copies_the_secret_under_a_free_name() {
        let (_dir, conns, secrets) = setup();
        let c = conns.save(&draft("Acme", Some("x"))).expect("saved");
        let d1 = conns.duplicate(&c.id).expect("copy");
        let d2 = conns.duplicate(&c.id).expect("second copy");
        assert_eq!(d1.settings.name, "Copy of Acme");
        assert_eq!(d2.settings.name, "Copy of Acme (2)");
        assert_ne!(d1.id, c.id);
        assert_eq!(
            secrets
                .get(&d1.id, SecretKind::ClientSecret)
                .expect("get")
                .expect("copied")
                .expose(),
            "x"
        );
        assert!(d1.last_test.is_none());
    }

    #[test]
    fn copy_names_stay_within_the_limit() {
        let long = "n".repeat(NAME_MAX);
        let name = copy_name(&long, &[]);
        assert_eq!(name.chars().count(), NAME_MAX);
        assert!(name.starts_with("Copy of "));
    }
}
