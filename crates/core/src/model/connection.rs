//! The connection: what an admin sets up once (provider, instance, OAuth client, grant, scopes)
//! and what the app keeps about it. Secrets are not part of it: they live in the keyring
//! ([`crate::secrets`]), and a connection only says whether it has one.
//!
//! Field names are camelCase on the wire, and the same names identify fields in validation
//! errors, so the UI can put each message under its field.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::time::Timestamp;

mod draft;
pub use draft::{ConnectionDraft, SecretUpdate};

/// Which kind of server the connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// A Coupa instance: endpoints derived from its URL subdomain.
    Coupa,
    /// Any OAuth 2.0 server: endpoints entered by hand.
    Generic,
}

/// The two domains Coupa instances live under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CoupaDomain {
    /// Customer instances: `https://{org}.coupahost.com`.
    Customer,
    /// Partner and demo instances: `https://{org}.coupacloud.com`.
    Partner,
}

impl CoupaDomain {
    /// The DNS domain, e.g. `coupahost.com`.
    pub fn domain(self) -> &'static str {
        match self {
            CoupaDomain::Customer => "coupahost.com",
            CoupaDomain::Partner => "coupacloud.com",
        }
    }
}

/// How the app obtains tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// A person signs in through the system browser (with PKCE, RFC 7636).
    AuthorizationCode,
    /// System to system: the client's own credentials, no person involved.
    ClientCredentials,
    /// A person approves on another device (a phone, a laptop's browser) by entering a short
    /// code, while the app polls (RFC 8628): for a computer with no browser at hand.
    DeviceCode,
}

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// `client_id` and `client_secret` in the form body: Coupa's documented way.
    Body,
    /// HTTP Basic with the form-urlencoded id and secret.
    Basic,
    /// A JWT the client signs with its private key (RFC 7523 §2.2): NetSuite machine to
    /// machine, Microsoft Entra certificates, Okta's management scopes.
    PrivateKeyJwt,
    /// A public client: `client_id` alone (RFC 6749 §2.1), with PKCE for a sign-in.
    None,
}

/// What a client that authenticates keeps in the keyring to do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    /// A client secret.
    Secret,
    /// A private key (in PEM).
    PrivateKey,
}

impl ClientAuth {
    /// The credential this way of authenticating needs; `None` for a public client.
    pub fn credential(self) -> Option<Credential> {
        match self {
            ClientAuth::Body | ClientAuth::Basic => Some(Credential::Secret),
            ClientAuth::PrivateKeyJwt => Some(Credential::PrivateKey),
            ClientAuth::None => None,
        }
    }
}

/// How the scopes are joined in a request's `scope`: by spaces, as RFC 6749 §3.3 says, or by
/// commas, as some servers want (SAP's XSUAA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ScopeSeparator {
    /// `a b` (RFC 6749 §3.3).
    #[default]
    Space,
    /// `a,b`.
    Comma,
}

/// Which request an extra parameter goes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ParamStage {
    /// The authorization request the browser opens (and the device authorization request).
    Authorization,
    /// The token request: the code exchange, client credentials, a device-code poll.
    Token,
    /// The refresh request.
    Refresh,
}

/// A request parameter a server wants beyond the protocol's own (RFC 6749 §3.1 and §3.2 let
/// servers define more): `prompt=consent`, `access_type=offline`, `audience`, `resource`…
/// Kept in the connections file and exports: never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExtraParam {
    /// Which request it goes with.
    pub stage: ParamStage,
    /// The parameter's name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// HTTP methods the connection test may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "UPPERCASE")]
pub enum TestMethod {
    /// `GET`, the default: reads one record.
    Get,
    /// `HEAD`.
    Head,
}

/// The API call the connection test makes after getting a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TestRequest {
    /// The HTTP method.
    pub method: TestMethod,
    /// A path with an optional query, relative to the API base URL, e.g. `/api/users?limit=1`.
    pub path: String,
}

impl TestRequest {
    /// Coupa's recommended check: one user (needs `core.user.read`).
    pub fn coupa_default() -> Self {
        TestRequest {
            method: TestMethod::Get,
            path: "/api/users?limit=1".to_owned(),
        }
    }
}

