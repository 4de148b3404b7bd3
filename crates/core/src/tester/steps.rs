//! The test's three steps, each on its own: reach the host (DNS, TCP, TLS), get a token (through
//! the token cache, signing in when needed), call the API with it.

use super::{SignIn, millis};
use crate::error::{Error, ErrorCode, OAuthCode};
use crate::http::{HttpClient, snippet};
use crate::model::connection::{Connection, GrantType, TestMethod};
use crate::oauth::{check_target, transport_error};
use crate::storage::secret::Secret;
use crate::tokens::{AccessToken, Tokens};
use std::time::{Instant, SystemTime};

pub(super) async fn reach(http: &HttpClient, connection: &Connection) -> Result<String, Error> {
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

pub(super) async fn get_token(
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
                    crate::model::connection::Provider::Coupa => "Coupa",
                    crate::model::connection::Provider::Generic => "the server",
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
        // The code has to be shown to a person first: the test uses the token a device
        // sign-in left, renewed if need be, and otherwise says to sign in.
        GrantType::DeviceCode => tokens.get(connection).await?,
    };
    let grant = connection.settings.grant_type.short_label();
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
pub(super) async fn call_api(
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
