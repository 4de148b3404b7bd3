//! The device authorization grant (RFC 8628): the app asks for a user code, a person enters it
//! on the verification page from any browser (a phone will do), and the app polls the token
//! endpoint until they approve, refuse, or the code expires.
//!
//! Written on the HTTP client, not through the `oauth2` crate's polling loop, because the loop
//! has to follow the RFC exactly and be cancellable: it waits the `interval` before every poll
//! (§3.5, 5 s when the server gives none, §3.2), adds 5 s for this and every later poll on
//! `slow_down`, backs off exponentially on a lost connection, and never polls once the device
//! code has expired.

use std::time::{Duration, Instant};

use oauth2::AsyncHttpClient as _;
use oauth2::basic::BasicErrorResponseType;
use oauth2::{RequestTokenError, StandardErrorResponse};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::client_auth::form_post;
use super::{Recording, TokenAnswer, TokenSet, check_target, token_error, token_set};
use crate::error::{Error, OAuthCode};
use crate::http::{HttpClient, HttpError, snippet};
use crate::model::connection::{Connection, ParamStage};
use crate::model::validate::check_url;
use crate::storage::secret::Secret;
use crate::time::Timestamp;

/// The grant type of a device-code poll (RFC 8628 §3.4).
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// The interval when the server gives none (RFC 8628 §3.2).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// What `slow_down` adds to the interval, for that poll and every later one (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// The longest wait between polls believed, and the most a lost connection backs off to.
pub const MAX_INTERVAL: Duration = Duration::from_secs(300);
/// The longest life of a device code believed (a day).
pub const MAX_LIFETIME: Duration = Duration::from_secs(86_400);
/// The longest user code shown (RFC 8628 §6.1 wants them short).
pub const USER_CODE_MAX: usize = 64;

/// What a person needs to approve a device sign-in: shown by the window, printed by `connmgr`.
/// Not a secret: the device code itself stays in the core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DeviceAuthorization {
    /// The code the person enters, as the server wrote it.
    pub user_code: String,
    /// The page where they enter it.
    pub verification_uri: String,
    /// The page with the code filled in, when the server gives one (for a link or a QR code).
    pub verification_uri_complete: Option<String>,
    /// When the code expires (RFC 3339).
    pub expires_at: Timestamp,
    /// The wait between polls the server asked for, in seconds.
    pub interval_seconds: u32,
    /// The address to open (the complete one when given) as a QR code, an SVG document drawn
    /// here, for a phone to scan.
    pub qr_svg: Option<String>,
}

impl DeviceAuthorization {
    /// The address to open or show as a QR code: the complete one when given.
    pub fn address(&self) -> &str {
        self.verification_uri_complete
            .as_deref()
            .unwrap_or(&self.verification_uri)
    }
}

/// A device code being polled for.
#[derive(Debug, Clone)]
pub struct PendingDevice {
    /// What the person is shown.
    pub authorization: DeviceAuthorization,
    device_code: Secret,
    deadline: Instant,
    interval: Duration,
}

/// The device authorization answer (RFC 8628 §3.2); `verification_url` is the name some
/// servers used before the RFC.
#[derive(Debug, Deserialize)]
struct Answer {
    device_code: String,
    user_code: String,
    #[serde(alias = "verification_url")]
    verification_uri: String,
    #[serde(default)]
    verification_uri_complete: Option<String>,
    expires_in: u64,
    #[serde(default)]
    interval: Option<u64>,
}

fn bad(message: String) -> Error {
    Error::OAuth {
        code: OAuthCode::BadResponse,
        message,
        hint:
            "Check that the device authorization URL is the server's device_authorization_endpoint."
                .to_owned(),
    }
}

