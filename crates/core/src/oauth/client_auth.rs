//! A form POST to an endpoint where the client authenticates as at the token endpoint
//! (RFC 6749 §2.3.1): the requests the `oauth2` crate does not make for us (revocation, the
//! device authorization grant) are built here, so each sends the credentials the same way.

use base64::Engine;

use crate::error::Error;
use crate::model::connection::{ClientAuth, Connection};
use crate::storage::secret::Secret;

/// A POST of `pairs` to `target`, form-urlencoded, with the client's authentication:
/// HTTP Basic of the form-urlencoded id and secret, or both in the body, or (a public client,
/// no secret) the `client_id` alone (RFC 6749 §3.2.1).
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
        (_, None) => {
            body.append_pair("client_id", client_id);
        }
    }
    request
        .body(body.finish().into_bytes())
        .map_err(|e| Error::Internal(e.to_string()))
}
