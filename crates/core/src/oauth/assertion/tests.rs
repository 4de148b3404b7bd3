use connmgr_sandbox::client_keys::{self, KeyType};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::*;
use crate::model::assertion::{AssertionField, SigningAlgorithm};
use crate::model::connection::{ClientAuth, ConnectionSettings, Endpoints};
use crate::oauth::client_key::import;

const TOKEN_URL: &str = "https://login.example.com/oauth2/token";

fn connection(algorithm: SigningAlgorithm) -> Connection {
    let mut settings = ConnectionSettings::new_coupa();
    settings.client_id = "client-7".to_owned();
    settings.client_auth = ClientAuth::PrivateKeyJwt;
    settings.scopes = vec!["restlets".to_owned(), "rest_webservices".to_owned()];
    settings.assertion.algorithm = algorithm;
    Connection {
        id: "id".to_owned(),
        settings,
        endpoints: Endpoints {
            instance_url: None,
            authorization_url: None,
            token_url: TOKEN_URL.to_owned(),
            api_base_url: None,
            issuer: None,
            revocation_url: None,
            device_authorization_url: None,
        },
        has_client_secret: true,
        created_at: crate::time::Timestamp::now(),
        updated_at: crate::time::Timestamp::now(),
        last_test: None,
        last_used: None,
        token: None,
        needs_client_secret: false,
    }
}

/// Verifies `jwt` with jsonwebtoken (not the signer's code) and returns its header and claims.
fn verify(jwt: &str, public_pem: &str, alg: Algorithm) -> (Value, Value) {
    let key = match alg {
        Algorithm::ES256 => DecodingKey::from_ec_pem(public_pem.as_bytes()),
        _ => DecodingKey::from_rsa_pem(public_pem.as_bytes()),
    }
    .expect("a public key");
    let mut v = Validation::new(alg);
    v.set_audience(&[TOKEN_URL]);
    v.set_issuer(&["client-7"]);
    v.sub = Some("client-7".to_owned());
    v.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    let data =
        jsonwebtoken::decode::<Value>(jwt, &key, &v).expect("the signature and claims verify");
    let header = serde_json::to_value(&data.header).expect("header");
    (header, data.claims)
}

#[test]
fn each_algorithm_signs_an_assertion_an_independent_library_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rsa = client_keys::make(dir.path(), "rsa", KeyType::Rsa2048, Some(30)).expect("rsa");
    let ec = client_keys::make(dir.path(), "ec", KeyType::EcP256, None).expect("ec");
    let now = time::OffsetDateTime::now_utc();
    for (files, alg, ours) in [
        (&rsa, Algorithm::RS256, SigningAlgorithm::RS256),
        (&rsa, Algorithm::PS256, SigningAlgorithm::PS256),
        (&ec, Algorithm::ES256, SigningAlgorithm::ES256),
    ] {
        let key_text = std::fs::read_to_string(&files.key).expect("key");
        let cert_text = files
            .certificate
            .as_ref()
            .map(|c| std::fs::read_to_string(c).expect("cert"));
        let key = import(&key_text, cert_text.as_deref()).expect("import");
        let mut c = connection(ours);
        c.settings.assertion.key = Some(key.facts.clone());
        let jwt = sign(&c, &key.pem, TOKEN_URL, now).expect("signed");
        let (header, claims) = verify(&jwt, &files.public_pem, alg);
        assert_eq!(header["alg"], ours.name());
        assert_eq!(header["typ"], "JWT");
        assert!(
            header.get("kid").is_none_or(Value::is_null),
            "no kid unless set: {header}"
        );
        assert_eq!(claims["iss"], "client-7");
        assert_eq!(claims["sub"], "client-7");
        assert_eq!(claims["aud"], TOKEN_URL);
        assert_eq!(claims["iat"], now.unix_timestamp());
        assert_eq!(claims["exp"], now.unix_timestamp() + LIFETIME_SECS);
        assert!(
            claims["jti"].as_str().is_some_and(|j| j.len() >= 32),
            "{claims}"
        );
    }
}

