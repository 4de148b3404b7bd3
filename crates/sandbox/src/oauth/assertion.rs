//! Signed client assertions (`private_key_jwt`, RFC 7523 §2.2 and §3), checked as a strict
//! server does, with an implementation of JWT independent of the client's: the signature
//! against a key registered for the client (RS256, PS256, ES256), `iss` and `sub` equal to the
//! client, `aud` the token endpoint (or the issuer), `exp` present, not passed and within an
//! hour, and a `jti` never seen before.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::OAuthError;
use crate::Shared;
use crate::config::ClientConfig;

/// `client_assertion_type` for a JWT (RFC 7523 §2.2).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The longest an assertion may live from now, as NetSuite allows.
const MAX_LIFETIME_SECS: u64 = 3600;
/// Clock skew tolerated on `exp`.
const LEEWAY_SECS: u64 = 5;

/// An assertion the sandbox accepted: its header and claims, for tests to check.
#[derive(Debug, Clone, PartialEq)]
pub struct AssertionSeen {
    /// The JOSE header.
    pub header: Value,
    /// The claims.
    pub claims: Value,
}

/// The `iss` of an assertion, read before it is verified (to find the client's keys).
pub(crate) fn issuer(jwt: &str) -> Result<String, OAuthError> {
    let claims = unverified_claims(jwt)?;
    claims
        .get("iss")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| OAuthError::invalid_client("the assertion has no iss"))
}

fn unverified_claims(jwt: &str) -> Result<Value, OAuthError> {
    use base64::Engine;
    let part = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| OAuthError::invalid_client("the assertion is not a JWT"))?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .filter(Value::is_object)
        .ok_or_else(|| OAuthError::invalid_client("the assertion's claims are not JSON"))
}

/// Verifies `jwt` as `client`'s assertion, and records it.
pub(crate) fn verify(shared: &Shared, client: &ClientConfig, jwt: &str) -> Result<(), OAuthError> {
    let header = jsonwebtoken::decode_header(jwt).map_err(|e| {
        OAuthError::invalid_client(format!("the assertion's header is not valid ({e})"))
    })?;
    if !matches!(
        header.alg,
        Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256
    ) {
        return Err(OAuthError::invalid_client(format!(
            "the assertion's alg {:?} is not accepted (RS256, PS256, ES256)",
            header.alg
        )));
    }
    let token_url = format!("{}/oauth2/token", shared.base_url());
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[token_url.as_str(), shared.issuer().as_str()]);
    validation.set_issuer(&[client.id.as_str()]);
    validation.sub = Some(client.id.clone());
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    validation.leeway = LEEWAY_SECS;
    let mut last = None;
    let mut verified = None;
    for pem in &client.public_keys {
        let key = match header.alg {
            Algorithm::ES256 => DecodingKey::from_ec_pem(pem.as_bytes()),
            _ => DecodingKey::from_rsa_pem(pem.as_bytes()),
        };
        let Ok(key) = key else { continue };
        match jsonwebtoken::decode::<Value>(jwt, &key, &validation) {
            Ok(data) => {
                verified = Some(data.claims);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let claims = match (verified, last) {
        (Some(claims), _) => claims,
        (None, Some(e)) => return Err(refusal(e.kind(), &token_url)),
        (None, None) => {
            return Err(OAuthError::invalid_client(
                "no registered key of the assertion's type",
            ));
        }
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let exp = claims
        .get("exp")
        .and_then(Value::as_u64)
        .unwrap_or_default();
    if exp > now + MAX_LIFETIME_SECS + LEEWAY_SECS {
        return Err(OAuthError::invalid_client(
            "the assertion lives longer than an hour",
        ));
    }
    let jti = claims
        .get("jti")
        .and_then(Value::as_str)
        .filter(|j| !j.is_empty())
        .ok_or_else(|| OAuthError::invalid_client("the assertion has no jti"))?;
    {
        // RFC 7523 §3 item 7: a jti is accepted once while its assertion could be valid.
        let mut seen = shared.jtis.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, until| *until + LEEWAY_SECS >= now);
        if seen
            .insert(format!("{}\u{0}{jti}", client.id), exp)
            .is_some()
        {
            return Err(OAuthError::invalid_client(
                "the assertion's jti was used before (a replay)",
            ));
        }
    }
    let header_json = serde_json::to_value(&header).unwrap_or(Value::Null);
    shared
        .assertions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(AssertionSeen {
            header: header_json,
            claims,
        });
    Ok(())
}

fn refusal(kind: &ErrorKind, token_url: &str) -> OAuthError {
    OAuthError::invalid_client(match kind {
        ErrorKind::ExpiredSignature => "the assertion has expired".to_owned(),
        ErrorKind::InvalidAudience => {
            format!("the assertion's aud must be the token endpoint, {token_url}")
        }
        ErrorKind::InvalidIssuer => "the assertion's iss is not the client".to_owned(),
        ErrorKind::InvalidSubject => "the assertion's sub is not the client".to_owned(),
        ErrorKind::MissingRequiredClaim(c) => format!("the assertion has no {c}"),
        ErrorKind::InvalidSignature => {
            "the assertion's signature does not verify with the client's registered key".to_owned()
        }
        other => format!("the assertion cannot be verified ({other:?})"),
    })
}
