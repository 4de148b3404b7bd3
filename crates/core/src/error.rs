//! The core's one error type. Each variant has a stable [`ErrorCode`] that the UI matches on, a
//! message a person understands and, where one field of a form is at fault, that field's name.
//!
//! Messages never hold a secret: variants carry only names, paths, field verdicts and the
//! keyring's own failure text (which names the store's state, never a stored value).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::model::validate::FieldIssue;

/// Stable, machine-readable error codes. The UI matches on these, never on message text; the
/// serialized form is snake_case (`"keyring_unavailable"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The settings did not pass validation; `field` names the first field at fault.
    ValidationFailed,
    /// No saved connection has that id.
    NotFound,
    /// The connections file could not be read or written.
    StoreIo,
    /// The connections file could not be read and was kept aside.
    StoreCorrupt,
    /// No keyring (Secret Service) could be reached.
    KeyringUnavailable,
    /// The keyring is locked.
    KeyringLocked,
    /// The client ID or secret was refused.
    InvalidClient,
    /// The connection's client secret is not stored (never entered, or imported without it):
    /// nothing was sent; a person has to enter it.
    NeedsClientSecret,
    /// A requested scope is not allowed.
    InvalidScope,
    /// The grant (code, refresh token) is invalid or expired: sign in again.
    InvalidGrant,
    /// The person refused access.
    AccessDenied,
    /// The client may not use this grant type.
    UnauthorizedClient,
    /// The server refused the request as malformed.
    InvalidRequest,
    /// The server does not support the grant type.
    UnsupportedGrantType,
    /// The server failed or refused the request for another reason.
    ServerError,
    /// The server's answer could not be understood.
    BadResponse,
    /// The server took too long.
    Timeout,
    /// The host name could not be resolved.
    Dns,
    /// The secure connection failed.
    Tls,
    /// No connection could be made.
    Connect,
    /// A URL is outside the connection's valid domain names, or not https.
    DomainNotAllowed,
    /// The redirect port is in use.
    PortInUse,
    /// The browser's answer was refused (wrong state or issuer, malformed).
    InvalidCallback,
    /// The sign-in was cancelled.
    Cancelled,
    /// The cached token has expired and auto-refresh is off.
    TokenExpired,
    /// A device sign-in's code expired before the person approved it (RFC 8628 `expired_token`).
    ExpiredToken,
    /// A file offered for import is not a usable export.
    ImportInvalid,
    /// The file to write exists already and replacing it was not asked for.
    FileExists,
    /// The clipboard could not be read or written.
    Clipboard,
    /// What was asked cannot be done as things stand (nothing to export, no API base URL for
    /// a curl command); the message says why and what to do. A person's choice, not a fault.
    Refused,
    /// Something went wrong that has no more specific code.
    Internal,
}

/// The subset of [`ErrorCode`] that getting a token or calling the API can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthCode {
    /// See [`ErrorCode::InvalidClient`].
    InvalidClient,
    /// See [`ErrorCode::NeedsClientSecret`].
    NeedsClientSecret,
    /// See [`ErrorCode::InvalidScope`].
    InvalidScope,
    /// See [`ErrorCode::InvalidGrant`].
    InvalidGrant,
    /// See [`ErrorCode::AccessDenied`].
    AccessDenied,
    /// See [`ErrorCode::UnauthorizedClient`].
    UnauthorizedClient,
    /// See [`ErrorCode::InvalidRequest`].
    InvalidRequest,
    /// See [`ErrorCode::UnsupportedGrantType`].
    UnsupportedGrantType,
    /// See [`ErrorCode::ServerError`].
    ServerError,
    /// See [`ErrorCode::BadResponse`].
    BadResponse,
    /// See [`ErrorCode::Timeout`].
    Timeout,
    /// See [`ErrorCode::Dns`].
    Dns,
    /// See [`ErrorCode::Tls`].
    Tls,
    /// See [`ErrorCode::Connect`].
    Connect,
    /// See [`ErrorCode::DomainNotAllowed`].
    DomainNotAllowed,
    /// See [`ErrorCode::PortInUse`].
    PortInUse,
    /// See [`ErrorCode::InvalidCallback`].
    InvalidCallback,
    /// See [`ErrorCode::Cancelled`].
    Cancelled,
    /// See [`ErrorCode::TokenExpired`].
    TokenExpired,
    /// See [`ErrorCode::ExpiredToken`].
    ExpiredToken,
}

