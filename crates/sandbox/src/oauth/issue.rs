//! Issuing tokens: the answer of a successful token request, with JWT-shaped access tokens
//! and an ID token when asked for.

use std::time::{Duration, Instant};

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use super::IssuedToken;
use crate::Shared;
use crate::config::ClientConfig;

pub(super) fn issue(
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
        "exp": now + shared.token_lifetime(),
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
        "exp": now + shared.token_lifetime(),
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

pub(super) fn issue_with(
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
    crate::record::note("access token", &access_token);
    let lifetime = shared.token_lifetime();
    let scope = scopes
        .iter()
        .filter(|s| shared.config.list_offline_access || *s != "offline_access")
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    // A person signed in (an authorization-code grant) and asked for `openid`.
    let id_token = (grant_id.is_some() && scopes.iter().any(|s| s == "openid"))
        .then(|| id_token(shared, client, &scopes));
    if let Some(id_token) = &id_token {
        crate::record::note("ID token", id_token);
    }
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
    if scope.is_empty()
        && shared.config.scopeless_tokens
        && let Some(fields) = body.as_object_mut()
    {
        fields.remove("scope");
    }
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
