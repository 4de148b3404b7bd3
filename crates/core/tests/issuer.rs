//! The sign-in answer's `iss` (RFC 9207) against the sandbox: compared exactly with the
//! connection's issuer, paths included, and required when the server is known to send it.

mod common;

use std::time::Duration;

use common::{FollowBrowser, sandbox_connection};
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::GrantType;
use connmgr_core::oauth::authorization_code;
use connmgr_core::{Connection, ErrorCode, Secret};
use connmgr_sandbox::config::Consent;
use connmgr_sandbox::{Config, Sandbox};

async fn sandbox(issuer_path: &str, send_iss: bool) -> Sandbox {
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    config.issuer_path = issuer_path.to_owned();
    config.send_iss = send_iss;
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

fn connection(sb: &Sandbox, issuer: Option<String>, require_iss: bool) -> Connection {
    let mut c = sandbox_connection(
        sb,
        "sandbox-desktop",
        GrantType::AuthorizationCode,
        &["core.user.read"],
    );
    c.settings.require_iss = require_iss;
    c.endpoints.issuer = issuer;
    c
}

async fn sign_in(c: &Connection) -> Result<(), connmgr_core::Error> {
    let http = HttpClient::new().expect("http");
    authorization_code(
        &http,
        c,
        None::<&Secret>,
        &FollowBrowser,
        Duration::from_secs(20),
        std::future::pending(),
    )
    .await
    .map(|_| ())
}

#[tokio::test]
async fn an_issuer_with_a_path_is_compared_exactly() {
    // Keycloak's issuer is `…/realms/x`, Okta's `…/oauth2/default`: before, `iss` was compared
    // with the instance URL or the authorization URL's origin, and every sign-in was refused.
    let sb = sandbox("/realms/acme", true).await;
    assert!(sb.issuer().ends_with("/realms/acme"));
    sign_in(&connection(&sb, Some(sb.issuer()), false))
        .await
        .expect("the issuer with its path matches");
    assert_eq!(sb.stats().token_requests, 1);

    // The server's origin alone is another issuer; so is the issuer with a trailing slash.
    for other in [sb.base_url(), format!("{}/", sb.issuer())] {
        let err = sign_in(&connection(&sb, Some(other.clone()), false))
            .await
            .expect_err("another issuer");
        assert_eq!(err.code(), ErrorCode::InvalidCallback, "{other}: {err}");
        assert!(err.to_string().contains("another issuer"), "{err}");
    }
    assert_eq!(sb.stats().token_requests, 1, "no code was exchanged");
}

#[tokio::test]
async fn checklist_06_a_missing_iss_is_refused_when_the_server_is_known_to_send_it() {
    let sb = sandbox("", false).await;
    let err = sign_in(&connection(&sb, Some(sb.issuer()), true))
        .await
        .expect_err("no iss");
    assert_eq!(err.code(), ErrorCode::InvalidCallback);
    assert!(err.to_string().contains("has no iss"), "{err}");
    assert_eq!(sb.stats().token_requests, 0);

    // Not known to send it: an answer without `iss` is accepted (RFC 9207 §2.4).
    sign_in(&connection(&sb, Some(sb.issuer()), false))
        .await
        .expect("accepted");
}

#[tokio::test]
async fn without_a_known_issuer_any_iss_is_accepted() {
    let sb = sandbox("/oauth2/default", true).await;
    sign_in(&connection(&sb, None, false))
        .await
        .expect("nothing to compare with");
}
