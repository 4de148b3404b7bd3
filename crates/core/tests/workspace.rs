//! The core API's bookkeeping against the sandbox and the real keyring: after every token
//! operation, whether it succeeded or failed, the connection's token summary, last use and last
//! test are recorded by the workspace; sign-ins are tracked per attempt; the form's validation
//! reads no file, and a change made by another process is seen.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{FollowBrowser, public_draft, test_keyring};
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::{
    ConnectionDraft, ConnectionSettings, GrantType, SecretUpdate,
};
use connmgr_core::model::listing::ListQuery;
use connmgr_core::oauth::BrowserOpener;
use connmgr_core::storage::connections_file::Store;
use connmgr_core::storage::keyring::SecretStore;
use connmgr_core::{ErrorCode, Secret, Workspace};
use connmgr_sandbox::config::Consent;
use connmgr_sandbox::{Config, Sandbox};

async fn sandbox() -> Sandbox {
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

fn workspace(dir: &std::path::Path) -> Workspace {
    let keyring: Arc<dyn SecretStore> = Arc::new(test_keyring());
    Workspace::new(
        Store::new(dir),
        keyring,
        HttpClient::new().expect("http client"),
    )
}

/// A draft for a connection to the sandbox at `base`.
fn draft(name: &str, base: &str, grant: GrantType, secret: Option<&str>) -> ConnectionDraft {
    let client_id = match grant {
        GrantType::ClientCredentials => "sandbox-integration",
        GrantType::AuthorizationCode | GrantType::DeviceCode => "sandbox-desktop",
    };
    let mut scopes = vec!["core.user.read".to_owned()];
    let mut extra_params = Vec::new();
    if grant == GrantType::AuthorizationCode {
        scopes.push("offline_access".to_owned());
        extra_params.push(common::consent());
    }
    ConnectionDraft {
        id: None,
        settings: ConnectionSettings {
            name: name.to_owned(),
            subdomain: base.to_owned(),
            client_id: client_id.to_owned(),
            grant_type: grant,
            valid_domains: vec!["127.0.0.1".to_owned()],
            scopes,
            extra_params,
            ..ConnectionSettings::new_coupa()
        },
        client_secret: match secret {
            Some(s) => SecretUpdate::Replace {
                value: Secret::new(s),
            },
            None => SecretUpdate::Keep,
        },
        redirect_port_text: None,
    }
}

/// The whole list, by name.
fn everything() -> ListQuery {
    ListQuery {
        limit: u32::MAX,
        ..ListQuery::default()
    }
}

/// A sandbox that approves sign-ins at once, and a workspace in a new folder.
async fn fixture() -> (Sandbox, tempfile::TempDir, Workspace) {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = workspace(dir.path());
    (sb, dir, ws)
}

/// Saves a connection to the sandbox.
fn add(
    sb: &Sandbox,
    ws: &Workspace,
    name: &str,
    grant: GrantType,
    secret: Option<&str>,
) -> connmgr_core::Connection {
    ws.save(&draft(name, &sb.base_url(), grant, secret))
        .expect("saved")
}

/// Saves an authorization-code connection to the sandbox and signs it in.
async fn signed_in(sb: &Sandbox, ws: &Workspace, name: &str) -> connmgr_core::Connection {
    let c = add(sb, ws, name, GrantType::AuthorizationCode, None);
    ws.sign_in(&c.id, &FollowBrowser, Duration::from_secs(20))
        .await
        .expect("signed in");
    c
}

/// A browser that only notes the addresses it was asked to open: nobody signs in.
#[derive(Debug, Default)]
struct IdleBrowser {
    opened: Mutex<Vec<String>>,
}

impl BrowserOpener for IdleBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        self.opened
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(url.to_owned());
        Ok(())
    }
}

/// Follows an authorization URL as a person approving would; returns when the app's listener
/// has answered.
async fn approve(url: &str) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let resp = http.get(url).send().await.expect("authorization endpoint");
    let location = resp.headers()["location"]
        .to_str()
        .expect("a redirect")
        .to_owned();
    http.get(&location)
        .send()
        .await
        .expect("the app's listener");
}

