//! Connection Manager's domain: connections and their validation, the Coupa scope catalog, the
//! store and the keyring, the OAuth engine and the connection tester.
//!
//! This crate knows nothing of Tauri: the desktop app, command-line tools and the tests all use
//! it as a plain library, so its tests build and run without a window or a WebView.

pub mod clipboard;
pub mod connection;
pub mod connections;
pub mod error;
pub mod facts;
pub mod http;
pub mod jwt;
pub mod oauth;
pub mod redirect;
pub mod renewal;
pub mod scopes;
pub mod secret;
pub mod secrets;
pub mod store;
pub mod tester;
pub mod time;
pub mod tokens;
pub mod transfer;
pub mod validate;
pub mod workspace;

pub use connection::{Connection, ConnectionDraft, ConnectionSettings, SecretUpdate};
pub use connections::Connections;
pub use error::{Error, ErrorCode};
pub use secret::Secret;
pub use workspace::Workspace;

/// The product's name as people see it.
pub const PRODUCT_NAME: &str = "Connection Manager";

/// This build's version, as set in the workspace's `Cargo.toml`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
