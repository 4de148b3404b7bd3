//! What the form (or the command line) sends to be validated or saved: the settings as typed,
//! the client secret's change, and the redirect port as typed.

use serde::Deserialize;
use specta::Type;

use super::ConnectionSettings;
use crate::storage::secret::Secret;

/// What to do with the client secret on save.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SecretUpdate {
    /// Leave it as it is (none, for a new connection).
    Keep,
    /// Store this value.
    Replace {
        /// The new secret.
        value: Secret,
    },
    /// Remove it (a public client that uses PKCE alone).
    Remove,
    /// Read a private key from a PEM file, with its certificate from the same file or another:
    /// the key a signed assertion is made with (RFC 7523). The core reads the files, so the key
    /// never passes through a front end.
    #[serde(rename_all = "camelCase")]
    ImportKey {
        /// The PEM file with the private key (PKCS#8, or PKCS#1 for RSA).
        key_file: String,
        /// A PEM file with the key's certificate, when it is not in the key's file.
        #[serde(default)]
        certificate_file: Option<String>,
    },
    /// Take the client secret from the preset's credential file (SAP BTP's service key),
    /// read by the core when it saves.
    #[serde(rename_all = "camelCase")]
    ImportServiceKey {
        /// The credential file.
        file: String,
    },
}

/// What the form sends to be validated or saved.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionDraft {
    /// `None` to create; the id of the connection to update otherwise.
    pub id: Option<String>,
    /// The settings as typed.
    pub settings: ConnectionSettings,
    /// The client secret change.
    pub client_secret: SecretUpdate,
    /// The redirect port exactly as typed, when the form sends it as text: the core reads it
    /// into `settings.redirect_port` and says at the field what is wrong with it, so a port
    /// like `80a` or `70000` is never quietly taken for "a random port". `None`: the settings'
    /// port as it is.
    #[serde(default)]
    #[specta(optional)]
    pub redirect_port_text: Option<String>,
}
