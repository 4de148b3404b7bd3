//! Facts the window shows or applies that Rust decides: a new connection's settings, the
//! providers and grants with their labels, the Coupa domains, the redirect URI's shape, how a
//! typed list is split, the token reuse margin. Exported once into the generated bindings as
//! the constant `FACTS`, so the UI never keeps a copy of its own.

use serde::Serialize;

use crate::model::assertion::{CERTIFICATE_WARNING_DAYS, SigningAlgorithm};
use crate::model::connection::{
    ClientAuth, ConnectionSettings, CoupaDomain, Credential, GrantType, Provider,
};

/// Everything in `FACTS`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Facts {
    /// A new connection's settings, as the form starts them.
    pub new_connection: ConnectionSettings,
    /// The provider choices of the form, in order.
    pub providers: Vec<ProviderFact>,
    /// The grant types with their labels.
    pub grants: Vec<GrantFact>,
    /// The ways a client authenticates, with their labels, in the form's order.
    pub client_auths: Vec<ClientAuthFact>,
    /// The signed assertion's algorithms, with their labels.
    pub signing_algorithms: Vec<Choice<SigningAlgorithm>>,
    /// Each field of the form (as validation names it) and its label, in the form's order.
    pub field_labels: Vec<Choice<&'static str>>,
    /// The form and the list warn about a certificate from this many days before it expires.
    pub certificate_warning_days: u64,
    /// The provider presets of generic connections (`data/presets/`), by label.
    pub presets: Vec<&'static crate::presets::Preset>,
    /// The loopback redirect URI: `http://{host}:{port}{path}` (RFC 8252 §7.3).
    pub redirect_host: &'static str,
    /// Its path.
    pub redirect_path: &'static str,
    /// The characters that separate items of a typed or pasted list (scopes, domains).
    pub list_separators: &'static str,
    /// A cached token is used only while it has at least this many seconds left.
    pub reuse_margin_seconds: u64,
}

/// One choice of the form's provider select.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderFact {
    /// The select's value: `coupa:customer`, `coupa:partner`, `generic`.
    pub value: &'static str,
    /// What the admin reads.
    pub label: &'static str,
    /// The provider it sets.
    pub provider: Provider,
    /// The Coupa domain it sets, for Coupa.
    pub coupa_domain: Option<CoupaDomain>,
    /// The valid domain names a connection of this choice starts with.
    pub valid_domains: Vec<&'static str>,
    /// How to create the OAuth client on the server, step by step (Coupa's from its preset).
    pub how_to: Vec<&'static str>,
    /// Known quirks.
    pub hints: Vec<&'static str>,
}

/// A grant type and how it is named.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantFact {
    /// The grant type.
    pub value: GrantType,
    /// Its full name, in details.
    pub label: &'static str,
    /// Its short name, in the list's rows.
    pub short: &'static str,
}

/// A choice of a select, and what the admin reads.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice<T> {
    /// The value.
    pub value: T,
    /// Its label.
    pub label: &'static str,
}

/// A way the client authenticates, its label, and the credential it keeps in the keyring.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientAuthFact {
    /// The value.
    pub value: ClientAuth,
    /// Its label.
    pub label: &'static str,
    /// What it keeps in the keyring; `None` for a public client.
    pub credential: Option<Credential>,
}

/// The characters that separate the items of a list the admin types or pastes.
pub const LIST_SEPARATORS: &str = " ,\t\n\r";

/// Whether `c` separates the items of a typed list (white space or a comma).
pub fn is_list_separator(c: char) -> bool {
    c.is_whitespace() || c == ','
}

/// The path of the loopback redirect URI.
pub const REDIRECT_PATH: &str = "/callback";
/// The loopback address the redirect listener binds (never `localhost`: RFC 8252 §8.3).
pub const REDIRECT_HOST: &str = "127.0.0.1";

impl GrantType {
    /// The grant's name in details.
    pub fn label(self) -> &'static str {
        match self {
            GrantType::ClientCredentials => "Client credentials",
            GrantType::AuthorizationCode => "Authorization code (PKCE)",
            GrantType::DeviceCode => "Device code (RFC 8628)",
        }
    }

    /// The grant's name in the list's rows.
    pub fn short_label(self) -> &'static str {
        match self {
            GrantType::ClientCredentials => "Client credentials",
            GrantType::AuthorizationCode => "Authorization code",
            GrantType::DeviceCode => "Device code",
        }
    }
}

