//! [`Secret`]: a client secret, refresh token or access token held in memory.
//!
//! It cannot leak by accident: `Debug` and `Display` print `<redacted>`, it implements neither
//! `Serialize` nor `PartialEq`, and the only way to read it is the explicit
//! [`Secret::expose`]. It can be *deserialized*, so the UI can hand one to a command.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// A secret value. Read it only with [`Secret::expose`], at the point where it is sent.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret's text. Every call is a place where the secret leaves its wrapper: keep them few.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compares two secrets. Deliberately not `PartialEq`, so that no derive compares secrets by
    /// accident and the comparison takes the same time whatever the contents.
    pub fn matches(&self, other: &Secret) -> bool {
        subtle::ConstantTimeEq::ct_eq(self.0.as_bytes(), other.0.as_bytes()).into()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

/// On the wire (UI to Rust only) a secret is a plain string.
impl specta::Type for Secret {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("s3cr3t-value");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
    }

    #[test]
    fn deserializes_from_a_json_string_and_exposes_explicitly() {
        let s: Secret = serde_json::from_str("\"abc\"").expect("a JSON string is a secret");
        assert_eq!(s.expose(), "abc");
        assert!(s.matches(&Secret::new("abc")));
        assert!(!s.matches(&Secret::new("abd")));
        assert!(!s.matches(&Secret::new("abcd")));
    }
}
