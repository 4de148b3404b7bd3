//! How `connmgr` fails: one line on standard error (the error's code, the message the app shows
//! and what to do) and an exit code a script can act on (see `args::EXIT_CODES`).

use std::process::ExitCode;

use connmgr_core::{Error, ErrorCode};

/// Why `connmgr` stops, and how it says so.
#[derive(Debug)]
pub struct Failure {
    /// The stable code, as the app's errors carry it (`invalid_client`, `not_found`…).
    pub code: String,
    /// The message, with what to do.
    pub message: String,
    /// The process's exit code.
    pub exit: u8,
}

impl Failure {
    /// A usage problem the core does not know of (a flag, standard input).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: "usage".to_owned(),
            message: message.into(),
            exit: 2,
        }
    }

    /// Something that needs a person first: a secret to enter, a sign-in.
    pub fn needs_person(code: &str, message: impl Into<String>) -> Self {
        Failure {
            code: code.to_owned(),
            message: message.into(),
            exit: 4,
        }
    }

    /// Writing the result failed (a closed pipe, a full disk).
    pub fn output(err: &std::io::Error) -> Self {
        Failure {
            code: "output".to_owned(),
            message: format!("The result could not be written: {err}."),
            exit: 1,
        }
    }

    /// Prints the one line on standard error and gives the exit code.
    #[expect(
        clippy::print_stderr,
        reason = "standard error is where a command line tool says why it failed"
    )]
    pub fn report(&self) -> ExitCode {
        eprintln!("connmgr: {}: {}", self.code, self.message);
        ExitCode::from(self.exit)
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        let code = err.code();
        Failure {
            code: code_name(code),
            message: err.to_string(),
            exit: exit_code(code),
        }
    }
}

/// The code as the app's errors spell it (`keyring_locked`).
pub fn code_name(code: ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{code:?}"))
}

/// The exit code for an error of the core.
pub fn exit_code(code: ErrorCode) -> u8 {
    use ErrorCode as C;
    match code {
        C::ValidationFailed => 2,
        C::NotFound => 3,
        // A person must sign in again, or renew a token auto-refresh may not.
        C::InvalidGrant
        | C::TokenExpired
        | C::ExpiredToken
        | C::Cancelled
        | C::NeedsClientSecret => 4,
        C::InvalidClient
        | C::InvalidScope
        | C::AccessDenied
        | C::UnauthorizedClient
        | C::InvalidRequest
        | C::UnsupportedGrantType
        | C::ServerError
        | C::BadResponse
        | C::InvalidCallback => 5,
        C::Timeout | C::Dns | C::Tls | C::Connect => 6,
        C::KeyringUnavailable | C::KeyringLocked => 7,
        C::StoreIo
        | C::StoreCorrupt
        | C::DomainNotAllowed
        | C::PortInUse
        | C::ImportInvalid
        | C::FileExists
        | C::Clipboard
        | C::Refused
        | C::Internal => 1,
    }
}
