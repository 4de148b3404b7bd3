//! Storage: the connections file (metadata, never a secret), the keyring (secrets), the type
//! that keeps a secret from being printed or serialized, and the saved connections, which keep
//! the file and the keyring in step, and where all of it lives.

pub mod atomic;
pub mod connections_file;
pub(crate) mod credential;
pub mod import;
pub mod keyring;
pub mod place;
pub mod saved;
pub mod secret;