#[test]
fn the_header_and_claims_follow_the_settings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = client_keys::make(dir.path(), "rsa", KeyType::Rsa2048, Some(30)).expect("rsa");
    let cert = std::fs::read_to_string(files.certificate.as_ref().expect("cert")).expect("cert");
    let key = import(
        &std::fs::read_to_string(&files.key).expect("key"),
        Some(&cert),
    )
    .expect("import");
    let mut c = connection(SigningAlgorithm::PS256);
    let a = &mut c.settings.assertion;
    a.key = Some(key.facts.clone());
    a.key_id = " cert-id-42 ".to_owned();
    a.certificate_thumbprint = true;
    a.claims = vec![
        AssertionField {
            name: "scope".to_owned(),
            value: "{scopes_comma}".to_owned(),
        },
        AssertionField {
            name: "scp".to_owned(),
            value: "{scopes_array}".to_owned(),
        },
        AssertionField {
            name: "note".to_owned(),
            value: "asks {scopes}".to_owned(),
        },
    ];
    a.header = vec![AssertionField {
        name: "x-tenant".to_owned(),
        value: "acme".to_owned(),
    }];
    let now = time::OffsetDateTime::now_utc();
    let first = sign(&c, &key.pem, TOKEN_URL, now).expect("signed");
    let (header, claims) = verify(&first, &files.public_pem, Algorithm::PS256);
    assert_eq!(header["kid"], "cert-id-42");
    let thumb = &key
        .facts
        .certificate
        .as_ref()
        .expect("cert")
        .sha256_thumbprint;
    let raw_header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(first.split('.').next().expect("header"))
            .expect("b64"),
    )
    .expect("json");
    assert_eq!(raw_header["x5t#S256"], thumb.as_str());
    assert_eq!(raw_header["x-tenant"], "acme");
    assert_eq!(claims["scope"], "restlets,rest_webservices");
    assert_eq!(
        claims["scp"],
        serde_json::json!(["restlets", "rest_webservices"])
    );
    assert_eq!(claims["note"], "asks restlets rest_webservices");

    // Each assertion has its own jti.
    let second = sign(&c, &key.pem, TOKEN_URL, now).expect("signed");
    let (_, again) = verify(&second, &files.public_pem, Algorithm::PS256);
    assert_ne!(claims["jti"], again["jti"]);

    // A typed audience replaces the token endpoint.
    c.settings.assertion.audience = "https://login.example.com".to_owned();
    let jwt = sign(&c, &key.pem, TOKEN_URL, now).expect("signed");
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(jwt.split('.').nth(1).expect("claims"))
            .expect("b64"),
    )
    .expect("json");
    assert_eq!(payload["aud"], "https://login.example.com");
}

#[test]
fn what_cannot_be_signed_is_said_without_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = client_keys::make(dir.path(), "ec", KeyType::EcP256, None).expect("ec");
    let key = import(&std::fs::read_to_string(&files.key).expect("key"), None).expect("import");
    let now = time::OffsetDateTime::now_utc();

    let c = connection(SigningAlgorithm::RS256);
    let err = sign(&c, &key.pem, TOKEN_URL, now)
        .expect_err("RS256 with an EC key")
        .to_string();
    assert!(
        err.contains("RS256 does not fit this key: choose ES256"),
        "{err}"
    );

    let mut c = connection(SigningAlgorithm::ES256);
    c.settings.assertion.certificate_thumbprint = true;
    let err = sign(&c, &key.pem, TOKEN_URL, now)
        .expect_err("x5t without a certificate")
        .to_string();
    assert!(err.contains("no certificate"), "{err}");

    let err = sign(
        &connection(SigningAlgorithm::ES256),
        &crate::Secret::new("garbage"),
        TOKEN_URL,
        now,
    )
    .expect_err("a stored value that is no key")
    .to_string();
    assert!(err.contains("no private key"), "{err}");
    assert!(
        !err.contains(key.pem.expose().lines().nth(1).unwrap_or("-")),
        "{err}"
    );
}
