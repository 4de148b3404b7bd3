//! `POST /oauth2/token`, as a strict server plays it (RFC 6749).
//!
//! - The body must be `application/x-www-form-urlencoded`; a repeated parameter is
//!   `invalid_request` (§3.2).
//! - The client authenticates in the body (`client_id` + `client_secret`, Coupa's documented
//!   way) or with HTTP Basic, whose id and secret are form-urlencoded first (§2.3.1). Both at
//!   once is `invalid_request`.
//! - Errors are JSON `{error, error_description}` (§5.2): 400, or 401 with `WWW-Authenticate`
//!   for `invalid_client`.
//! - Successful responses carry `Cache-Control: no-store` (§5.1).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use crate::Shared;
use crate::config::{ClientConfig, Grant, UnknownScope};

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
    fn bad(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
            basic_challenge: false,
        }
    }

    fn invalid_client(description: impl Into<String>) -> Self {
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
fn parse_form(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
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

/// The client's credentials from the Basic header or the body (not both).
fn client_credentials(
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<(String, Option<String>), OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        });
    match basic {
        Some(encoded) => {
            if params.contains_key("client_secret") {
                return Err(OAuthError::bad(
                    "invalid_request",
                    "the client authenticated more than once (Basic and client_secret)",
                ));
            }
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    OAuthError::invalid_client("the Basic credentials are not valid base64")
                })?;
            let (id, secret) = decoded
                .split_once(':')
                .ok_or_else(|| OAuthError::invalid_client("the Basic credentials have no ':'"))?;
            let unescape = |s: &str| -> String {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            let id = unescape(id);
            if let Some(body_id) = params.get("client_id")
                && *body_id != id
            {
                return Err(OAuthError::bad(
                    "invalid_request",
                    "client_id differs from the Basic credentials",
                ));
            }
            Ok((id, Some(unescape(secret))))
        }
        None => {
            let id = params
                .get("client_id")
                .cloned()
                .ok_or_else(|| OAuthError::invalid_client("no client authentication"))?;
            Ok((id, params.get("client_secret").cloned()))
        }
    }
}

fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn authenticate<'a>(
    shared: &'a Shared,
    id: &str,
    secret: Option<&str>,
) -> Result<&'a ClientConfig, OAuthError> {
    let client = shared
        .config
        .client(id)
        .ok_or_else(|| OAuthError::invalid_client("unknown client"))?;
    match (&client.secret, secret) {
        (Some(expected), Some(given)) if same_secret(expected, given) => Ok(client),
        (None, None) => Ok(client),
        (None, Some(_)) => Err(OAuthError::invalid_client(
            "this is a public client: it has no secret",
        )),
        _ => Err(OAuthError::invalid_client("client authentication failed")),
    }
}

