//! Copying a token to the clipboard, and clearing it again.
//!
//! The text copied is a secret: it is written with the hints that keep clipboard managers from
//! keeping it in their history, and cleared after the delay the admin chose, but only if the
//! clipboard still holds exactly what was copied (whatever the admin copied since is left
//! alone). The clipboard itself is behind [`Clipboard`], so the app plugs in the system's and
//! unit tests a fake one.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::Error;
use crate::model::connection::{Connection, TestMethod};
use crate::storage::secret::Secret;

/// The system clipboard, as far as copying secrets needs it.
pub trait Clipboard: Send + Sync + 'static {
    /// Puts `text` on the clipboard, marked as a secret for clipboard managers.
    fn write_secret(&self, text: &str) -> Result<(), Error>;
    /// What the clipboard holds as text, if anything.
    fn read_text(&self) -> Result<Option<String>, Error>;
    /// Empties the clipboard.
    fn clear(&self) -> Result<(), Error>;
}

/// When a copied token is cleared from the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
pub enum ClearAfter {
    /// Left there.
    #[serde(rename = "off")]
    Off,
    /// After 15 seconds.
    #[serde(rename = "15s")]
    Seconds15,
    /// After 30 seconds (the default).
    #[default]
    #[serde(rename = "30s")]
    Seconds30,
    /// After 2 minutes.
    #[serde(rename = "2m")]
    Minutes2,
}

impl ClearAfter {
    /// The delay, or `None` when the clipboard is not cleared.
    pub fn delay(self) -> Option<Duration> {
        match self {
            ClearAfter::Off => None,
            ClearAfter::Seconds15 => Some(Duration::from_secs(15)),
            ClearAfter::Seconds30 => Some(Duration::from_secs(30)),
            ClearAfter::Minutes2 => Some(Duration::from_secs(120)),
        }
    }
}

/// What is copied for a connection's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CopyFormat {
    /// The access token alone.
    AccessToken,
    /// `Authorization: Bearer …`, to paste as a header.
    AuthorizationHeader,
    /// A curl command for the connection's test request, with the token.
    Curl,
}

impl CopyFormat {
    /// How the admin is told what was copied (never the value).
    pub fn label(self) -> &'static str {
        match self {
            CopyFormat::AccessToken => "Access token",
            CopyFormat::AuthorizationHeader => "Authorization header",
            CopyFormat::Curl => "curl command",
        }
    }
}

/// The text to copy for `token` in `format`.
pub fn render(
    format: CopyFormat,
    token: &Secret,
    connection: &Connection,
) -> Result<Secret, Error> {
    Ok(match format {
        CopyFormat::AccessToken => token.clone(),
        CopyFormat::AuthorizationHeader => {
            Secret::new(format!("Authorization: Bearer {}", token.expose()))
        }
        CopyFormat::Curl => {
            let Some(base) = connection.endpoints.api_base_url.as_deref() else {
                return Err(Error::Refused(format!(
                    "\u{201c}{}\u{201d} has no API base URL, so there is no request to copy; copy the token or the header instead.",
                    connection.settings.name
                )));
            };
            let url = format!(
                "{}{}",
                base.trim_end_matches('/'),
                connection.settings.test_request.path
            );
            let method = match connection.settings.test_request.method {
                TestMethod::Get => "",
                TestMethod::Head => " --head",
            };
            Secret::new(format!(
                "curl --fail-with-body{method} -H {} -H 'Accept: application/json' {}",
                shell_quote(&format!("Authorization: Bearer {}", token.expose())),
                shell_quote(&url)
            ))
        }
    })
}

/// `text` as one word for a POSIX shell.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Copies `text` and, after `clear_after`, clears the clipboard if it still holds `text`.
/// Returns when the text is on the clipboard; the clearing runs on the Tokio runtime.
pub fn copy_and_clear_later(
    clipboard: Arc<dyn Clipboard>,
    text: Secret,
    clear_after: ClearAfter,
) -> Result<(), Error> {
    clipboard.write_secret(text.expose())?;
    if let Some(delay) = clear_after.delay() {
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            // Reading the clipboard may block on another program: not on a runtime thread.
            let outcome =
                tokio::task::spawn_blocking(move || clear_if_unchanged(clipboard.as_ref(), &text))
                    .await;
            match outcome {
                Ok(Ok(true)) => tracing::info!("copied token cleared from the clipboard"),
                Ok(Ok(false)) => tracing::info!("clipboard changed since the copy; left alone"),
                Ok(Err(err)) => tracing::warn!(error = %err, "could not clear the clipboard"),
                Err(err) => tracing::warn!(error = %err, "the clipboard clearing task failed"),
            }
        });
    }
    Ok(())
}

