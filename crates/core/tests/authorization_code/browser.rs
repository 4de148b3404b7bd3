//! The scripted browser: walks the sandbox's pages as a person would, then does to the
//! callback what a test asks (follow it, tamper with it, drop a parameter, send hostile
//! requests first), and records what it saw.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use connmgr_core::Connection;
use connmgr_core::Secret;
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::GrantType;
use connmgr_core::oauth::{BrowserOpener, authorization_code};
use connmgr_sandbox::config::Consent;
use connmgr_sandbox::{Config, Sandbox};

use super::common;

/// What the scripted browser does with the authorization URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Follow the server's redirect back to the app (the sandbox approves or denies itself).
    Follow,
    /// Click Approve on the sandbox's consent page.
    ClickApprove,
    /// Change one parameter of the callback before following it.
    Tamper(&'static str, &'static str),
    /// Repeat a parameter in the callback.
    Duplicate(&'static str),
    /// Leave a parameter out of the callback.
    Drop(&'static str),
    /// First an idle connection, a favicon request, a request for `/` and a HEAD of the real
    /// callback, then follow.
    PreconnectThenFollow,
    /// First a head over 8 KiB, bytes that are not HTTP, a callback with a wrong state and one
    /// with none (what another local page could send), then follow.
    HostileThenFollow,
    /// Do nothing: the person never signs in.
    Nothing,
}

#[derive(Default)]
pub struct Seen {
    pub authorize_urls: Vec<String>,
    pub callback: Option<(u16, String, String)>, // status, headers, body
    pub callback_url: Option<String>,
    /// The statuses the hostile requests got, in order.
    pub hostile: Vec<u16>,
    /// Where the callback sent the browser on, if it did.
    pub redirected_to: Option<String>,
    /// The local addresses listening on the callback's port while the sign-in waited, as the
    /// kernel lists them (`/proc/net/tcp` and `tcp6`, what `ss -ltn` reads).
    pub listening: Vec<std::net::IpAddr>,
}

pub struct ScriptedBrowser {
    pub script: Script,
    pub seen: Arc<Mutex<Seen>>,
}

impl BrowserOpener for ScriptedBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        self.seen
            .lock()
            .expect("lock")
            .authorize_urls
            .push(url.to_owned());
        if self.script == Script::Nothing {
            return Ok(());
        }
        let (script, seen, url) = (self.script, self.seen.clone(), url.to_owned());
        tokio::spawn(async move { walk(script, seen, url).await });
        Ok(())
    }
}

