//! `connmgr list` and `connmgr show`: what is saved, never a secret.

use std::fmt::Write as _;
use std::time::SystemTime;

use connmgr_core::Workspace;
use connmgr_core::model::connection::{ConnectionSummary, Provider, TokenSummary};
use connmgr_core::model::listing::ListQuery;

use crate::failure::Failure;
use crate::{open, out, out_json};

/// Every connection, by name: a table, or `--json` an array of summaries.
pub fn list(ws: &Workspace, json: bool) -> Result<(), Failure> {
    let page = ws.list(&ListQuery {
        limit: u32::MAX,
        ..ListQuery::default()
    })?;
    if json {
        return out_json(&page.rows);
    }
    let now = SystemTime::now();
    let rows: Vec<[String; 5]> = page
        .rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                provider(r.provider).to_owned(),
                r.host.clone(),
                r.grant_type.short_label().to_owned(),
                token_state(r, now),
            ]
        })
        .collect();
    let header = ["NAME", "PROVIDER", "HOST", "GRANT", "TOKEN"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}  ");
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    out(text)
}

/// One connection in full (settings, endpoints, token state), as text or `--json`.
pub fn show(ws: &Workspace, key: &str, json: bool) -> Result<(), Failure> {
    let c = open::find(ws, key)?;
    if json {
        return out_json(&c);
    }
    let s = &c.settings;
    let e = &c.endpoints;
    let mut lines: Vec<(&str, String)> = vec![
        ("Name", s.name.clone()),
        ("Id", c.id.clone()),
        ("Provider", provider(s.provider).to_owned()),
    ];
    let mut optional = |label: &'static str, value: Option<&String>| {
        if let Some(v) = value {
            lines.push((label, v.clone()));
        }
    };
    optional("Instance", e.instance_url.as_ref());
    optional("Authorization endpoint", e.authorization_url.as_ref());
    optional("Token endpoint", Some(&e.token_url));
    optional("API base URL", e.api_base_url.as_ref());
    optional("Issuer", e.issuer.as_ref());
    optional("Revocation endpoint", e.revocation_url.as_ref());
    optional(
        "Device authorization endpoint",
        e.device_authorization_url.as_ref(),
    );
    let metadata = s
        .metadata
        .as_ref()
        .map(|m| format!("fetched {} from {}", m.fetched_at, m.fetched_from));
    optional("Server metadata", metadata.as_ref());
    let params: Vec<String> = s
        .extra_params
        .iter()
        .map(|p| {
            let stage = serde_json::to_value(p.stage)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("{stage}:{}={}", p.name, p.value)
        })
        .collect();
    let params = (!params.is_empty()).then(|| params.join(" "));
    optional("Extra parameters", params.as_ref());
    lines.extend([
        ("Grant type", s.grant_type.label().to_owned()),
        ("Client ID", s.client_id.clone()),
        (
            "Client secret",
            if c.needs_client_secret {
                "needed: connmgr secret set NAME".to_owned()
            } else if c.has_client_secret {
                "stored in the system keyring".to_owned()
            } else {
                "none".to_owned()
            },
        ),
        ("Scopes", s.scopes.join(" ")),
        ("Valid domain names", s.valid_domains.join(", ")),
        (
            "Test request",
            format!(
                "{} {}",
                serde_json::to_value(s.test_request.method)
                    .ok()
                    .and_then(|m| m.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                s.test_request.path
            ),
        ),
        (
            "Auto-refresh",
            if s.auto_refresh { "on" } else { "off" }.to_owned(),
        ),
        ("Token", token_state(&c.summary(), SystemTime::now())),
    ]);
    if let Some(t) = &c.last_test {
        lines.push(("Last test", format!("{} ({})", t.summary, t.at)));
    }
    let width = lines.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let text: String = lines
        .iter()
        .map(|(label, value)| format!("{label:<width$}  {value}\n"))
        .collect();
    out(text)
}

fn provider(p: Provider) -> &'static str {
    match p {
        Provider::Coupa => "Coupa",
        Provider::Generic => "OAuth 2.0",
    }
}

/// "valid 3 h 59 m", "expired", "none", "needs secret".
fn token_state(row: &ConnectionSummary, now: SystemTime) -> String {
    if row.needs_client_secret {
        return "needs secret".to_owned();
    }
    match &row.token {
        None => "none".to_owned(),
        Some(TokenSummary {
            expires_at: None, ..
        }) => "valid (no expiry given)".to_owned(),
        Some(TokenSummary {
            expires_at: Some(at),
            has_refresh_token,
            ..
        }) => match at.to_system().duration_since(now) {
            Ok(left) if !left.is_zero() => {
                let mins = left.as_secs() / 60;
                format!("valid {} h {} m", mins / 60, mins % 60)
            }
            _ if *has_refresh_token => "expired (refreshed when used)".to_owned(),
            _ => "expired".to_owned(),
        },
    }
}
