//! The endpoints a connection calls, resolved from its settings (Coupa's derived from the
//! instance, a generic server's as typed), each checked as a URL and against the valid domain
//! names.

use url::Url;

use super::{Validator, check_url, field, host_allowed, parse_coupa_instance};
use crate::model::connection::Provider;
use crate::model::connection::{ConnectionSettings, Endpoints};

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
        if let Some(domain) = instance.domain {
            // What was pasted names the domain; the choice follows it.
            s.coupa_domain = domain;
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
        Some(Endpoints {
            instance_url: Some(base),
            authorization_url,
            token_url: token_url?,
            api_base_url,
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
        if needs_authorize && authorization_url.is_none() {
            return None;
        }
        Some(Endpoints {
            instance_url: None,
            authorization_url,
            token_url: token_url?,
            api_base_url,
        })
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
