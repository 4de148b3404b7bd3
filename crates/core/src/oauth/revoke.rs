//! Token revocation (RFC 7009): when a connection is deleted or its tokens are forgotten, the
//! server is asked to revoke them, so a token copied somewhere stops working too.
//!
//! Written on the HTTP client rather than through the `oauth2` crate: `oauth2` refuses every
//! `http://` revocation endpoint, loopback included, while every other endpoint here follows
//! one rule (https, or http on this computer only: RFC 8252 §8.3).

use serde::Serialize;
use specta::Type;

use crate::error::{Error, OAuthCode};
use crate::http::HttpClient;
use crate::model::connection::Connection;
use crate::storage::secret::Secret;

/// What became of a connection's tokens at the server when they were dropped here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, Type)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Revocation {
    /// No token was held: there was nothing to revoke.
    NothingHeld,
    /// The connection has no revocation endpoint: the tokens stay valid at the server until
    /// they expire.
    NotOffered,
    /// The server revoked them.
    Revoked,
    /// The server could not be told; the tokens were dropped here all the same.
    Failed {
        /// Why, and what to do.
        message: String,
    },
}

/// Which kind of token is revoked (`token_type_hint`, RFC 7009 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    RefreshToken,
    AccessToken,
}

impl Hint {
    fn as_str(self) -> &'static str {
        match self {
            Hint::RefreshToken => "refresh_token",
            Hint::AccessToken => "access_token",
        }
    }
}

/// What one revocation request came to.
#[derive(Debug)]
pub(crate) enum Answer {
    /// 200: revoked, or not a valid token any more (§2.2).
    Revoked,
    /// `unsupported_token_type` (§2.2.1): the server does not revoke this kind of token.
    Unsupported,
}

/// Asks the server at `url` to revoke `token`, authenticating as at the token endpoint.
pub(crate) async fn revoke(
    http: &HttpClient,
    connection: &Connection,
    url: &str,
    secret: Option<&Secret>,
    token: &Secret,
    hint: Hint,
) -> Result<Answer, Error> {
    let target = super::check_target(connection, url)?;
    // RFC 7009 §2.1: authenticated as at the token endpoint; a public client names itself.
    let request = super::client_auth::form_post(
        connection,
        &target,
        secret,
        &[
            ("token", token.expose()),
            ("token_type_hint", hint.as_str()),
        ],
    )?;
    let response = http.send(request).await.map_err(|e| Error::OAuth {
        code: OAuthCode::Connect,
        message: format!("The revocation endpoint could not be reached: {e}."),
        hint: "Check the network, or revoke the tokens in the server's admin console.".to_owned(),
    })?;
    let status = response.status().as_u16();
    if status == 200 {
        return Ok(Answer::Revoked);
    }
    let error = serde_json::from_slice::<serde_json::Value>(response.body())
        .ok()
        .and_then(|v| v.get("error")?.as_str().map(str::to_owned));
    if error.as_deref() == Some("unsupported_token_type") {
        return Ok(Answer::Unsupported);
    }
    Err(Error::OAuth {
        code: OAuthCode::ServerError,
        message: format!(
            "The revocation endpoint answered {status}: {}",
            crate::http::snippet(response.body())
        ),
        hint: "Revoke the tokens in the server's admin console, or check the revocation URL."
            .to_owned(),
    })
}