/// The facts, as exported.
pub fn facts() -> Facts {
    // Coupa's two choices are data (`data/presets/coupa-*.json`), like every provider.
    let coupa = |value, domain: CoupaDomain| {
        let preset = crate::presets::coupa(domain);
        let strs = |list: Option<&'static Vec<String>>| {
            list.map(|l| l.iter().map(String::as_str).collect())
                .unwrap_or_default()
        };
        ProviderFact {
            value,
            label: preset.map_or(domain.domain(), |p| p.label.as_str()),
            provider: Provider::Coupa,
            coupa_domain: Some(domain),
            valid_domains: preset.map_or_else(
                || vec![domain.domain()],
                |p| p.valid_domains.iter().map(String::as_str).collect(),
            ),
            how_to: strs(preset.map(|p| &p.how_to)),
            hints: strs(preset.map(|p| &p.hints)),
        }
    };
    Facts {
        new_connection: ConnectionSettings::new_coupa(),
        providers: vec![
            coupa("coupa:customer", CoupaDomain::Customer),
            coupa("coupa:partner", CoupaDomain::Partner),
            ProviderFact {
                value: "generic",
                label: "Generic OAuth 2.0",
                provider: Provider::Generic,
                coupa_domain: None,
                valid_domains: Vec::new(),
                how_to: Vec::new(),
                hints: Vec::new(),
            },
        ],
        grants: [
            GrantType::ClientCredentials,
            GrantType::AuthorizationCode,
            GrantType::DeviceCode,
        ]
        .into_iter()
        .map(|g| GrantFact {
            value: g,
            label: g.label(),
            short: g.short_label(),
        })
        .collect(),
        client_auths: [
            (
                ClientAuth::Body,
                "Client secret in the request body (client_secret_post)",
            ),
            (
                ClientAuth::Basic,
                "Client secret with HTTP Basic (client_secret_basic)",
            ),
            (
                ClientAuth::PrivateKeyJwt,
                "Signed assertion with a private key (private_key_jwt)",
            ),
            (ClientAuth::None, "None: a public client (PKCE alone)"),
        ]
        .into_iter()
        .map(|(value, label)| ClientAuthFact {
            value,
            label,
            credential: value.credential(),
        })
        .collect(),
        field_labels: crate::model::validate::field::LABELS
            .iter()
            .map(|&(value, label)| Choice { value, label })
            .collect(),
        signing_algorithms: vec![
            Choice {
                value: SigningAlgorithm::RS256,
                label: "RS256 (RSA, PKCS#1 v1.5)",
            },
            Choice {
                value: SigningAlgorithm::PS256,
                label: "PS256 (RSA-PSS)",
            },
            Choice {
                value: SigningAlgorithm::ES256,
                label: "ES256 (EC P-256)",
            },
        ],
        certificate_warning_days: CERTIFICATE_WARNING_DAYS,
        presets: crate::presets::generic(),
        redirect_host: REDIRECT_HOST,
        redirect_path: REDIRECT_PATH,
        list_separators: LIST_SEPARATORS,
        reuse_margin_seconds: crate::tokens::MIN_LIFETIME.as_secs(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_coupa_choice_starts_with_its_domain() {
        let facts = facts();
        for p in facts
            .providers
            .iter()
            .filter(|p| p.provider == Provider::Coupa)
        {
            let domain = p.coupa_domain.expect("a Coupa choice names its domain");
            assert_eq!(p.valid_domains, [domain.domain()]);
            assert!(p.label.contains(domain.domain()), "{}", p.label);
        }
        assert_eq!(
            facts.new_connection.valid_domains,
            [CoupaDomain::Customer.domain()]
        );
    }

    #[test]
    fn the_separators_are_the_ones_lists_are_split_on() {
        for c in LIST_SEPARATORS.chars() {
            assert!(is_list_separator(c), "{c:?}");
        }
        assert!(!is_list_separator('.'));
    }
}
