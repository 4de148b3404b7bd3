//! The connections file on a real filesystem: round trip, permissions, crash safety under
//! `kill -9`, two processes writing at once, and unreadable files kept aside.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::{public_draft, spawn_child};
use connmgr_core::SavedConnections;
use connmgr_core::model::connection::Connection;
use connmgr_core::storage::connections_file::{FILE_NAME, Store};
use connmgr_core::storage::keyring::MemoryStore;

fn connections(dir: &Path) -> SavedConnections {
    SavedConnections::new(Store::new(dir), Arc::new(MemoryStore::new()))
}

fn parses(path: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let list: Vec<Connection> =
        serde_json::from_value(value["connections"].clone()).map_err(|e| e.to_string())?;
    Ok(list.len())
}

#[test]
fn round_trip_keeps_every_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let conns = connections(dir.path());
    let a = conns.save(&public_draft("Alpha")).expect("save a");
    let b = conns
        .save(&common::coupa_draft("Beta", Some("x")))
        .expect("save b");
    // A new instance reads from disk only.
    let again = connections(dir.path()).list().expect("list");
    assert_eq!(again, vec![a, b]);
}

#[cfg(unix)]
#[test]
fn checklist_27_file_is_0600_and_folder_0700() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("data");
    connections(&dir)
        .save(&public_draft("Alpha"))
        .expect("save");
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(
        mode(&dir.join(FILE_NAME)),
        0o600,
        "only the user can read the file"
    );
    assert_eq!(mode(&dir), 0o700, "only the user can list the folder");
}

/// Run as a child by `checklist_29_kill_9_during_saves_never_leaves_a_broken_file`: saves forever.
#[test]
#[ignore = "a child process of checklist_29_kill_9_during_saves_never_leaves_a_broken_file"]
fn child_save_loop() {
    let dir = std::env::var("CONNMGR_CHILD_STORE").expect("CONNMGR_CHILD_STORE");
    let store = Store::new(dir);
    let template = connections(tempfile::tempdir().expect("tmp").path())
        .save(&public_draft("Template"))
        .expect("template");
    let mut i = 0u64;
    loop {
        store
            .update(|list| {
                let mut c = template.clone();
                c.id = format!("id-{i}");
                c.settings.name = format!("Connection {i}");
                list.push(c);
                if list.len() > 30 {
                    list.remove(0);
                }
                Ok(())
            })
            .expect("save");
        if i == 0 {
            println!("child: saving");
        }
        i += 1;
    }
}

#[test]
fn checklist_29_kill_9_during_saves_never_leaves_a_broken_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(FILE_NAME);
    let dir_str = dir.path().to_str().expect("utf-8 path");
    let mut killed_mid_run = 0;
    for round in 0..200u64 {
        let mut child = spawn_child("child_save_loop", &[("CONNMGR_CHILD_STORE", dir_str)]);
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let started = lines.any(|l| l.is_ok_and(|l| l.contains("child: saving")));
        assert!(started, "round {round}: the child started saving");
        // Kill at a different moment each round, mostly while a write is under way.
        std::thread::sleep(Duration::from_micros(200 + (round * 7919) % 3000));
        child.kill().expect("kill -9");
        let status = child.wait().expect("wait");
        // Killed by the signal, not ended by a panic or an error of its own (both of which
        // also give a failed status).
        if std::os::unix::process::ExitStatusExt::signal(&status) == Some(9) {
            killed_mid_run += 1;
        } else {
            let mut rest = String::new();
            for line in lines.map_while(Result::ok) {
                rest.push_str(&line);
                rest.push('\n');
            }
            panic!("round {round}: the child ended by itself ({status}):\n{rest}");
        }
        let n =
            parses(&path).unwrap_or_else(|e| panic!("round {round}: the file does not parse: {e}"));
        assert!(
            n >= 1,
            "round {round}: the file holds the saved connections"
        );
    }
    assert_eq!(killed_mid_run, 200, "every child was killed, not finished");
    let loaded = Store::new(dir.path()).load().expect("load");
    assert!(loaded.set_aside.is_none(), "nothing had to be set aside");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files of killed writers are cleaned up: {leftovers:?}"
    );
}

/// Run as a child by `checklist_30_two_processes_adding_fifty_each_end_with_a_hundred`.
#[test]
#[ignore = "a child process of checklist_30_two_processes_adding_fifty_each_end_with_a_hundred"]
fn child_add_fifty() {
    use std::io::Write;
    let dir = std::env::var("CONNMGR_CHILD_STORE").expect("CONNMGR_CHILD_STORE");
    let who = std::env::var("CONNMGR_CHILD_NAME").expect("CONNMGR_CHILD_NAME");
    let go = std::env::var("CONNMGR_CHILD_GO").expect("CONNMGR_CHILD_GO");
    let conns = connections(Path::new(&dir));
    // The start barrier: ready, then wait for the word to go, so both writers start together.
    println!("child: ready");
    std::io::stdout().flush().expect("flush");
    while !Path::new(&go).exists() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .as_micros()
    };
    let first = now();
    for i in 0..50 {
        conns
            .save(&public_draft(&format!("{who} {i}")))
            .expect("save");
    }
    println!("saved from {first} to {}", now());
}

