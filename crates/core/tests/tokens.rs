//! Token management against the sandbox and the real keyring: caching, single flight, refresh
//! with rotation persisted first, invalid_grant handling. Names carry checklist item numbers.

mod common;

use std::sync::Arc;

use common::{sandbox_connection, test_keyring};
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::GrantType;
use connmgr_core::storage::keyring::{SecretKind, SecretStore};
use connmgr_core::tokens::Tokens;
use connmgr_core::{ErrorCode, Secret};
use connmgr_sandbox::config::Consent;
use connmgr_sandbox::{Config, Sandbox};

async fn sandbox(lifetime: u64) -> Sandbox {
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    config.token_lifetime_secs = lifetime;
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

fn tokens() -> (Tokens, Arc<dyn SecretStore>) {
    let store: Arc<dyn SecretStore> = Arc::new(test_keyring());
    (
        Tokens::new(HttpClient::new().expect("http"), store.clone()),
        store,
    )
}

fn cc_connection(sb: &Sandbox, store: &Arc<dyn SecretStore>) -> connmgr_core::Connection {
    let c = sandbox_connection(
        sb,
        "sandbox-integration",
        GrantType::ClientCredentials,
        &["core.user.read"],
    );
    store
        .set(
            &c.id,
            SecretKind::ClientSecret,
            &Secret::new("sandbox-integration-secret"),
        )
        .expect("secret");
    c
}

#[tokio::test]
async fn checklist_26_a_cached_token_is_reused_until_a_minute_before_it_expires() {
    let (tokens, store) = tokens();
    let long = sandbox(3600).await;
    let c = cc_connection(&long, &store);
    let a = tokens.get(&c).await.expect("token");
    let b = tokens.get(&c).await.expect("token");
    assert!(a.token.matches(&b.token), "the cached token is reused");
    assert_eq!(long.stats().token_requests, 1);

    let short = sandbox(30).await; // under a minute: never good enough to reuse
    let c2 = cc_connection(&short, &store);
    tokens.get(&c2).await.expect("token");
    tokens.get(&c2).await.expect("token");
    assert_eq!(
        short.stats().token_requests,
        2,
        "renewed when less than 60 s is left"
    );
    for c in [&c, &c2] {
        store.delete_all(&c.id).expect("clean up");
    }
}

#[tokio::test]
async fn checklist_25_ten_parallel_requests_make_one_token_call() {
    let (tokens, store) = tokens();
    let sb = sandbox(3600).await;
    let c = cc_connection(&sb, &store);
    let calls = (0..10).map(|_| tokens.get(&c));
    let got = futures_util::future::join_all(calls).await;
    let first = got[0].as_ref().expect("token").token.clone();
    assert!(
        got.iter()
            .all(|r| r.as_ref().is_ok_and(|t| t.token.matches(&first))),
        "all get the same token"
    );
    assert_eq!(sb.stats().token_requests, 1, "single flight");
    store.delete_all(&c.id).expect("clean up");
}

#[tokio::test]
async fn checklist_20_25_refresh_rotates_and_the_grant_survives_parallel_callers() {
    let (tokens, store) = tokens();
    // The sign-in's token lives less than the 60 s renewal margin, so the next use renews it;
    // the renewed one lives an hour, so no caller that waited for it renews it again, however
    // slow the machine.
    let sb = sandbox(30).await;
    let (c, signed) = common::signed_in(&sb, &tokens).await;
    assert!(signed.info.has_refresh_token);
    let rt1 = store
        .get(&c.id, SecretKind::RefreshToken)
        .expect("get")
        .expect("stored");
    sb.set_token_lifetime(3600);

    let calls = (0..10).map(|_| tokens.get(&c));
    let got = futures_util::future::join_all(calls).await;
    assert!(
        got.iter().all(Result::is_ok),
        "every caller gets a token: {:?}",
        got.iter().find(|r| r.is_err())
    );
    assert_eq!(
        sb.stats().token_requests,
        2,
        "the sign-in, then one refresh for ten callers"
    );
    let rt2 = store
        .get(&c.id, SecretKind::RefreshToken)
        .expect("get")
        .expect("stored");
    assert!(!rt1.matches(&rt2), "the rotated refresh token was stored");

    // The grant survived: the stored refresh token still works.
    tokens
        .renew_now(&c)
        .await
        .expect("refresh again with the rotated token");
    tokens.forget(&c.id).expect("forget");
    assert!(
        store
            .get(&c.id, SecretKind::RefreshToken)
            .expect("get")
            .is_none()
    );
    assert!(tokens.cached(&c.id).expect("cached").is_none());
}

#[tokio::test]
async fn checklist_24_invalid_grant_on_refresh_deletes_the_refresh_token_without_retrying() {
    let (tokens, store) = tokens();
    let sb = sandbox(61).await;
    let (c, _) = common::signed_in(&sb, &tokens).await;
    sb.forget_grants(); // as a restarted server would
    let before = sb.stats().token_requests;
    let err = tokens.renew_now(&c).await.expect_err("the grant is gone");
    assert_eq!(err.code(), ErrorCode::InvalidGrant);
    assert!(err.to_string().contains("Sign in again"), "{err}");
    assert_eq!(sb.stats().token_requests, before + 1, "no retry loop");
    assert!(
        store
            .get(&c.id, SecretKind::RefreshToken)
            .expect("get")
            .is_none(),
        "the refresh token is deleted"
    );
}

#[tokio::test]
async fn with_auto_refresh_off_an_expiring_token_is_reported_not_renewed() {
    let (tokens, store) = tokens();
    let sb = sandbox(30).await;
    let mut c = cc_connection(&sb, &store);
    tokens.get(&c).await.expect("first token");
    c.settings.auto_refresh = false;
    let err = tokens.get(&c).await.expect_err("expiring");
    assert_eq!(err.code(), ErrorCode::TokenExpired);
    assert_eq!(sb.stats().token_requests, 1);
    store.delete_all(&c.id).expect("clean up");
}

#[tokio::test]
async fn checklist_20_a_refresh_without_a_new_refresh_token_keeps_the_old_one() {
    let (tokens, store) = tokens();
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    for client in &mut config.clients {
        client.rotate_refresh_tokens = false; // the refresh answer has no refresh_token
    }
    let sb = Sandbox::start_with(config, 0).await.expect("sandbox");
    let (c, _) = common::signed_in(&sb, &tokens).await;
    let rt = |store: &Arc<dyn SecretStore>| {
        store
            .get(&c.id, SecretKind::RefreshToken)
            .expect("get")
            .expect("a refresh token is held")
    };
    let before = rt(&store);
    tokens.renew_now(&c).await.expect("refreshed");
    assert!(rt(&store).matches(&before), "the old refresh token is kept");
    let again = tokens.renew_now(&c).await.expect("and it still works");
    assert!(again.info.has_refresh_token);
    assert_eq!(sb.stats().token_requests, 3);
    tokens.forget(&c.id).expect("clean up");
}

/// The real keyring, except that caching an access token fails while `refuse` is set: as if the
/// app died between the refresh answer and caching the new access token.
#[derive(Debug)]
struct RefusesAccessTokens {
    inner: connmgr_core::storage::keyring::KeyringStore,
    refuse: std::sync::atomic::AtomicBool,
}

impl SecretStore for RefusesAccessTokens {
    fn get(&self, id: &str, kind: SecretKind) -> Result<Option<Secret>, connmgr_core::Error> {
        self.inner.get(id, kind)
    }
    fn set(&self, id: &str, kind: SecretKind, value: &Secret) -> Result<(), connmgr_core::Error> {
        if kind == SecretKind::AccessToken && self.refuse.load(std::sync::atomic::Ordering::SeqCst)
        {
            return Err(connmgr_core::Error::KeyringUnavailable(
                "refused by the test".to_owned(),
            ));
        }
        self.inner.set(id, kind, value)
    }
    fn delete(&self, id: &str, kind: SecretKind) -> Result<(), connmgr_core::Error> {
        self.inner.delete(id, kind)
    }
}

#[tokio::test]
async fn checklist_20_a_rotated_refresh_token_is_stored_before_anything_else() {
    let keyring = Arc::new(RefusesAccessTokens {
        inner: test_keyring(),
        refuse: std::sync::atomic::AtomicBool::new(false),
    });
    let store: Arc<dyn SecretStore> = keyring.clone();
    let tokens = Tokens::new(HttpClient::new().expect("http"), store.clone());
    let sb = sandbox(3600).await; // the demo's desktop client rotates and revokes on reuse
    let (c, _) = common::signed_in(&sb, &tokens).await;
    let first = store
        .get(&c.id, SecretKind::RefreshToken)
        .expect("get")
        .expect("held");

    keyring
        .refuse
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let err = tokens
        .renew_now(&c)
        .await
        .expect_err("caching the access token fails");
    assert_eq!(err.code(), ErrorCode::KeyringUnavailable);
    let kept = store
        .get(&c.id, SecretKind::RefreshToken)
        .expect("get")
        .expect("held");
    assert!(
        !kept.matches(&first),
        "the rotated refresh token was stored before the access token was cached"
    );

    keyring
        .refuse
        .store(false, std::sync::atomic::Ordering::SeqCst);
    tokens
        .renew_now(&c)
        .await
        .expect("the grant survived: the stored refresh token is the live one");
    tokens.forget(&c.id).expect("clean up");
}

/// A log sink for one test: every line written, kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Checklist 27, the logs: every line at trace level (the libraries' too, the sandbox's own
/// left out) during a sign-in, a refresh and a revocation, searched for every value that
/// passed through: the authorization code, the PKCE verifier, both access tokens and both
/// refresh tokens.
///
/// In a child process of its own, where the capture is the global subscriber: a subscriber
/// set for one thread misses the lines of the others (the keyring's blocking calls), and
/// tests running beside it in the same process can leave tracing's level hint and callsite
/// cache saying "off", so that almost nothing is captured.
#[test]
fn checklist_27_logs_at_trace_level_hold_no_code_verifier_or_token() {
    let out = common::spawn_child("child_capturing_every_trace_line", &[])
        .wait_with_output()
        .expect("the child ran");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("trace capture: every line searched"),
        "{said}"
    );
}

