//! Delete and forget revoke the tokens at the server (RFC 7009) when it has a revocation
//! endpoint, and say so when it could not be told. Against the sandbox and the real keyring,
//! through the workspace, as a front end calls it.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{FollowBrowser, test_keyring};
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::{ClientAuth, ConnectionSettings, GrantType, SecretUpdate};
use connmgr_core::oauth::revoke::Revocation;
use connmgr_core::storage::connections_file::Store;
use connmgr_core::storage::keyring::SecretStore;
use connmgr_core::{Connection, ConnectionDraft, Secret, Workspace};
use connmgr_sandbox::config::Consent;
use connmgr_sandbox::{Config, Sandbox};

async fn fixture() -> (Sandbox, tempfile::TempDir, Workspace) {
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    let sb = Sandbox::start_with(config, 0).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let keyring: Arc<dyn SecretStore> = Arc::new(test_keyring());
    let ws = Workspace::new(
        Store::new(dir.path()),
        keyring,
        HttpClient::new().expect("http"),
    );
    (sb, dir, ws)
}

/// Saves a connection to the sandbox whose revocation endpoint is at `revoke_path` (none for
/// `None`) and gets it a token.
async fn with_token(
    sb: &Sandbox,
    ws: &Workspace,
    name: &str,
    grant: GrantType,
    revoke_path: Option<&str>,
) -> (Connection, String) {
    let (client_id, secret) = match grant {
        GrantType::ClientCredentials => ("sandbox-integration", Some("sandbox-integration-secret")),
        GrantType::AuthorizationCode | GrantType::DeviceCode => ("sandbox-desktop", None),
    };
    let base = sb.base_url();
    let c = ws
        .save(&ConnectionDraft {
            id: None,
            settings: ConnectionSettings {
                name: name.to_owned(),
                subdomain: base.clone(),
                client_id: client_id.to_owned(),
                grant_type: grant,
                // HTTP Basic for the confidential client: the revocation request authenticates
                // as the token request does.
                client_auth: match grant {
                    GrantType::ClientCredentials => ClientAuth::Basic,
                    GrantType::AuthorizationCode | GrantType::DeviceCode => ClientAuth::Body,
                },
                valid_domains: vec!["127.0.0.1".to_owned()],
                scopes: match grant {
                    GrantType::ClientCredentials => vec!["core.user.read".to_owned()],
                    GrantType::AuthorizationCode | GrantType::DeviceCode => {
                        vec!["core.user.read".to_owned(), "offline_access".to_owned()]
                    }
                },
                revocation_url: revoke_path
                    .map(|p| format!("{base}{p}"))
                    .unwrap_or_default(),
                extra_params: match grant {
                    GrantType::ClientCredentials => Vec::new(),
                    GrantType::AuthorizationCode | GrantType::DeviceCode => {
                        vec![common::consent()]
                    }
                },
                ..ConnectionSettings::new_coupa()
            },
            client_secret: match secret {
                Some(s) => SecretUpdate::Replace {
                    value: Secret::new(s),
                },
                None => SecretUpdate::Keep,
            },
            redirect_port_text: None,
        })
        .expect("saved");
    let token = match grant {
        GrantType::AuthorizationCode | GrantType::DeviceCode => ws
            .sign_in(&c.id, &FollowBrowser, Duration::from_secs(20))
            .await
            .expect("signed in"),
        GrantType::ClientCredentials => ws.token(&c.id).await.expect("a token"),
    };
    (c, token.token.expose().to_owned())
}

/// The status the sandbox's API answers a call with `token`.
async fn api_status(sb: &Sandbox, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/api/users?limit=1", sb.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("the API answers")
        .status()
        .as_u16()
}

#[tokio::test]
async fn forget_revokes_the_tokens_at_the_server() {
    let (sb, _dir, ws) = fixture().await;
    let (c, access) = with_token(
        &sb,
        &ws,
        "Revoked on forget",
        GrantType::AuthorizationCode,
        Some("/oauth2/revoke"),
    )
    .await;
    assert_eq!(api_status(&sb, &access).await, 200);
    assert_eq!(ws.forget(&c.id).await.expect("forgot"), Revocation::Revoked);
    assert_eq!(
        sb.stats().revocations,
        2,
        "the refresh token, then the access token"
    );
    assert_eq!(
        api_status(&sb, &access).await,
        401,
        "the copied token no longer works"
    );
    let after = ws.get(&c.id).expect("still saved");
    assert!(after.token.is_none(), "nothing held here either");
    assert_eq!(
        ws.forget(&c.id).await.expect("again"),
        Revocation::NothingHeld
    );
    assert_eq!(sb.stats().revocations, 2, "nothing held, nothing sent");
    ws.delete(&c.id).await.expect("clean up");
}

#[tokio::test]
async fn delete_revokes_the_tokens_at_the_server() {
    let (sb, _dir, ws) = fixture().await;
    let (c, access) = with_token(
        &sb,
        &ws,
        "Revoked on delete",
        GrantType::ClientCredentials,
        Some("/oauth2/revoke"),
    )
    .await;
    assert_eq!(
        ws.delete(&c.id).await.expect("deleted"),
        Revocation::Revoked
    );
    assert_eq!(
        sb.stats().revocations,
        1,
        "client credentials hold an access token only"
    );
    assert_eq!(api_status(&sb, &access).await, 401);
    assert!(ws.get(&c.id).is_err(), "the connection is gone");
}

#[tokio::test]
async fn a_failed_revocation_is_said_and_the_tokens_are_dropped_here_anyway() {
    let (sb, _dir, ws) = fixture().await;
    let (c, access) = with_token(
        &sb,
        &ws,
        "Revocation fails",
        GrantType::AuthorizationCode,
        Some("/oauth2/no-such-endpoint"),
    )
    .await;
    let Revocation::Failed { message } = ws.forget(&c.id).await.expect("forgot") else {
        panic!("the failure is said");
    };
    assert!(message.contains("404"), "{message}");
    assert!(!message.contains(&access), "no token in the message");
    assert!(ws.get(&c.id).expect("saved").token.is_none());
    assert_eq!(
        api_status(&sb, &access).await,
        200,
        "still valid at the server"
    );
    ws.delete(&c.id).await.expect("clean up");
}

#[tokio::test]
async fn without_a_revocation_endpoint_the_tokens_stay_valid_at_the_server() {
    let (sb, _dir, ws) = fixture().await;
    let (c, access) = with_token(&sb, &ws, "No endpoint", GrantType::AuthorizationCode, None).await;
    assert_eq!(
        ws.delete(&c.id).await.expect("deleted"),
        Revocation::NotOffered
    );
    assert_eq!(sb.stats().revocations, 0);
    assert_eq!(api_status(&sb, &access).await, 200);
}

#[tokio::test]
async fn checklist_22_a_revocation_endpoint_that_redirects_is_not_followed() {
    let (sb, _dir, ws) = fixture().await;
    // The sandbox's /moved/… answers 307 to the real revocation endpoint.
    let (c, access) = with_token(
        &sb,
        &ws,
        "Revocation moved",
        GrantType::AuthorizationCode,
        Some("/moved/oauth2/revoke"),
    )
    .await;
    let Revocation::Failed { message } = ws.forget(&c.id).await.expect("forgot") else {
        panic!("the failure is said");
    };
    assert!(message.contains("307"), "{message}");
    assert_eq!(sb.stats().revocations, 0, "the real endpoint saw nothing");
    assert_eq!(
        api_status(&sb, &access).await,
        200,
        "still valid at the server"
    );
    ws.delete(&c.id).await.expect("clean up");
}