/// Clears the clipboard if it holds exactly `text`. Returns whether it did.
pub fn clear_if_unchanged(clipboard: &dyn Clipboard, text: &Secret) -> Result<bool, Error> {
    match clipboard.read_text()? {
        Some(now) if now == text.expose() => {
            clipboard.clear()?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Fake(Mutex<Option<String>>);

    impl Clipboard for Fake {
        fn write_secret(&self, text: &str) -> Result<(), Error> {
            *self.0.lock().expect("lock") = Some(text.to_owned());
            Ok(())
        }
        fn read_text(&self) -> Result<Option<String>, Error> {
            Ok(self.0.lock().expect("lock").clone())
        }
        fn clear(&self) -> Result<(), Error> {
            *self.0.lock().expect("lock") = None;
            Ok(())
        }
    }

    fn connection() -> Connection {
        let settings = crate::ConnectionSettings {
            name: "Acme".to_owned(),
            subdomain: "acme".to_owned(),
            client_id: "c".to_owned(),
            ..crate::ConnectionSettings::new_coupa()
        };
        let verdict = crate::model::validate::validate(
            &settings,
            crate::model::validate::Context {
                other_names: &[],
                has_client_secret: true,
                secret_is_empty: false,
            },
        );
        Connection {
            id: "id".to_owned(),
            settings: verdict.normalized,
            endpoints: verdict.endpoints.expect("endpoints"),
            has_client_secret: true,
            created_at: crate::time::Timestamp::now(),
            updated_at: crate::time::Timestamp::now(),
            last_test: None,
            last_used: None,
            token: None,
            needs_client_secret: false,
        }
    }

    #[test]
    fn each_format_renders_the_token_its_way() {
        let token = Secret::new("tok'en");
        let c = connection();
        let text = |f| render(f, &token, &c).expect("render").expose().to_owned();
        assert_eq!(text(CopyFormat::AccessToken), "tok'en");
        assert_eq!(
            text(CopyFormat::AuthorizationHeader),
            "Authorization: Bearer tok'en"
        );
        assert_eq!(
            text(CopyFormat::Curl),
            r"curl --fail-with-body -H 'Authorization: Bearer tok'\''en' -H 'Accept: application/json' 'https://acme.coupahost.com/api/users?limit=1'"
        );
    }

    #[test]
    fn a_curl_command_without_an_api_is_refused_not_an_internal_fault() {
        let mut c = connection();
        c.endpoints.api_base_url = None;
        let err = render(CopyFormat::Curl, &Secret::new("t"), &c).expect_err("no request");
        assert_eq!(err.code(), crate::ErrorCode::Refused);
        assert!(
            err.to_string()
                .contains("copy the token or the header instead")
        );
    }

    #[test]
    fn the_clipboard_is_cleared_only_if_it_still_holds_the_copy() {
        let clip = Fake::default();
        let token = Secret::new("abc");
        clip.write_secret("abc").expect("write");
        assert!(clear_if_unchanged(&clip, &token).expect("clear"));
        assert_eq!(clip.read_text().expect("read"), None);

        clip.write_secret("abc").expect("write");
        clip.write_secret("something the admin copied since")
            .expect("write");
        assert!(!clear_if_unchanged(&clip, &token).expect("check"));
        assert_eq!(
            clip.read_text().expect("read").as_deref(),
            Some("something the admin copied since")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn copy_clears_after_the_chosen_delay() {
        let clip = Arc::new(Fake::default());
        copy_and_clear_later(clip.clone(), Secret::new("abc"), ClearAfter::Seconds15)
            .expect("copy");
        assert_eq!(clip.read_text().expect("read").as_deref(), Some("abc"));
        tokio::time::sleep(Duration::from_secs(14)).await;
        assert_eq!(clip.read_text().expect("read").as_deref(), Some("abc"));
        tokio::time::sleep(Duration::from_secs(2)).await;
        // The clearing runs on a blocking thread: give it a moment of real time.
        for _ in 0..100 {
            if clip.read_text().expect("read").is_none() {
                break;
            }
            tokio::task::yield_now().await;
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(clip.read_text().expect("read"), None);
    }

    #[test]
    fn clear_after_reads_as_the_settings_say_it() {
        let all: Vec<String> = [
            ClearAfter::Off,
            ClearAfter::Seconds15,
            ClearAfter::Seconds30,
            ClearAfter::Minutes2,
        ]
        .iter()
        .map(|c| serde_json::to_string(c).expect("json"))
        .collect();
        assert_eq!(all, [r#""off""#, r#""15s""#, r#""30s""#, r#""2m""#]);
        assert_eq!(ClearAfter::default().delay(), Some(Duration::from_secs(30)));
    }
}