/// The scopes to grant: all the client's scopes when none are asked for (Coupa's behaviour),
/// otherwise the asked ones, refusing or dropping the ones the client may not have.
fn grant_scopes(
    shared: &Shared,
    client: &ClientConfig,
    asked: Option<&String>,
) -> Result<Vec<String>, OAuthError> {
    let Some(asked) = asked else {
        return Ok(client.scopes.clone());
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
    if granted.is_empty() {
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
    if let Some(resp) = crate::faults::before(&shared).await {
        return resp;
    }
    match token_inner(&shared, &headers, &body) {
        Ok(resp) => resp,
        Err(err) => err.into_response(),
    }
}

fn token_inner(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Response, OAuthError> {
    let params = parse_form(headers, body)?;
    let (id, secret) = client_credentials(headers, &params)?;
    let client = authenticate(shared, &id, secret.as_deref())?;
    let grant = match params.get("grant_type").map(String::as_str) {
        None => return Err(OAuthError::bad("invalid_request", "grant_type is missing")),
        Some("client_credentials") => Grant::ClientCredentials,
        Some("authorization_code") => Grant::AuthorizationCode,
        Some("refresh_token") => Grant::RefreshToken,
        Some(other) => {
            return Err(OAuthError::bad(
                "unsupported_grant_type",
                format!("{other} is not supported"),
            ));
        }
    };
    if !client.grants.contains(&grant) {
        return Err(OAuthError::bad(
            "unauthorized_client",
            "the client may not use this grant type",
        ));
    }
    match grant {
        Grant::ClientCredentials => {
            if client.secret.is_none() {
                return Err(OAuthError::bad(
                    "unauthorized_client",
                    "a public client cannot use client credentials",
                ));
            }
            let scopes = grant_scopes(shared, client, params.get("scope"))?;
            Ok(issue(shared, client, scopes, None))
        }
        Grant::AuthorizationCode => exchange_code(shared, client, &params),
        Grant::RefreshToken => refresh(shared, client, &params),
    }
}

fn invalid_grant(description: &str) -> OAuthError {
    OAuthError::bad("invalid_grant", description)
}

/// `BASE64URL(SHA256(verifier))`, RFC 7636 §4.2.
fn s256(verifier: &str) -> String {
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

fn exchange_code(
    shared: &Shared,
    client: &ClientConfig,
    params: &HashMap<String, String>,
) -> Result<Response, OAuthError> {
    let code = params
        .get("code")
        .ok_or_else(|| OAuthError::bad("invalid_request", "code is missing"))?;
    let verifier = params
        .get("code_verifier")
        .ok_or_else(|| OAuthError::bad("invalid_request", "code_verifier is missing"))?;
    let valid_verifier = (43..=128).contains(&verifier.len())
        && verifier
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c));
    let mut codes = shared.codes.lock().unwrap_or_else(|p| p.into_inner());
    let pending = codes
        .get_mut(code)
        .ok_or_else(|| invalid_grant("unknown authorization code"))?;
    if pending.used {
        return Err(invalid_grant("the authorization code was already used"));
    }
    pending.used = true; // single use, whatever happens next
    if pending.expires_at <= Instant::now() {
        return Err(invalid_grant("the authorization code expired"));
    }
    if pending.client_id != client.id {
        return Err(invalid_grant("the code was issued to another client"));
    }
    if params.get("redirect_uri") != Some(&pending.redirect_uri) {
        return Err(invalid_grant(
            "redirect_uri differs from the one authorised",
        ));
    }
    if !valid_verifier || s256(verifier) != pending.challenge {
        return Err(invalid_grant(
            "the PKCE code_verifier does not match the code_challenge",
        ));
    }
    let scopes = pending.scopes.clone();
    drop(codes);
    let grant_id = uuid::Uuid::new_v4().simple().to_string();
    let refresh = (client.grants.contains(&Grant::RefreshToken)
        && scopes.iter().any(|s| s == "offline_access"))
    .then(|| new_refresh(shared, client, &scopes, &grant_id));
    Ok(issue_with(shared, client, scopes, refresh, Some(grant_id)))
}

fn new_refresh(
    shared: &Shared,
    client: &ClientConfig,
    scopes: &[String],
    grant_id: &str,
) -> String {
    let token = format!("sbx_rt_{}", uuid::Uuid::new_v4().simple());
    shared
        .refresh_tokens
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(
            token.clone(),
            RefreshGrant {
                client_id: client.id.clone(),
                scopes: scopes.to_vec(),
                grant_id: grant_id.to_owned(),
                active: true,
            },
        );
    token
}

fn refresh(
    shared: &Shared,
    client: &ClientConfig,
    params: &HashMap<String, String>,
) -> Result<Response, OAuthError> {
    let presented = params
        .get("refresh_token")
        .ok_or_else(|| OAuthError::bad("invalid_request", "refresh_token is missing"))?;
    let mut grants = shared
        .refresh_tokens
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let grant = grants
        .get(presented)
        .cloned()
        .ok_or_else(|| invalid_grant("unknown refresh token"))?;
    if grant.client_id != client.id {
        return Err(invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    if !grant.active {
        // Reuse of a rotated refresh token: someone else may hold it. Revoke the whole grant.
        grants.retain(|_, g| g.grant_id != grant.grant_id);
        drop(grants);
        shared
            .tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, t| t.grant_id.as_deref() != Some(grant.grant_id.as_str()));
        return Err(invalid_grant(
            "the refresh token was already used; the grant is revoked",
        ));
    }
    let new_refresh = if client.rotate_refresh_tokens {
        if let Some(old) = grants.get_mut(presented) {
            old.active = false;
        }
        drop(grants);
        Some(new_refresh(shared, client, &grant.scopes, &grant.grant_id))
    } else {
        None
    };
    Ok(issue_with(
        shared,
        client,
        grant.scopes.clone(),
        new_refresh,
        Some(grant.grant_id),
    ))
}

fn issue(
    shared: &Shared,
    client: &ClientConfig,
    scopes: Vec<String>,
    refresh_token: Option<String>,
) -> Response {
    issue_with(shared, client, scopes, refresh_token, None)
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A JWT with these claims and a random "signature": the sandbox checks its tokens by lookup,
/// not by signature.
fn unsigned_jwt(claims: serde_json::Value) -> String {
    let enc = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let header = enc(json!({"alg": "HS256", "typ": "JWT", "kid": "sandbox"}));
    format!("{header}.{}.{}", enc(claims), uuid::Uuid::new_v4().simple())
}

/// An access token shaped as a JWT, with readable claims.
fn jwt_shaped(shared: &Shared, client: &ClientConfig, scopes: &[String], jti: &str) -> String {
    let now = now_secs();
    unsigned_jwt(json!({
        "iss": shared.issuer(),
        "sub": client.id,
        "client_id": client.id,
        "scope": scopes.join(" "),
        "iat": now,
        "exp": now + shared.config.token_lifetime_secs,
        "jti": jti,
    }))
}

/// The OpenID Connect ID token for the sandbox's one user, with the claims the granted
/// standard scopes allow.
fn id_token(shared: &Shared, client: &ClientConfig, scopes: &[String]) -> String {
    let now = now_secs();
    let mut claims = json!({
        "iss": shared.issuer(),
        "sub": SANDBOX_USER_ID,
        "aud": client.id,
        "iat": now,
        "exp": now + shared.config.token_lifetime_secs,
    });
    if scopes.iter().any(|s| s == "email") {
        claims["email"] = json!(SANDBOX_USER_EMAIL);
    }
    if scopes.iter().any(|s| s == "profile") {
        claims["name"] = json!(SANDBOX_USER_NAME);
    }
    if scopes.iter().any(|s| s == "login") {
        claims["login"] = json!(SANDBOX_USER_LOGIN);
    }
    unsigned_jwt(claims)
}

/// The person who signs in on the sandbox's consent page.
pub const SANDBOX_USER_ID: &str = "1";
/// Their login.
pub const SANDBOX_USER_LOGIN: &str = "sandbox.admin";
/// Their name.
pub const SANDBOX_USER_NAME: &str = "Sandbox Admin";
/// Their email address.
pub const SANDBOX_USER_EMAIL: &str = "sandbox.admin@example.com";

fn issue_with(
    shared: &Shared,
    client: &ClientConfig,
    scopes: Vec<String>,
    refresh_token: Option<String>,
    grant_id: Option<String>,
) -> Response {
    let opaque = format!(
        "sbx_at_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let access_token = if shared.config.jwt_access_tokens {
        jwt_shaped(shared, client, &scopes, &opaque)
    } else {
        opaque
    };
    let lifetime = shared.config.token_lifetime_secs;
    let scope = scopes.join(" ");
    // A person signed in (an authorization-code grant) and asked for `openid`.
    let id_token = (grant_id.is_some() && scopes.iter().any(|s| s == "openid"))
        .then(|| id_token(shared, client, &scopes));
    tracing::debug!(client = %client.id, %scope, "token issued");
    shared
        .tokens
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(
            access_token.clone(),
            IssuedToken {
                client_id: client.id.clone(),
                grant_id,
                scopes,
                expires_at: Instant::now() + Duration::from_secs(lifetime),
            },
        );
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "scope": scope,
    });
    if let Some(rt) = refresh_token {
        body["refresh_token"] = json!(rt);
    }
    if let Some(id_token) = id_token {
        body["id_token"] = json!(id_token);
    }
    crate::faults::after(shared, &mut body);
    (
        StatusCode::OK,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        axum::Json(body),
    )
        .into_response()
}
