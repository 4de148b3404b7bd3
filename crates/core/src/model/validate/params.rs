//! Extra parameters: a server's own request parameters (RFC 6749 §3.1, §3.2), checked so that
//! none can stand in for one the protocol owns, carry a secret into the connections file, or
//! break the request.

use super::{URL_MAX, Validator, field};
use crate::model::connection::ConnectionSettings;

/// The most extra parameters a connection may have.
pub const PARAMS_MAX: usize = 20;
/// The longest parameter name.
pub const PARAM_NAME_MAX: usize = 64;

/// Names the protocol sets itself, from the connection's own fields or each attempt's fresh
/// values (RFC 6749 §4.1, §4.4, §6, RFC 7636, RFC 8628, RFC 7523, RFC 9207): never an extra.
pub const PROTOCOL_NAMES: &[&str] = &[
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "grant_type",
    "response_type",
    "redirect_uri",
    "scope",
    "state",
    "code",
    "code_verifier",
    "code_challenge",
    "code_challenge_method",
    "refresh_token",
    "device_code",
    "assertion",
    "username",
    "password",
    "iss",
];

impl Validator {
    pub(super) fn extra_params(&mut self, s: &mut ConnectionSettings) {
        if s.extra_params.len() > PARAMS_MAX {
            self.error(
                field::EXTRA_PARAMS,
                format!("A connection can have at most {PARAMS_MAX} extra parameters."),
            );
            return;
        }
        let mut seen = std::collections::HashSet::new();
        for (i, p) in s.extra_params.iter_mut().enumerate() {
            p.name = p.name.trim().to_owned();
            p.value = p.value.trim().to_owned();
            let at = format!("Extra parameter {}", i + 1);
            let name = p.name.as_str();
            let lower = name.to_ascii_lowercase();
            let problem = if name.is_empty() {
                Some(format!("{at} has no name."))
            } else if name.len() > PARAM_NAME_MAX
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.:[]".contains(&b))
            {
                Some(format!(
                    "{at}: a name is letters, digits and _ - . : [ ] only, at most {PARAM_NAME_MAX} characters."
                ))
            } else if PROTOCOL_NAMES.contains(&lower.as_str()) {
                Some(format!(
                    "{at}: {name} is set by the protocol itself{}.",
                    if lower == "scope" {
                        "; choose the scopes under Scopes"
                    } else {
                        ""
                    }
                ))
            } else if ["secret", "password", "assertion"]
                .iter()
                .any(|w| lower.contains(w))
            {
                Some(format!(
                    "{at}: {name} looks like a secret. Extra parameters are kept in the connections file and exports, so they never hold one."
                ))
            } else if p.value.is_empty() {
                Some(format!("{at} ({name}) has no value."))
            } else if p.value.len() > URL_MAX || p.value.chars().any(char::is_control) {
                Some(format!(
                    "{at} ({name}): a value is one line of at most {URL_MAX} characters."
                ))
            } else if !seen.insert((p.stage, lower)) {
                Some(format!("{at}: {name} is given twice for the same request."))
            } else {
                None
            };
            if let Some(message) = problem {
                self.error(field::EXTRA_PARAMS, message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Context, Validation, validate};
    use super::*;
    use crate::model::connection::{ExtraParam, ParamStage};

    fn check(s: &ConnectionSettings) -> Validation {
        validate(
            s,
            Context {
                other_names: &[],
                has_client_secret: true,
                secret_is_empty: false,
            },
        )
    }

    fn with(params: &[(ParamStage, &str, &str)]) -> Vec<String> {
        let mut s = ConnectionSettings {
            name: "Extra".to_owned(),
            subdomain: "acme".to_owned(),
            client_id: "c".to_owned(),
            ..ConnectionSettings::new_coupa()
        };
        s.extra_params = params
            .iter()
            .map(|(stage, name, value)| ExtraParam {
                stage: *stage,
                name: (*name).to_owned(),
                value: (*value).to_owned(),
            })
            .collect();
        check(&s)
            .errors
            .into_iter()
            .filter(|e| e.field == field::EXTRA_PARAMS)
            .map(|e| e.message)
            .collect()
    }

    #[test]
    fn a_servers_own_parameters_are_kept_trimmed() {
        use ParamStage::*;
        assert!(
            with(&[
                (Authorization, " prompt ", " consent "),
                (Authorization, "access_type", "offline"),
                (Token, "audience", "https://api.example.com"),
                (Refresh, "resource", "https://graph.microsoft.com"),
                (Token, "resource", "https://graph.microsoft.com"),
            ])
            .is_empty()
        );
    }

    #[test]
    fn protocol_names_secrets_and_broken_ones_are_refused_at_the_field() {
        use ParamStage::*;
        let cases = [
            ("client_secret", "x", "set by the protocol itself"),
            ("Redirect_URI", "x", "set by the protocol itself"),
            ("scope", "openid", "choose the scopes under Scopes"),
            ("code_verifier", "x", "set by the protocol itself"),
            ("api_secret_key", "x", "looks like a secret"),
            ("db-password", "x", "looks like a secret"),
            ("a b", "x", "letters, digits"),
            ("", "x", "has no name"),
            ("prompt", "", "has no value"),
            ("prompt", "a\nb", "one line"),
        ];
        for (name, value, says) in cases {
            let errors = with(&[(Authorization, name, value)]);
            assert!(
                errors.len() == 1 && errors[0].contains(says),
                "{name:?}={value:?}: {errors:?}"
            );
        }
        let twice = with(&[(Token, "audience", "a"), (Token, "AUDIENCE", "b")]);
        assert!(twice[0].contains("given twice"), "{twice:?}");
        let many: Vec<_> = (0..=PARAMS_MAX).map(|_| (Token, "a", "b")).collect();
        assert!(with(&many)[0].contains("at most 20"));
    }
}
