//! The sandbox's token endpoint and API over real HTTP on loopback, playing a strict server.

use base64::Engine;
use connmgr_sandbox::config::{ClientConfig, Grant, UnknownScope};
use connmgr_sandbox::{Config, Sandbox};
use reqwest::StatusCode;
use serde_json::Value;

const ODD_ID: &str = "odd id:1";
const ODD_SECRET: &str = "s3c+r/e:t%&=";

fn config(unknown_scope: UnknownScope, lifetime: u64) -> Config {
    let mut c = Config::demo();
    c.unknown_scope = unknown_scope;
    c.token_lifetime_secs = lifetime;
    c.clients.push(ClientConfig {
        id: ODD_ID.to_owned(),
        secret: Some(ODD_SECRET.to_owned()),
        grants: vec![Grant::ClientCredentials],
        scopes: vec!["core.supplier.read".to_owned()],
        rotate_refresh_tokens: false,
        public_keys: Vec::new(),
    });
    c
}

async fn start(unknown_scope: UnknownScope, lifetime: u64) -> Sandbox {
    Sandbox::start_with(config(unknown_scope, lifetime), 0)
        .await
        .expect("sandbox starts")
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn post_token(
    sb: &Sandbox,
    body: String,
    basic: Option<String>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/oauth2/token", sb.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(b) = basic {
        req = req.header("authorization", format!("Basic {b}"));
    }
    let resp = req.send().await.expect("token request");
    let status = resp.status();
    let headers = resp.headers().clone();
    let json = resp.json().await.expect("a JSON body");
    (status, headers, json)
}

/// Basic credentials as RFC 6749 §2.3.1 wants them: each part form-urlencoded first.
fn basic(id: &str, secret: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
}

async fn demo_token(sb: &Sandbox, scope: &str) -> String {
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", "sandbox-integration"),
        ("client_secret", "sandbox-integration-secret"),
        ("scope", scope),
    ]);
    let (status, _, json) = post_token(sb, body, None).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    json["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

#[tokio::test]
async fn client_credentials_in_the_body_gets_a_bearer_token() {
    let sb = start(UnknownScope::Reject, 86_400).await;
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", "sandbox-integration"),
        ("client_secret", "sandbox-integration-secret"),
        ("scope", "core.user.read core.invoice.read"),
    ]);
    let (status, headers, json) = post_token(&sb, body, None).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["expires_in"], 86_400, "Coupa's 24 hours");
    assert_eq!(json["scope"], "core.user.read core.invoice.read");
    assert!(json["access_token"].as_str().is_some_and(|t| t.len() > 40));
    assert!(
        json.get("refresh_token").is_none(),
        "client credentials has no refresh token"
    );
    assert_eq!(headers["cache-control"], "no-store", "RFC 6749 §5.1");
    assert_eq!(sb.stats().token_requests, 1);
}

#[tokio::test]
async fn no_scope_asked_gives_every_scope_the_client_has() {
    let sb = start(UnknownScope::Reject, 60).await;
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", ODD_ID),
        ("client_secret", ODD_SECRET),
    ]);
    let (status, _, json) = post_token(&sb, body, None).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["scope"], "core.supplier.read");
}

#[tokio::test]
async fn basic_credentials_are_form_urlencoded_before_base64() {
    let sb = start(UnknownScope::Reject, 60).await;
    let body = form(&[("grant_type", "client_credentials")]);
    let (status, _, json) = post_token(&sb, body.clone(), Some(basic(ODD_ID, ODD_SECRET))).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "id and secret with + / : % & = survive Basic: {json}"
    );
    // Without the form-urlencoding step the '%' and '+' decode to something else.
    let raw = base64::engine::general_purpose::STANDARD.encode(format!("{ODD_ID}:{ODD_SECRET}"));
    let (status, _, json) = post_token(&sb, body, Some(raw)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
}

#[tokio::test]
async fn basic_and_a_body_secret_at_once_is_invalid_request() {
    let sb = start(UnknownScope::Reject, 60).await;
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_secret", ODD_SECRET),
    ]);
    let (status, _, json) = post_token(&sb, body, Some(basic(ODD_ID, ODD_SECRET))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["error"], "invalid_request");
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client_with_401_and_a_challenge() {
    let sb = start(UnknownScope::Reject, 60).await;
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", "sandbox-integration"),
        ("client_secret", "wrong"),
    ]);
    let (status, headers, json) = post_token(&sb, body, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(json["error"], "invalid_client");
    assert!(
        headers.contains_key("www-authenticate"),
        "RFC 6749 §5.2: 401 comes with WWW-Authenticate"
    );
    assert!(
        !json.to_string().contains("sandbox-integration-secret"),
        "the error never echoes a secret"
    );
}

#[tokio::test]
async fn scopes_the_client_may_not_have_are_refused_or_dropped() {
    let strict = start(UnknownScope::Reject, 60).await;
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", "sandbox-integration"),
        ("client_secret", "sandbox-integration-secret"),
        ("scope", "core.user.read core.invoice.delete"),
    ]);
    let (status, _, json) = post_token(&strict, body.clone(), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["error"], "invalid_scope");
    assert!(
        json["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("core.invoice.delete"))
    );

    let lax = start(UnknownScope::Drop, 60).await;
    let (status, _, json) = post_token(&lax, body, None).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(
        json["scope"], "core.user.read",
        "the granted scope is narrower than asked"
    );
}

