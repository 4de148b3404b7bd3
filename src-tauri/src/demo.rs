//! The ready demo: when `make run` starts the local sandbox it passes its address in
//! `CONNMGR_SANDBOX_URL`, and the app keeps a "Local sandbox (Coupa)" connection pointed at it,
//! with the sandbox's built-in client-credentials client, so a new user can test a connection
//! and get a token in the first minute.

use connmgr_core::model::connection::{
    ConnectionDraft, ConnectionSettings, GrantType, SecretUpdate,
};
use connmgr_core::{Connection, Secret, Workspace};

/// The demo connection's name.
pub const NAME: &str = "Local sandbox (Coupa)";
/// The sandbox's built-in client-credentials client (`crates/sandbox/src/config.rs`, `Config::demo`).
pub const CLIENT_ID: &str = "sandbox-integration";
/// Its secret: public, since the sandbox serves only this machine's demos and tests.
pub const CLIENT_SECRET: &str = "sandbox-integration-secret";

/// The sandbox's address, when the app was started with one (`CONNMGR_SANDBOX_URL`).
pub fn sandbox_url() -> Option<String> {
    std::env::var("CONNMGR_SANDBOX_URL")
        .ok()
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty())
}

/// Creates the demo connection, or points the existing one at `base_url` (the sandbox's port
/// changes on every start). Failures are logged: the app works without the demo.
pub fn ensure(workspace: &Workspace, base_url: &str) {
    if let Err(err) = ensure_now(workspace, base_url) {
        tracing::warn!(error = %err, "could not prepare the local sandbox connection");
    }
}

/// [`ensure`], returning the connection or the error.
pub fn ensure_now(
    workspace: &Workspace,
    base_url: &str,
) -> Result<Connection, connmgr_core::Error> {
    let existing = workspace
        .connections()?
        .into_iter()
        .find(|c| c.settings.name == NAME);
    let draft = match existing {
        Some(c) if c.settings.subdomain == base_url && c.has_client_secret => return Ok(c),
        Some(c) => ConnectionDraft {
            id: Some(c.id.clone()),
            settings: ConnectionSettings {
                subdomain: base_url.to_owned(),
                ..c.settings
            },
            client_secret: if c.has_client_secret {
                SecretUpdate::Keep
            } else {
                SecretUpdate::Replace {
                    value: Secret::new(CLIENT_SECRET),
                }
            },
            redirect_port_text: None,
        },
        None => ConnectionDraft {
            id: None,
            settings: ConnectionSettings {
                name: NAME.to_owned(),
                subdomain: base_url.to_owned(),
                client_id: CLIENT_ID.to_owned(),
                grant_type: GrantType::ClientCredentials,
                valid_domains: vec!["127.0.0.1".to_owned()],
                scopes: ["core.user.read", "core.supplier.read", "core.invoice.read"]
                    .map(str::to_owned)
                    .to_vec(),
                ..ConnectionSettings::new_coupa()
            },
            client_secret: SecretUpdate::Replace {
                value: Secret::new(CLIENT_SECRET),
            },
            redirect_port_text: None,
        },
    };
    let saved = workspace.save(&draft)?;
    tracing::info!(%base_url, "local sandbox connection ready");
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_client_is_the_sandboxs_own() {
        let demo = connmgr_sandbox::Config::demo();
        let client = demo
            .client(CLIENT_ID)
            .expect("the sandbox has the demo client");
        assert_eq!(client.secret.as_deref(), Some(CLIENT_SECRET));
        for scope in ["core.user.read", "core.supplier.read", "core.invoice.read"] {
            assert!(
                client.scopes.iter().any(|s| s == scope),
                "the client allows {scope}"
            );
        }
    }

    #[test]
    fn ensure_creates_once_and_follows_the_port() {
        let dir = tempfile::tempdir().expect("temp dir");
        let workspace = Workspace::new(
            connmgr_core::storage::connections_file::Store::new(dir.path()),
            std::sync::Arc::new(connmgr_core::storage::keyring::MemoryStore::new()),
            connmgr_core::http::HttpClient::new().expect("http client"),
        );
        ensure(&workspace, "http://127.0.0.1:4001");
        ensure(&workspace, "http://127.0.0.1:4001");
        ensure(&workspace, "http://127.0.0.1:4002");
        let list = workspace.connections().expect("list");
        assert_eq!(list.len(), 1, "one demo connection");
        assert_eq!(
            list[0].endpoints.token_url,
            "http://127.0.0.1:4002/oauth2/token"
        );
        assert!(list[0].has_client_secret);
    }
}
