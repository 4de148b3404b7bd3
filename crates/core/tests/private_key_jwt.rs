//! Signed client assertions (`private_key_jwt`, RFC 7523) through the core API, against the
//! sandbox over real HTTP (which verifies them with its own JWT library) and the real keyring:
//! a key imported from PEM files, client credentials, the code exchange, refresh and
//! revocation, and what the form is told when the key or its settings are wrong.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{FollowBrowser, test_keyring};
use connmgr_core::http::HttpClient;
use connmgr_core::model::assertion::{AssertionField, KeyKind, SigningAlgorithm};
use connmgr_core::model::connection::{
    ClientAuth, ConnectionDraft, ConnectionSettings, GrantType, SecretUpdate,
};
use connmgr_core::storage::connections_file::Store;
use connmgr_core::storage::keyring::{SecretKind, SecretStore};
use connmgr_core::{ErrorCode, Secret, Workspace};
use connmgr_sandbox::client_keys::{self, KeyFiles, KeyType};
use connmgr_sandbox::config::{ClientConfig, Consent, Grant};
use connmgr_sandbox::{Config, Sandbox};

const SCOPES: [&str; 2] = ["core.user.read", "core.supplier.read"];

/// A sandbox with a machine client and a desktop client, both registered with `keys`.
async fn sandbox(keys: &[&KeyFiles]) -> Sandbox {
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    let public_keys: Vec<String> = keys.iter().map(|k| k.public_pem.clone()).collect();
    config.clients.push(ClientConfig {
        id: "m2m".to_owned(),
        secret: None,
        grants: vec![Grant::ClientCredentials],
        scopes: SCOPES.map(str::to_owned).to_vec(),
        rotate_refresh_tokens: false,
        public_keys: public_keys.clone(),
    });
    config.clients.push(ClientConfig {
        id: "desktop-signed".to_owned(),
        secret: None,
        grants: vec![Grant::AuthorizationCode, Grant::RefreshToken],
        scopes: vec!["core.user.read".to_owned(), "offline_access".to_owned()],
        rotate_refresh_tokens: true,
        public_keys,
    });
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

fn workspace(dir: &std::path::Path) -> Workspace {
    let keyring: Arc<dyn SecretStore> = Arc::new(test_keyring());
    Workspace::new(Store::new(dir), keyring, HttpClient::new().expect("http"))
}

fn import(files: &KeyFiles, with_certificate: bool) -> SecretUpdate {
    SecretUpdate::ImportKey {
        key_file: files.key.to_string_lossy().into_owned(),
        certificate_file: files
            .certificate
            .as_ref()
            .filter(|_| with_certificate)
            .map(|c| c.to_string_lossy().into_owned()),
    }
}

fn draft(
    sb: &Sandbox,
    client_id: &str,
    grant: GrantType,
    credential: SecretUpdate,
) -> ConnectionDraft {
    let mut settings = ConnectionSettings {
        name: format!("Signed {client_id}"),
        subdomain: sb.base_url(),
        client_id: client_id.to_owned(),
        grant_type: grant,
        client_auth: ClientAuth::PrivateKeyJwt,
        valid_domains: vec!["127.0.0.1".to_owned()],
        ..ConnectionSettings::new_coupa()
    };
    settings.scopes = match grant {
        GrantType::ClientCredentials => SCOPES.map(str::to_owned).to_vec(),
        _ => vec!["core.user.read".to_owned(), "offline_access".to_owned()],
    };
    if grant != GrantType::ClientCredentials {
        settings.extra_params.push(common::consent());
    }
    ConnectionDraft {
        id: None,
        settings,
        client_secret: credential,
        redirect_port_text: None,
    }
}

/// An edit of `c` that keeps its credential.
fn edit(c: &connmgr_core::Connection) -> ConnectionDraft {
    ConnectionDraft {
        id: Some(c.id.clone()),
        settings: c.settings.clone(),
        client_secret: SecretUpdate::Keep,
        redirect_port_text: None,
    }
}

fn messages(v: &connmgr_core::model::validate::Validation, field: &str) -> Vec<String> {
    v.errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| e.message.clone())
        .collect()
}

