//! A form POST to an endpoint where the client authenticates as at the token endpoint
//! (RFC 6749 §2.3.1): the requests the `oauth2` crate does not make for us (revocation, the
//! device authorization grant) are built here, so each sends the credentials the same way;
//! [`TokenAuth`] says how the requests `oauth2` makes authenticate the client.

use base64::Engine;
use oauth2::{AuthType, ClientSecret};

use crate::error::Error;
use crate::model::connection::{ClientAuth, Connection};
use crate::storage::secret::Secret;

/// How a token request `oauth2` makes authenticates the client (RFC 6749 §2.3): a secret in
/// the body or HTTP Basic, or, for a signed assertion (RFC 7523 §2.2) and a public client,
/// `client_id` in the body with the assertion's parameters.
#[derive(Debug)]
pub(crate) struct TokenAuth {
    /// How `oauth2` sends the client's id (and secret).
    pub auth_type: AuthType,
    /// The secret, for the secret-based methods.
    pub secret: Option<ClientSecret>,
    /// Form parameters to add: the assertion's.
    pub params: Vec<(&'static str, String)>,
}

impl TokenAuth {
    /// The authentication of a request to `token_url` with the stored `credential` (the
    /// secret, or the private key's PEM). A fresh assertion each time: its `jti` is used once.
    pub(crate) fn new(
        connection: &Connection,
        credential: Option<&Secret>,
        token_url: &str,
    ) -> Result<TokenAuth, Error> {
        let secret = |s: &Secret| ClientSecret::new(s.expose().to_owned());
        Ok(match (connection.settings.client_auth, credential) {
            (ClientAuth::Basic, c) => TokenAuth {
                auth_type: AuthType::BasicAuth,
                secret: c.map(secret),
                params: Vec::new(),
            },
            (ClientAuth::Body, c) => TokenAuth {
                auth_type: AuthType::RequestBody,
                secret: c.map(secret),
                params: Vec::new(),
            },
            (ClientAuth::PrivateKeyJwt, Some(key)) => TokenAuth {
                auth_type: AuthType::RequestBody,
                secret: None,
                params: super::assertion::params(connection, key, token_url)?.into(),
            },
            (ClientAuth::PrivateKeyJwt, None) => {
                return Err(crate::tokens::needs_credential(connection));
            }
            (ClientAuth::None, _) => TokenAuth {
                auth_type: AuthType::RequestBody,
                secret: None,
                params: Vec::new(),
            },
        })
    }
}

/// A POST of `pairs` to `target`, form-urlencoded, with the client's authentication:
/// HTTP Basic of the form-urlencoded id and secret, or both in the body, or a signed
/// assertion (RFC 7523 §2.2), or (a public client, no secret) the `client_id` alone
/// (RFC 6749 §3.2.1).
pub(crate) fn form_post(
    connection: &Connection,
    target: &url::Url,
    secret: Option<&Secret>,
    pairs: &[(&str, &str)],
) -> Result<http::Request<Vec<u8>>, Error> {
    let client_id = connection.settings.client_id.as_str();
    let mut request = http::Request::post(target.as_str())
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(http::header::ACCEPT, "application/json");
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    body.extend_pairs(pairs.iter().copied());
    match (connection.settings.client_auth, secret) {
        (ClientAuth::Basic, Some(secret)) => {
            let enc =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let pair = format!("{}:{}", enc(client_id), enc(secret.expose()));
            let basic = base64::engine::general_purpose::STANDARD.encode(pair);
            request = request.header(http::header::AUTHORIZATION, format!("Basic {basic}"));
        }
        (ClientAuth::Body, Some(secret)) => {
            body.extend_pairs([("client_id", client_id), ("client_secret", secret.expose())]);
        }
        (ClientAuth::PrivateKeyJwt, Some(key)) => {
            // OpenID Connect Core §9: the assertion's audience is the token endpoint, whatever
            // endpoint it is sent to.
            body.append_pair("client_id", client_id);
            for (name, value) in
                super::assertion::params(connection, key, &connection.endpoints.token_url)?
            {
                body.append_pair(name, &value);
            }
        }
        (ClientAuth::PrivateKeyJwt, None) => {
            return Err(crate::tokens::needs_credential(connection));
        }
        (ClientAuth::None, _) | (_, None) => {
            body.append_pair("client_id", client_id);
        }
    }
    request
        .body(body.finish().into_bytes())
        .map_err(|e| Error::Internal(e.to_string()))
}
