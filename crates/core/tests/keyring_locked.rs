//! The keyring locked: a real gnome-keyring, locked through the Secret Service's own D-Bus
//! `Lock` call, its unlock prompt dismissed (the prompter has no display). The app says the
//! keyring is locked and how to unlock it; nothing is lost, and no secret is written anywhere
//! else. The check runs in a keyring of its own (a child under `scripts/test-env.sh`), so
//! locking it touches no other test.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use common::{coupa_draft, test_keyring};
use connmgr_core::http::HttpClient;
use connmgr_core::storage::connections_file::{FILE_NAME, Store};
use connmgr_core::storage::keyring::SecretStore;
use connmgr_core::{ErrorCode, Workspace};

const SECRET: &str = "locked-client-secret-0c4e1d";
const NEW_SECRET: &str = "locked-new-secret-9a2f7b";

fn lock_the_keyring() {
    let status = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("dbus-send runs");
    assert!(status.success(), "the keyring was locked");
}

/// Every file under `dir`, read.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push((
                path.display().to_string(),
                std::fs::read(&path).expect("read"),
            ));
        }
    }
    out
}

/// Run as a child, in a keyring of its own, by
/// `a_locked_keyring_is_said_and_nothing_is_lost_or_written_elsewhere`.
#[tokio::test]
#[ignore = "a child process of a_locked_keyring_is_said_and_nothing_is_lost_or_written_elsewhere"]
async fn child_with_a_locked_keyring() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keyring: Arc<dyn SecretStore> = Arc::new(test_keyring());
    let ws = Workspace::new(
        Store::new(dir.path()),
        keyring,
        HttpClient::new().expect("http"),
    );
    let saved = ws
        .save(&coupa_draft("Locked out", Some(SECRET)))
        .expect("saved while unlocked");
    let file = dir.path().join(FILE_NAME);
    let before = std::fs::read(&file).expect("the connections file");
    lock_the_keyring();

    let err = ws
        .token(&saved.id)
        .await
        .expect_err("the secret cannot be read");
    assert_eq!(err.code(), ErrorCode::KeyringLocked, "{err}");
    assert!(err.to_string().contains("Unlock it"), "says how: {err}");

    let mut edit = coupa_draft("Locked out", Some(NEW_SECRET));
    edit.id = Some(saved.id.clone());
    let err = ws.save(&edit).expect_err("a new secret cannot be stored");
    assert_eq!(err.code(), ErrorCode::KeyringLocked, "{err}");
    let err = ws
        .save(&coupa_draft("Another", Some(NEW_SECRET)))
        .expect_err("nor a new connection's");
    assert_eq!(err.code(), ErrorCode::KeyringLocked, "{err}");
    let err = ws.delete(&saved.id).await.expect_err("delete stops first");
    assert_eq!(err.code(), ErrorCode::KeyringLocked, "{err}");

    assert_eq!(
        std::fs::read(&file).expect("read"),
        before,
        "the file is untouched"
    );
    assert_eq!(ws.connections().expect("still readable").len(), 1);
    for (path, bytes) in files(dir.path()) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(SECRET) && !text.contains(NEW_SECRET),
            "{path} holds no secret"
        );
    }
    println!("\nall checks passed");
}

#[test]
fn a_locked_keyring_is_said_and_nothing_is_lost_or_written_elsewhere() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/test-env.sh");
    let out = Command::new(script)
        .arg(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "child_with_a_locked_keyring",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        // A keyring of its own: test-env.sh starts one unless it runs inside one already.
        .env_remove("CONNMGR_IN_TEST_ENV")
        .env("DISPLAY", "")
        .env("WAYLAND_DISPLAY", "")
        .output()
        .expect("the child runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all checks passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
