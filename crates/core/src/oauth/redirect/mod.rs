//! The loopback redirect listener for the authorization-code flow (RFC 8252 §7.3).
//!
//! - Binds `127.0.0.1` (never `0.0.0.0`), on port 0 or the connection's fixed port; a port in
//!   use is a clear error at once, not a hang. `[::1]` is tried when IPv4 loopback is missing.
//! - Each browser connection is served on its own task, so an idle preconnect never blocks the
//!   real callback; `/favicon.ico`, `/` and anything but `GET /callback` get a 404 and change
//!   nothing.
//! - A `GET /callback` whose `state` is wrong or missing does not belong to this sign-in: it
//!   gets an error page and is otherwise ignored, and the listener keeps waiting (as AppAuth
//!   does), so a local page that finds the port cannot end a sign-in in progress.
//! - The first `GET /callback` with the right `state` decides: a wrong `iss`, a repeated
//!   parameter or neither `code` nor `error` ends the flow with an error and no token request;
//!   `error=access_denied` ends it as a refusal. The listener then closes (single use).
//! - A request head over 8 KiB is answered 431, one that cannot be parsed 400; both are
//!   otherwise ignored. A failing `accept()` (out of file descriptors) is retried with backoff,
//!   never in a tight loop.
//! - The browser's request for the callback is held open while the app exchanges the code;
//!   only then is it answered, with a `303` to a clean address (`/signed-in` or
//!   `/not-signed-in`, no code in it) whose page says how the sign-in ended. The listener serves
//!   that one page and closes.
//! - The pages shown to the browser are self-contained, `no-store`, `no-referrer`, and escape
//!   every text they repeat.
//! - Waiting ends after a timeout (5 minutes by default) or on cancel, and the port is released.

use std::collections::HashMap;
use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::error::{Error, OAuthCode};
use crate::storage::secret::Secret;

mod answer;
#[cfg(test)]
mod properties;
mod wire;

pub use answer::{BrowserAnswer, OUTCOME_PAGE_GRACE};
use wire::{Read, read_head, respond};

/// How long the app waits for the browser by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(50);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// A bound listener, ready for one callback.
#[derive(Debug)]
pub struct RedirectListener {
    listener: TcpListener,
    addr: SocketAddr,
}

/// What the authorization server sent back.
#[derive(Debug)]
pub struct Callback {
    /// The authorization code: a secret until exchanged.
    pub code: Secret,
    /// The browser, waiting to hear how the sign-in ended.
    pub browser: BrowserAnswer,
}

fn flow_error(code: OAuthCode, message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::OAuth {
        code,
        message: message.into(),
        hint: hint.into(),
    }
}

impl RedirectListener {
    /// Binds loopback on `port` (`None`: a free port).
    pub async fn bind(port: Option<u16>) -> Result<RedirectListener, Error> {
        let p = port.unwrap_or(0);
        let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, p)).await {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                return Err(flow_error(
                    OAuthCode::PortInUse,
                    format!(
                        "Port {p} on 127.0.0.1 is already in use, so the sign-in cannot come back to the app."
                    ),
                    "Close the program using it, or choose another fixed redirect port (and register it on the OAuth client), or use a random port.",
                ));
            }
            Err(_) => TcpListener::bind((Ipv6Addr::LOCALHOST, p))
                .await
                .map_err(|e| {
                    flow_error(
                        OAuthCode::PortInUse,
                        format!("No loopback port could be opened for the sign-in: {e}."),
                        "Check that the loopback interface is up.",
                    )
                })?,
        };
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Internal(e.to_string()))?;
        Ok(RedirectListener { listener, addr })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The redirect URI to send (and to register): `http://127.0.0.1:PORT/callback`.
    pub fn redirect_uri(&self) -> String {
        match self.addr {
            SocketAddr::V4(a) => format!(
                "http://{}:{}{}",
                a.ip(),
                a.port(),
                crate::facts::REDIRECT_PATH
            ),
            SocketAddr::V6(a) => format!(
                "http://[{}]:{}{}",
                a.ip(),
                a.port(),
                crate::facts::REDIRECT_PATH
            ),
        }
    }

    /// Waits for the callback. Returns the code when `state` matches and `iss` is as `issuer`
    /// expects.
    pub async fn wait(
        self,
        state: &str,
        issuer: IssuerCheck,
        timeout: Duration,
        cancel: impl Future<Output = ()>,
    ) -> Result<Callback, Error> {
        let (tx, mut rx) = mpsc::channel::<Decided>(1);
        let expect = Expect {
            state: state.to_owned(),
            issuer,
        };
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        tokio::pin!(cancel);
        let mut backoff = ACCEPT_BACKOFF_MIN;
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    match accepted {
                        Ok((stream, _)) => {
                            backoff = ACCEPT_BACKOFF_MIN;
                            let (tx, expect) = (tx.clone(), expect.clone());
                            tokio::spawn(async move { serve(stream, &expect, &tx).await });
                        }
                        Err(err) => {
                            // EMFILE and the like: wait before trying again, longer each time.
                            tracing::warn!(error = %err, "the redirect listener could not accept a connection");
                            tokio::time::sleep(backoff).await;
                            backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                        }
                    }
                }
                Some(decided) = rx.recv() => {
                    // The answer that decides: it keeps the listener for the outcome page, or
                    // (an error) drops it: single use either way.
                    let (code, stream) = decided?;
                    return Ok(Callback {
                        code,
                        browser: BrowserAnswer { stream, listener: self.listener },
                    });
                }
                () = &mut deadline => {
                    return Err(flow_error(
                        OAuthCode::Timeout,
                        format!("No answer came back from the browser within {} minutes.", timeout.as_secs().div_ceil(60)),
                        "Start the sign-in again and finish it in the browser window that opens.",
                    ));
                }
                () = &mut cancel => {
                    return Err(flow_error(OAuthCode::Cancelled, "The sign-in was cancelled.", "Start it again when you are ready."));
                }
            }
        }
    }
}

