//! `GET /oauth2/authorizations/new`: the authorization endpoint, as Coupa's path has it.
//!
//! It checks the client, the redirect URI (loopback `http://127.0.0.1|[::1]|localhost:<any
//! port>/callback`, RFC 8252 §7.3), the scopes, `state` and PKCE (S256 only, RFC 7636). A bad
//! client or redirect URI gets an error page and no redirect (RFC 6749 §4.1.2.1); other errors
//! go back to the redirect URI. Depending on the configuration it shows a small sign-in and
//! consent page, or approves or denies at once. Every answer carries `iss` (RFC 9207).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::Shared;
use crate::config::{Consent, Grant, UnknownScope};

/// A code the sandbox issued, waiting to be exchanged.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub challenge: String,
    pub expires_at: Instant,
    pub used: bool,
    /// Whether the sign-in asked with `prompt=consent`.
    pub consented: bool,
}

/// A request waiting for the person's decision on the consent page.
#[derive(Debug, Clone)]
pub(crate) struct PendingConsent {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    state: String,
    challenge: String,
    consented: bool,
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn error_page(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CACHE_CONTROL, "no-store")],
        Html(format!(
            "<!doctype html><meta charset=utf-8><title>Sign-in error</title><h1>This sign-in request is not valid</h1><p>{}</p>",
            escape(message)
        )),
    )
        .into_response()
}

fn redirect(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location.to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

/// The redirect URI with `params` added; a parameter with no value (`iss` when the sandbox is
/// set not to send it) is left out.
fn with_params(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    format!("{redirect_uri}?{query}")
}

/// Whether `uri` is a loopback redirect URI with the path `/callback`.
fn loopback_callback(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http"
            && matches!(u.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"))
            && u.port().is_some()
            && u.path() == "/callback"
            && u.query().is_none()
            && u.fragment().is_none()
    })
}

pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Response {
    let mut params: HashMap<String, String> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if params.insert(k.to_string(), v.to_string()).is_some() {
            return error_page(&format!("The parameter {k} is repeated."));
        }
    }
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let (client_id, redirect_uri, state) = (get("client_id"), get("redirect_uri"), get("state"));
    let Some(client) = shared.config.client(&client_id) else {
        return error_page("Unknown client_id.");
    };
    if !loopback_callback(&redirect_uri) {
        return error_page(
            "redirect_uri must be http://127.0.0.1:<port>/callback (or [::1], localhost).",
        );
    }
    let iss = shared.sent_iss();
    let back = |error: &str, description: &str| {
        redirect(&with_params(
            &redirect_uri,
            &[
                ("error", error),
                ("error_description", description),
                ("state", &state),
                ("iss", &iss),
            ],
        ))
    };
    if !client.grants.contains(&Grant::AuthorizationCode) {
        return back(
            "unauthorized_client",
            "the client may not use the authorization code grant",
        );
    }
    if get("response_type") != "code" {
        return back("unsupported_response_type", "response_type must be code");
    }
    if state.is_empty() {
        return back("invalid_request", "state is required");
    }
    let challenge = get("code_challenge");
    if challenge.len() != 43 || get("code_challenge_method") != "S256" {
        return back(
            "invalid_request",
            "PKCE is required: a 43-character S256 code_challenge",
        );
    }
    let mut scopes = Vec::new();
    for scope in get("scope").split(' ').filter(|s| !s.is_empty()) {
        if client.scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        } else if shared.config.unknown_scope == UnknownScope::Reject {
            return back(
                "invalid_scope",
                &format!("the client may not have: {scope}"),
            );
        }
    }
    if scopes.is_empty() && !shared.config.scopeless_tokens {
        return back("invalid_scope", "no allowed scope was requested");
    }
    crate::oauth::note_extras(&shared, "authorization", &params);
    let request = PendingConsent {
        client_id,
        redirect_uri,
        scopes,
        state,
        challenge,
        consented: get("prompt").split(' ').any(|p| p == "consent"),
    };
    match shared.config.consent {
        Consent::Approve => approve(&shared, request),
        Consent::Deny => deny(&shared, &request),
        Consent::Page => consent_page(&shared, request),
    }
}

fn approve(shared: &Shared, request: PendingConsent) -> Response {
    let code = format!("sbx_code_{}", uuid::Uuid::new_v4().simple());
    crate::record::note("authorization code", &code);
    shared
        .codes
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(
            code.clone(),
            PendingCode {
                client_id: request.client_id,
                redirect_uri: request.redirect_uri.clone(),
                scopes: request.scopes,
                challenge: request.challenge,
                expires_at: Instant::now() + Duration::from_secs(shared.config.code_lifetime_secs),
                used: false,
                consented: request.consented,
            },
        );
    redirect(&with_params(
        &request.redirect_uri,
        &[
            ("code", &code),
            ("state", &request.state),
            ("iss", &shared.sent_iss()),
        ],
    ))
}

fn deny(shared: &Shared, request: &PendingConsent) -> Response {
    redirect(&with_params(
        &request.redirect_uri,
        &[
            ("error", "access_denied"),
            ("error_description", "The user denied access."),
            ("state", &request.state),
            ("iss", &shared.sent_iss()),
        ],
    ))
}

fn consent_page(shared: &Shared, request: PendingConsent) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let scopes: String = request
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect();
    let client = escape(&request.client_id);
    shared
        .consents
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.clone(), request);
    let page = format!(
        r#"<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Sign in — Coupa sandbox</title>
<style>body{{font:15px system-ui,sans-serif;background:#f4f6f9;color:#1d2330;display:grid;place-items:center;min-height:100vh;margin:0}}
main{{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:28px 32px;max-width:440px}}
h1{{font-size:20px;margin:0 0 8px}}button{{font:inherit;padding:8px 18px;border-radius:6px;border:1px solid #c6ccd6;background:#fff;cursor:pointer}}
button.approve{{background:#2456c9;border-color:#2456c9;color:#fff}}.row{{display:flex;gap:8px;margin-top:20px}}</style>
<main><h1>Coupa sandbox</h1><p>Signed in as <b>amy.admin</b>.</p>
<p><b>{client}</b> asks for access to:</p><ul>{scopes}</ul>
<form method="post" action="/oauth2/authorizations/decide"><input type="hidden" name="request" value="{id}">
<div class="row"><button class="approve" name="decision" value="approve" id="approve">Approve</button>
<button name="decision" value="deny" id="deny">Deny</button></div></form></main></html>"#
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

/// `POST /oauth2/authorizations/decide`: the consent page's Approve or Deny.
pub(crate) async fn decide(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let params: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let pending = params.get("request").and_then(|id| {
        shared
            .consents
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id)
    });
    let Some(request) = pending else {
        return error_page("This sign-in request has expired or was already answered.");
    };
    match params.get("decision").map(String::as_str) {
        Some("approve") => approve(&shared, request),
        _ => deny(&shared, &request),
    }
}
