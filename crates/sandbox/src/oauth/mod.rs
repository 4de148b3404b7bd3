//! `POST /oauth2/token`, as a strict server plays it (RFC 6749).
//!
//! - The body must be `application/x-www-form-urlencoded`; a repeated parameter is
//!   `invalid_request` (§3.2).
//! - The client authenticates in the body (`client_id` + `client_secret`, Coupa's documented
//!   way), with HTTP Basic, whose id and secret are form-urlencoded first (§2.3.1), or with a
//!   signed assertion (RFC 7523, see [`assertion`]). Two at once is `invalid_request`.
//! - Errors are JSON `{error, error_description}` (§5.2): 400, or 401 with `WWW-Authenticate`
//!   for `invalid_client`.
//! - Successful responses carry `Cache-Control: no-store` (§5.1).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Shared;
use crate::config::{ClientConfig, Grant, UnknownScope};

pub mod assertion;
mod client_auth;
pub mod device;
mod grants;
mod issue;
pub(crate) mod metadata;
mod revoke;

use grants::{exchange_code, refresh};
use issue::issue;
pub use issue::{SANDBOX_USER_EMAIL, SANDBOX_USER_ID, SANDBOX_USER_LOGIN, SANDBOX_USER_NAME};
pub(crate) use revoke::revoke;

/// A token the sandbox issued.
#[derive(Debug, Clone)]
pub(crate) struct IssuedToken {
    /// The client it was issued to (shown in the sandbox's log).
    pub client_id: String,
    /// The authorization grant it belongs to (authorization code and its refreshes).
    pub grant_id: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: Instant,
}

/// A refresh token and the grant it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct RefreshGrant {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub grant_id: String,
    /// False once rotated away; presenting it again revokes the whole grant.
    pub active: bool,
}

/// An OAuth error response (RFC 6749 §5.2).
#[derive(Debug)]
pub(crate) struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    basic_challenge: bool,
}

impl OAuthError {
    pub(crate) fn bad(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
            basic_challenge: false,
        }
    }

    pub(crate) fn invalid_client(description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: description.into(),
            basic_challenge: true,
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(json!({ "error": self.error, "error_description": self.description })),
        )
            .into_response();
        if self.basic_challenge {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"connmgr-sandbox\""),
            );
        }
        resp
    }
}

/// Parses a form body, refusing repeated parameters.
pub(crate) fn parse_form(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<HashMap<String, String>, OAuthError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err(OAuthError::bad(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let mut params = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if params.insert(k.to_string(), v.to_string()).is_some() {
            return Err(OAuthError::bad(
                "invalid_request",
                format!("parameter {k} is repeated"),
            ));
        }
    }
    Ok(params)
}

/// The scopes to grant: all the client's scopes when none are asked for (Coupa's behaviour),
/// otherwise the asked ones, refusing or dropping the ones the client may not have.
fn grant_scopes(
    shared: &Shared,
    client: &ClientConfig,
    asked: Option<&String>,
) -> Result<Vec<String>, OAuthError> {
    let Some(asked) = asked else {
        return Ok(if shared.config.scopeless_tokens {
            Vec::new()
        } else {
            client.scopes.clone()
        });
    };
    let mut granted = Vec::new();
    let mut refused = Vec::new();
    for scope in asked.split(' ').filter(|s| !s.is_empty()) {
        if client.scopes.iter().any(|s| s == scope) {
            if !granted.iter().any(|g| g == scope) {
                granted.push(scope.to_owned());
            }
        } else {
            refused.push(scope.to_owned());
        }
    }
    if !refused.is_empty() && shared.config.unknown_scope == UnknownScope::Reject {
        return Err(OAuthError::bad(
            "invalid_scope",
            format!("the client may not have: {}", refused.join(" ")),
        ));
    }
    if granted.is_empty() && !shared.config.scopeless_tokens {
        return Err(OAuthError::bad(
            "invalid_scope",
            "none of the requested scopes is allowed",
        ));
    }
    Ok(granted)
}

pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.stats.token_requests.fetch_add(1, Ordering::Relaxed);
    shared
        .token_times
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(std::time::Instant::now());
    if let Some(resp) = crate::faults::before(&shared).await {
        return resp;
    }
    let answer = match token_inner(&shared, &headers, &body) {
        Ok(resp) => resp,
        Err(err) => err.into_response(),
    };
    crate::faults::lose_answer(&shared).unwrap_or(answer)
}