/// A decided callback: the code and the browser's open request, or why the sign-in ended.
type Decided = Result<(Secret, TcpStream), Error>;

#[derive(Debug, Clone)]
struct Expect {
    state: String,
    issuer: IssuerCheck,
}

/// What a sign-in answer's `iss` must be (RFC 9207 §2.4): equal, as a plain string, to the
/// connection's issuer when one is known; present when the server is known to send it.
#[derive(Debug, Clone, Default)]
pub struct IssuerCheck {
    /// The issuer `iss` must equal; `None` when the connection has none (nothing to compare).
    pub issuer: Option<String>,
    /// Whether an answer without `iss` is refused.
    pub required: bool,
}

/// Reads one request head; answers it; reports a decision for `GET /callback`.
async fn serve(mut stream: TcpStream, expect: &Expect, tx: &mpsc::Sender<Decided>) {
    let head = match read_head(&mut stream).await {
        Read::Head(head) => head,
        Read::Closed => return,
        Read::TooLarge => {
            let message = "The request was too large for a sign-in answer; it was ignored.";
            respond(
                &mut stream,
                "431 Request Header Fields Too Large",
                "Not a sign-in answer",
                message,
            )
            .await;
            return;
        }
        Read::Malformed => {
            let message = "The request could not be read; it was ignored.";
            respond(
                &mut stream,
                "400 Bad Request",
                "Not a sign-in answer",
                message,
            )
            .await;
            return;
        }
    };
    let (path, query) = head.target.split_once('?').unwrap_or((&head.target, ""));
    if head.method != "GET" || path != crate::facts::REDIRECT_PATH {
        respond(&mut stream, "404 Not Found", "Not found", "Nothing here.").await;
        return;
    }
    if !state_matches(query, expect) {
        // Not this sign-in's answer (a stale tab, or another page that found the port): the
        // sign-in in progress goes on waiting for its own.
        respond(
            &mut stream,
            "400 Bad Request",
            "Not this sign-in",
            "This answer does not belong to the sign-in Connection Manager is waiting for (its state is wrong or missing), so it was ignored. Finish the sign-in in the tab the app opened, or start it again.",
        )
        .await;
        return;
    }
    match decide(query, expect) {
        // The browser waits while the code is exchanged (see [`BrowserAnswer::finish`]).
        Ok(code) => {
            let _ = tx.send(Ok((code, stream))).await;
        }
        Err(err) => {
            let page = format!("{err} Go back to Connection Manager.");
            respond(
                &mut stream,
                "400 Bad Request",
                "Sign-in not completed",
                &page,
            )
            .await;
            let _ = tx.send(Err(err)).await;
        }
    }
}

/// Whether the query carries this sign-in's `state` (compared in constant time), exactly once.
fn state_matches(query: &str, expect: &Expect) -> bool {
    let mut states = url::form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k == "state");
    let expected = Secret::new(expect.state.clone());
    match (states.next(), states.next()) {
        (Some((_, state)), None) => Secret::new(state.into_owned()).matches(&expected),
        _ => false,
    }
}

fn decide(query: &str, expect: &Expect) -> Result<Secret, Error> {
    let mut params: HashMap<String, String> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if params.insert(k.to_string(), v.to_string()).is_some() {
            return Err(flow_error(
                OAuthCode::InvalidCallback,
                format!("The sign-in answer repeats the parameter {k}; it was refused."),
                "Start the sign-in again.",
            ));
        }
    }
    // RFC 9207 §2.4: compared as plain strings (RFC 3986 §6.2.1), no normal form applied.
    match (params.get("iss"), &expect.issuer.issuer) {
        (Some(iss), Some(expected)) if iss != expected => {
            return Err(flow_error(
                OAuthCode::InvalidCallback,
                format!(
                    "The sign-in answer comes from another issuer ({iss}, expected {expected}); it was refused."
                ),
                "Check the connection's issuer and authorization URL: both must be the same server's.",
            ));
        }
        (None, _) if expect.issuer.required => {
            return Err(flow_error(
                OAuthCode::InvalidCallback,
                "The sign-in answer has no iss, which this server always sends (RFC 9207); it was refused.",
                "Start the sign-in again. If it happens every time, turn off \u{201c}The server sends iss\u{201d} in the connection's settings.",
            ));
        }
        _ => {}
    }
    if let Some(error) = params.get("error") {
        let description = params
            .get("error_description")
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        let code = if error == "access_denied" {
            OAuthCode::AccessDenied
        } else {
            OAuthCode::ServerError
        };
        return Err(flow_error(
            code,
            format!("The sign-in was not completed ({error}{description})."),
            if code == OAuthCode::AccessDenied {
                "Access was refused in the browser. Start the sign-in again and approve it to connect."
            } else {
                "The authorization server refused the request; its description says why."
            },
        ));
    }
    match params.get("code") {
        Some(code) if !code.is_empty() => Ok(Secret::new(code.clone())),
        _ => Err(flow_error(
            OAuthCode::InvalidCallback,
            "The sign-in answer has neither a code nor an error.",
            "Start the sign-in again.",
        )),
    }
}
