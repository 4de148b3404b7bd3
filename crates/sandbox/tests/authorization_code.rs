//! The sandbox's authorization endpoint and code exchange as a strict server: PKCE checked,
//! the redirect URI compared exactly, codes single-use, refresh tokens rotated and their reuse
//! revoking the grant.

use base64::Engine;
use connmgr_sandbox::config::Consent;
use connmgr_sandbox::{Config, Sandbox};
use serde_json::Value;
use sha2::Digest;

const VERIFIER: &str = "a-verifier-that-is-long-enough-for-pkce-0123456789";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

async fn sandbox() -> Sandbox {
    let mut config = Config::demo();
    config.consent = Consent::Approve;
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

const REDIRECT: &str = "http://127.0.0.1:5555/callback";

/// Asks for a code and returns the callback's query parameters.
async fn authorize(sb: &Sandbox, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let ch = challenge(VERIFIER);
    let mut params = vec![
        ("client_id", "sandbox-desktop"),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "core.user.read offline_access"),
        ("state", "s-1"),
        ("code_challenge", ch.as_str()),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in extra {
        params.retain(|(key, _)| key != k);
        params.push((k, v));
    }
    let resp = client()
        .get(format!("{}/oauth2/authorizations/new", sb.base_url()))
        .query(&params)
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302, "redirects back");
    let location = resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    url::Url::parse(&location)
        .expect("url")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn get<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

async fn token(sb: &Sandbox, pairs: &[(&str, &str)]) -> (u16, Value) {
    let resp = client()
        .post(format!("{}/oauth2/token", sb.base_url()))
        .form(pairs)
        .send()
        .await
        .expect("token");
    (resp.status().as_u16(), resp.json().await.expect("json"))
}

async fn exchange(sb: &Sandbox, code: &str, redirect: &str, verifier: &str) -> (u16, Value) {
    token(
        sb,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "sandbox-desktop"),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ],
    )
    .await
}

#[tokio::test]
async fn a_code_comes_back_with_state_and_iss_and_exchanges_once() {
    let sb = sandbox().await;
    let cb = authorize(&sb, &[]).await;
    assert_eq!(get(&cb, "state"), Some("s-1"));
    assert_eq!(get(&cb, "iss"), Some(sb.base_url().as_str()), "RFC 9207");
    let code = get(&cb, "code").expect("code").to_owned();
    let (status, json) = exchange(&sb, &code, REDIRECT, VERIFIER).await;
    assert_eq!(status, 200, "{json}");
    assert!(
        json["refresh_token"].is_string(),
        "offline_access gives a refresh token"
    );
    let (status, json) = exchange(&sb, &code, REDIRECT, VERIFIER).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_grant")),
        "single use"
    );
}

#[tokio::test]
async fn checklist_04_13_a_wrong_verifier_or_redirect_uri_is_invalid_grant() {
    let sb = sandbox().await;
    let code = get(&authorize(&sb, &[]).await, "code")
        .expect("code")
        .to_owned();
    let (status, json) = exchange(
        &sb,
        &code,
        REDIRECT,
        "another-verifier-that-is-also-long-enough-000000",
    )
    .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_grant")),
        "PKCE checked"
    );
    let code = get(&authorize(&sb, &[]).await, "code")
        .expect("code")
        .to_owned();
    let (status, json) = exchange(&sb, &code, "http://127.0.0.1:5556/callback", VERIFIER).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_grant")),
        "redirect_uri compared exactly"
    );
}

#[tokio::test]
async fn requests_without_pkce_or_state_go_back_with_invalid_request() {
    let sb = sandbox().await;
    let cb = authorize(&sb, &[("code_challenge_method", "plain")]).await;
    assert_eq!(get(&cb, "error"), Some("invalid_request"));
    let cb = authorize(&sb, &[("state", "")]).await;
    assert_eq!(get(&cb, "error"), Some("invalid_request"));
    let cb = authorize(&sb, &[("scope", "core.invoice.delete")]).await;
    assert_eq!(get(&cb, "error"), Some("invalid_scope"));
}

