use std::path::Path;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use connmgr_sandbox::client_keys::{self, KeyType};
use sha2::{Digest, Sha256};

use super::*;

fn openssl(args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).expect("read a PEM file")
}

#[test]
fn the_thumbprint_is_rfc_7638s() {
    // RFC 7638 §3.1's example key and thumbprint.
    let n = URL_SAFE_NO_PAD
        .decode("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
        .expect("n");
    let e = URL_SAFE_NO_PAD.decode("AQAB").expect("e");
    let print = URL_SAFE_NO_PAD.encode(Sha256::digest(rsa_jwk(&n, &e).as_bytes()));
    assert_eq!(print, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

#[test]
fn rsa_keys_import_from_pkcs8_and_pkcs1_with_their_certificate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = client_keys::make(dir.path(), "rsa", KeyType::Rsa2048, Some(90)).expect("keys");
    let cert_path = files.certificate.expect("a certificate");
    let key = read(&files.key);
    let cert = read(&cert_path);

    let imported = import(&key, Some(&cert)).expect("a PKCS#8 RSA key imports");
    assert_eq!(imported.facts.kind, KeyKind::Rsa);
    assert_eq!(imported.facts.bits, 2048);
    assert_eq!(
        imported.facts.thumbprint.len(),
        43,
        "{}",
        imported.facts.thumbprint
    );
    let c = imported
        .facts
        .certificate
        .as_ref()
        .expect("certificate facts");
    assert_eq!(c.subject, "CN=connmgr test client");
    let days = c.not_after.since(crate::time::Timestamp::now()).as_secs() / 86_400;
    assert!((89..=90).contains(&days), "{days} days");
    // x5t#S256: the SHA-256 of the certificate's DER, as openssl writes it.
    let der = dir.path().join("cert.der");
    openssl(&[
        "x509",
        "-in",
        &cert_path.to_string_lossy(),
        "-outform",
        "DER",
        "-out",
        &der.to_string_lossy(),
    ]);
    let der = std::fs::read(&der).expect("DER");
    assert_eq!(
        c.sha256_thumbprint,
        URL_SAFE_NO_PAD.encode(Sha256::digest(&der))
    );
    // The stored PEM holds the key alone, and reads back.
    assert!(!imported.pem.expose().contains("CERTIFICATE"));
    ClientKey::from_stored(&imported.pem).expect("the stored key reads back");

    // The same key in PKCS#1 ("BEGIN RSA PRIVATE KEY"), with the certificate in the same file.
    let pkcs1 = dir.path().join("pkcs1.pem");
    openssl(&[
        "rsa",
        "-in",
        &files.key.to_string_lossy(),
        "-traditional",
        "-out",
        &pkcs1.to_string_lossy(),
    ]);
    let both = format!("{}{}", read(&pkcs1), cert);
    assert!(both.contains("BEGIN RSA PRIVATE KEY"));
    let again = import(&both, None).expect("a PKCS#1 key with its certificate imports");
    assert_eq!(
        again.facts, imported.facts,
        "the same key has the same facts"
    );
}

#[test]
fn ec_p256_keys_import_and_other_curves_do_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = client_keys::make(dir.path(), "ec", KeyType::EcP256, None).expect("keys");
    let facts = import(&read(&files.key), None)
        .expect("a P-256 key imports")
        .facts;
    assert_eq!((facts.kind, facts.bits), (KeyKind::EcP256, 256));
    assert!(facts.certificate.is_none());

    let p384 = dir.path().join("p384.pem");
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-out",
        &p384.to_string_lossy(),
    ]);
    let err = import(&read(&p384), None).expect_err("P-384 is not supported");
    assert!(err.contains("P-256"), "{err}");

    // SEC1 ("BEGIN EC PRIVATE KEY"): the conversion is said.
    let sec1 = dir.path().join("sec1.pem");
    openssl(&[
        "ec",
        "-in",
        &files.key.to_string_lossy(),
        "-out",
        &sec1.to_string_lossy(),
    ]);
    let err = import(&read(&sec1), None).expect_err("SEC1 is refused");
    assert!(err.contains("openssl pkcs8 -topk8"), "{err}");
}

#[test]
fn unusable_files_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rsa = client_keys::make(dir.path(), "a", KeyType::Rsa2048, None).expect("keys");
    let other = client_keys::make(dir.path(), "b", KeyType::EcP256, Some(30)).expect("keys");

    let encrypted = dir.path().join("enc.pem");
    openssl(&[
        "pkcs8",
        "-topk8",
        "-in",
        &rsa.key.to_string_lossy(),
        "-v2",
        "aes256",
        "-passout",
        "pass:pw",
        "-out",
        &encrypted.to_string_lossy(),
    ]);
    let err = import(&read(&encrypted), None).expect_err("an encrypted key");
    assert!(err.contains("encrypted"), "{err}");

    let small = dir.path().join("small.pem");
    openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:1024",
        "-out",
        &small.to_string_lossy(),
    ]);
    let err = import(&read(&small), None).expect_err("a 1024-bit key");
    assert!(err.contains("smaller than 2048 bits"), "{err}");

    let cert_b = read(other.certificate.as_ref().expect("cert"));
    let err = import(&read(&rsa.key), Some(&cert_b)).expect_err("another key's certificate");
    assert!(err.contains("not the private key's"), "{err}");

    let err = import(&rsa.public_pem, None).expect_err("a public key alone");
    assert!(err.contains("no private key"), "{err}");
    let err = import("not a key at all", None).expect_err("text");
    assert!(err.contains("no private key"), "{err}");
    let err = import(&read(&rsa.key), Some("junk")).expect_err("a certificate that is not one");
    assert!(err.contains("no certificate"), "{err}");
    let broken = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    let err = import(broken, None).expect_err("a broken key");
    assert!(err.contains("neither an RSA key"), "{err}");
}
