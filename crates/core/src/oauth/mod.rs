//! Getting tokens: the OAuth 2.0 grants over the `oauth2` crate, sent through [`HttpClient`].
//!
//! Before any request the URL is checked against the connection's valid domain names and the
//! https rule, so credentials never leave for a host the admin did not list. A server's answer
//! is judged strictly (RFC 6749 §5.1): `access_token` and a Bearer `token_type` (any case) are
//! required; a narrower `scope` than asked is kept and reported.

pub mod assertion;
mod authorization_code;
pub mod browser;
pub(crate) mod client_auth;
pub mod client_key;
pub mod device_code;
pub mod discovery;
mod errors;
pub mod jwt;
#[cfg(test)]
mod properties;
pub mod redirect;
pub mod revoke;

pub use authorization_code::{BrowserOpener, authorization_code};
pub use errors::transport_error;
pub(crate) use errors::{rate_limited_hint, token_error};

use std::time::Duration;

use oauth2::basic::BasicTokenType;
use oauth2::{ClientId, Scope, TokenResponse, TokenUrl};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::{Error, OAuthCode};
use crate::http::{HttpClient, HttpError, snippet};
use crate::model::connection::{Connection, ParamStage};
use crate::model::validate::{check_url, host_allowed};
use crate::storage::secret::Secret;
use crate::time::Timestamp;

/// The longest token lifetime believed (ten years); see [`token_set`].
pub const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 86_400);

/// What the UI may know about a token: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// Always "Bearer".
    pub token_type: String,
    /// When it was obtained (RFC 3339).
    pub obtained_at: Timestamp,
    /// When it expires (RFC 3339): from `expires_in`, else the JWT access token's `exp`;
    /// `None` when neither says (it is then used until a server refuses it).
    pub expires_at: Option<Timestamp>,
    /// Whether the expiry was read from the token's own `exp` claim, the answer having no
    /// `expires_in` (Salesforce's, for one).
    #[serde(default)]
    pub expiry_from_jwt: bool,
    /// What to know about this token beyond its fields, e.g. that the refresh token asked for
    /// did not come and how to get one.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The scopes granted (the requested ones when the server did not say).
    pub granted_scopes: Vec<String>,
    /// Requested scopes the server did not grant.
    pub missing_scopes: Vec<String>,
    /// Whether a refresh token came with it.
    pub has_refresh_token: bool,
    /// When the access token is a JWT: its header and claims, not verified.
    #[serde(default)]
    pub jwt: Option<crate::oauth::jwt::DecodedJwt>,
    /// The claims of the OpenID Connect ID token that came with it (scope `openid`), not
    /// verified. The ID token itself is not kept.
    #[serde(default)]
    pub id_token: Option<crate::oauth::jwt::DecodedJwt>,
}

/// The fields of a token answer beyond RFC 6749's: the OpenID Connect `id_token`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

impl oauth2::ExtraTokenFields for IdTokenField {}

/// A token answer as the engine reads it.
pub(crate) type TokenAnswer = oauth2::StandardTokenResponse<IdTokenField, BasicTokenType>;

/// The `oauth2` client type every grant uses: RFC 6749 errors, answers with an `id_token`.
pub(crate) type OAuthClient<
    HasAuthUrl = oauth2::EndpointNotSet,
    HasTokenUrl = oauth2::EndpointNotSet,
> = oauth2::Client<
    oauth2::basic::BasicErrorResponse,
    TokenAnswer,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    HasAuthUrl,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    HasTokenUrl,
>;

/// A client for this connection's client ID, endpoints not yet set.
pub(crate) fn oauth_client(connection: &Connection) -> OAuthClient {
    oauth2::Client::new(ClientId::new(connection.settings.client_id.clone()))
}

/// A token as obtained: the secrets and what may be shown about them.
#[derive(Debug, Clone)]
pub struct TokenSet {
    /// The access token.
    pub access_token: Secret,
    /// The refresh token, when the server gave one.
    pub refresh_token: Option<Secret>,
    /// Everything else.
    pub info: TokenInfo,
    /// When it expires, for refresh decisions.
    pub expires_at: Option<Timestamp>,
}

