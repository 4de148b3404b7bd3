//! Background renewal, the "auto-refresh" of a connection: while the app runs, the tokens of
//! connections with auto-refresh on are renewed before they expire, so a token copied into
//! another tool stays valid.
//!
//! - **Due**: a token still valid with under a sixth of its lifetime left (a 24-hour Coupa
//!   token after 20 hours, as Coupa recommends), and at the latest [`MIN_AHEAD`] before it
//!   expires, but never in the first half of its life (a 45-second token is not renewed on
//!   every look). An expired token is left to its next use, so opening the app after a week
//!   sends no burst of token requests.
//! - Judged from the connections' token summaries in the store, never the keyring: a timer
//!   over 10,000 connections costs one file read.
//! - Only what needs no person: client credentials with a stored secret, or authorization
//!   code with a refresh token. Renewal goes through [`Tokens::renew_unless`], so it is single
//!   flight with every other use of the connection (in this process and, through the lock
//!   file, in others), stores a rotated refresh token first, and keeps a token another process
//!   renewed while this one waited.
//! - A connection whose renewal failed is left alone for [`RETRY_AFTER`]. A refused refresh
//!   token (`invalid_grant`) is forgotten by [`Tokens`], so it is not tried again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::error::Error;
use crate::model::connection::{Connection, GrantType, TokenSummary};
use crate::time::Timestamp;
use crate::tokens::{AccessToken, Tokens};

/// A token is renewed at the latest this long before it expires.
pub const MIN_AHEAD: Duration = Duration::from_secs(120);
/// How long a connection whose renewal failed is left alone.
pub const RETRY_AFTER: Duration = Duration::from_secs(5 * 60);

/// Whether the token `summary` describes is due for renewal at `now` (see the module's rules).
/// A token without a known expiry never is.
pub fn due(summary: &TokenSummary, now: SystemTime) -> bool {
    let Some(expires) = summary.expires_at.map(Timestamp::to_system) else {
        return false;
    };
    let obtained = summary.obtained_at.to_system();
    let Ok(left) = expires.duration_since(now) else {
        return false;
    };
    if left.is_zero() {
        return false;
    }
    let lifetime = expires.duration_since(obtained).unwrap_or_default();
    left <= (lifetime / 6).max(MIN_AHEAD).min(lifetime / 2)
}

/// The summary of a cached token, to judge it as the store's summaries are judged.
fn summary_of(token: &AccessToken) -> TokenSummary {
    TokenSummary {
        obtained_at: token.info.obtained_at,
        expires_at: token.info.expires_at,
        has_refresh_token: token.info.has_refresh_token,
    }
}

/// Whether `connection` can be renewed with no person involved, and wants to be.
fn renewable(connection: &Connection) -> bool {
    let Some(token) = &connection.token else {
        return false;
    };
    connection.settings.auto_refresh
        && match connection.settings.grant_type {
            GrantType::ClientCredentials => {
                connection.has_client_secret && !connection.needs_client_secret
            }
            GrantType::AuthorizationCode | GrantType::DeviceCode => token.has_refresh_token,
        }
}

/// What one renewal came to.
#[derive(Debug)]
pub struct Renewed {
    /// The connection renewed.
    pub id: String,
    /// The new token, or why there is none.
    pub result: Result<AccessToken, Error>,
}

/// Background renewal over [`Tokens`], remembering which renewals failed and when.
#[derive(Debug)]
pub struct Renewal {
    tokens: Tokens,
    failed: Mutex<HashMap<String, SystemTime>>,
}

impl Renewal {
    /// Renewal through `tokens`.
    pub fn new(tokens: Tokens) -> Self {
        Renewal {
            tokens,
            failed: Mutex::new(HashMap::new()),
        }
    }

    /// The connections due at `now`, less those whose renewal failed under [`RETRY_AFTER`] ago.
    pub fn due<'a>(&self, connections: &'a [Connection], now: SystemTime) -> Vec<&'a Connection> {
        let failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
        connections
            .iter()
            .filter(|c| renewable(c))
            .filter(|c| c.token.as_ref().is_some_and(|t| due(t, now)))
            .filter(|c| {
                failed
                    .get(&c.id)
                    .is_none_or(|at| now.duration_since(*at).unwrap_or_default() >= RETRY_AFTER)
            })
            .collect()
    }

    /// Renews, one after the other, every connection due at `now`.
    pub async fn run(&self, connections: &[Connection], now: SystemTime) -> Vec<Renewed> {
        let mut done = Vec::new();
        for connection in self.due(connections, now) {
            // A token another process (the command-line tool) renewed meanwhile is kept.
            let result = self
                .tokens
                .renew_unless(connection, |cached| !due(&summary_of(cached), now))
                .await;
            let mut failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
            if result.is_ok() {
                failed.remove(&connection.id);
            } else {
                failed.insert(connection.id.clone(), now);
            }
            done.push(Renewed {
                id: connection.id.clone(),
                result,
            });
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(stamp: &str) -> Timestamp {
        Timestamp::parse(stamp).expect("a timestamp")
    }

    fn at(stamp: &str) -> SystemTime {
        time(stamp).to_system()
    }

    fn summary(obtained: &str, expires: Option<&str>) -> TokenSummary {
        TokenSummary {
            obtained_at: time(obtained),
            expires_at: expires.map(time),
            has_refresh_token: false,
        }
    }

    #[test]
    fn a_day_long_token_is_due_after_twenty_hours_as_coupa_recommends() {
        let t = summary("2026-12-01T00:00:00.000Z", Some("2026-12-02T00:00:00.000Z"));
        assert!(!due(&t, at("2026-12-01T19:59:00Z")), "19 h 59 m in");
        assert!(due(&t, at("2026-12-01T20:00:00Z")), "20 h in: 4 h left");
        assert!(due(&t, at("2026-12-01T23:59:59Z")));
        assert!(
            !due(&t, at("2026-12-02T00:00:00Z")),
            "expired: left to its next use"
        );
        assert!(!due(&t, at("2026-12-05T00:00:00Z")));
    }

    #[test]
    fn a_short_token_is_due_two_minutes_before_it_expires() {
        let t = summary("2026-12-01T00:00:00Z", Some("2026-12-01T00:10:00Z"));
        assert!(
            !due(&t, at("2026-12-01T00:07:59Z")),
            "a sixth would be 100 s"
        );
        assert!(due(&t, at("2026-12-01T00:08:00Z")));
        let brief = summary("2026-12-01T00:00:00Z", Some("2026-12-01T00:00:45Z"));
        assert!(
            !due(&brief, at("2026-12-01T00:00:22Z")),
            "shorter than the margin: not in its first half"
        );
        assert!(due(&brief, at("2026-12-01T00:00:23Z")));
    }

    #[test]
    fn a_token_without_an_expiry_is_never_due() {
        let now = at("2026-12-01T12:00:00Z");
        assert!(!due(&summary("2026-12-01T00:00:00Z", None), now));
    }
}
