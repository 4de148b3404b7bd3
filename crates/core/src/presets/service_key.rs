//! A server's credential file, such as SAP BTP's service key: a JSON document whose values give
//! a preset's fields, the client ID and the client secret. Read as hostile input: a size limit,
//! every value checked, and no value quoted in a message.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use specta::Type;

use super::{Preset, check_value};
use crate::storage::secret::Secret;

/// The largest credential file read.
pub const FILE_MAX: usize = 64 * 1024;

/// Where a credential file's values go: each JSON key, read at the top level or under `uaa` or
/// `credentials` (as SAP's service keys and bindings nest them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceKey {
    /// The preset's field ids, and the key of each one's value.
    pub fields: BTreeMap<String, String>,
    /// The key of the client ID.
    pub client_id: String,
    /// The key of the client secret.
    pub client_secret: String,
}

/// What a credential file gives a connection.
#[derive(Debug)]
pub struct ServiceKeyValues {
    /// The preset's fields.
    pub values: BTreeMap<String, String>,
    /// The client ID.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
}

/// What a front end shows of a credential file: the fields and the client ID, not the secret
/// (the core reads that itself when it saves, `SecretUpdate::ImportServiceKey`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServiceKeyPreview {
    /// The preset's fields.
    pub values: BTreeMap<String, String>,
    /// The client ID.
    pub client_id: String,
}

impl ServiceKeyValues {
    /// Its fields and client ID.
    pub fn preview(&self) -> ServiceKeyPreview {
        ServiceKeyPreview {
            values: self.values.clone(),
            client_id: self.client_id.clone(),
        }
    }
}

/// Reads `text` as `preset`'s credential file.
pub fn read_service_key(preset: &Preset, text: &str) -> Result<ServiceKeyValues, String> {
    let map = preset
        .service_key
        .as_ref()
        .ok_or_else(|| format!("{} has no credential file to import", preset.label))?;
    if text.len() > FILE_MAX {
        return Err(format!(
            "the file is larger than {} KiB: it is not a service key",
            FILE_MAX / 1024
        ));
    }
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("the file is not JSON ({})", e.classify_name()))?;
    let scope = ["uaa", "credentials"]
        .iter()
        .find_map(|k| json.get(k).filter(|v| v.is_object()))
        .unwrap_or(&json);
    let take = |key: &str| -> Result<String, String> {
        scope
            .get(key)
            .and_then(serde_json::Value::as_str)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("the file has no \u{201c}{key}\u{201d} text"))
    };
    let mut values = BTreeMap::new();
    for (field_id, key) in &map.fields {
        let value = take(key)?;
        if let Some(field) = preset.fields.iter().find(|f| &f.id == field_id)
            && let Some(why) = check_value(field, &value)
        {
            return Err(format!("its {key}: {why}"));
        }
        values.insert(field_id.clone(), value);
    }
    let client_id = take(&map.client_id)?;
    if client_id.chars().any(char::is_control) || client_id.len() > 512 {
        return Err(format!("its {} is not a client ID", map.client_id));
    }
    Ok(ServiceKeyValues {
        values,
        client_id,
        client_secret: Secret::new(take(&map.client_secret)?),
    })
}

trait Classify {
    fn classify_name(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "it cannot be read",
            serde_json::error::Category::Syntax => "a syntax error",
            serde_json::error::Category::Data => "unexpected data",
            serde_json::error::Category::Eof => "it ends too early",
        }
    }
}

/// Reads the credential file at `path` as `preset`'s.
pub fn read_service_key_file(preset: &Preset, path: &str) -> Result<ServiceKeyValues, String> {
    read_service_key(
        preset,
        &crate::storage::credential::read(path, "service key")?,
    )
}
