//! The sandbox's configuration: its OAuth clients, token lifetime and how it treats scopes it
//! does not know. Read from a JSON file (`--config FILE`) or the built-in demo configuration.

use serde::Deserialize;

/// Grants a client may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// `client_credentials`.
    ClientCredentials,
    /// `authorization_code` (with PKCE).
    AuthorizationCode,
    /// `refresh_token`.
    RefreshToken,
    /// The device authorization grant (RFC 8628).
    DeviceCode,
}

/// One OAuth client registered in the sandbox.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientConfig {
    /// The client's identifier.
    pub id: String,
    /// Its secret; `None` for a public client.
    #[serde(default)]
    pub secret: Option<String>,
    /// The grants it may use.
    pub grants: Vec<Grant>,
    /// The scopes it may be given.
    pub scopes: Vec<String>,
    /// Public keys (PEM, `BEGIN PUBLIC KEY`) the client signs its assertions with
    /// (`private_key_jwt`, RFC 7523): such a client authenticates only that way.
    #[serde(default)]
    pub public_keys: Vec<String>,
    /// Whether a refresh gives a new refresh token (and reuse of an old one revokes the grant).
    #[serde(default)]
    pub rotate_refresh_tokens: bool,
}

/// What the sandbox does with a requested scope it does not allow the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownScope {
    /// Answer `invalid_scope` (Coupa's behaviour).
    #[default]
    Reject,
    /// Leave it out of the token silently, as some servers do.
    Drop,
}

/// How a grant the client may not use is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantRefusal {
    /// `unauthorized_client` (RFC 6749 §5.2).
    #[default]
    UnauthorizedClient,
    /// `invalid_request`, as several certified servers answer.
    InvalidRequest,
}

/// How the authorization endpoint answers a valid request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    /// A sign-in and consent page a person uses (Approve / Deny).
    #[default]
    Page,
    /// Approve at once, with no page (automated tests).
    Approve,
    /// Deny at once, with no page (automated tests).
    Deny,
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// The registered clients.
    pub clients: Vec<ClientConfig>,
    /// Access token lifetime in seconds (Coupa: 24 hours).
    #[serde(default = "default_lifetime")]
    pub token_lifetime_secs: u64,
    /// What to do with scopes a client may not have.
    #[serde(default)]
    pub unknown_scope: UnknownScope,
    /// How the authorization endpoint answers.
    #[serde(default)]
    pub consent: Consent,
    /// How long an authorization code stays valid, in seconds.
    #[serde(default = "default_code_lifetime")]
    pub code_lifetime_secs: u64,
    /// Issue access tokens shaped as JWTs (claims readable, signature not meant to be checked)
    /// rather than opaque strings.
    #[serde(default)]
    pub jwt_access_tokens: bool,
    /// The API's rate limit, as Coupa applies one per instance; `None` for no limit.
    #[serde(default)]
    pub api_rate_limit: Option<RateLimit>,
    /// A path after the base URL in the issuer identifier, as Keycloak (`/realms/x`), Okta
    /// (`/oauth2/default`) and Microsoft Entra (`/{tenant}/v2.0`) have; empty for none.
    #[serde(default)]
    pub issuer_path: String,
    /// Whether sign-in answers carry `iss` (RFC 9207); on by default.
    #[serde(default = "yes")]
    pub send_iss: bool,
    /// The polling interval a device authorization answer gives; `null` leaves `interval` out
    /// (the client must then wait 5 s, RFC 8628 §3.2).
    #[serde(default = "default_device_interval")]
    pub device_interval_secs: Option<u64>,
    /// How long a device code and its user code live.
    #[serde(default = "default_device_lifetime")]
    pub device_code_lifetime_secs: u64,
    /// As Google and several certified servers: `offline_access` brings a refresh token only
    /// when the sign-in asked with `prompt=consent`.
    #[serde(default)]
    pub offline_needs_consent: bool,
    /// Whether the metadata document is served at its well-known addresses.
    #[serde(default = "yes")]
    pub publish_metadata: bool,
    /// An issuer for the metadata document other than the sandbox's own (a mismatch).
    #[serde(default)]
    pub metadata_issuer: Option<String>,
    /// `code_challenge_methods_supported` in the metadata.
    #[serde(default = "default_pkce_methods")]
    pub pkce_methods: Vec<String>,
    /// `token_endpoint_auth_methods_supported` in the metadata.
    #[serde(default = "default_auth_methods")]
    pub auth_methods: Vec<String>,
    /// Whether the token answer's `scope` lists `offline_access` when it was granted. Certified
    /// servers leave it out: a client must judge by the presence of `refresh_token`.
    #[serde(default = "yes")]
    pub list_offline_access: bool,
    /// How a grant the client may not use is refused.
    #[serde(default)]
    pub grant_refusal: GrantRefusal,
    /// A request without `scope`, or whose scopes were all dropped, gets a token with no scope
    /// and an answer without `scope` (RFC 6749 §3.3 leaves it to the server), instead of every
    /// scope the client has.
    #[serde(default)]
    pub scopeless_tokens: bool,
}

fn default_pkce_methods() -> Vec<String> {
    vec!["S256".to_owned()]
}

