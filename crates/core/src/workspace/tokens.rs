//! The workspace's token operations: get, renew, sign in, cancel, forget, copy, test and the
//! background renewal. Each records what it left behind (token summary, last use, last test)
//! whether it succeeded or failed.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use specta::Type;

use super::Workspace;
use crate::clipboard::{ClearAfter, Clipboard, CopyFormat};
use crate::error::Error;
use crate::model::connection::GrantType;
use crate::oauth::revoke::Revocation;
use crate::oauth::{BrowserOpener, TokenInfo};
use crate::storage::secret::Secret;
use crate::tester::{SignIn, StepReport, TestReport};
use crate::time::Timestamp;
use crate::tokens::AccessToken;
use crate::tokens::renewal::Renewed;

/// What a copy put on the clipboard, for the message that says so (never the value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CopyReceipt {
    /// "Access token", "Authorization header" or "curl command".
    pub what: String,
    /// When the clipboard will be cleared (RFC 3339), or `None` when it is not.
    pub clears_at: Option<Timestamp>,
    /// The delay before it is cleared, in seconds.
    pub clear_after_seconds: Option<u32>,
    /// Whether a new token was obtained first (the cached one was expired or nearly).
    pub renewed: bool,
    /// When the copied token expires (RFC 3339), if known.
    pub expires_at: Option<Timestamp>,
}

/// Whether an operation counts as a use of the connection (a background renewal does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Use {
    ByPerson,
    InBackground,
}

impl Workspace {
    /// What is known of the cached token, without renewing it; `None` when there is none.
    pub fn token_status(&self, id: &str) -> Result<Option<TokenInfo>, Error> {
        Ok(self.inner.tokens.cached(id)?.map(|t| t.info))
    }

    /// A usable access token: cached, refreshed or new (client credentials).
    pub async fn token(&self, id: &str) -> Result<AccessToken, Error> {
        self.token_valid_for(id, crate::tokens::MIN_LIFETIME).await
    }

    /// A usable access token with at least `min` left: cached, or renewed first.
    pub async fn token_valid_for(&self, id: &str, min: Duration) -> Result<AccessToken, Error> {
        let connection = self.get(id)?;
        let result = self.inner.tokens.get_valid_for(&connection, min).await;
        self.note(id, &result, Use::ByPerson);
        result
    }

    /// A new access token now, whatever is cached: a refresh, or a new client-credentials token.
    pub async fn renew(&self, id: &str) -> Result<AccessToken, Error> {
        let connection = self.get(id)?;
        let result = self.inner.tokens.renew_now(&connection).await;
        self.note(id, &result, Use::ByPerson);
        result
    }

    /// Signs in through the browser `opener` opens (authorization code) and keeps the tokens.
    /// Waits up to `timeout`, or until [`Workspace::cancel_sign_in`].
    pub async fn sign_in(
        &self,
        id: &str,
        opener: &dyn BrowserOpener,
        timeout: Duration,
    ) -> Result<AccessToken, Error> {
        let connection = self.get(id)?;
        let attempt = self.inner.sign_ins.begin(id);
        let result = self
            .inner
            .tokens
            .sign_in(&connection, opener, timeout, attempt.cancelled())
            .await;
        drop(attempt);
        self.note(id, &result, Use::ByPerson);
        result
    }

    /// Cancels the connection's sign-ins waiting for the browser (their redirect ports are
    /// released). Returns how many there were.
    pub fn cancel_sign_in(&self, id: &str) -> usize {
        self.inner.sign_ins.cancel(id)
    }

    /// How many sign-ins of the connection are waiting for the browser.
    pub fn sign_ins_in_progress(&self, id: &str) -> usize {
        self.inner.sign_ins.count(id)
    }

    /// Removes the connection's cached access token and refresh token, first asking the
    /// server to revoke them when it has a revocation endpoint (RFC 7009). Says what became of
    /// them at the server; a server that could not be told does not stop the removal here.
    pub async fn forget(&self, id: &str) -> Result<Revocation, Error> {
        let connection = self.get(id)?;
        let result = self.inner.tokens.revoke_and_forget(&connection).await;
        self.note_left(id, Use::InBackground);
        result
    }

    /// A tool reports that a server refused `token` (a git credential helper's `erase`): when it
    /// is the cached access token, it is dropped so the next use gets a new one. Returns
    /// whether it was.
    pub fn token_refused(&self, id: &str, token: &Secret) -> Result<bool, Error> {
        self.get(id)?;
        let dropped = self.inner.tokens.discard_if_cached(id, token)?;
        if dropped {
            self.note_left(id, Use::InBackground);
        }
        Ok(dropped)
    }

