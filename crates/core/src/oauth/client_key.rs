//! The client's private key for signed assertions (RFC 7523): read from PEM, checked, described
//! by its public facts, and used to sign. Every message names what is wrong with the file
//! without quoting it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use rustls_pki_types::pem::{PemObject, SectionKind};
use sha2::{Digest, Sha256};

use crate::model::assertion::{CertificateFacts, KeyFacts, KeyKind, SigningAlgorithm};
use crate::storage::secret::Secret;

/// The largest key or certificate file read: far more than any PEM key with its chain.
pub const FILE_MAX: u64 = 64 * 1024;

/// The smallest RSA key accepted (RFC 7518 §3.3: 2048 bits or larger).
const RSA_MIN_BITS: u32 = 2048;

/// A private key ready to sign.
pub(crate) enum ClientKey {
    Rsa(RsaKeyPair),
    EcP256(EcdsaKeyPair),
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientKey(<redacted>)")
    }
}

/// A key read from PEM text: the PEM of the key alone (what the keyring keeps) and its facts.
#[derive(Debug)]
pub struct ImportedKey {
    /// The private key's PEM section alone.
    pub pem: Secret,
    /// Its public facts, with the certificate's when one came with it.
    pub facts: KeyFacts,
}

/// Reads the key (and a certificate, when the text holds one) from PEM text, and a
/// certificate from `certificate_pem` when given.
pub fn import(key_pem: &str, certificate_pem: Option<&str>) -> Result<ImportedKey, String> {
    if key_pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return Err("the private key is encrypted with a passphrase: decrypt it first (openssl pkcs8 -in key.pem -out plain.pem); the keyring keeps it encrypted".to_owned());
    }
    let (kind, der) = key_section(key_pem)?;
    let key = parse(kind, &der)?;
    let mut facts = key.facts();
    let certificate = match certificate_pem {
        Some(text) => Some(text),
        None if key_pem.contains("-----BEGIN CERTIFICATE-----") => Some(key_pem),
        None => None,
    };
    if let Some(text) = certificate {
        let (cert, public_key) = certificate_facts(text)?;
        if public_key != key.public_key_bytes() {
            return Err("the certificate is not the private key's: its public key differs (import the certificate issued for this key)".to_owned());
        }
        facts.certificate = Some(cert);
    }
    let label = match kind {
        SectionKind::RsaPrivateKey => "RSA PRIVATE KEY",
        _ => "PRIVATE KEY",
    };
    let body = base64::engine::general_purpose::STANDARD.encode(&der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    Ok(ImportedKey {
        pem: Secret::new(pem),
        facts,
    })
}

/// The first private key section of the text, as (kind, DER).
fn key_section(text: &str) -> Result<(SectionKind, Vec<u8>), String> {
    let mut sec1 = false;
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(text.as_bytes()) {
        let (kind, der) = item.map_err(|e| format!("the file is not valid PEM ({e})"))?;
        match kind {
            SectionKind::PrivateKey | SectionKind::RsaPrivateKey => return Ok((kind, der)),
            SectionKind::EcPrivateKey => sec1 = true,
            _ => {}
        }
    }
    if sec1 {
        return Err("the EC key is in the SEC1 form (BEGIN EC PRIVATE KEY): convert it to PKCS#8 first (openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem)".to_owned());
    }
    Err(
        "no private key found: the file needs a BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY section"
            .to_owned(),
    )
}

fn parse(kind: SectionKind, der: &[u8]) -> Result<ClientKey, String> {
    let rsa = match kind {
        SectionKind::RsaPrivateKey => RsaKeyPair::from_der(der),
        _ => RsaKeyPair::from_pkcs8(der),
    };
    let key = match rsa {
        Ok(pair) => ClientKey::Rsa(pair),
        Err(e) if e.to_string() == "TooSmall" => {
            return Err(format!(
                "the RSA key is smaller than {RSA_MIN_BITS} bits; at least {RSA_MIN_BITS} are needed (RFC 7518 §3.3)"
            ));
        }
        Err(rsa_err) if kind == SectionKind::PrivateKey => {
            let rng = SystemRandom::new();
            match EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng) {
                Ok(pair) => ClientKey::EcP256(pair),
                Err(_) => {
                    return Err(format!(
                        "the key is neither an RSA key nor an EC key on P-256 ({rsa_err}); RS256, PS256 and ES256 are supported"
                    ));
                }
            }
        }
        Err(e) => return Err(format!("the RSA key cannot be read ({e})")),
    };
    if let ClientKey::Rsa(pair) = &key {
        let bits = u32::try_from(pair.public().modulus_len() * 8).unwrap_or(u32::MAX);
        if bits < RSA_MIN_BITS {
            return Err(format!(
                "the RSA key has {bits} bits; at least {RSA_MIN_BITS} are needed (RFC 7518 §3.3)"
            ));
        }
    }
    Ok(key)
}