/// Checks a URL the connection is about to call: https (http only on loopback) and under one
/// of the valid domain names. Nothing is sent when this fails.
pub fn check_target(connection: &Connection, url: &str) -> Result<url::Url, Error> {
    let checked = check_url(url, "address").map_err(|why| Error::OAuth {
        code: OAuthCode::DomainNotAllowed,
        message: format!("Refused to call {url}: {why}"),
        hint: "Correct the endpoint in the connection's settings.".to_owned(),
    })?;
    let parsed = url::Url::parse(&checked).map_err(|e| Error::Internal(e.to_string()))?;
    let host = parsed.host_str().unwrap_or_default();
    if !host_allowed(host, &connection.settings.valid_domains) {
        return Err(Error::OAuth {
            code: OAuthCode::DomainNotAllowed,
            message: format!(
                "Refused to send credentials to {url}: {host} is not under the valid domain names ({}).",
                connection.settings.valid_domains.join(", ")
            ),
            hint: "Add the domain to Valid domain names if you trust it, or correct the endpoint."
                .to_owned(),
        });
    }
    Ok(parsed)
}

/// Gets a token with the client-credentials grant (RFC 6749 §4.4).
pub async fn client_credentials(
    http: &HttpClient,
    connection: &Connection,
    credential: &Secret,
) -> Result<TokenSet, Error> {
    let token_url = check_target(connection, &connection.endpoints.token_url)?;
    let auth = client_auth::TokenAuth::new(connection, Some(credential), token_url.as_str())?;
    let mut client = oauth_client(connection)
        .set_token_uri(TokenUrl::from_url(token_url))
        .set_auth_type(auth.auth_type);
    if let Some(secret) = auth.secret {
        client = client.set_client_secret(secret);
    }
    let requested = connection.settings.scopes.clone();
    let http = Recording::new(http);
    let mut request = client.exchange_client_credentials().add_scopes(
        connection
            .settings
            .scope_items()
            .into_iter()
            .map(Scope::new),
    );
    for (name, value) in auth.params {
        request = request.add_extra_param(name, value);
    }
    for (name, value) in connection.settings.params_for(ParamStage::Token) {
        request = request.add_extra_param(name.to_owned(), value.to_owned());
    }
    let result = request.request_async(&http).await;
    match result {
        Ok(token) => token_set(&token, &requested, &requested),
        Err(err) => Err(token_error(err, http.last(), connection)),
    }
}

/// The HTTP client as `oauth2` calls it, remembering the last answer's status and a redacted
/// snippet, for messages when the answer cannot be parsed.
pub(crate) struct Recording {
    http: HttpClient,
    last: std::sync::Mutex<Option<(u16, String)>>,
}

impl Recording {
    pub(crate) fn new(http: &HttpClient) -> Self {
        Recording {
            http: http.clone(),
            last: std::sync::Mutex::new(None),
        }
    }

    pub(crate) fn last(&self) -> Option<(u16, String)> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for Recording {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, HttpError>> + Send + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let mut resp = self.http.send(request).await?;
            let header = |name: http::header::HeaderName| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let content_type =
                header(http::header::CONTENT_TYPE).unwrap_or_else(|| "no content type".to_owned());
            let mut seen = format!("{content_type}: {}", snippet(resp.body()));
            if let Some(location) = header(http::header::LOCATION) {
                seen = format!("redirect to {location}, not followed");
            }
            *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((resp.status().as_u16(), seen));
            if let Some(body) = expires_in_as_number(resp.body()) {
                *resp.body_mut() = body;
            }
            Ok(resp)
        })
    }
}

/// Some servers send `expires_in` as a string of digits (`"86399"`). RFC 6749 §5.1 wants a
/// number; such a string is read as the number it spells. Anything else odd (negative,
/// fractional, huge) is left for the strict parser to refuse.
fn expires_in_as_number(body: &[u8]) -> Option<Vec<u8>> {
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let text = value.get("expires_in")?.as_str()?;
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds: u64 = text.parse().ok()?;
    value["expires_in"] = serde_json::Value::from(seconds);
    serde_json::to_vec(&value).ok()
}

/// The scope that asks for a refresh token.
const OFFLINE_ACCESS: &str = "offline_access";

