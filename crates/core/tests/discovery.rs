//! Discovery from an issuer against the sandbox's metadata (RFC 8414): the path-aware address
//! first for an issuer with a path, the endpoints filled, `iss` required when the server says
//! it sends it; a document naming another issuer, a server without S256, one with no metadata
//! and an issuer outside the valid domain names. Then the settings discovered sign in, asking
//! with `prompt=consent` for the refresh token the server gives only then.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{FollowBrowser, test_keyring};
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::{
    ConnectionDraft, ConnectionSettings, ExtraParam, GrantType, ParamStage, Provider, SecretUpdate,
};
use connmgr_core::storage::connections_file::Store;
use connmgr_core::storage::keyring::SecretStore;
use connmgr_core::{ErrorCode, Workspace};
use connmgr_sandbox::config::Consent;
use connmgr_sandbox::{Config, Sandbox};

async fn sandbox(change: impl FnOnce(&mut Config)) -> Sandbox {
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    config.issuer_path = "/realms/acme".to_owned();
    change(&mut config);
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

fn workspace(dir: &std::path::Path) -> Workspace {
    let keyring: Arc<dyn SecretStore> = Arc::new(test_keyring());
    Workspace::new(Store::new(dir), keyring, HttpClient::new().expect("http"))
}

/// A generic connection's settings with only a name and the issuer typed.
fn typed(issuer: &str) -> ConnectionSettings {
    ConnectionSettings {
        name: "From the issuer".to_owned(),
        provider: Provider::Generic,
        issuer: issuer.to_owned(),
        valid_domains: Vec::new(),
        scopes: Vec::new(),
        ..ConnectionSettings::new_coupa()
    }
}

#[tokio::test]
async fn an_issuer_alone_gives_the_endpoints_and_the_settings_sign_in() {
    let sb = sandbox(|c| c.offline_needs_consent = true).await;
    let dir = tempfile::tempdir().expect("dir");
    let ws = workspace(dir.path());
    let issuer = sb.issuer();
    assert!(issuer.ends_with("/realms/acme"));
    let found = ws.discover(&typed(&issuer)).await.expect("discovered");
    let base = sb.base_url();
    let meta = found.settings.metadata.clone().expect("kept");
    assert_eq!(
        meta.fetched_from,
        format!("{base}/.well-known/oauth-authorization-server/realms/acme"),
        "RFC 8414's path-aware address first"
    );
    let s = &found.settings;
    assert_eq!(s.provider, Provider::Generic);
    assert_eq!(s.issuer, issuer);
    assert_eq!(
        s.authorization_url,
        format!("{base}/oauth2/authorizations/new")
    );
    assert_eq!(s.token_url, format!("{base}/oauth2/token"));
    assert_eq!(s.revocation_url, format!("{base}/oauth2/revoke"));
    assert_eq!(
        s.device_authorization_url,
        format!("{base}/oauth2/device_authorization")
    );
    assert!(s.require_iss, "the server sends iss");
    assert_eq!(s.valid_domains, ["127.0.0.1"], "the issuer's host, typed");
    assert!(meta.scopes_supported.iter().any(|x| x == "offline_access"));
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert!(found.changes.is_empty());

    // The settings discovered, a client and prompt=consent: a sign-in gets its refresh token.
    let mut settings = found.settings;
    settings.client_id = "sandbox-desktop".to_owned();
    settings.grant_type = GrantType::AuthorizationCode;
    settings.scopes = vec!["core.user.read".to_owned(), "offline_access".to_owned()];
    settings.extra_params = vec![ExtraParam {
        stage: ParamStage::Authorization,
        name: "prompt".to_owned(),
        value: "consent".to_owned(),
    }];
    let saved = ws
        .save(&ConnectionDraft {
            id: None,
            settings,
            client_secret: SecretUpdate::Keep,
            redirect_port_text: None,
        })
        .expect("saved");
    assert!(
        saved.settings.metadata.is_some(),
        "kept with the connection"
    );
    let token = ws
        .sign_in(&saved.id, &FollowBrowser, Duration::from_secs(20))
        .await
        .expect("signed in with the path issuer's iss");
    assert!(token.info.has_refresh_token);

    // Fetched again: the same document, no change to show.
    let again = ws.discover(&saved.settings).await.expect("fetched again");
    assert!(again.changes.is_empty(), "{:?}", again.changes);
}

#[tokio::test]
async fn a_document_naming_another_issuer_is_not_used() {
    let sb = sandbox(|c| c.metadata_issuer = Some("https://login.example.com".to_owned())).await;
    let dir = tempfile::tempdir().expect("dir");
    let err = workspace(dir.path())
        .discover(&typed(&sb.issuer()))
        .await
        .expect_err("mismatch");
    assert!(
        err.to_string()
            .contains("names the issuer https://login.example.com"),
        "{err}"
    );
}

#[tokio::test]
async fn a_server_without_s256_is_warned_about() {
    let sb = sandbox(|c| c.pkce_methods = Vec::new()).await;
    let dir = tempfile::tempdir().expect("dir");
    let found = workspace(dir.path())
        .discover(&typed(&sb.issuer()))
        .await
        .expect("discovered");
    assert!(
        found.warnings.iter().any(|w| w.contains("S256")),
        "{:?}",
        found.warnings
    );
}

#[tokio::test]
async fn no_metadata_or_a_host_outside_the_valid_domains_is_said() {
    let sb = sandbox(|c| c.publish_metadata = false).await;
    let dir = tempfile::tempdir().expect("dir");
    let ws = workspace(dir.path());
    let err = ws
        .discover(&typed(&sb.issuer()))
        .await
        .expect_err("nothing published");
    assert!(err.to_string().contains("No metadata was found"), "{err}");

    let mut elsewhere = typed(&sb.issuer());
    elsewhere.valid_domains = vec!["example.com".to_owned()];
    let err = ws.discover(&elsewhere).await.expect_err("guarded");
    assert_eq!(err.code(), ErrorCode::DomainNotAllowed);
}
