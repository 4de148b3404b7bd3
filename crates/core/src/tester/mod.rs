//! The connection tester: reach the host, get a token, call the API, each step timed, with a
//! detail line and, on failure, a hint that says what to fix. Steps after a failure are skipped.
//! Progress is reported through a callback as each step starts and ends; dropping the future
//! cancels the test.

mod steps;

use std::time::{Instant, SystemTime};
use steps::{call_api, get_token, reach};

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::{Error, ErrorCode};
use crate::http::HttpClient;
use crate::model::connection::{Connection, TestSummary};
use crate::oauth::{BrowserOpener, TokenInfo};
use crate::time::Timestamp;
use crate::tokens::Tokens;

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
    pub waiting_until: Option<Timestamp>,
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
            at: Timestamp::now(),
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
                    s.waiting_until = Timestamp::from_system(until);
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
