//! The connection tester: reach the host, get a token, call the API, each step timed, with a
//! detail line and, on failure, a hint that says what to fix. Steps after a failure are skipped.
//! Progress is reported through a callback as each step starts and ends; dropping the future
//! cancels the test.

use std::time::{Instant, SystemTime};

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::connection::{Connection, GrantType, TestMethod, TestSummary};
use crate::error::{Error, ErrorCode, OAuthCode};
use crate::http::{HttpClient, snippet};
use crate::oauth::{BrowserOpener, TokenInfo, check_target, transport_error};
use crate::secret::Secret;
use crate::tokens::{AccessToken, Tokens};

/// The three steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum StepId {
    /// DNS, TCP and TLS to the token endpoint's host.
    Reach,
    /// The grant.
    Token,
    /// The connection's test request.
    Api,
}

/// Where a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not started.
    Pending,
    /// Under way.
    Running,
    /// Done, fine.
    Passed,
    /// Done, failed.
    Failed,
    /// Not run because an earlier step failed.
    Skipped,
}

/// One step's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    /// Which step.
    pub id: StepId,
    /// Its name for people.
    pub label: String,
    /// Where it is.
    pub status: StepStatus,
    /// How long it took, in milliseconds, once done.
    pub duration_ms: Option<u32>,
    /// What it found: "200 OK · 1 record · 143 ms".
    pub detail: String,
    /// On failure, what to fix.
    pub hint: Option<String>,
    /// On failure, the error's stable code.
    pub code: Option<ErrorCode>,
    /// While the step waits for a person to sign in in the browser: when it gives up (RFC 3339).
    #[serde(default)]
    pub waiting_until: Option<String>,
}

/// The whole test's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TestReport {
    /// The steps, in order.
    pub steps: Vec<StepReport>,
    /// Whether every step passed.
    pub ok: bool,
    /// About the token obtained, if one was.
    pub token: Option<TokenInfo>,
}

impl TestReport {
    /// The one-line summary kept with the connection.
    pub fn summary(&self) -> TestSummary {
        let summary = match self.steps.iter().find(|s| s.status == StepStatus::Failed) {
            None => format!("All {} steps passed", self.steps.len()),
            Some(step) => format!("{} failed: {}", step.label, step.detail),
        };
        TestSummary {
            ok: self.ok,
            at: crate::time::now_rfc3339(),
            summary,
        }
    }
}

fn step(id: StepId) -> StepReport {
    let label = match id {
        StepId::Reach => "Reach the host",
        StepId::Token => "Get a token",
        StepId::Api => "Call the API",
    };
    StepReport {
        id,
        label: label.to_owned(),
        status: StepStatus::Pending,
        duration_ms: None,
        detail: String::new(),
        hint: None,
        code: None,
        waiting_until: None,
    }
}

fn millis(start: Instant) -> u32 {
    u32::try_from(start.elapsed().as_millis()).unwrap_or(u32::MAX)
}

/// How the test may sign in when an authorization-code connection has no usable token.
pub struct SignIn<'a> {
    /// Opens the system browser.
    pub opener: &'a dyn BrowserOpener,
    /// How long to wait for the browser.
    pub timeout: std::time::Duration,
    /// Resolves when the person cancels.
    pub cancel: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>,
}

