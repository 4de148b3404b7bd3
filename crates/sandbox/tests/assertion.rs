//! The sandbox refuses every signed client assertion a strict server refuses (RFC 7523 §3):
//! assertions made here with jsonwebtoken and openssl keys, sent over real HTTP.

use std::time::{SystemTime, UNIX_EPOCH};

use connmgr_sandbox::client_keys::{self, KeyFiles, KeyType};
use connmgr_sandbox::config::{ClientConfig, Grant};
use connmgr_sandbox::{Config, Sandbox};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};

const TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

struct Rig {
    sb: Sandbox,
    key: KeyFiles,
    other: KeyFiles,
    _dir: tempfile::TempDir,
}

async fn rig() -> Rig {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = client_keys::make(dir.path(), "a", KeyType::Rsa2048, None).expect("key");
    let other = client_keys::make(dir.path(), "b", KeyType::Rsa2048, None).expect("key");
    let mut config = Config::demo();
    config.clients.push(ClientConfig {
        id: "m2m".to_owned(),
        secret: Some("also-has-a-secret".to_owned()),
        grants: vec![Grant::ClientCredentials],
        scopes: vec!["core.user.read".to_owned()],
        rotate_refresh_tokens: false,
        public_keys: vec![key.public_pem.clone()],
    });
    let sb = Sandbox::start_with(config, 0).await.expect("sandbox");
    Rig {
        sb,
        key,
        other,
        _dir: dir,
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or_default())
        .unwrap_or_default()
}

impl Rig {
    fn claims(&self) -> Value {
        json!({
            "iss": "m2m", "sub": "m2m",
            "aud": format!("{}/oauth2/token", self.sb.base_url()),
            "jti": uuid::Uuid::new_v4().to_string(),
            "iat": now(), "exp": now() + 300,
        })
    }

    fn sign(&self, claims: &Value, key: &KeyFiles, alg: Algorithm) -> String {
        let pem = std::fs::read(&key.key).expect("key");
        let key = EncodingKey::from_rsa_pem(&pem).expect("an RSA key");
        jsonwebtoken::encode(&Header::new(alg), claims, &key).expect("signed")
    }

    async fn send(&self, pairs: &[(&str, &str)], basic: bool) -> (StatusCode, Value) {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let mut req = reqwest::Client::new()
            .post(format!("{}/oauth2/token", self.sb.base_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if basic {
            req = req.basic_auth("m2m", Some("also-has-a-secret"));
        }
        let resp = req.send().await.expect("token request");
        (resp.status(), resp.json().await.expect("JSON"))
    }

    async fn with(&self, jwt: &str) -> (StatusCode, Value) {
        self.send(
            &[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", TYPE),
                ("client_assertion", jwt),
            ],
            false,
        )
        .await
    }
}

fn refused(answer: &(StatusCode, Value), why: &str) {
    assert_eq!(answer.0, StatusCode::UNAUTHORIZED, "{:?}", answer.1);
    assert_eq!(answer.1["error"], "invalid_client");
    let description = answer.1["error_description"].as_str().unwrap_or_default();
    assert!(
        description.contains(why),
        "{description:?} should say {why:?}"
    );
}

#[tokio::test]
async fn a_valid_assertion_is_accepted_once() {
    let r = rig().await;
    let jwt = r.sign(&r.claims(), &r.key, Algorithm::RS256);
    let first = r.with(&jwt).await;
    assert_eq!(first.0, StatusCode::OK, "{:?}", first.1);
    refused(&r.with(&jwt).await, "used before");
    let ps = r.sign(&r.claims(), &r.key, Algorithm::PS256);
    assert_eq!(r.with(&ps).await.0, StatusCode::OK);
    assert_eq!(r.sb.assertions_seen().len(), 2);
    assert_eq!(r.sb.auth_methods_seen(), ["private_key_jwt"; 3]);
}

#[tokio::test]
async fn wrong_claims_keys_and_algorithms_are_refused() {
    let r = rig().await;
    let cases: [(&str, Value, &str); 6] = [
        (
            "aud",
            json!({"aud": "https://elsewhere.example.com/token"}),
            "aud must be the token endpoint",
        ),
        (
            "expired",
            json!({"exp": now() - 60, "iat": now() - 400}),
            "expired",
        ),
        (
            "too long",
            json!({"exp": now() + 7200}),
            "longer than an hour",
        ),
        ("no jti", json!({"jti": null}), "no jti"),
        (
            "sub",
            json!({"sub": "someone-else"}),
            "sub is not the client",
        ),
        ("no exp", json!({"exp": null}), "no exp"),
    ];
    for (what, changes, why) in cases {
        let mut claims = r.claims();
        for (k, v) in changes.as_object().expect("object") {
            if v.is_null() {
                claims.as_object_mut().expect("object").remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        let jwt = r.sign(&claims, &r.key, Algorithm::RS256);
        let answer = r.with(&jwt).await;
        assert_eq!(answer.0, StatusCode::UNAUTHORIZED, "{what}: {:?}", answer.1);
        refused(&answer, why);
    }
    refused(
        &r.with(&r.sign(&r.claims(), &r.other, Algorithm::RS256))
            .await,
        "signature does not verify",
    );
    let hs = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &r.claims(),
        &EncodingKey::from_secret(b"also-has-a-secret"),
    )
    .expect("HS256");
    refused(&r.with(&hs).await, "not accepted");
    assert!(r.sb.assertions_seen().is_empty());
}

#[tokio::test]
async fn one_authentication_at_a_time_and_a_keyed_client_uses_its_key() {
    let r = rig().await;
    let jwt = r.sign(&r.claims(), &r.key, Algorithm::RS256);
    let both = r
        .send(
            &[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", TYPE),
                ("client_assertion", &jwt),
            ],
            true,
        )
        .await;
    assert_eq!(both.0, StatusCode::BAD_REQUEST, "{:?}", both.1);
    assert_eq!(both.1["error"], "invalid_request");
    let wrong_type = r
        .send(
            &[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", "urn:example:other"),
                ("client_assertion", &jwt),
            ],
            false,
        )
        .await;
    assert_eq!(wrong_type.1["error"], "invalid_request");
    let other_id = r
        .send(
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "sandbox-integration"),
                ("client_assertion_type", TYPE),
                ("client_assertion", &jwt),
            ],
            false,
        )
        .await;
    refused(&other_id, "client_id differs");
    refused(
        &r.send(&[("grant_type", "client_credentials")], true).await,
        "private_key_jwt only",
    );
}
