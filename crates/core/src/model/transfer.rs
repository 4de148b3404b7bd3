//! The export format: a versioned JSON file of connection settings, and how a file offered for
//! import is checked before anything is shown.
//!
//! An export never holds a secret: each connection that had a client secret is marked as
//! needing one, and the admin enters it again after import. Applying an import to the saved
//! connections is [`crate::storage::import`].

use std::path::Path;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::Error;
use crate::model::connection::{Connection, ConnectionSettings, GrantType, Provider};
use crate::model::validate::{self, Context};
use crate::time::Timestamp;

/// What an export file says it is.
#[cfg(test)]
mod properties;

pub const FORMAT: &str = "connection-manager/connections";
/// The version this build writes; it reads this one and every earlier one.
pub const VERSION: u32 = 1;
/// Larger files are refused before they are read (the store file of 10,000 connections, with
/// more in it than an export, is 14 MiB).
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// The file written by export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The file format's version.
    pub version: u32,
    /// When it was written (RFC 3339, UTC).
    pub exported_at: Timestamp,
    /// The app and version that wrote it.
    pub exported_by: String,
    /// The connections, without secrets.
    pub connections: Vec<ExportedConnection>,
}

/// One connection in an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedConnection {
    /// Its settings.
    pub settings: ConnectionSettings,
    /// It had a client secret, which is not in the file: it must be entered after import.
    pub needs_client_secret: bool,
}

/// What an import would do with one connection of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportItem {
    /// Its position in the file, which [`ImportChoice`] refers to.
    pub index: u32,
    /// Its name in the file.
    pub name: String,
    /// Coupa or generic.
    pub provider: Provider,
    /// The host it talks to.
    pub host: String,
    /// The host its token endpoint is on (where its client secret is sent).
    pub token_host: String,
    /// Its valid domain names: the hosts it may send credentials to.
    pub valid_domains: Vec<String>,
    /// Its grant type.
    pub grant_type: GrantType,
    /// How many scopes it requests.
    pub scope_count: u32,
    /// Whether its client secret must be entered after import.
    pub needs_client_secret: bool,
    /// The saved connection with the same name, if one exists.
    pub clash: Option<ImportClash>,
    /// The name it gets when renamed: the first free one.
    pub rename_to: String,
    /// Why it cannot be imported, when it cannot (a field at fault, named as the form labels
    /// it, or a name another connection of the file has): the others still can.
    pub refused: Option<String>,
}

/// A saved connection whose name an imported one has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportClash {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What replacing it would change, one line each ("Token host: a → b"); empty when the
    /// file holds the same settings.
    pub changes: Vec<String>,
    /// Whether replacing it keeps its saved client secret: only for the same client sending it
    /// to the same places. Otherwise the secret is asked for again.
    pub keeps_secret: bool,
}

/// What the file holds and what importing it would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    /// When the file was written.
    pub exported_at: Timestamp,
    /// Which app wrote it.
    pub exported_by: String,
    /// Every connection in it, in order.
    pub items: Vec<ImportItem>,
}

/// What to do with one connection of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ImportAction {
    /// Add it under its own name (only when no saved connection has that name).
    Add,
    /// Add it under [`ImportItem::rename_to`].
    Rename,
    /// Leave it out.
    Skip,
    /// Replace the saved connection of the same name with it. The saved one's client secret is
    /// kept when the client ID is the same; its tokens are forgotten.
    Replace,
}

/// The admin's choice for one connection of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportChoice {
    /// [`ImportItem::index`].
    pub index: u32,
    /// What to do.
    pub action: ImportAction,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    /// The connections added or replaced, as saved.
    pub imported: Vec<Connection>,
    /// How many were left out by choice.
    pub skipped: u32,
    /// The ones that could not be imported, each with why.
    pub refused: Vec<ImportRefusal>,
}

/// A connection of the file that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportRefusal {
    /// Its name in the file.
    pub name: String,
    /// Why, as [`ImportItem::refused`] says it.
    pub reason: String,
}

impl ExportFile {
    /// An export of `connections`.
    pub fn of(connections: &[Connection]) -> Self {
        ExportFile {
            format: FORMAT.to_owned(),
            version: VERSION,
            exported_at: Timestamp::now(),
            exported_by: format!("{} {}", crate::PRODUCT_NAME, crate::VERSION),
            connections: connections
                .iter()
                .map(|c| ExportedConnection {
                    settings: c.settings.clone(),
                    needs_client_secret: c.has_client_secret || c.needs_client_secret,
                })
                .collect(),
        }
    }