fn default_auth_methods() -> Vec<String> {
    [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "none",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn default_device_interval() -> Option<u64> {
    Some(5)
}

fn default_device_lifetime() -> u64 {
    600
}

fn yes() -> bool {
    true
}

/// A token bucket: `burst` calls at once, refilled at `per_second`. Coupa allows 25 requests
/// a second with bursts of 20 and answers 429, with no `Retry-After`, past that.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateLimit {
    /// Calls regained each second.
    pub per_second: f64,
    /// Calls that may be made at once.
    pub burst: u32,
}

impl RateLimit {
    /// Coupa's documented limit.
    pub const COUPA: RateLimit = RateLimit {
        per_second: 25.0,
        burst: 20,
    };
}

fn default_code_lifetime() -> u64 {
    60
}

fn default_lifetime() -> u64 {
    24 * 60 * 60
}

impl Config {
    /// Parses a configuration file's JSON.
    pub fn from_json(text: &str) -> Result<Config, String> {
        let config: Config = serde_json::from_str(text)
            .map_err(|e| format!("invalid sandbox configuration: {e}"))?;
        for c in &config.clients {
            if c.id.is_empty() {
                return Err("invalid sandbox configuration: a client has an empty id".to_owned());
            }
        }
        if let Some(limit) = config.api_rate_limit
            && !(limit.per_second.is_finite() && limit.per_second > 0.0 && limit.burst > 0)
        {
            return Err(
                "invalid sandbox configuration: apiRateLimit needs perSecond above 0 and burst of 1 or more"
                    .to_owned(),
            );
        }
        Ok(config)
    }

    /// The demo: one client-credentials client and one public authorization-code client, with
    /// the read scopes the demo API needs. Their secrets are public: this server runs on loopback
    /// for demos and tests only.
    pub fn demo() -> Config {
        let read = [
            "core.user.read",
            "core.supplier.read",
            "core.invoice.read",
            "core.accounting.read",
            "core.common.read",
        ];
        let scopes = |extra: &[&str]| read.iter().chain(extra).map(|s| (*s).to_owned()).collect();
        Config {
            clients: vec![
                ClientConfig {
                    id: "sandbox-integration".to_owned(),
                    secret: Some("sandbox-integration-secret".to_owned()),
                    grants: vec![Grant::ClientCredentials],
                    scopes: scopes(&[]),
                    rotate_refresh_tokens: false,
                    public_keys: Vec::new(),
                },
                ClientConfig {
                    id: "sandbox-desktop".to_owned(),
                    secret: None,
                    grants: vec![
                        Grant::AuthorizationCode,
                        Grant::DeviceCode,
                        Grant::RefreshToken,
                    ],
                    scopes: scopes(&["openid", "profile", "email", "login", "offline_access"]),
                    rotate_refresh_tokens: true,
                    public_keys: Vec::new(),
                },
            ],
            token_lifetime_secs: default_lifetime(),
            unknown_scope: UnknownScope::Reject,
            consent: Consent::Page,
            code_lifetime_secs: default_code_lifetime(),
            jwt_access_tokens: true,
            api_rate_limit: Some(RateLimit::COUPA),
            issuer_path: String::new(),
            send_iss: true,
            device_interval_secs: default_device_interval(),
            device_code_lifetime_secs: default_device_lifetime(),
            offline_needs_consent: false,
            publish_metadata: true,
            metadata_issuer: None,
            pkce_methods: default_pkce_methods(),
            auth_methods: default_auth_methods(),
            list_offline_access: true,
            grant_refusal: GrantRefusal::UnauthorizedClient,
            scopeless_tokens: false,
        }
    }

    /// The demo made as strict as a certified OpenID provider: unknown or not-allowed scopes
    /// dropped silently, `offline_access` never listed in `scope` and giving a refresh token
    /// only with `prompt=consent`, a forbidden grant answered `invalid_request`, a request
    /// without scope given none, and `iss` sent with every sign-in answer. The tests use it
    /// unless they test one of Coupa's own behaviours. Its issuer has no path, as Coupa's has
    /// none; [`Config::strict_with_issuer_path`] adds one.
    pub fn strict() -> Config {
        Config::demo().made_strict()
    }

    /// This configuration with the strict server's behaviours (see [`Config::strict`]); its
    /// clients, lifetimes and issuer are kept.
    pub fn made_strict(self) -> Config {
        Config {
            unknown_scope: UnknownScope::Drop,
            offline_needs_consent: true,
            list_offline_access: false,
            grant_refusal: GrantRefusal::InvalidRequest,
            scopeless_tokens: true,
            send_iss: true,
            ..self
        }
    }

    /// [`Config::strict`] with an issuer that has a path (`/oauth2/default`, as Okta's), the
    /// shape most servers other than Coupa have.
    pub fn strict_with_issuer_path() -> Config {
        Config {
            issuer_path: "/oauth2/default".to_owned(),
            ..Config::strict()
        }
    }

    /// The client with this id.
    pub fn client(&self, id: &str) -> Option<&ClientConfig> {
        self.clients.iter().find(|c| c.id == id)
    }
}
