//! Fault modes: the token endpoint playing a broken or odd server, switched per test with
//! [`crate::Sandbox::set_fault`]. Some faults answer instead of the endpoint (a 502 page, a
//! redirect, a body that never ends); others change a successful answer (a `mac` token type,
//! `expires_in` as a string).

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::Shared;

/// A way for the token endpoint to misbehave.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Accept the request and never answer.
    NeverAnswers,
    /// 502 with an HTML page, as a proxy in front of a dead server.
    Html502,
    /// 200 with `text/plain`.
    TextPlain,
    /// 200 with an empty body.
    Empty200,
    /// 200 with JSON cut in the middle.
    BrokenJson,
    /// 200 with a JSON array.
    JsonArray,
    /// A successful answer without `access_token`.
    MissingAccessToken,
    /// A successful answer with this `token_type` value.
    TokenType(Value),
    /// A successful answer with this `expires_in` value (`"3600"`, `-1`, `3600.5`, `1e20`, null).
    ExpiresIn(Value),
    /// A successful answer without `expires_in` (RFC 6749 §5.1 only recommends it; Salesforce
    /// never sends it).
    OmitExpiresIn,
    /// A successful answer without `scope` (RFC 6749 §5.1 allows it when the scope is as
    /// requested, §6 on a refresh when it is unchanged).
    OmitScope,
    /// A successful answer without `refresh_token` (a server that gives one only with
    /// `prompt=consent`, or not on every sign-in).
    OmitRefreshToken,
    /// 200 with a 100 MB body.
    HugeBody,
    /// 200 sending one byte a second.
    Drip,
    /// 307 to this URL.
    Redirect(String),
    /// Start a body, then close the connection.
    CloseMidBody,
    /// 503 this many times, then answer normally.
    Unavailable(usize),
    /// 429 (too many requests, no `Retry-After`, as Coupa) this many times, then answer
    /// normally.
    TooManyRequests(usize),
    /// 503 with a JSON error body, `{"error":"temporarily_unavailable"}`, this many times, then
    /// answer normally (a server that explains its outage in OAuth's words).
    UnavailableJson(usize),
    /// An RFC 6749 §5.2 error answer with this `error` code: 401 with a `WWW-Authenticate`
    /// challenge for `invalid_client`, 400 otherwise.
    OAuthError(String),
    /// The request is processed (a refresh token rotated, a code used up), then the connection
    /// breaks before the answer is read: a lost answer.
    LostAnswer,
    /// The next this many device-code polls answer `slow_down` (RFC 8628 §3.5), however long
    /// the client waited.
    SlowDown(usize),
}

/// `status` as plain text for the first `times` requests, then `None` (answer normally).
fn refuse(shared: &Shared, times: usize, status: StatusCode) -> Option<Response> {
    let seen = shared.unavailable_served.fetch_add(1, Ordering::Relaxed);
    (seen < times).then(|| {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain")],
            status.canonical_reason().unwrap_or_default(),
        )
            .into_response()
    })
}