#[tokio::test]
#[ignore = "a child process of checklist_27_logs_at_trace_level_hold_no_code_verifier_or_token"]
async fn child_capturing_every_trace_line() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "trace,connmgr_sandbox=off",
        ))
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let (tokens, store) = tokens();
    let sb = sandbox(3600).await;
    let (c, first) = common::signed_in(&sb, &tokens).await;
    let rt1 = store
        .get(&c.id, SecretKind::RefreshToken)
        .expect("get")
        .expect("stored");
    let renewed = tokens.renew_now(&c).await.expect("refreshed");
    let rt2 = store
        .get(&c.id, SecretKind::RefreshToken)
        .expect("get")
        .expect("stored");
    tokens.forget(&c.id).expect("forget");

    let exchange = sb.exchanges_seen().pop().expect("the code exchange");
    let values = [
        ("the authorization code", exchange.code),
        ("the PKCE verifier", exchange.code_verifier),
        ("the first access token", first.token.expose().to_owned()),
        (
            "the renewed access token",
            renewed.token.expose().to_owned(),
        ),
        ("the first refresh token", rt1.expose().to_owned()),
        ("the rotated refresh token", rt2.expose().to_owned()),
    ];
    let logs = String::from_utf8_lossy(&captured.0.lock().expect("lock")).into_owned();
    assert!(
        logs.lines().count() > 20 && logs.contains("TRACE"),
        "trace-level lines were written: {} lines",
        logs.lines().count()
    );
    for (what, value) in values {
        assert!(!value.is_empty(), "{what} was seen");
        assert!(!logs.contains(&value), "{what} is in the logs");
    }
    println!(
        "trace capture: every line searched ({} lines)",
        logs.lines().count()
    );
}
