//! Validation of a connection's settings: every rule in one place, run by the form as the admin
//! types (through the `validate_connection` command) and again on save, so the UI always shows
//! Rust's verdict. All field errors are returned at once, each with its field and a message a
//! person understands; scopes the catalog does not know are warnings, not errors.

use serde::Serialize;
use specta::Type;

use crate::model::connection::{ConnectionSettings, Endpoints, GrantType, Provider};
use crate::model::scopes::ScopeCatalog;

mod assertion;
mod coupa;
mod endpoints;
mod params;
mod preset;
#[cfg(test)]
mod properties;
mod urls;

pub use coupa::{CoupaInstance, is_coupa_host, parse_coupa_instance};
pub use params::{PARAM_NAME_MAX, PARAMS_MAX, PROTOCOL_NAMES};
pub use urls::{check_url, host_allowed, is_loopback_host, normalize_domain};

/// The longest name a connection may have, in characters.
pub const NAME_MAX: usize = 100;
pub(crate) const URL_MAX: usize = 2048;
pub(crate) const HOST_MAX: usize = 253;
const CLIENT_ID_MAX: usize = 512;
/// The most scopes a connection may ask for (Coupa's whole catalog is under 200).
pub const SCOPES_MAX: usize = 500;
/// The longest scope, in characters.
pub const SCOPE_MAX: usize = 256;
/// The most valid domain names a connection may have.
pub const DOMAINS_MAX: usize = 50;

pub mod field;
mod port;

pub use port::redirect_port_from_text;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FieldIssue {
    /// The field's name (see [`field`]).
    pub field: String,
    /// What is wrong and how to put it right.
    pub message: String,
    /// What the form can do about it in one step, offered beside the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[specta(optional)]
    pub action: Option<FieldAction>,
}

/// Something the form can do about an issue in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum FieldAction {
    /// The address is another server's, not Coupa's: make it a Generic OAuth 2.0 connection,
    /// with the address as its issuer.
    UseGeneric,
}

/// The verdict on a connection's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    /// Problems that stop a save; empty when the settings are valid.
    pub errors: Vec<FieldIssue>,
    /// Things worth a look that do not stop a save (e.g. scopes the catalog does not know).
    pub warnings: Vec<FieldIssue>,
    /// The endpoints, as far as they could be resolved (for the form's live preview).
    pub endpoints: Option<Endpoints>,
    /// The settings as they will be saved: trimmed, lower-cased where it matters, de-duplicated.
    pub normalized: ConnectionSettings,
    /// Each valid domain name as listed, in order: the host it reads as, or what is wrong with
    /// it (the same message is in `errors`), so the form can show each chip as it will be kept
    /// and mark a bad one on its own. Empty when the list is too long to be read.
    pub domains: Vec<DomainCheck>,
}

/// One listed valid domain name, as the validation reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DomainCheck {
    /// The name as listed.
    pub typed: String,
    /// The host it is kept as (`http://evil.com/path` is `evil.com`); `None` when it is wrong.
    pub host: Option<String>,
    /// What is wrong with it.
    pub problem: Option<String>,
}

impl Validation {
    /// Whether the settings can be saved.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// What validation needs to know beyond the settings themselves.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The names of the *other* saved connections.
    pub other_names: &'a [&'a str],
    /// Whether the client's credential (its secret or private key) will be held after the save.
    pub has_client_secret: bool,
    /// Whether the secret being saved is the empty string.
    pub secret_is_empty: bool,
}

