//! Secrets against the real Secret Service: a gnome-keyring in a private D-Bus session, started
//! by `scripts/test-env.sh` (which `make test` uses), under a service name only tests use.

mod common;

use std::sync::Arc;

use common::{coupa_draft, spawn_child, test_keyring};
use connmgr_core::storage::connections_file::{FILE_NAME, Store};
use connmgr_core::storage::keyring::{KeyringStore, SecretKind, SecretStore};
use connmgr_core::{ErrorCode, SavedConnections, Secret};

// Values that no other part of the tests uses, so a search for them finds only leaks.
const CLIENT_SECRET: &str = "kr-client-secret-7f3a9c1e+/:%&=";
const REFRESH: &str = "kr-refresh-token-51d0b2";
const ACCESS: &str = "kr-access-token-9e44aa";

#[test]
fn set_get_replace_and_delete_against_the_real_keyring() {
    let kr = test_keyring();
    let id = format!("test-{}", uuid_like());
    assert!(
        kr.get(&id, SecretKind::ClientSecret)
            .expect("get")
            .is_none(),
        "a missing entry is None"
    );
    kr.set(&id, SecretKind::ClientSecret, &Secret::new(CLIENT_SECRET))
        .expect("set");
    kr.set(&id, SecretKind::RefreshToken, &Secret::new(REFRESH))
        .expect("set refresh");
    assert_eq!(
        kr.get(&id, SecretKind::ClientSecret)
            .expect("get")
            .expect("present")
            .expose(),
        CLIENT_SECRET
    );
    kr.set(&id, SecretKind::ClientSecret, &Secret::new("replaced"))
        .expect("replace");
    assert_eq!(
        kr.get(&id, SecretKind::ClientSecret)
            .expect("get")
            .expect("present")
            .expose(),
        "replaced"
    );
    assert_eq!(
        kr.get(&id, SecretKind::RefreshToken)
            .expect("get")
            .expect("kept apart")
            .expose(),
        REFRESH
    );
    kr.delete_all(&id).expect("delete all");
    for kind in SecretKind::ALL {
        assert!(
            kr.get(&id, kind).expect("get").is_none(),
            "{kind:?} is gone"
        );
    }
    kr.delete(&id, SecretKind::ClientSecret)
        .expect("deleting a missing entry succeeds");
}

#[test]
fn checklist_27_connections_keep_secrets_in_the_keyring_and_never_in_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let kr = Arc::new(test_keyring());
    let conns = SavedConnections::new(Store::new(dir.path()), kr.clone());

    let a = conns
        .save(&coupa_draft("Keyring A", Some(CLIENT_SECRET)))
        .expect("save");
    assert_eq!(
        kr.get(&a.id, SecretKind::ClientSecret)
            .expect("get")
            .expect("stored")
            .expose(),
        CLIENT_SECRET
    );
    kr.set(&a.id, SecretKind::RefreshToken, &Secret::new(REFRESH))
        .expect("refresh");
    kr.set(&a.id, SecretKind::AccessToken, &Secret::new(ACCESS))
        .expect("access");

    // Duplicate copies the client secret, not the tokens.
    let b = conns.duplicate(&a.id).expect("duplicate");
    assert_eq!(
        kr.get(&b.id, SecretKind::ClientSecret)
            .expect("get")
            .expect("copied")
            .expose(),
        CLIENT_SECRET
    );
    assert!(
        kr.get(&b.id, SecretKind::RefreshToken)
            .expect("get")
            .is_none(),
        "tokens are not copied"
    );

    let file = std::fs::read(dir.path().join(FILE_NAME)).expect("store file");
    let text = String::from_utf8_lossy(&file);
    for secret in [CLIENT_SECRET, REFRESH, ACCESS] {
        assert!(!text.contains(secret), "the store file holds no secret");
    }

    // Delete removes every keyring entry of the connection.
    conns.delete(&a.id).expect("delete a");
    for kind in SecretKind::ALL {
        assert!(
            kr.get(&a.id, kind).expect("get").is_none(),
            "{kind:?} of a is gone"
        );
    }
    conns.delete(&b.id).expect("delete b");
    assert!(
        kr.get(&b.id, SecretKind::ClientSecret)
            .expect("get")
            .is_none()
    );
}

/// Run as a child by `checklist_28_no_secret_service_gives_a_clear_error_and_changes_nothing`, with the
/// session bus pointed at nothing.
#[test]
#[ignore = "a child process of checklist_28_no_secret_service_gives_a_clear_error_and_changes_nothing"]
fn child_without_secret_service() {
    let dir = std::env::var("CONNMGR_CHILD_STORE").expect("CONNMGR_CHILD_STORE");
    let kr = Arc::new(KeyringStore::new("Connection Manager (tests, no bus)"));
    let conns = SavedConnections::new(Store::new(&dir), kr.clone());
    let err = kr
        .get("x", SecretKind::ClientSecret)
        .expect_err("no Secret Service");
    println!("get: {:?} {}", err.code(), err);
    let err = conns
        .save(&coupa_draft("No keyring", Some(CLIENT_SECRET)))
        .expect_err("cannot save");
    println!("save: {:?} {}", err.code(), err);
    let listed = conns.list().expect("metadata is still readable");
    println!("listed: {}", listed.len());
}

#[test]
fn checklist_28_no_secret_service_gives_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    // One connection saved beforehand, with no secret, so "untouched" can be checked.
    let before = {
        let conns = SavedConnections::new(
            Store::new(dir.path()),
            Arc::new(connmgr_core::storage::keyring::MemoryStore::new()),
        );
        conns.save(&common::public_draft("Existing")).expect("save");
        std::fs::read(dir.path().join(FILE_NAME)).expect("read")
    };
    let child = spawn_child(
        "child_without_secret_service",
        &[
            ("CONNMGR_CHILD_STORE", dir.path().to_str().expect("utf-8")),
            (
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/connmgr-test-bus",
            ),
            ("DISPLAY", ""),
        ],
    );
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = format!("{:?}", ErrorCode::KeyringUnavailable);
    assert!(
        stdout.contains(&format!("get: {code}")),
        "reading reports keyring_unavailable:\n{stdout}"
    );
    assert!(
        stdout.contains(&format!("save: {code}")),
        "saving reports keyring_unavailable:\n{stdout}"
    );
    assert!(
        stdout.contains("start your keyring"),
        "the message says what to do:\n{stdout}"
    );
    assert!(
        stdout.contains("listed: 1"),
        "metadata stays readable:\n{stdout}"
    );
    assert!(
        !stdout.contains(CLIENT_SECRET),
        "the secret is not in the error"
    );
    let after = std::fs::read(dir.path().join(FILE_NAME)).expect("read");
    assert_eq!(
        before, after,
        "the store file is untouched by the failed save"
    );
}

fn uuid_like() -> String {
    format!(
        "{:x}{:x}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    )
}
