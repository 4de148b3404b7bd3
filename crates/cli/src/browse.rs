//! `connmgr list` and `connmgr show`: what is saved, never a secret.

use std::fmt::Write as _;
use std::time::SystemTime;

use connmgr_core::Connection;
use connmgr_core::Workspace;
use connmgr_core::model::assertion::{KeyFacts, KeyKind, certificate_due};
use connmgr_core::model::connection::{
    ClientAuth, ConnectionSummary, Credential, Provider, TokenSummary,
};
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
                match certificate_warning(r) {
                    Some(warning) => format!("{} ({warning})", token_state(r, now)),
                    None => token_state(r, now),
                },
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
    if let Some(choice) = &s.preset {
        let label =
            connmgr_core::presets::get(&choice.id).map_or(choice.id.as_str(), |p| p.label.as_str());
        let values: Vec<String> = choice
            .values
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        lines.push((
            "Preset",
            format!("{label} {}", values.join(" "))
                .trim_end()
                .to_owned(),
        ));
    }
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
            "Client authentication",
            client_auth(s.client_auth).to_owned(),
        ),
    ]);
    lines.extend(credential_lines(&c));
    lines.extend([
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

/// "certificate expires 2026-12-20" within 30 days of its expiry; "certificate expired".
fn certificate_warning(row: &ConnectionSummary) -> Option<String> {
    let at = row.certificate_expires_at?;
    let now = connmgr_core::time::Timestamp::now();
    if at <= now {
        Some(format!("certificate expired {}", at.date()))
    } else {
        certificate_due(at, now).then(|| format!("certificate expires {}", at.date()))
    }
}

fn client_auth(a: ClientAuth) -> &'static str {
    match a {
        ClientAuth::Body => "client secret in the request body (client_secret_post)",
        ClientAuth::Basic => "client secret with HTTP Basic (client_secret_basic)",
        ClientAuth::PrivateKeyJwt => "signed assertion (private_key_jwt)",
        ClientAuth::None => "none (a public client)",
    }
}

/// "RSA 3072-bit", "EC P-256".
pub(crate) fn key_kind(k: &KeyFacts) -> String {
    match k.kind {
        KeyKind::Rsa => format!("RSA {}-bit", k.bits),
        KeyKind::EcP256 => "EC P-256".to_owned(),
    }
}

/// What the connection authenticates with: its secret, or its key, certificate and assertion.
fn credential_lines(c: &Connection) -> Vec<(&'static str, String)> {
    let s = &c.settings;
    let name = &s.name;
    match s.client_auth.credential() {
        None => Vec::new(),
        Some(Credential::Secret) => vec![(
            "Client secret",
            if c.needs_client_secret {
                format!("needed: connmgr secret set \"{name}\"")
            } else if c.has_client_secret {
                "stored in the system keyring".to_owned()
            } else {
                "none".to_owned()
            },
        )],
        Some(Credential::PrivateKey) => {
            let a = &s.assertion;
            let mut lines = Vec::new();
            let key = match (&a.key, c.has_client_secret && !c.needs_client_secret) {
                (Some(k), true) => format!(
                    "{}, thumbprint {}, in the system keyring",
                    key_kind(k),
                    k.thumbprint
                ),
                _ => format!("needed: connmgr secret set \"{name}\" --key FILE"),
            };
            lines.push(("Private key", key));
            if let Some(cert) = a.key.as_ref().and_then(|k| k.certificate.as_ref()) {
                let now = connmgr_core::time::Timestamp::now();
                let state = if cert.not_after <= now {
                    " (EXPIRED)"
                } else if certificate_due(cert.not_after, now) {
                    " (expires soon)"
                } else {
                    ""
                };
                lines.push((
                    "Certificate",
                    format!(
                        "{}, expires {}{state}, x5t#S256 {}",
                        cert.subject,
                        cert.not_after.date(),
                        cert.sha256_thumbprint
                    ),
                ));
            }
            let mut assertion = vec![a.algorithm.name().to_owned()];
            if !a.key_id.is_empty() {
                assertion.push(format!("kid {}", a.key_id));
            }
            if a.certificate_thumbprint {
                assertion.push("x5t#S256".to_owned());
            }
            assertion.push(match a.audience.as_str() {
                "" => "aud the token endpoint".to_owned(),
                aud => format!("aud {aud}"),
            });
            for f in &a.header {
                assertion.push(format!("header {}={}", f.name, f.value));
            }
            for f in &a.claims {
                assertion.push(format!("claim {}={}", f.name, f.value));
            }
            lines.push(("Assertion", assertion.join(", ")));
            lines
        }
    }
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

/// `connmgr presets [ID]`: the presets, or one preset's fields, how-to and quirks.
pub fn presets(id: Option<&str>) -> Result<(), Failure> {
    let all = connmgr_core::presets::all();
    let Some(id) = id else {
        let width = all.iter().map(|p| p.id.len()).max().unwrap_or(0);
        let mut text = String::new();
        for p in all {
            let fields: Vec<String> = p.fields.iter().map(|f| format!("{}=…", f.id)).collect();
            let line = format!("{:<width$}  {}  {}", p.id, p.label, fields.join(" "));
            let _ = writeln!(text, "{}", line.trim_end());
        }
        return out(text);
    };
    let p = connmgr_core::presets::get(id).ok_or_else(|| {
        Failure::usage(format!(
            "No preset is named {id}; `connmgr presets` lists them."
        ))
    })?;
    let mut text = format!("{} ({})\n", p.label, p.id);
    for f in &p.fields {
        let _ = writeln!(
            text,
            "  --preset-field {}=…  {}: {} (e.g. {})",
            f.id, f.label, f.help, f.placeholder
        );
    }
    let _ = writeln!(text, "Token endpoint: {}", p.token_url);
    let _ = writeln!(
        text,
        "Client authentication: {}",
        client_auth(p.client_auth)
    );
    if !p.scopes.is_empty() {
        let _ = writeln!(text, "Scopes: {}", p.scopes.join(" "));
    }
    text.push_str("How to create the client:\n");
    for (i, step) in p.how_to.iter().enumerate() {
        let _ = writeln!(text, "  {}. {step}", i + 1);
    }
    for hint in &p.hints {
        let _ = writeln!(text, "Note: {hint}");
    }
    out(text)
}
