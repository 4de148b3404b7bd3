//! The connection tester against the local sandbox over real HTTP.

use std::sync::{Arc, Mutex};

mod common;

use connmgr_core::Connection;
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::GrantType;
use connmgr_core::storage::keyring::{SecretKind, SecretStore};
use connmgr_core::tester::{StepId, StepStatus, run};
use connmgr_core::tokens::Tokens;
use connmgr_core::{ErrorCode, Secret};
use connmgr_sandbox::Sandbox;

fn connection(sb: &Sandbox, scopes: &[&str]) -> Connection {
    common::sandbox_connection(
        sb,
        "sandbox-integration",
        GrantType::ClientCredentials,
        scopes,
    )
}

const SECRET: &str = "sandbox-integration-secret";

/// Tokens kept in the test keyring, with `secret` stored as the connection's client secret.
fn tokens_for(conn: &Connection, secret: &str) -> Tokens {
    let store: Arc<dyn SecretStore> = Arc::new(common::test_keyring());
    store
        .set(&conn.id, SecretKind::ClientSecret, &Secret::new(secret))
        .expect("secret");
    Tokens::new(HttpClient::new().expect("http"), store)
}

#[tokio::test]
async fn every_step_passes_and_progress_is_reported_live() {
    let sb = Sandbox::start(0).await.expect("sandbox");
    let conn = connection(&sb, &["core.user.read"]);
    let seen = Mutex::new(Vec::new());
    let record =
        |s: connmgr_core::tester::StepReport| seen.lock().expect("lock").push((s.id, s.status));
    let report = run(
        &HttpClient::new().expect("http"),
        &tokens_for(&conn, SECRET),
        &conn,
        None,
        &record,
    )
    .await;
    assert!(report.ok, "{report:#?}");
    let api = &report.steps[2];
    assert!(
        api.detail
            .starts_with("GET /api/users?limit=1 → 200 OK · 1 record"),
        "{}",
        api.detail
    );
    assert!(report.steps.iter().all(|s| s.duration_ms.is_some()));
    assert_eq!(
        report.token.as_ref().map(|t| t.granted_scopes.clone()),
        Some(vec!["core.user.read".to_owned()])
    );
    let seen = seen.into_inner().expect("lock");
    assert_eq!(
        seen,
        [
            (StepId::Reach, StepStatus::Running),
            (StepId::Reach, StepStatus::Passed),
            (StepId::Token, StepStatus::Running),
            (StepId::Token, StepStatus::Passed),
            (StepId::Api, StepStatus::Running),
            (StepId::Api, StepStatus::Passed),
        ]
    );
    assert_eq!(report.summary().summary, "All 3 steps passed");
    assert_eq!((sb.stats().token_requests, sb.stats().api_requests), (1, 1));
}

#[tokio::test]
async fn a_missing_scope_fails_the_api_step_with_a_hint_naming_it() {
    let sb = Sandbox::start(0).await.expect("sandbox");
    let conn = connection(&sb, &["core.supplier.read"]);
    let report = run(
        &HttpClient::new().expect("http"),
        &tokens_for(&conn, SECRET),
        &conn,
        None,
        &|_| {},
    )
    .await;
    assert!(!report.ok);
    let api = &report.steps[2];
    assert_eq!(
        (api.status, api.code),
        (StepStatus::Failed, Some(ErrorCode::InvalidScope))
    );
    assert!(api.detail.contains("403"), "{}", api.detail);
    assert!(
        api.hint
            .as_deref()
            .unwrap_or_default()
            .contains("core.user.read"),
        "{:?}",
        api.hint
    );
}

#[tokio::test]
async fn a_wrong_secret_fails_the_token_step_and_skips_the_api() {
    let sb = Sandbox::start(0).await.expect("sandbox");
    let conn = connection(&sb, &["core.user.read"]);
    let report = run(
        &HttpClient::new().expect("http"),
        &tokens_for(&conn, "nope"),
        &conn,
        None,
        &|_| {},
    )
    .await;
    let statuses: Vec<StepStatus> = report.steps.iter().map(|s| s.status).collect();
    assert_eq!(
        statuses,
        [StepStatus::Passed, StepStatus::Failed, StepStatus::Skipped]
    );
    assert_eq!(report.steps[1].code, Some(ErrorCode::InvalidClient));
    assert!(
        report.steps[1]
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("Identifier and Secret")
    );
    assert!(
        report.summary().summary.starts_with("Get a token failed"),
        "{}",
        report.summary().summary
    );
    assert_eq!(sb.stats().api_requests, 0);
}

#[tokio::test]
async fn nothing_listening_fails_the_first_step() {
    let sb = Sandbox::start(0).await.expect("sandbox");
    let conn = connection(&sb, &["core.user.read"]);
    sb.stop().await;
    let report = run(
        &HttpClient::new().expect("http"),
        &tokens_for(&conn, SECRET),
        &conn,
        None,
        &|_| {},
    )
    .await;
    assert_eq!(report.steps[0].status, StepStatus::Failed);
    assert_eq!(report.steps[0].code, Some(ErrorCode::Connect));
    assert!(
        report.steps[1..]
            .iter()
            .all(|s| s.status == StepStatus::Skipped)
    );
}

