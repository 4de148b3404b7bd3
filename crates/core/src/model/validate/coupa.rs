//! A Coupa instance from whatever form of its address the admin pastes.

use std::net::IpAddr;

use url::Url;

use super::HOST_MAX;
use super::urls::{check_host_labels, is_loopback_host};
use crate::model::connection::CoupaDomain;

/// A Coupa instance resolved from what the admin pasted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoupaInstance {
    /// `https://acme.coupahost.com` (no trailing slash).
    pub base_url: String,
    /// `acme.coupahost.com`.
    pub host: String,
    /// The Coupa domain it is under, if one of the two known ones.
    pub domain: Option<CoupaDomain>,
}

/// Resolves what an admin pasted into the URL subdomain field to the instance's base URL.
///
/// Accepted: `acme`, `acme.coupahost`, `acme.coupahost.com`, `https://acme.coupahost.com/`,
/// `https://acme.coupacloud.com/some/path`, any other https host (see [`is_coupa_host`]), and
/// `http://` on loopback (a local test server). `selected` is the domain used when only the
/// organisation is given.
pub fn parse_coupa_instance(input: &str, selected: CoupaDomain) -> Result<CoupaInstance, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err(format!(
            "Enter your Coupa URL subdomain: for https://acme.{} enter acme.",
            selected.domain()
        ));
    }
    if input.len() > HOST_MAX {
        return Err(format!(
            "That is {} characters long; a Coupa address has at most {HOST_MAX}.",
            input.len()
        ));
    }
    if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("The URL subdomain must not contain spaces.".to_owned());
    }
    if !input.is_ascii() {
        return Err(
            "The address has non-ASCII characters; use the ASCII (punycode, xn--…) form of the host.".to_owned(),
        );
    }

    let has_scheme = input.split_once(':').is_some_and(|(scheme, rest)| {
        scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
            && !rest.starts_with(|c: char| c.is_ascii_digit())
    });
    let (scheme, host, port) = if has_scheme {
        let url = Url::parse(input).map_err(|_| {
            "That is not a valid address; enter the subdomain (acme) or the instance URL (https://acme.coupahost.com).".to_owned()
        })?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_host(&host) => {}
            "http" => {
                return Err(
                    "Coupa instances are served over https://; http:// is allowed only for a test server on this computer (127.0.0.1, ::1, localhost).".to_owned(),
                );
            }
            other => {
                return Err(format!(
                    "Only https:// addresses are accepted, not {other}:."
                ));
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("The address must not contain a user name or password.".to_owned());
        }
        if host.is_empty() {
            return Err("The address has no host name.".to_owned());
        }
        (url.scheme().to_owned(), host, url.port())
    } else {
        let host_part = input.split(['/', '?', '#']).next().unwrap_or_default();
        let (host, port) = match host_part.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => {
                let port = p
                    .parse::<u16>()
                    .map_err(|_| format!("\u{201c}{p}\u{201d} is not a port number."))?;
                (h.to_ascii_lowercase(), Some(port))
            }
            _ => (host_part.to_ascii_lowercase(), None),
        };
        ("https".to_owned(), host, port)
    };
    let host = host.trim_end_matches('.').to_owned();
    let port_suffix = port.map(|p| format!(":{p}")).unwrap_or_default();

    if is_loopback_host(&host) {
        let base_url = format!("{scheme}://{host}{port_suffix}");
        // A bracket left open ("[127.0.0.1") makes no URL.
        if Url::parse(&base_url).is_err() {
            return Err(
                "That is not a valid address; check the brackets around the IP address.".to_owned(),
            );
        }
        return Ok(CoupaInstance {
            base_url,
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            domain: None,
        });
    }
    if host.parse::<IpAddr>().is_ok() {
        return Err("Use the instance's host name, not an IP address.".to_owned());
    }

    let (host, domain) = if !host.contains('.') {
        (format!("{host}.{}", selected.domain()), Some(selected))
    } else {
        let mut found = None;
        let mut full = host.clone();
        for d in [CoupaDomain::Customer, CoupaDomain::Partner] {
            let bare = d.domain().trim_end_matches(".com");
            if host == bare || host == d.domain() {
                full = d.domain().to_owned();
                found = Some(d);
            } else if let Some(org) = host.strip_suffix(&format!(".{bare}")) {
                full = format!("{org}.{}", d.domain());
                found = Some(d);
            } else if host.ends_with(&format!(".{}", d.domain())) {
                found = Some(d);
            }
        }
        (full, found)
    };
    if let Some(d) = domain
        && host == d.domain()
    {
        return Err(format!(
            "Enter the organisation part too, e.g. acme.{}.",
            d.domain()
        ));
    }
    check_host_labels(&host)
        .map_err(|why| format!("\u{201c}{host}\u{201d} is not a valid host name: {why}."))?;
    let base_url = format!("{scheme}://{host}{port_suffix}");
    // Labels of digits only can make a URL parser read an IP address ("0127.0.0.1", "1.2.3"):
    // the host must come out of the URL as it went in.
    if Url::parse(&base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .as_deref()
        != Some(host.as_str())
    {
        return Err("Use the instance's host name, not an IP address.".to_owned());
    }
    Ok(CoupaInstance {
        base_url,
        host,
        domain,
    })
}

