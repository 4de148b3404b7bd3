//! Where secrets live: the operating system's keyring (Secret Service on Linux, the Keychain on
//! macOS, the Credential Manager on Windows), one entry per connection and kind of secret.
//!
//! [`SecretStore`] is the interface; [`KeyringStore`] is the real one, used by the app and by
//! the integration tests against a real gnome-keyring. [`MemoryStore`] exists for unit tests
//! that exercise the logic around secrets, never to prove that secrets reach the keyring.
//!
//! A missing entry is `Ok(None)`; deleting a missing entry succeeds; a store that cannot be
//! reached or is locked gives [`Error::KeyringUnavailable`] or [`Error::KeyringLocked`]: there is
//! no fallback to a file.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::Error;
use crate::storage::secret::Secret;

/// The kinds of secret a connection may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    /// The OAuth client's secret.
    ClientSecret,
    /// The refresh token from an authorization-code sign-in.
    RefreshToken,
    /// The last access token, cached until it expires.
    AccessToken,
}

impl SecretKind {
    /// Every kind, for deleting all of a connection's secrets.
    pub const ALL: [SecretKind; 3] = [
        SecretKind::ClientSecret,
        SecretKind::RefreshToken,
        SecretKind::AccessToken,
    ];

    fn slug(self) -> &'static str {
        match self {
            SecretKind::ClientSecret => "client-secret",
            SecretKind::RefreshToken => "refresh-token",
            SecretKind::AccessToken => "access-token",
        }
    }
}

/// The keyring account name of one secret: `<connection id>/<kind>`.
pub fn account(connection_id: &str, kind: SecretKind) -> String {
    format!("{connection_id}/{}", kind.slug())
}

/// Somewhere to keep secrets.
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    /// The secret, or `None` when there is no entry.
    fn get(&self, connection_id: &str, kind: SecretKind) -> Result<Option<Secret>, Error>;
    /// Stores or replaces the secret.
    fn set(&self, connection_id: &str, kind: SecretKind, value: &Secret) -> Result<(), Error>;
    /// Removes the secret; succeeds when there was none.
    fn delete(&self, connection_id: &str, kind: SecretKind) -> Result<(), Error>;

    /// Removes every secret of a connection.
    fn delete_all(&self, connection_id: &str) -> Result<(), Error> {
        for kind in SecretKind::ALL {
            self.delete(connection_id, kind)?;
        }
        Ok(())
    }
}

/// The operating system's keyring, under one service name.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// The service name the app uses. Tests use another one (see `CONNMGR_KEYRING_SERVICE`).
    pub const APP_SERVICE: &'static str = "Connection Manager";

    /// A store whose entries are all under `service`.
    pub fn new(service: impl Into<String>) -> Self {
        KeyringStore {
            service: service.into(),
        }
    }

    /// The service name entries are stored under.
    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, connection_id: &str, kind: SecretKind) -> Result<keyring::Entry, Error> {
        keyring::Entry::new(&self.service, &account(connection_id, kind)).map_err(map_keyring_error)
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, connection_id: &str, kind: SecretKind) -> Result<Option<Secret>, Error> {
        let entry = self.entry(connection_id, kind)?;
        match again_if_dropped(|| entry.get_password()) {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(map_keyring_error(err)),
        }
    }

    fn set(&self, connection_id: &str, kind: SecretKind, value: &Secret) -> Result<(), Error> {
        let entry = self.entry(connection_id, kind)?;
        again_if_dropped(|| entry.set_password(value.expose())).map_err(map_keyring_error)
    }

    fn delete(&self, connection_id: &str, kind: SecretKind) -> Result<(), Error> {
        let entry = self.entry(connection_id, kind)?;
        match again_if_dropped(|| entry.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(map_keyring_error(err)),
        }
    }
}

/// Runs a keyring call, and once more when the keyring service went away in the middle of it:
/// the bus says "disconnected from message bus without replying", or a new service does not
/// know the session the call opened with the old one ("The session does not exist", "The
/// session wrapping the secret does not exist"). gnome-keyring-daemon can
/// stop on an internal assertion when many clients open sessions at once; the session bus or
/// the desktop's service manager starts it again, and the second call reaches the new one.
/// Repeating is safe because every call here is idempotent: a get reads, a set replaces the
/// entry, and deleting a missing entry succeeds. A locked keyring or a missing service is not
/// repeated.
fn again_if_dropped<T>(call: impl Fn() -> Result<T, keyring::Error>) -> Result<T, keyring::Error> {
    match call() {
        Err(err) if service_went_away(&err) => {
            tracing::warn!("the keyring service stopped during a call; calling it again");
            call()
        }
        other => other,
    }
}

