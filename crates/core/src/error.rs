//! The core's one error type. Each variant has a stable [`ErrorCode`] that the UI matches on, a
//! message a person understands and, where one field of a form is at fault, that field's name.
//!
//! Messages never hold a secret: variants carry only names, paths and redacted snippets.

use serde::Serialize;
use specta::Type;

/// Stable, machine-readable error codes. The UI matches on these, never on message text; the
/// serialized form is snake_case (`"keyring_unavailable"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Something went wrong that has no more specific code.
    Internal,
}

/// An error from the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An unexpected failure with a description that holds no secret.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// The stable code the UI matches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The form field at fault, when there is one.
    pub fn field(&self) -> Option<&str> {
        None
    }
}