async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn a_token_is_recorded_with_its_use_and_a_refused_one_leaves_none() {
    let (sb, _dir, ws) = fixture().await;
    let good = add(
        &sb,
        &ws,
        "Good",
        GrantType::ClientCredentials,
        Some("sandbox-integration-secret"),
    );
    let token = ws.token(&good.id).await.expect("a token");
    let row = ws.get(&good.id).expect("saved").summary();
    let summary = row.token.as_ref().expect("the list knows the token");
    assert_eq!(summary.expires_at, token.info.expires_at);
    assert!(row.last_used.is_some(), "getting a token is a use");

    let bad = add(
        &sb,
        &ws,
        "Wrong secret",
        GrantType::ClientCredentials,
        Some("not-the-secret"),
    );
    let err = ws.token(&bad.id).await.expect_err("refused");
    assert_eq!(err.code(), ErrorCode::InvalidClient);
    let row = ws.get(&bad.id).expect("saved").summary();
    assert!(row.token.is_none(), "no token after a refusal");
    assert!(row.last_used.is_none(), "a refused attempt is not a use");

    ws.delete(&good.id).await.expect("clean up");
    ws.delete(&bad.id).await.expect("clean up");
}

#[tokio::test]
async fn invalid_grant_on_renewal_is_recorded_as_no_refresh_token() {
    let (sb, _dir, ws) = fixture().await;
    let c = signed_in(&sb, &ws, "Signed in").await;
    let before = ws.get(&c.id).expect("saved");
    assert!(
        before.token.as_ref().is_some_and(|t| t.has_refresh_token),
        "the sign-in is recorded with its refresh token"
    );

    sb.forget_grants();
    let err = ws.renew(&c.id).await.expect_err("the grant is gone");
    assert_eq!(err.code(), ErrorCode::InvalidGrant);
    let after = ws.get(&c.id).expect("saved");
    let token = after
        .token
        .as_ref()
        .expect("the access token, still valid, is kept");
    assert!(
        !token.has_refresh_token,
        "the list must not say the token will be refreshed: {token:?}"
    );
    assert_eq!(
        token.expires_at,
        before.token.as_ref().and_then(|t| t.expires_at),
        "the same access token"
    );
    assert_eq!(after.last_used, before.last_used, "a failure is not a use");
    ws.delete(&c.id).await.expect("clean up");
}

#[tokio::test]
async fn a_failed_background_renewal_is_recorded_too() {
    let (sb, _dir, ws) = fixture().await;
    let c = signed_in(&sb, &ws, "Background").await;
    let expires = ws
        .get(&c.id)
        .expect("saved")
        .token
        .and_then(|t| t.expires_at)
        .expect("an expiry");
    // Just before the end of its life: due.
    let due_at = expires.to_system() - Duration::from_secs(30);
    sb.forget_grants();
    let done = ws.renew_due(due_at).await.expect("renewal ran");
    assert_eq!(done.len(), 1, "the one connection was due");
    assert!(done[0].result.is_err());
    let token = ws.get(&c.id).expect("saved").token;
    assert!(
        token.as_ref().is_some_and(|t| !t.has_refresh_token),
        "the failed renewal is recorded: no refresh token is left, the access token is: {token:?}"
    );
    // With nothing to refresh with, the next rounds leave it alone.
    assert!(ws.renew_due(due_at).await.expect("renewal ran").is_empty());
    ws.delete(&c.id).await.expect("clean up");
}

#[tokio::test]
async fn a_cancelled_sign_in_ends_untracked_and_records_nothing() {
    let (sb, _dir, ws) = fixture().await;
    let c = add(&sb, &ws, "Cancelled", GrantType::AuthorizationCode, None);
    let browser = IdleBrowser::default();
    let signing_in = ws.sign_in(&c.id, &browser, Duration::from_secs(20));
    let cancel = async {
        until("the sign-in to start", || {
            ws.sign_ins_in_progress(&c.id) == 1
        })
        .await;
        assert_eq!(ws.cancel_sign_in(&c.id), 1);
    };
    let (result, ()) = tokio::join!(signing_in, cancel);
    assert_eq!(result.expect_err("cancelled").code(), ErrorCode::Cancelled);
    assert_eq!(ws.sign_ins_in_progress(&c.id), 0);
    let after = ws.get(&c.id).expect("saved");
    assert!(after.token.is_none() && after.last_used.is_none());
    ws.delete(&c.id).await.expect("clean up");
}

