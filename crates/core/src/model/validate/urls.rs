//! URLs and host names: the https rule (http only on loopback), normal forms, valid domain
//! names and whether a host falls under them.

use std::net::IpAddr;

use url::Url;

use super::{HOST_MAX, URL_MAX};

pub fn host_allowed(host: &str, domains: &[String]) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    domains
        .iter()
        .any(|d| host == d || (d.parse::<IpAddr>().is_err() && host.ends_with(&format!(".{d}"))))
}

/// Whether `host` is this computer: `localhost` or a loopback address (an IPv6 one may keep its
/// brackets).
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks one absolute URL: https (http only on loopback), a host, no user name or password, no
/// fragment. Returns it in normal form.
pub fn check_url(raw: &str, what: &str) -> Result<String, String> {
    if raw.len() > URL_MAX {
        return Err(format!("The {what} is longer than {URL_MAX} characters."));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("The {what} must not contain spaces."));
    }
    if !raw.is_ascii() {
        return Err(format!(
            "The {what} has non-ASCII characters; use the ASCII (punycode, xn--…) form of the address."
        ));
    }
    let url = Url::parse(raw).map_err(|_| {
        format!("The {what} is not a full address; it should look like https://login.example.com/oauth2/token.")
    })?;
    let host = url.host_str().unwrap_or_default().to_owned();
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&host) => {}
        "http" => {
            return Err(format!(
                "The {what} must use https://; http:// is allowed only for a server on this computer (127.0.0.1, ::1, localhost)."
            ));
        }
        other => {
            return Err(format!(
                "The {what} must be an https:// address, not {other}:."
            ));
        }
    }
    if host.is_empty() {
        return Err(format!("The {what} has no host name."));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "The {what} must not contain a user name or password; the client ID and secret go in their own fields."
        ));
    }
    if url.fragment().is_some() {
        return Err(format!("The {what} must not contain a #fragment."));
    }
    Ok(url.to_string())
}

/// Normalises one valid-domain entry: lower case, no scheme, no `*.` prefix, no path.
pub fn normalize_domain(raw: &str) -> Result<String, String> {
    let mut d = raw.trim().to_ascii_lowercase();
    for prefix in ["https://", "http://"] {
        if let Some(rest) = d.strip_prefix(prefix) {
            d = rest.to_owned();
        }
    }
    if let Some(cut) = d.find('/') {
        d.truncate(cut);
    }
    let d = d
        .trim_start_matches("*.")
        .trim_start_matches('.')
        .trim_end_matches('.');
    let d = d.trim_start_matches('[').trim_end_matches(']').to_owned();
    if d.parse::<IpAddr>().is_ok() || d == "localhost" {
        return Ok(d);
    }
    if !raw.is_ascii() {
        return Err(format!(
            "\u{201c}{}\u{201d} has non-ASCII characters; use the ASCII (punycode, xn--…) form of the domain.",
            raw.trim()
        ));
    }
    check_host_labels(&d)
        .map_err(|why| format!("\u{201c}{}\u{201d} is not a domain name: {why}", raw.trim()))?;
    if !d.contains('.') {
        return Err(format!(
            "\u{201c}{d}\u{201d} is too broad: give a domain name with a dot, such as example.com or api.example.com."
        ));
    }
    Ok(d)
}

pub(crate) fn check_host_labels(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("it is empty".to_owned());
    }
    if host.len() > HOST_MAX {
        return Err(format!("it is longer than {HOST_MAX} characters"));
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err("it has an empty part (two dots in a row)".to_owned());
        }
        if label.len() > 63 {
            return Err("each part between dots may have at most 63 characters".to_owned());
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err("use only letters, digits and hyphens".to_owned());
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a part cannot start or end with a hyphen".to_owned());
        }
    }
    Ok(())
}
