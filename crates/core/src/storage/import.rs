//! Export and import applied to the saved connections. Import is in two steps:
//! [`SavedConnections::preview_import`] checks the whole file and says what would be added and
//! which names clash; [`SavedConnections::import`] applies the admin's choice for each
//! connection (add, rename, skip, replace) in one write, or changes nothing. The file format is
//! [`crate::model::transfer`].

use std::path::Path;

use crate::error::Error;
use crate::model::connection::{Connection, ConnectionSettings, Endpoints};
use crate::model::names::{free_name, name_taken};
use crate::model::transfer::*;
use crate::model::validate;
use crate::storage::keyring::SecretKind;
use crate::storage::saved::SavedConnections;
use crate::time::Timestamp;

impl SavedConnections {
    /// Writes the connections with the given ids (all of them for `None`) to `path`, without
    /// secrets. An existing file is replaced only with `replace`. Returns how many were written.
    pub fn export_to(
        &self,
        ids: Option<&[String]>,
        path: &Path,
        replace: bool,
    ) -> Result<usize, Error> {
        // An existing file is replaced only when asked: it may be another export, or anything.
        if !replace && path.symlink_metadata().is_ok() {
            return Err(Error::FileExists(path.to_owned()));
        }
        let all = self.list()?;
        let chosen: Vec<Connection> = match ids {
            None => all,
            Some(ids) => {
                for id in ids {
                    if !all.iter().any(|c| &c.id == id) {
                        return Err(Error::NotFound(id.clone()));
                    }
                }
                all.into_iter().filter(|c| ids.contains(&c.id)).collect()
            }
        };
        if chosen.is_empty() {
            return Err(Error::Refused(
                "There are no connections to export.".to_owned(),
            ));
        }
        let file = ExportFile::of(&chosen);
        let mut bytes = serde_json::to_vec_pretty(&file)
            .map_err(|e| Error::Internal(format!("The export could not be written: {e}")))?;
        bytes.push(b'\n');
        crate::storage::atomic::write_atomic(path, &bytes)?;
        tracing::info!(count = chosen.len(), path = %path.display(), "connections exported");
        Ok(chosen.len())
    }

    /// Checks the file at `path` and says what importing it would do. Changes nothing.
    pub fn preview_import(&self, path: &Path) -> Result<ImportPreview, Error> {
        let file = ExportFile::read(path)?;
        let saved = self.list()?;
        let items = file
            .connections
            .iter()
            .enumerate()
            .map(|(i, c)| item(i, c, &saved, &file))
            .collect();
        Ok(ImportPreview {
            exported_at: file.exported_at,
            exported_by: file.exported_by,
            items,
        })
    }