impl std::fmt::Debug for SignIn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Runs the test. Client credentials always get a fresh token (the grant is what is tested);
/// authorization code uses the cached or refreshed token, or signs in through `sign_in`.
pub async fn run(
    http: &HttpClient,
    tokens: &Tokens,
    connection: &Connection,
    sign_in: Option<SignIn<'_>>,
    progress: &(dyn Fn(StepReport) + Send + Sync),
) -> TestReport {
    let mut sign_in = sign_in;
    let mut steps = vec![step(StepId::Reach), step(StepId::Token), step(StepId::Api)];
    let mut token_info = None;
    let mut access_token = None;

    for i in 0..steps.len() {
        if steps[..i].iter().any(|s| s.status == StepStatus::Failed) {
            steps[i].status = StepStatus::Skipped;
            steps[i].detail = "Not run: an earlier step failed.".to_owned();
            progress(steps[i].clone());
            continue;
        }
        steps[i].status = StepStatus::Running;
        progress(steps[i].clone());
        let start = Instant::now();
        let outcome = match steps[i].id {
            StepId::Reach => reach(http, connection).await,
            StepId::Token => {
                let waiting = |detail: &str, until: SystemTime| {
                    let mut s = steps[i].clone();
                    s.detail = detail.to_owned();
                    s.waiting_until = Some(humantime::format_rfc3339_seconds(until).to_string());
                    progress(s);
                };
                match get_token(tokens, connection, sign_in.take(), &waiting).await {
                    Ok((token, detail)) => {
                        access_token = Some(token.token.clone());
                        token_info = Some(token.info);
                        Ok(detail)
                    }
                    Err(e) => Err(e),
                }
            }
            StepId::Api => match &access_token {
                Some(token) => match call_api(http, connection, token).await {
                    // RFC 6750 §3.1: an invalid_token answer gets one renewal and one retry.
                    Err((Some(401), _)) => match tokens.renew_now(connection).await {
                        Ok(renewed) => call_api(http, connection, &renewed.token)
                            .await
                            .map(|detail| {
                                format!("{detail} (after renewing a token the API refused)")
                            })
                            .map_err(|(_, e)| e),
                        Err(e) => Err(e),
                    },
                    other => other.map_err(|(_, e)| e),
                },
                None => Err(Error::Internal("no token to call the API with".to_owned())),
            },
        };
        let s = &mut steps[i];
        s.duration_ms = Some(millis(start));
        match outcome {
            Ok(detail) => {
                s.status = StepStatus::Passed;
                s.detail = detail;
            }
            Err(err) => {
                s.status = StepStatus::Failed;
                s.code = Some(err.code());
                let (message, hint) = match err {
                    Error::OAuth { message, hint, .. } => (message, Some(hint)),
                    other => (other.to_string(), None),
                };
                s.detail = message;
                s.hint = hint;
            }
        }
        progress(s.clone());
    }
    let ok = steps.iter().all(|s| s.status == StepStatus::Passed);
    TestReport {
        steps,
        ok,
        token: token_info,
    }
}

async fn reach(http: &HttpClient, connection: &Connection) -> Result<String, Error> {
    let url = check_target(connection, &connection.endpoints.token_url)?;
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let start = Instant::now();
    let lookup = tokio::time::timeout(
        crate::http::CONNECT_TIMEOUT,
        tokio::net::lookup_host((host.trim_matches(['[', ']']), port)),
    )
    .await
    .map_err(|_| {
        transport_error(&crate::http::HttpError::Timeout(
            crate::http::CONNECT_TIMEOUT.as_secs(),
        ))
    })?
    .map_err(|e| transport_error(&crate::http::HttpError::Dns(e.to_string())))?;
    let addrs: Vec<std::net::SocketAddr> = lookup.collect();
    let addr = *addrs.first().ok_or_else(|| {
        transport_error(&crate::http::HttpError::Dns(format!(
            "{host} has no address"
        )))
    })?;
    let dns_ms = millis(start);
    let connected = tokio::time::timeout(
        crate::http::CONNECT_TIMEOUT,
        tokio::net::TcpStream::connect(addr),
    )
    .await
    .map_err(|_| {
        transport_error(&crate::http::HttpError::Timeout(
            crate::http::CONNECT_TIMEOUT.as_secs(),
        ))
    })?;
    connected
        .map_err(|e| transport_error(&crate::http::HttpError::Connect(format!("{addr}: {e}"))))?;
    let tcp_ms = millis(start) - dns_ms;
    let ip = addr.ip().to_string();
    let mut detail = if host.trim_matches(['[', ']']) == ip {
        format!("{ip}:{port} · TCP {tcp_ms} ms")
    } else {
        format!("{host} → {ip} · DNS {dns_ms} ms · TCP {tcp_ms} ms")
    };
    if url.scheme() == "https" {
        // Any HTTP answer from the host proves the TLS handshake and certificate are good.
        let base = format!("{}://{}/", url.scheme(), url.authority());
        let req = http::Request::get(&base)
            .body(Vec::new())
            .map_err(|e| Error::Internal(e.to_string()))?;
        let tls_start = Instant::now();
        match http.send(req).await {
            Ok(_) => detail.push_str(&format!(" · TLS {} ms", millis(tls_start))),
            Err(e @ crate::http::HttpError::TooLarge) => {
                detail.push_str(&format!(" · TLS ok ({e})"));
            }
            Err(e) => return Err(transport_error(&e)),
        }
    }
    Ok(detail)
}

