//! What a save does to the client's credential in the keyring: keep it, store a new one (a
//! secret, or a private key read from PEM files), or remove it. A kept credential of the other
//! kind (a secret when the connection now signs assertions, or the reverse) is removed: it
//! could only be sent where it does not belong.

use std::io::Read;

use crate::model::assertion::KeyFacts;
use crate::model::connection::{Connection, ConnectionDraft, Credential, SecretUpdate};
use crate::model::validate::{FieldIssue, field};
use crate::oauth::client_key::{self, FILE_MAX};
use crate::storage::secret::Secret;

/// The change to make.
#[derive(Debug)]
pub(crate) enum Change {
    Keep,
    Store(Secret),
    Remove,
}

/// A draft's credential change, worked out.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub change: Change,
    /// The private key's facts after the save (`None`: no key).
    pub facts: Option<KeyFacts>,
    /// Whether a credential is held after the save.
    pub held: bool,
    /// The secret typed is the empty string.
    pub empty: bool,
    /// Why the credential given cannot be used.
    pub issue: Option<FieldIssue>,
}

pub(crate) fn resolve(existing: Option<&Connection>, draft: &ConnectionDraft) -> Resolved {
    let now = draft.settings.client_auth.credential();
    let before = existing.and_then(|c| c.settings.client_auth.credential());
    let kept = |c: &Connection| c.has_client_secret && before == now;
    // The key held now, whose facts stand until a new one is imported (also when an import
    // fails, so the form's other checks speak of the key the connection still has).
    let held_key = existing
        .filter(|c| kept(c) && now == Some(Credential::PrivateKey))
        .and_then(|c| c.settings.assertion.key.clone());
    let mut r = Resolved {
        change: Change::Keep,
        facts: held_key,
        held: false,
        empty: false,
        issue: None,
    };
    match &draft.client_secret {
        SecretUpdate::Keep => match existing {
            Some(c) if kept(c) => r.held = true,
            Some(c) if c.has_client_secret => r.change = Change::Remove,
            _ => {}
        },
        SecretUpdate::Remove => {
            r.change = Change::Remove;
            r.facts = None;
        }
        SecretUpdate::Replace { value } if now == Some(Credential::PrivateKey) => {
            match client_key::import(value.expose(), None) {
                Ok(key) => r.stored(key),
                Err(why) => r.refuse(format!("The private key cannot be used: {why}.")),
            }
        }
        SecretUpdate::Replace { value } => {
            r.empty = value.is_empty();
            r.held = !r.empty;
            r.change = Change::Store(value.clone());
        }
        SecretUpdate::ImportServiceKey { file } => {
            let preset = draft
                .settings
                .preset
                .as_ref()
                .and_then(|c| crate::presets::get(&c.id))
                .filter(|p| p.service_key.is_some());
            let read = match preset {
                _ if now != Some(Credential::Secret) => Err(
                    "the service key gives a client secret: choose a client secret as the client authentication".to_owned(),
                ),
                None => Err("only a preset with a credential file (SAP BTP) takes one".to_owned()),
                Some(p) => crate::presets::read_service_key_file(p, file),
            };
            match read {
                Ok(key) => {
                    r.held = true;
                    r.change = Change::Store(key.client_secret);
                }
                Err(why) => {
                    r.issue = Some(FieldIssue {
                        field: field::CLIENT_SECRET.to_owned(),
                        message: format!("The service key cannot be used: {why}."),
                        action: None,
                    });
                }
            }
        }
        SecretUpdate::ImportKey {
            key_file,
            certificate_file,
        } => {
            if now != Some(Credential::PrivateKey) {
                r.refuse(
                    "A private key is used only for a signed assertion: choose it as the client authentication.".to_owned(),
                );
                return r;
            }
            let imported = read(key_file, "key").and_then(|key| {
                let cert = certificate_file
                    .as_deref()
                    .filter(|f| !f.trim().is_empty())
                    .map(|f| read(f, "certificate"))
                    .transpose()?;
                client_key::import(&key, cert.as_deref())
            });
            match imported {
                Ok(key) => r.stored(key),
                Err(why) => r.refuse(format!("The private key cannot be imported: {why}.")),
            }
        }
    }
    r
}

impl Resolved {
    fn stored(&mut self, key: client_key::ImportedKey) {
        self.held = true;
        self.facts = Some(key.facts);
        self.change = Change::Store(key.pem);
    }

    fn refuse(&mut self, message: String) {
        self.issue = Some(FieldIssue {
            field: field::CLIENT_KEY.to_owned(),
            message,
            action: None,
        });
    }
}

/// A key, certificate or credential file's text, at most [`FILE_MAX`] bytes; `what` names it in
/// the messages ("key", "certificate", "service key"), which never quote its content.
pub(crate) fn read(path: &str, what: &str) -> Result<String, String> {
    let file = std::fs::File::open(path.trim())
        .map_err(|e| format!("the {what} file {path} cannot be opened ({})", reason(&e)))?;
    let mut text = String::new();
    let read = file
        .take(FILE_MAX + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("the {what} file {path} is not a text file ({})", reason(&e)))?;
    if read as u64 > FILE_MAX {
        return Err(format!(
            "the {what} file {path} is larger than {} KiB",
            FILE_MAX / 1024
        ));
    }
    Ok(text)
}

/// What went wrong with a file, without the operating system's error number.
fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "it is a folder".to_owned(),
        std::io::ErrorKind::InvalidData => "it is not UTF-8 text".to_owned(),
        kind => kind.to_string(),
    }
}