/// Asks the device authorization endpoint for a user code (RFC 8628 §3.1), with the client's
/// authentication and the connection's scopes.
pub async fn request(
    http: &HttpClient,
    connection: &Connection,
    secret: Option<&Secret>,
) -> Result<PendingDevice, Error> {
    let url = connection
        .endpoints
        .device_authorization_url
        .as_deref()
        .ok_or_else(|| Error::OAuth {
            code: OAuthCode::InvalidRequest,
            message: "The connection has no device authorization URL.".to_owned(),
            hint: "Set the device authorization URL in the connection's settings.".to_owned(),
        })?;
    let target = check_target(connection, url)?;
    check_target(connection, &connection.endpoints.token_url)?;
    let scope = connection.settings.scope_items().join(" ");
    let mut pairs = Vec::new();
    if !scope.is_empty() {
        pairs.push(("scope", scope.as_str()));
    }
    pairs.extend(connection.settings.params_for(ParamStage::Authorization));
    let request = form_post(connection, &target, secret, &pairs)?;
    let recording = Recording::new(http);
    let response = recording
        .call(request)
        .await
        .map_err(|e| super::transport_error(&e))?;
    let status = response.status().as_u16();
    if status != 200 {
        let err = error_answer(response.body(), status);
        let mut err = token_error(err, recording.last(), connection);
        if let Error::OAuth { message, .. } = &mut err {
            *message = message.replace("The token endpoint", "The device authorization endpoint");
        }
        return Err(err);
    }
    let answer: Answer = serde_json::from_slice(response.body()).map_err(|e| {
        bad(format!(
            "The device authorization endpoint's answer is not a valid device authorization response ({e}): {}",
            snippet(response.body())
        ))
    })?;
    read_answer(answer)
}

/// Checks what the server sent before any of it is shown or opened: the codes' lengths and
/// characters, and pages that are web addresses (https, or http on this computer), never a
/// `file:` or `javascript:` the browser would be handed.
fn read_answer(answer: Answer) -> Result<PendingDevice, Error> {
    let printable = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic() || c == ' ');
    if !printable(&answer.user_code) || answer.user_code.len() > USER_CODE_MAX {
        return Err(bad(format!(
            "The device authorization endpoint sent an unusable user_code ({} characters, at most {USER_CODE_MAX} printable ones expected).",
            answer.user_code.chars().count()
        )));
    }
    if answer.device_code.is_empty() {
        return Err(bad(
            "The device authorization endpoint sent an empty device_code.".to_owned(),
        ));
    }
    let page = |raw: &str, what: &str| {
        check_url(raw, what).map_err(|why| {
            bad(format!(
                "The device authorization endpoint sent a {what} that cannot be opened: {why}"
            ))
        })
    };
    let verification_uri = page(&answer.verification_uri, "verification_uri")?;
    let verification_uri_complete = answer
        .verification_uri_complete
        .as_deref()
        .map(|raw| page(raw, "verification_uri_complete"))
        .transpose()?;
    if answer.expires_in == 0 {
        return Err(bad(
            "The device authorization endpoint sent a code that has already expired (expires_in 0)."
                .to_owned(),
        ));
    }
    let lifetime = Duration::from_secs(answer.expires_in).min(MAX_LIFETIME);
    // An interval of 0 would poll without pause: one second at least.
    let interval = answer
        .interval
        .map_or(DEFAULT_INTERVAL, Duration::from_secs)
        .clamp(Duration::from_secs(1), MAX_INTERVAL);
    let now = Timestamp::now();
    let qr_svg = super::browser::qr_svg(
        verification_uri_complete
            .as_deref()
            .unwrap_or(&verification_uri),
    );
    Ok(PendingDevice {
        authorization: DeviceAuthorization {
            user_code: answer.user_code,
            verification_uri,
            verification_uri_complete,
            expires_at: now.checked_add(lifetime).unwrap_or(now),
            interval_seconds: u32::try_from(interval.as_secs()).unwrap_or(u32::MAX),
            qr_svg,
        },
        device_code: Secret::new(answer.device_code),
        deadline: Instant::now() + lifetime,
        interval,
    })
}