impl ClientKey {
    /// Reads a key the keyring kept (as [`import`] wrote it).
    pub(crate) fn from_stored(pem: &Secret) -> Result<ClientKey, String> {
        let (kind, der) = key_section(pem.expose())?;
        parse(kind, &der)
    }

    /// The public facts of the key (without a certificate).
    fn facts(&self) -> KeyFacts {
        let (kind, bits, jwk) = match self {
            ClientKey::Rsa(pair) => {
                let parts = signature::RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
                let jwk = rsa_jwk(&parts.n, &parts.e);
                let bits = u32::try_from(pair.public().modulus_len() * 8).unwrap_or(u32::MAX);
                (KeyKind::Rsa, bits, jwk)
            }
            ClientKey::EcP256(pair) => {
                use ring::signature::KeyPair;
                // The uncompressed point: 0x04, then x and y (32 bytes each).
                let point = pair.public_key().as_ref();
                let (x, y) = point
                    .get(1..)
                    .unwrap_or_default()
                    .split_at(32.min(point.len().saturating_sub(1)));
                let jwk = format!(
                    r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                    URL_SAFE_NO_PAD.encode(x),
                    URL_SAFE_NO_PAD.encode(y)
                );
                (KeyKind::EcP256, 256, jwk)
            }
        };
        KeyFacts {
            kind,
            bits,
            thumbprint: URL_SAFE_NO_PAD.encode(Sha256::digest(jwk.as_bytes())),
            certificate: None,
        }
    }

    /// The public key as a certificate's SubjectPublicKeyInfo holds it (the bit string's
    /// content): RSAPublicKey DER for RSA, the uncompressed point for EC.
    fn public_key_bytes(&self) -> Vec<u8> {
        use ring::signature::KeyPair;
        match self {
            ClientKey::Rsa(pair) => pair.public().as_ref().to_vec(),
            ClientKey::EcP256(pair) => pair.public_key().as_ref().to_vec(),
        }
    }

    /// Signs `message` with `algorithm`, which must fit the key.
    pub(crate) fn sign(
        &self,
        algorithm: SigningAlgorithm,
        message: &[u8],
    ) -> Result<Vec<u8>, String> {
        let rng = SystemRandom::new();
        match (self, algorithm) {
            (ClientKey::Rsa(pair), SigningAlgorithm::RS256 | SigningAlgorithm::PS256) => {
                let padding: &dyn signature::RsaEncoding = if algorithm == SigningAlgorithm::PS256 {
                    &signature::RSA_PSS_SHA256
                } else {
                    &signature::RSA_PKCS1_SHA256
                };
                let mut out = vec![0; pair.public().modulus_len()];
                pair.sign(padding, &rng, message, &mut out)
                    .map_err(|_| "the RSA signature failed".to_owned())?;
                Ok(out)
            }
            // RFC 7518 §3.4: R and S, 32 bytes each (ring's "fixed" form).
            (ClientKey::EcP256(pair), SigningAlgorithm::ES256) => pair
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| "the ECDSA signature failed".to_owned()),
            _ => Err(format!(
                "{} does not fit this key: choose {}",
                algorithm.name(),
                match self {
                    ClientKey::Rsa(_) => "RS256 or PS256",
                    ClientKey::EcP256(_) => "ES256",
                }
            )),
        }
    }
}

/// The RSA public key's JWK members that a thumbprint hashes: the required ones in
/// lexicographic order, with no whitespace (RFC 7638 §3.2).
fn rsa_jwk(n: &[u8], e: &[u8]) -> String {
    format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(e),
        URL_SAFE_NO_PAD.encode(n)
    )
}

/// The facts and public key of the first certificate in `text`.
fn certificate_facts(text: &str) -> Result<(CertificateFacts, Vec<u8>), String> {
    use x509_cert::der::Decode;
    let der = rustls_pki_types::CertificateDer::pem_slice_iter(text.as_bytes())
        .next()
        .ok_or("no certificate found: the file needs a BEGIN CERTIFICATE section")?
        .map_err(|e| format!("the certificate is not valid PEM ({e})"))?;
    let cert = x509_cert::Certificate::from_der(der.as_ref())
        .map_err(|e| format!("the certificate cannot be read ({e})"))?;
    let tbs = &cert.tbs_certificate;
    let not_after = tbs.validity.not_after.to_system_time();
    let not_after = crate::time::Timestamp::from_system(not_after)
        .ok_or("the certificate's expiry is out of range")?;
    let public_key = tbs
        .subject_public_key_info
        .subject_public_key
        .as_bytes()
        .ok_or("the certificate's public key cannot be read")?
        .to_vec();
    Ok((
        CertificateFacts {
            subject: tbs.subject.to_string(),
            not_after,
            sha256_thumbprint: URL_SAFE_NO_PAD.encode(Sha256::digest(der.as_ref())),
        },
        public_key,
    ))
}

#[cfg(test)]
mod tests;
