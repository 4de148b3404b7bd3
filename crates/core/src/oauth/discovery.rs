//! Finding a server's endpoints from its issuer alone: authorization server metadata
//! (RFC 8414) and OpenID Connect Discovery. For an issuer with a path the path-aware forms come
//! first (RFC 8414 §3.1's, then OpenID's path-aware one, then OpenID's own), then the root
//! forms; the first document found must name exactly the issuer typed (RFC 8414 §3.3), or it
//! is not used. Every address in it is checked before it is offered; nothing is sent to any
//! of them here.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::{Error, OAuthCode};
use crate::http::{HttpClient, snippet};
use crate::model::validate::{SCOPE_MAX, SCOPES_MAX, check_url, host_allowed};
use crate::time::Timestamp;

/// What a server's metadata says, as kept with a connection (and compared when fetched again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServerMetadata {
    /// The issuer, exactly as the document names it (and as typed).
    pub issuer: String,
    /// Where the document was found.
    pub fetched_from: String,
    /// When (RFC 3339).
    pub fetched_at: Timestamp,
    /// `authorization_endpoint`.
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint`.
    pub token_endpoint: Option<String>,
    /// `revocation_endpoint` (RFC 7009).
    pub revocation_endpoint: Option<String>,
    /// `device_authorization_endpoint` (RFC 8628).
    pub device_authorization_endpoint: Option<String>,
    /// `scopes_supported`: the picker's catalog for the connection.
    pub scopes_supported: Vec<String>,
    /// `token_endpoint_auth_methods_supported`.
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// `code_challenge_methods_supported` (RFC 7636 via RFC 8414): empty, PKCE is not said to
    /// be supported.
    pub code_challenge_methods_supported: Vec<String>,
    /// `grant_types_supported`.
    pub grant_types_supported: Vec<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3).
    pub iss_parameter_supported: bool,
}

/// The document's fields as RFC 8414 §2 names them; unknown ones are ignored.
#[derive(Debug, Deserialize)]
struct Document {
    issuer: String,
    #[serde(default)]
    authorization_endpoint: Option<String>,
    #[serde(default)]
    token_endpoint: Option<String>,
    #[serde(default)]
    revocation_endpoint: Option<String>,
    #[serde(default)]
    device_authorization_endpoint: Option<String>,
    #[serde(default)]
    scopes_supported: Vec<String>,
    #[serde(default)]
    token_endpoint_auth_methods_supported: Vec<String>,
    #[serde(default)]
    code_challenge_methods_supported: Vec<String>,
    #[serde(default)]
    grant_types_supported: Vec<String>,
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
}

/// The addresses to try for `issuer`, in order.
pub fn candidates(issuer: &url::Url) -> Vec<String> {
    let origin = issuer.origin().ascii_serialization();
    let path = issuer.path().trim_end_matches('/');
    let mut out = Vec::new();
    if !path.is_empty() {
        out.push(format!(
            "{origin}/.well-known/oauth-authorization-server{path}"
        ));
        out.push(format!("{origin}/.well-known/openid-configuration{path}"));
        out.push(format!("{origin}{path}/.well-known/openid-configuration"));
    }
    out.push(format!("{origin}/.well-known/oauth-authorization-server"));
    out.push(format!("{origin}/.well-known/openid-configuration"));
    out
}

fn refused(message: String, hint: &str) -> Error {
    Error::OAuth {
        code: OAuthCode::BadResponse,
        message,
        hint: hint.to_owned(),
    }
}

/// Fetches the metadata of `issuer`, whose host must be under `valid_domains` (the guard every
/// request of a connection passes).
pub async fn discover(
    http: &HttpClient,
    issuer: &str,
    valid_domains: &[String],
) -> Result<ServerMetadata, Error> {
    let checked = check_url(issuer, "issuer").map_err(|why| {
        refused(
            why,
            "Type the issuer exactly as the server's documentation names it.",
        )
    })?;
    let url = url::Url::parse(&checked).map_err(|e| Error::Internal(e.to_string()))?;
    let host = url.host_str().unwrap_or_default();
    if !host_allowed(host, valid_domains) {
        return Err(Error::OAuth {
            code: OAuthCode::DomainNotAllowed,
            message: format!("{host} is not under the valid domain names."),
            hint: "Add the issuer's domain to Valid domain names first.".to_owned(),
        });
    }
    let mut mismatch = None;
    let mut last_failure = None;
    for candidate in candidates(&url) {
        let request = http::Request::get(candidate.as_str())
            .header(http::header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|e| Error::Internal(e.to_string()))?;
        let response = match http.send(request).await {
            Ok(r) => r,
            Err(err) => {
                last_failure = Some(super::transport_error(&err));
                continue;
            }
        };
        if response.status() != 200 {
            continue;
        }
        let Ok(document) = serde_json::from_slice::<Document>(response.body()) else {
            last_failure = Some(refused(
                format!(
                    "{candidate} is not a metadata document: {}",
                    snippet(response.body())
                ),
                "Check the issuer: its metadata is a JSON object with issuer and the endpoints.",
            ));
            continue;
        };
        // RFC 8414 §3.3: the issuer in the document must be identical to the one used.
        if document.issuer != issuer {
            mismatch = Some(document.issuer);
            continue;
        }
        return read(document, candidate);
    }
    if let Some(named) = mismatch {
        return Err(refused(
            format!(
                "The server's metadata names the issuer {named}, not {issuer}: it is not used (RFC 8414 §3.3)."
            ),
            "Type the issuer exactly as the server names it, if that is the server you mean.",
        ));
    }
    Err(last_failure.unwrap_or_else(|| {
        refused(
            format!("No metadata was found for {issuer} at any of its well-known addresses."),
            "Check the issuer, or enter the endpoints by hand: this server may publish no metadata.",
        )
    }))
}

/// Checks the document's addresses and bounds its lists.
fn read(document: Document, fetched_from: String) -> Result<ServerMetadata, Error> {
    let endpoint = |value: Option<String>, name: &str| -> Result<Option<String>, Error> {
        value
            .map(|v| {
                check_url(&v, name).map_err(|why| {
                    refused(
                        format!("The server's metadata has an unusable {name}: {why}"),
                        "Enter the endpoints by hand, or ask the server's admin.",
                    )
                })
            })
            .transpose()
    };
    let short = |list: Vec<String>| -> Vec<String> {
        list.into_iter()
            .filter(|s| {
                !s.is_empty() && s.len() <= SCOPE_MAX && !s.chars().any(char::is_whitespace)
            })
            .take(SCOPES_MAX)
            .collect()
    };
    Ok(ServerMetadata {
        authorization_endpoint: endpoint(
            document.authorization_endpoint,
            "authorization_endpoint",
        )?,
        token_endpoint: endpoint(document.token_endpoint, "token_endpoint")?,
        revocation_endpoint: endpoint(document.revocation_endpoint, "revocation_endpoint")?,
        device_authorization_endpoint: endpoint(
            document.device_authorization_endpoint,
            "device_authorization_endpoint",
        )?,
        issuer: document.issuer,
        fetched_from,
        fetched_at: Timestamp::now(),
        scopes_supported: short(document.scopes_supported),
        token_endpoint_auth_methods_supported: short(
            document.token_endpoint_auth_methods_supported,
        ),
        code_challenge_methods_supported: short(document.code_challenge_methods_supported),
        grant_types_supported: short(document.grant_types_supported),
        iss_parameter_supported: document.authorization_response_iss_parameter_supported,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_aware_forms_come_first_then_the_root_forms() {
        let issuer = url::Url::parse("https://id.example.com/realms/acme").expect("url");
        assert_eq!(
            candidates(&issuer),
            [
                "https://id.example.com/.well-known/oauth-authorization-server/realms/acme",
                "https://id.example.com/.well-known/openid-configuration/realms/acme",
                "https://id.example.com/realms/acme/.well-known/openid-configuration",
                "https://id.example.com/.well-known/oauth-authorization-server",
                "https://id.example.com/.well-known/openid-configuration",
            ]
        );
        let root = url::Url::parse("https://accounts.example.com").expect("url");
        assert_eq!(
            candidates(&root),
            [
                "https://accounts.example.com/.well-known/oauth-authorization-server",
                "https://accounts.example.com/.well-known/openid-configuration",
            ]
        );
    }
}

/// What fetching the metadata proposes for a connection: its settings with the endpoints
/// filled in, what to look at, and what changed since the metadata kept with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Discovered {
    /// The settings with the metadata applied (the form shows them before they are saved).
    pub settings: crate::model::connection::ConnectionSettings,
    /// Worth a look: no PKCE S256, a client authentication the server does not list…
    pub warnings: Vec<String>,
    /// What differs from the metadata fetched before, one line each; empty the first time.
    pub changes: Vec<String>,
}

/// Applies `meta` to `settings`: a generic server with the issuer and its endpoints, `iss`
/// required when the server says it sends it, and the client authentication the server lists.
pub fn apply(
    settings: &crate::model::connection::ConnectionSettings,
    meta: &ServerMetadata,
) -> Discovered {
    use crate::model::connection::{ClientAuth, Provider};
    let mut s = settings.clone();
    let mut warnings = Vec::new();
    s.provider = Provider::Generic;
    s.issuer.clone_from(&meta.issuer);
    let fill = |target: &mut String, value: &Option<String>| {
        if let Some(v) = value {
            v.clone_into(target);
        }
    };
    fill(&mut s.authorization_url, &meta.authorization_endpoint);
    fill(&mut s.token_url, &meta.token_endpoint);
    fill(&mut s.revocation_url, &meta.revocation_endpoint);
    fill(
        &mut s.device_authorization_url,
        &meta.device_authorization_endpoint,
    );
    s.require_iss = meta.iss_parameter_supported;
    let methods = &meta.token_endpoint_auth_methods_supported;
    let listed = |m: &str| methods.iter().any(|x| x == m);
    // RFC 8414 §2: when omitted, client_secret_basic is the default.
    let basic = methods.is_empty() || listed("client_secret_basic");
    let post = listed("client_secret_post");
    let jwt = listed("private_key_jwt");
    let public = listed("none");
    // The admin's choice stays when the server lists it; otherwise the first it lists of
    // Basic (the default), the body, a signed assertion.
    s.client_auth = match (s.client_auth, basic, post, jwt) {
        (ClientAuth::Basic, true, _, _)
        | (ClientAuth::Body, _, true, _)
        | (ClientAuth::PrivateKeyJwt, _, _, true) => s.client_auth,
        (ClientAuth::None, _, _, _) if public => ClientAuth::None,
        (_, true, _, _) => ClientAuth::Basic,
        (_, false, true, _) => ClientAuth::Body,
        (_, false, false, true) => ClientAuth::PrivateKeyJwt,
        (current, false, false, false) => {
            warnings.push(format!(
                "The server lists neither client_secret_basic, client_secret_post nor private_key_jwt ({}): the client may not be able to authenticate.",
                methods.join(", ")
            ));
            current
        }
    };
    if !meta
        .code_challenge_methods_supported
        .iter()
        .any(|m| m == "S256")
    {
        warnings.push(
            "The server's metadata does not list PKCE with S256 (code_challenge_methods_supported): the app sends it anyway, but a server that ignores it protects the sign-in less."
                .to_owned(),
        );
    }
    if meta.token_endpoint.is_none() {
        warnings
            .push("The server's metadata names no token endpoint: enter it by hand.".to_owned());
    }
    let changes = settings
        .metadata
        .as_ref()
        .map(|before| changes(before, meta))
        .unwrap_or_default();
    s.metadata = Some(meta.clone());
    Discovered {
        settings: s,
        warnings,
        changes,
    }
}

/// What differs between two fetches of the metadata, one line each.
pub fn changes(before: &ServerMetadata, after: &ServerMetadata) -> Vec<String> {
    let mut out = Vec::new();
    let none = || "none".to_owned();
    let mut differ = |what: &str, a: Option<&String>, b: Option<&String>| {
        if a != b {
            out.push(format!(
                "{what}: {} \u{2192} {}",
                a.cloned().unwrap_or_else(none),
                b.cloned().unwrap_or_else(none)
            ));
        }
    };
    differ(
        "Authorization endpoint",
        before.authorization_endpoint.as_ref(),
        after.authorization_endpoint.as_ref(),
    );
    differ(
        "Token endpoint",
        before.token_endpoint.as_ref(),
        after.token_endpoint.as_ref(),
    );
    differ(
        "Revocation endpoint",
        before.revocation_endpoint.as_ref(),
        after.revocation_endpoint.as_ref(),
    );
    differ(
        "Device authorization endpoint",
        before.device_authorization_endpoint.as_ref(),
        after.device_authorization_endpoint.as_ref(),
    );
    let list = |what: &str, a: &[String], b: &[String], out: &mut Vec<String>| {
        let added: Vec<&str> = b
            .iter()
            .filter(|x| !a.contains(x))
            .map(String::as_str)
            .collect();
        let removed: Vec<&str> = a
            .iter()
            .filter(|x| !b.contains(x))
            .map(String::as_str)
            .collect();
        if !added.is_empty() {
            out.push(format!("{what} added: {}", added.join(" ")));
        }
        if !removed.is_empty() {
            out.push(format!("{what} removed: {}", removed.join(" ")));
        }
    };
    list(
        "Scopes",
        &before.scopes_supported,
        &after.scopes_supported,
        &mut out,
    );
    list(
        "Client authentication methods",
        &before.token_endpoint_auth_methods_supported,
        &after.token_endpoint_auth_methods_supported,
        &mut out,
    );
    if before.iss_parameter_supported != after.iss_parameter_supported {
        out.push(format!(
            "Sends iss in sign-in answers: {} \u{2192} {}",
            before.iss_parameter_supported, after.iss_parameter_supported
        ));
    }
    out
}

#[cfg(test)]
mod change_tests {
    use super::*;

    fn meta() -> ServerMetadata {
        ServerMetadata {
            issuer: "https://id.example.com".to_owned(),
            fetched_from: "https://id.example.com/.well-known/openid-configuration".to_owned(),
            fetched_at: Timestamp::now(),
            authorization_endpoint: Some("https://id.example.com/authorize".to_owned()),
            token_endpoint: Some("https://id.example.com/token".to_owned()),
            revocation_endpoint: None,
            device_authorization_endpoint: None,
            scopes_supported: vec!["openid".to_owned(), "email".to_owned()],
            token_endpoint_auth_methods_supported: vec!["client_secret_basic".to_owned()],
            code_challenge_methods_supported: vec!["S256".to_owned()],
            grant_types_supported: Vec::new(),
            iss_parameter_supported: false,
        }
    }

    #[test]
    fn a_second_fetch_says_what_changed() {
        let before = meta();
        let mut after = meta();
        after.token_endpoint = Some("https://id.example.com/oauth/token".to_owned());
        after.revocation_endpoint = Some("https://id.example.com/revoke".to_owned());
        after.scopes_supported = vec!["openid".to_owned(), "profile".to_owned()];
        after.iss_parameter_supported = true;
        assert_eq!(
            changes(&before, &after),
            [
                "Token endpoint: https://id.example.com/token \u{2192} https://id.example.com/oauth/token",
                "Revocation endpoint: none \u{2192} https://id.example.com/revoke",
                "Scopes added: profile",
                "Scopes removed: email",
                "Sends iss in sign-in answers: false \u{2192} true",
            ]
        );
        assert!(changes(&before, &meta()).is_empty());
    }

    #[test]
    fn the_client_authentication_follows_what_the_server_lists() {
        use crate::model::connection::{ClientAuth, ConnectionSettings};
        let mut m = meta();
        let s = ConnectionSettings::new_coupa();
        assert_eq!(apply(&s, &m).settings.client_auth, ClientAuth::Basic);
        m.token_endpoint_auth_methods_supported = vec!["client_secret_post".to_owned()];
        assert_eq!(apply(&s, &m).settings.client_auth, ClientAuth::Body);
        m.token_endpoint_auth_methods_supported = vec!["private_key_jwt".to_owned()];
        assert_eq!(
            apply(&s, &m).settings.client_auth,
            ClientAuth::PrivateKeyJwt
        );
        // The admin's choice stays when the server lists it.
        m.token_endpoint_auth_methods_supported = vec![
            "client_secret_basic".to_owned(),
            "private_key_jwt".to_owned(),
        ];
        let mut chosen = s.clone();
        chosen.client_auth = ClientAuth::PrivateKeyJwt;
        assert_eq!(
            apply(&chosen, &m).settings.client_auth,
            ClientAuth::PrivateKeyJwt
        );
        chosen.client_auth = ClientAuth::None;
        assert_eq!(apply(&chosen, &m).settings.client_auth, ClientAuth::Basic);
        m.token_endpoint_auth_methods_supported
            .push("none".to_owned());
        assert_eq!(apply(&chosen, &m).settings.client_auth, ClientAuth::None);
        m.token_endpoint_auth_methods_supported = vec!["tls_client_auth".to_owned()];
        let found = apply(&s, &m);
        assert_eq!(found.settings.client_auth, ClientAuth::Body);
        assert!(
            found.warnings[0].contains("neither client_secret_basic"),
            "{:?}",
            found.warnings
        );
    }
}