/// An error answer as `oauth2` would have read it: an RFC 6749 §5.2 body, else the status.
fn error_answer(
    body: &[u8],
    status: u16,
) -> RequestTokenError<HttpError, StandardErrorResponse<BasicErrorResponseType>> {
    match serde_json::from_slice::<StandardErrorResponse<BasicErrorResponseType>>(body) {
        Ok(resp) if status < 500 && status != 429 => RequestTokenError::ServerResponse(resp),
        _ => RequestTokenError::Other(format!("HTTP status {status}")),
    }
}

/// What one poll came to.
enum Poll {
    Token(Box<TokenSet>),
    Pending,
    SlowDown,
    /// The connection failed or the server was overloaded: back off (§3.5).
    BackOff(Error),
}

/// Polls the token endpoint until the person decides or the code expires (RFC 8628 §3.4–3.5).
/// Stops at once, with [`OAuthCode::Cancelled`], when `cancel` resolves.
pub async fn poll(
    http: &HttpClient,
    connection: &Connection,
    secret: Option<&Secret>,
    pending: &PendingDevice,
    cancel: impl std::future::Future<Output = ()>,
) -> Result<TokenSet, Error> {
    let target = check_target(connection, &connection.endpoints.token_url)?;
    let mut interval = pending.interval;
    tokio::pin!(cancel);
    loop {
        let wake = Instant::now() + interval;
        if wake >= pending.deadline {
            // The next poll would come after the code's expiry: it is never sent.
            tokio::select! {
                () = tokio::time::sleep_until(pending.deadline.into()) => {}
                () = &mut cancel => return Err(cancelled()),
            }
            return Err(expired());
        }
        tokio::select! {
            () = tokio::time::sleep_until(wake.into()) => {}
            () = &mut cancel => return Err(cancelled()),
        }
        let once = poll_once(http, connection, &target, secret, pending);
        let outcome = tokio::select! {
            outcome = once => outcome?,
            () = &mut cancel => return Err(cancelled()),
        };
        match outcome {
            Poll::Token(set) => return Ok(*set),
            Poll::Pending => {}
            Poll::SlowDown => interval += SLOW_DOWN_STEP,
            Poll::BackOff(err) => {
                tracing::debug!(%err, "device-code poll failed; backing off");
                interval = (interval * 2).min(MAX_INTERVAL);
            }
        }
    }
}

async fn poll_once(
    http: &HttpClient,
    connection: &Connection,
    target: &url::Url,
    secret: Option<&Secret>,
    pending: &PendingDevice,
) -> Result<Poll, Error> {
    let mut pairs = vec![
        ("grant_type", GRANT_TYPE),
        ("device_code", pending.device_code.expose()),
    ];
    pairs.extend(connection.settings.params_for(ParamStage::Token));
    let request = form_post(connection, target, secret, &pairs)?;
    let recording = Recording::new(http);
    let response = match recording.call(request).await {
        Ok(response) => response,
        Err(err @ (HttpError::Connect(_) | HttpError::Timeout(_))) => {
            return Ok(Poll::BackOff(super::transport_error(&err)));
        }
        Err(err) => return Err(super::transport_error(&err)),
    };
    let status = response.status().as_u16();
    if status == 200 {
        let requested = &connection.settings.scopes;
        return match serde_json::from_slice::<TokenAnswer>(response.body()) {
            Ok(answer) => token_set(&answer, requested, requested).map(|mut set| {
                super::note_missing_refresh_token(&mut set, requested);
                Poll::Token(set.into())
            }),
            Err(why) => Err(Error::OAuth {
                code: OAuthCode::BadResponse,
                message: format!(
                    "The token endpoint's answer (HTTP 200) is not a valid token response ({why}): {}",
                    snippet(response.body())
                ),
                hint: "Check that the token URL is the OAuth 2.0 token endpoint.".to_owned(),
            }),
        };
    }
    if status >= 500 || status == 429 {
        return Ok(Poll::BackOff(token_error(
            error_answer(response.body(), status),
            recording.last(),
            connection,
        )));
    }
    let error = serde_json::from_slice::<serde_json::Value>(response.body())
        .ok()
        .and_then(|v| v.get("error")?.as_str().map(str::to_owned));
    match error.as_deref() {
        Some("authorization_pending") => Ok(Poll::Pending),
        Some("slow_down") => Ok(Poll::SlowDown),
        Some("access_denied") => Err(Error::OAuth {
            code: OAuthCode::AccessDenied,
            message: "The sign-in was denied on the verification page (access_denied).".to_owned(),
            hint: "Start again and choose Approve, or ask the server's admin whether you may use this client.".to_owned(),
        }),
        Some("expired_token") => Err(expired()),
        _ => Err(token_error(
            error_answer(response.body(), status),
            recording.last(),
            connection,
        )),
    }
}