#[tokio::test]
async fn malformed_and_unauthorised_requests_get_their_rfc_errors() {
    let sb = start(UnknownScope::Reject, 60).await;
    type Case<'a> = (Vec<(&'a str, &'a str)>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("client_id", "sandbox-integration"),
                ("client_secret", "sandbox-integration-secret"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", "sandbox-integration"),
                ("client_secret", "sandbox-integration-secret"),
            ],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "sandbox-desktop"),
            ],
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "nobody"),
                ("client_secret", "x"),
            ],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
    ];
    for (pairs, want_status, want_error) in cases {
        let (status, _, json) = post_token(&sb, form(&pairs), None).await;
        assert_eq!(
            (status, json["error"].as_str()),
            (want_status, Some(want_error)),
            "{pairs:?}"
        );
    }
    let repeated = "grant_type=client_credentials&grant_type=client_credentials&client_id=sandbox-integration&client_secret=sandbox-integration-secret".to_owned();
    let (status, _, json) = post_token(&sb, repeated, None).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request")),
        "RFC 6749 §3.2"
    );

    let resp = reqwest::Client::new()
        .post(format!("{}/oauth2/token", sb.base_url()))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .expect("request");
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "a JSON body is not accepted"
    );
}

async fn api_get(sb: &Sandbox, path: &str, token: Option<&str>, json: bool) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(format!("{}{path}", sb.base_url()));
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if json {
        req = req.header("accept", "application/json");
    }
    req.send().await.expect("API request")
}

#[tokio::test]
async fn the_api_pages_records_for_a_token_with_the_scope() {
    let sb = start(UnknownScope::Reject, 60).await;
    let token = demo_token(&sb, "core.user.read").await;
    let resp = api_get(&sb, "/api/users?limit=1", Some(&token), true).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let users: Vec<Value> = resp.json().await.expect("JSON array");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["login"], "amy.admin");
    let page: Vec<Value> = api_get(&sb, "/api/users?limit=2&offset=3", Some(&token), true)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        page.iter()
            .map(|u| u["id"].as_i64().unwrap_or(0))
            .collect::<Vec<_>>(),
        [4, 5]
    );
    let resp = api_get(&sb, "/api/users?limit=x", Some(&token), true).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let xml = api_get(&sb, "/api/users?limit=1", Some(&token), false).await;
    assert_eq!(
        xml.headers()["content-type"],
        "application/xml",
        "XML unless JSON is asked for, as Coupa"
    );
    assert!(
        xml.text()
            .await
            .expect("body")
            .contains("<login>amy.admin</login>")
    );
    assert_eq!(sb.stats().api_requests, 4);
}

#[tokio::test]
async fn the_api_refuses_missing_unknown_and_expired_tokens_with_401() {
    let sb = start(UnknownScope::Reject, 0).await;
    let resp = api_get(&sb, "/api/users", None, true).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap_or_default()
            .starts_with("Bearer")
    );
    let resp = api_get(&sb, "/api/users", Some("not-a-token"), true).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap_or_default()
            .contains("invalid_token")
    );
    let expired = demo_token(&sb, "core.user.read").await; // lifetime 0: expired at once
    let resp = api_get(&sb, "/api/users", Some(&expired), true).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap_or_default()
            .contains("expired")
    );
}

#[tokio::test]
async fn a_token_without_the_scope_gets_403_naming_it() {
    let sb = start(UnknownScope::Reject, 60).await;
    let token = demo_token(&sb, "core.supplier.read").await;
    assert_eq!(
        api_get(&sb, "/api/suppliers", Some(&token), true)
            .await
            .status(),
        StatusCode::OK
    );
    let resp = api_get(&sb, "/api/users", Some(&token), true).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let challenge = resp.headers()["www-authenticate"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        challenge.contains("insufficient_scope") && challenge.contains("core.user.read"),
        "{challenge}"
    );
    assert_eq!(
        api_get(&sb, "/api/nothing", Some(&token), true)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[test]
fn configuration_files_are_checked() {
    let ok = Config::from_json(r#"{"clients":[{"id":"a","secret":"b","grants":["client_credentials"],"scopes":["core.user.read"]}],"unknownScope":"drop"}"#)
        .expect("a valid file");
    assert_eq!(ok.unknown_scope, UnknownScope::Drop);
    assert_eq!(ok.token_lifetime_secs, 86_400, "24 hours unless set");
    let err = Config::from_json(r#"{"clients":[{"id":"a","grants":["implicit"],"scopes":[]}]}"#)
        .expect_err("unknown grant");
    assert!(err.contains("invalid sandbox configuration"), "{err}");
    assert!(
        Config::from_json(r#"{"clients":[], "tokenLifetime": 5}"#).is_err(),
        "misspelt keys are refused"
    );
}

#[tokio::test]
async fn the_demo_api_allows_coupas_burst_then_answers_429() {
    let sb = Sandbox::start(0).await.expect("sandbox");
    let token = demo_token(&sb, "core.user.read").await;
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..60 {
        let resp = api_get(&sb, "/api/users?limit=1", Some(&token), true).await;
        statuses.push(resp.status().as_u16());
        if resp.status() == StatusCode::TOO_MANY_REQUESTS && refused.is_none() {
            refused = Some(resp);
        }
    }
    assert!(
        statuses[..20].iter().all(|s| *s == 200),
        "a burst of 20 is allowed: {statuses:?}"
    );
    let resp = refused.expect("60 calls at once go past 25 a second");
    assert!(
        resp.headers().get("retry-after").is_none(),
        "Coupa sends no Retry-After"
    );
    let body: Value = resp.json().await.expect("JSON");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("25 requests a second"),
        "{body}"
    );
}