async fn walk(script: Script, seen: Arc<Mutex<Seen>>, url: String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let resp = http.get(&url).send().await.expect("authorization page");
    let mut location = if resp.status().is_redirection() {
        resp.headers()["location"]
            .to_str()
            .expect("location")
            .to_owned()
    } else {
        // The consent page: submit its form as a click on Approve would.
        let page = resp.text().await.expect("page");
        let request = page
            .split("name=\"request\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("the page holds its request id")
            .to_owned();
        assert_eq!(
            script,
            Script::ClickApprove,
            "only ClickApprove expects a page"
        );
        let base = url.split("/oauth2/").next().expect("base");
        let resp = http
            .post(format!("{base}/oauth2/authorizations/decide"))
            .form(&[("request", request.as_str()), ("decision", "approve")])
            .send()
            .await
            .expect("decide");
        resp.headers()["location"]
            .to_str()
            .expect("location")
            .to_owned()
    };
    let port = url::Url::parse(&location)
        .expect("callback url")
        .port()
        .expect("a port");
    seen.lock().expect("lock").listening = listening_on(port);
    match script {
        Script::Drop(key) => {
            let mut u = url::Url::parse(&location).expect("callback url");
            let pairs: Vec<(String, String)> = u
                .query_pairs()
                .filter(|(k, _)| k != key)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            u.query_pairs_mut().clear().extend_pairs(pairs);
            location = u.to_string();
        }
        Script::Tamper(key, value) => {
            let mut u = url::Url::parse(&location).expect("callback url");
            let pairs: Vec<(String, String)> = u
                .query_pairs()
                .map(|(k, v)| {
                    let v = if k == key {
                        value.to_owned()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            u.query_pairs_mut().clear().extend_pairs(pairs);
            location = u.to_string();
        }
        Script::Duplicate(key) => location.push_str(&format!("&{key}=again")),
        Script::HostileThenFollow => {
            let statuses = hostile(&http, &location).await;
            seen.lock().expect("lock").hostile = statuses;
        }
        Script::PreconnectThenFollow => {
            let addr = url::Url::parse(&location)
                .expect("url")
                .socket_addrs(|| None)
                .expect("addr")[0];
            let idle = tokio::net::TcpStream::connect(addr)
                .await
                .expect("idle preconnect");
            let fav = http
                .get(format!("http://{addr}/favicon.ico"))
                .send()
                .await
                .expect("favicon");
            let root = http
                .get(format!("http://{addr}/"))
                .send()
                .await
                .expect("root");
            let head = http.head(&location).send().await.expect("head");
            seen.lock().expect("lock").hostile = vec![
                fav.status().as_u16(),
                root.status().as_u16(),
                head.status().as_u16(),
            ];
            std::mem::forget(idle); // stays open and idle while the real callback arrives
        }
        _ => {}
    }
    seen.lock().expect("lock").callback_url = Some(location.clone());
    let mut resp = http.get(&location).send().await.expect("callback");
    // After the exchange, a 303 to the page that says how it ended (a clean address).
    if resp.status() == 303 {
        let to = resp.headers()["location"]
            .to_str()
            .expect("location")
            .to_owned();
        let page = url::Url::parse(&location)
            .expect("url")
            .join(&to)
            .expect("page url");
        seen.lock().expect("lock").redirected_to = Some(page.to_string());
        resp = http.get(page).send().await.expect("outcome page");
    }
    let status = resp.status().as_u16();
    let headers = format!("{:?}", resp.headers());
    let body = resp.text().await.unwrap_or_default();
    seen.lock().expect("lock").callback = Some((status, headers, body));
}

/// Sends the listener at `callback` what a hostile local page could, returning each status.
async fn hostile(http: &reqwest::Client, callback: &str) -> Vec<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let u = url::Url::parse(callback).expect("callback url");
    let addr = u.socket_addrs(|| None).expect("addr")[0];
    let mut statuses = Vec::new();
    let big = format!(
        "GET /callback HTTP/1.1\r\nHost: x\r\nX-Fill: {}\r\n",
        "a".repeat(9 * 1024)
    );
    for raw in [big.into_bytes(), b"\x00\x01\xffnot http\r\n\r\n".to_vec()] {
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let _ = stream.write_all(&raw).await;
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        let line = String::from_utf8_lossy(&answer);
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        statuses.push(status);
    }
    let mut wrong = u.clone();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                "WRONG".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    wrong.query_pairs_mut().clear().extend_pairs(&pairs);
    let mut stateless = u.clone();
    stateless
        .query_pairs_mut()
        .clear()
        .extend_pairs(pairs.iter().filter(|(k, _)| k != "state"));
    for forged in [wrong, stateless] {
        let resp = http
            .get(forged.as_str())
            .send()
            .await
            .expect("forged callback");
        statuses.push(resp.status().as_u16());
    }
    statuses
}

pub async fn sandbox(consent: Consent) -> Sandbox {
    let mut config = Config::strict();
    config.consent = consent;
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

pub fn connection(sb: &Sandbox, scopes: &[&str]) -> Connection {
    common::sandbox_connection(sb, "sandbox-desktop", GrantType::AuthorizationCode, scopes)
}

pub async fn sign_in(
    sb: &Sandbox,
    conn: &Connection,
    script: Script,
    timeout: Duration,
) -> (
    Result<connmgr_core::oauth::TokenSet, connmgr_core::Error>,
    Arc<Mutex<Seen>>,
) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let browser = ScriptedBrowser {
        script,
        seen: seen.clone(),
    };
    let http = HttpClient::new().expect("http");
    let result = authorization_code(
        &http,
        conn,
        None::<&Secret>,
        &browser,
        timeout,
        std::future::pending(),
    )
    .await;
    let _ = sb;
    // Let the browser read the page the listener answered with.
    for _ in 0..50 {
        if seen.lock().expect("lock").callback.is_some() || script == Script::Nothing {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (result, seen)
}

/// The local addresses with a socket listening on `port`, from the kernel's tables.
fn listening_on(port: u16) -> Vec<std::net::IpAddr> {
    let mut found = Vec::new();
    for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        let Ok(table) = std::fs::read_to_string(file) else {
            continue;
        };
        for line in table.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local address "ADDR:PORT" in hex, then remote, then the state (0A: LISTEN).
            let (Some(local), Some(state)) = (fields.get(1), fields.get(3)) else {
                continue;
            };
            let Some((addr, p)) = local.split_once(':') else {
                continue;
            };
            if *state != "0A" || u16::from_str_radix(p, 16).ok() != Some(port) {
                continue;
            }
            found.push(kernel_address(addr, v6));
        }
    }
    found
}

/// An address as `/proc/net/tcp*` writes it: 32-bit words in the host's (little-endian) order.
fn kernel_address(hex: &str, v6: bool) -> std::net::IpAddr {
    let words: Vec<u32> = (0..hex.len() / 8)
        .map(|i| u32::from_str_radix(&hex[i * 8..i * 8 + 8], 16).expect("hex"))
        .collect();
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    if v6 {
        let octets: [u8; 16] = bytes.try_into().expect("16 bytes");
        std::net::IpAddr::from(octets)
    } else {
        let octets: [u8; 4] = bytes.try_into().expect("4 bytes");
        std::net::IpAddr::from(octets)
    }
}