#[tokio::test]
async fn a_bad_redirect_uri_gets_a_page_not_a_redirect() {
    let sb = sandbox().await;
    for redirect in [
        "https://evil.example/callback",
        "http://127.0.0.1:5555/other",
        "http://127.0.0.1/callback",
    ] {
        let resp = client()
            .get(format!("{}/oauth2/authorizations/new", sb.base_url()))
            .query(&[("client_id", "sandbox-desktop"), ("redirect_uri", redirect)])
            .send()
            .await
            .expect("authorize");
        assert_eq!(
            resp.status(),
            400,
            "{redirect}: RFC 6749 §4.1.2.1, no redirect"
        );
    }
}

#[tokio::test]
async fn checklist_24_25_rotated_refresh_tokens_revoke_the_grant_when_reused() {
    let sb = sandbox().await;
    let code = get(&authorize(&sb, &[]).await, "code")
        .expect("code")
        .to_owned();
    let (_, first) = exchange(&sb, &code, REDIRECT, VERIFIER).await;
    let rt1 = first["refresh_token"].as_str().expect("rt1").to_owned();
    let refresh = |rt: String| {
        let sb = &sb;
        async move {
            token(
                sb,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", "sandbox-desktop"),
                    ("refresh_token", &rt),
                ],
            )
            .await
        }
    };
    let (status, second) = refresh(rt1.clone()).await;
    assert_eq!(status, 200, "{second}");
    let rt2 = second["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_owned();
    assert_ne!(rt1, rt2, "the sandbox client rotates refresh tokens");
    let (status, json) = refresh(rt1).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_grant")),
        "reuse is refused"
    );
    let (status, _) = refresh(rt2).await;
    assert_eq!(status, 400, "and the whole grant is revoked");
}

#[tokio::test]
async fn the_strict_server_drops_scopes_and_gives_a_refresh_token_only_with_consent() {
    let mut config = Config::strict_with_issuer_path();
    config.consent = Consent::Approve;
    let sb = Sandbox::start_with(config, 0).await.expect("sandbox");

    // No prompt=consent: a token, no refresh token; `offline_access` is never listed.
    let cb = authorize(&sb, &[]).await;
    assert_eq!(
        get(&cb, "iss"),
        Some(sb.issuer().as_str()),
        "the path issuer"
    );
    assert!(sb.issuer().ends_with("/oauth2/default"));
    let (status, json) = exchange(&sb, get(&cb, "code").expect("code"), REDIRECT, VERIFIER).await;
    assert_eq!(status, 200, "{json}");
    assert!(json.get("refresh_token").is_none(), "{json}");
    assert_eq!(json["scope"], "core.user.read");

    // With it: a refresh token, and still no `offline_access` in `scope`.
    let cb = authorize(&sb, &[("prompt", "consent")]).await;
    let (_, json) = exchange(&sb, get(&cb, "code").expect("code"), REDIRECT, VERIFIER).await;
    assert!(json["refresh_token"].is_string(), "{json}");
    assert_eq!(json["scope"], "core.user.read");

    // A scope the client may not have is dropped silently; `scope` says what was granted.
    let cb = authorize(&sb, &[("scope", "core.user.read core.invoice.write")]).await;
    assert!(get(&cb, "error").is_none(), "{cb:?}");
    let (_, json) = exchange(&sb, get(&cb, "code").expect("code"), REDIRECT, VERIFIER).await;
    assert_eq!(json["scope"], "core.user.read");

    // A request without scope gets a token with none, and an answer without `scope`.
    let (status, json) = token(
        &sb,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "sandbox-integration"),
            ("client_secret", "sandbox-integration-secret"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{json}");
    assert!(json.get("scope").is_none(), "{json}");

    // A grant the client may not use: `invalid_request`, as certified servers answer.
    let (status, json) = token(
        &sb,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "sandbox-desktop"),
        ],
    )
    .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_request")),
        "{json}"
    );
}