/// Everything the admin sets on a connection, as the form holds it. Text fields keep what was
/// typed (trimmed when saved); endpoint fields left empty mean "derive it".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSettings {
    /// Shown everywhere; unique among saved connections (trimmed, case-insensitive).
    pub name: String,
    /// Coupa or a generic OAuth 2.0 server.
    pub provider: Provider,
    /// For Coupa: customer (coupahost.com) or partner/demo (coupacloud.com).
    pub coupa_domain: CoupaDomain,
    /// For Coupa: what the admin pasted: `acme`, `acme.coupahost.com`, a full URL, …
    pub subdomain: String,
    /// Generic: the authorization endpoint. Coupa: an override of the derived one.
    pub authorization_url: String,
    /// Generic: the token endpoint. Coupa: an override of the derived one.
    pub token_url: String,
    /// Generic: the API's base URL. Coupa: an override of the instance URL.
    pub api_base_url: String,
    /// The authorization server's issuer identifier (RFC 8414 §2), e.g.
    /// `https://login.example.com/realms/acme`: a sign-in answer's `iss` must equal it exactly
    /// (RFC 9207 §2.4). Empty: Coupa's instance URL; for a generic server, `iss` is not checked.
    #[serde(default)]
    pub issuer: String,
    /// Whether the server sends `iss` in every sign-in answer (its metadata's
    /// `authorization_response_iss_parameter_supported`); an answer without one is then refused.
    #[serde(default)]
    pub require_iss: bool,
    /// Where tokens are revoked (RFC 7009) when the connection is deleted or its tokens
    /// forgotten. Empty: the server offers none (Coupa documents none).
    #[serde(default)]
    pub revocation_url: String,
    /// The device authorization endpoint (RFC 8628 §3.1), where the device-code grant gets its
    /// user code. Needed for that grant only; no provider's is derived.
    #[serde(default)]
    pub device_authorization_url: String,
    /// The OAuth client's identifier (Coupa calls it "Identifier").
    pub client_id: String,
    /// Authorization code, client credentials or device code.
    pub grant_type: GrantType,
    /// Secret in the body (default), HTTP Basic, a signed assertion, or none (a public client).
    pub client_auth: ClientAuth,
    /// How the signed assertion is built, for [`ClientAuth::PrivateKeyJwt`].
    #[serde(default)]
    pub assertion: crate::model::assertion::AssertionSettings,
    /// The hosts this connection may send credentials and tokens to (a host or its subdomains).
    pub valid_domains: Vec<String>,
    /// The scopes to request.
    pub scopes: Vec<String>,
    /// How they are joined in a request.
    #[serde(default)]
    pub scope_separator: ScopeSeparator,
    /// `None`: a random loopback port each sign-in; `Some(p)`: the fixed port registered.
    pub redirect_port: Option<u16>,
    /// Renew the token by itself when it is about to expire.
    pub auto_refresh: bool,
    /// Parameters sent beyond the protocol's own, each with the request it goes with.
    #[serde(default)]
    pub extra_params: Vec<ExtraParam>,
    /// The server's metadata as last fetched from the issuer (RFC 8414), when it was.
    #[serde(default)]
    pub metadata: Option<crate::oauth::discovery::ServerMetadata>,
    /// The provider preset a generic connection was made from, with the values typed in its
    /// fields: its endpoints and valid domain names follow from them.
    #[serde(default)]
    pub preset: Option<crate::presets::PresetChoice>,
    /// The API call the connection test makes.
    pub test_request: TestRequest,
}

impl ConnectionSettings {
    /// The extra parameters that go with `stage`'s request, as (name, value).
    pub fn params_for(&self, stage: ParamStage) -> impl Iterator<Item = (&str, &str)> {
        self.extra_params
            .iter()
            .filter(move |p| p.stage == stage)
            .map(|p| (p.name.as_str(), p.value.as_str()))
    }

    /// The `scope` parameter's items, as `oauth2` joins them with spaces: one per scope, or
    /// all of them joined by commas as one.
    pub fn scope_items(&self) -> Vec<String> {
        match self.scope_separator {
            ScopeSeparator::Space => self.scopes.clone(),
            ScopeSeparator::Comma if self.scopes.is_empty() => Vec::new(),
            ScopeSeparator::Comma => vec![self.scopes.join(",")],
        }
    }

    /// A new Coupa connection's settings, as the form starts them.
    pub fn new_coupa() -> Self {
        ConnectionSettings {
            name: String::new(),
            provider: Provider::Coupa,
            coupa_domain: CoupaDomain::Customer,
            subdomain: String::new(),
            authorization_url: String::new(),
            token_url: String::new(),
            api_base_url: String::new(),
            issuer: String::new(),
            require_iss: false,
            revocation_url: String::new(),
            device_authorization_url: String::new(),
            client_id: String::new(),
            grant_type: GrantType::ClientCredentials,
            client_auth: ClientAuth::Body,
            assertion: Default::default(),
            valid_domains: vec![CoupaDomain::Customer.domain().to_owned()],
            scopes: vec!["core.user.read".to_owned()],
            scope_separator: ScopeSeparator::Space,
            redirect_port: None,
            auto_refresh: true,
            extra_params: Vec::new(),
            metadata: None,
            preset: None,
            test_request: TestRequest::coupa_default(),
        }
    }
}

/// The endpoints a connection calls, resolved from its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// For Coupa, the instance's base URL (`https://acme.coupahost.com`).
    pub instance_url: Option<String>,
    /// Where the browser signs in (authorization code only).
    pub authorization_url: Option<String>,
    /// Where tokens come from.
    pub token_url: String,
    /// The base the test request's path is appended to; `None` when the connection has no API.
    pub api_base_url: Option<String>,
    /// The issuer a sign-in answer's `iss` must equal; `None` when it is not known.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The token revocation endpoint (RFC 7009), if the server has one.
    #[serde(default)]
    pub revocation_url: Option<String>,
    /// The device authorization endpoint (RFC 8628 §3.1), for the device-code grant.
    #[serde(default)]
    pub device_authorization_url: Option<String>,
}