    /// Copies the connection's access token as `format` to `clipboard` and clears it after
    /// `clear` if it still holds it. A token with under a minute left is renewed first (with
    /// auto-refresh on), or the error says why it cannot be.
    pub async fn copy(
        &self,
        id: &str,
        format: CopyFormat,
        clipboard: Arc<dyn Clipboard>,
        clear: ClearAfter,
    ) -> Result<CopyReceipt, Error> {
        let connection = self.get(id)?;
        let before = self.inner.tokens.cached(id)?.map(|t| t.info.obtained_at);
        // A person's sign-in is the only way to a first token: with none held, say so rather
        // than what a refresh would have needed.
        if before.is_none()
            && connection.settings.grant_type != GrantType::ClientCredentials
            && !self.inner.tokens.holds_refresh_token(id)?
        {
            return Err(Error::Refused(format!(
                "There is no token to copy: {} holds none yet. Sign in first (Sign in, or Test connection), then copy.",
                connection.settings.name
            )));
        }
        let token = self.token(id).await?;
        let text = crate::clipboard::render(format, &token.token, &connection)?;
        crate::clipboard::copy_and_clear_later(clipboard, text, clear)?;
        let delay = clear.delay();
        tracing::info!(format = format.label(), "token copied");
        Ok(CopyReceipt {
            what: format.label().to_owned(),
            clears_at: delay.and_then(|d| Timestamp::now().checked_add(d)),
            clear_after_seconds: delay.map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX)),
            renewed: before.as_ref() != Some(&token.info.obtained_at),
            expires_at: token.info.expires_at,
        })
    }

    /// Tests the connection step by step (reach the host, get a token, call the API), reporting
    /// each step to `progress`, and keeps the outcome with the connection. An
    /// authorization-code connection without a usable token signs in through `opener`.
    pub async fn test(
        &self,
        id: &str,
        opener: &dyn BrowserOpener,
        timeout: Duration,
        progress: &(dyn Fn(StepReport) + Send + Sync),
    ) -> Result<TestReport, Error> {
        let connection = self.get(id)?;
        let attempt = self.inner.sign_ins.begin(id);
        let sign_in = SignIn {
            opener,
            timeout,
            cancel: Box::pin(attempt.cancelled()),
        };
        let report = crate::tester::run(
            &self.inner.http,
            &self.inner.tokens,
            &connection,
            Some(sign_in),
            progress,
        )
        .await;
        drop(attempt);
        self.note_left(id, Use::InBackground);
        self.inner.connections.record_test(id, report.summary())?;
        tracing::info!(ok = report.ok, "connection tested");
        Ok(report)
    }

    /// Renews the tokens due at `now` (see [`crate::renewal`]) and records each outcome without
    /// counting it as a use. A failed one is left alone for a while.
    pub async fn renew_due(&self, now: SystemTime) -> Result<Vec<Renewed>, Error> {
        let connections = self.inner.connections.store().current()?;
        let done = self.inner.renewal.run(&connections, now).await;
        for renewed in &done {
            match &renewed.result {
                Ok(_) => tracing::info!(id = renewed.id, "token renewed in the background"),
                Err(err) => {
                    tracing::warn!(id = renewed.id, code = ?err.code(), error = %err, "background renewal failed");
                }
            }
            self.note(&renewed.id, &renewed.result, Use::InBackground);
        }
        Ok(done)
    }

    /// Records a token operation's outcome: the new token's summary, or, after a failure,
    /// whatever the keyring still holds (a refused refresh token is gone).
    pub(super) fn note(&self, id: &str, result: &Result<AccessToken, Error>, how: Use) {
        match result {
            Ok(token) => self.record(id, Some(&token.info), how),
            Err(err) => {
                tracing::info!(id, code = ?err.code(), "token operation failed");
                self.note_left(id, Use::InBackground);
            }
        }
    }

    /// Records what the keyring holds now for the connection's token.
    fn note_left(&self, id: &str, how: Use) {
        match self.inner.tokens.cached(id) {
            Ok(left) => self.record(id, left.as_ref().map(|t| &t.info), how),
            Err(err) => tracing::warn!(id, error = %err, "could not read the token state"),
        }
    }

    fn record(&self, id: &str, info: Option<&TokenInfo>, how: Use) {
        let connections = &self.inner.connections;
        let noted = match how {
            Use::ByPerson => connections.record_token(id, info),
            Use::InBackground => connections.record_renewal(id, info),
        };
        if let Err(err) = noted {
            tracing::warn!(id, error = %err, "could not note the token state");
        }
    }
}
