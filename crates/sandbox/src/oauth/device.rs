//! The device authorization grant (RFC 8628), as a strict server plays it.
//!
//! - `POST /oauth2/device_authorization` (§3.1–3.2): the client authenticates as at the token
//!   endpoint (a public client names itself); the answer has a device code, a short user code,
//!   the verification page and, unless configured away, the polling `interval`.
//! - `GET /oauth2/device` (§3.3): the verification page, the user code filled in when the
//!   address carries it (`verification_uri_complete`); Approve or Deny posts back to it.
//! - The token endpoint's `urn:ietf:params:oauth:grant-type:device_code` (§3.4–3.5):
//!   `authorization_pending` until the person decides, `slow_down` (and 5 s more for every
//!   later poll) when polled before the interval has passed, `access_denied`, `expired_token`
//!   after the code's lifetime, and a token once approved (the device code is then used up).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::issue::issue_with;
use super::{OAuthError, grant_scopes, parse_form};
use crate::Shared;
use crate::config::{ClientConfig, Grant};

/// The person's decision on the verification page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Not yet decided: polls answer `authorization_pending`.
    Pending,
    /// Approved: the next poll gets a token.
    Approved,
    /// Denied: the next poll gets `access_denied`.
    Denied,
}

/// A device code the sandbox issued.
#[derive(Debug, Clone)]
pub(crate) struct PendingDevice {
    pub user_code: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: Instant,
    pub decision: Decision,
    /// The interval the client must keep between polls; `slow_down` adds 5 s (§3.5).
    pub interval: Duration,
    pub last_poll: Option<Instant>,
    pub used: bool,
}

/// One poll of the token endpoint with a device code, as the sandbox saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePoll {
    /// The user code of the device code polled.
    pub user_code: String,
    /// When the poll arrived.
    pub at: Instant,
    /// What it was answered: `authorization_pending`, `slow_down`, `access_denied`,
    /// `expired_token`, `invalid_grant` or `token`.
    pub answer: &'static str,
}

/// The user code's alphabet: consonants only, no look-alikes (RFC 8628 §6.1).
const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

fn user_code() -> String {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let letters: String = bytes[..8]
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// `POST /oauth2/device_authorization`.
pub(crate) async fn device_authorization(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match authorize_device(&shared, &headers, &body) {
        Ok(resp) => resp,
        Err(err) => err.into_response(),
    }
}

fn authorize_device(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, OAuthError> {
    let params = parse_form(headers, body)?;
    super::note_extras(shared, "authorization", &params);
    let client = super::client_auth::authenticate(shared, headers, &params)?;
    if !client.grants.contains(&Grant::DeviceCode) {
        return Err(super::refuse_grant(
            shared,
            "the client may not use the device authorization grant",
        ));
    }
    let scopes = grant_scopes(shared, client, params.get("scope"))?;
    let device_code = format!("sbx_dc_{}", uuid::Uuid::new_v4().simple());
    crate::record::note("device code", &device_code);
    let user_code = user_code();
    let lifetime = shared.config.device_code_lifetime_secs;
    let interval = shared.config.device_interval_secs;
    shared
        .devices
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(
            device_code.clone(),
            PendingDevice {
                user_code: user_code.clone(),
                client_id: client.id.clone(),
                scopes,
                expires_at: Instant::now() + Duration::from_secs(lifetime),
                decision: Decision::Pending,
                interval: Duration::from_secs(interval.unwrap_or(5)),
                last_poll: None,
                used: false,
            },
        );
    let page = format!("{}/oauth2/device", shared.base_url());
    let mut answer = json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": page,
        "verification_uri_complete": format!("{page}?user_code={user_code}"),
        "expires_in": lifetime,
    });
    if let Some(interval) = interval {
        answer["interval"] = json!(interval);
    }
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::Json(answer)).into_response())
}

