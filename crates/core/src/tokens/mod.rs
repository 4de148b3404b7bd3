//! [`Tokens`]: a connection's tokens, cached in the keyring and renewed when needed.
//!
//! - [`Tokens::get`] returns the cached access token while it has at least a minute left;
//!   otherwise (with auto-refresh on) it refreshes with the refresh token, or gets a new one by
//!   client credentials.
//! - One renewal at a time per connection (single flight): ten callers with an expired token
//!   make one token request, and a server that rotates refresh tokens and revokes the grant on
//!   reuse never sees a refresh token twice (RFC 9700 §2.2.2).
//! - A new refresh token is written to the keyring before anything else (before the access
//!   token is cached or returned). A refresh that returns none keeps the old one (RFC 6749 §6);
//!   a sign-in or a client-credentials token is a new grant and replaces the whole grant, so a
//!   sign-in that returns no refresh token drops the previous one (which may be another
//!   person's).
//! - A refresh answer without `scope` keeps the scopes granted before (RFC 6749 §6), never the
//!   ones the settings ask for.
//! - `invalid_grant` on refresh deletes the refresh token (the access token, still valid until
//!   it expires, is kept) and asks for a new sign-in, with no retry; a server error (5xx, or 429
//!   for too many requests) or a network failure is retried a few times with backoff and the
//!   tokens are kept.
//! - Across processes (the app and the command-line tool), a renewal, a sign-in's answer and
//!   forget hold the connection's lock file ([`lock`]) and read the tokens again after taking
//!   it, so a refresh token is never sent twice by two processes either.

pub mod lock;
pub mod renewal;
mod sign_in;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oauth2::basic::BasicErrorResponseType;
use oauth2::{RefreshToken, RequestTokenError, TokenUrl};
use serde::{Deserialize, Serialize};

use crate::error::{Error, OAuthCode};
use crate::http::{HttpClient, HttpError};
use crate::model::connection::{Connection, GrantType, ParamStage};
use crate::oauth::revoke::Revocation;
use crate::oauth::{TokenInfo, TokenSet};
use crate::storage::keyring::{SecretKind, SecretStore};
use crate::storage::secret::Secret;
use lock::GrantLocks;

/// A cached token is used only while it has at least this long left.
pub const MIN_LIFETIME: Duration = Duration::from_secs(60);
/// How often a refresh is tried when the server fails or cannot be reached.
const REFRESH_ATTEMPTS: u32 = 3;
const BACKOFF: Duration = Duration::from_millis(400);

/// What the keyring holds for the cached access token.
#[derive(Serialize, Deserialize)]
struct Cached {
    access_token: String,
    /// Seconds since the Unix epoch; `None` when the server gave no lifetime.
    expires_at: Option<u64>,
    info: TokenInfo,
}

/// A usable access token and what may be shown about it.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// The token to send as `Authorization: Bearer …`.
    pub token: Secret,
    /// Its expiry, scopes, whether a refresh token is held.
    pub info: TokenInfo,
}

/// Where a token answer came from, which decides what happens to the refresh token held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grant {
    /// A sign-in or client credentials: the answer is the whole grant.
    New,
    /// A refresh: the grant goes on, with the old refresh token unless a new one came.
    Refreshed,
}

/// Token management for every connection.
#[derive(Debug, Clone)]
pub struct Tokens {
    http: HttpClient,
    secrets: Arc<dyn SecretStore>,
    flights: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    locks: GrantLocks,
}