/// The parameters the protocol defines (RFC 6749, 7636, 8628, 7523): anything else a request
/// carries is an extra, noted for the tests.
const PROTOCOL_PARAMS: &[&str] = &[
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "grant_type",
    "response_type",
    "redirect_uri",
    "scope",
    "state",
    "code",
    "code_verifier",
    "code_challenge",
    "code_challenge_method",
    "refresh_token",
    "device_code",
];

/// What a client sent to exchange an authorization code (checklist items 4 and 13, seen from
/// the client's side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeSeen {
    /// The authorization code.
    pub code: String,
    /// The PKCE `code_verifier`.
    pub code_verifier: String,
    /// The `redirect_uri`.
    pub redirect_uri: String,
}

/// An extra parameter a request carried, and which request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraSeen {
    /// `authorization`, `token` or `refresh`.
    pub stage: &'static str,
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// Notes the parameters of a request that the protocol does not define.
pub(crate) fn note_extras(shared: &Shared, stage: &'static str, params: &HashMap<String, String>) {
    let mut seen = shared.extras.lock().unwrap_or_else(|p| p.into_inner());
    let mut extras: Vec<_> = params
        .iter()
        .filter(|(k, _)| !PROTOCOL_PARAMS.contains(&k.as_str()))
        .collect();
    extras.sort();
    for (name, value) in extras {
        seen.push(ExtraSeen {
            stage,
            name: name.clone(),
            value: value.clone(),
        });
    }
}

fn token_inner(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Response, OAuthError> {
    let params = parse_form(headers, body)?;
    let stage = if params.get("grant_type").map(String::as_str) == Some("refresh_token") {
        "refresh"
    } else {
        "token"
    };
    note_extras(shared, stage, &params);
    let client = client_auth::authenticate(shared, headers, &params)?;
    let grant = match params.get("grant_type").map(String::as_str) {
        None => return Err(OAuthError::bad("invalid_request", "grant_type is missing")),
        Some("client_credentials") => Grant::ClientCredentials,
        Some("authorization_code") => Grant::AuthorizationCode,
        Some("refresh_token") => Grant::RefreshToken,
        Some("urn:ietf:params:oauth:grant-type:device_code") => Grant::DeviceCode,
        Some(other) => {
            return Err(OAuthError::bad(
                "unsupported_grant_type",
                format!("{other} is not supported"),
            ));
        }
    };
    if !client.grants.contains(&grant) {
        return Err(refuse_grant(
            shared,
            "the client may not use this grant type",
        ));
    }
    match grant {
        Grant::ClientCredentials => {
            if client.secret.is_none() && client.public_keys.is_empty() {
                return Err(refuse_grant(
                    shared,
                    "a public client cannot use client credentials",
                ));
            }
            let scopes = grant_scopes(shared, client, params.get("scope"))?;
            Ok(issue(shared, client, scopes, None))
        }
        Grant::AuthorizationCode => exchange_code(shared, client, &params),
        Grant::RefreshToken => refresh(shared, client, &params),
        Grant::DeviceCode => device::redeem(shared, client, &params),
    }
}

/// A grant the client may not use, refused as the configuration says.
pub(crate) fn refuse_grant(shared: &Shared, why: &str) -> OAuthError {
    let code = match shared.config.grant_refusal {
        crate::config::GrantRefusal::UnauthorizedClient => "unauthorized_client",
        crate::config::GrantRefusal::InvalidRequest => "invalid_request",
    };
    OAuthError::bad(code, why)
}
