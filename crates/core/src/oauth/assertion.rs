//! The signed client assertion (`private_key_jwt`, RFC 7523 §2.2 and §3; OpenID Connect Core
//! §9): a JWT the client signs with its private key and sends instead of a secret, in
//! `client_assertion` with `client_assertion_type`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::error::{Error, OAuthCode};
use crate::model::connection::Connection;
use crate::oauth::client_key::ClientKey;
use crate::storage::secret::Secret;

/// The `client_assertion_type` of a JWT (RFC 7523 §2.2).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid: "within minutes" (RFC 7523 §3 item 4); servers refuse ones
/// that live long (NetSuite: at most an hour).
pub const LIFETIME_SECS: i64 = 300;

/// The form parameters that authenticate the client with a fresh assertion for a request to
/// `token_url`'s server: `client_assertion_type` and `client_assertion` (RFC 7523 §2.2).
pub(crate) fn params(
    connection: &Connection,
    key_pem: &Secret,
    token_url: &str,
) -> Result<[(&'static str, String); 2], Error> {
    let jwt = sign(
        connection,
        key_pem,
        token_url,
        time::OffsetDateTime::now_utc(),
    )?;
    Ok([
        ("client_assertion_type", ASSERTION_TYPE.to_owned()),
        ("client_assertion", jwt),
    ])
}

/// The assertion for `connection`, signed at `now`.
pub(crate) fn sign(
    connection: &Connection,
    key_pem: &Secret,
    token_url: &str,
    now: time::OffsetDateTime,
) -> Result<String, Error> {
    let settings = &connection.settings;
    let a = &settings.assertion;
    let refuse = |why: String| Error::OAuth {
        code: OAuthCode::InvalidClient,
        message: format!("The signed client assertion could not be made: {why}."),
        hint: "Import the private key again in the connection's settings (Client authentication)."
            .to_owned(),
    };
    let key = ClientKey::from_stored(key_pem).map_err(refuse)?;

    let mut header = Map::new();
    for field in &a.header {
        header.insert(field.name.clone(), expand(&field.value, &settings.scopes));
    }
    header.insert("alg".into(), a.algorithm.name().into());
    header.insert("typ".into(), "JWT".into());
    if !a.key_id.trim().is_empty() {
        header.insert("kid".into(), a.key_id.trim().into());
    }
    if a.certificate_thumbprint {
        let cert = a.key.as_ref().and_then(|k| k.certificate.as_ref());
        let Some(cert) = cert else {
            return Err(refuse(
                "x5t#S256 is asked for but no certificate was imported with the key".to_owned(),
            ));
        };
        header.insert("x5t#S256".into(), cert.sha256_thumbprint.clone().into());
    }

    let mut claims = Map::new();
    for field in &a.claims {
        claims.insert(field.name.clone(), expand(&field.value, &settings.scopes));
    }
    let client_id = settings.client_id.trim();
    let audience = match a.audience.trim() {
        "" => token_url,
        typed => typed,
    };
    let issued = now.unix_timestamp();
    // RFC 7523 §3: iss and sub are the client_id (a client authenticating as itself), aud the
    // authorization server (its token endpoint URL), exp within minutes, jti never reused.
    claims.insert("iss".into(), client_id.into());
    claims.insert("sub".into(), client_id.into());
    claims.insert("aud".into(), audience.into());
    claims.insert("jti".into(), uuid::Uuid::new_v4().to_string().into());
    claims.insert("iat".into(), issued.into());
    claims.insert("exp".into(), (issued + LIFETIME_SECS).into());

    let encode = |m: Map<String, Value>| URL_SAFE_NO_PAD.encode(Value::Object(m).to_string());
    let signing_input = format!("{}.{}", encode(header), encode(claims));
    let signature = key
        .sign(a.algorithm, signing_input.as_bytes())
        .map_err(refuse)?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

/// A field's value with the scope placeholders filled in.
fn expand(template: &str, scopes: &[String]) -> Value {
    if template == "{scopes_array}" {
        return Value::Array(scopes.iter().cloned().map(Value::String).collect());
    }
    template
        .replace("{scopes_comma}", &scopes.join(","))
        .replace("{scopes}", &scopes.join(" "))
        .into()
}

#[cfg(test)]
mod tests;