#[test]
fn checklist_30_two_processes_adding_fifty_each_end_with_a_hundred() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_str = dir.path().to_str().expect("utf-8 path");
    let go = dir.path().join("go");
    let go_str = go.to_str().expect("utf-8 path");
    let mut children: Vec<_> = ["left", "right"]
        .iter()
        .map(|who| {
            spawn_child(
                "child_add_fifty",
                &[
                    ("CONNMGR_CHILD_STORE", dir_str),
                    ("CONNMGR_CHILD_NAME", who),
                    ("CONNMGR_CHILD_GO", go_str),
                ],
            )
        })
        .collect();
    let mut outputs: Vec<_> = children
        .iter_mut()
        .map(|child| BufReader::new(child.stdout.take().expect("stdout")).lines())
        .collect();
    for lines in &mut outputs {
        assert!(
            lines.any(|l| l.is_ok_and(|l| l.contains("child: ready"))),
            "a child did not get ready"
        );
    }
    std::fs::write(&go, b"").expect("go");
    let mut spans = Vec::new();
    for (child, lines) in children.into_iter().zip(outputs) {
        let said: Vec<String> = lines.map_while(Result::ok).collect();
        let status = child.wait_with_output().expect("wait").status;
        assert!(status.success(), "child failed: {said:?}");
        let span = said
            .iter()
            .find_map(|l| l.split_once("saved from ").map(|(_, rest)| rest))
            .and_then(|l| l.split_once(" to "))
            .map(|(a, b)| {
                (
                    a.parse::<u128>().expect("µs"),
                    b.parse::<u128>().expect("µs"),
                )
            })
            .expect("the child says when it saved");
        spans.push(span);
    }
    // The two writers really overlapped: each started before the other finished.
    let (left, right) = (spans[0], spans[1]);
    assert!(
        left.0 < right.1 && right.0 < left.1,
        "the writers overlapped: {left:?} {right:?}"
    );
    let list = connections(dir.path()).list().expect("list");
    assert_eq!(list.len(), 100, "no update was lost");
    for who in ["left", "right"] {
        assert_eq!(
            list.iter()
                .filter(|c| c.settings.name.starts_with(who))
                .count(),
            50
        );
    }
}

#[test]
fn checklist_29_every_unreadable_shape_is_kept_aside_and_reported() {
    let valid = {
        let dir = tempfile::tempdir().expect("temp dir");
        connections(dir.path())
            .save(&public_draft("Alpha"))
            .expect("save");
        std::fs::read(dir.path().join(FILE_NAME)).expect("read")
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", valid[..valid.len() / 2].to_vec(), "cut short"),
        (
            "not UTF-8",
            b"\xff\xfe{\"version\":1}".to_vec(),
            "not UTF-8",
        ),
        ("empty", Vec::new(), "empty"),
        ("empty object", b"{}".to_vec(), "no format version"),
        ("array", b"[]".to_vec(), "not a JSON object"),
        (
            "newer version",
            br#"{"version": 99, "connections": []}"#.to_vec(),
            "newer version",
        ),
        (
            "wrong shape",
            br#"{"version": 1, "connections": [{"id": 1}]}"#.to_vec(),
            "expected shape",
        ),
        ("not JSON", b"name = 'x'".to_vec(), "not valid JSON"),
    ];
    for (what, bytes, reason) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, &bytes).expect("write");
        let conns = connections(dir.path());
        let loaded = conns.load().expect("load never fails on a bad file");
        assert!(loaded.connections.is_empty(), "{what}: starts empty");
        let aside = loaded
            .set_aside
            .unwrap_or_else(|| panic!("{what}: the file was set aside"));
        assert!(
            aside.reason.contains(reason),
            "{what}: reason {:?} mentions {reason:?}",
            aside.reason
        );
        let kept_name = aside
            .kept
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(
            kept_name.starts_with("connections.json.corrupt-"),
            "{what}: kept as {kept_name}"
        );
        assert_eq!(
            std::fs::read(&aside.kept).expect("kept file"),
            bytes,
            "{what}: kept byte for byte"
        );
        assert!(!path.exists(), "{what}: moved, not copied");
        // The app goes on: a save makes a new file and leaves the kept one alone.
        conns
            .save(&public_draft("Fresh"))
            .expect("save after recovery");
        assert_eq!(parses(&path), Ok(1), "{what}: a new file");
        assert_eq!(
            std::fs::read(&aside.kept).expect("kept file"),
            bytes,
            "{what}: never overwritten"
        );
    }
}

#[test]
fn a_file_corrupted_while_running_fails_the_save_and_is_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let conns = connections(dir.path());
    conns.save(&public_draft("Alpha")).expect("save");
    std::fs::write(dir.path().join(FILE_NAME), b"{\"version\":1,").expect("corrupt it");
    let err = conns.save(&public_draft("Beta")).expect_err("corrupt");
    assert_eq!(err.code(), connmgr_core::ErrorCode::StoreCorrupt);
    assert!(
        err.to_string().contains("connections.json.corrupt-"),
        "names the kept file: {err}"
    );
}