/// The token endpoint's device-code grant (§3.4–3.5).
pub(super) fn redeem(
    shared: &Shared,
    client: &ClientConfig,
    params: &HashMap<String, String>,
) -> Result<Response, OAuthError> {
    let code = params
        .get("device_code")
        .ok_or_else(|| OAuthError::bad("invalid_request", "device_code is missing"))?;
    let now = Instant::now();
    let mut devices = shared.devices.lock().unwrap_or_else(|p| p.into_inner());
    let Some(device) = devices.get_mut(code) else {
        return Err(OAuthError::bad("invalid_grant", "unknown device code"));
    };
    let log = |answer: &'static str, device: &PendingDevice| {
        shared
            .device_polls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(DevicePoll {
                user_code: device.user_code.clone(),
                at: now,
                answer,
            });
    };
    if device.client_id != client.id {
        log("invalid_grant", device);
        return Err(OAuthError::bad(
            "invalid_grant",
            "the device code was issued to another client",
        ));
    }
    if device.used {
        log("invalid_grant", device);
        return Err(OAuthError::bad(
            "invalid_grant",
            "the device code was already used",
        ));
    }
    if now >= device.expires_at {
        log("expired_token", device);
        return Err(OAuthError::bad(
            "expired_token",
            "the device code has expired",
        ));
    }
    let too_soon = device
        .last_poll
        .is_some_and(|last| now.duration_since(last) < device.interval);
    device.last_poll = Some(now);
    if too_soon || crate::faults::take_slow_down(shared) {
        device.interval += Duration::from_secs(5);
        log("slow_down", device);
        return Err(OAuthError::bad(
            "slow_down",
            "polled too often: wait 5 seconds more between polls",
        ));
    }
    match device.decision {
        Decision::Pending => {
            log("authorization_pending", device);
            Err(OAuthError::bad(
                "authorization_pending",
                "the person has not approved yet",
            ))
        }
        Decision::Denied => {
            device.used = true;
            log("access_denied", device);
            Err(OAuthError::bad("access_denied", "the person denied access"))
        }
        Decision::Approved => {
            device.used = true;
            log("token", device);
            let scopes = device.scopes.clone();
            drop(devices);
            let grant_id = uuid::Uuid::new_v4().simple().to_string();
            let refresh = (client.grants.contains(&Grant::RefreshToken)
                && scopes.iter().any(|s| s == "offline_access"))
            .then(|| super::grants::new_refresh(shared, client, &scopes, &grant_id));
            Ok(issue_with(shared, client, scopes, refresh, Some(grant_id)))
        }
    }
}

/// Records the person's decision for `user_code` (case- and dash-insensitive, as typed);
/// `false` when no live device code has it.
pub(crate) fn decide(shared: &Shared, user_code: &str, decision: Decision) -> bool {
    let typed: String = user_code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let now = Instant::now();
    let mut devices = shared.devices.lock().unwrap_or_else(|p| p.into_inner());
    let found = devices.values_mut().find(|d| {
        !d.used && d.expires_at > now && d.decision == Decision::Pending && {
            let code: String = d.user_code.chars().filter(|c| *c != '-').collect();
            code == typed
        }
    });
    match found {
        Some(device) => {
            device.decision = decision;
            true
        }
        None => false,
    }
}

/// `GET /oauth2/device`: the verification page.
pub(crate) async fn verification_page(Query(query): Query<HashMap<String, String>>) -> Response {
    let code = query.get("user_code").map(String::as_str).unwrap_or("");
    page(
        "Connect a device",
        &format!(
            r#"<p>Enter the code the app shows.</p>
<form method="post" action="/oauth2/device"><label for="user_code">Code</label>
<input id="user_code" name="user_code" value="{}" autocomplete="off" spellcheck="false">
<div class="row"><button class="approve" name="decision" value="approve" id="approve">Approve</button>
<button name="decision" value="deny" id="deny">Deny</button></div></form>"#,
            crate::authorize::escape(code)
        ),
    )
}

/// `POST /oauth2/device`: Approve or Deny.
pub(crate) async fn verification_decide(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Response {
    let params: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let code = params.get("user_code").map(String::as_str).unwrap_or("");
    let decision = match params.get("decision").map(String::as_str) {
        Some("approve") => Decision::Approved,
        _ => Decision::Denied,
    };
    if !decide(&shared, code, decision) {
        return page(
            "That code is not valid",
            "<p>It may have expired or been used already. Start again in the app.</p>",
        );
    }
    match decision {
        Decision::Approved => page(
            "Device approved",
            "<p id=\"done\">You can return to the app.</p>",
        ),
        _ => page(
            "Access denied",
            "<p id=\"done\">The app was not given access.</p>",
        ),
    }
}

fn page(title: &str, body: &str) -> Response {
    let html = format!(
        r#"<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title} — Coupa sandbox</title>
<style>body{{font:15px system-ui,sans-serif;background:#f4f6f9;color:#1d2330;display:grid;place-items:center;min-height:100vh;margin:0}}
main{{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:28px 32px;max-width:440px}}
h1{{font-size:20px;margin:0 0 8px}}input{{font:20px ui-monospace,monospace;letter-spacing:2px;padding:6px;margin-left:8px;width:11ch}}
button{{font:inherit;padding:8px 18px;border-radius:6px;border:1px solid #c6ccd6;background:#fff;cursor:pointer}}
button.approve{{background:#2456c9;border-color:#2456c9;color:#fff}}.row{{display:flex;gap:8px;margin-top:20px}}</style>
<main><h1>{title}</h1>{body}</main></html>"#
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// The sandbox's device codes, for a test playing the person at the verification page from
/// another task.
#[derive(Debug, Clone)]
pub struct DeviceDesk {
    pub(crate) shared: Arc<Shared>,
}

impl DeviceDesk {
    /// How many device-code polls the token endpoint has answered.
    pub fn count(&self) -> usize {
        self.shared
            .device_polls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Approves or denies the live device code with this user code; `false` when none has it.
    pub fn decide(&self, user_code: &str, approve: bool) -> bool {
        let decision = if approve {
            Decision::Approved
        } else {
            Decision::Denied
        };
        decide(&self.shared, user_code, decision)
    }
}
