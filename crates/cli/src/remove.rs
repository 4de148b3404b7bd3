//! `connmgr forget` and `connmgr delete`: tokens revoked at the server first when it can, and
//! what became of them said.

use std::io::{BufRead, IsTerminal, Write};

use connmgr_core::Workspace;
use connmgr_core::oauth::revoke::Revocation;

use crate::failure::Failure;
use crate::{open, out};

/// Forgets the connection's tokens.
pub async fn forget(ws: &Workspace, key: &str) -> Result<(), Failure> {
    let c = open::find(ws, key)?;
    let revocation = ws.forget(&c.id).await?;
    out(format!(
        "The tokens of \u{201c}{}\u{201d} are forgotten.{}\n",
        c.settings.name,
        said(&revocation)
    ))
}

/// Deletes the connection, asking first unless `--yes` (and refusing to guess when no one can
/// be asked).
pub async fn delete(ws: &Workspace, key: &str, yes: bool) -> Result<(), Failure> {
    let c = open::find(ws, key)?;
    if !yes && !confirmed(&c.settings.name)? {
        return Err(Failure {
            code: "cancelled".to_owned(),
            message: "Nothing was deleted.".to_owned(),
            exit: 1,
        });
    }
    let revocation = ws.delete(&c.id).await?;
    out(format!(
        "\u{201c}{}\u{201d} is deleted, and its secrets removed from the keyring.{}\n",
        c.settings.name,
        said(&revocation)
    ))
}

/// Asks on the terminal; with no terminal to ask on, says to add `--yes`.
fn confirmed(name: &str) -> Result<bool, Failure> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Failure::usage(format!(
            "Deleting \u{201c}{name}\u{201d} needs a confirmation: add --yes."
        )));
    }
    let mut stderr = std::io::stderr();
    let _ = write!(
        stderr,
        "Delete \u{201c}{name}\u{201d} and its secrets? [y/N] "
    );
    let _ = stderr.flush();
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::usage(format!("No answer could be read: {e}.")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// What became of the tokens at the server, as a sentence to add.
fn said(r: &Revocation) -> String {
    match r {
        Revocation::Revoked => " The server revoked them.".to_owned(),
        Revocation::NotOffered => {
            " The server offers no revocation: a token copied before stays valid until it expires."
                .to_owned()
        }
        Revocation::Failed { message } => {
            format!(" The server did not revoke them: {message}")
        }
        Revocation::NothingHeld => String::new(),
    }
}
