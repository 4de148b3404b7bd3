//! What a token answer does to the grant held, against the sandbox and the real keyring: a
//! refresh without `scope`, a sign-in without a refresh token, a refused refresh. Each test is
//! named after the defect it proves fixed.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{FollowBrowser, sandbox_connection, signed_in, test_keyring};
use connmgr_core::ErrorCode;
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::GrantType;
use connmgr_core::storage::keyring::{SecretKind, SecretStore};
use connmgr_core::tokens::Tokens;
use connmgr_sandbox::config::{Consent, UnknownScope};
use connmgr_sandbox::faults::Fault;
use connmgr_sandbox::{Config, Sandbox};

async fn sandbox() -> Sandbox {
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    config.unknown_scope = UnknownScope::Drop;
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

fn tokens() -> (Tokens, Arc<dyn SecretStore>) {
    let store: Arc<dyn SecretStore> = Arc::new(test_keyring());
    (
        Tokens::new(HttpClient::new().expect("http"), store.clone()),
        store,
    )
}

/// Signs `c` in, the sandbox approving at once.
async fn sign_in(
    tokens: &Tokens,
    c: &connmgr_core::Connection,
) -> connmgr_core::tokens::AccessToken {
    tokens
        .sign_in(
            c,
            &FollowBrowser,
            Duration::from_secs(20),
            std::future::pending(),
        )
        .await
        .expect("signed in")
}

#[tokio::test]
async fn a_refresh_without_scope_keeps_the_scopes_granted_before() {
    let sb = sandbox().await;
    let (tokens, store) = tokens();
    // The client may not have core.supplier.write: the server leaves it out of the grant.
    let mut c = sandbox_connection(
        &sb,
        "sandbox-desktop",
        GrantType::AuthorizationCode,
        &["core.user.read", "offline_access", "core.supplier.write"],
    );
    c.settings.extra_params.push(common::consent());
    let first = sign_in(&tokens, &c).await;
    assert!(
        !first
            .info
            .granted_scopes
            .contains(&"core.supplier.write".to_owned()),
        "{:?}",
        first.info.granted_scopes
    );
    assert_eq!(first.info.missing_scopes, ["core.supplier.write"]);

    // RFC 6749 §6: a refresh answer without `scope` leaves the grant's scope unchanged.
    sb.set_fault(Some(Fault::OmitScope));
    let renewed = tokens.renew_now(&c).await.expect("refreshed");
    assert_eq!(renewed.info.granted_scopes, first.info.granted_scopes);
    assert_eq!(renewed.info.missing_scopes, ["core.supplier.write"]);
    let cached = tokens.cached(&c.id).expect("keyring").expect("cached");
    assert_eq!(cached.info.granted_scopes, first.info.granted_scopes);
    tokens.forget(&c.id).expect("clean up");
    drop(store);
}

#[tokio::test]
async fn a_sign_in_without_a_refresh_token_drops_the_previous_one() {
    let sb = sandbox().await;
    let (tokens, store) = tokens();
    let (c, first) = signed_in(&sb, &tokens).await;
    assert!(first.info.has_refresh_token);

    // Signing in again (perhaps as someone else) with an answer that has no refresh token: the
    // previous person's refresh token must not stay behind to be used at the next refresh.
    sb.set_fault(Some(Fault::OmitRefreshToken));
    let second = sign_in(&tokens, &c).await;
    assert!(!second.info.has_refresh_token);
    assert!(
        store
            .get(&c.id, SecretKind::RefreshToken)
            .expect("keyring")
            .is_none(),
        "the previous grant's refresh token is gone"
    );
    sb.set_fault(None);
    let requests = sb.stats().token_requests;
    let err = tokens
        .renew_now(&c)
        .await
        .expect_err("nothing to refresh with");
    assert_eq!(err.code(), ErrorCode::InvalidGrant);
    assert_eq!(sb.stats().token_requests, requests, "no refresh was sent");
    tokens.forget(&c.id).expect("clean up");
}

#[tokio::test]
async fn invalid_grant_keeps_a_still_valid_access_token() {
    let sb = sandbox().await;
    let (tokens, store) = tokens();
    let (c, first) = signed_in(&sb, &tokens).await;

    sb.forget_grants();
    let err = tokens.renew_now(&c).await.expect_err("the grant is gone");
    assert_eq!(err.code(), ErrorCode::InvalidGrant);
    assert!(
        store
            .get(&c.id, SecretKind::RefreshToken)
            .expect("keyring")
            .is_none(),
        "the refused refresh token is deleted"
    );
    let cached = tokens
        .cached(&c.id)
        .expect("keyring")
        .expect("the access token is kept");
    assert!(cached.token.matches(&first.token));
    assert!(!cached.info.has_refresh_token);
    // Still valid for hours: it is what a caller gets, with no request to the server.
    let requests = sb.stats().token_requests;
    let again = tokens.get(&c).await.expect("the cached token");
    assert!(again.token.matches(&first.token));
    assert_eq!(sb.stats().token_requests, requests);
    tokens.forget(&c.id).expect("clean up");
}
