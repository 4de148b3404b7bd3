//! `POST /oauth2/revoke`: token revocation as RFC 7009 describes it.
//!
//! - The client authenticates as at the token endpoint (§2.1); a public client sends its
//!   `client_id`.
//! - A refresh token ends its whole grant: every refresh token and access token of it (§2.1:
//!   the server "SHOULD also invalidate all access tokens based on the same authorization
//!   grant"). An access token ends alone.
//! - A token the server does not know is answered 200 like a revoked one (§2.2): the client's
//!   goal, that the token is not valid, is met.
//! - A token issued to another client is refused (`unauthorized_client`).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{OAuthError, parse_form};
use crate::Shared;

pub(crate) async fn revoke(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.stats.revocations.fetch_add(1, Ordering::Relaxed);
    match revoke_inner(&shared, &headers, &body) {
        Ok(()) => (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]).into_response(),
        Err(err) => err.into_response(),
    }
}

fn revoke_inner(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<(), OAuthError> {
    let params = parse_form(headers, body)?;
    let client = super::client_auth::authenticate(shared, headers, &params)?;
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::bad("invalid_request", "token is missing"))?;
    let not_yours = || {
        OAuthError::bad(
            "unauthorized_client",
            "the token was issued to another client",
        )
    };

    let mut refresh = shared
        .refresh_tokens
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let mut access = shared.tokens.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(grant) = refresh.get(token).cloned() {
        if grant.client_id != client.id {
            return Err(not_yours());
        }
        refresh.retain(|_, g| g.grant_id != grant.grant_id);
        access.retain(|_, t| t.grant_id.as_deref() != Some(grant.grant_id.as_str()));
        tracing::info!(client = %client.id, "refresh token revoked with its grant");
    } else if let Some(issued) = access.get(token) {
        if issued.client_id != client.id {
            return Err(not_yours());
        }
        access.remove(token);
        tracing::info!(client = %client.id, "access token revoked");
    }
    Ok(())
}