    /// Imports the file at `path` with a choice for each of its connections (one missing means
    /// [`ImportAction::Skip`]). All in one write: on any error nothing is changed.
    pub fn import(&self, path: &Path, choices: &[ImportChoice]) -> Result<ImportOutcome, Error> {
        let file = ExportFile::read(path)?;
        let now = crate::time::Timestamp::now();
        let mut replaced_ids = Vec::new();
        let mut secrets_to_drop = Vec::new();
        let file_names: Vec<String> = file
            .connections
            .iter()
            .map(|c| c.settings.name.trim().to_lowercase())
            .collect();
        let outcome = self.store().update(|list| {
            let mut imported = Vec::new();
            let mut skipped = 0;
            let mut refused = Vec::new();
            for (i, exported) in file.connections.iter().enumerate() {
                // One at fault is left out, with why; the others are imported.
                if let Some(reason) = file.refusal(i) {
                    refused.push(ImportRefusal {
                        name: exported.settings.name.trim().to_owned(),
                        reason,
                    });
                    continue;
                }
                let action = choices
                    .iter()
                    .find(|c| c.index as usize == i)
                    .map_or(ImportAction::Skip, |c| c.action);
                let name = exported.settings.name.trim().to_owned();
                let clash = list
                    .iter()
                    .position(|c| c.settings.name.trim().to_lowercase() == name.to_lowercase());
                let mut settings = exported.settings.clone();
                match (action, clash) {
                    (ImportAction::Skip, _) => {
                        skipped += 1;
                        continue;
                    }
                    (ImportAction::Add, Some(_)) => {
                        return Err(clash_error(&name));
                    }
                    (ImportAction::Replace, None) | (ImportAction::Add, None) => {}
                    (ImportAction::Rename, _) => {
                        // Free among the saved connections and every name in the file.
                        settings.name = free_name(&name, &|n| {
                            name_taken(list, n) || file_names.contains(&n.trim().to_lowercase())
                        });
                    }
                    (ImportAction::Replace, Some(at)) => {
                        let old = list[at].clone();
                        let mut connection = build(settings, Some(&old), false, exported, &now)?;
                        let keep_secret =
                            secret_may_follow(&old, &connection.settings, &connection.endpoints);
                        connection.has_client_secret = keep_secret;
                        connection.needs_client_secret &= !keep_secret;
                        secrets_to_drop.push((old.id.clone(), !keep_secret));
                        replaced_ids.push(old.id.clone());
                        list[at] = connection.clone();
                        imported.push(connection);
                        continue;
                    }
                }
                let connection = build(settings, None, false, exported, &now)?;
                list.push(connection.clone());
                imported.push(connection);
            }
            Ok(ImportOutcome {
                imported,
                skipped,
                refused,
            })
        })?;
        // The file now points at the new settings; stale tokens (and, for a new client, the old
        // secret) go. A failure here leaves only unused entries, which a later delete removes.
        for (id, all) in secrets_to_drop {
            let kinds: &[SecretKind] = if all {
                &[
                    SecretKind::ClientSecret,
                    SecretKind::AccessToken,
                    SecretKind::RefreshToken,
                ]
            } else {
                &[SecretKind::AccessToken, SecretKind::RefreshToken]
            };
            for kind in kinds {
                if let Err(err) = self.secrets().delete(&id, *kind) {
                    tracing::warn!(id, error = %err, "could not remove a replaced connection's secret");
                }
            }
        }
        tracing::info!(
            imported = outcome.imported.len(),
            replaced = replaced_ids.len(),
            skipped = outcome.skipped,
            refused = outcome.refused.len(),
            "connections imported"
        );
        Ok(outcome)
    }
}

fn clash_error(name: &str) -> Error {
    Error::Validation(vec![validate::FieldIssue {
        field: validate::field::NAME.to_owned(),
        message: format!(
            "A connection named \u{201c}{name}\u{201d} already exists; choose rename, skip or replace."
        ),
        action: None,
    }])
}

/// Whether `old`'s saved client secret may stay when `settings` (resolved to `endpoints`)
/// replace it: only for the same client sending it to the same places (every endpoint's scheme, host and port, and the
/// valid domain names, unchanged). Otherwise a file could have a saved secret sent to a host it
/// names, even one inside the valid domains; the admin is asked for the secret again.
fn secret_may_follow(
    old: &Connection,
    settings: &ConnectionSettings,
    endpoints: &Endpoints,
) -> bool {
    fn places(e: &Endpoints) -> Vec<Option<url::Origin>> {
        [
            e.instance_url.as_deref(),
            e.authorization_url.as_deref(),
            Some(e.token_url.as_str()),
            e.api_base_url.as_deref(),
            // The client authenticates there too (RFC 7009 §2.1).
            e.revocation_url.as_deref(),
            e.device_authorization_url.as_deref(),
        ]
        .iter()
        .map(|u| Some(url::Url::parse((*u)?).ok()?.origin()))
        .collect()
    }
    fn domains(s: &ConnectionSettings) -> Vec<String> {
        let mut d = s.valid_domains.clone();
        d.sort();
        d
    }
    old.has_client_secret
        && old.settings.client_id.trim() == settings.client_id.trim()
        && places(&old.endpoints) == places(endpoints)
        && domains(&old.settings) == domains(settings)
}

