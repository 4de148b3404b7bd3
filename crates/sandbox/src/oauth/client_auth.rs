//! How a client proves who it is at the token, revocation and device endpoints (RFC 6749
//! §2.3): HTTP Basic, `client_secret` in the body, a signed assertion (RFC 7523), or its
//! `client_id` alone for a public client. Exactly one at a time; the method used is recorded so
//! tests can tell which one was sent.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use base64::Engine;

use super::OAuthError;
use crate::Shared;
use crate::config::ClientConfig;

/// What the client presented.
enum Presented {
    Secret(String),
    Assertion(String),
    Nothing,
}

/// The client the request comes from, authenticated.
pub(crate) fn authenticate<'a>(
    shared: &'a Shared,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<&'a ClientConfig, OAuthError> {
    let (id, presented, method) = presented(headers, params)?;
    shared
        .auth_methods
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(method);
    let client = shared
        .config
        .client(&id)
        .ok_or_else(|| OAuthError::invalid_client("unknown client"))?;
    let keyed = !client.public_keys.is_empty();
    match (&client.secret, presented) {
        (_, Presented::Assertion(jwt)) if keyed => {
            super::assertion::verify(shared, client, &jwt)?;
            Ok(client)
        }
        (_, Presented::Assertion(_)) => Err(OAuthError::invalid_client(
            "this client has no key registered: it cannot use private_key_jwt",
        )),
        _ if keyed => Err(OAuthError::invalid_client(
            "this client authenticates with private_key_jwt only",
        )),
        (Some(expected), Presented::Secret(given)) if same_secret(expected, &given) => Ok(client),
        (None, Presented::Nothing) => Ok(client),
        (None, Presented::Secret(_)) => Err(OAuthError::invalid_client(
            "this is a public client: it has no secret",
        )),
        _ => Err(OAuthError::invalid_client("client authentication failed")),
    }
}

/// The client's id and what it presented, from the Basic header, the body's secret or its
/// assertion: two at once is `invalid_request` (RFC 6749 §2.3).
fn presented(
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<(String, Presented, &'static str), OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        });
    let assertion = params.get("client_assertion");
    let methods = [
        basic.is_some(),
        params.contains_key("client_secret"),
        assertion.is_some() || params.contains_key("client_assertion_type"),
    ];
    if methods.iter().filter(|m| **m).count() > 1 {
        return Err(OAuthError::bad(
            "invalid_request",
            "the client authenticated more than once",
        ));
    }
    if let Some(encoded) = basic {
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
        return Ok((
            id,
            Presented::Secret(unescape(secret)),
            "client_secret_basic",
        ));
    }
    if let Some(jwt) = assertion {
        if params.get("client_assertion_type").map(String::as_str)
            != Some(super::assertion::ASSERTION_TYPE)
        {
            return Err(OAuthError::bad(
                "invalid_request",
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ));
        }
        // RFC 7523 §3 item 1: the client is the assertion's issuer; client_id, when sent, must
        // name the same client.
        let iss = super::assertion::issuer(jwt)?;
        if let Some(body_id) = params.get("client_id")
            && *body_id != iss
        {
            return Err(OAuthError::invalid_client(
                "client_id differs from the assertion's iss",
            ));
        }
        return Ok((iss, Presented::Assertion(jwt.clone()), "private_key_jwt"));
    }
    if params.contains_key("client_assertion_type") {
        return Err(OAuthError::bad(
            "invalid_request",
            "client_assertion_type without client_assertion",
        ));
    }
    let id = params
        .get("client_id")
        .cloned()
        .ok_or_else(|| OAuthError::invalid_client("no client authentication"))?;
    Ok(match params.get("client_secret") {
        Some(secret) => (id, Presented::Secret(secret.clone()), "client_secret_post"),
        None => (id, Presented::Nothing, "none"),
    })
}

fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
