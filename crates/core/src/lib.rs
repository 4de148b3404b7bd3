//! Connection Manager's domain, laid out by layer:
//!
//! - [`model`]: the connection and its settings, their validation, the scope catalog and the
//!   import/export format;
//! - [`storage`]: the connections file, the keyring, the secret type, and the saved connections
//!   that keep the two in step;
//! - [`oauth`]: the grants, the loopback redirect listener, JWT decoding; [`http`] under them,
//!   and [`redact`] for what a server said before it reaches a message or a log;
//! - [`tokens`]: the token cache with single flight, and background renewal;
//! - [`tester`]: the step-by-step connection test;
//! - [`workspace`]: the one API every front end calls, on top of the rest.
//!
//! This crate knows nothing of Tauri: the desktop app, command-line tools and the tests all use
//! it as a plain library, so its tests build and run without a window or a WebView.

pub mod clipboard;
pub mod error;
pub mod facts;
pub mod http;
pub mod model;
pub mod oauth;
pub mod presets;
pub mod redact;
pub mod storage;
pub mod tester;
pub mod time;
pub mod tokens;
pub mod workspace;

pub use error::{Error, ErrorCode};
pub use model::connection::{Connection, ConnectionDraft, ConnectionSettings, SecretUpdate};
pub use storage::saved::SavedConnections;
pub use storage::secret::Secret;
pub use workspace::Workspace;

/// The product's name as people see it.
pub const PRODUCT_NAME: &str = "Connection Manager";

/// This build's version, as set in the workspace's `Cargo.toml`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
