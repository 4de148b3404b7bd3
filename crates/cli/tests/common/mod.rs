//! Helpers of the `connmgr` tests: the built binary in a home of its own, the sandbox, and the
//! real test keyring (`scripts/test-env.sh`, which `make test` uses).
#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;
use connmgr_sandbox::config::Consent;
use connmgr_sandbox::{Config, Sandbox};

/// The sandbox's client-credentials client's secret (public: the sandbox runs on loopback).
pub const SECRET: &str = "sandbox-integration-secret";

/// A home of its own (its data folder is the connections' folder) and a sandbox.
pub struct Fixture {
    pub home: tempfile::TempDir,
    pub sandbox: Sandbox,
}

impl Fixture {
    pub async fn new() -> Fixture {
        Fixture::with(Config::strict()).await
    }

    /// A fixture whose sandbox has `config` (sign-ins approved at once).
    pub async fn with(mut config: Config) -> Fixture {
        assert!(
            std::env::var("CONNMGR_KEYRING_SERVICE").is_ok(),
            "run these tests through scripts/test-env.sh (make test): they use a private keyring"
        );
        config.consent = Consent::Approve;
        Fixture {
            home: tempfile::tempdir().expect("temp home"),
            sandbox: Sandbox::start_with(config, 0).await.expect("sandbox"),
        }
    }

    /// `connmgr` in this fixture's home.
    pub fn connmgr(&self) -> Command {
        connmgr_in(self.home.path())
    }

    pub fn url(&self) -> String {
        self.sandbox.base_url()
    }

    /// Adds the sandbox's client-credentials client as `name`; returns its id.
    pub fn add_client_credentials(&self, name: &str, secret: &str) -> String {
        let out = self
            .connmgr()
            .args(["add", "--name", name, "--coupa", &self.url()])
            .args([
                "--client-id",
                "sandbox-integration",
                "--valid-domain",
                "127.0.0.1",
            ])
            .arg("--secret-from-stdin")
            .write_stdin(secret)
            .output()
            .expect("connmgr add");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_owned()
    }
}

/// `connmgr` with `home` as HOME and its data folder.
pub fn connmgr_in(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("connmgr").expect("the connmgr binary");
    cmd.env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"));
    cmd
}

/// What a run printed, and its exit code.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Ran {
    let out = cmd.output().expect("connmgr ran");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// git's version as (major, minor).
pub fn git_version() -> (u32, u32) {
    let out = std::process::Command::new("git")
        .arg("--version")
        .output()
        .expect("git runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut numbers = text
        .split_whitespace()
        .nth(2)
        .unwrap_or_default()
        .split('.')
        .map(|n| n.parse().unwrap_or(0));
    (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
}