/// Whether the error says the keyring service left the bus, or was replaced, during the call.
fn service_went_away(err: &keyring::Error) -> bool {
    match err {
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            let text = inner.to_string();
            text.contains("disconnected from message bus without replying")
                || (text.contains("session") && text.contains("does not exist"))
        }
        _ => false,
    }
}

/// Maps the keyring crate's errors to ours. The platform's own message is kept for the log-free
/// detail: it names the store's failure, never a secret (the crate does not echo values). A
/// locked keyring shows up as no access (reading: the unlock prompt was dismissed) or as a
/// platform failure (writing: gnome-keyring's "Cannot create an item in a locked collection",
/// the Secret Service's `IsLocked` error); both are said as locked.
fn map_keyring_error(err: keyring::Error) -> Error {
    let detail = match err {
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            inner.to_string()
        }
        keyring::Error::NoEntry => "no entry".to_owned(),
        other => other.to_string(),
    };
    let lower = detail.to_ascii_lowercase();
    if lower.contains("lock") || lower.contains("prompt") {
        Error::KeyringLocked
    } else {
        Error::KeyringUnavailable(detail)
    }
}

/// An in-memory store for unit tests of the logic around secrets.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<(String, SecretKind), Secret>>,
    fail: Mutex<Option<FailMode>>,
}

/// How a [`MemoryStore`] fails, to test the paths taken when the keyring does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailMode {
    /// Every call fails as if the keyring were locked.
    Locked,
    /// Writes fail as if no Secret Service were running; reads and deletes work.
    WritesUnavailable,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes later calls fail (or succeed again, with `None`).
    pub fn set_failure(&self, mode: Option<FailMode>) {
        *self.fail.lock().unwrap_or_else(|p| p.into_inner()) = mode;
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether it holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn check(&self, write: bool) -> Result<(), Error> {
        match *self.fail.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(FailMode::Locked) => Err(Error::KeyringLocked),
            Some(FailMode::WritesUnavailable) if write => {
                Err(Error::KeyringUnavailable("no Secret Service".to_owned()))
            }
            _ => Ok(()),
        }
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, connection_id: &str, kind: SecretKind) -> Result<Option<Secret>, Error> {
        self.check(false)?;
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        Ok(entries.get(&(connection_id.to_owned(), kind)).cloned())
    }

    fn set(&self, connection_id: &str, kind: SecretKind, value: &Secret) -> Result<(), Error> {
        self.check(true)?;
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert((connection_id.to_owned(), kind), value.clone());
        Ok(())
    }

    fn delete(&self, connection_id: &str, kind: SecretKind) -> Result<(), Error> {
        self.check(false)?;
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(&(connection_id.to_owned(), kind));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn platform(message: &str) -> keyring::Error {
        keyring::Error::PlatformFailure(message.to_owned().into())
    }

    #[test]
    fn a_call_the_service_dropped_is_made_once_more() {
        let calls = Cell::new(0);
        let got = again_if_dropped(|| {
            calls.set(calls.get() + 1);
            if calls.get() == 1 {
                Err(platform(
                    "DBus error: Message recipient disconnected from message bus without replying",
                ))
            } else {
                Ok("value")
            }
        });
        assert_eq!(got.expect("the second call answers"), "value");
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn a_session_the_restarted_service_does_not_know_is_opened_again() {
        for message in [
            "DBus error: The session does not exist",
            "DBus error: The session wrapping the secret does not exist",
        ] {
            let calls = Cell::new(0);
            let got = again_if_dropped(|| {
                calls.set(calls.get() + 1);
                if calls.get() == 1 {
                    Err(platform(message))
                } else {
                    Ok(())
                }
            });
            assert!(got.is_ok(), "{message}");
            assert_eq!(calls.get(), 2, "{message}");
        }
    }

    #[test]
    fn a_service_that_drops_the_second_call_too_is_reported_not_called_again() {
        let calls = Cell::new(0);
        let got: Result<(), _> = again_if_dropped(|| {
            calls.set(calls.get() + 1);
            Err(platform(
                "DBus error: Message recipient disconnected from message bus without replying",
            ))
        });
        assert_eq!(calls.get(), 2);
        assert!(matches!(
            map_keyring_error(got.expect_err("still gone")),
            Error::KeyringUnavailable(_)
        ));
    }

    #[test]
    fn other_failures_are_not_repeated() {
        for err in [
            || keyring::Error::NoEntry,
            || platform("Cannot create an item in a locked collection"),
            || platform("The name org.freedesktop.secrets was not provided by any .service files"),
        ] {
            let calls = Cell::new(0);
            let got: Result<(), _> = again_if_dropped(|| {
                calls.set(calls.get() + 1);
                Err(err())
            });
            assert!(got.is_err());
            assert_eq!(calls.get(), 1, "{:?}", err());
        }
    }
}
