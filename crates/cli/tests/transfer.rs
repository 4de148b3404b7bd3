//! `connmgr` export and import between two homes, secrets from standard input, the git
//! credential helper spoken through a real `git`, and the generated completions and man page.

mod common;

use common::{Fixture, SECRET, connmgr_in, git_version, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_takes_the_good_connections_and_names_the_refused_ones() {
    let fx = Fixture::new().await;
    fx.add_client_credentials("Good", SECRET);
    fx.add_client_credentials("Bad", SECRET);
    let file = fx.home.path().join("export.json");
    let file_arg = file.to_str().expect("utf-8");
    assert_eq!(run(fx.connmgr().args(["export", "-o", file_arg])).code, 0);
    let mut export: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    let bad = export["connections"]
        .as_array_mut()
        .expect("connections")
        .iter_mut()
        .find(|c| c["settings"]["name"] == "Bad")
        .expect("Bad");
    bad["settings"]["validDomains"] = serde_json::json!(["com"]);
    std::fs::write(&file, export.to_string()).expect("write");

    let other = tempfile::tempdir().expect("home");
    let imported = run(connmgr_in(other.path()).args(["import", file_arg]));
    assert_eq!(
        imported.code, 1,
        "some were not imported: {}",
        imported.stderr
    );
    assert!(
        imported.stdout.contains("added     Good"),
        "{}",
        imported.stdout
    );
    assert!(
        imported
            .stdout
            .contains("refused   Bad: Valid domain names: \u{201c}com\u{201d} is too broad"),
        "the form's label and Rust's reason: {}",
        imported.stdout
    );
    assert!(
        imported.stderr.contains(
            "1 of the file's 2 connections was not imported (see above); the others were."
        ),
        "{}",
        imported.stderr
    );
    let listed = run(connmgr_in(other.path()).args(["list"]));
    assert!(
        listed.stdout.contains("Good") && !listed.stdout.contains("Bad"),
        "{}",
        listed.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_import_and_secret_set_between_two_homes() {
    let fx = Fixture::new().await;
    fx.add_client_credentials("Shared", SECRET);
    let file = fx.home.path().join("export.json");
    let file_arg = file.to_str().expect("utf-8");

    let written = run(fx.connmgr().args(["export", "-o", file_arg]));
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert_eq!(
        written.stdout,
        format!("1 connection written to {file_arg}\n")
    );
    assert!(
        !std::fs::read_to_string(&file)
            .expect("read")
            .contains(SECRET)
    );
    let again = run(fx.connmgr().args(["export", "Shared", "-o", file_arg]));
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(
        run(fx
            .connmgr()
            .args(["export", "Shared", "-o", file_arg, "--force"]))
        .code,
        0
    );

    // Another person imports it twice: the second time the name is taken.
    let other = tempfile::tempdir().expect("home");
    let imported = run(connmgr_in(other.path()).args(["import", file_arg]));
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    assert!(
        imported.stdout.contains("added     Shared"),
        "{}",
        imported.stdout
    );
    assert!(
        imported.stdout.contains("connmgr secret set 'Shared'"),
        "{}",
        imported.stdout
    );
    let skipped = run(connmgr_in(other.path()).args(["import", file_arg]));
    assert!(
        skipped.stdout.contains("skipped   Shared"),
        "{}",
        skipped.stdout
    );
    let renamed =
        run(connmgr_in(other.path()).args(["import", file_arg, "--on-conflict", "rename"]));
    assert!(
        renamed
            .stdout
            .contains("renamed   Shared \u{2192} Shared (2)"),
        "{}",
        renamed.stdout
    );

    // No secret yet: a person must enter it (4); from standard input, then it works.
    assert_eq!(
        run(connmgr_in(other.path()).args(["token", "Shared"])).code,
        4
    );
    let empty = run(connmgr_in(other.path())
        .args(["secret", "set", "Shared"])
        .write_stdin(""));
    assert_eq!(empty.code, 2, "{}", empty.stderr);
    let set = run(connmgr_in(other.path())
        .args(["secret", "set", "Shared"])
        .write_stdin(format!("{SECRET}\n")));
    assert_eq!(set.code, 0, "{}", set.stderr);
    assert!(!set.stdout.contains(SECRET));
    let token = run(connmgr_in(other.path()).args(["token", "Shared"]));
    assert_eq!(
        token.code, 0,
        "the secret, its line end dropped, works: {}",
        token.stderr
    );

    for (home, name) in [
        (other.path(), "Shared"),
        (other.path(), "Shared (2)"),
        (fx.home.path(), "Shared"),
    ] {
        assert_eq!(
            run(connmgr_in(home).args(["delete", name, "--yes"])).code,
            0
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_asks_connmgr_for_a_token_through_its_credential_helper() {
    let fx = Fixture::new().await;
    fx.add_client_credentials("Git host", SECRET);
    let connmgr = assert_cmd::cargo::cargo_bin("connmgr");
    let helper = format!("!'{}' git-credential", connmgr.display());
    let port = fx.sandbox.addr().port();
    let fill = |input: String| {
        let mut git = std::process::Command::new("git");
        git.args(["-c", "credential.helper=", "-c"])
            .arg(format!("credential.helper={helper}"))
            .args(["credential", "fill"])
            .env("HOME", fx.home.path())
            .env("XDG_DATA_HOME", fx.home.path().join(".local/share"))
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = git.spawn().expect("git runs");
        std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), input.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("git ends");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let token = run(fx.connmgr().args(["token", "Git host"])).stdout;

    // Git that offers the Bearer capability (2.46 and later) gets the token as the
    // Authorization credential; an older git passes the capability on to no helper.
    let (ok, out, err) = fill(format!(
        "capability[]=authtype\nprotocol=http\nhost=127.0.0.1:{port}\n\n"
    ));
    assert!(ok, "{err}");
    if git_version() >= (2, 46) {
        assert!(out.contains("authtype=Bearer\n"), "{out}");
        assert!(out.contains(&format!("credential={token}\n")), "{out}");
    } else {
        assert!(out.contains(&format!("password={token}\n")), "{out}");
    }
    // git passes the expiry on from 2.41; connmgr always gives it.
    if git_version() >= (2, 41) {
        assert!(out.contains("password_expiry_utc="), "{out}");
    }
    let direct = run(fx
        .connmgr()
        .args(["git-credential", "get"])
        .write_stdin(format!("protocol=http\nhost=127.0.0.1:{port}\n\n")));
    assert!(
        direct.stdout.contains("password_expiry_utc="),
        "{}",
        direct.stdout.len()
    );

    // Older Git: a username and the token as the password.
    let (ok, out, err) = fill(format!("protocol=http\nhost=127.0.0.1:{port}\n\n"));
    assert!(ok, "{err}");
    assert!(out.contains(&format!("password={token}\n")), "{out}");
    assert!(out.contains("username=oauth2\n"), "{out}");

    // A host no connection covers: connmgr says nothing and git goes on without it.
    let (ok, out, _) = fill("protocol=https\nhost=elsewhere.example\n\n".to_owned());
    assert!(!ok || !out.contains("password="), "{out}");

    // erase (the server refused the token) drops it: the next token is a new one.
    let erase = run(fx
        .connmgr()
        .args(["git-credential", "erase"])
        .write_stdin(format!(
            "protocol=http\nhost=127.0.0.1:{port}\npassword={token}\n\n"
        )));
    assert_eq!(erase.code, 0, "{}", erase.stderr);
    let next = run(fx.connmgr().args(["token", "Git host"])).stdout;
    assert_ne!(next, token);
    assert_eq!(
        run(fx.connmgr().args(["delete", "Git host", "--yes"])).code,
        0
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_same_definitions() {
    let home = tempfile::tempdir().expect("home");
    let bash = run(connmgr_in(home.path()).args(["completions", "bash"]));
    assert_eq!(bash.code, 0);
    assert!(bash.stdout.contains("git-credential") && bash.stdout.contains("--min-valid"));
    let man = run(connmgr_in(home.path()).arg("man"));
    assert!(man.stdout.contains(".TH connmgr 1"), "{}", man.stdout);
    assert!(
        man.stdout.contains("connmgr\\-git\\-credential(1)"),
        "{}",
        man.stdout
    );
    assert!(
        man.stdout.contains("keyring unavailable or locked"),
        "the exit codes too"
    );
    let token = run(connmgr_in(home.path()).args(["man", "token"]));
    assert!(
        token.stdout.contains(".TH connmgr-token 1"),
        "{}",
        token.stdout
    );
    assert!(
        token.stdout.contains("exec\\-credential"),
        "{}",
        token.stdout
    );
    let help = run(connmgr_in(home.path()).arg("--help"));
    assert!(
        help.stdout.contains("7  keyring unavailable or locked"),
        "{}",
        help.stdout
    );
}
