//! git fetching over HTTP from a server on loopback that asks for credentials, with `connmgr
//! git-credential` as its only credential helper: the whole protocol as git speaks it. The
//! server lets git in only with a token the sandbox accepts, sent as HTTP Basic's password or,
//! with git 2.46 and later (which offer the `authtype` capability), as a Bearer credential.

mod common;

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use common::{Fixture, SECRET, git_version, run};

/// A commit id the server advertises, so that `git ls-remote` has something to list.
const HEAD: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// The server's scheme and the Authorization headers it saw.
struct GitServer {
    scheme: &'static str,
    sandbox: String,
    seen: Mutex<Vec<String>>,
}

/// The token inside an Authorization header of `scheme`, if it is one.
fn token_in(scheme: &str, authorization: &str) -> Option<String> {
    let value = authorization.strip_prefix(scheme)?.strip_prefix(' ')?;
    if scheme == "Bearer" {
        return Some(value.to_owned());
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value)
        .ok()?;
    let pair = String::from_utf8(decoded).ok()?;
    Some(pair.split_once(':')?.1.to_owned())
}

/// Every path: refs (git's dumb HTTP protocol, which it falls back to) for a token the
/// sandbox's API accepts, 401 with a challenge of the server's scheme otherwise.
async fn serve(State(server): State<Arc<GitServer>>, headers: HeaderMap) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    server
        .seen
        .lock()
        .expect("seen")
        .push(authorization.clone());
    if let Some(token) = token_in(server.scheme, &authorization) {
        let status = reqwest::Client::new()
            .get(format!("{}/api/users?limit=1", server.sandbox))
            .bearer_auth(token)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        if status == 200 {
            return (
                [(header::CONTENT_TYPE, "text/plain")],
                format!("{HEAD}\trefs/heads/main\n"),
            )
                .into_response();
        }
    }
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            format!("{} realm=\"git\"", server.scheme),
        )],
        "sign in",
    )
        .into_response()
}

/// Starts a git server on loopback asking for `scheme`; its address and what it saw.
async fn git_server(scheme: &'static str, sandbox: &str) -> (String, Arc<GitServer>) {
    let server = Arc::new(GitServer {
        scheme,
        sandbox: sandbox.to_owned(),
        seen: Mutex::new(Vec::new()),
    });
    let app = axum::Router::new()
        .fallback(serve)
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/repo.git"), server)
}

/// `git ls-remote URL` with connmgr as the only credential helper, in the fixture's home.
fn ls_remote(fx: &Fixture, url: &str) -> (bool, String, String) {
    let helper = format!(
        "!'{}' git-credential",
        assert_cmd::cargo::cargo_bin("connmgr").display()
    );
    let out = std::process::Command::new("git")
        .args(["-c", "credential.helper=", "-c"])
        .arg(format!("credential.helper={helper}"))
        .args(["ls-remote", url])
        .env("HOME", fx.home.path())
        .env("XDG_DATA_HOME", fx.home.path().join(".local/share"))
        .env("XDG_CONFIG_HOME", fx.home.path().join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .output()
        .expect("git runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_gets_in_with_the_token_as_basic_password() {
    let fx = Fixture::new().await;
    fx.add_client_credentials("Git host", SECRET);
    let (url, server) = git_server("Basic", &fx.url()).await;
    let (ok, out, err) = ls_remote(&fx, &url);
    assert!(ok, "git was let in: {err}");
    assert_eq!(out, format!("{HEAD}\trefs/heads/main\n"));
    let seen = server.seen.lock().expect("seen").clone();
    assert_eq!(seen[0], "", "git asks first without credentials: {seen:?}");
    let token = run(fx.connmgr().args(["token", "Git host"])).stdout;
    let sent = seen
        .iter()
        .filter_map(|a| token_in("Basic", a))
        .collect::<Vec<_>>();
    assert!(
        sent.contains(&token),
        "the token went as the password: {seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_gets_in_with_the_token_as_bearer_where_it_can() {
    let fx = Fixture::new().await;
    fx.add_client_credentials("Git host", SECRET);
    let (url, server) = git_server("Bearer", &fx.url()).await;
    let (ok, out, err) = ls_remote(&fx, &url);
    if git_version() < (2, 46) {
        // This git offers no authtype capability: connmgr answers with a password, which git
        // sends as Basic, and a server that takes Bearer only keeps it out.
        assert!(!ok, "{out}");
        let seen = server.seen.lock().expect("seen").clone();
        assert!(seen.iter().all(|a| !a.starts_with("Bearer ")), "{seen:?}");
        return;
    }
    assert!(ok, "git was let in: {err}");
    assert_eq!(out, format!("{HEAD}\trefs/heads/main\n"));
    let token = run(fx.connmgr().args(["token", "Git host"])).stdout;
    let seen = server.seen.lock().expect("seen").clone();
    assert!(
        seen.contains(&format!("Bearer {token}")),
        "the token went as a Bearer credential: {seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_never_goes_to_git_over_plain_http_to_another_computer() {
    let fx = Fixture::new().await;
    fx.add_client_credentials("Git host", SECRET);
    // Valid domain names that cover the host, yet plain http: no answer.
    let _ = run(fx.connmgr().args(["delete", "Git host", "--yes"]));
    let ran = run(fx
        .connmgr()
        .args(["add", "--name", "Remote", "--coupa", &fx.url()])
        .args(["--client-id", "sandbox-integration"])
        .args([
            "--valid-domain",
            "127.0.0.1",
            "--valid-domain",
            "git.example.com",
        ])
        .arg("--secret-from-stdin")
        .write_stdin(SECRET));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let get = |protocol: &str| {
        run(fx
            .connmgr()
            .args(["git-credential", "get"])
            .write_stdin(format!("protocol={protocol}\nhost=git.example.com\n\n")))
    };
    let plain = get("http");
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert_eq!(plain.stdout, "", "nothing for http://git.example.com");
    let secure = get("https");
    assert!(secure.stdout.contains("password="), "{}", secure.stderr);
}
