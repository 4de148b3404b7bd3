//! Client-credentials tokens from the local sandbox over real HTTP: success both ways of client
//! authentication, the errors an admin meets with their hints, and URLs refused before sending.

mod common;

use connmgr_core::Connection;
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::{ClientAuth, GrantType};
use connmgr_core::oauth::client_credentials;
use connmgr_core::{ErrorCode, Secret};
use connmgr_sandbox::config::{ClientConfig, Grant, UnknownScope};
use connmgr_sandbox::{Config, Sandbox};

const ODD_SECRET: &str = "s3c+r/e:t%&=";

async fn sandbox(unknown: UnknownScope) -> Sandbox {
    let mut config = Config::strict();
    config.unknown_scope = unknown;
    config.clients.push(ClientConfig {
        id: "odd client".to_owned(),
        secret: Some(ODD_SECRET.to_owned()),
        grants: vec![Grant::ClientCredentials],
        scopes: vec!["core.user.read".to_owned()],
        rotate_refresh_tokens: false,
        public_keys: Vec::new(),
    });
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

fn connection(sb: &Sandbox, client_id: &str, scopes: &[&str]) -> Connection {
    common::sandbox_connection(sb, client_id, GrantType::ClientCredentials, scopes)
}

fn http() -> HttpClient {
    HttpClient::new().expect("http client")
}

#[tokio::test]
async fn a_token_with_the_secret_in_the_body() {
    let sb = sandbox(UnknownScope::Reject).await;
    let conn = connection(
        &sb,
        "sandbox-integration",
        &["core.user.read", "core.invoice.read"],
    );
    let token = client_credentials(&http(), &conn, &Secret::new("sandbox-integration-secret"))
        .await
        .expect("a token");
    let jwt = token
        .info
        .jwt
        .as_ref()
        .expect("the sandbox issues JWT-shaped tokens");
    assert!(!jwt.verified, "claims are shown, not trusted");
    assert!(
        jwt.claims
            .iter()
            .any(|c| c.name == "client_id" && c.value == "\"sandbox-integration\"")
    );
    assert_eq!(token.info.token_type, "Bearer");
    assert_eq!(
        token.info.granted_scopes,
        ["core.user.read", "core.invoice.read"]
    );
    assert!(token.info.missing_scopes.is_empty());
    assert!(!token.info.has_refresh_token);
    let left = token
        .expires_at
        .expect("expiry")
        .since(connmgr_core::time::Timestamp::now());
    assert!(left.as_secs() > 86_000, "about 24 hours: {left:?}");
}

#[tokio::test]
async fn checklist_14_basic_and_body_with_a_secret_full_of_reserved_characters() {
    let sb = sandbox(UnknownScope::Reject).await;
    let mut conn = connection(&sb, "odd client", &["core.user.read"]);
    conn.settings.client_auth = ClientAuth::Basic;
    client_credentials(&http(), &conn, &Secret::new(ODD_SECRET))
        .await
        .expect("Basic works");
    conn.settings.client_auth = ClientAuth::Body;
    client_credentials(&http(), &conn, &Secret::new(ODD_SECRET))
        .await
        .expect("and so does the body");
}

#[tokio::test]
async fn checklist_15_a_wrong_secret_is_invalid_client_with_a_coupa_hint_and_no_secret_in_the_message()
 {
    let sb = sandbox(UnknownScope::Reject).await;
    let conn = connection(&sb, "sandbox-integration", &["core.user.read"]);
    let err = client_credentials(&http(), &conn, &Secret::new("wrong-secret-value"))
        .await
        .expect_err("refused");
    assert_eq!(err.code(), ErrorCode::InvalidClient);
    let text = err.to_string();
    assert!(text.contains("OAuth2/OpenID Connect Clients"), "{text}");
    assert!(!text.contains("wrong-secret-value"), "{text}");
}

#[tokio::test]
async fn a_scope_the_client_may_not_have_names_coupas_setup_screen() {
    let sb = sandbox(UnknownScope::Reject).await;
    let conn = connection(
        &sb,
        "sandbox-integration",
        &["core.user.read", "core.invoice.delete"],
    );
    let err = client_credentials(&http(), &conn, &Secret::new("sandbox-integration-secret"))
        .await
        .expect_err("invalid_scope");
    assert_eq!(err.code(), ErrorCode::InvalidScope);
    assert!(
        err.to_string()
            .contains("Setup > Integrations > OAuth2/OpenID Connect Clients"),
        "{err}"
    );
    // The server's description names the refused scope: the hint names it, and only it.
    let hint = match &err {
        connmgr_core::Error::OAuth { hint, .. } => hint.clone(),
        other => panic!("{other}"),
    };
    assert!(
        hint.contains("does not allow core.invoice.delete"),
        "{hint}"
    );
    assert!(
        !hint.contains("core.user.read"),
        "an allowed scope is not blamed: {hint}"
    );
}

#[tokio::test]
async fn checklist_19_a_silently_narrowed_grant_is_reported() {
    let sb = sandbox(UnknownScope::Drop).await;
    let conn = connection(
        &sb,
        "sandbox-integration",
        &["core.user.read", "core.invoice.delete"],
    );
    let token = client_credentials(&http(), &conn, &Secret::new("sandbox-integration-secret"))
        .await
        .expect("a token");
    assert_eq!(token.info.granted_scopes, ["core.user.read"]);
    assert_eq!(token.info.missing_scopes, ["core.invoice.delete"]);
}

#[tokio::test]
async fn checklist_23_a_host_outside_the_valid_domains_or_plain_http_is_never_called() {
    let sb = sandbox(UnknownScope::Reject).await;
    let mut conn = connection(&sb, "sandbox-integration", &["core.user.read"]);
    conn.settings.valid_domains = vec!["coupahost.com".to_owned()];
    let err = client_credentials(&http(), &conn, &Secret::new("sandbox-integration-secret"))
        .await
        .expect_err("refused");
    assert_eq!(err.code(), ErrorCode::DomainNotAllowed);
    assert_eq!(sb.stats().token_requests, 0, "nothing was sent");

    conn.settings.valid_domains = vec!["example.test".to_owned()];
    conn.endpoints.token_url = "http://login.example.test/oauth2/token".to_owned();
    let err = client_credentials(&http(), &conn, &Secret::new("x"))
        .await
        .expect_err("http to a real host");
    assert_eq!(err.code(), ErrorCode::DomainNotAllowed);
    assert!(err.to_string().contains("https://"), "{err}");
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error_with_a_hint() {
    let sb = sandbox(UnknownScope::Reject).await;
    let mut conn = connection(&sb, "sandbox-integration", &["core.user.read"]);
    sb.stop().await;
    conn.endpoints.token_url = format!(
        "{}/oauth2/token",
        conn.endpoints.api_base_url.clone().unwrap_or_default()
    );
    let err = client_credentials(&http(), &conn, &Secret::new("x"))
        .await
        .expect_err("nothing listens");
    assert_eq!(err.code(), ErrorCode::Connect);
    assert!(err.to_string().contains("proxy"), "{err}");
}

#[tokio::test]
async fn a_url_that_is_not_a_token_endpoint_is_a_bad_response() {
    // The API path refuses POST with an empty 405: what a mistyped token URL often gets.
    let sb = sandbox(UnknownScope::Reject).await;
    let mut conn = connection(&sb, "sandbox-integration", &["core.user.read"]);
    conn.endpoints.token_url = format!("{}/api/users", sb.base_url());
    let err = client_credentials(&http(), &conn, &Secret::new("sandbox-integration-secret"))
        .await
        .expect_err("not a token endpoint");
    assert_eq!(err.code(), ErrorCode::BadResponse, "{err}");
    assert!(
        err.to_string().contains("HTTP 405"),
        "the status is named: {err}"
    );
}
