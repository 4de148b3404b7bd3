//! Provider presets: each business API's OAuth set-up as a data file in `data/presets/` (the
//! fields the admin types with their validation, endpoint templates, the default client
//! authentication, scopes and extra parameters, the test request, how to create the client, and
//! known quirks as hints). A connection made from one is a generic connection that remembers
//! the preset and the values typed; validation fills its endpoints from the templates.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::model::assertion::{AssertionField, SigningAlgorithm};
use crate::model::connection::{
    ClientAuth, ConnectionSettings, CoupaDomain, ExtraParam, GrantType, Provider, ScopeSeparator,
    TestRequest,
};

mod files {
    include!(concat!(env!("OUT_DIR"), "/presets.rs"));
}
mod service_key;

pub use service_key::{
    ServiceKey, ServiceKeyPreview, ServiceKeyValues, read_service_key, read_service_key_file,
};

/// The preset format's version.
const VERSION: u32 = 1;

/// A field the admin types for a preset (an instance, a tenant, an account ID…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresetField {
    /// Its id, the `{id}` of the templates.
    pub id: String,
    /// Its label.
    pub label: String,
    /// What to type.
    pub help: String,
    /// An example.
    pub placeholder: String,
    /// What a value must match (a regular expression, anchored).
    pub pattern: String,
    /// What is said when it does not.
    pub message: String,
    /// The value a new connection starts with.
    #[serde(default)]
    pub default: Option<String>,
}

/// A preset's signed-assertion defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresetAssertion {
    /// The algorithm the server wants.
    #[serde(default)]
    pub algorithm: Option<SigningAlgorithm>,
    /// What the server calls the key ID (NetSuite: "Certificate ID").
    #[serde(default)]
    pub key_id_label: Option<String>,
    /// Whether the server identifies the certificate by `x5t#S256`.
    #[serde(default)]
    pub certificate_thumbprint: bool,
    /// Claims beyond the standard ones.
    #[serde(default)]
    pub claims: Vec<AssertionField>,
}

/// One provider's preset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Preset {
    /// The format's version.
    pub version: u32,
    /// Its id (the file's name).
    pub id: String,
    /// What the admin reads.
    pub label: String,
    /// For Coupa's two choices: the Coupa domain. Such a preset makes a Coupa connection,
    /// whose endpoints the Coupa provider derives from any form of the address pasted (the
    /// templates here say the same, and the tests hold the two together).
    #[serde(default)]
    pub coupa_domain: Option<CoupaDomain>,
    /// The fields the admin types.
    pub fields: Vec<PresetField>,
    /// Endpoint templates (`{field}` stands for a field's value); empty: none.
    #[serde(default)]
    pub authorization_url: String,
    /// The token endpoint's template.
    pub token_url: String,
    /// The revocation endpoint's.
    #[serde(default)]
    pub revocation_url: String,
    /// The device authorization endpoint's.
    #[serde(default)]
    pub device_authorization_url: String,
    /// The API base URL's.
    #[serde(default)]
    pub api_base_url: String,
    /// The issuer's (checked against `iss` at sign-in).
    #[serde(default)]
    pub issuer: String,
    /// The valid domain names' templates.
    pub valid_domains: Vec<String>,
    /// The grant a new connection starts with.
    pub grant_type: GrantType,
    /// The client authentication it starts with.
    pub client_auth: ClientAuth,
    /// The scopes it starts with.
    pub scopes: Vec<String>,
    /// How the server wants them joined.
    #[serde(default)]
    pub scope_separator: ScopeSeparator,
    /// The extra parameters it starts with.
    #[serde(default)]
    pub extra_params: Vec<ExtraParam>,
    /// The signed assertion's defaults.
    #[serde(default)]
    pub assertion: Option<PresetAssertion>,
    /// How the server's credential file (SAP BTP's service key) maps to the connection.
    #[serde(default)]
    pub service_key: Option<ServiceKey>,
    /// The connection test's request.
    pub test_request: TestRequest,
    /// How to create the OAuth client on the server, step by step.
    pub how_to: Vec<String>,
    /// Known quirks, said where they matter.
    pub hints: Vec<String>,
}

/// The preset a connection was made from, and the values typed in its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PresetChoice {
    /// The preset's id.
    pub id: String,
    /// Each field's value, by field id.
    pub values: BTreeMap<String, String>,
}

