//! What a failed token request or API call is told as: the error code, a message, and a hint
//! in the provider's terms (RFC 6749 §5.2 errors, HTTP statuses, transport failures).

use oauth2::basic::BasicErrorResponseType;
use oauth2::{RequestTokenError, StandardErrorResponse};

use crate::error::{Error, OAuthCode};
use crate::http::{HttpError, snippet};
use crate::model::connection::Connection;

const COUPA_CLIENTS: &str = "Setup > Integrations > OAuth2/OpenID Connect Clients";

/// The hint for HTTP 429: the wait the server asks for (`Retry-After` in seconds), or a few
/// seconds, and for Coupa its published limit, which every integration on the instance shares
/// (and past which it sends no `Retry-After`).
pub(crate) fn rate_limited_hint(connection: &Connection, retry_after: Option<&str>) -> String {
    let wait = match retry_after.and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(secs) => format!("wait {secs} s as the server asks, then try again"),
        None => "wait a few seconds, then try again".to_owned(),
    };
    if connection.settings.provider == crate::model::connection::Provider::Coupa {
        format!(
            "Too many requests: Coupa allows 25 API calls a second per instance, in bursts of 20, shared by every integration on it; {wait}."
        )
    } else {
        format!("Too many requests: the server limits how often it may be called; {wait}.")
    }
}

/// The hint when the token endpoint's status says the server, not the settings, is at fault:
/// too many requests (429) or a server error (5xx); `None` for any other status.
fn server_side_hint(status: u16, connection: &Connection) -> Option<String> {
    match status {
        429 => Some(rate_limited_hint(connection, None)),
        500.. => Some("The server has a problem; try again later.".to_owned()),
        _ => None,
    }
}

/// The scopes asked for that the server's description names: the ones it refused, when it
/// says (RFC 6749 §5.2 leaves the description free; many servers list them). Only whole words
/// count, so `core.user` is not read into `core.user.read`.
fn refused_scopes(asked: &[String], description: Option<&String>) -> Vec<String> {
    let Some(description) = description else {
        return Vec::new();
    };
    let words: Vec<&str> = description
        .split(|c: char| c.is_whitespace() || ",;:'\"()[]{}".contains(c))
        .collect();
    asked
        .iter()
        .filter(|scope| words.contains(&scope.as_str()))
        .cloned()
        .collect()
}

/// What to do about `invalid_scope`: the refused scopes named when the server named them,
/// never the whole list as if each were at fault.
fn scope_hint(coupa: bool, refused: &[String]) -> String {
    let which = if refused.is_empty() {
        "does not allow every scope asked for (the server did not say which)".to_owned()
    } else {
        format!("does not allow {}", refused.join(" "))
    };
    if coupa {
        format!(
            "The OAuth client in Coupa ({COUPA_CLIENTS}) {which}. Compare the scopes with the client's, then add the missing ones there or remove them here."
        )
    } else {
        format!(
            "The OAuth client {which}. Remove the scopes it does not allow, or allow them on the server."
        )
    }
}

