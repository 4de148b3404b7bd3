//! The endpoints a connection calls, resolved from its settings (Coupa's derived from the
//! instance, a generic server's as typed), each checked as a URL and against the valid domain
//! names.

use url::Url;

use super::{
    FieldAction, Validator, check_url, field, host_allowed, is_coupa_host, parse_coupa_instance,
};
use crate::model::connection::Provider;
use crate::model::connection::{ConnectionSettings, CoupaDomain, Endpoints};

impl Validator {
    pub(super) fn coupa_endpoints(
        &mut self,
        s: &mut ConnectionSettings,
        needs_authorize: bool,
    ) -> Option<Endpoints> {
        let instance = match parse_coupa_instance(&s.subdomain, s.coupa_domain) {
            Ok(i) => i,
            Err(msg) => {
                self.error(field::SUBDOMAIN, msg);
                return None;
            }
        };
        match instance.domain {
            // What was pasted names the domain; the choice follows it.
            Some(domain) => s.coupa_domain = domain,
            None if is_coupa_host(&instance) => {}
            None => {
                self.error_offering(
                    field::SUBDOMAIN,
                    format!(
                        "{} is not a Coupa address: Coupa instances are under {} or {}. For another OAuth 2.0 server, use Generic OAuth 2.0.",
                        instance.host,
                        CoupaDomain::Customer.domain(),
                        CoupaDomain::Partner.domain()
                    ),
                    FieldAction::UseGeneric,
                );
                return None;
            }
        }
        let base = instance.base_url;
        let authorization_url = if !needs_authorize {
            None
        } else if s.authorization_url.is_empty() {
            Some(format!("{base}/oauth2/authorizations/new"))
        } else {
            self.url_field(
                field::AUTHORIZATION_URL,
                &s.authorization_url,
                "authorization URL",
            )
        };
        let token_url = if s.token_url.is_empty() {
            Some(format!("{base}/oauth2/token"))
        } else {
            self.url_field(field::TOKEN_URL, &s.token_url, "token URL")
        };
        let api_base_url = if s.api_base_url.is_empty() {
            Some(base.clone())
        } else {
            self.url_field(field::API_BASE_URL, &s.api_base_url, "API base URL")
        };
        // Coupa publishes no metadata; its instance URL is the issuer it would name.
        let issuer = self.issuer(s).unwrap_or_else(|| Some(base.clone()));
        let revocation_url = self.revocation_url(s);
        let device_authorization_url = self.device_authorization_url(s)?;
        Some(Endpoints {
            instance_url: Some(base),
            authorization_url,
            token_url: token_url?,
            api_base_url,
            issuer,
            revocation_url,
            device_authorization_url,
        })
    }

    pub(super) fn generic_endpoints(
        &mut self,
        s: &ConnectionSettings,
        needs_authorize: bool,
    ) -> Option<Endpoints> {
        let authorization_url = if !needs_authorize {
            None
        } else if s.authorization_url.is_empty() {
            self.error(
                field::AUTHORIZATION_URL,
                "Enter the authorization URL, where the browser signs in (authorization code).",
            );
            None
        } else {
            self.url_field(
                field::AUTHORIZATION_URL,
                &s.authorization_url,
                "authorization URL",
            )
        };
        let token_url = if s.token_url.is_empty() {
            self.error(
                field::TOKEN_URL,
                "Enter the token URL, where the app gets tokens.",
            );
            None
        } else {
            self.url_field(field::TOKEN_URL, &s.token_url, "token URL")
        };
        let api_base_url = if s.api_base_url.is_empty() {
            None
        } else {
            self.url_field(field::API_BASE_URL, &s.api_base_url, "API base URL")
        };
        let issuer = self.issuer(s).unwrap_or_default();
        let revocation_url = self.revocation_url(s);
        let device_authorization_url = self.device_authorization_url(s);
        if needs_authorize && authorization_url.is_none() {
            return None;
        }
        let device_authorization_url = device_authorization_url?;
        Some(Endpoints {
            instance_url: None,
            authorization_url,
            token_url: token_url?,
            api_base_url,
            issuer,
            revocation_url,
            device_authorization_url,
        })
    }