fn expired() -> Error {
    Error::OAuth {
        code: OAuthCode::ExpiredToken,
        message: "The code expired before it was approved (expired_token).".to_owned(),
        hint: "Start the sign-in again to get a new code, and enter it before it expires."
            .to_owned(),
    }
}

fn cancelled() -> Error {
    Error::OAuth {
        code: OAuthCode::Cancelled,
        message: "The sign-in was cancelled.".to_owned(),
        hint: "Sign in again when you are ready.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(json: serde_json::Value) -> Result<PendingDevice, Error> {
        read_answer(serde_json::from_value(json).expect("shaped as an answer"))
    }

    fn base() -> serde_json::Value {
        serde_json::json!({
            "device_code": "dc",
            "user_code": "WDJB-MJHT",
            "verification_uri": "https://id.example.com/device",
            "expires_in": 600,
        })
    }

    #[test]
    fn an_answer_without_interval_polls_every_five_seconds() {
        let pending = answer(base()).expect("read");
        assert_eq!(pending.interval, DEFAULT_INTERVAL);
        assert_eq!(pending.authorization.interval_seconds, 5);
        assert_eq!(
            pending.authorization.address(),
            "https://id.example.com/device"
        );
    }

    #[test]
    fn the_old_verification_url_name_is_read() {
        let mut json = base();
        json["verification_url"] = json["verification_uri"].take();
        json.as_object_mut().map(|m| m.remove("verification_uri"));
        assert!(answer(json).is_ok());
    }

    #[test]
    fn pages_that_are_not_web_addresses_are_refused() {
        for page in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "http://evil.example/device",
        ] {
            let mut json = base();
            json["verification_uri"] = serde_json::json!(page);
            let err = answer(json).expect_err(page);
            assert!(
                err.to_string().contains("verification_uri"),
                "{page}: {err}"
            );
            let mut json = base();
            json["verification_uri_complete"] = serde_json::json!(page);
            assert!(answer(json).is_err(), "{page} as the complete address");
        }
    }

    #[test]
    fn odd_codes_and_lifetimes_are_refused_or_bounded() {
        let mut json = base();
        json["user_code"] = serde_json::json!("A\u{1b}[2J");
        assert!(
            answer(json).is_err(),
            "a control character in the user code"
        );
        let mut json = base();
        json["user_code"] = serde_json::json!("X".repeat(USER_CODE_MAX + 1));
        assert!(answer(json).is_err(), "a user code too long to show");
        let mut json = base();
        json["expires_in"] = serde_json::json!(0);
        assert!(answer(json).is_err(), "already expired");
        let mut json = base();
        json["interval"] = serde_json::json!(0);
        assert_eq!(answer(json).expect("read").interval, Duration::from_secs(1));
        let mut json = base();
        json["interval"] = serde_json::json!(u64::MAX);
        json["expires_in"] = serde_json::json!(u64::MAX);
        let pending = answer(json).expect("read");
        assert_eq!(pending.interval, MAX_INTERVAL);
        assert!(pending.deadline <= Instant::now() + MAX_LIFETIME);
    }
}