#[tokio::test]
async fn client_credentials_with_a_key_imported_from_pem_files() {
    let keys = tempfile::tempdir().expect("tempdir");
    let files =
        client_keys::make(keys.path(), "netsuite", KeyType::Rsa3072, Some(365)).expect("keys");
    let sb = sandbox(&[&files]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path());

    let mut d = draft(
        &sb,
        "m2m",
        GrantType::ClientCredentials,
        import(&files, true),
    );
    let a = &mut d.settings.assertion;
    a.algorithm = SigningAlgorithm::PS256;
    a.key_id = "cert-id-7".to_owned();
    a.certificate_thumbprint = true;
    a.claims = vec![AssertionField {
        name: "scope".to_owned(),
        value: "{scopes_comma}".to_owned(),
    }];
    let verdict = ws.validate(&d).expect("validated");
    assert!(verdict.errors.is_empty(), "{:?}", verdict.errors);
    let facts = verdict
        .normalized
        .assertion
        .key
        .clone()
        .expect("the form sees the key's facts");
    assert_eq!((facts.kind, facts.bits), (KeyKind::Rsa, 3072));
    let c = ws.save(&d).expect("saved");
    assert!(c.has_client_secret);
    assert_eq!(c.settings.assertion.key.as_ref(), Some(&facts));

    // The keyring holds the key; the connections file holds only its public facts.
    let stored = test_keyring()
        .get(&c.id, SecretKind::ClientSecret)
        .expect("keyring")
        .expect("the key is in the keyring");
    assert!(stored.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
    let file = std::fs::read_to_string(dir.path().join("connections.json")).expect("file");
    for line in stored.expose().lines().filter(|l| !l.starts_with("-----")) {
        assert!(
            !file.contains(line),
            "a line of the key is in the connections file"
        );
    }
    assert!(file.contains(&facts.thumbprint));

    let first = ws
        .token(&c.id)
        .await
        .expect("a token with a signed assertion");
    assert!(!first.token.expose().is_empty());
    let second = ws.renew(&c.id).await.expect("and again");
    assert_ne!(first.token.expose(), second.token.expose());

    assert_eq!(
        sb.auth_methods_seen(),
        ["private_key_jwt", "private_key_jwt"]
    );
    let seen = sb.assertions_seen();
    assert_eq!(seen.len(), 2);
    let cert = facts.certificate.as_ref().expect("certificate facts");
    assert_eq!(seen[0].header["alg"], "PS256");
    assert_eq!(seen[0].header["kid"], "cert-id-7");
    assert_eq!(seen[0].header["x5t#S256"], cert.sha256_thumbprint.as_str());
    assert_eq!(seen[0].claims["scope"], "core.user.read,core.supplier.read");
    assert_eq!(
        seen[0].claims["aud"],
        format!("{}/oauth2/token", sb.base_url())
    );
    assert_ne!(seen[0].claims["jti"], seen[1].claims["jti"]);

    // An audience the server does not answer to: refused, and the message says why.
    let mut change = edit(&c);
    change.settings.assertion.audience = "https://elsewhere.example.com".to_owned();
    let c = ws.save(&change).expect("saved with the key kept");
    assert!(
        c.has_client_secret,
        "the key stays when other settings change"
    );
    let err = ws.renew(&c.id).await.expect_err("wrong aud");
    assert_eq!(err.code(), ErrorCode::InvalidClient, "{err}");
    assert!(err.to_string().contains("aud"), "{err}");
}

#[tokio::test]
async fn a_key_the_server_does_not_know_is_refused_and_an_ec_key_works() {
    let keys = tempfile::tempdir().expect("tempdir");
    let registered = client_keys::make(keys.path(), "ec", KeyType::EcP256, None).expect("keys");
    let stranger = client_keys::make(keys.path(), "other", KeyType::EcP256, None).expect("keys");
    let sb = sandbox(&[&registered]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path());

    let mut d = draft(
        &sb,
        "m2m",
        GrantType::ClientCredentials,
        import(&stranger, false),
    );
    // RS256 does not fit an EC key: said at the field before anything is sent.
    let v = ws.validate(&d).expect("validated");
    assert_eq!(
        messages(&v, "assertion"),
        ["RS256 does not fit the imported key: choose ES256 for an EC key."]
    );
    d.settings.assertion.algorithm = SigningAlgorithm::ES256;
    let c = ws.save(&d).expect("saved");
    let err = ws
        .token(&c.id)
        .await
        .expect_err("a key the server does not have");
    assert_eq!(err.code(), ErrorCode::InvalidClient, "{err}");
    assert!(err.to_string().contains("signature"), "{err}");

    let fix = ConnectionDraft {
        id: Some(c.id.clone()),
        settings: c.settings.clone(),
        client_secret: import(&registered, false),
        redirect_port_text: None,
    };
    let c = ws.save(&fix).expect("the registered key imported");
    ws.token(&c.id)
        .await
        .expect("a token with the registered key");
    assert_eq!(sb.assertions_seen()[0].header["alg"], "ES256");
}

#[tokio::test]
async fn the_code_exchange_refresh_and_revocation_send_an_assertion() {
    let keys = tempfile::tempdir().expect("tempdir");
    let files = client_keys::make(keys.path(), "rsa", KeyType::Rsa2048, None).expect("keys");
    let sb = sandbox(&[&files]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path());
    let mut d = draft(
        &sb,
        "desktop-signed",
        GrantType::AuthorizationCode,
        import(&files, false),
    );
    d.settings.revocation_url = format!("{}/oauth2/revoke", sb.base_url());
    let c = ws.save(&d).expect("saved");
    ws.sign_in(&c.id, &FollowBrowser, Duration::from_secs(20))
        .await
        .expect("signed in");
    ws.renew(&c.id).await.expect("refreshed");
    ws.delete(&c.id).await.expect("deleted");
    assert_eq!(
        sb.auth_methods_seen(),
        [
            "private_key_jwt",
            "private_key_jwt",
            "private_key_jwt",
            "private_key_jwt"
        ],
        "code exchange, refresh, and the revocation of the refresh and access tokens"
    );
    assert_eq!(sb.stats().revocations, 2);
    assert!(
        test_keyring()
            .get(&c.id, SecretKind::ClientSecret)
            .expect("keyring")
            .is_none(),
        "the key went with the connection"
    );
}

#[tokio::test]
async fn the_form_is_told_what_is_wrong_with_the_key_and_a_credential_of_the_other_kind_goes() {
    let keys = tempfile::tempdir().expect("tempdir");
    let files = client_keys::make(keys.path(), "rsa", KeyType::Rsa2048, None).expect("keys");
    let sb = sandbox(&[&files]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path());

    // No key yet; a file that is not there; a file that is no key.
    let v = ws
        .validate(&draft(
            &sb,
            "m2m",
            GrantType::ClientCredentials,
            SecretUpdate::Keep,
        ))
        .expect("validated");
    assert!(
        messages(&v, "clientKey")[0].starts_with("Import the private key"),
        "{v:?}"
    );
    let missing = SecretUpdate::ImportKey {
        key_file: keys.path().join("nope.pem").to_string_lossy().into_owned(),
        certificate_file: None,
    };
    let v = ws
        .validate(&draft(&sb, "m2m", GrantType::ClientCredentials, missing))
        .expect("v");
    let m = messages(&v, "clientKey");
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("nope.pem") && m[0].contains("no such file"),
        "{m:?}"
    );
    let public = SecretUpdate::ImportKey {
        key_file: keys
            .path()
            .join("rsa.pub.pem")
            .to_string_lossy()
            .into_owned(),
        certificate_file: None,
    };
    let v = ws
        .validate(&draft(&sb, "m2m", GrantType::ClientCredentials, public))
        .expect("v");
    assert!(
        messages(&v, "clientKey")[0].contains("no private key found"),
        "{v:?}"
    );

    // A key given to a connection that authenticates with a secret is refused.
    let mut with_secret = draft(
        &sb,
        "m2m",
        GrantType::ClientCredentials,
        import(&files, false),
    );
    with_secret.settings.client_auth = ClientAuth::Body;
    let v = ws.validate(&with_secret).expect("v");
    assert!(
        messages(&v, "clientKey")[0].contains("only for a signed assertion"),
        "{v:?}"
    );

    // A public client cannot use client credentials, nor hold a secret.
    let mut public = draft(
        &sb,
        "m2m",
        GrantType::ClientCredentials,
        SecretUpdate::Replace {
            value: Secret::new("s"),
        },
    );
    public.settings.client_auth = ClientAuth::None;
    let v = ws.validate(&public).expect("v");
    assert!(
        messages(&v, "clientAuth")[0].contains("confidential client"),
        "{v:?}"
    );
    assert!(
        messages(&v, "clientSecret")[0].contains("public client has no secret"),
        "{v:?}"
    );

    // A connection with a secret that changes to a signed assertion must import a key; the
    // secret is then gone from the keyring.
    let mut d = draft(
        &sb,
        "desktop-signed",
        GrantType::AuthorizationCode,
        SecretUpdate::Replace {
            value: Secret::new("old-secret"),
        },
    );
    d.settings.client_auth = ClientAuth::Body;
    let c = ws.save(&d).expect("saved with a secret");
    let mut change = edit(&c);
    change.settings.client_auth = ClientAuth::PrivateKeyJwt;
    let v = ws.validate(&change).expect("v");
    assert!(
        !messages(&v, "clientKey").is_empty(),
        "the kept secret is not a key: {v:?}"
    );
    change.client_secret = import(&files, false);
    let c = ws.save(&change).expect("saved with a key");
    let held = test_keyring()
        .get(&c.id, SecretKind::ClientSecret)
        .expect("k")
        .expect("held");
    assert!(held.expose().contains("PRIVATE KEY"));
    // Back to a public client with nothing typed: the key is removed, not sent as a secret.
    let mut back = edit(&c);
    back.settings.client_auth = ClientAuth::None;
    let c = ws.save(&back).expect("saved as a public client");
    assert!(!c.has_client_secret);
    assert!(c.settings.assertion.key.is_none());
    assert!(
        test_keyring()
            .get(&c.id, SecretKind::ClientSecret)
            .expect("k")
            .is_none()
    );
}
