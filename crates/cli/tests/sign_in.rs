//! `connmgr sign-in` run as a person would: the built binary against the sandbox and the real
//! test keyring. The device-code grant's code and address are read from its output and
//! approved at the sandbox; the browser sign-in's address is printed (`--no-browser`) and
//! followed as a browser would, or handed to `$BROWSER`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;

use common::{Fixture, run};
use connmgr_sandbox::Config;
use connmgr_sandbox::config::Consent;

/// A fixture whose sandbox asks for polls every second.
async fn fixture() -> Fixture {
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    config.device_interval_secs = Some(1);
    let fx = Fixture::new().await;
    Fixture {
        home: fx.home,
        sandbox: connmgr_sandbox::Sandbox::start_with(config, 0)
            .await
            .expect("sandbox"),
    }
}

/// Adds the sandbox's public client as `name` with `grant`; returns its id.
fn add_public(fx: &Fixture, name: &str, grant: &str) -> String {
    let base = fx.url();
    let ran = run(fx
        .connmgr()
        .args(["add", "--name", name, "--coupa", &base, "--grant", grant])
        .args([
            "--client-id",
            "sandbox-desktop",
            "--valid-domain",
            "127.0.0.1",
        ])
        .args(["--scope", "core.user.read", "--scope", "offline_access"])
        .arg("--device-authorization-url")
        .arg(format!("{base}/oauth2/device_authorization")));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    ran.stdout.trim().to_owned()
}

/// Starts `connmgr sign-in ARGS…` with its standard output piped.
fn spawn_sign_in(fx: &Fixture, args: &[&str]) -> Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("connmgr"));
    cmd.env("HOME", fx.home.path())
        .env("XDG_DATA_HOME", fx.home.path().join(".local/share"))
        .env("XDG_CONFIG_HOME", fx.home.path().join(".config"))
        .env_remove("BROWSER")
        .arg("sign-in")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.spawn().expect("connmgr sign-in")
}

/// Reads standard output until a line satisfies `wanted`; returns everything read.
fn read_until(child: &mut Child, wanted: impl Fn(&str) -> bool) -> String {
    let stdout = child.stdout.as_mut().expect("piped");
    let mut reader = BufReader::new(stdout);
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).expect("read");
        assert!(n > 0, "output ended before the line wanted: {seen}");
        seen.push_str(&line);
        if wanted(&line) {
            return seen;
        }
    }
}

