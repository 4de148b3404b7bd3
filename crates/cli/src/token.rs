//! `connmgr token`: a usable access token on standard output, in the format another tool
//! expects (the formats of `shared` conventions: oidc-token's bare token, kubectl's
//! ExecCredential, a shell's `eval`, a header, curl).

use std::time::Duration;

use connmgr_core::clipboard::CopyFormat;
use connmgr_core::model::connection::Connection;
use connmgr_core::tokens::AccessToken;
use connmgr_core::{Secret, Workspace};
use serde_json::json;

use crate::args::TokenFormat;
use crate::failure::Failure;
use crate::{open, out};

/// Prints the connection's token as `format`: renewed first when it has under `min_valid`
/// seconds left, or whatever is cached with `renew`.
pub async fn token(
    ws: &Workspace,
    key: &str,
    format: TokenFormat,
    min_valid: u64,
    renew: bool,
) -> Result<(), Failure> {
    let c = open::find(ws, key)?;
    let token = usable(ws, &c, Duration::from_secs(min_valid), renew).await?;
    out(render(format, &token, &c)?.expose())
}

/// A usable token of `c` (the core says a missing secret, before any request, as
/// `needs_client_secret`).
pub async fn usable(
    ws: &Workspace,
    c: &Connection,
    min_valid: Duration,
    renew: bool,
) -> Result<AccessToken, Failure> {
    let token = if renew {
        ws.renew(&c.id).await
    } else {
        ws.token_valid_for(&c.id, min_valid).await
    };
    Ok(token?)
}

/// The token as `format` prints it; only `raw` has no line end.
fn render(format: TokenFormat, t: &AccessToken, c: &Connection) -> Result<Secret, Failure> {
    let expires = t.info.expires_at.map(|at| at.to_string());
    let text = match format {
        TokenFormat::Raw => return Ok(t.token.clone()),
        TokenFormat::Header => format!(
            "{}\n",
            connmgr_core::clipboard::render(CopyFormat::AuthorizationHeader, &t.token, c)?.expose()
        ),
        TokenFormat::Curl => format!(
            "{}\n",
            connmgr_core::clipboard::render(CopyFormat::Curl, &t.token, c)?.expose()
        ),
        TokenFormat::Json => format!(
            "{}\n",
            json!({
                "accessToken": t.token.expose(),
                "tokenType": t.info.token_type,
                "expiresAt": expires,
                "scopes": t.info.granted_scopes,
                "hasRefreshToken": t.info.has_refresh_token,
            })
        ),
        TokenFormat::Env => {
            // Single quotes keep every byte as it is; a quote inside is closed, escaped, reopened.
            let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
            let mut text = format!("export CONNMGR_ACCESS_TOKEN={}\n", quote(t.token.expose()));
            if let Some(at) = &expires {
                text.push_str(&format!("export CONNMGR_TOKEN_EXPIRES_AT={}\n", quote(at)));
            }
            text
        }
        TokenFormat::ExecCredential => {
            let mut status = json!({ "token": t.token.expose() });
            if let Some(at) = &expires {
                status["expirationTimestamp"] = json!(at);
            }
            format!(
                "{}\n",
                json!({
                    "apiVersion": "client.authentication.k8s.io/v1",
                    "kind": "ExecCredential",
                    "status": status,
                })
            )
        }
    };
    Ok(Secret::new(text))
}
