//! Extra parameters reach the request they belong to, a server that wants `prompt=consent`
//! gives its refresh token only with it (and the token says what to do when it did not), and a
//! token answer without `expires_in` takes the JWT's own `exp`, or stays of unknown expiry.
//! Against the sandbox over real HTTP and the real keyring.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{FollowBrowser, sandbox_connection, test_keyring};
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::{ExtraParam, GrantType, ParamStage};
use connmgr_core::storage::keyring::SecretStore;
use connmgr_core::tokens::Tokens;
use connmgr_sandbox::config::Consent;
use connmgr_sandbox::faults::Fault;
use connmgr_sandbox::oauth::ExtraSeen;
use connmgr_sandbox::{Config, Sandbox};

async fn sandbox(offline_needs_consent: bool, jwt: bool) -> Sandbox {
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    config.offline_needs_consent = offline_needs_consent;
    config.jwt_access_tokens = jwt;
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

fn tokens() -> Tokens {
    let store: Arc<dyn SecretStore> = Arc::new(test_keyring());
    Tokens::new(HttpClient::new().expect("http"), store)
}

fn param(stage: ParamStage, name: &str, value: &str) -> ExtraParam {
    ExtraParam {
        stage,
        name: name.to_owned(),
        value: value.to_owned(),
    }
}

fn seen(stage: &'static str, name: &str, value: &str) -> ExtraSeen {
    ExtraSeen {
        stage,
        name: name.to_owned(),
        value: value.to_owned(),
    }
}

#[tokio::test]
async fn a_refresh_token_comes_only_with_prompt_consent_and_its_absence_is_explained() {
    let sb = sandbox(true, true).await;
    let tokens = tokens();
    let mut c = sandbox_connection(
        &sb,
        "sandbox-desktop",
        GrantType::AuthorizationCode,
        &["core.user.read", "offline_access"],
    );
    let sign_in = |c: connmgr_core::Connection| {
        let tokens = &tokens;
        async move {
            tokens
                .sign_in(
                    &c,
                    &FollowBrowser,
                    Duration::from_secs(20),
                    std::future::pending(),
                )
                .await
                .expect("signed in")
        }
    };
    let without = sign_in(c.clone()).await;
    assert!(!without.info.has_refresh_token);
    assert_eq!(without.info.notes.len(), 1, "{:?}", without.info.notes);
    assert!(without.info.notes[0].contains("prompt=consent"));

    c.settings
        .extra_params
        .push(param(ParamStage::Authorization, "prompt", "consent"));
    let with = sign_in(c.clone()).await;
    assert!(with.info.has_refresh_token, "asked with prompt=consent");
    assert!(with.info.notes.is_empty(), "{:?}", with.info.notes);
    assert_eq!(
        sb.extras_seen(),
        [seen("authorization", "prompt", "consent")]
    );
}

#[tokio::test]
async fn each_extra_parameter_goes_with_its_own_request_only() {
    let sb = sandbox(false, true).await;
    let tokens = tokens();
    let mut c = sandbox_connection(
        &sb,
        "sandbox-desktop",
        GrantType::AuthorizationCode,
        &["core.user.read", "offline_access"],
    );
    c.settings.extra_params = vec![
        param(ParamStage::Authorization, "access_type", "offline"),
        param(ParamStage::Token, "audience", "https://api.example.com"),
        param(ParamStage::Refresh, "resource", "https://graph.example.com"),
    ];
    tokens
        .sign_in(
            &c,
            &FollowBrowser,
            Duration::from_secs(20),
            std::future::pending(),
        )
        .await
        .expect("signed in");
    tokens.renew_now(&c).await.expect("refreshed");
    assert_eq!(
        sb.extras_seen(),
        [
            seen("authorization", "access_type", "offline"),
            seen("token", "audience", "https://api.example.com"),
            seen("refresh", "resource", "https://graph.example.com"),
        ]
    );

    // Client credentials send the token request's; a device sign-in the sign-in request's to
    // the device authorization endpoint and the token request's with each poll.
    let sb = sandbox(false, true).await;
    let mut cc = sandbox_connection(
        &sb,
        "sandbox-integration",
        GrantType::ClientCredentials,
        &["core.user.read"],
    );
    cc.settings.extra_params = vec![
        param(ParamStage::Authorization, "prompt", "none"),
        param(ParamStage::Token, "audience", "https://api.example.com"),
    ];
    test_keyring()
        .set(
            &cc.id,
            connmgr_core::storage::keyring::SecretKind::ClientSecret,
            &connmgr_core::Secret::new("sandbox-integration-secret"),
        )
        .expect("secret stored");
    tokens.renew_now(&cc).await.expect("a token");
    assert_eq!(
        sb.extras_seen(),
        [seen("token", "audience", "https://api.example.com")]
    );
}

#[tokio::test]
async fn without_expires_in_the_jwt_exp_is_the_expiry_or_it_stays_unknown() {
    for jwt in [true, false] {
        let sb = sandbox(false, jwt).await;
        sb.set_fault(Some(Fault::OmitExpiresIn));
        let c = sandbox_connection(
            &sb,
            "sandbox-integration",
            GrantType::ClientCredentials,
            &["core.user.read"],
        );
        test_keyring()
            .set(
                &c.id,
                connmgr_core::storage::keyring::SecretKind::ClientSecret,
                &connmgr_core::Secret::new("sandbox-integration-secret"),
            )
            .expect("secret stored");
        let token = tokens().renew_now(&c).await.expect("a token");
        if jwt {
            // The sandbox's JWT says 24 h.
            let left = token
                .info
                .expires_at
                .expect("from exp")
                .since(connmgr_core::time::Timestamp::now());
            assert!(
                left > Duration::from_secs(86_000) && left <= Duration::from_secs(86_400),
                "{left:?}"
            );
            assert!(token.info.expiry_from_jwt);
        } else {
            assert_eq!(token.info.expires_at, None, "nothing guesses it");
            assert!(!token.info.expiry_from_jwt);
        }
    }
}
