//! Helpers shared by the core's integration tests.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};

use connmgr_core::connection::{ConnectionDraft, ConnectionSettings, GrantType, SecretUpdate};
use connmgr_core::secret::Secret;

/// Starts this test binary again, running only the ignored test `name`, with `envs` set.
/// Child tests are `#[ignore]`d so a plain run never starts them by itself.
pub fn spawn_child(name: &str, envs: &[(&str, &str)]) -> Child {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut cmd = Command::new(exe);
    cmd.args([
        "--exact",
        name,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn the child test")
}

/// A valid draft for a Coupa client-credentials connection.
pub fn coupa_draft(name: &str, secret: Option<&str>) -> ConnectionDraft {
    ConnectionDraft {
        id: None,
        settings: ConnectionSettings {
            name: name.to_owned(),
            subdomain: "acme".to_owned(),
            client_id: "client-1".to_owned(),
            ..ConnectionSettings::new_coupa()
        },
        client_secret: match secret {
            Some(s) => SecretUpdate::Replace {
                value: Secret::new(s),
            },
            None => SecretUpdate::Keep,
        },
    }
}

/// A valid draft that needs no secret: a public authorization-code client.
pub fn public_draft(name: &str) -> ConnectionDraft {
    let mut d = coupa_draft(name, None);
    d.settings.grant_type = GrantType::AuthorizationCode;
    d
}
