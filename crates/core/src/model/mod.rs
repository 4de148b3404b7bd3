//! The model: what a connection is, the rules it must follow, the scopes it can ask for and
//! the file format connections are exported in. No I/O but reading an import file.

pub mod assertion;
pub mod connection;
pub mod listing;
pub mod names;
pub mod scopes;
pub mod transfer;
pub mod validate;