/// Validates `settings`, returning every problem at once.
pub fn validate(settings: &ConnectionSettings, ctx: Context<'_>) -> Validation {
    let mut v = Validator {
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut s = settings.clone();

    // Name.
    s.name = s.name.trim().to_owned();
    let name_len = s.name.chars().count();
    if name_len == 0 {
        v.error(field::NAME, "Enter a name for this connection.");
    } else if name_len > NAME_MAX {
        v.error(
            field::NAME,
            format!("The name is {name_len} characters long; use at most {NAME_MAX}."),
        );
    } else if s.name.chars().any(char::is_control) {
        v.error(field::NAME, "The name must not contain control characters.");
    } else if ctx
        .other_names
        .iter()
        .any(|other| other.trim().to_lowercase() == s.name.to_lowercase())
    {
        v.error(
            field::NAME,
            format!(
                "A connection named \u{201c}{}\u{201d} already exists; choose another name.",
                s.name
            ),
        );
    }

    // A preset's fields fill the endpoints and valid domain names.
    let preset_ok = v.preset(&mut s);

    // Valid domain names: counted before anything else is done with them, so a crafted file
    // or paste of a million costs nothing; duplicates removed in one pass.
    let mut domains: Vec<String> = Vec::new();
    let mut checks: Vec<DomainCheck> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let listed = s.valid_domains.iter().filter(|d| !d.trim().is_empty());
    if listed.clone().nth(DOMAINS_MAX).is_some() {
        v.error(
            field::VALID_DOMAINS,
            format!("A connection can have at most {DOMAINS_MAX} valid domain names."),
        );
    } else {
        for raw in &s.valid_domains {
            if raw.trim().is_empty() {
                checks.push(DomainCheck {
                    typed: raw.clone(),
                    host: None,
                    problem: None,
                });
                continue;
            }
            match normalize_domain(raw) {
                Ok(d) => {
                    if seen.insert(d.clone()) {
                        domains.push(d.clone());
                    }
                    checks.push(DomainCheck {
                        typed: raw.clone(),
                        host: Some(d),
                        problem: None,
                    });
                }
                Err(msg) => {
                    v.error(field::VALID_DOMAINS, msg.clone());
                    checks.push(DomainCheck {
                        typed: raw.clone(),
                        host: None,
                        problem: Some(msg),
                    });
                }
            }
        }
    }
    s.valid_domains = domains;
    if s.valid_domains.is_empty() && !v.has_error(field::VALID_DOMAINS) && preset_ok {
        v.error(
            field::VALID_DOMAINS,
            "Add at least one valid domain name: the hosts this connection may send its credentials to.",
        );
    }

    // Endpoints.
    s.subdomain = s.subdomain.trim().to_owned();
    s.authorization_url = s.authorization_url.trim().to_owned();
    s.token_url = s.token_url.trim().to_owned();
    s.api_base_url = s.api_base_url.trim().trim_end_matches('/').to_owned();
    s.issuer = s.issuer.trim().to_owned();
    s.revocation_url = s.revocation_url.trim().to_owned();
    s.device_authorization_url = s.device_authorization_url.trim().to_owned();
    let needs_authorize = s.grant_type == GrantType::AuthorizationCode;
    let endpoints = match s.provider {
        Provider::Coupa => v.coupa_endpoints(&mut s, needs_authorize),
        Provider::Generic if !preset_ok => None,
        Provider::Generic => v.generic_endpoints(&s, needs_authorize),
    };
    if let Some(ep) = &endpoints {
        v.check_domains(ep, &s);
    }

    // OAuth client.
    s.client_id = s.client_id.trim().to_owned();
    if s.client_id.is_empty() {
        v.error(
            field::CLIENT_ID,
            if s.provider == Provider::Coupa {
                "Enter the client ID (Coupa shows it as the client's Identifier)."
            } else {
                "Enter the client ID, as the server's OAuth client settings show it."
            },
        );
    } else if s
        .client_id
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        v.error(
            field::CLIENT_ID,
            "The client ID contains spaces or invisible characters; copy it again exactly.",
        );
    } else if s.client_id.len() > CLIENT_ID_MAX {
        v.error(
            field::CLIENT_ID,
            format!("The client ID is longer than {CLIENT_ID_MAX} characters."),
        );
    }
    v.client_auth(&s, ctx);
    v.assertion(&mut s, crate::time::Timestamp::now());

    // Scopes.
    v.scopes(&mut s);

    // Extra parameters.
    v.extra_params(&mut s);

    // Redirect port.
    if let Some(port) = s.redirect_port
        && port < 1024
    {
        v.error(
            field::REDIRECT_PORT,
            format!("Port {port} is reserved; choose a fixed port from 1024 to 65535."),
        );
    }

    // Test request.
    s.test_request.path = s.test_request.path.trim().to_owned();
    let path = &s.test_request.path;
    if path.is_empty() {
        v.error(
            field::TEST_REQUEST,
            "Enter the path the connection test calls, e.g. /api/users?limit=1.",
        );
    } else if !path.starts_with('/') || path.starts_with("//") {
        v.error(
            field::TEST_REQUEST,
            "The test request is a path on the API, starting with a single /, e.g. /api/users?limit=1.",
        );
    } else if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        v.error(
            field::TEST_REQUEST,
            "The test request's path must not contain spaces.",
        );
    } else if path.len() > URL_MAX {
        v.error(
            field::TEST_REQUEST,
            format!("The test request's path is longer than {URL_MAX} characters."),
        );
    }

    Validation {
        errors: v.errors,
        warnings: v.warnings,
        endpoints,
        normalized: s,
        domains: checks,
    }
}

