//! Two processes at once on one grant: the app and the command-line tool share the connections
//! folder and the keyring. Against the sandbox with rotating refresh tokens and reuse detection
//! (the reuse of an old refresh token revokes the whole grant, RFC 9700 §4.14.2), and the real
//! keyring.

mod common;

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{FollowBrowser, sandbox_connection, spawn_child, test_keyring};
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::GrantType;
use connmgr_core::storage::keyring::SecretStore;
use connmgr_core::tokens::Tokens;
use connmgr_sandbox::config::{Consent, UnknownScope};
use connmgr_sandbox::{Config, Sandbox};

/// Processes that renew at once.
const PROCESSES: usize = 3;
/// The sandbox's token lifetime: a token is renewed when under a minute is left, so one of
/// 66 seconds is due six seconds after it was issued.
const LIFETIME_SECS: u64 = 66;

fn tokens_in(dir: &str) -> Tokens {
    let store: Arc<dyn SecretStore> = Arc::new(test_keyring());
    Tokens::new(HttpClient::new().expect("http"), store).shared_in(dir)
}

fn fingerprint(token: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    token.hash(&mut h);
    h.finish()
}

/// Run as a child by `two_processes_renewing_one_rotating_grant_make_one_token_request`: waits
/// for the agreed moment, then asks for a usable token as a front end would.
#[tokio::test]
#[ignore = "a child process of two_processes_renewing_one_rotating_grant_make_one_token_request"]
async fn child_gets_a_token() {
    let dir = std::env::var("CONNMGR_CHILD_STORE").expect("CONNMGR_CHILD_STORE");
    let connection: connmgr_core::Connection =
        serde_json::from_str(&std::env::var("CONNMGR_CHILD_CONNECTION").expect("connection"))
            .expect("a connection");
    let at: u64 = std::env::var("CONNMGR_CHILD_AT")
        .expect("CONNMGR_CHILD_AT")
        .parse()
        .expect("a time");
    let tokens = tokens_in(&dir);
    let wait = Duration::from_millis(at).saturating_sub(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default(),
    );
    tokio::time::sleep(wait).await;
    match tokens.get(&connection).await {
        // On a line of its own: the test harness prints the test's name before its output.
        Ok(token) => println!("\ntoken: {}", fingerprint(token.token.expose())),
        Err(err) => println!("\nerror: {:?} {err}", err.code()),
    }
}

#[tokio::test]
async fn two_processes_renewing_one_rotating_grant_make_one_token_request() {
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    config.unknown_scope = UnknownScope::Drop;
    config.token_lifetime_secs = LIFETIME_SECS;
    let sb = Sandbox::start_with(config, 0).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_str = dir.path().to_str().expect("utf-8");
    let tokens = tokens_in(dir_str);
    let mut c = sandbox_connection(
        &sb,
        "sandbox-desktop",
        GrantType::AuthorizationCode,
        &["core.user.read", "offline_access"],
    );
    c.settings.extra_params.push(common::consent());
    let first = tokens
        .sign_in(
            &c,
            &FollowBrowser,
            Duration::from_secs(20),
            std::future::pending(),
        )
        .await
        .expect("signed in");
    assert!(first.info.has_refresh_token);
    let before = sb.stats().token_requests;

    // Every child starts, then waits for the moment the token is due, so they renew at once.
    let due_at = SystemTime::now() + Duration::from_secs(LIFETIME_SECS - 60 + 1);
    let at = due_at
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis()
        .to_string();
    let json = serde_json::to_string(&c).expect("json");
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            spawn_child(
                "child_gets_a_token",
                &[
                    ("CONNMGR_CHILD_STORE", dir_str),
                    ("CONNMGR_CHILD_CONNECTION", &json),
                    ("CONNMGR_CHILD_AT", &at),
                ],
            )
        })
        .collect();
    let mut got = Vec::new();
    for child in children {
        let out = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .expect("join")
            .expect("wait");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "child failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = stdout
            .lines()
            .find(|l| l.starts_with("token: ") || l.starts_with("error: "))
            .unwrap_or_default()
            .to_owned();
        got.push(line);
    }

    assert!(
        got.iter().all(|l| l.starts_with("token: ")),
        "every process got a token: {got:?}"
    );
    assert!(
        got.windows(2).all(|w| w[0] == w[1]),
        "they share the one renewed token: {got:?}"
    );
    assert_ne!(
        got[0],
        format!("token: {}", fingerprint(first.token.expose())),
        "the token was renewed"
    );
    assert_eq!(
        sb.stats().token_requests - before,
        1,
        "one token request for {PROCESSES} processes"
    );
    // The grant survives: the rotated refresh token the keyring now holds still works.
    let again = tokens
        .renew_now(&c)
        .await
        .expect("the grant is still alive");
    assert!(again.info.has_refresh_token);
    tokens.forget(&c.id).expect("clean up");
    assert!(
        dir.path().join("locks").is_dir(),
        "the locks live beside the connections file"
    );
}
