//! Helpers shared by the core's integration tests.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};

use connmgr_core::model::connection::{
    ConnectionDraft, ConnectionSettings, GrantType, SecretUpdate,
};
use connmgr_core::storage::secret::Secret;

/// Starts this test binary again, running only the ignored test `name`, with `envs` set.
/// Child tests are `#[ignore]`d so a plain run never starts them by itself.
pub fn spawn_child(name: &str, envs: &[(&str, &str)]) -> Child {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut cmd = Command::new(exe);
    cmd.args([
        "--exact",
        name,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn the child test")
}

/// A valid draft for a Coupa client-credentials connection.
pub fn coupa_draft(name: &str, secret: Option<&str>) -> ConnectionDraft {
    ConnectionDraft {
        id: None,
        settings: ConnectionSettings {
            name: name.to_owned(),
            subdomain: "acme".to_owned(),
            client_id: "client-1".to_owned(),
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

/// A valid draft that needs no secret: a public authorization-code client.
pub fn public_draft(name: &str) -> ConnectionDraft {
    let mut d = coupa_draft(name, None);
    d.settings.grant_type = GrantType::AuthorizationCode;
    d
}

/// The test-only keyring service (see scripts/test-env.sh), never the app's own.
pub fn test_keyring() -> connmgr_core::storage::keyring::KeyringStore {
    let service = std::env::var("CONNMGR_KEYRING_SERVICE").expect(
        "CONNMGR_KEYRING_SERVICE is not set: run these tests through scripts/test-env.sh (make test), \
         which starts a private gnome-keyring",
    );
    assert_ne!(
        service,
        connmgr_core::storage::keyring::KeyringStore::APP_SERVICE,
        "tests never use the app's own entries"
    );
    connmgr_core::storage::keyring::KeyringStore::new(service)
}

/// A connection to the sandbox `sb` with the given client, grant and scopes; its issuer is the
/// sandbox's (with the strict sandbox's path).
pub fn sandbox_connection(
    sb: &connmgr_sandbox::Sandbox,
    client_id: &str,
    grant: GrantType,
    scopes: &[&str],
) -> connmgr_core::Connection {
    connection_at(&sb.base_url(), &sb.issuer(), client_id, grant, scopes)
}

/// A connection to a server at `base` whose issuer is `issuer`.
pub fn connection_at(
    base: &str,
    issuer: &str,
    client_id: &str,
    grant: GrantType,
    scopes: &[&str],
) -> connmgr_core::Connection {
    use connmgr_core::model::connection::{Endpoints, Provider};
    connmgr_core::Connection {
        id: format!("test-{}", uuid_like()),
        settings: ConnectionSettings {
            name: "Sandbox".to_owned(),
            provider: Provider::Coupa,
            subdomain: base.to_owned(),
            client_id: client_id.to_owned(),
            grant_type: grant,
            valid_domains: vec!["127.0.0.1".to_owned()],
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            ..ConnectionSettings::new_coupa()
        },
        endpoints: Endpoints {
            instance_url: Some(base.to_owned()),
            authorization_url: Some(format!("{base}/oauth2/authorizations/new")),
            token_url: format!("{base}/oauth2/token"),
            api_base_url: Some(base.to_owned()),
            issuer: Some(issuer.to_owned()),
            revocation_url: Some(format!("{base}/oauth2/revoke")),
            device_authorization_url: Some(format!("{base}/oauth2/device_authorization")),
        },
        has_client_secret: false,
        created_at: connmgr_core::time::Timestamp::now(),
        updated_at: connmgr_core::time::Timestamp::now(),
        last_test: None,
        last_used: None,
        token: None,
        needs_client_secret: false,
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{}-{nanos:x}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A browser that follows the authorization server's redirect back to the app (the sandbox
/// configured to approve at once), as a person approving would.
#[derive(Debug)]
pub struct FollowBrowser;

impl connmgr_core::oauth::BrowserOpener for FollowBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        let url = url.to_owned();
        tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let resp = http.get(&url).send().await.expect("authorization endpoint");
            let location = resp.headers()["location"]
                .to_str()
                .expect("a redirect")
                .to_owned();
            let _ = http.get(&location).send().await;
        });
        Ok(())
    }
}

/// `prompt=consent` on the authorization request: a strict server gives a refresh token for
/// `offline_access` only with it.
pub fn consent() -> connmgr_core::model::connection::ExtraParam {
    connmgr_core::model::connection::ExtraParam {
        stage: connmgr_core::model::connection::ParamStage::Authorization,
        name: "prompt".to_owned(),
        value: "consent".to_owned(),
    }
}

/// Signs in to the sandbox `sb` (configured to approve at once) as its public desktop client,
/// asking for a refresh token (`offline_access` with `prompt=consent`, as a strict server
/// wants): the connection and its first token.
pub async fn signed_in(
    sb: &connmgr_sandbox::Sandbox,
    tokens: &connmgr_core::tokens::Tokens,
) -> (connmgr_core::Connection, connmgr_core::tokens::AccessToken) {
    let mut c = sandbox_connection(
        sb,
        "sandbox-desktop",
        GrantType::AuthorizationCode,
        &["core.user.read", "offline_access"],
    );
    c.settings.extra_params.push(consent());
    let token = tokens
        .sign_in(
            &c,
            &FollowBrowser,
            std::time::Duration::from_secs(20),
            std::future::pending(),
        )
        .await
        .expect("signed in");
    (c, token)
}