impl From<OAuthCode> for ErrorCode {
    fn from(code: OAuthCode) -> Self {
        match code {
            OAuthCode::InvalidClient => ErrorCode::InvalidClient,
            OAuthCode::NeedsClientSecret => ErrorCode::NeedsClientSecret,
            OAuthCode::InvalidScope => ErrorCode::InvalidScope,
            OAuthCode::InvalidGrant => ErrorCode::InvalidGrant,
            OAuthCode::AccessDenied => ErrorCode::AccessDenied,
            OAuthCode::UnauthorizedClient => ErrorCode::UnauthorizedClient,
            OAuthCode::InvalidRequest => ErrorCode::InvalidRequest,
            OAuthCode::UnsupportedGrantType => ErrorCode::UnsupportedGrantType,
            OAuthCode::ServerError => ErrorCode::ServerError,
            OAuthCode::BadResponse => ErrorCode::BadResponse,
            OAuthCode::Timeout => ErrorCode::Timeout,
            OAuthCode::Dns => ErrorCode::Dns,
            OAuthCode::Tls => ErrorCode::Tls,
            OAuthCode::Connect => ErrorCode::Connect,
            OAuthCode::DomainNotAllowed => ErrorCode::DomainNotAllowed,
            OAuthCode::PortInUse => ErrorCode::PortInUse,
            OAuthCode::InvalidCallback => ErrorCode::InvalidCallback,
            OAuthCode::Cancelled => ErrorCode::Cancelled,
            OAuthCode::TokenExpired => ErrorCode::TokenExpired,
            OAuthCode::ExpiredToken => ErrorCode::ExpiredToken,
        }
    }
}

/// An error from the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The settings did not pass validation.
    #[error("{}", validation_message(.0))]
    Validation(Vec<FieldIssue>),

    /// No saved connection has this id.
    #[error("No saved connection has the id {0}; it may have been deleted in another window.")]
    NotFound(String),

    /// Reading or writing the connections file failed.
    #[error("Could not read or write {}: {source}. Nothing was changed.", path.display())]
    StoreIo {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },

    /// The connections file could not be read; it was renamed and kept.
    #[error("The saved connections could not be read ({reason}). The file was kept as {} and not changed; the list starts empty.", kept.display())]
    StoreCorrupt {
        /// Where the unreadable file was kept.
        kept: PathBuf,
        /// Why it could not be read.
        reason: String,
    },

    /// No usable keyring.
    #[error(
        "The system keyring is not available ({0}). Secrets are kept only there: start your keyring (Secret Service, e.g. GNOME Keyring or KWallet) and try again."
    )]
    KeyringUnavailable(String),

    /// The keyring is locked.
    #[error(
        "The system keyring is locked, so nothing was changed. Unlock it (sign in to your desktop again, or unlock the Login keyring in Passwords and Keys) and try again."
    )]
    KeyringLocked,

    /// Getting a token or calling the API failed. The message quotes a server's answer only
    /// as a short, redacted snippet.
    #[error("{message} {hint}")]
    OAuth {
        /// What kind of failure.
        code: OAuthCode,
        /// What happened.
        message: String,
        /// What the admin can do about it.
        hint: String,
    },

    /// A file offered for import cannot be imported; nothing was changed.
    #[error("{} cannot be imported: {}. Nothing was changed.", path.display(), reason.trim_end_matches('.'))]
    ImportInvalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// The file to write exists already, and replacing it was not asked for.
    #[error("{} already exists. Choose another name, or replace it.", .0.display())]
    FileExists(PathBuf),

    /// The system clipboard could not be used.
    #[error("The clipboard could not be used ({0}).")]
    Clipboard(String),

    /// What was asked cannot be done as things stand; the text says why and what to do.
    #[error("{0}")]
    Refused(String),

    /// An unexpected failure with a description that holds no secret.
    #[error("{0}")]
    Internal(String),
}

fn validation_message(issues: &[FieldIssue]) -> String {
    match issues {
        [] => "The connection is not valid.".to_owned(),
        [one] => one.message.clone(),
        [first, rest @ ..] => format!(
            "{} (and {} more problem{})",
            first.message,
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
    }
}

impl Error {
    /// The stable code the UI matches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Validation(_) => ErrorCode::ValidationFailed,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::StoreIo { .. } => ErrorCode::StoreIo,
            Error::StoreCorrupt { .. } => ErrorCode::StoreCorrupt,
            Error::KeyringUnavailable(_) => ErrorCode::KeyringUnavailable,
            Error::KeyringLocked => ErrorCode::KeyringLocked,
            Error::OAuth { code, .. } => (*code).into(),
            Error::ImportInvalid { .. } => ErrorCode::ImportInvalid,
            Error::FileExists(_) => ErrorCode::FileExists,
            Error::Clipboard(_) => ErrorCode::Clipboard,
            Error::Refused(_) => ErrorCode::Refused,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The form field at fault, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Validation(issues) => issues.first().map(|i| i.field.as_str()),
            Error::FileExists(_) => Some(crate::model::transfer::PATH_FIELD),
            _ => None,
        }
    }
}
