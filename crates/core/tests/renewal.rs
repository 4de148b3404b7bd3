//! Background renewal (auto-refresh) against the sandbox and the real keyring: which tokens are
//! renewed, that the new one is the one cached, that a failure waits before another try, and
//! that a renewal does not count as a use.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::{coupa_draft, sandbox_connection, test_keyring};
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::{GrantType, TokenSummary};
use connmgr_core::oauth::TokenInfo;
use connmgr_core::storage::connections_file::Store;
use connmgr_core::storage::keyring::{SecretKind, SecretStore};
use connmgr_core::time::Timestamp;
use connmgr_core::tokens::Tokens;
use connmgr_core::tokens::renewal::{RETRY_AFTER, Renewal};
use connmgr_core::{Connection, ErrorCode, SavedConnections, Secret};
use connmgr_sandbox::{Config, Sandbox};

const SECRET: &str = "sandbox-integration-secret";

async fn sandbox(lifetime: u64) -> Sandbox {
    let mut config = Config::strict();
    config.token_lifetime_secs = lifetime;
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

/// A client-credentials connection to `sb` with its secret in the keyring.
fn connection(sb: &Sandbox, store: &Arc<dyn SecretStore>) -> Connection {
    let mut c = sandbox_connection(
        sb,
        "sandbox-integration",
        GrantType::ClientCredentials,
        &["core.user.read"],
    );
    store
        .set(&c.id, SecretKind::ClientSecret, &Secret::new(SECRET))
        .expect("secret");
    c.has_client_secret = true;
    c
}

/// The connection as the store has it after `token` was noted.
fn noted(mut c: Connection, token: &TokenInfo) -> Connection {
    c.token = Some(TokenSummary {
        obtained_at: token.obtained_at,
        expires_at: token.expires_at,
        has_refresh_token: token.has_refresh_token,
    });
    c
}

#[tokio::test]
async fn a_token_near_its_expiry_is_renewed_and_the_others_are_left() {
    let store: Arc<dyn SecretStore> = Arc::new(test_keyring());
    let tokens = Tokens::new(HttpClient::new().expect("http"), store.clone());
    let short = sandbox(45).await; // due in the second half of its life
    let long = sandbox(24 * 60 * 60).await;

    let a = connection(&short, &store);
    let first = tokens.get(&a).await.expect("token");
    let a = noted(a, &first.info);
    let b = connection(&long, &store);
    let b_token = tokens.get(&b).await.expect("token");
    let b = noted(b, &b_token.info);
    let mut off = connection(&short, &store);
    off.settings.auto_refresh = false;
    let off_token = tokens.get(&off).await.expect("token");
    let off = noted(off, &off_token.info);
    let never = connection(&short, &store); // no token got yet: nothing to keep fresh

    let renewal = Renewal::new(tokens.clone());
    let done = renewal
        .run(
            &[a.clone(), b.clone(), off.clone(), never],
            SystemTime::now() + Duration::from_secs(30),
        )
        .await;
    assert_eq!(
        done.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [a.id.as_str()],
        "only the short-lived token with auto-refresh on"
    );
    let renewed = done[0].result.as_ref().expect("renewed");
    assert!(!renewed.token.matches(&first.token), "a new token");
    let cached = tokens.cached(&a.id).expect("cache").expect("cached");
    assert!(
        cached.token.matches(&renewed.token),
        "the new token is the one cached"
    );
    assert_eq!(short.stats().token_requests, 3, "a, off, then a's renewal");
    assert_eq!(long.stats().token_requests, 1, "b is far from its expiry");
    for c in [&a, &b, &off] {
        tokens.forget(&c.id).expect("clean up");
    }
}

#[tokio::test]
async fn a_failed_renewal_is_left_alone_for_a_while_then_tried_again() {
    let store: Arc<dyn SecretStore> = Arc::new(test_keyring());
    let tokens = Tokens::new(HttpClient::new().expect("http"), store.clone());
    let sb = sandbox(3600).await; // due in its last 10 minutes
    let c = connection(&sb, &store);
    let first = tokens.get(&c).await.expect("token");
    let c = noted(c, &first.info);
    let renewal = Renewal::new(tokens.clone());
    let late = SystemTime::now() + Duration::from_secs(3000);
    assert!(
        renewal
            .run(std::slice::from_ref(&c), SystemTime::now())
            .await
            .is_empty(),
        "not due yet"
    );

    store
        .set(
            &c.id,
            SecretKind::ClientSecret,
            &Secret::new("not-the-secret"),
        )
        .expect("secret");
    let done = renewal.run(std::slice::from_ref(&c), late).await;
    let err = done[0].result.as_ref().expect_err("the secret is wrong");
    assert_eq!(err.code(), ErrorCode::InvalidClient, "{err}");
    assert!(
        renewal
            .run(std::slice::from_ref(&c), late + Duration::from_secs(60))
            .await
            .is_empty(),
        "left alone after a failure"
    );
    store
        .set(&c.id, SecretKind::ClientSecret, &Secret::new(SECRET))
        .expect("secret");
    let done = renewal
        .run(std::slice::from_ref(&c), late + RETRY_AFTER)
        .await;
    assert!(done[0].result.is_ok(), "tried again: {:?}", done[0].result);
    assert_eq!(
        sb.stats().token_requests,
        3,
        "the token, the failure, the renewal"
    );
    tokens.forget(&c.id).expect("clean up");
}

#[test]
fn a_renewal_changes_the_token_state_but_not_when_the_connection_was_last_used() {
    let dir = tempfile::tempdir().expect("temp dir");
    let kr: Arc<dyn SecretStore> = Arc::new(test_keyring());
    let conns = SavedConnections::new(Store::new(dir.path()), kr);
    let saved = conns
        .save(&coupa_draft("Renewed", Some(SECRET)))
        .expect("save");
    let time = |t: &str| Timestamp::parse(t).expect("a time");
    let info = |obtained: &str| TokenInfo {
        token_type: "Bearer".to_owned(),
        obtained_at: time(obtained),
        expires_at: Some(time("2026-12-02T00:00:00.000Z")),
        granted_scopes: vec!["core.user.read".to_owned()],
        missing_scopes: Vec::new(),
        has_refresh_token: false,
        expiry_from_jwt: false,
        notes: Vec::new(),
        jwt: None,
        id_token: None,
    };
    let used = conns
        .record_token(&saved.id, Some(&info("2026-12-01T00:00:00.000Z")))
        .expect("noted");
    let last_used = used.last_used.expect("a use is noted");
    std::thread::sleep(Duration::from_millis(5));
    let renewed = conns
        .record_renewal(&saved.id, Some(&info("2026-12-01T20:00:00.000Z")))
        .expect("noted");
    assert_eq!(
        renewed.token.as_ref().map(|t| t.obtained_at),
        Some(time("2026-12-01T20:00:00.000Z"))
    );
    assert_eq!(renewed.last_used, Some(last_used), "a renewal is not a use");
    conns.delete(&saved.id).expect("clean up");
}
