//! The listener's side of HTTP: reading one request head (with `httparse`) and answering with
//! a small self-contained page.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(super) const HEAD_LIMIT: usize = 8 * 1024;
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A request's method and target.
#[derive(Debug, Default)]
pub(super) struct Head {
    pub(super) method: String,
    pub(super) target: String,
}

/// What reading a request head gave.
#[derive(Debug)]
pub(super) enum Read {
    Head(Head),
    /// The browser closed first, or took longer than [`READ_TIMEOUT`].
    Closed,
    /// More than [`HEAD_LIMIT`] bytes without the head's end.
    TooLarge,
    /// Not an HTTP request head `httparse` can read (or not UTF-8 where it must be).
    Malformed,
}

/// Reads one request head, parsed with `httparse`.
pub(super) async fn read_head(stream: &mut TcpStream) -> Read {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let read = async {
        loop {
            let n = match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return Read::Closed,
                Ok(n) => n,
            };
            buf.extend_from_slice(&chunk[..n]);
            if let Some(read) = parse_head(&buf) {
                return read;
            }
        }
    };
    tokio::time::timeout(READ_TIMEOUT, read)
        .await
        .unwrap_or(Read::Closed)
}

/// What the bytes read so far make: a head, too much or nonsense; `None` while more may come.
pub(super) fn parse_head(buf: &[u8]) -> Option<Read> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(buf) {
        Ok(httparse::Status::Complete(_)) => Some(Read::Head(Head {
            method: request.method.unwrap_or_default().to_owned(),
            target: request.path.unwrap_or_default().to_owned(),
        })),
        Ok(httparse::Status::Partial) if buf.len() <= HEAD_LIMIT => None,
        Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) => {
            Some(Read::TooLarge)
        }
        Err(_) => Some(Read::Malformed),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

pub(super) async fn respond(stream: &mut TcpStream, status: &str, title: &str, message: &str) {
    let body = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{t}</title>\
<style>body{{font:15px system-ui,sans-serif;margin:15vh auto;max-width:32em;padding:0 1em;color:#1d2330}}</style>\
<h1>{t}</h1><p>{m}</p></html>",
        t = escape(title),
        m = escape(message)
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