#[tokio::test]
async fn an_authorization_code_connection_signs_in_through_the_browser_when_it_has_no_token() {
    let mut config = connmgr_sandbox::Config::strict();
    config.consent = connmgr_sandbox::config::Consent::Approve;
    let sb = Sandbox::start_with(config, 0).await.expect("sandbox");
    let mut conn = common::sandbox_connection(
        &sb,
        "sandbox-desktop",
        GrantType::AuthorizationCode,
        &["core.user.read", "offline_access"],
    );
    conn.settings.extra_params.push(common::consent());
    let store: Arc<dyn SecretStore> = Arc::new(common::test_keyring());
    let tokens = Tokens::new(HttpClient::new().expect("http"), store);
    let details = Mutex::new(Vec::new());
    let record = |s: connmgr_core::tester::StepReport| details.lock().expect("lock").push(s.detail);
    let sign_in = connmgr_core::tester::SignIn {
        opener: &common::FollowBrowser,
        timeout: std::time::Duration::from_secs(20),
        cancel: Box::pin(std::future::pending()),
    };
    let report = run(
        &HttpClient::new().expect("http"),
        &tokens,
        &conn,
        Some(sign_in),
        &record,
    )
    .await;
    assert!(report.ok, "{report:#?}");
    assert!(
        report.steps[1].detail.contains("refresh token held"),
        "{}",
        report.steps[1].detail
    );
    assert!(
        details
            .lock()
            .expect("lock")
            .iter()
            .any(|d| d.contains("Waiting for you to sign in")),
        "the wait for the browser is reported"
    );
    // A second test uses the kept token: no new sign-in.
    let again = run(
        &HttpClient::new().expect("http"),
        &tokens,
        &conn,
        None,
        &|_| {},
    )
    .await;
    assert!(again.ok, "{again:#?}");
    tokens.forget(&conn.id).expect("clean up");
}

#[tokio::test]
async fn checklist_26_a_token_the_api_refuses_is_renewed_once_and_the_call_retried() {
    let mut config = connmgr_sandbox::Config::strict();
    config.consent = connmgr_sandbox::config::Consent::Approve;
    let sb = Sandbox::start_with(config, 0).await.expect("sandbox");
    let mut conn = common::sandbox_connection(
        &sb,
        "sandbox-desktop",
        GrantType::AuthorizationCode,
        &["core.user.read", "offline_access"],
    );
    conn.settings.extra_params.push(common::consent());
    let store: Arc<dyn SecretStore> = Arc::new(common::test_keyring());
    let tokens = Tokens::new(HttpClient::new().expect("http"), store);
    tokens
        .sign_in(
            &conn,
            &common::FollowBrowser,
            std::time::Duration::from_secs(20),
            std::future::pending(),
        )
        .await
        .expect("signed in");
    sb.revoke_access_tokens(); // the cached token looks valid but the API no longer knows it
    let before = sb.stats();
    let report = run(
        &HttpClient::new().expect("http"),
        &tokens,
        &conn,
        None,
        &|_| {},
    )
    .await;
    assert!(report.ok, "{report:#?}");
    assert!(
        report.steps[2].detail.contains("after renewing"),
        "{}",
        report.steps[2].detail
    );
    let after = sb.stats();
    assert_eq!(
        after.token_requests - before.token_requests,
        1,
        "one refresh"
    );
    assert_eq!(after.api_requests - before.api_requests, 2, "one retry");

    // 403 is not a token problem: no refresh.
    let narrow = common::sandbox_connection(
        &sb,
        "sandbox-integration",
        GrantType::ClientCredentials,
        &["core.supplier.read"],
    );
    let t = tokens_for(&narrow, SECRET);
    let before = sb.stats();
    let report = run(
        &HttpClient::new().expect("http"),
        &t,
        &narrow,
        None,
        &|_| {},
    )
    .await;
    assert_eq!(report.steps[2].code, Some(ErrorCode::InvalidScope));
    assert_eq!(
        sb.stats().token_requests - before.token_requests,
        1,
        "only the test's own token, no refresh"
    );
    tokens.forget(&conn.id).expect("clean up");
}

#[tokio::test]
async fn a_rate_limited_api_call_fails_with_coupas_limit_in_the_hint() {
    let mut config = connmgr_sandbox::Config::strict();
    config.api_rate_limit = Some(connmgr_sandbox::config::RateLimit {
        per_second: 0.001,
        burst: 1,
    });
    let sb = Sandbox::start_with(config, 0).await.expect("sandbox");
    let conn = connection(&sb, &["core.user.read"]);
    let tokens = tokens_for(&conn, SECRET);
    let http = HttpClient::new().expect("http");
    let first = run(&http, &tokens, &conn, None, &|_| {}).await;
    assert!(first.ok, "the one call the limit allows: {first:#?}");
    let second = run(&http, &tokens, &conn, None, &|_| {}).await;
    let api = &second.steps[2];
    assert_eq!(
        (api.status, api.code),
        (StepStatus::Failed, Some(ErrorCode::ServerError)),
        "{api:#?}"
    );
    assert!(api.detail.contains("429"), "{}", api.detail);
    let hint = api.hint.as_deref().unwrap_or_default();
    assert!(
        hint.starts_with("Too many requests: Coupa allows 25 API calls a second"),
        "{hint}"
    );
    assert!(
        hint.contains("wait a few seconds"),
        "no Retry-After: {hint}"
    );
}
