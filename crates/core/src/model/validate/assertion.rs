//! The signed assertion's settings (RFC 7523): an algorithm that fits the key, a `kid` and an
//! audience that fit in a header, extra header fields and claims that cannot stand in for the
//! ones the client sets, and a certificate that has not expired.

use super::{URL_MAX, Validator, field};
use crate::model::assertion::{FIELDS_MAX, RESERVED_CLAIMS, RESERVED_HEADER};
use crate::model::connection::{ClientAuth, ConnectionSettings};
use crate::time::Timestamp;

/// The longest `kid`.
const KEY_ID_MAX: usize = 256;
/// The longest header field or claim name.
const FIELD_NAME_MAX: usize = 64;

impl Validator {
    pub(super) fn assertion(&mut self, s: &mut ConnectionSettings, now: Timestamp) {
        if s.client_auth != ClientAuth::PrivateKeyJwt {
            return;
        }
        let a = &mut s.assertion;
        a.key_id = a.key_id.trim().to_owned();
        a.audience = a.audience.trim().to_owned();
        if let Some(key) = &a.key
            && !a.algorithm.fits(key.kind)
        {
            self.error(
                field::ASSERTION,
                format!(
                    "{} does not fit the imported key: choose {}.",
                    a.algorithm.name(),
                    if a.algorithm.name().starts_with("ES") {
                        "RS256 or PS256 for an RSA key"
                    } else {
                        "ES256 for an EC key"
                    }
                ),
            );
        }
        if a.key_id.chars().count() > KEY_ID_MAX || a.key_id.chars().any(char::is_control) {
            self.error(
                field::ASSERTION,
                format!("The key ID must be at most {KEY_ID_MAX} characters, with no control characters."),
            );
        }
        if a.audience.len() > URL_MAX || a.audience.chars().any(char::is_control) {
            self.error(
                field::ASSERTION,
                format!(
                    "The audience must be at most {URL_MAX} characters, with no control characters."
                ),
            );
        }
        let certificate = a.key.as_ref().and_then(|k| k.certificate.as_ref());
        if a.certificate_thumbprint && certificate.is_none() {
            self.error(
                field::ASSERTION,
                "Sending x5t#S256 needs the key's certificate: import it with the key.",
            );
        }
        if let Some(cert) = certificate {
            if cert.not_after <= now {
                self.warning(
                    field::CLIENT_KEY,
                    format!(
                        "The certificate expired on {}: the server will refuse assertions made with it. Import a renewed certificate.",
                        cert.not_after.date()
                    ),
                );
            } else if crate::model::assertion::certificate_due(cert.not_after, now) {
                self.warning(
                    field::CLIENT_KEY,
                    format!(
                        "The certificate expires on {}: renew it and import it before then.",
                        cert.not_after.date()
                    ),
                );
            }
        }
        let header = std::mem::take(&mut a.header);
        a.header = self.fields(header, "Header field", RESERVED_HEADER);
        let claims = std::mem::take(&mut a.claims);
        a.claims = self.fields(claims, "Claim", RESERVED_CLAIMS);
    }

    fn fields(
        &mut self,
        mut list: Vec<crate::model::assertion::AssertionField>,
        what: &str,
        reserved: &[&str],
    ) -> Vec<crate::model::assertion::AssertionField> {
        if list.len() > FIELDS_MAX {
            self.error(
                field::ASSERTION,
                format!(
                    "An assertion can have at most {FIELDS_MAX} extra {}s.",
                    what.to_lowercase()
                ),
            );
            return list;
        }
        let mut seen = std::collections::HashSet::new();
        for (i, f) in list.iter_mut().enumerate() {
            f.name = f.name.trim().to_owned();
            let at = format!("{what} {}", i + 1);
            let problem = if f.name.is_empty() {
                Some(format!("{at} has no name."))
            } else if f.name.chars().count() > FIELD_NAME_MAX
                || f.name.chars().any(|c| c.is_control() || c.is_whitespace())
            {
                Some(format!(
                    "{at}: the name must be at most {FIELD_NAME_MAX} characters, without spaces."
                ))
            } else if reserved.contains(&f.name.as_str()) {
                Some(format!(
                    "{at}: \u{201c}{}\u{201d} is set by the client itself; remove it.",
                    f.name
                ))
            } else if !seen.insert(f.name.clone()) {
                Some(format!("{at}: \u{201c}{}\u{201d} is given twice.", f.name))
            } else if f.value.len() > URL_MAX || f.value.chars().any(char::is_control) {
                Some(format!(
                    "{at}: the value must be at most {URL_MAX} characters, with no control characters."
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                self.error(field::ASSERTION, message);
            }
        }
        list
    }
}
