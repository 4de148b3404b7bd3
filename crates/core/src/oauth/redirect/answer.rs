//! [`BrowserAnswer`]: the browser's callback request, answered once the code is exchanged.

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use super::wire::{Read, read_head, respond};

/// The browser's callback request, held open until the code has been exchanged.
#[derive(Debug)]
pub struct BrowserAnswer {
    pub(super) stream: TcpStream,
    pub(super) listener: TcpListener,
}

/// How long the listener stays open, after the callback, for the browser to fetch the page
/// that says how the sign-in ended.
const OUTCOME_PAGE_WAIT: Duration = Duration::from_secs(10);

/// How long a sign-in waits, once it has its answer, for the browser to fetch that page: a
/// browser follows the 303 at once, and a process that ends right after the sign-in
/// (`connmgr sign-in`) would otherwise take the page down with it.
pub const OUTCOME_PAGE_GRACE: Duration = Duration::from_secs(2);

impl BrowserAnswer {
    /// Tells the browser how the sign-in ended: a `303` to a clean address, whose page the
    /// listener then serves once before it closes. `outcome` is `Err` with what went wrong.
    /// The returned task ends once the page is served (or after [`OUTCOME_PAGE_WAIT`]).
    pub async fn finish(self, outcome: Result<(), String>) -> tokio::task::JoinHandle<()> {
        let BrowserAnswer {
            mut stream,
            listener,
        } = self;
        let (path, status, title, message) = match outcome {
            Ok(()) => (
                "/signed-in",
                "200 OK",
                "Signed in",
                "You are signed in. You can close this tab and go back to Connection Manager."
                    .to_owned(),
            ),
            Err(why) => (
                "/not-signed-in",
                "400 Bad Request",
                "Sign-in not completed",
                format!("{why} Go back to Connection Manager."),
            ),
        };
        let head = format!(
            "HTTP/1.1 303 See Other\r\nLocation: {path}\r\nContent-Length: 0\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n"
        );
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.shutdown().await;
        drop(stream);
        tokio::spawn(async move {
            let page = async {
                loop {
                    let Ok((mut browser, _)) = listener.accept().await else {
                        return None;
                    };
                    match read_head(&mut browser).await {
                        Read::Head(head) if head.method == "GET" && head.target == path => {
                            return Some(browser);
                        }
                        Read::Closed => {}
                        _ => {
                            respond(&mut browser, "404 Not Found", "Not found", "Nothing here.")
                                .await
                        }
                    }
                }
            };
            let browser = tokio::time::timeout(OUTCOME_PAGE_WAIT, page)
                .await
                .ok()
                .flatten();
            drop(listener); // single use: closed before the page is sent
            if let Some(mut browser) = browser {
                respond(&mut browser, status, title, &message).await;
            }
        })
    }
}
