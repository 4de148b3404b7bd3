//! How a client that authenticates with a signed assertion (`private_key_jwt`, RFC 7523 §2.2)
//! builds it: the algorithm, the header's `kid`, the audience, the header fields and claims a
//! server wants beyond the standard ones, and the public facts of the imported key. The key
//! itself lives in the keyring, never here.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::time::Timestamp;

/// The JWS algorithm the assertion is signed with (RFC 7518 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256: the most widely accepted.
    #[default]
    RS256,
    /// RSASSA-PSS with SHA-256 (Microsoft Entra's recommendation; NetSuite requires PSS or ES).
    PS256,
    /// ECDSA on P-256 with SHA-256.
    ES256,
}

impl SigningAlgorithm {
    /// The `alg` header value.
    pub fn name(self) -> &'static str {
        match self {
            SigningAlgorithm::RS256 => "RS256",
            SigningAlgorithm::PS256 => "PS256",
            SigningAlgorithm::ES256 => "ES256",
        }
    }

    /// Whether a key of `kind` can sign with it.
    pub fn fits(self, kind: KeyKind) -> bool {
        matches!(
            (self, kind),
            (
                SigningAlgorithm::RS256 | SigningAlgorithm::PS256,
                KeyKind::Rsa
            ) | (SigningAlgorithm::ES256, KeyKind::EcP256)
        )
    }
}

/// A header field or claim beyond the ones the client sets itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssertionField {
    /// Its name.
    pub name: String,
    /// Its value, where `{scopes}` stands for the connection's scopes separated by spaces,
    /// `{scopes_comma}` by commas, and a value of exactly `{scopes_array}` for a JSON array.
    pub value: String,
}

/// The kind of private key imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// An RSA key (RS256 or PS256).
    Rsa,
    /// An elliptic-curve key on P-256 (ES256).
    EcP256,
}

/// The public facts of the imported private key, worked out by the core when it is imported:
/// shown by the form and the list, and used in the assertion's header. Not secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyFacts {
    /// RSA or EC P-256.
    pub kind: KeyKind,
    /// The key's size in bits (the RSA modulus; 256 for P-256).
    pub bits: u32,
    /// The public key's JWK thumbprint (RFC 7638, SHA-256, base64url): the same value a server
    /// shows for the key registered with it, and a common `kid`.
    pub thumbprint: String,
    /// The certificate imported with it, if one was.
    pub certificate: Option<CertificateFacts>,
}

/// The public facts of the client's certificate (RFC 5280).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CertificateFacts {
    /// Its subject, as RFC 4514 writes it.
    pub subject: String,
    /// The end of its validity (`notAfter`).
    pub not_after: Timestamp,
    /// The SHA-256 thumbprint of its DER encoding, base64url: the `x5t#S256` header
    /// (RFC 7515 §4.1.8).
    pub sha256_thumbprint: String,
}

/// Days before a certificate's expiry from which the form, the list and `connmgr` warn.
pub const CERTIFICATE_WARNING_DAYS: u64 = 30;

/// Whether a certificate valid until `not_after` has expired or expires within
/// [`CERTIFICATE_WARNING_DAYS`] of `now`.
pub fn certificate_due(not_after: Timestamp, now: Timestamp) -> bool {
    now.checked_add(std::time::Duration::from_secs(
        CERTIFICATE_WARNING_DAYS * 24 * 3600,
    ))
    .is_none_or(|limit| not_after <= limit)
}

/// The signed assertion's settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssertionSettings {
    /// The signing algorithm; it must fit the key.
    pub algorithm: SigningAlgorithm,
    /// The header's `kid`: the id under which the server knows the key (NetSuite's certificate
    /// ID, Okta's key ID). Empty: none is sent.
    pub key_id: String,
    /// Send the certificate's `x5t#S256` in the header (Microsoft Entra identifies the
    /// certificate by it). Needs a certificate.
    pub certificate_thumbprint: bool,
    /// The `aud` claim. Empty: the token endpoint's URL (RFC 7523 §3 item 3).
    pub audience: String,
    /// Header fields beyond `alg`, `typ`, `kid` and `x5t#S256`.
    pub header: Vec<AssertionField>,
    /// Claims beyond `iss`, `sub`, `aud`, `jti`, `iat` and `exp` (NetSuite's `scope`).
    pub claims: Vec<AssertionField>,
    /// The imported key's public facts; set by the core only.
    pub key: Option<KeyFacts>,
}

/// Header names the client sets itself or that would change how the token is verified
/// (RFC 7515 §4.1).
pub const RESERVED_HEADER: &[&str] = &[
    "alg", "typ", "kid", "x5t#S256", "x5t", "x5c", "x5u", "jku", "jwk", "crit", "cty", "b64",
    "zip", "enc",
];

/// Claim names the client sets itself (RFC 7523 §3).
pub const RESERVED_CLAIMS: &[&str] = &["iss", "sub", "aud", "jti", "iat", "exp", "nbf"];

/// The most header fields or claims a connection may add.
pub const FIELDS_MAX: usize = 20;