async fn get_token(
    tokens: &Tokens,
    connection: &Connection,
    sign_in: Option<SignIn<'_>>,
    waiting: &(dyn Fn(&str, SystemTime) + Send + Sync),
) -> Result<(AccessToken, String), Error> {
    let token = match connection.settings.grant_type {
        GrantType::ClientCredentials => tokens.renew_now(connection).await?,
        GrantType::AuthorizationCode => match tokens.get(connection).await {
            Ok(token) => token,
            Err(err) if err.code() == ErrorCode::InvalidGrant => {
                let Some(sign_in) = sign_in else {
                    return Err(err);
                };
                let server = match connection.settings.provider {
                    crate::connection::Provider::Coupa => "Coupa",
                    crate::connection::Provider::Generic => "the server",
                };
                waiting(
                    &format!("Waiting for you to sign in to {server} in your browser…"),
                    SystemTime::now() + sign_in.timeout,
                );
                tokens
                    .sign_in(connection, sign_in.opener, sign_in.timeout, sign_in.cancel)
                    .await?
            }
            Err(err) => return Err(err),
        },
    };
    let grant = match connection.settings.grant_type {
        GrantType::ClientCredentials => "Client credentials",
        GrantType::AuthorizationCode => "Authorization code",
    };
    let mut detail = format!(
        "{grant} · Bearer · scopes: {}",
        token.info.granted_scopes.join(" ")
    );
    if !token.info.missing_scopes.is_empty() {
        detail.push_str(&format!(
            " · not granted: {}",
            token.info.missing_scopes.join(" ")
        ));
    }
    if token.info.has_refresh_token {
        detail.push_str(" · refresh token held");
    }
    Ok((token, detail))
}

/// Calls the test request. A failure carries the HTTP status when there was one.
async fn call_api(
    http: &HttpClient,
    connection: &Connection,
    token: &Secret,
) -> Result<String, (Option<u16>, Error)> {
    let base = connection
        .endpoints
        .api_base_url
        .as_deref()
        .ok_or_else(|| {
            (
                None,
                Error::OAuth {
                    code: OAuthCode::BadResponse,
                    message: "The connection has no API base URL to call.".to_owned(),
                    hint: "Set the API base URL in the connection's settings.".to_owned(),
                },
            )
        })?;
    let request = &connection.settings.test_request;
    let url = format!("{}{}", base.trim_end_matches('/'), request.path);
    check_target(connection, &url).map_err(|e| (None, e))?;
    let method = match request.method {
        TestMethod::Get => http::Method::GET,
        TestMethod::Head => http::Method::HEAD,
    };
    let req = http::Request::builder()
        .method(method.clone())
        .uri(&url)
        .header(http::header::ACCEPT, "application/json")
        .header(
            http::header::AUTHORIZATION,
            format!("Bearer {}", token.expose()),
        )
        .body(Vec::new())
        .map_err(|e| (None, Error::Internal(e.to_string())))?;
    let start = Instant::now();
    let resp = http
        .send(req)
        .await
        .map_err(|e| (None, transport_error(&e)))?;
    let ms = millis(start);
    let status = resp.status();
    let line = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let challenge = resp
        .headers()
        .get(http::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if status.is_success() {
        let records = serde_json::from_slice::<serde_json::Value>(resp.body())
            .ok()
            .and_then(|v| v.as_array().map(Vec::len));
        let count = match records {
            Some(1) => " · 1 record".to_owned(),
            Some(n) => format!(" · {n} records"),
            None => String::new(),
        };
        return Ok(format!(
            "{method} {} → {line}{count} · {ms} ms",
            request.path
        ));
    }
    let (code, hint) = match status.as_u16() {
        401 => (
            OAuthCode::InvalidClient,
            "The API refused the token even after a renewal. Check that the API belongs to the same instance as the token endpoint.".to_owned(),
        ),
        403 => {
            let scope = challenge
                .split("scope=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .map(str::to_owned);
            (
                OAuthCode::InvalidScope,
                match scope {
                    Some(s) => format!(
                        "The token lacks the scope this call needs: {s}. Add it to the OAuth client and to this connection's scopes, or change the test request."
                    ),
                    None => "The token lacks a scope this call needs: add it to the OAuth client and to this connection's scopes, or change the test request.".to_owned(),
                },
            )
        }
        300..=399 => (
            OAuthCode::BadResponse,
            "The API answered with a redirect, which is never followed: check the API base URL.".to_owned(),
        ),
        429 => {
            let retry_after = resp
                .headers()
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok());
            (
                OAuthCode::ServerError,
                crate::oauth::rate_limited_hint(connection, retry_after),
            )
        }
        s if s >= 500 => (OAuthCode::ServerError, "The server has a problem; try again later.".to_owned()),
        _ => (OAuthCode::BadResponse, "Check the test request's path under Advanced.".to_owned()),
    };
    Err((
        Some(status.as_u16()),
        Error::OAuth {
            code,
            message: format!(
                "{method} {} → {line} · {ms} ms: {}",
                request.path,
                snippet(resp.body())
            ),
            hint,
        },
    ))
}
