//! Client key pairs for the tests of signed assertions (RFC 7523), made with the `openssl`
//! command as an admin makes them: the private key's file for the client, its public key to
//! register in the sandbox ([`crate::config::ClientConfig::public_keys`]) and, when asked, a
//! self-signed certificate.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The kind of key to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// RSA, 2048 bits.
    Rsa2048,
    /// RSA, 3072 bits (NetSuite's minimum).
    Rsa3072,
    /// EC on P-256.
    EcP256,
}

/// The files of a key pair.
#[derive(Debug, Clone)]
pub struct KeyFiles {
    /// The private key, PKCS#8 PEM.
    pub key: PathBuf,
    /// The public key, PEM (`BEGIN PUBLIC KEY`): what the server registers.
    pub public_pem: String,
    /// A self-signed certificate for the key, when one was asked for.
    pub certificate: Option<PathBuf>,
}

fn openssl(args: &[&str]) -> Result<(), String> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .map_err(|e| format!("openssl cannot be run ({e}); scripts/setup-system.sh installs it"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {} failed: {}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Makes a key pair in `dir` named `name`, with a certificate valid for `certificate_days`
/// when given.
pub fn make(
    dir: &Path,
    name: &str,
    kind: KeyType,
    certificate_days: Option<u32>,
) -> Result<KeyFiles, String> {
    let key = dir.join(format!("{name}.key.pem"));
    let public = dir.join(format!("{name}.pub.pem"));
    let key_s = key.to_string_lossy().into_owned();
    let public_s = public.to_string_lossy().into_owned();
    let mut args = vec!["genpkey", "-out", &key_s];
    match kind {
        KeyType::Rsa2048 => args.extend(["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
        KeyType::Rsa3072 => args.extend(["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"]),
        KeyType::EcP256 => args.extend(["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
    }
    openssl(&args)?;
    openssl(&["pkey", "-in", &key_s, "-pubout", "-out", &public_s])?;
    let certificate = match certificate_days {
        Some(days) => {
            let cert = dir.join(format!("{name}.cert.pem"));
            let cert_s = cert.to_string_lossy().into_owned();
            let days = days.to_string();
            openssl(&[
                "req",
                "-x509",
                "-new",
                "-key",
                &key_s,
                "-subj",
                "/CN=connmgr test client",
                "-days",
                &days,
                "-out",
                &cert_s,
            ])?;
            Some(cert)
        }
        None => None,
    };
    let public_pem = std::fs::read_to_string(&public).map_err(|e| e.to_string())?;
    Ok(KeyFiles {
        key,
        public_pem,
        certificate,
    })
}
