//! `connmgr git-credential get|store|erase`: a git credential helper (git-credential(1)).
//!
//! git writes `key=value` lines and a blank line on standard input. For `get`, the connection
//! whose valid domain names hold the host answers with a token: `authtype=Bearer` and
//! `credential=` when git offers `capability[]=authtype` (git 2.46 and later) and the server
//! asks for Bearer (or git passes on no challenge), otherwise `username=` and `password=`; with `password_expiry_utc` so git never reuses it expired. A
//! host no connection covers, or a request over plain http to another computer, gets no
//! answer, and git asks its next helper. `store` does
//! nothing (connmgr keeps its tokens); `erase` (the server refused the token) drops the cached
//! access token so the next `get` gets a new one.

use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::time::Duration;

use connmgr_core::model::validate::{host_allowed, is_loopback_host};
use connmgr_core::{Connection, Secret, Workspace};

use crate::args::GitOperation;
use crate::failure::Failure;
use crate::out;

/// git's request is small; anything past this is not git's.
const REQUEST_MAX: u64 = 64 * 1024;
/// A token handed to git has at least this long left: a push may take a while.
const MIN_VALID: Duration = Duration::from_secs(300);

/// Answers git.
pub async fn credential(ws: &Workspace, operation: GitOperation) -> Result<(), Failure> {
    let request = read_request()?;
    let Some(host) = request.get("host").and_then(|h| host_only(h)) else {
        return Ok(());
    };
    // A token goes over https only, or plain http to this computer (the rule every endpoint of
    // a connection follows): git asking for http://example.com gets no answer.
    let protocol = request.get("protocol").map_or("", String::as_str);
    if protocol != "https" && !(protocol == "http" && is_loopback_host(&host)) {
        return Ok(());
    }
    let Some(c) = connection_for(ws, &host, request.get("path").map(String::as_str))? else {
        return Ok(());
    };
    match operation {
        GitOperation::Store => Ok(()),
        GitOperation::Erase => {
            let refused = request
                .get("credential")
                .or_else(|| request.get("password"));
            if let Some(refused) = refused {
                ws.token_refused(&c.id, &Secret::new(refused.as_str()))?;
            }
            Ok(())
        }
        GitOperation::Get => {
            let token = crate::token::usable(ws, &c, MIN_VALID, false).await?;
            let offers_authtype = request.contains_key("capability[]=authtype")
                || request
                    .get("capability[]")
                    .is_some_and(|caps| caps.split('\n').any(|c| c == "authtype"));
            // The server's challenges (`wwwauth[]`, one per WWW-Authenticate): Bearer when it
            // asks for it, or says nothing; a server that asks for Basic alone gets the token
            // as Basic's password, as token-accepting git hosts expect.
            let challenges: Vec<String> = request
                .get("wwwauth[]")
                .map(|w| w.split('\n').map(str::to_ascii_lowercase).collect())
                .unwrap_or_default();
            let bearer = offers_authtype
                && (challenges.is_empty() || challenges.iter().any(|c| c.starts_with("bearer")));
            let mut answer = String::new();
            if bearer {
                answer.push_str("capability[]=authtype\nauthtype=Bearer\n");
                answer.push_str(&format!("credential={}\n", token.token.expose()));
            } else {
                let username = request.get("username").map_or("oauth2", String::as_str);
                answer.push_str(&format!("username={username}\n"));
                answer.push_str(&format!("password={}\n", token.token.expose()));
            }
            if let Some(at) = token.info.expires_at {
                answer.push_str(&format!("password_expiry_utc={}\n", at.unix_seconds()));
            }
            out(answer)
        }
    }
}

/// git's `key=value` lines up to the blank line (or the end). A repeated key (`capability[]`)
/// keeps every value, one per line.
fn read_request() -> Result<HashMap<String, String>, Failure> {
    let mut request: HashMap<String, String> = HashMap::new();
    let stdin = std::io::stdin();
    for line in stdin.lock().take(REQUEST_MAX).lines() {
        let line =
            line.map_err(|e| Failure::usage(format!("git's request could not be read: {e}.")))?;
        if line.is_empty() {
            break;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        request
            .entry(key.to_owned())
            .and_modify(|v| {
                v.push('\n');
                v.push_str(value);
            })
            .or_insert_with(|| value.to_owned());
    }
    Ok(request)
}

/// The host without its port (git sends `host=example.com:8443`); `None` when it is no host.
fn host_only(host: &str) -> Option<String> {
    let url = url::Url::parse(&format!("http://{host}/")).ok()?;
    let host = url.host_str()?;
    Some(
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase(),
    )
}

/// The connection for `host`: among those whose valid domain names hold it, the one whose API
/// is on that very host, else the only one. Several equal candidates are an error: git would
/// get a token of a connection the person did not choose.
fn connection_for(
    ws: &Workspace,
    host: &str,
    _path: Option<&str>,
) -> Result<Option<Connection>, Failure> {
    let candidates: Vec<Connection> = ws
        .connections()?
        .into_iter()
        .filter(|c| host_allowed(host, &c.settings.valid_domains))
        .collect();
    let api_host = |c: &Connection| {
        c.endpoints
            .api_base_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    };
    let exact: Vec<&Connection> = candidates
        .iter()
        .filter(|c| api_host(c).as_deref() == Some(host))
        .collect();
    match (exact.as_slice(), candidates.as_slice()) {
        ([one], _) => Ok(Some((*one).clone())),
        ([], [one]) => Ok(Some(one.clone())),
        ([], []) => Ok(None),
        _ => Err(Failure::usage(format!(
            "Several connections may send tokens to {host}; give one its API base URL on that host."
        ))),
    }
}