    /// Reads and checks an export file: its size, JSON, format, version and every connection's
    /// settings. The error names the file and what is wrong, down to the connection and field.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let invalid = |reason: String| Error::ImportInvalid {
            path: path.to_path_buf(),
            reason,
        };
        let meta = std::fs::metadata(path).map_err(|e| invalid(unreadable(&e)))?;
        if !meta.is_file() {
            return Err(invalid("it is not a file".to_owned()));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(invalid(format!(
                "it is {} MiB, larger than any export ({} MiB at most)",
                meta.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| invalid(unreadable(&e)))?;
        Self::from_bytes(&bytes).map_err(invalid)
    }

    /// Reads and checks an export file's content: JSON, format, version and every
    /// connection's settings. The error says what is wrong, down to the connection and field.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(format!(
                "it is larger than any export ({} MiB at most)",
                MAX_FILE_BYTES / (1024 * 1024)
            ));
        }
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            format!(
                "it is not JSON (line {}, column {}: {})",
                e.line(),
                e.column(),
                short_reason(&e)
            )
        })?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            _ => {
                return Err(
                    "it is not a Connection Manager export (no \"format\": \"connection-manager/connections\")".to_owned(),
                );
            }
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v >= 1 && v <= u64::from(VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "it was written by a newer version of Connection Manager (file format {v}; this version reads up to {VERSION})"
                ));
            }
            None => return Err("it has no file format version".to_owned()),
        }
        let file: ExportFile = serde_json::from_value(value).map_err(|e| shape_reason(&e))?;
        file.check()?;
        Ok(file)
    }

    /// A file with at least one connection. Each connection is judged on its own
    /// ([`ExportFile::refusal`]): one at fault does not stop the others.
    fn check(&self) -> Result<(), String> {
        if self.connections.is_empty() {
            return Err("it holds no connections".to_owned());
        }
        Ok(())
    }

    /// Why the connection at `index` cannot be imported, if it cannot: the first field at
    /// fault, named as the form labels it, or a name an earlier connection of the file has.
    pub fn refusal(&self, index: usize) -> Option<String> {
        let c = self.connections.get(index)?;
        if let Some(issue) = verdict(&c.settings).errors.first() {
            return Some(format!(
                "{}: {}",
                validate::field::label(&issue.field),
                issue.message
            ));
        }
        let name = c.settings.name.trim().to_lowercase();
        self.connections[..index]
            .iter()
            .any(|o| o.settings.name.trim().to_lowercase() == name)
            .then(|| "An earlier connection in the file has the same name.".to_owned())
    }
}

/// Why a file cannot be read, in words (no OS error number).
fn unreadable(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "there is no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "it cannot be read: permission denied".to_owned(),
        _ => {
            let text = e.to_string();
            let text = text
                .find(" (os error")
                .map_or(text.as_str(), |at| &text[..at]);
            format!("it cannot be read: {}", text.to_lowercase())
        }
    }
}

/// The form field an export or import path is entered in.
pub const PATH_FIELD: &str = "path";

/// The file a path typed by the admin names: absolute, or starting with `~/` (the home folder).
pub fn resolve_path(input: &str, home: Option<&Path>) -> Result<std::path::PathBuf, Error> {
    let issue = |message: &str| {
        Error::Validation(vec![validate::FieldIssue {
            field: PATH_FIELD.to_owned(),
            message: message.to_owned(),
            action: None,
        }])
    };
    let input = input.trim();
    if input.is_empty() {
        return Err(issue("Enter the file's path."));
    }
    let path = match (input.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        (Some(_), None) => {
            return Err(issue(
                "There is no home folder to put ~ for; give the full path.",
            ));
        }
        (None, _) => std::path::PathBuf::from(input),
    };
    if !path.is_absolute() {
        return Err(issue("Give the full path, starting with / or ~/."));
    }
    Ok(path)
}

/// Why the file's JSON is not an export, without quoting its values: a file picked by mistake
/// may hold secrets, and the message is shown and may be reported.
fn shape_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.starts_with("missing field") {
        format!("it does not have the expected shape ({text})")
    } else {
        "it does not have the expected shape (a field has a value of the wrong kind)".to_owned()
    }
}

/// serde_json's reason without its " at line L column C" tail (the message gives both).
fn short_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Rust's verdict on imported settings on their own: names are checked against the saved
/// connections separately, and the secret is entered after import (it is not the file's to hold).
pub(crate) fn verdict(settings: &ConnectionSettings) -> validate::Validation {
    validate::validate(
        settings,
        Context {
            other_names: &[],
            has_client_secret: true,
            secret_is_empty: false,
        },
    )
}
