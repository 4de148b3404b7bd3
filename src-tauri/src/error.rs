//! The one error shape that reaches the UI: `{ code, message, field? }`. TypeScript matches on
//! `code` (a generated union of string literals), never on the message text.

use connmgr_core::ErrorCode;
use serde::Serialize;
use specta::Type;

/// An error as the UI receives it from any command.
#[derive(Debug, Clone, Serialize, Type)]
pub struct AppError {
    /// Stable code for the UI to match on.
    pub code: ErrorCode,
    /// What went wrong and, where it helps, what to do; never a secret.
    pub message: String,
    /// The form field at fault, when there is one.
    pub field: Option<String>,
}

impl From<connmgr_core::Error> for AppError {
    fn from(err: connmgr_core::Error) -> Self {
        AppError {
            code: err.code(),
            field: err.field().map(str::to_owned),
            message: err.to_string(),
        }
    }
}

/// What every command returns.
pub type CommandResult<T> = Result<T, AppError>;
