//! The one HTTP client every call of a connection goes through, with the rules a trusted
//! client keeps:
//!
//! - redirects are never followed (a token endpoint that redirects could send the client's
//!   credentials elsewhere; oauth2-rs warns of the same SSRF risk);
//! - connect timeout 10 s, whole request 30 s;
//! - response bodies are capped at 1 MiB and read as a stream, so a huge body is cut off early;
//! - TLS with rustls, trusting both the built-in roots and the operating system's store, and
//!   `HTTPS_PROXY` / `NO_PROXY` honoured;
//! - failures are classified (DNS, connect, TLS, timeout, too large) for the connection tester.

use std::time::Duration;

use futures_util::StreamExt;

/// The most a response body may hold.
pub const BODY_CAP: usize = 1024 * 1024;
/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request got no usable response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The host name could not be resolved.
    #[error("the host name could not be resolved: {0}")]
    Dns(String),
    /// No connection could be made.
    #[error("no connection could be made: {0}")]
    Connect(String),
    /// The TLS handshake failed (certificate refused, protocol mismatch).
    #[error("the secure connection failed: {0}")]
    Tls(String),
    /// The server took too long.
    #[error("the server did not answer within {0} s")]
    Timeout(u64),
    /// The body was larger than [`BODY_CAP`].
    #[error("the response was larger than {} KiB and was cut off", BODY_CAP / 1024)]
    TooLarge,
    /// The connection broke or the request could not be built.
    #[error("the request failed: {0}")]
    Other(String),
}

/// The client. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    timeout: Duration,
}

impl HttpClient {
    /// A client with the standard timeouts.
    pub fn new() -> Result<Self, HttpError> {
        Self::with_timeouts(CONNECT_TIMEOUT, REQUEST_TIMEOUT)
    }

    /// A client with other timeouts (tests use short ones).
    pub fn with_timeouts(connect: Duration, total: Duration) -> Result<Self, HttpError> {
        let inner = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(connect)
            .timeout(total)
            .user_agent(concat!("ConnectionManager/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| HttpError::Other(e.to_string()))?;
        Ok(HttpClient {
            inner,
            timeout: total,
        })
    }

    /// Sends a request and reads the response, body capped. Any status is a response; only
    /// transport failures are errors.
    pub async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, HttpError> {
        let request =
            reqwest::Request::try_from(request).map_err(|e| HttpError::Other(e.to_string()))?;
        let response = self
            .inner
            .execute(request)
            .await
            .map_err(|e| self.classify(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        if response
            .content_length()
            .is_some_and(|n| n > BODY_CAP as u64)
        {
            return Err(HttpError::TooLarge);
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.classify(&e))?;
            if body.len() + chunk.len() > BODY_CAP {
                return Err(HttpError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let mut out = http::Response::new(body);
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    }

    fn classify(&self, err: &reqwest::Error) -> HttpError {
        if err.is_timeout() {
            return HttpError::Timeout(self.timeout.as_secs());
        }
        let chain = error_chain(err);
        let lower = chain.to_ascii_lowercase();
        if lower.contains("dns error")
            || lower.contains("failed to lookup address")
            || lower.contains("name or service not known")
        {
            HttpError::Dns(chain)
        } else if lower.contains("certificate")
            || lower.contains("tls")
            || lower.contains("handshake")
        {
            let host = err
                .url()
                .map(|u| match (u.host_str(), u.port_or_known_default()) {
                    (Some(h), Some(p)) => format!("{h}:{p}"),
                    (Some(h), None) => h.to_owned(),
                    _ => u.to_string(),
                })
                .unwrap_or_else(|| "the server".to_owned());
            HttpError::Tls(format!(
                "the certificate presented by {host} was refused: {} [{chain}]",
                tls_reason(&chain)
            ))
        } else if err.is_connect() {
            HttpError::Connect(chain)
        } else {
            HttpError::Other(chain)
        }
    }
}

/// Why rustls refused a certificate, in words an admin can act on. rustls names the reason in
/// its message, as a variant name (`UnknownIssuer`) or in words ("certificate not valid for
/// name …"), depending on the reason.
fn tls_reason(chain: &str) -> &'static str {
    const REASONS: [(&[&str], &str); 8] = [
        (
            &["unknownissuer", "unknown issuer"],
            "it is signed by an authority this computer does not trust (a self-signed certificate, or a proxy that re-signs TLS)",
        ),
        (
            &["notvalidforname", "not valid for name"],
            "it was issued for another host name",
        ),
        (
            &["notvalidyet", "not valid yet", "not valid before"],
            "it is not valid yet (check this computer's clock)",
        ),
        (&["expired"], "it has expired"),
        (&["revoked"], "it has been revoked"),
        (
            &["unsupportedsignaturealgorithm", "unsupported signature"],
            "it is signed with an algorithm that is not accepted",
        ),
        (
            &["badsignature", "bad signature"],
            "its signature does not match",
        ),
        (&["badencoding", "bad encoding"], "it is malformed"),
    ];
    let lower = chain.to_ascii_lowercase();
    REASONS
        .iter()
        .find(|(keys, _)| keys.iter().any(|k| lower.contains(k)))
        .map(|(_, why)| *why)
        .unwrap_or("the secure connection could not be set up")
}

/// The error and its causes, joined: reqwest's top-level message alone rarely says why.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// A short, printable excerpt of a body for an error message: at most 200 characters, control
/// characters removed and anything that looks like a token or secret value masked.
pub fn snippet(body: &[u8]) -> String {
    let text = crate::redact::redact(&String::from_utf8_lossy(body));
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if cleaned.chars().count() > 200 {
        format!("{}…", cleaned.chars().take(200).collect::<String>())
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_short_single_line_and_redacted() {
        let body = br#"{"access_token":"abc123","token_type":"Bearer",
            "refresh_token": "r-456", "note": "ok"}"#;
        let s = snippet(body);
        assert!(!s.contains("abc123") && !s.contains("r-456"), "{s}");
        assert!(
            s.contains("[redacted]") && s.contains("\"note\":\"ok\""),
            "{s}"
        );
        assert!(!s.contains('\n'));
        let long = "x".repeat(1000);
        assert_eq!(snippet(long.as_bytes()).chars().count(), 201);
    }

    #[test]
    fn certificate_refusals_are_explained() {
        let cases = [
            ("invalid peer certificate: UnknownIssuer", "does not trust"),
            (
                "invalid peer certificate: certificate not valid for name \"a\"",
                "another host name",
            ),
            (
                "invalid peer certificate: certificate expired: verification time 2, but certificate is not valid after 1",
                "expired",
            ),
            ("invalid peer certificate: BadSignature", "does not match"),
            (
                "received fatal alert: HandshakeFailure",
                "could not be set up",
            ),
        ];
        for (chain, words) in cases {
            assert!(tls_reason(chain).contains(words), "{chain}");
        }
    }
}