/// The outcome of the last connection test, kept with the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TestSummary {
    /// Whether every step passed.
    pub ok: bool,
    /// When it ran (RFC 3339, UTC).
    pub at: Timestamp,
    /// One line: what passed, or the first failure.
    pub summary: String,
}

/// A saved connection: its settings, resolved endpoints and bookkeeping. Never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Stable, generated identifier (a UUID).
    pub id: String,
    /// What the admin set.
    pub settings: ConnectionSettings,
    /// The endpoints resolved from the settings when saved.
    pub endpoints: Endpoints,
    /// Whether its credential is held in the keyring: the client secret, or the private key
    /// for a signed assertion (whichever its client authentication uses).
    pub has_client_secret: bool,
    /// When it was created (RFC 3339, UTC).
    pub created_at: Timestamp,
    /// When it was last changed (RFC 3339, UTC).
    pub updated_at: Timestamp,
    /// The last connection test's outcome.
    pub last_test: Option<TestSummary>,
    /// When a token was last obtained, copied or tested (RFC 3339, UTC).
    #[serde(default)]
    pub last_used: Option<Timestamp>,
    /// What is known of the cached access token (never the token): for the list's token state.
    #[serde(default)]
    pub token: Option<TokenSummary>,
    /// Imported without its client secret, which the admin still has to enter.
    #[serde(default)]
    pub needs_client_secret: bool,
}

impl Connection {
    /// The host (and port, when not the scheme's default) it talks to: its instance, else its
    /// API, else its token endpoint. Empty if none of them parses, which a saved connection
    /// never has.
    pub fn host(&self) -> String {
        let e = &self.endpoints;
        let url = e
            .instance_url
            .as_deref()
            .or(e.api_base_url.as_deref())
            .unwrap_or(&e.token_url);
        let Ok(url) = url::Url::parse(url) else {
            return String::new();
        };
        match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => String::new(),
        }
    }

    /// What the connection list shows of it.
    pub fn summary(&self) -> ConnectionSummary {
        ConnectionSummary {
            id: self.id.clone(),
            name: self.settings.name.clone(),
            provider: self.settings.provider,
            host: self.host(),
            grant_type: self.settings.grant_type,
            scope_count: u32::try_from(self.settings.scopes.len()).unwrap_or(u32::MAX),
            last_test: self.last_test.clone(),
            last_used: self.last_used,
            token: self.token.clone(),
            needs_client_secret: self.needs_client_secret,
            certificate_expires_at: self.certificate_expiry(),
        }
    }

    /// When the certificate of the key it signs assertions with expires, if it has one.
    pub fn certificate_expiry(&self) -> Option<Timestamp> {
        (self.settings.client_auth == ClientAuth::PrivateKeyJwt)
            .then_some(self.settings.assertion.key.as_ref())
            .flatten()
            .and_then(|k| k.certificate.as_ref())
            .map(|c| c.not_after)
    }
}

/// A saved connection as the list shows it: no endpoints, advanced settings or bookkeeping, so
/// that listing thousands stays cheap. The full [`Connection`] is fetched for the one on screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSummary {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its provider.
    pub provider: Provider,
    /// The host it talks to (see [`Connection::host`]).
    pub host: String,
    /// Its grant type.
    pub grant_type: GrantType,
    /// How many scopes it asks for.
    pub scope_count: u32,
    /// The last connection test's outcome.
    pub last_test: Option<TestSummary>,
    /// When a token was last obtained, copied or tested.
    pub last_used: Option<Timestamp>,
    /// What is known of the cached access token.
    pub token: Option<TokenSummary>,
    /// Imported without its client secret.
    pub needs_client_secret: bool,
    /// When the certificate of its signing key expires (the list warns from 30 days before).
    pub certificate_expires_at: Option<Timestamp>,
}

/// The cached access token's state as the connection list shows it. Not a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenSummary {
    /// When it was obtained (RFC 3339).
    pub obtained_at: Timestamp,
    /// When it expires (RFC 3339), if the server said.
    pub expires_at: Option<Timestamp>,
    /// Whether a refresh token is held.
    pub has_refresh_token: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_joined_as_the_server_wants() {
        let mut s = ConnectionSettings::new_coupa();
        s.scopes = vec!["a.read".to_owned(), "b.write".to_owned()];
        assert_eq!(
            s.scope_items(),
            ["a.read", "b.write"],
            "spaces: one item each"
        );
        s.scope_separator = ScopeSeparator::Comma;
        assert_eq!(s.scope_items(), ["a.read,b.write"]);
        s.scopes.clear();
        assert!(s.scope_items().is_empty());
    }
}
