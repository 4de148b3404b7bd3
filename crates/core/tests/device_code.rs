//! The device authorization grant (RFC 8628) through the workspace, against the sandbox over
//! real HTTP and the real keyring. The sandbox logs the arrival of every poll, so the waits the
//! RFC asks for are checked from the server's side: the interval before every poll (5 s when the
//! server gives none), 5 s more for that and every later poll after `slow_down`, a stop on
//! `access_denied`, and no poll once the code has expired.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::test_keyring;
use connmgr_core::model::connection::{ConnectionDraft, ConnectionSettings, GrantType};
use connmgr_core::storage::connections_file::Store;
use connmgr_core::storage::keyring::SecretStore;
use connmgr_core::{ErrorCode, SecretUpdate, Workspace, http::HttpClient};
use connmgr_sandbox::faults::Fault;
use connmgr_sandbox::oauth::device::DevicePoll;
use connmgr_sandbox::{Config, Sandbox};

/// A little slack for timers and scheduling.
const SLACK: Duration = Duration::from_millis(150);

async fn sandbox(interval: Option<u64>, lifetime: u64) -> Sandbox {
    let mut config = Config::strict();
    config.device_interval_secs = interval;
    config.device_code_lifetime_secs = lifetime;
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

/// A workspace in a new folder with a device-code connection to `sb` saved in it.
fn workspace(sb: &Sandbox) -> (tempfile::TempDir, Workspace, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let keyring: Arc<dyn SecretStore> = Arc::new(test_keyring());
    let ws = Workspace::new(
        Store::new(dir.path()),
        keyring,
        HttpClient::new().expect("http client"),
    );
    let base = sb.base_url();
    let saved = ws
        .save(&ConnectionDraft {
            id: None,
            settings: ConnectionSettings {
                name: "Device".to_owned(),
                subdomain: base.clone(),
                client_id: "sandbox-desktop".to_owned(),
                grant_type: GrantType::DeviceCode,
                device_authorization_url: format!("{base}/oauth2/device_authorization"),
                valid_domains: vec!["127.0.0.1".to_owned()],
                scopes: vec!["core.user.read".to_owned(), "offline_access".to_owned()],
                ..ConnectionSettings::new_coupa()
            },
            client_secret: SecretUpdate::Keep,
            redirect_port_text: None,
        })
        .expect("saved");
    (dir, ws, saved.id)
}

/// The gaps between `start` and each poll, then between polls.
fn gaps(start: Instant, polls: &[DevicePoll]) -> Vec<Duration> {
    let mut last = start;
    polls
        .iter()
        .map(|p| {
            let gap = p.at.duration_since(last);
            last = p.at;
            gap
        })
        .collect()
}

/// Decides for the person once the sandbox has seen `after` polls.
fn decide_after(sb: &Sandbox, user_code: &str, after: usize, approve: bool) {
    let polls = sb.device_polls_handle();
    let code = user_code.to_owned();
    tokio::spawn(async move {
        while polls.count() < after {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(polls.decide(&code, approve), "the code is live");
    });
}

#[tokio::test]
async fn each_poll_waits_the_interval_and_an_approval_gives_tokens() {
    let sb = sandbox(Some(1), 600).await;
    let (_dir, ws, id) = workspace(&sb);
    let start = Instant::now();
    let shown = ws.start_device_sign_in(&id).await.expect("a user code");
    assert_eq!(shown.interval_seconds, 1);
    assert!(shown.verification_uri.ends_with("/oauth2/device"));
    assert!(
        shown
            .verification_uri_complete
            .as_deref()
            .is_some_and(|u| u.ends_with(&shown.user_code)),
        "{shown:?}"
    );
    decide_after(&sb, &shown.user_code, 2, true);
    let token = ws.finish_device_sign_in(&id).await.expect("approved");
    assert!(token.info.has_refresh_token, "offline_access was granted");
    let polls = sb.device_polls();
    let answers: Vec<_> = polls.iter().map(|p| p.answer).collect();
    assert_eq!(
        answers,
        ["authorization_pending", "authorization_pending", "token"]
    );
    for gap in gaps(start, &polls) {
        assert!(gap >= Duration::from_secs(1), "polled after {gap:?}");
        assert!(gap < Duration::from_secs(1) + SLACK * 4, "waited {gap:?}");
    }
    // The grant is held like a browser sign-in's: the list knows, and it renews by refresh.
    let saved = ws.get(&id).expect("saved");
    assert!(saved.token.is_some_and(|t| t.has_refresh_token));
    let renewed = ws.renew(&id).await.expect("renewed by refresh");
    assert_ne!(renewed.token.expose(), token.token.expose());
}

#[tokio::test]
async fn slow_down_adds_five_seconds_to_that_poll_and_every_later_one() {
    let sb = sandbox(Some(1), 600).await;
    sb.set_fault(Some(Fault::SlowDown(1)));
    let (_dir, ws, id) = workspace(&sb);
    let start = Instant::now();
    let shown = ws.start_device_sign_in(&id).await.expect("a user code");
    decide_after(&sb, &shown.user_code, 2, true);
    ws.finish_device_sign_in(&id).await.expect("approved");
    let polls = sb.device_polls();
    let answers: Vec<_> = polls.iter().map(|p| p.answer).collect();
    assert_eq!(answers, ["slow_down", "authorization_pending", "token"]);
    let gaps = gaps(start, &polls);
    assert!(gaps[0] >= Duration::from_secs(1) && gaps[0] < Duration::from_secs(2));
    for gap in &gaps[1..] {
        // 1 s + 5 s, each time: never polled too soon again (the sandbox would say slow_down).
        assert!(*gap >= Duration::from_secs(6), "polled after {gap:?}");
        assert!(*gap < Duration::from_secs(6) + SLACK * 4, "waited {gap:?}");
    }
}

#[tokio::test]
async fn without_an_interval_the_client_waits_five_seconds() {
    let sb = sandbox(None, 600).await;
    let (_dir, ws, id) = workspace(&sb);
    let start = Instant::now();
    let shown = ws.start_device_sign_in(&id).await.expect("a user code");
    assert_eq!(shown.interval_seconds, 5, "RFC 8628 §3.2's default");
    assert!(sb.decide_device(&shown.user_code, true));
    ws.finish_device_sign_in(&id).await.expect("approved");
    let polls = sb.device_polls();
    assert_eq!(polls.len(), 1);
    let gap = polls[0].at.duration_since(start);
    assert!(
        gap >= Duration::from_secs(5) && gap < Duration::from_secs(6),
        "{gap:?}"
    );
}

#[tokio::test]
async fn a_denial_stops_polling_with_access_denied() {
    let sb = sandbox(Some(1), 600).await;
    let (_dir, ws, id) = workspace(&sb);
    let shown = ws.start_device_sign_in(&id).await.expect("a user code");
    assert!(sb.decide_device(&shown.user_code, false));
    let err = ws
        .finish_device_sign_in(&id)
        .await
        .expect_err("the person denied it");
    assert_eq!(err.code(), ErrorCode::AccessDenied);
    assert!(err.to_string().contains("denied"), "{err}");
    // Nothing is left to poll (a check that can fail at once), and over one and a half
    // intervals the server sees no further poll.
    assert_eq!(ws.sign_ins_in_progress(&id), 0, "the polling has ended");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sb.device_polls().len(), 1, "no poll after the denial");
    assert!(ws.token_status(&id).expect("status").is_none());
}

#[tokio::test]
async fn an_expired_code_is_never_polled_after_its_expiry() {
    let sb = sandbox(Some(1), 3).await;
    let (_dir, ws, id) = workspace(&sb);
    let start = Instant::now();
    ws.start_device_sign_in(&id).await.expect("a user code");
    let err = ws
        .finish_device_sign_in(&id)
        .await
        .expect_err("nobody approved it");
    let ended = start.elapsed();
    assert_eq!(err.code(), ErrorCode::ExpiredToken);
    assert!(err.to_string().contains("expired"), "{err}");
    assert!(
        ended >= Duration::from_secs(3) - SLACK && ended < Duration::from_secs(4),
        "gave up after {ended:?}"
    );
    let polls = sb.device_polls();
    assert!(!polls.is_empty());
    for poll in &polls {
        assert_eq!(poll.answer, "authorization_pending", "{polls:?}");
        assert!(poll.at.duration_since(start) < Duration::from_secs(3));
    }
}

#[tokio::test]
async fn a_cancelled_sign_in_stops_polling_at_once() {
    let sb = sandbox(Some(1), 600).await;
    let (_dir, ws, id) = workspace(&sb);
    ws.start_device_sign_in(&id).await.expect("a user code");
    let waiting = {
        let ws = ws.clone();
        let id = id.clone();
        tokio::spawn(async move { ws.finish_device_sign_in(&id).await })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(ws.sign_ins_in_progress(&id), 1);
    assert_eq!(ws.cancel_sign_in(&id), 1);
    let err = waiting.await.expect("joined").expect_err("cancelled");
    assert_eq!(err.code(), ErrorCode::Cancelled);
    assert_eq!(ws.sign_ins_in_progress(&id), 0, "the polling has ended");
    let seen = sb.device_polls().len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sb.device_polls().len(), seen, "no poll after the cancel");
    let again = ws.finish_device_sign_in(&id).await.expect_err("used up");
    assert_eq!(again.code(), ErrorCode::Refused);
}

#[tokio::test]
async fn a_client_without_the_grant_is_told_so_before_any_code() {
    let sb = sandbox(Some(1), 600).await;
    let (_dir, ws, id) = workspace(&sb);
    let mut draft_settings = ws.get(&id).expect("saved").settings;
    draft_settings.client_id = "sandbox-integration".to_owned();
    ws.save(&ConnectionDraft {
        id: Some(id.clone()),
        settings: draft_settings,
        client_secret: SecretUpdate::Replace {
            value: connmgr_core::Secret::new("sandbox-integration-secret"),
        },
        redirect_port_text: None,
    })
    .expect("saved");
    let err = ws
        .start_device_sign_in(&id)
        .await
        .expect_err("the client may not use it");
    // The strict server refuses a grant as certified servers do, with `invalid_request`; the
    // hint still names the grant.
    assert_eq!(err.code(), ErrorCode::InvalidRequest, "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with("The device authorization endpoint answered invalid_request"),
        "{text}"
    );
    assert!(text.contains("may use the Device code grant"), "{text}");
}