/// Waits for the child; its exit code, the rest of its standard output, and its standard error.
fn finish(child: Child) -> (i32, String, String) {
    let out = child.wait_with_output().expect("waited");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_sign_in_prints_the_code_and_completes_when_approved() {
    let fx = fixture().await;
    add_public(&fx, "Device", "device-code");
    let mut child = spawn_sign_in(&fx, &["device", "--no-browser"]);
    let head = read_until(&mut child, |l| l.starts_with("Waiting for the approval"));
    let lines: Vec<&str> = head.lines().map(str::trim).collect();
    let code_at = lines
        .iter()
        .position(|l| *l == "and enter the code")
        .expect("the code is introduced");
    let user_code = lines[code_at + 1];
    assert_eq!(lines[code_at - 1], format!("{}/oauth2/device", fx.url()));
    assert!(
        head.contains(&format!("/oauth2/device?user_code={user_code}")),
        "{head}"
    );
    assert!(
        !head.contains('█'),
        "no QR code when standard output is not a terminal"
    );
    assert!(fx.sandbox.decide_device(user_code, true));
    let (code, rest, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        rest.starts_with("Signed in to \u{201c}Device\u{201d}: an access token valid until"),
        "{rest}"
    );
    assert!(rest.contains("a refresh token is held"), "{rest}");
    // The token is kept for every front end: `connmgr token` prints it without a sign-in.
    let polls = fx.sandbox.device_polls().len();
    let token = run(fx.connmgr().args(["token", "Device"]));
    assert_eq!(token.code, 0, "{}", token.stderr);
    assert!(!token.stdout.is_empty());
    assert_eq!(fx.sandbox.device_polls().len(), polls, "no new sign-in");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denied_device_sign_in_exits_5_with_access_denied() {
    let fx = fixture().await;
    add_public(&fx, "Device", "device-code");
    let mut child = spawn_sign_in(&fx, &["Device", "--no-browser"]);
    let head = read_until(&mut child, |l| l.starts_with("Waiting for the approval"));
    let user_code = head
        .lines()
        .map(str::trim)
        .skip_while(|l| *l != "and enter the code")
        .nth(1)
        .expect("the code")
        .to_owned();
    assert!(fx.sandbox.decide_device(&user_code, false));
    let (code, _, stderr) = finish(child);
    assert_eq!(code, 5, "{stderr}");
    assert!(
        stderr.starts_with("connmgr: access_denied: The sign-in was denied"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_device_page_opens_in_the_browser_named_by_browser() {
    let fx = fixture().await;
    add_public(&fx, "Device", "device-code");
    let opened = fx.home.path().join("opened.txt");
    let browser = fx.home.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .expect("browser script");
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("executable");
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("connmgr"));
    let mut child = cmd
        .env("HOME", fx.home.path())
        .env("XDG_DATA_HOME", fx.home.path().join(".local/share"))
        .env("BROWSER", &browser)
        .args(["sign-in", "Device"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("connmgr sign-in");
    read_until(&mut child, |l| l.starts_with("Waiting for the approval"));
    let mut address = String::new();
    for _ in 0..50 {
        address = std::fs::read_to_string(&opened).unwrap_or_default();
        if !address.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let user_code = address
        .split("user_code=")
        .nth(1)
        .expect("the complete address, code filled in")
        .to_owned();
    // The person approves on the page the browser opened.
    let page = reqwest::get(&address)
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains(&user_code), "the page has the code filled in");
    let approved = reqwest::Client::new()
        .post(format!("{}/oauth2/device", fx.url()))
        .form(&[("user_code", user_code.as_str()), ("decision", "approve")])
        .send()
        .await
        .expect("approve");
    assert!(
        approved
            .text()
            .await
            .expect("text")
            .contains("Device approved")
    );
    let (code, _, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_sign_in_prints_the_address_with_no_browser() {
    let fx = fixture().await;
    add_public(&fx, "Browser", "authorization-code");
    let mut child = spawn_sign_in(&fx, &["browser", "--no-browser"]);
    let head = read_until(&mut child, |l| l.trim_start().starts_with("http"));
    let url = head.lines().last().expect("the address").trim().to_owned();
    assert!(
        url.starts_with(&format!("{}/oauth2/authorizations/new?", fx.url())),
        "{url}"
    );
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    // A browser on this computer: the sandbox approves at once and redirects to the listener.
    let landed = reqwest::get(&url).await.expect("followed back to connmgr");
    assert!(landed.status().is_success());
    let (code, rest, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}");
    // The strict server gives a refresh token only to a sign-in with prompt=consent (see
    // a_param_flag_asks_for_consent_and_gets_the_refresh_token): connmgr says none came, and how
    // to ask for one.
    assert!(rest.contains("no refresh token came with it"), "{rest}");
    assert!(rest.contains("prompt=consent"), "{rest}");
}

#[tokio::test(flavor = "multi_thread")]
async fn client_credentials_need_no_sign_in_and_a_device_grant_needs_its_address() {
    let fx = fixture().await;
    fx.add_client_credentials("System", common::SECRET);
    let ran = run(fx.connmgr().args(["sign-in", "System"]));
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("connmgr token System"),
        "{}",
        ran.stderr
    );
    // A device-code connection without its device authorization URL is refused at `add`.
    let ran = run(fx
        .connmgr()
        .args([
            "add",
            "--name",
            "No URL",
            "--coupa",
            &fx.url(),
            "--grant",
            "device-code",
        ])
        .args([
            "--client-id",
            "sandbox-desktop",
            "--valid-domain",
            "127.0.0.1",
        ]));
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("deviceAuthorizationUrl")
            || ran.stderr.contains("device authorization URL"),
        "{}",
        ran.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_param_flag_asks_for_consent_and_gets_the_refresh_token() {
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    config.offline_needs_consent = true;
    let fx = Fixture::new().await;
    let fx = Fixture {
        home: fx.home,
        sandbox: connmgr_sandbox::Sandbox::start_with(config, 0)
            .await
            .expect("sandbox"),
    };
    let base = fx.url();
    let add = |name: &str, extra: &[&str]| {
        run(fx
            .connmgr()
            .args(["add", "--name", name, "--coupa", &base])
            .args([
                "--grant",
                "authorization-code",
                "--client-id",
                "sandbox-desktop",
            ])
            .args(["--valid-domain", "127.0.0.1", "--scope", "offline_access"])
            .args(extra))
    };
    // A protocol's own name, or a malformed flag, is refused with the flag named.
    let owned = add("Owned", &["--param", "authorization:redirect_uri=http://x"]);
    assert_eq!(owned.code, 2, "{}", owned.stderr);
    assert!(owned.stderr.contains("--param"), "{}", owned.stderr);
    let malformed = add("Malformed", &["--param", "prompt=consent"]);
    assert_eq!(malformed.code, 2, "{}", malformed.stderr);
    assert!(
        malformed
            .stderr
            .contains("authorization|token|refresh:NAME=VALUE"),
        "{}",
        malformed.stderr
    );

    let sign_in = |name: &str| {
        let mut child = spawn_sign_in(&fx, &[name, "--no-browser"]);
        let head = read_until(&mut child, |l| l.trim_start().starts_with("http"));
        let url = head.lines().last().expect("the address").trim().to_owned();
        (child, url)
    };
    // Without prompt=consent: no refresh token, and the output says how to get one.
    assert_eq!(add("Plain", &[]).code, 0);
    let (child, url) = sign_in("Plain");
    reqwest::get(&url).await.expect("followed");
    let (code, rest, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}");
    assert!(rest.contains("no refresh token came"), "{rest}");
    assert!(
        rest.contains("Note: offline_access was asked for"),
        "{rest}"
    );

    assert_eq!(
        add("Consent", &["--param", "authorization:prompt=consent"]).code,
        0
    );
    let shown = run(fx.connmgr().args(["show", "Consent", "--json"]));
    let json: serde_json::Value = serde_json::from_str(&shown.stdout).expect("json");
    assert_eq!(
        json["settings"]["extraParams"],
        serde_json::json!([{"stage": "authorization", "name": "prompt", "value": "consent"}])
    );
    let text = run(fx.connmgr().args(["show", "Consent"])).stdout;
    assert!(
        text.lines()
            .any(|l| l.starts_with("Extra parameters")
                && l.ends_with("  authorization:prompt=consent")),
        "{text}"
    );
    let (child, url) = sign_in("Consent");
    assert!(url.contains("prompt=consent"), "{url}");
    reqwest::get(&url).await.expect("followed");
    let (code, rest, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}");
    assert!(rest.contains("a refresh token is held"), "{rest}");
}

#[tokio::test(flavor = "multi_thread")]
async fn add_with_an_issuer_alone_fills_the_endpoints_from_its_metadata() {
    let mut config = Config::strict();
    config.consent = Consent::Approve;
    config.issuer_path = "/realms/acme".to_owned();
    let fx = Fixture::new().await;
    let fx = Fixture {
        home: fx.home,
        sandbox: connmgr_sandbox::Sandbox::start_with(config, 0)
            .await
            .expect("sandbox"),
    };
    let issuer = fx.sandbox.issuer();
    let added = run(fx
        .connmgr()
        .args(["add", "--name", "Discovered", "--issuer", &issuer])
        .args([
            "--grant",
            "authorization-code",
            "--client-id",
            "sandbox-desktop",
        ])
        .args(["--scope", "core.user.read", "--json"]));
    assert_eq!(added.code, 0, "{}", added.stderr);
    let json: serde_json::Value = serde_json::from_str(&added.stdout).expect("json");
    let base = fx.url();
    assert_eq!(
        json["endpoints"]["tokenUrl"],
        format!("{base}/oauth2/token")
    );
    assert_eq!(
        json["endpoints"]["authorizationUrl"],
        format!("{base}/oauth2/authorizations/new")
    );
    assert_eq!(json["settings"]["requireIss"], true);
    assert_eq!(
        json["settings"]["validDomains"],
        serde_json::json!(["127.0.0.1"])
    );
    assert!(
        json["settings"]["metadata"]["fetchedFrom"]
            .as_str()
            .is_some_and(|f| f.ends_with("/.well-known/oauth-authorization-server/realms/acme"))
    );
    let text = run(fx.connmgr().args(["show", "Discovered"])).stdout;
    assert!(
        text.contains("Server metadata")
            && text.contains("/.well-known/oauth-authorization-server/realms/acme"),
        "{text}"
    );
    assert!(text.contains("Device authorization endpoint"), "{text}");
    // And it signs in: the path issuer's iss is the one typed.
    let mut child = spawn_sign_in(&fx, &["Discovered", "--no-browser"]);
    let head = read_until(&mut child, |l| l.trim_start().starts_with("http"));
    let url = head.lines().last().expect("the address").trim().to_owned();
    reqwest::get(&url).await.expect("followed");
    let (code, _, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}");
}