#[tokio::test]
async fn two_sign_ins_of_one_connection_do_not_cancel_each_other() {
    let (sb, _dir, ws) = fixture().await;
    let c = add(&sb, &ws, "Twice", GrantType::AuthorizationCode, None);
    let browser = IdleBrowser::default();
    let first = ws.sign_in(&c.id, &browser, Duration::from_secs(20));
    let second = ws.sign_in(&c.id, &browser, Duration::from_secs(20));
    let person = async {
        until("both sign-ins to open the browser", || {
            browser.opened.lock().map(|o| o.len()).unwrap_or(0) == 2
        })
        .await;
        let url = browser.opened.lock().expect("urls")[0].clone();
        approve(&url).await;
        // One sign-in finished; the other is still tracked and can be cancelled.
        until("one sign-in to end", || ws.sign_ins_in_progress(&c.id) == 1).await;
        assert_eq!(
            ws.cancel_sign_in(&c.id),
            1,
            "the other is still cancellable"
        );
    };
    let (a, b, ()) = tokio::join!(first, second, person);
    let (signed, cancelled) = if a.is_ok() { (a, b) } else { (b, a) };
    signed.expect("the approved sign-in got its token");
    assert_eq!(
        cancelled.expect_err("cancelled").code(),
        ErrorCode::Cancelled
    );
    assert!(
        ws.get(&c.id).expect("saved").token.is_some(),
        "the token of the one that finished is recorded"
    );
    ws.delete(&c.id).await.expect("clean up");
}

#[tokio::test]
async fn a_test_records_its_outcome_and_the_token_it_left() {
    let (sb, _dir, ws) = fixture().await;
    let c = add(
        &sb,
        &ws,
        "Tested",
        GrantType::ClientCredentials,
        Some("sandbox-integration-secret"),
    );
    let report = ws
        .test(
            &c.id,
            &IdleBrowser::default(),
            Duration::from_secs(5),
            &|_| {},
        )
        .await
        .expect("tested");
    assert!(report.ok, "{report:?}");
    let after = ws.get(&c.id).expect("saved");
    assert!(after.last_test.as_ref().is_some_and(|t| t.ok));
    assert!(after.token.is_some(), "the test's token is recorded");
    ws.delete(&c.id).await.expect("clean up");
}

#[test]
fn validating_reads_no_file_and_a_change_by_another_process_is_seen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = workspace(dir.path());
    for name in ["One", "Two", "Three"] {
        ws.save(&public_draft(name)).expect("saved");
    }
    let reads = ws.file_reads();
    for _ in 0..50 {
        let verdict = ws
            .validate(&draft("two", "acme", GrantType::AuthorizationCode, None))
            .expect("a verdict");
        assert!(
            verdict.errors.iter().any(|e| e.field == "name"),
            "the name is taken: {:?}",
            verdict.errors
        );
    }
    ws.list(&everything()).expect("listed");
    assert_eq!(ws.file_reads(), reads, "the file was not read again");

    // Another process (its own store on the same folder) adds one.
    let other = workspace(dir.path());
    other
        .save(&public_draft("Four"))
        .expect("saved by the other");
    let names: Vec<String> = ws
        .list(&everything())
        .expect("listed")
        .rows
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Four", "One", "Three", "Two"]);
    assert_eq!(
        ws.file_reads(),
        reads + 1,
        "read once more, after the change"
    );
}

#[test]
fn a_change_by_another_process_is_noticed_and_ones_own_are_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = workspace(dir.path());
    assert!(
        !ws.reread_if_changed_elsewhere().expect("looked"),
        "no file yet, none seen"
    );
    ws.save(&public_draft("Mine")).expect("saved");
    assert!(
        !ws.reread_if_changed_elsewhere().expect("looked"),
        "its own write is not another's"
    );
    let other = workspace(dir.path());
    other
        .save(&public_draft("Theirs"))
        .expect("saved by the other");
    assert!(ws.reread_if_changed_elsewhere().expect("looked"), "noticed");
    assert!(!ws.reread_if_changed_elsewhere().expect("looked"), "once");
    assert_eq!(ws.list(&everything()).expect("listed").saved, 2);
}

#[tokio::test]
async fn a_missing_client_secret_is_said_before_anything_is_sent() {
    let (sb, _dir, ws) = fixture().await;
    let c = add(
        &sb,
        &ws,
        "Secret gone",
        GrantType::ClientCredentials,
        Some("sandbox-integration-secret"),
    );
    // The keyring lost the entry (another tool removed it).
    test_keyring()
        .delete(
            &c.id,
            connmgr_core::storage::keyring::SecretKind::ClientSecret,
        )
        .expect("removed");
    let before = sb.stats().token_requests;
    let err = ws.token(&c.id).await.expect_err("no secret to send");
    assert_eq!(err.code(), ErrorCode::NeedsClientSecret);
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    assert_eq!(sb.stats().token_requests, before);
}

/// A clipboard that keeps what it was given.
#[derive(Debug, Default)]
struct HeldClipboard(Mutex<Option<String>>);