impl Validator {
    /// The client's credential, as its client authentication needs it.
    fn client_auth(&mut self, s: &ConnectionSettings, ctx: Context<'_>) {
        use crate::model::connection::Credential;
        let coupa = s.provider == Provider::Coupa;
        match s.client_auth.credential() {
            Some(Credential::Secret) => {
                if ctx.secret_is_empty {
                    self.error(
                        field::CLIENT_SECRET,
                        if coupa {
                            "The client secret is empty; paste the Secret Coupa showed, or remove it."
                        } else {
                            "The client secret is empty; paste the secret the server gave, or remove it."
                        },
                    );
                } else if s.grant_type == GrantType::ClientCredentials && !ctx.has_client_secret {
                    self.error(
                        field::CLIENT_SECRET,
                        if coupa {
                            "Client credentials needs the client secret (Coupa shows it next to the Identifier)."
                        } else {
                            "Client credentials needs the client secret."
                        },
                    );
                }
            }
            Some(Credential::PrivateKey) => {
                if !ctx.has_client_secret {
                    self.error(
                        field::CLIENT_KEY,
                        "Import the private key (a PEM file) whose public key or certificate is registered with the server.",
                    );
                }
            }
            None => {
                // RFC 6749 §4.4: only a confidential client may use client credentials.
                if s.grant_type == GrantType::ClientCredentials {
                    self.error(
                        field::CLIENT_AUTH,
                        "Client credentials needs a confidential client: choose a client secret or a signed assertion.",
                    );
                }
                if ctx.secret_is_empty || ctx.has_client_secret {
                    self.error(
                        field::CLIENT_SECRET,
                        "A public client has no secret: remove it, or choose a client secret as the client authentication.",
                    );
                }
            }
        }
    }
}

struct Validator {
    errors: Vec<FieldIssue>,
    warnings: Vec<FieldIssue>,
}

impl Validator {
    fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldIssue {
            field: field.to_owned(),
            message: message.into(),
            action: None,
        });
    }

    fn error_offering(&mut self, field: &str, message: impl Into<String>, action: FieldAction) {
        self.errors.push(FieldIssue {
            field: field.to_owned(),
            message: message.into(),
            action: Some(action),
        });
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn warning(&mut self, field: &str, message: impl Into<String>) {
        self.warnings.push(FieldIssue {
            field: field.to_owned(),
            message: message.into(),
            action: None,
        });
    }

    fn scopes(&mut self, s: &mut ConnectionSettings) {
        let mut scopes: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let listed = s
            .scopes
            .iter()
            .flat_map(|raw| raw.split(crate::facts::is_list_separator))
            .filter(|scope| !scope.is_empty());
        // Counted before anything else is done with them (a crafted file may hold millions).
        if listed.clone().nth(SCOPES_MAX).is_some() {
            self.error(
                field::SCOPES,
                format!("A connection can ask for at most {SCOPES_MAX} scopes."),
            );
            s.scopes.clear();
            return;
        }
        for scope in listed {
            if scope.chars().count() > SCOPE_MAX {
                self.error(
                    field::SCOPES,
                    format!("A scope can be at most {SCOPE_MAX} characters long."),
                );
                continue;
            }
            if !seen.insert(scope) {
                continue;
            }
            // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
            if !scope
                .chars()
                .all(|c| c == '!' || matches!(c, '#'..='[' | ']'..='~'))
            {
                self.error(
                    field::SCOPES,
                    format!("\u{201c}{scope}\u{201d} is not a valid scope name: quotes, backslashes and non-ASCII characters are not allowed."),
                );
                continue;
            }
            scopes.push(scope.to_owned());
        }
        s.scopes = scopes;
        if s.scopes.is_empty() {
            self.error(
                field::SCOPES,
                "Choose at least one scope; they must match the scopes allowed on the OAuth client.",
            );
            return;
        }
        if s.provider == Provider::Coupa {
            let catalog = ScopeCatalog::coupa();
            let unknown: Vec<&str> = s
                .scopes
                .iter()
                .map(String::as_str)
                .filter(|x| !catalog.contains(x))
                .collect();
            if !unknown.is_empty() {
                self.warning(
                    field::SCOPES,
                    format!(
                        "Not in Coupa's scope catalog: {}. Kept as typed; check that your instance offers {}.",
                        unknown.join(", "),
                        if unknown.len() == 1 { "it" } else { "them" }
                    ),
                );
            }
        }
        if s.grant_type == GrantType::ClientCredentials
            && s.scopes.iter().any(|x| x == "offline_access")
        {
            self.warning(
                field::SCOPES,
                "offline_access gives no refresh token with client credentials; the app gets a new token instead.",
            );
        }
    }
}

#[cfg(test)]
mod tests;
