//! Discovery from an issuer (RFC 8414): what the server's metadata would make of a
//! connection's settings, for the form (or `connmgr add --issuer`) to show before a save.

use super::Workspace;
use crate::error::Error;
use crate::model::connection::ConnectionSettings;
use crate::oauth::discovery::{Discovered, apply, discover};

impl Workspace {
    /// Fetches the metadata of the settings' issuer (RFC 8414, OpenID Connect Discovery) and
    /// says what it would make of them; nothing is saved. The issuer's host must be under the
    /// valid domain names, or, when none are listed yet, becomes the first.
    pub async fn discover(&self, settings: &ConnectionSettings) -> Result<Discovered, Error> {
        let issuer = settings.issuer.trim();
        let mut s = settings.clone();
        if s.valid_domains.iter().all(|d| d.trim().is_empty())
            && let Some(host) = url::Url::parse(issuer)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
        {
            s.valid_domains = vec![host];
        }
        let meta = discover(&self.inner.http, issuer, &s.valid_domains).await?;
        Ok(apply(&s, &meta))
    }
}
