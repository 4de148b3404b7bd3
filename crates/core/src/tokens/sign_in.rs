//! Sign-ins: through the browser (authorization code) and the device-code grant. A person's
//! answer is a new grant, kept under the connection's locks like any renewal.

use std::time::Duration;

use super::{AccessToken, Grant, Tokens};
use crate::error::Error;
use crate::model::connection::Connection;
use crate::oauth::device_code::PendingDevice;
use crate::oauth::{BrowserOpener, TokenSet};

impl Tokens {
    /// Signs in through the browser (authorization code) and keeps the tokens.
    pub async fn sign_in(
        &self,
        connection: &Connection,
        opener: &dyn BrowserOpener,
        timeout: Duration,
        cancel: impl std::future::Future<Output = ()>,
    ) -> Result<AccessToken, Error> {
        let secret = self.client_secret(connection)?;
        let set = crate::oauth::authorization_code(
            &self.http,
            connection,
            secret.as_ref(),
            opener,
            timeout,
            cancel,
        )
        .await?;
        self.keep_new(&connection.id, &set).await
    }

    /// Asks for a device sign-in's user code (RFC 8628 §3.1).
    pub async fn device_start(&self, connection: &Connection) -> Result<PendingDevice, Error> {
        let secret = self.client_secret(connection)?;
        crate::oauth::device_code::request(&self.http, connection, secret.as_ref()).await
    }

    /// Polls until the person approves `pending`'s code, then keeps the tokens.
    pub async fn device_finish(
        &self,
        connection: &Connection,
        pending: &PendingDevice,
        cancel: impl std::future::Future<Output = ()>,
    ) -> Result<AccessToken, Error> {
        let secret = self.client_secret(connection)?;
        let set = crate::oauth::device_code::poll(
            &self.http,
            connection,
            secret.as_ref(),
            pending,
            cancel,
        )
        .await?;
        self.keep_new(&connection.id, &set).await
    }

    /// Keeps a new grant's tokens, holding the connection's locks (in this process and across
    /// processes) so that no renewal is halfway through meanwhile.
    async fn keep_new(&self, connection_id: &str, set: &TokenSet) -> Result<AccessToken, Error> {
        let flight = self.flight(connection_id);
        let _one_at_a_time = flight.lock().await;
        let _across_processes = self.locks.hold(connection_id).await?;
        self.store(connection_id, set, Grant::New)
    }
}