    /// The issuer as typed: `None` when none was typed, `Some(None)` when it is wrong (the error
    /// is noted). Kept exactly as typed, not in a URL's normal form: RFC 9207 §2.4 compares
    /// `iss` with it as a plain string, and `https://a.example` and `https://a.example/` differ.
    fn issuer(&mut self, s: &ConnectionSettings) -> Option<Option<String>> {
        if s.issuer.is_empty() {
            if s.require_iss {
                self.error(
                    field::ISSUER,
                    "Enter the issuer: sign-in answers are refused unless their iss equals it.",
                );
            }
            return None;
        }
        // RFC 8414 §2: an https URL with no query or fragment.
        let checked = match check_url(&s.issuer, "issuer") {
            Ok(url) => url,
            Err(msg) => {
                self.error(field::ISSUER, msg);
                return Some(None);
            }
        };
        if Url::parse(&checked).is_ok_and(|u| u.query().is_some()) {
            self.error(
                field::ISSUER,
                "The issuer must not contain a ?query (RFC 8414); copy it from the server's metadata.",
            );
            return Some(None);
        }
        Some(Some(s.issuer.clone()))
    }

    fn revocation_url(&mut self, s: &ConnectionSettings) -> Option<String> {
        if s.revocation_url.is_empty() {
            return None;
        }
        self.url_field(field::REVOCATION_URL, &s.revocation_url, "revocation URL")
    }

    /// The device authorization endpoint: required by the device-code grant, kept when typed
    /// for another grant. `None` when it is required and missing or wrong (the error is noted).
    fn device_authorization_url(&mut self, s: &ConnectionSettings) -> Option<Option<String>> {
        let needed = s.grant_type == crate::model::connection::GrantType::DeviceCode;
        if s.device_authorization_url.is_empty() {
            if needed {
                self.error(
                    field::DEVICE_AUTHORIZATION_URL,
                    "Enter the device authorization URL, where the app gets the code a person enters (the server's device_authorization_endpoint).",
                );
                return None;
            }
            return Some(None);
        }
        match self.url_field(
            field::DEVICE_AUTHORIZATION_URL,
            &s.device_authorization_url,
            "device authorization URL",
        ) {
            Some(url) => Some(Some(url)),
            None if needed => None,
            None => Some(None),
        }
    }

    fn url_field(&mut self, field: &str, raw: &str, what: &str) -> Option<String> {
        match check_url(raw, what) {
            Ok(url) => Some(url),
            Err(msg) => {
                self.error(field, msg);
                None
            }
        }
    }

