//! The keyring daemon in trouble, each check in a keyring of its own (a child under
//! `scripts/test-env.sh`), so no other test is touched:
//! - locked, through the Secret Service's own D-Bus `Lock` call, its unlock prompt dismissed
//!   (the prompter has no display): the app says the keyring is locked and how to unlock it;
//!   nothing is lost, and no secret is written anywhere else;
//! - stopped in the middle of calls (`kill -9`, as when gnome-keyring-daemon aborts on its own
//!   assertion) and started again by the session bus: no call fails, nothing stored is lost.

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
    in_a_keyring_of_its_own("child_with_a_locked_keyring");
}

/// The process id of the keyring service on the session bus, asked of the bus itself (not a
/// process listing, which would also find other tests' keyrings).
fn keyring_pid() -> Option<u32> {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            "string:org.freedesktop.secrets",
        ])
        .output()
        .expect("dbus-send runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .skip_while(|w| *w != "uint32")
        .nth(1)
        .and_then(|n| n.parse().ok())
}

/// Run as a child, in a keyring of its own, by
/// `a_keyring_daemon_that_stops_mid_call_is_called_again_and_loses_nothing`.
#[test]
#[ignore = "a child process of a_keyring_daemon_that_stops_mid_call_is_called_again_and_loses_nothing"]
fn child_with_a_keyring_that_stops() {
    use connmgr_core::Secret;
    use connmgr_core::storage::keyring::SecretKind;

    let keyring = Arc::new(test_keyring());
    keyring
        .set("kept", SecretKind::ClientSecret, &Secret::new(SECRET))
        .expect("stored before");
    let first = keyring_pid().expect("the keyring runs");
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Four callers, as the app's window, timer and tester make calls at once.
    let callers: Vec<_> = (0..4)
        .map(|n| {
            let keyring = keyring.clone();
            let done = done.clone();
            std::thread::spawn(move || {
                let id = format!("caller-{n}");
                let mut calls = 0;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let value = Secret::new(format!("{NEW_SECRET}-{n}-{calls}"));
                    keyring
                        .set(&id, SecretKind::AccessToken, &value)
                        .unwrap_or_else(|e| panic!("set {calls}: {e}"));
                    let read = keyring
                        .get(&id, SecretKind::AccessToken)
                        .unwrap_or_else(|e| panic!("get {calls}: {e}"))
                        .expect("just stored");
                    assert!(read.matches(&value), "read what was stored");
                    calls += 1;
                }
                keyring.delete_all(&id).expect("delete");
                calls
            })
        })
        .collect();
    let mut stopped = Vec::new();
    for _ in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let pid = keyring_pid().expect("the keyring runs again");
        let status = Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "the keyring {pid} was stopped");
        stopped.push(pid);
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let calls: Vec<usize> = callers
        .into_iter()
        .map(|c| c.join().expect("no call failed"))
        .collect();
    let last = keyring_pid().expect("the keyring runs again");
    assert!(
        !stopped.contains(&last) && last != first,
        "a new keyring answers"
    );
    assert!(
        calls.iter().all(|c| *c > 0),
        "every caller made calls: {calls:?}"
    );
    assert_eq!(
        keyring
            .get("kept", SecretKind::ClientSecret)
            .expect("get")
            .expect("still there")
            .expose(),
        SECRET,
        "what was stored before is kept"
    );
    keyring.delete_all("kept").expect("clean up");
    println!("\nall checks passed: {calls:?} calls, keyrings stopped: {stopped:?}");
}

#[test]
fn a_keyring_daemon_that_stops_mid_call_is_called_again_and_loses_nothing() {
    in_a_keyring_of_its_own("child_with_a_keyring_that_stops");
}

/// Runs the child test `name` under `scripts/test-env.sh` with a keyring of its own.
fn in_a_keyring_of_its_own(name: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/test-env.sh");
    let out = Command::new(script)
        .arg(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            name,
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
