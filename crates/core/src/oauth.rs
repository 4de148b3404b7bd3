//! Getting tokens: the OAuth 2.0 grants over the `oauth2` crate, sent through [`HttpClient`].
//!
//! Before any request the URL is checked against the connection's valid domain names and the
//! https rule, so credentials never leave for a host the admin did not list. A server's answer
//! is judged strictly (RFC 6749 §5.1): `access_token` and a Bearer `token_type` (any case) are
//! required; a narrower `scope` than asked is kept and reported.

use std::time::{Duration, SystemTime};

use oauth2::basic::{BasicErrorResponseType, BasicTokenType};
use oauth2::{
    AuthType, ClientId, ClientSecret, RequestTokenError, Scope, StandardErrorResponse,
    TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::connection::{ClientAuth, Connection};
use crate::error::{Error, OAuthCode};
use crate::http::{HttpClient, HttpError, snippet};
use crate::secret::Secret;
use crate::validate::{check_url, host_allowed};

/// What the UI may know about a token: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// Always "Bearer".
    pub token_type: String,
    /// When it was obtained (RFC 3339).
    pub obtained_at: String,
    /// When it expires (RFC 3339), if the server said.
    pub expires_at: Option<String>,
    /// The scopes granted (the requested ones when the server did not say).
    pub granted_scopes: Vec<String>,
    /// Requested scopes the server did not grant.
    pub missing_scopes: Vec<String>,
    /// Whether a refresh token came with it.
    pub has_refresh_token: bool,
    /// When the access token is a JWT: its header and claims, not verified.
    #[serde(default)]
    pub jwt: Option<crate::jwt::DecodedJwt>,
    /// The claims of the OpenID Connect ID token that came with it (scope `openid`), not
    /// verified. The ID token itself is not kept.
    #[serde(default)]
    pub id_token: Option<crate::jwt::DecodedJwt>,
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
    pub expires_at: Option<SystemTime>,
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

/// How `oauth2` sends the client's credentials for this setting (RFC 6749 §2.3.1).
pub(crate) fn auth_type(auth: ClientAuth) -> AuthType {
    match auth {
        ClientAuth::Body => AuthType::RequestBody,
        ClientAuth::Basic => AuthType::BasicAuth,
    }
}

/// Gets a token with the client-credentials grant (RFC 6749 §4.4).
pub async fn client_credentials(
    http: &HttpClient,
    connection: &Connection,
    secret: &Secret,
) -> Result<TokenSet, Error> {
    let token_url = check_target(connection, &connection.endpoints.token_url)?;
    let client = oauth_client(connection)
        .set_client_secret(ClientSecret::new(secret.expose().to_owned()))
        .set_token_uri(TokenUrl::from_url(token_url))
        .set_auth_type(auth_type(connection.settings.client_auth));
    let requested = connection.settings.scopes.clone();
    let http = Recording::new(http);
    let result = client
        .exchange_client_credentials()
        .add_scopes(requested.iter().cloned().map(Scope::new))
        .request_async(&http)
        .await;
    match result {
        Ok(token) => token_set(&token, &requested),
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

/// Opens the authorization URL in the system browser. The app passes one that uses the
/// operating system's opener; tests pass a scripted browser.
pub trait BrowserOpener: Send + Sync {
    /// Opens `url`; an error says why it could not.
    fn open(&self, url: &str) -> Result<(), String>;
}

/// Signs in through the system browser with the authorization-code grant and PKCE
/// (RFC 6749 §4.1, RFC 7636, RFC 8252): a fresh verifier and `state` each attempt, a loopback
/// listener for the answer, and the identical redirect URI in the token request.
pub async fn authorization_code(
    http: &HttpClient,
    connection: &Connection,
    secret: Option<&Secret>,
    opener: &dyn BrowserOpener,
    timeout: Duration,
    cancel: impl std::future::Future<Output = ()>,
) -> Result<TokenSet, Error> {
    let authorize = connection
        .endpoints
        .authorization_url
        .as_deref()
        .ok_or_else(|| Error::OAuth {
            code: OAuthCode::BadResponse,
            message: "The connection has no authorization URL.".to_owned(),
            hint: "Set the authorization URL in the connection's settings.".to_owned(),
        })?;
    let auth_url = check_target(connection, authorize)?;
    let token_url = check_target(connection, &connection.endpoints.token_url)?;
    let listener =
        crate::redirect::RedirectListener::bind(connection.settings.redirect_port).await?;
    let redirect = listener.redirect_uri();

    let mut client = oauth_client(connection)
        .set_auth_uri(oauth2::AuthUrl::from_url(auth_url.clone()))
        .set_token_uri(TokenUrl::from_url(token_url))
        .set_redirect_uri(
            oauth2::RedirectUrl::new(redirect).map_err(|e| Error::Internal(e.to_string()))?,
        )
        .set_auth_type(auth_type(connection.settings.client_auth));
    if let Some(secret) = secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
    }
    let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
    let requested = connection.settings.scopes.clone();
    let (url, state) = client
        .authorize_url(oauth2::CsrfToken::new_random)
        .add_scopes(requested.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge)
        .url();

    opener.open(url.as_str()).map_err(|why| Error::OAuth {
        code: OAuthCode::Connect,
        message: format!("The browser could not be opened: {why}."),
        hint: "Check that a default web browser is set up.".to_owned(),
    })?;
    let issuer = connection
        .endpoints
        .instance_url
        .clone()
        .unwrap_or_else(|| auth_url.origin().ascii_serialization());
    let callback = listener
        .wait(state.secret(), Some(&issuer), timeout, cancel)
        .await?;

    let http = Recording::new(http);
    let result = client
        .exchange_code(oauth2::AuthorizationCode::new(
            callback.code.expose().to_owned(),
        ))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await;
    match result {
        Ok(token) => token_set(&token, &requested),
        Err(err) => Err(token_error(err, http.last(), connection)),
    }
}

pub(crate) fn token_set(token: &TokenAnswer, requested: &[String]) -> Result<TokenSet, Error> {
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
    let granted: Vec<String> = match token.scopes() {
        Some(scopes) => scopes.iter().map(|s| s.to_string()).collect(),
        None => requested.to_vec(), // RFC 6749 §5.1: absent means as requested
    };
    let missing: Vec<String> = requested
        .iter()
        .filter(|s| !granted.contains(s))
        .cloned()
        .collect();
    let now = SystemTime::now();
    let expires_at = token.expires_in().map(|d: Duration| now + d);
    Ok(TokenSet {
        access_token: Secret::new(token.access_token().secret().clone()),
        refresh_token: token
            .refresh_token()
            .map(|r| Secret::new(r.secret().clone())),
        info: TokenInfo {
            token_type: "Bearer".to_owned(),
            obtained_at: humantime::format_rfc3339_millis(now).to_string(),
            expires_at: expires_at.map(|t| humantime::format_rfc3339_millis(t).to_string()),
            granted_scopes: granted,
            missing_scopes: missing,
            has_refresh_token: token.refresh_token().is_some(),
            jwt: crate::jwt::decode_unverified(token.access_token().secret()),
            id_token: token
                .extra_fields()
                .id_token
                .as_deref()
                .and_then(crate::jwt::decode_unverified),
        },
        expires_at,
    })
}

const COUPA_CLIENTS: &str = "Setup > Integrations > OAuth2/OpenID Connect Clients";

/// The hint for HTTP 429: the wait the server asks for (`Retry-After` in seconds), or a few
/// seconds, and for Coupa its published limit, which every integration on the instance shares
/// (and past which it sends no `Retry-After`).
pub(crate) fn rate_limited_hint(connection: &Connection, retry_after: Option<&str>) -> String {
    let wait = match retry_after.and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(secs) => format!("wait {secs} s as the server asks, then try again"),
        None => "wait a few seconds, then try again".to_owned(),
    };
    if connection.settings.provider == crate::connection::Provider::Coupa {
        format!(
            "Too many requests: Coupa allows 25 API calls a second per instance, in bursts of 20, shared by every integration on it; {wait}."
        )
    } else {
        format!("Too many requests: the server limits how often it may be called; {wait}.")
    }
}

/// The hint when the token endpoint's status says the server, not the settings, is at fault:
/// too many requests (429) or a server error (5xx); `None` for any other status.
fn server_side_hint(status: u16, connection: &Connection) -> Option<String> {
    match status {
        429 => Some(rate_limited_hint(connection, None)),
        500.. => Some("The server has a problem; try again later.".to_owned()),
        _ => None,
    }
}

pub(crate) fn token_error(
    err: RequestTokenError<HttpError, StandardErrorResponse<BasicErrorResponseType>>,
    last: Option<(u16, String)>,
    connection: &Connection,
) -> Error {
    let coupa = connection.settings.provider == crate::connection::Provider::Coupa;
    match err {
        RequestTokenError::ServerResponse(resp) => {
            let description = resp
                .error_description()
                .map(|d| format!(" ({})", crate::http::redact(d)))
                .unwrap_or_default();
            let (code, hint) = match resp.error() {
                BasicErrorResponseType::InvalidClient => (
                    OAuthCode::InvalidClient,
                    if coupa {
                        format!("Check the client ID and secret against the client's Identifier and Secret in Coupa ({COUPA_CLIENTS}).")
                    } else {
                        "Check the client ID and secret, and the client authentication (body or Basic) under Advanced.".to_owned()
                    },
                ),
                BasicErrorResponseType::InvalidScope => (
                    OAuthCode::InvalidScope,
                    if coupa {
                        format!(
                            "The OAuth client in Coupa ({COUPA_CLIENTS}) does not allow: {}. Add those scopes to the client or remove them here.",
                            connection.settings.scopes.join(" ")
                        )
                    } else {
                        "Remove the scopes the OAuth client does not allow, or allow them on the server.".to_owned()
                    },
                ),
                BasicErrorResponseType::UnauthorizedClient => (
                    OAuthCode::UnauthorizedClient,
                    "The OAuth client may not use this grant type: choose the grant it was created with.".to_owned(),
                ),
                BasicErrorResponseType::InvalidGrant => (OAuthCode::InvalidGrant, "Sign in again.".to_owned()),
                BasicErrorResponseType::UnsupportedGrantType => (
                    OAuthCode::UnsupportedGrantType,
                    "The server does not support this grant type: choose the other grant type, or check that the token URL is right.".to_owned(),
                ),
                BasicErrorResponseType::InvalidRequest => (
                    OAuthCode::InvalidRequest,
                    "The server found the request malformed; its description says why. If it is about client authentication, switch between body and Basic under Advanced.".to_owned(),
                ),
                BasicErrorResponseType::Extension(_) => (
                    OAuthCode::ServerError,
                    "The server refused the request; its description says why.".to_owned(),
                ),
            };
            Error::OAuth {
                code,
                message: format!(
                    "The token endpoint answered {}{description}.",
                    resp.error().as_ref()
                ),
                hint,
            }
        }
        RequestTokenError::Request(http_err) => transport_error(&http_err),
        RequestTokenError::Parse(why, body) => {
            let (status, seen) = last.unwrap_or((0, snippet(&body)));
            if let Some(hint) = server_side_hint(status, connection) {
                return Error::OAuth {
                    code: OAuthCode::ServerError,
                    message: format!("The token endpoint failed with HTTP {status}: {seen}"),
                    hint,
                };
            }
            let field = why.path().to_string();
            let at = if field.is_empty() || field == "." {
                String::new()
            } else {
                format!(" (field {field})")
            };
            Error::OAuth {
                code: OAuthCode::BadResponse,
                message: format!(
                    "The token endpoint's answer (HTTP {status}) is not a valid token response{at}: {seen}"
                ),
                hint: "Check that the token URL is the OAuth 2.0 token endpoint.".to_owned(),
            }
        }
        RequestTokenError::Other(what) => {
            let (status, seen) = last.unwrap_or((0, String::new()));
            let (code, hint) = match server_side_hint(status, connection) {
                Some(hint) => (OAuthCode::ServerError, hint),
                None if (300..=399).contains(&status) => (
                    OAuthCode::BadResponse,
                    "The token URL redirects elsewhere; enter the address it should be (redirects are never followed, so credentials cannot be sent astray).".to_owned(),
                ),
                None => (
                    OAuthCode::BadResponse,
                    "Check that the token URL is the OAuth 2.0 token endpoint.".to_owned(),
                ),
            };
            Error::OAuth {
                code,
                message: format!("The token endpoint answered HTTP {status} ({what}): {seen}"),
                hint,
            }
        }
    }
}

/// Maps a transport failure to an error with a hint.
pub fn transport_error(err: &HttpError) -> Error {
    let (code, hint) = match err {
        HttpError::Dns(_) => (
            OAuthCode::Dns,
            "Check the host name (the URL subdomain) for typos.",
        ),
        HttpError::Connect(_) => (
            OAuthCode::Connect,
            "Check your network, VPN or proxy (HTTPS_PROXY), and that the server is up.",
        ),
        HttpError::Tls(_) => (
            OAuthCode::Tls,
            "The server's certificate was refused. Behind a proxy that re-signs TLS, install its root certificate in the system's store.",
        ),
        HttpError::Timeout(_) => (
            OAuthCode::Timeout,
            "The server is slow or unreachable; try again, or check the proxy.",
        ),
        HttpError::TooLarge | HttpError::Other(_) => (
            OAuthCode::BadResponse,
            "Check that the URL points at the right server.",
        ),
    };
    Error::OAuth {
        code,
        message: format!("The request failed: {err}."),
        hint: hint.to_owned(),
    }
}
