//! Reading a JWT's header and claims for display. The signature is **not** verified: the app
//! holds no key to verify it with, and only shows what the token says about itself, marked as
//! such. Nothing here decides whether a token is trusted.

use base64::Engine;
use serde::{Deserialize, Serialize};
use specta::Type;

/// One header field or claim: its name and its JSON value as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    /// The field's name, e.g. `exp`.
    pub name: String,
    /// Its JSON value as text, e.g. `1795000000` or `"core.user.read"`.
    pub value: String,
}

/// A JWT's header and claims, decoded without verifying the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DecodedJwt {
    /// The JOSE header (`alg`, `typ`, `kid`, …).
    pub header: Vec<Claim>,
    /// The claims (`iss`, `sub`, `exp`, `scope`, …), sorted by name.
    pub claims: Vec<Claim>,
    /// Always false: shown for information, not checked.
    pub verified: bool,
}

fn object(part: &str) -> Option<Vec<Claim>> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .ok()?;
    let value: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes).ok()?;
    Some(
        value
            .into_iter()
            .map(|(name, v)| Claim {
                name,
                value: v.to_string(),
            })
            .collect(),
    )
}

/// Decodes `token` if it is a JWT (three base64url parts, the first two JSON objects).
pub fn decode_unverified(token: &str) -> Option<DecodedJwt> {
    let mut parts = token.split('.');
    let (header, claims, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None; // five parts: an encrypted JWE, not readable
    }
    Some(DecodedJwt {
        header: object(header)?,
        claims: object(claims)?,
        verified: false,
    })
}

impl DecodedJwt {
    /// The `exp` claim (RFC 7519 §4.1.4) as seconds since 1970, when it is a whole number.
    pub fn expires(&self) -> Option<u64> {
        let exp = self.claims.iter().find(|c| c.name == "exp")?;
        exp.value.parse::<u64>().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(json: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn a_jwt_is_decoded_and_marked_not_verified() {
        let token = format!(
            "{}.{}.c2lnbmF0dXJl",
            part(r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#),
            part(
                r#"{"iss":"https://acme.coupahost.com","sub":"42","exp":1795000000,"scope":"core.user.read"}"#
            )
        );
        let d = decode_unverified(&token).expect("a JWT");
        assert!(!d.verified);
        assert_eq!(
            d.header[0],
            Claim {
                name: "alg".to_owned(),
                value: "\"RS256\"".to_owned()
            }
        );
        let names: Vec<&str> = d.claims.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["exp", "iss", "scope", "sub"], "sorted by name");
        assert_eq!(d.claims[0].value, "1795000000");
    }

    #[test]
    fn opaque_tokens_and_lookalikes_are_not_jwts() {
        assert!(decode_unverified("sbx_at_0123456789abcdef").is_none());
        assert!(
            decode_unverified("a.b.c").is_none(),
            "parts that are not base64 JSON"
        );
        assert!(
            decode_unverified(&format!("{}.{}.s", part("[]"), part("{}"))).is_none(),
            "header must be an object"
        );
        assert!(
            decode_unverified("a.b.c.d.e").is_none(),
            "a JWE is not readable"
        );
    }
}