/// Every preset, by label. The files are compiled in; one that does not read is left out
/// (the tests read every one).
pub fn all() -> &'static [Preset] {
    static ALL: OnceLock<Vec<Preset>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut list: Vec<Preset> = files::FILES
            .iter()
            .filter_map(|(name, text)| match parse(name, text) {
                Ok(p) => Some(p),
                Err(why) => {
                    tracing::error!(file = name, %why, "a preset file does not read");
                    None
                }
            })
            .collect();
        list.sort_by(|a, b| a.label.cmp(&b.label));
        list
    })
}

/// The presets of generic connections (every one but Coupa's two choices).
pub fn generic() -> Vec<&'static Preset> {
    all().iter().filter(|p| p.coupa_domain.is_none()).collect()
}

/// Coupa's choice for `domain`.
pub fn coupa(domain: CoupaDomain) -> Option<&'static Preset> {
    all().iter().find(|p| p.coupa_domain == Some(domain))
}

/// The preset with this id.
pub fn get(id: &str) -> Option<&'static Preset> {
    all().iter().find(|p| p.id == id)
}

/// Reads one preset file, checking what the format cannot say by itself.
pub(crate) fn parse(name: &str, text: &str) -> Result<Preset, String> {
    let p: Preset = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if p.version != VERSION {
        return Err(format!("version {} is not {VERSION}", p.version));
    }
    if name.strip_suffix(".json") != Some(p.id.as_str()) {
        return Err(format!("its id {} is not its file's name", p.id));
    }
    for f in &p.fields {
        regex::Regex::new(&f.pattern).map_err(|e| format!("field {}: {e}", f.id))?;
        if !f.pattern.starts_with('^') || !f.pattern.ends_with('$') {
            return Err(format!(
                "field {}: the pattern must be anchored (^…$)",
                f.id
            ));
        }
    }
    Ok(p)
}

/// `settings` made into a connection of `preset`: for Coupa's choices, a Coupa connection of
/// that domain; otherwise a generic connection remembering the preset,
/// with its defaults (grant, client authentication, scopes, extra parameters, assertion, test
/// request) and each field's default value. The name and client ID stay.
pub fn choose(settings: &ConnectionSettings, preset: &Preset) -> ConnectionSettings {
    let mut s = ConnectionSettings::new_coupa();
    s.name.clone_from(&settings.name);
    s.client_id.clone_from(&settings.client_id);
    s.valid_domains.clear();
    if let Some(domain) = preset.coupa_domain {
        // A Coupa connection: the Coupa provider derives its endpoints from the address.
        s.coupa_domain = domain;
        s.subdomain.clone_from(&settings.subdomain);
        s.valid_domains.clone_from(&preset.valid_domains);
        s.scopes.clone_from(&preset.scopes);
        s.test_request = preset.test_request.clone();
        return s;
    }
    s.provider = Provider::Generic;
    s.scopes.clone_from(&preset.scopes);
    s.scope_separator = preset.scope_separator;
    s.grant_type = preset.grant_type;
    s.client_auth = preset.client_auth;
    s.extra_params.clone_from(&preset.extra_params);
    s.test_request = preset.test_request.clone();
    if let Some(a) = &preset.assertion {
        if let Some(alg) = a.algorithm {
            s.assertion.algorithm = alg;
        }
        s.assertion.certificate_thumbprint = a.certificate_thumbprint;
        s.assertion.claims.clone_from(&a.claims);
    }
    s.preset = Some(PresetChoice {
        id: preset.id.clone(),
        values: preset
            .fields
            .iter()
            .map(|f| (f.id.clone(), f.default.clone().unwrap_or_default()))
            .collect(),
    });
    s
}

/// Why `value` does not fit `field`, if it does not.
pub fn check_value(field: &PresetField, value: &str) -> Option<String> {
    if value.is_empty() {
        return Some(format!(
            "Enter the {}. {}",
            field.label.to_lowercase(),
            field.help
        ));
    }
    match regex::Regex::new(&field.pattern) {
        Ok(re) if re.is_match(value) => None,
        _ => Some(field.message.clone()),
    }
}

/// `template` with each `{field}` replaced by its value.
pub fn expand(template: &str, values: &BTreeMap<String, String>) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (id, value)| {
            text.replace(&format!("{{{id}}}"), value)
        })
}

#[cfg(test)]
mod tests;
