//! Device sign-ins (RFC 8628) in two steps, so that a front end can show the code between them:
//! [`Workspace::start_device_sign_in`] gets the user code, [`Workspace::finish_device_sign_in`]
//! polls until the person approves it. The device code never leaves the core.

use super::Workspace;
use super::tokens::Use;
use crate::error::Error;
use crate::oauth::device_code::DeviceAuthorization;
use crate::tokens::AccessToken;

impl Workspace {
    /// Asks the server for a user code for the connection (its device-code grant), and keeps
    /// the device code for [`Workspace::finish_device_sign_in`]. A second start replaces the
    /// first's code.
    pub async fn start_device_sign_in(&self, id: &str) -> Result<DeviceAuthorization, Error> {
        let connection = self.get(id)?;
        let pending = self.inner.tokens.device_start(&connection).await?;
        let shown = pending.authorization.clone();
        self.inner
            .devices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned(), pending);
        Ok(shown)
    }

    /// Polls until the person approves (or denies) the code the last start got, or it expires,
    /// or [`Workspace::cancel_sign_in`]; keeps the tokens.
    pub async fn finish_device_sign_in(&self, id: &str) -> Result<AccessToken, Error> {
        let connection = self.get(id)?;
        let pending = self
            .inner
            .devices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id)
            .ok_or_else(|| {
                Error::Refused(
                    "No device sign-in was started for this connection: start it again to get a code."
                        .to_owned(),
                )
            })?;
        let attempt = self.inner.sign_ins.begin(id);
        let result = self
            .inner
            .tokens
            .device_finish(&connection, &pending, attempt.cancelled())
            .await;
        drop(attempt);
        self.note(id, &result, Use::ByPerson);
        result
    }
}
