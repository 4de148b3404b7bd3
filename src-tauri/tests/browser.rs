//! The app's browser opener, in an app on Tauri's mock runtime with the real opener plugin
//! (RFC 8252 §8.12: the sign-in page opens in the system browser, never in a window of the
//! app). The programs it may start, `$BROWSER` and the desktop's `xdg-open`, are scripts here
//! that write down how they were called.
//!
//! Each case runs in a child process of this binary, with `PATH` and `BROWSER` of its own.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use connmgr_app::SystemBrowser;
use connmgr_core::oauth::BrowserOpener;
use tauri::Manager;

const SIGN_IN: &str =
    "https://login.example.com/oauth2/authorize?response_type=code&client_id=app&state=s1";

/// A program that appends its own name and its arguments to `calls`.
fn recorder(dir: &Path, name: &str, calls: &Path) {
    let path = dir.join(name);
    fs::write(
        &path,
        format!(
            "#!/bin/sh\nprintf '%s %s\\n' \"$(basename \"$0\")\" \"$*\" >> '{}'\n",
            calls.display()
        ),
    )
    .expect("write the program");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("make it runnable");
}

/// The lines written to `calls` once there are `n` of them (the programs run detached).
fn calls_when(calls: &Path, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let lines: Vec<String> = fs::read_to_string(calls)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect();
        if lines.len() >= n || Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs `opens_once` in a child process of this binary with `browser` as `$BROWSER` (unset
/// when `None`) and the recording programs first on `PATH`: what it printed, and what ran.
fn open_in_child(dir: &Path, browser: Option<&Path>) -> (String, Vec<String>) {
    let calls = dir.join("calls");
    let _ = fs::remove_file(&calls);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    let mut child = Command::new(std::env::current_exe().expect("the test binary"));
    child
        .args(["--exact", "opens_once", "--ignored", "--nocapture"])
        .env("PATH", std::env::join_paths(dirs).expect("PATH"))
        .env("CONNMGR_OPENER_TEST", "1");
    match browser {
        Some(program) => child.env("BROWSER", program),
        None => child.env_remove("BROWSER"),
    };
    let out = child.output().expect("run the child");
    assert!(out.status.success(), "the child test failed: {out:?}");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    let n = usize::from(printed.contains("opened: ok"));
    (printed, calls_when(&calls, n))
}

#[test]
fn the_sign_in_page_opens_in_the_system_browser_never_in_an_app_window() {
    let dir = tempfile::tempdir().expect("temp dir");
    let calls = dir.path().join("calls");
    recorder(dir.path(), "xdg-open", &calls);
    recorder(dir.path(), "chosen-browser", &calls);

    // `$BROWSER` names the program: it is run once, with the address as its only argument.
    let (printed, ran) = open_in_child(dir.path(), Some(&dir.path().join("chosen-browser")));
    assert!(printed.contains("opened: ok"), "{printed}");
    assert_eq!(ran, vec![format!("chosen-browser {SIGN_IN}")]);

    // Without it, the desktop's opener (xdg-open first, as the opener plugin does).
    let (printed, ran) = open_in_child(dir.path(), None);
    assert!(printed.contains("opened: ok"), "{printed}");
    assert_eq!(ran, vec![format!("xdg-open {SIGN_IN}")]);

    // A `$BROWSER` that cannot start is an error that names it, never a quiet fallback.
    let (printed, ran) = open_in_child(dir.path(), Some(&dir.path().join("no-such-browser")));
    assert!(
        printed.contains("opened: error") && printed.contains("no-such-browser"),
        "{printed}"
    );
    assert!(ran.is_empty(), "nothing was started: {ran:?}");
}

/// The child: opens the sign-in page once in an app on the mock runtime and says how it went.
/// Ignored, so a plain run never starts it: `open_in_child` does, with its own environment.
#[test]
#[ignore = "run by the_sign_in_page_opens_in_the_system_browser_never_in_an_app_window"]
fn opens_once() {
    assert_eq!(std::env::var("CONNMGR_OPENER_TEST").as_deref(), Ok("1"));
    let app = tauri::test::mock_builder()
        .plugin(tauri_plugin_opener::init())
        .build(tauri::test::mock_context(tauri::test::noop_assets()))
        .expect("a mock app");
    let opener = SystemBrowser::new(app.handle().clone());
    match opener.open(SIGN_IN) {
        Ok(()) => println!("opened: ok"),
        Err(why) => println!("opened: error: {why}"),
    }
    // No window, and so no webview, was made for it.
    assert!(app.webview_windows().is_empty(), "the app made no window");
}
