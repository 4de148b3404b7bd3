//! The authorization-code grant with PKCE over a loopback redirect (RFC 6749 §4.1, RFC 7636,
//! RFC 8252), and the opener of the system browser it signs in through.

use std::time::Duration;

use oauth2::{Scope, TokenUrl};

use crate::error::{Error, OAuthCode};
use crate::http::HttpClient;
use crate::model::connection::{Connection, ParamStage};
use crate::storage::secret::Secret;

use super::redirect::IssuerCheck;
use super::{Recording, TokenSet, check_target, oauth_client, token_error, token_set};

/// Opens the authorization URL in the system browser. The app passes one that uses the
/// operating system's opener; tests pass a scripted browser.
pub trait BrowserOpener: Send + Sync {
    /// Opens `url`; an error says why it could not.
    fn open(&self, url: &str) -> Result<(), String>;
}

/// Signs in through the system browser with the authorization-code grant and PKCE
/// (RFC 6749 §4.1, RFC 7636, RFC 8252): a fresh verifier and `state` each attempt, a loopback
/// listener for the answer, and the identical redirect URI in the token request.
pub async fn authorization_code(
    http: &HttpClient,
    connection: &Connection,
    secret: Option<&Secret>,
    opener: &dyn BrowserOpener,
    timeout: Duration,
    cancel: impl std::future::Future<Output = ()>,
) -> Result<TokenSet, Error> {
    let authorize = connection
        .endpoints
        .authorization_url
        .as_deref()
        .ok_or_else(|| Error::OAuth {
            code: OAuthCode::BadResponse,
            message: "The connection has no authorization URL.".to_owned(),
            hint: "Set the authorization URL in the connection's settings.".to_owned(),
        })?;
    let auth_url = check_target(connection, authorize)?;
    let token_url = check_target(connection, &connection.endpoints.token_url)?;
    // Checked before the browser opens: a missing key fails now, not after the sign-in.
    super::client_auth::TokenAuth::new(connection, secret, token_url.as_str())?;
    let listener =
        crate::oauth::redirect::RedirectListener::bind(connection.settings.redirect_port).await?;
    let redirect = listener.redirect_uri();

    let mut client = oauth_client(connection)
        .set_auth_uri(oauth2::AuthUrl::from_url(auth_url.clone()))
        .set_token_uri(TokenUrl::from_url(token_url.clone()))
        .set_redirect_uri(
            oauth2::RedirectUrl::new(redirect).map_err(|e| Error::Internal(e.to_string()))?,
        );
    let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
    let requested = connection.settings.scopes.clone();
    let mut authorize = client
        .authorize_url(oauth2::CsrfToken::new_random)
        .add_scopes(
            connection
                .settings
                .scope_items()
                .into_iter()
                .map(Scope::new),
        )
        .set_pkce_challenge(challenge);
    for (name, value) in connection.settings.params_for(ParamStage::Authorization) {
        authorize = authorize.add_extra_param(name.to_owned(), value.to_owned());
    }
    let (url, state) = authorize.url();

    opener.open(url.as_str()).map_err(|why| Error::OAuth {
        code: OAuthCode::Connect,
        message: format!("The browser could not be opened: {why}."),
        hint: "Check that a default web browser is set up.".to_owned(),
    })?;
    let issuer = IssuerCheck {
        issuer: connection.endpoints.issuer.clone(),
        required: connection.settings.require_iss,
    };
    let callback = listener
        .wait(state.secret(), issuer, timeout, cancel)
        .await?;

    // The assertion is signed now, after the person signed in: its few minutes start here.
    let auth = super::client_auth::TokenAuth::new(connection, secret, token_url.as_str())?;
    client = client.set_auth_type(auth.auth_type);
    if let Some(secret) = auth.secret {
        client = client.set_client_secret(secret);
    }
    let http = Recording::new(http);
    let mut exchange = client
        .exchange_code(oauth2::AuthorizationCode::new(
            callback.code.expose().to_owned(),
        ))
        .set_pkce_verifier(verifier);
    for (name, value) in auth.params {
        exchange = exchange.add_extra_param(name, value);
    }
    for (name, value) in connection.settings.params_for(ParamStage::Token) {
        exchange = exchange.add_extra_param(name.to_owned(), value.to_owned());
    }
    let result = exchange.request_async(&http).await;
    let result = match result {
        Ok(token) => token_set(&token, &requested, &requested).map(|mut set| {
            super::note_missing_refresh_token(&mut set, &requested);
            set
        }),
        Err(err) => Err(token_error(err, http.last(), connection)),
    };
    // The browser hears the outcome only now that the code has been exchanged.
    let outcome = result.as_ref().map(|_| ()).map_err(ToString::to_string);
    let page = callback.browser.finish(outcome).await;
    let _ = tokio::time::timeout(super::redirect::OUTCOME_PAGE_GRACE, page).await;
    result
}
