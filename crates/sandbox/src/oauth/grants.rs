//! The grants that redeem something: an authorization code (with PKCE, RFC 7636) and a refresh
//! token (with rotation and reuse detection, RFC 9700 §2.2.2).

use std::collections::HashMap;
use std::time::Instant;

use axum::response::Response;
use base64::Engine;

use super::issue::issue_with;
use super::{OAuthError, RefreshGrant};
use crate::Shared;
use crate::config::{ClientConfig, Grant};

fn invalid_grant(description: &str) -> OAuthError {
    OAuthError::bad("invalid_grant", description)
}

/// `BASE64URL(SHA256(verifier))`, RFC 7636 §4.2.
fn s256(verifier: &str) -> String {
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

pub(super) fn exchange_code(
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
    crate::record::note("code verifier", verifier);
    shared
        .exchanges
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(super::ExchangeSeen {
            code: code.clone(),
            code_verifier: verifier.clone(),
            redirect_uri: params.get("redirect_uri").cloned().unwrap_or_default(),
        });
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
    let consented = pending.consented;
    drop(codes);
    let grant_id = uuid::Uuid::new_v4().simple().to_string();
    let refresh = (client.grants.contains(&Grant::RefreshToken)
        && scopes.iter().any(|s| s == "offline_access")
        && (consented || !shared.config.offline_needs_consent))
        .then(|| new_refresh(shared, client, &scopes, &grant_id));
    Ok(issue_with(shared, client, scopes, refresh, Some(grant_id)))
}

pub(super) fn new_refresh(
    shared: &Shared,
    client: &ClientConfig,
    scopes: &[String],
    grant_id: &str,
) -> String {
    let token = format!("sbx_rt_{}", uuid::Uuid::new_v4().simple());
    crate::record::note("refresh token", &token);
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

pub(super) fn refresh(
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
