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
    /// Every command's failure passes here, so it is logged here: the code, the field and the
    /// message (which never holds a secret).
    fn from(err: connmgr_core::Error) -> Self {
        let error = AppError {
            code: err.code(),
            field: err.field().map(str::to_owned),
            message: err.to_string(),
        };
        tracing::warn!(code = ?error.code, field = ?error.field, message = %error.message, "command failed");
        error
    }
}

/// A command's work ended without an answer (it panicked): an error the window can show, so
/// that it never waits forever.
pub fn task_failed(err: tauri::Error) -> AppError {
    tracing::error!(error = %err, "a command's work stopped unexpectedly");
    AppError {
        code: ErrorCode::Internal,
        message:
            "The operation stopped unexpectedly; it can be tried again. The log has the details."
                .to_owned(),
        field: None,
    }
}

/// What every command returns.
pub type CommandResult<T> = Result<T, AppError>;