pub(crate) fn token_error(
    err: RequestTokenError<HttpError, StandardErrorResponse<BasicErrorResponseType>>,
    last: Option<(u16, String)>,
    connection: &Connection,
) -> Error {
    let coupa = connection.settings.provider == crate::model::connection::Provider::Coupa;
    match err {
        RequestTokenError::ServerResponse(resp) => {
            let description = resp
                .error_description()
                .map(|d| format!(" ({})", crate::redact::redact(d)))
                .unwrap_or_default();
            let (code, hint) = match resp.error() {
                BasicErrorResponseType::InvalidClient => (
                    OAuthCode::InvalidClient,
                    if coupa {
                        format!("Check the client ID and secret against the client's Identifier and Secret in Coupa ({COUPA_CLIENTS}).")
                    } else {
                        "Check the client ID and secret, and the client authentication (body or Basic) under Advanced.".to_owned()
                    },
                ),
                BasicErrorResponseType::InvalidScope => (
                    OAuthCode::InvalidScope,
                    scope_hint(
                        coupa,
                        &refused_scopes(&connection.settings.scopes, resp.error_description()),
                    ),
                ),
                BasicErrorResponseType::UnauthorizedClient => (
                    OAuthCode::UnauthorizedClient,
                    "The OAuth client may not use this grant type: choose the grant it was created with.".to_owned(),
                ),
                BasicErrorResponseType::InvalidGrant => (OAuthCode::InvalidGrant, "Sign in again.".to_owned()),
                BasicErrorResponseType::UnsupportedGrantType => (
                    OAuthCode::UnsupportedGrantType,
                    "The server does not support this grant type: choose the other grant type, or check that the token URL is right.".to_owned(),
                ),
                // Several certified servers answer `invalid_request`, not `unauthorized_client`,
                // to a grant the client may not use: the hint names both causes.
                BasicErrorResponseType::InvalidRequest => (
                    OAuthCode::InvalidRequest,
                    format!(
                        "The server found the request malformed or not allowed; its description says why. Check that the OAuth client may use the {} grant, and if it is about client authentication, switch between body and Basic under Advanced.",
                        connection.settings.grant_type.short_label()
                    ),
                ),
                BasicErrorResponseType::Extension(_) => (
                    OAuthCode::ServerError,
                    "The server refused the request; its description says why.".to_owned(),
                ),
            };
            Error::OAuth {
                code,
                message: format!(
                    "The token endpoint answered {}{description}.",
                    resp.error().as_ref()
                ),
                hint,
            }
        }
        RequestTokenError::Request(http_err) => transport_error(&http_err),
        RequestTokenError::Parse(why, body) => {
            let (status, seen) = last.unwrap_or((0, snippet(&body)));
            if let Some(hint) = server_side_hint(status, connection) {
                return Error::OAuth {
                    code: OAuthCode::ServerError,
                    message: format!("The token endpoint failed with HTTP {status}: {seen}"),
                    hint,
                };
            }
            let field = why.path().to_string();
            let at = if field.is_empty() || field == "." {
                String::new()
            } else {
                format!(" (field {field})")
            };
            Error::OAuth {
                code: OAuthCode::BadResponse,
                message: format!(
                    "The token endpoint's answer (HTTP {status}) is not a valid token response{at}: {seen}"
                ),
                hint: "Check that the token URL is the OAuth 2.0 token endpoint.".to_owned(),
            }
        }
        RequestTokenError::Other(what) => {
            let (status, seen) = last.unwrap_or((0, String::new()));
            let (code, hint) = match server_side_hint(status, connection) {
                Some(hint) => (OAuthCode::ServerError, hint),
                None if (300..=399).contains(&status) => (
                    OAuthCode::BadResponse,
                    "The token URL redirects elsewhere; enter the address it should be (redirects are never followed, so credentials cannot be sent astray).".to_owned(),
                ),
                None => (
                    OAuthCode::BadResponse,
                    "Check that the token URL is the OAuth 2.0 token endpoint.".to_owned(),
                ),
            };
            Error::OAuth {
                code,
                message: format!("The token endpoint answered HTTP {status} ({what}): {seen}"),
                hint,
            }
        }
    }
}

/// Maps a transport failure to an error with a hint.
pub fn transport_error(err: &HttpError) -> Error {
    let (code, hint) = match err {
        HttpError::Dns(_) => (
            OAuthCode::Dns,
            "Check the host name (the URL subdomain) for typos.",
        ),
        HttpError::Connect(_) => (
            OAuthCode::Connect,
            "Check your network, VPN or proxy (HTTPS_PROXY), and that the server is up.",
        ),
        HttpError::Tls(_) => (
            OAuthCode::Tls,
            "The server's certificate was refused. Behind a proxy that re-signs TLS, install its root certificate in the system's store.",
        ),
        HttpError::Timeout(_) => (
            OAuthCode::Timeout,
            "The server is slow or unreachable; try again, or check the proxy.",
        ),
        HttpError::TooLarge | HttpError::Other(_) => (
            OAuthCode::BadResponse,
            "Check that the URL points at the right server.",
        ),
    };
    Error::OAuth {
        code,
        message: format!("The request failed: {err}."),
        hint: hint.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked() -> Vec<String> {
        ["core.user", "core.user.read", "core.invoice.write"]
            .map(str::to_owned)
            .to_vec()
    }

    #[test]
    fn only_the_scopes_the_server_names_are_called_refused() {
        let said = "scope 'core.invoice.write' is not allowed for this client".to_owned();
        assert_eq!(
            refused_scopes(&asked(), Some(&said)),
            ["core.invoice.write"]
        );
        let said = "invalid scopes: core.user, core.invoice.write".to_owned();
        assert_eq!(
            refused_scopes(&asked(), Some(&said)),
            ["core.user", "core.invoice.write"],
            "whole words: core.user is not read into core.user.read"
        );
        assert!(refused_scopes(&asked(), None).is_empty());
        let hint = scope_hint(false, &[]);
        assert!(hint.contains("did not say which"), "{hint}");
        assert!(!hint.contains("Coupa"), "{hint}");
        let hint = scope_hint(true, &["core.invoice.write".to_owned()]);
        assert!(hint.contains("does not allow core.invoice.write"), "{hint}");
    }
}