/// What replacing `old` with `settings` (resolved to `endpoints`) changes, one line each, in
/// the terms of the form.
fn changes(old: &Connection, settings: &ConnectionSettings, endpoints: &Endpoints) -> Vec<String> {
    let mut out = Vec::new();
    let mut differ = |what: &str, before: String, after: String| {
        if before != after {
            out.push(format!("{what}: {before} \u{2192} {after}"));
        }
    };
    let host = |url: Option<&str>| {
        url.and_then(|u| url::Url::parse(u).ok())
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|| "none".to_owned())
    };
    let e = &old.endpoints;
    differ(
        "Client ID",
        old.settings.client_id.clone(),
        settings.client_id.clone(),
    );
    let hosts = [
        (
            "Token host",
            Some(e.token_url.as_str()),
            Some(endpoints.token_url.as_str()),
        ),
        (
            "Sign-in host",
            e.authorization_url.as_deref(),
            endpoints.authorization_url.as_deref(),
        ),
        (
            "API host",
            e.api_base_url.as_deref(),
            endpoints.api_base_url.as_deref(),
        ),
        (
            "Revocation host",
            e.revocation_url.as_deref(),
            endpoints.revocation_url.as_deref(),
        ),
        (
            "Device authorization host",
            e.device_authorization_url.as_deref(),
            endpoints.device_authorization_url.as_deref(),
        ),
    ];
    for (what, before, after) in hosts {
        differ(what, host(before), host(after));
    }
    let issuer = |i: &Option<String>| i.clone().unwrap_or_else(|| "none".to_owned());
    differ("Issuer", issuer(&e.issuer), issuer(&endpoints.issuer));
    differ(
        "Valid domain names",
        old.settings.valid_domains.join(", "),
        settings.valid_domains.join(", "),
    );
    differ(
        "Scopes",
        old.settings.scopes.join(" "),
        settings.scopes.join(" "),
    );
    out
}

/// A saved connection from imported settings: a new one, or `old` with the settings replaced.
fn build(
    settings: ConnectionSettings,
    old: Option<&Connection>,
    keep_secret: bool,
    exported: &ExportedConnection,
    now: &Timestamp,
) -> Result<Connection, Error> {
    let verdict = verdict(&settings);
    let (Some(endpoints), true) = (verdict.endpoints, verdict.errors.is_empty()) else {
        return Err(Error::Validation(verdict.errors));
    };
    Ok(Connection {
        id: old.map_or_else(|| uuid::Uuid::new_v4().to_string(), |o| o.id.clone()),
        settings: verdict.normalized,
        endpoints,
        has_client_secret: keep_secret,
        created_at: old.map_or(*now, |o| o.created_at),
        updated_at: *now,
        last_test: None,
        last_used: None,
        token: None,
        needs_client_secret: exported.needs_client_secret && !keep_secret,
    })
}

fn item(i: usize, c: &ExportedConnection, saved: &[Connection], file: &ExportFile) -> ImportItem {
    let name = c.settings.name.trim().to_owned();
    let verdict = verdict(&c.settings);
    let clash = saved
        .iter()
        .find(|s| s.settings.name.trim().to_lowercase() == name.to_lowercase())
        .map(|s| {
            let (changes, keeps_secret) = match &verdict.endpoints {
                Some(e) => (
                    changes(s, &verdict.normalized, e),
                    secret_may_follow(s, &verdict.normalized, e),
                ),
                None => (Vec::new(), false),
            };
            ImportClash {
                id: s.id.clone(),
                name: s.settings.name.clone(),
                changes,
                keeps_secret,
            }
        });
    let token_host = verdict
        .endpoints
        .as_ref()
        .and_then(|e| url::Url::parse(&e.token_url).ok())
        // With its port when it is not the scheme's own: another port is another server.
        .and_then(|u| {
            let host = u.host_str()?;
            Some(match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            })
        })
        .unwrap_or_default();
    let host = verdict
        .endpoints
        .as_ref()
        .map(|e| {
            let url = e
                .instance_url
                .as_deref()
                .or(e.api_base_url.as_deref())
                .unwrap_or(&e.token_url);
            url::Url::parse(url)
                .ok()
                .and_then(|u| {
                    u.host_str().map(|h| match u.port() {
                        Some(p) => format!("{h}:{p}"),
                        None => h.to_owned(),
                    })
                })
                .unwrap_or_default()
        })
        .unwrap_or_default();
    // A renamed one must be free among the saved connections and every name in the file.
    let taken = |n: &str| {
        let wanted = n.trim().to_lowercase();
        name_taken(saved, n)
            || file
                .connections
                .iter()
                .any(|o| o.settings.name.trim().to_lowercase() == wanted)
    };
    ImportItem {
        index: u32::try_from(i).unwrap_or(u32::MAX),
        provider: c.settings.provider,
        host,
        token_host,
        valid_domains: verdict.normalized.valid_domains.clone(),
        grant_type: c.settings.grant_type,
        scope_count: u32::try_from(c.settings.scopes.len()).unwrap_or(u32::MAX),
        needs_client_secret: c.needs_client_secret,
        rename_to: free_name(&name, &taken),
        refused: file.refusal(i),
        name,
        clash,
    }
}

#[cfg(test)]
mod tests;