/// A fault that answers instead of the endpoint, or `None` to go on.
pub(crate) async fn before(shared: &Shared) -> Option<Response> {
    let fault = shared
        .fault
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()?;
    match fault {
        Fault::Slow(d) => {
            tokio::time::sleep(d).await;
            None
        }
        Fault::NeverAnswers => {
            std::future::pending::<()>().await;
            None
        }
        Fault::Html502 => Some(
            (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>",
            )
                .into_response(),
        ),
        Fault::TextPlain => Some(
            (
                [(header::CONTENT_TYPE, "text/plain")],
                "access_token=abc&token_type=bearer",
            )
                .into_response(),
        ),
        Fault::Empty200 => Some(([(header::CONTENT_TYPE, "application/json")], "").into_response()),
        Fault::BrokenJson => Some(
            (
                [(header::CONTENT_TYPE, "application/json")],
                "{\"access_token\": \"abc\", \"tok",
            )
                .into_response(),
        ),
        Fault::JsonArray => {
            Some(([(header::CONTENT_TYPE, "application/json")], "[]").into_response())
        }
        Fault::HugeBody => {
            let chunk = Bytes::from(vec![b' '; 64 * 1024]);
            let stream = futures_util::stream::iter(
                (0..1600).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
            );
            Some(
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    Body::from_stream(stream),
                )
                    .into_response(),
            )
        }
        Fault::Drip => {
            let stream = futures_util::stream::unfold(0u32, |n| async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                (n < 3600).then(|| (Ok::<_, std::io::Error>(Bytes::from_static(b" ")), n + 1))
            });
            Some(
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    Body::from_stream(stream),
                )
                    .into_response(),
            )
        }
        Fault::Redirect(to) => {
            let mut resp = StatusCode::TEMPORARY_REDIRECT.into_response();
            if let Ok(v) = HeaderValue::from_str(&to) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            Some(resp)
        }
        Fault::CloseMidBody => {
            let stream = futures_util::stream::iter(vec![
                Ok(Bytes::from_static(b"{\"access_token\": \"abc\", ")),
                Err(std::io::Error::other("connection closed mid-body")),
            ]);
            Some(
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    Body::from_stream(stream),
                )
                    .into_response(),
            )
        }
        Fault::Unavailable(times) => refuse(shared, times, StatusCode::SERVICE_UNAVAILABLE),
        Fault::UnavailableJson(times) => {
            let seen = shared.unavailable_served.fetch_add(1, Ordering::Relaxed);
            (seen < times).then(|| {
                let body = serde_json::json!({
                    "error": "temporarily_unavailable",
                    "error_description": "down for maintenance (fault mode)",
                });
                (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
            })
        }
        Fault::TooManyRequests(times) => refuse(shared, times, StatusCode::TOO_MANY_REQUESTS),
        Fault::OAuthError(error) => {
            let body = serde_json::json!({
                "error": error,
                "error_description": format!("the server answers {error} (fault mode)"),
            });
            let mut resp = (
                StatusCode::BAD_REQUEST,
                [(header::CACHE_CONTROL, "no-store")],
                axum::Json(body),
            )
                .into_response();
            if error == "invalid_client" {
                *resp.status_mut() = StatusCode::UNAUTHORIZED;
                resp.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Basic realm=\"connmgr-sandbox\""),
                );
            }
            Some(resp)
        }
        Fault::MissingAccessToken
        | Fault::TokenType(_)
        | Fault::ExpiresIn(_)
        | Fault::OmitScope
        | Fault::OmitExpiresIn
        | Fault::OmitRefreshToken
        | Fault::LostAnswer
        | Fault::SlowDown(_) => None,
    }
}

/// Whether this device-code poll is to be answered `slow_down` by [`Fault::SlowDown`].
pub(crate) fn take_slow_down(shared: &Shared) -> bool {
    let fault = shared
        .fault
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    match fault {
        Some(Fault::SlowDown(times)) => {
            shared.unavailable_served.fetch_add(1, Ordering::Relaxed) < times
        }
        _ => false,
    }
}

/// A fault that changes a successful token answer.
pub(crate) fn after(shared: &Shared, body: &mut Value) {
    let fault = shared
        .fault
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let mut remove = |field: &str| {
        if let Some(map) = body.as_object_mut() {
            map.remove(field);
        }
    };
    match fault {
        Some(Fault::MissingAccessToken) => remove("access_token"),
        Some(Fault::OmitScope) => remove("scope"),
        Some(Fault::OmitExpiresIn) => remove("expires_in"),
        Some(Fault::OmitRefreshToken) => remove("refresh_token"),
        Some(Fault::TokenType(v)) => body["token_type"] = v,
        Some(Fault::ExpiresIn(v)) => body["expires_in"] = v,
        _ => {}
    }
}

/// With [`Fault::LostAnswer`], the answer to a request already processed: headers, then the
/// connection breaks.
pub(crate) fn lose_answer(shared: &Shared) -> Option<Response> {
    let fault = shared
        .fault
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    (fault == Some(Fault::LostAnswer)).then(|| {
        let stream = futures_util::stream::iter(vec![Err::<Bytes, _>(std::io::Error::other(
            "the connection broke before the answer",
        ))]);
        (
            [(header::CONTENT_TYPE, "application/json")],
            Body::from_stream(stream),
        )
            .into_response()
    })
}