/// "a minute", "5 minutes", "90 seconds".
fn span(d: Duration) -> String {
    match d.as_secs() {
        60 => "a minute".to_owned(),
        s if s % 60 == 0 => format!("{} minutes", s / 60),
        1 => "a second".to_owned(),
        s => format!("{s} seconds"),
    }
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Tokens {
    /// Tokens renewed through `http` and kept in `secrets`, one renewal at a time per
    /// connection inside this process.
    pub fn new(http: HttpClient, secrets: Arc<dyn SecretStore>) -> Self {
        Tokens {
            http,
            secrets,
            flights: Arc::new(Mutex::new(HashMap::new())),
            locks: GrantLocks::default(),
        }
    }

    /// The same, one renewal at a time per connection across every process whose connections
    /// file is in `data_dir` (see [`lock`]).
    pub fn shared_in(self, data_dir: impl Into<std::path::PathBuf>) -> Self {
        Tokens {
            locks: GrantLocks::in_folder(data_dir),
            ..self
        }
    }

    /// The per-connection locks this instance holds while it changes a connection's tokens.
    pub fn locks(&self) -> &GrantLocks {
        &self.locks
    }

    fn flight(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.flights
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(id.to_owned())
            .or_default()
            .clone()
    }

    /// The cached token, if any (whatever its expiry).
    pub fn cached(&self, connection_id: &str) -> Result<Option<AccessToken>, Error> {
        Ok(self.read_cache(connection_id)?.map(|(token, _)| token))
    }

    /// Whether a refresh token is held for the connection.
    pub fn holds_refresh_token(&self, connection_id: &str) -> Result<bool, Error> {
        Ok(self
            .secrets
            .get(connection_id, SecretKind::RefreshToken)?
            .is_some())
    }

    fn read_cache(&self, id: &str) -> Result<Option<(AccessToken, Option<u64>)>, Error> {
        let Some(raw) = self.secrets.get(id, SecretKind::AccessToken)? else {
            return Ok(None);
        };
        // An entry this build cannot read is treated as no cached token: it is replaced.
        let Ok(cached) = serde_json::from_str::<Cached>(raw.expose()) else {
            return Ok(None);
        };
        let mut info = cached.info;
        info.has_refresh_token = self.secrets.get(id, SecretKind::RefreshToken)?.is_some();
        Ok(Some((
            AccessToken {
                token: Secret::new(cached.access_token),
                info,
            },
            cached.expires_at,
        )))
    }

    fn store(&self, id: &str, set: &TokenSet, grant: Grant) -> Result<AccessToken, Error> {
        // The new refresh token first: if anything after this fails, the grant is not lost.
        match (&set.refresh_token, grant) {
            (Some(rt), _) => self.secrets.set(id, SecretKind::RefreshToken, rt)?,
            (None, Grant::New) => self.secrets.delete(id, SecretKind::RefreshToken)?,
            (None, Grant::Refreshed) => {}
        }
        let cached = Cached {
            access_token: set.access_token.expose().to_owned(),
            expires_at: set
                .expires_at
                .map(|t| u64::try_from(t.unix_seconds()).unwrap_or(0)),
            info: set.info.clone(),
        };
        let blob = serde_json::to_string(&cached).map_err(|e| Error::Internal(e.to_string()))?;
        self.secrets
            .set(id, SecretKind::AccessToken, &Secret::new(blob))?;
        let mut info = set.info.clone();
        info.has_refresh_token = set.refresh_token.is_some()
            || self.secrets.get(id, SecretKind::RefreshToken)?.is_some();
        Ok(AccessToken {
            token: set.access_token.clone(),
            info,
        })
    }

    /// A usable access token: cached while it has [`MIN_LIFETIME`] left, refreshed or new.
    pub async fn get(&self, connection: &Connection) -> Result<AccessToken, Error> {
        self.get_valid_for(connection, MIN_LIFETIME).await
    }

    /// A usable access token with at least `min` left: cached, refreshed or new.
    pub async fn get_valid_for(
        &self,
        connection: &Connection,
        min: Duration,
    ) -> Result<AccessToken, Error> {
        let flight = self.flight(&connection.id);
        let _one_at_a_time = flight.lock().await;
        if let Some(token) = self.usable(connection, min)? {
            return Ok(token);
        }
        let _across_processes = self.locks.hold(&connection.id).await?;
        // Another process may have renewed while this one waited: read again.
        if let Some(token) = self.usable(connection, min)? {
            return Ok(token);
        }
        self.renew(connection).await
    }

    /// The cached token while it has at least `min` left; `None` when it must be renewed; an
    /// error when it has not and auto-refresh is off.
    fn usable(&self, connection: &Connection, min: Duration) -> Result<Option<AccessToken>, Error> {
        let Some((token, expires_at)) = self.read_cache(&connection.id)? else {
            return Ok(None);
        };
        let wanted = SystemTime::now().checked_add(min).map_or(u64::MAX, unix);
        if expires_at.is_none_or(|t| t >= wanted) {
            return Ok(Some(token));
        }
        if !connection.settings.auto_refresh {
            return Err(Error::OAuth {
                code: OAuthCode::TokenExpired,
                message: format!("The token has expired or expires within {}.", span(min)),
                hint: "Get a new token, or turn on auto-refresh for this connection.".to_owned(),
            });
        }
        Ok(None)
    }

    /// Gets a new token now, whatever is cached: refresh, or client credentials.
    pub async fn renew_now(&self, connection: &Connection) -> Result<AccessToken, Error> {
        self.renew_unless(connection, |_| false).await
    }

    /// Gets a new token unless, once this process holds the connection's lock, the cached one
    /// is `good_enough` (another process renewed it meanwhile); then that one is returned.
    pub async fn renew_unless(
        &self,
        connection: &Connection,
        good_enough: impl Fn(&AccessToken) -> bool,
    ) -> Result<AccessToken, Error> {
        let flight = self.flight(&connection.id);
        let _one_at_a_time = flight.lock().await;
        let _across_processes = self.locks.hold(&connection.id).await?;
        if let Some(token) = self.cached(&connection.id)?.filter(|t| good_enough(t)) {
            return Ok(token);
        }
        self.renew(connection).await
    }

    /// The credential to authenticate with (the client secret, or the private key's PEM):
    /// `None` for a public client. A connection imported without the credential it had is
    /// refused before anything is sent.
    fn client_secret(&self, connection: &Connection) -> Result<Option<Secret>, Error> {
        if connection.settings.client_auth.credential().is_none() {
            return Ok(None);
        }
        if connection.needs_client_secret {
            return Err(needs_credential(connection));
        }
        self.secrets.get(&connection.id, SecretKind::ClientSecret)
    }

    async fn renew(&self, connection: &Connection) -> Result<AccessToken, Error> {
        let id = &connection.id;
        let (set, grant) = match connection.settings.grant_type {
            GrantType::ClientCredentials => {
                let secret = self
                    .client_secret(connection)?
                    .ok_or_else(|| needs_credential(connection))?;
                let set = crate::oauth::client_credentials(&self.http, connection, &secret).await?;
                (set, Grant::New)
            }
            GrantType::AuthorizationCode | GrantType::DeviceCode => {
                let refresh = self
                    .secrets
                    .get(id, SecretKind::RefreshToken)?
                    .ok_or_else(|| Error::OAuth {
                        code: OAuthCode::InvalidGrant,
                        message: "There is no refresh token for this connection.".to_owned(),
                        hint: "Sign in again.".to_owned(),
                    })?;
                (self.refresh(connection, &refresh).await?, Grant::Refreshed)
            }
        };
        self.store(id, &set, grant)
    }

    async fn refresh(&self, connection: &Connection, refresh: &Secret) -> Result<TokenSet, Error> {
        let token_url = crate::oauth::check_target(connection, &connection.endpoints.token_url)?;
        let credential = self.client_secret(connection)?;
        let client = crate::oauth::oauth_client(connection)
            .set_token_uri(TokenUrl::from_url(token_url.clone()));
        // RFC 6749 §6: an answer without `scope` leaves the grant's scope as it was.
        let granted_before = match self.read_cache(&connection.id)? {
            Some((token, _)) => token.info.granted_scopes,
            None => connection.settings.scopes.clone(),
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let http = crate::oauth::Recording::new(&self.http);
            let refresh_token = RefreshToken::new(refresh.expose().to_owned());
            // Made for each attempt: an assertion's jti is used once (RFC 7523 §3 item 7).
            let auth = crate::oauth::client_auth::TokenAuth::new(
                connection,
                credential.as_ref(),
                token_url.as_str(),
            )?;
            let mut client = client.clone().set_auth_type(auth.auth_type);
            if let Some(secret) = auth.secret {
                client = client.set_client_secret(secret);
            }
            let mut request = client.exchange_refresh_token(&refresh_token);
            for (name, value) in auth.params {
                request = request.add_extra_param(name, value);
            }
            for (name, value) in connection.settings.params_for(ParamStage::Refresh) {
                request = request.add_extra_param(name.to_owned(), value.to_owned());
            }
            let result = request.request_async(&http).await;
            match result {
                Ok(token) => {
                    return crate::oauth::token_set(
                        &token,
                        &connection.settings.scopes,
                        &granted_before,
                    );
                }
                Err(RequestTokenError::ServerResponse(resp))
                    if *resp.error() == BasicErrorResponseType::InvalidGrant =>
                {
                    // The grant is gone (expired, revoked, or the server restarted): no retry.
                    // The access token is kept: it may well be valid until it expires.
                    self.secrets
                        .delete(&connection.id, SecretKind::RefreshToken)?;
                    return Err(Error::OAuth {
                        code: OAuthCode::InvalidGrant,
                        message: "The refresh token was refused (invalid_grant): the sign-in has expired or was revoked.".to_owned(),
                        hint: "Sign in again.".to_owned(),
                    });
                }
                Err(err) => {
                    let last = http.last();
                    // A server error (5xx) or "too many requests" (429) is retried whatever
                    // its body says: plain text, HTML, or an OAuth error such as
                    // `temporarily_unavailable` in JSON. Other error answers are final.
                    let overloaded = last
                        .as_ref()
                        .is_some_and(|(status, _)| *status >= 500 || *status == 429);
                    let retriable = match &err {
                        // Nothing was sent: no connection could be made.
                        RequestTokenError::Request(HttpError::Connect(_) | HttpError::Dns(_)) => {
                            true
                        }
                        // The request may have reached the server, which may have rotated the
                        // refresh token before the answer was lost (RFC 9700 §4.14.2): sent
                        // again, the old one is a reuse, and a rotating server ends the whole
                        // grant. It is not repeated; the person decides.
                        RequestTokenError::Request(lost) => {
                            return Err(answer_lost(lost));
                        }
                        RequestTokenError::Other(_)
                        | RequestTokenError::Parse(..)
                        | RequestTokenError::ServerResponse(_) => overloaded,
                    };
                    if !retriable || attempt >= REFRESH_ATTEMPTS {
                        return Err(crate::oauth::token_error(err, last, connection));
                    }
                    tokio::time::sleep(BACKOFF * 2u32.pow(attempt - 1)).await;
                }
            }
        }
    }

    /// Removes the cached access token and the refresh token (not the client secret), holding
    /// the connection's lock so that no renewal in another process is halfway through.
    pub fn forget(&self, connection_id: &str) -> Result<(), Error> {
        let _across_processes = self.locks.hold_blocking(connection_id)?;
        self.drop_tokens(connection_id)
    }

    /// Drops the cached access token if it is `refused` (a server turned it away before its
    /// expiry), so the next use gets a new one; the refresh token stays. Returns whether it was.
    pub fn discard_if_cached(&self, connection_id: &str, refused: &Secret) -> Result<bool, Error> {
        let _across_processes = self.locks.hold_blocking(connection_id)?;
        match self.read_cache(connection_id)? {
            Some((token, _)) if token.token.matches(refused) => {
                self.secrets
                    .delete(connection_id, SecretKind::AccessToken)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn drop_tokens(&self, connection_id: &str) -> Result<(), Error> {
        self.secrets
            .delete(connection_id, SecretKind::AccessToken)?;
        self.secrets.delete(connection_id, SecretKind::RefreshToken)
    }

    /// Asks the server to revoke the connection's tokens (RFC 7009) when it has a revocation
    /// endpoint, then removes them here whatever the server said. The refresh token goes first:
    /// revoking it ends the grant, and with it (at most servers) its access tokens (§2.1); the
    /// access token next, for the servers that keep it. A server that does not revoke access
    /// tokens (`unsupported_token_type`, §2.2.1) is no failure. A keyring that cannot be read
    /// stops everything before anything is sent or removed.
    pub async fn revoke_and_forget(&self, connection: &Connection) -> Result<Revocation, Error> {
        let id = &connection.id;
        let flight = self.flight(id);
        let _one_at_a_time = flight.lock().await;
        let _across_processes = self.locks.hold(id).await?;
        let refresh = self.secrets.get(id, SecretKind::RefreshToken)?;
        let access = self.read_cache(id)?.map(|(token, _)| token.token);
        let held = [
            (refresh, crate::oauth::revoke::Hint::RefreshToken),
            (access, crate::oauth::revoke::Hint::AccessToken),
        ];
        let outcome = if held.iter().all(|(t, _)| t.is_none()) {
            Revocation::NothingHeld
        } else if let Some(url) = &connection.endpoints.revocation_url {
            let secret = self.secrets.get(id, SecretKind::ClientSecret)?;
            let mut failed = None;
            for (token, hint) in &held {
                let Some(token) = token else { continue };
                let answer = crate::oauth::revoke::revoke(
                    &self.http,
                    connection,
                    url,
                    secret.as_ref(),
                    token,
                    *hint,
                )
                .await;
                if let Err(err) = answer {
                    tracing::warn!(id = %id, error = %err, "the server could not revoke a token");
                    failed.get_or_insert(err.to_string());
                }
            }
            match failed {
                None => Revocation::Revoked,
                Some(message) => Revocation::Failed { message },
            }
        } else {
            Revocation::NotOffered
        };
        self.drop_tokens(id)?;
        Ok(outcome)
    }
}

/// A connection without the credential it needs (its client secret or private key): said by
/// the core, the same for every front end, before any request.
pub(crate) fn needs_credential(connection: &Connection) -> Error {
    use crate::model::connection::Credential;
    match connection.settings.client_auth.credential() {
        Some(Credential::PrivateKey) => Error::OAuth {
            code: OAuthCode::NeedsClientSecret,
            message: "No private key is stored for this connection's signed assertion; nothing was sent.".to_owned(),
            hint: "Import the private key: Edit the connection in the window (Client authentication), or `connmgr secret set NAME --key FILE`.".to_owned(),
        },
        _ => Error::OAuth {
            code: OAuthCode::NeedsClientSecret,
            message: "No client secret is stored for this connection; nothing was sent.".to_owned(),
            hint: "Enter the client secret: Edit the connection in the window, or `connmgr secret set NAME` with the secret on standard input.".to_owned(),
        },
    }
}

/// A refresh whose answer was lost after the request may have reached the server.
fn answer_lost(err: &HttpError) -> Error {
    let code = match crate::oauth::transport_error(err) {
        Error::OAuth { code, .. } => code,
        _ => OAuthCode::BadResponse,
    };
    Error::OAuth {
        code,
        message: format!(
            "The refresh failed after its request may have reached the server ({err}); it was not repeated, since a server that rotates refresh tokens takes a repeat for a stolen token and ends the sign-in."
        ),
        hint: "Refresh again; if the server then refuses the refresh token, sign in again."
            .to_owned(),
    }
}