impl connmgr_core::clipboard::Clipboard for HeldClipboard {
    fn write_secret(&self, text: &str) -> Result<(), connmgr_core::Error> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(text.to_owned());
        Ok(())
    }
    fn read_text(&self) -> Result<Option<String>, connmgr_core::Error> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }
    fn clear(&self) -> Result<(), connmgr_core::Error> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}

#[tokio::test]
async fn copying_with_no_token_yet_says_there_is_none_and_copies_nothing() {
    use connmgr_core::clipboard::{ClearAfter, Clipboard, CopyFormat};
    let (sb, _dir, ws) = fixture().await;
    let c = add(
        &sb,
        &ws,
        "Not signed in",
        GrantType::AuthorizationCode,
        None,
    );
    let clipboard = Arc::new(HeldClipboard::default());
    for format in [CopyFormat::AccessToken, CopyFormat::AuthorizationHeader] {
        let err = ws
            .copy(&c.id, format, clipboard.clone(), ClearAfter::default())
            .await
            .expect_err("nothing to copy");
        assert_eq!(err.code(), ErrorCode::Refused, "{err}");
        assert!(
            err.to_string().contains("There is no token to copy"),
            "{err}"
        );
        assert!(err.to_string().contains("Sign in first"), "{err}");
        assert_eq!(clipboard.read_text().expect("read"), None, "nothing copied");
    }
    // Signed in, the header is copied.
    let c = signed_in(&sb, &ws, "Signed in").await;
    ws.copy(
        &c.id,
        CopyFormat::AuthorizationHeader,
        clipboard.clone(),
        ClearAfter::default(),
    )
    .await
    .expect("copied");
    let held = clipboard.read_text().expect("read").expect("a header");
    assert!(
        held.starts_with("Authorization: Bearer "),
        "a header was copied"
    );
    ws.forget(&c.id).await.expect("forgotten");
}

#[tokio::test]
async fn a_delete_can_be_undone_until_it_is_made_final() {
    use connmgr_core::oauth::revoke::Revocation;
    use connmgr_core::storage::keyring::SecretKind;
    let (sb, _dir, ws) = fixture().await;
    let c = signed_in(&sb, &ws, "Undoable").await;
    let keyring = test_keyring();
    let held = |kind| keyring.get(&c.id, kind).expect("read").is_some();

    let taken = ws.delete_undoably(&c.id).await.expect("taken out");
    assert_eq!(taken.id, c.id);
    assert!(ws.get(&c.id).is_err(), "gone from the list");
    assert!(
        held(SecretKind::RefreshToken),
        "the grant is kept while it can be undone"
    );

    let back = ws.undo_delete(&c.id).expect("undone");
    assert_eq!(back.settings, c.settings, "back as it was");
    let before = sb.stats().token_requests;
    ws.token(&c.id).await.expect("a token with no new sign-in");
    assert!(sb.stats().token_requests <= before + 1, "no sign-in needed");

    ws.delete_undoably(&c.id).await.expect("taken out again");
    let revocation = ws.finish_delete(&c.id).await.expect("final");
    // This connection names no revocation endpoint (Coupa's way); the revocation itself is
    // tested in revocation.rs.
    assert_eq!(
        revocation,
        Some(Revocation::NotOffered),
        "the server was not told"
    );
    for kind in [
        SecretKind::ClientSecret,
        SecretKind::AccessToken,
        SecretKind::RefreshToken,
    ] {
        assert!(!held(kind), "{kind:?} removed");
    }
    let err = ws.undo_delete(&c.id).expect_err("too late");
    assert!(err.to_string().contains("can no longer be undone"), "{err}");
    assert_eq!(
        ws.finish_delete(&c.id).await.expect("nothing pending"),
        None
    );
}

#[tokio::test]
async fn quitting_makes_every_pending_delete_final() {
    use connmgr_core::storage::keyring::SecretKind;
    let (sb, _dir, ws) = fixture().await;
    let a = add(
        &sb,
        &ws,
        "One",
        GrantType::ClientCredentials,
        Some("sandbox-integration-secret"),
    );
    let b = add(
        &sb,
        &ws,
        "Two",
        GrantType::ClientCredentials,
        Some("sandbox-integration-secret"),
    );
    ws.delete_undoably(&a.id).await.expect("one");
    ws.delete_undoably(&b.id).await.expect("two");
    ws.finish_deletes().await;
    for c in [&a, &b] {
        assert!(
            test_keyring()
                .get(&c.id, SecretKind::ClientSecret)
                .expect("read")
                .is_none()
        );
    }
}
