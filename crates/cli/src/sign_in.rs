//! `connmgr sign-in`: through the system browser (authorization code with PKCE, the loopback
//! listener), or the device-code grant, whose code and address are printed (with a QR code on
//! a terminal) while connmgr polls. Ctrl+C cancels either.

use std::io::IsTerminal;

use connmgr_core::Workspace;
use connmgr_core::model::connection::GrantType;
use connmgr_core::oauth::BrowserOpener;
use connmgr_core::oauth::browser::{open_with_env_browser, qr_text};
use connmgr_core::oauth::device_code::DeviceAuthorization;
use connmgr_core::oauth::redirect::DEFAULT_TIMEOUT;
use connmgr_core::tokens::AccessToken;

use crate::failure::Failure;
use crate::{open, out};

/// The system browser (`$BROWSER` first), or, with `--no-browser`, the address printed for the
/// person to open.
#[derive(Debug)]
struct Browser {
    print_only: bool,
}

impl BrowserOpener for Browser {
    fn open(&self, url: &str) -> Result<(), String> {
        if self.print_only {
            return out(format!(
                "Open this address in a browser on this computer:\n  {url}\n"
            ))
            .map_err(|f| f.message);
        }
        open_with_env_browser(url)
            .unwrap_or_else(|| ::open::that_detached(url).map_err(|e| e.to_string()))
    }
}

/// Signs the connection named `key` in.
pub async fn sign_in(
    ws: &Workspace,
    key: &str,
    device: bool,
    no_browser: bool,
) -> Result<(), Failure> {
    let c = open::find(ws, key)?;
    let grant = c.settings.grant_type;
    if grant == GrantType::ClientCredentials && !device {
        return Err(Failure::usage(format!(
            "\u{201c}{}\u{201d} uses client credentials: nobody signs in. `connmgr token {key}` gets a token.",
            c.settings.name
        )));
    }
    let signing_in = async {
        if device || grant == GrantType::DeviceCode {
            let shown = ws.start_device_sign_in(&c.id).await?;
            out(instructions(&c.settings.name, &shown))?;
            if !no_browser {
                let browser = Browser { print_only: false };
                if let Err(why) = browser.open(shown.address()) {
                    remark(&format!(
                        "the browser could not be opened ({why}); open the address above"
                    ));
                }
            }
            Ok::<AccessToken, Failure>(ws.finish_device_sign_in(&c.id).await?)
        } else {
            let browser = Browser {
                print_only: no_browser,
            };
            Ok(ws.sign_in(&c.id, &browser, DEFAULT_TIMEOUT).await?)
        }
    };
    let token = tokio::select! {
        token = signing_in => token?,
        _ = tokio::signal::ctrl_c() => {
            ws.cancel_sign_in(&c.id);
            return Err(Failure::needs_person("cancelled", "The sign-in was cancelled."));
        }
    };
    let until = token.info.expires_at.map_or_else(
        || "with no expiry given".to_owned(),
        |t| format!("valid until {t}"),
    );
    let refresh = if token.info.has_refresh_token {
        "a refresh token is held"
    } else {
        "no refresh token came with it: sign in again when it expires"
    };
    let mut said = format!(
        "Signed in to \u{201c}{}\u{201d}: an access token {until}; {refresh}.\n",
        c.settings.name
    );
    for note in &token.info.notes {
        said.push_str(&format!("Note: {note}\n"));
    }
    out(said)
}

/// What the person reads: where to go, the code, when it expires, and the QR code of the
/// address when standard output is a terminal.
fn instructions(name: &str, shown: &DeviceAuthorization) -> String {
    let mut text = format!(
        "To sign in to \u{201c}{name}\u{201d}, open\n  {}\nand enter the code\n  {}\nIt expires at {}.\n",
        shown.verification_uri, shown.user_code, shown.expires_at
    );
    if let Some(complete) = &shown.verification_uri_complete {
        text.push_str(&format!(
            "Or open this address, the code filled in:\n  {complete}\n"
        ));
    }
    if std::io::stdout().is_terminal()
        && let Some(qr) = qr_text(shown.address())
    {
        text.push_str(&format!("Or scan it:\n{qr}\n"));
    }
    text.push_str("Waiting for the approval… (Ctrl+C cancels)\n");
    text
}

/// A remark on standard error that does not stop the command.
#[expect(
    clippy::print_stderr,
    reason = "standard error is where a command line tool makes remarks"
)]
fn remark(text: &str) {
    eprintln!("connmgr: {text}");
}