    /// Every URL the connection calls must be under one of its valid domain names.
    pub(super) fn check_domains(&mut self, ep: &Endpoints, s: &ConnectionSettings) {
        if s.valid_domains.is_empty() {
            return;
        }
        let list = s.valid_domains.join(", ");
        let urls = [
            (ep.authorization_url.as_deref(), field::AUTHORIZATION_URL),
            (Some(ep.token_url.as_str()), field::TOKEN_URL),
            (ep.api_base_url.as_deref(), field::API_BASE_URL),
            (ep.revocation_url.as_deref(), field::REVOCATION_URL),
            (
                ep.device_authorization_url.as_deref(),
                field::DEVICE_AUTHORIZATION_URL,
            ),
            // A typed issuer only: Coupa's derived one is the instance, checked above.
            (
                ep.issuer.as_deref().filter(|_| !s.issuer.is_empty()),
                field::ISSUER,
            ),
        ];
        for (url, url_field) in urls {
            let Some(url) = url else { continue };
            let Some(host) = Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
            else {
                continue;
            };
            if !host_allowed(&host, &s.valid_domains) {
                // For Coupa the derived URLs have no field of their own: the domain list is at fault.
                let derived = s.provider == Provider::Coupa
                    && match url_field {
                        field::AUTHORIZATION_URL => s.authorization_url.is_empty(),
                        field::TOKEN_URL => s.token_url.is_empty(),
                        field::ISSUER | field::REVOCATION_URL => false,
                        _ => s.api_base_url.is_empty(),
                    };
                let target = if derived {
                    field::VALID_DOMAINS
                } else {
                    url_field
                };
                self.error(
                    target,
                    format!(
                        "{url} is not under the valid domain names ({list}). Add its domain there if you trust it."
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Context, field, validate};
    use crate::model::connection::{ConnectionSettings, GrantType, Provider};

    fn generic() -> ConnectionSettings {
        ConnectionSettings {
            name: "Keycloak".to_owned(),
            provider: Provider::Generic,
            grant_type: GrantType::AuthorizationCode,
            authorization_url: "https://id.example.com/realms/acme/protocol/openid-connect/auth"
                .to_owned(),
            token_url: "https://id.example.com/realms/acme/protocol/openid-connect/token"
                .to_owned(),
            client_id: "connmgr".to_owned(),
            valid_domains: vec!["id.example.com".to_owned()],
            ..ConnectionSettings::new_coupa()
        }
    }

    fn check(s: &ConnectionSettings) -> super::super::Validation {
        validate(
            s,
            Context {
                other_names: &[],
                has_client_secret: false,
                secret_is_empty: false,
            },
        )
    }

    fn errors_at(v: &super::super::Validation, at: &str) -> Vec<String> {
        v.errors
            .iter()
            .filter(|e| e.field == at)
            .map(|e| e.message.clone())
            .collect()
    }

    #[test]
    fn the_issuer_is_kept_exactly_as_typed_and_resolved() {
        for typed in [
            "https://id.example.com/realms/acme",
            "https://id.example.com/realms/acme/",
        ] {
            let v = check(&ConnectionSettings {
                issuer: format!("  {typed} "),
                revocation_url: "https://id.example.com/realms/acme/revoke".to_owned(),
                ..generic()
            });
            assert!(v.is_valid(), "{:?}", v.errors);
            assert_eq!(v.normalized.issuer, typed);
            let ep = v.endpoints.expect("endpoints");
            assert_eq!(ep.issuer.as_deref(), Some(typed), "no slash added or taken");
            assert_eq!(
                ep.revocation_url.as_deref(),
                Some("https://id.example.com/realms/acme/revoke")
            );
        }
        let none = check(&generic());
        assert_eq!(none.endpoints.expect("endpoints").issuer, None);
    }

    #[test]
    fn a_coupa_issuer_is_its_instance_unless_one_is_typed() {
        let s = ConnectionSettings {
            name: "Acme".to_owned(),
            subdomain: "acme".to_owned(),
            client_id: "c".to_owned(),
            ..ConnectionSettings::new_coupa()
        };
        let ep = check(&s).endpoints.expect("endpoints");
        assert_eq!(ep.issuer.as_deref(), Some("https://acme.coupahost.com"));
        assert_eq!(
            ep.revocation_url, None,
            "Coupa documents no revocation endpoint"
        );
    }

    #[test]
    fn a_wrong_issuer_or_revocation_url_is_an_error_at_its_field() {
        let cases = [
            (
                "http://id.example.com/realms/acme",
                "",
                field::ISSUER,
                "https",
            ),
            (
                "https://id.example.com/?realm=acme",
                "",
                field::ISSUER,
                "query",
            ),
            (
                "https://elsewhere.example/realms/acme",
                "",
                field::ISSUER,
                "valid domain",
            ),
            (
                "",
                "ftp://id.example.com/revoke",
                field::REVOCATION_URL,
                "https",
            ),
            (
                "",
                "https://elsewhere.example/revoke",
                field::REVOCATION_URL,
                "valid domain",
            ),
        ];
        for (issuer, revocation_url, at, says) in cases {
            let v = check(&ConnectionSettings {
                issuer: issuer.to_owned(),
                revocation_url: revocation_url.to_owned(),
                ..generic()
            });
            let errors = errors_at(&v, at);
            assert!(
                errors.iter().any(|m| m.contains(says)),
                "{issuer} {revocation_url}: {:?}",
                v.errors
            );
        }
    }

    #[test]
    fn requiring_iss_needs_an_issuer() {
        let v = check(&ConnectionSettings {
            require_iss: true,
            ..generic()
        });
        assert_eq!(errors_at(&v, field::ISSUER).len(), 1, "{:?}", v.errors);
        let v = check(&ConnectionSettings {
            require_iss: true,
            issuer: "https://id.example.com/realms/acme".to_owned(),
            ..generic()
        });
        assert!(v.is_valid(), "{:?}", v.errors);
    }
}