/// What a successful token answer gives. `requested` is what the connection asks for (the
/// scopes not granted are reported missing); `unchanged` is what an answer without `scope`
/// grants: the scopes requested for a new grant (RFC 6749 §5.1), the scopes granted before for
/// a refresh (§6: the grant's scope is unchanged).
pub(crate) fn token_set(
    token: &TokenAnswer,
    requested: &[String],
    unchanged: &[String],
) -> Result<TokenSet, Error> {
    if *token.token_type() != BasicTokenType::Bearer {
        return Err(Error::OAuth {
            code: OAuthCode::BadResponse,
            message: format!(
                "The server issued a {:?} token; only Bearer tokens are supported.",
                token.token_type()
            ),
            hint: "Check that the token URL is the OAuth 2.0 token endpoint.".to_owned(),
        });
    }
    let mut granted: Vec<String> = match token.scopes() {
        Some(scopes) => scopes.iter().map(|s| s.to_string()).collect(),
        None => unchanged.to_vec(),
    };
    // `offline_access` asks for a refresh token (OpenID Connect Core §11), and many servers
    // grant it without listing it in `scope`: whether it was granted is whether a refresh
    // token came. Never reported missing: a sign-in without one says so in its own note.
    let offline = OFFLINE_ACCESS.to_owned();
    if token.refresh_token().is_some()
        && requested.contains(&offline)
        && !granted.contains(&offline)
    {
        granted.push(offline);
    }
    let missing: Vec<String> = requested
        .iter()
        .filter(|s| !granted.contains(s) && *s != OFFLINE_ACCESS)
        .cloned()
        .collect();
    let now = Timestamp::now();
    // RFC 6749 §5.1 sets no upper bound on `expires_in`: a lifetime past MAX_LIFETIME is taken
    // as MAX_LIFETIME, so the expiry can always be computed and written.
    let from_answer = token
        .expires_in()
        .map(|d: Duration| now.checked_add(d.min(MAX_LIFETIME)).unwrap_or(now));
    let jwt = crate::oauth::jwt::decode_unverified(token.access_token().secret());
    // No `expires_in` (RFC 6749 §5.1 makes it only RECOMMENDED): a JWT access token's own
    // `exp`, bounded like `expires_in`; else the expiry stays unknown and nothing guesses it.
    let from_jwt = || {
        let exp = jwt.as_ref()?.expires()?;
        let at = std::time::UNIX_EPOCH.checked_add(Duration::from_secs(exp))?;
        let left = at.duration_since(now.to_system()).unwrap_or_default();
        now.checked_add(left.min(MAX_LIFETIME))
    };
    let (expires_at, expiry_from_jwt) = match from_answer {
        Some(at) => (Some(at), false),
        None => match from_jwt() {
            Some(at) => (Some(at), true),
            None => (None, false),
        },
    };
    Ok(TokenSet {
        access_token: Secret::new(token.access_token().secret().clone()),
        refresh_token: token
            .refresh_token()
            .map(|r| Secret::new(r.secret().clone())),
        info: TokenInfo {
            token_type: "Bearer".to_owned(),
            obtained_at: now,
            expires_at,
            granted_scopes: granted,
            missing_scopes: missing,
            has_refresh_token: token.refresh_token().is_some(),
            expiry_from_jwt,
            notes: Vec::new(),
            jwt,
            id_token: token
                .extra_fields()
                .id_token
                .as_deref()
                .and_then(crate::oauth::jwt::decode_unverified),
        },
        expires_at,
    })
}

/// A person's sign-in that asked for `offline_access` and got no refresh token: the Token panel
/// and `connmgr sign-in` say so, and how servers that want it asked for are asked.
pub(crate) fn note_missing_refresh_token(set: &mut TokenSet, requested: &[String]) {
    if set.refresh_token.is_none() && requested.iter().any(|s| s == "offline_access") {
        set.info.notes.push(
            "offline_access was asked for, but no refresh token came: you will have to sign in again when this token expires. Some servers give one only when the sign-in asks with prompt=consent (Google also wants access_type=offline): add them under Advanced, Extra parameters, for the sign-in request.".to_owned(),
        );
    }
}