/// Whether a host can be a Coupa instance: under one of Coupa's own domains, the two known ones
/// or another whose name starts with "coupa" (`coupahost.eu`, `coupadev.com`: Coupa publishes
/// no full list, so these are accepted), or a test server on this computer. Another server's
/// address (`login.microsoftonline.com`) is not.
pub fn is_coupa_host(instance: &CoupaInstance) -> bool {
    if instance.domain.is_some() || is_loopback_host(&instance.host) {
        return true;
    }
    let mut labels = instance.host.rsplit('.');
    let _top = labels.next();
    labels.next().is_some_and(|name| name.starts_with("coupa"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str) -> Result<String, String> {
        parse_coupa_instance(input, CoupaDomain::Customer).map(|i| i.base_url)
    }

    #[test]
    fn every_subdomain_form_admins_paste_resolves_to_the_instance() {
        for input in [
            "acme",
            "ACME",
            " acme ",
            "acme.coupahost",
            "acme.coupahost.com",
            "acme.coupahost.com.",
            "https://acme.coupahost.com",
            "https://acme.coupahost.com/",
            "https://acme.coupahost.com/oauth2/clients?x=1",
            "acme.coupahost.com/some/path",
        ] {
            assert_eq!(
                parse(input).as_deref(),
                Ok("https://acme.coupahost.com"),
                "input {input:?}"
            );
        }
        assert_eq!(
            parse("https://acme.coupacloud.com/some/path").as_deref(),
            Ok("https://acme.coupacloud.com")
        );
        assert_eq!(
            parse("acme.coupacloud").as_deref(),
            Ok("https://acme.coupacloud.com")
        );
        assert_eq!(
            parse_coupa_instance("acme", CoupaDomain::Partner)
                .map(|i| i.base_url)
                .as_deref(),
            Ok("https://acme.coupacloud.com"),
            "a bare organisation takes the selected domain"
        );
        assert_eq!(
            parse("kpn-test").as_deref(),
            Ok("https://kpn-test.coupahost.com")
        );
        assert_eq!(
            parse("https://acme.coupahost.eu").as_deref(),
            Ok("https://acme.coupahost.eu"),
            "other https hosts are accepted"
        );
    }

    #[test]
    fn the_pasted_domain_is_detected() {
        let i = parse_coupa_instance("https://acme.coupacloud.com/", CoupaDomain::Customer)
            .expect("valid");
        assert_eq!(i.domain, Some(CoupaDomain::Partner));
        assert_eq!(i.host, "acme.coupacloud.com");
        let i = parse_coupa_instance("acme.coupahost.eu", CoupaDomain::Customer).expect("valid");
        assert_eq!(i.domain, None);
    }

    #[test]
    fn loopback_test_servers_may_use_http_with_a_port() {
        assert_eq!(
            parse("http://127.0.0.1:43123").as_deref(),
            Ok("http://127.0.0.1:43123")
        );
        assert_eq!(
            parse("http://localhost:8080/").as_deref(),
            Ok("http://localhost:8080")
        );
        assert_eq!(
            parse("http://[::1]:9000").as_deref(),
            Ok("http://[::1]:9000")
        );
        assert_eq!(
            parse("127.0.0.1:8443").as_deref(),
            Ok("https://127.0.0.1:8443")
        );
    }

    #[test]
    fn bad_subdomains_are_refused_with_a_reason() {
        let cases: &[(&str, &str)] = &[
            ("", "Enter your Coupa URL subdomain"),
            ("   ", "Enter your Coupa URL subdomain"),
            ("ac me", "spaces"),
            ("http://acme.coupahost.com", "https://"),
            ("javascript:alert(1)", "not javascript:"),
            ("ftp://acme.coupahost.com", "not ftp:"),
            ("acmé.coupahost.com", "non-ASCII"),
            ("bücher", "non-ASCII"),
            ("ac_me", "letters, digits and hyphens"),
            ("-acme", "hyphen"),
            ("acme..coupahost.com", "empty part"),
            ("coupahost.com", "organisation"),
            (
                "https://user:pw@acme.coupahost.com",
                "user name or password",
            ),
            ("10.0.0.1", "not an IP address"),
            // Found by the property tests: a URL parser reads these as IP addresses.
            ("0127.0.0.1", "not an IP address"),
            ("1.2.3", "not an IP address"),
            ("[127.0.0.1", "brackets"),
        ];
        for (input, expected) in cases {
            let err = parse(input).expect_err(input);
            assert!(
                err.contains(expected),
                "{input:?}: {err:?} should mention {expected:?}"
            );
        }
        let long = "a".repeat(300);
        assert!(
            parse(&long)
                .expect_err("300 characters")
                .contains("at most 253")
        );
        let label = format!("{}.coupahost.com", "a".repeat(64));
        assert!(parse(&label).expect_err("64-char label").contains("63"));
    }
}
