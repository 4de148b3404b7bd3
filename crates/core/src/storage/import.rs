//! Export and import applied to the saved connections. Import is in two steps:
//! [`SavedConnections::preview_import`] checks the whole file and says what would be added and
//! which names clash; [`SavedConnections::import`] applies the admin's choice for each
//! connection (add, rename, skip, replace) in one write, or changes nothing. The file format is
//! [`crate::model::transfer`].

use std::path::Path;

use crate::error::Error;
use crate::model::connection::{Connection, ConnectionSettings};
use crate::model::names::{free_name, name_taken};
use crate::model::transfer::*;
use crate::model::validate;
use crate::storage::keyring::SecretKind;
use crate::storage::saved::SavedConnections;
use crate::time::Timestamp;

impl SavedConnections {
    /// Writes the connections with the given ids (all of them for `None`) to `path`, without
    /// secrets. Returns how many were written.
    pub fn export_to(&self, ids: Option<&[String]>, path: &Path) -> Result<usize, Error> {
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
            for (i, exported) in file.connections.iter().enumerate() {
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
                        let keep_secret = old.has_client_secret
                            && old.settings.client_id.trim() == settings.client_id.trim();
                        let connection = build(settings, Some(&old), keep_secret, exported, &now)?;
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
            Ok(ImportOutcome { imported, skipped })
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
    }])
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
    let clash = saved
        .iter()
        .find(|s| s.settings.name.trim().to_lowercase() == name.to_lowercase())
        .map(|s| ImportClash {
            id: s.id.clone(),
            name: s.settings.name.clone(),
        });
    let verdict = verdict(&c.settings);
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
        grant_type: c.settings.grant_type,
        scope_count: u32::try_from(c.settings.scopes.len()).unwrap_or(u32::MAX),
        needs_client_secret: c.needs_client_secret,
        rename_to: free_name(&name, &taken),
        name,
        clash,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::connection::{ConnectionDraft, SecretUpdate};
    use crate::storage::connections_file::Store;
    use crate::storage::keyring::{MemoryStore, SecretStore};
    use crate::storage::secret::Secret;

    fn setup() -> (tempfile::TempDir, SavedConnections, Arc<MemoryStore>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let secrets = Arc::new(MemoryStore::new());
        let conns = SavedConnections::new(Store::new(dir.path().join("data")), secrets.clone());
        (dir, conns, secrets)
    }

    fn save(conns: &SavedConnections, name: &str, client_id: &str, secret: &str) -> Connection {
        conns
            .save(&ConnectionDraft {
                id: None,
                settings: ConnectionSettings {
                    name: name.to_owned(),
                    subdomain: "acme".to_owned(),
                    client_id: client_id.to_owned(),
                    ..ConnectionSettings::new_coupa()
                },
                client_secret: SecretUpdate::Replace {
                    value: Secret::new(secret),
                },
            })
            .expect("saved")
    }

    fn choose(preview: &ImportPreview, action: ImportAction) -> Vec<ImportChoice> {
        preview
            .items
            .iter()
            .map(|i| ImportChoice {
                index: i.index,
                action,
            })
            .collect()
    }

    #[test]
    fn export_then_import_gives_back_the_same_connections_without_secrets() {
        let (dir, conns, secrets) = setup();
        let a = save(&conns, "Acme", "client-a", "secret-a-123");
        let b = save(&conns, "Beta", "client-b", "secret-b-456");
        let path = dir.path().join("export.json");
        assert_eq!(conns.export_to(None, &path).expect("export"), 2);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(!text.contains("secret-a-123") && !text.contains("secret-b-456"));
        assert!(text.contains(FORMAT));

        for c in [&a, &b] {
            conns.delete(&c.id).expect("delete");
        }
        assert!(secrets.is_empty());
        let preview = conns.preview_import(&path).expect("preview");
        assert_eq!(preview.items.len(), 2);
        assert!(
            preview
                .items
                .iter()
                .all(|i| i.clash.is_none() && i.needs_client_secret)
        );
        assert_eq!(preview.items[0].host, "acme.coupahost.com");
        let outcome = conns
            .import(&path, &choose(&preview, ImportAction::Add))
            .expect("import");
        assert_eq!(outcome.imported.len(), 2);
        let list = conns.list().expect("list");
        assert_eq!(
            list.iter().map(|c| &c.settings).collect::<Vec<_>>(),
            [&a.settings, &b.settings]
        );
        assert!(
            list.iter()
                .all(|c| c.needs_client_secret && !c.has_client_secret)
        );
    }

    #[test]
    fn paths_are_full_or_from_home() {
        let home = Path::new("/home/admin");
        assert_eq!(
            resolve_path(" ~/x.json ", Some(home)).expect("home"),
            Path::new("/home/admin/x.json")
        );
        assert_eq!(
            resolve_path("/tmp/x.json", None).expect("absolute"),
            Path::new("/tmp/x.json")
        );
        for bad in ["", "x.json", "~/x.json"] {
            let err = resolve_path(
                bad,
                if bad.starts_with('~') {
                    None
                } else {
                    Some(home)
                },
            )
            .expect_err("refused");
            assert_eq!(err.field(), Some(PATH_FIELD));
        }
    }

    #[test]
    fn export_of_chosen_ids_only() {
        let (dir, conns, _) = setup();
        let a = save(&conns, "Acme", "client-a", "s");
        save(&conns, "Beta", "client-b", "s");
        let path = dir.path().join("one.json");
        assert_eq!(
            conns
                .export_to(Some(std::slice::from_ref(&a.id)), &path)
                .expect("export"),
            1
        );
        let file = ExportFile::read(&path).expect("read");
        assert_eq!(file.connections[0].settings.name, "Acme");
    }

    #[test]
    fn a_bad_file_is_refused_with_its_reason_and_nothing_changes() {
        let (dir, conns, _) = setup();
        save(&conns, "Acme", "client-a", "s");
        let before = std::fs::read(conns.store().path()).expect("store");
        let good = {
            let path = dir.path().join("good.json");
            conns.export_to(None, &path).expect("export");
            std::fs::read_to_string(&path).expect("read")
        };
        let cases = [
            ("{ not json", "is not JSON (line 1, column 3"),
            (
                r#"{"format":"other","version":1}"#,
                "not a Connection Manager export",
            ),
            (
                &good.replace("\"version\": 1", "\"version\": 9"),
                "written by a newer version",
            ),
            (
                &good.replace("\"subdomain\": \"acme\"", "\"subdomain\": \"bad host!\""),
                "connection 1 (\u{201c}Acme\u{201d}), field subdomain",
            ),
            (
                &good.replace("\"connections\": [", "\"connections\": [] , \"x\": ["),
                "holds no connections",
            ),
        ];
        for (i, (text, expected)) in cases.iter().enumerate() {
            let path = dir.path().join(format!("bad-{i}.json"));
            std::fs::write(&path, text).expect("write");
            let err = conns.preview_import(&path).expect_err("refused");
            assert_eq!(err.code(), crate::ErrorCode::ImportInvalid, "{err}");
            let message = err.to_string();
            assert!(message.contains(expected), "{message}");
            assert!(
                message.contains(&format!("bad-{i}.json")),
                "names the file: {message}"
            );
            let err = conns.import(&path, &[]).expect_err("refused");
            assert_eq!(err.code(), crate::ErrorCode::ImportInvalid);
        }
        assert_eq!(std::fs::read(conns.store().path()).expect("store"), before);
    }

    #[test]
    fn a_wrongly_shaped_file_is_refused_without_quoting_its_values() {
        let (dir, conns, _) = setup();
        let path = dir.path().join("odd.json");
        std::fs::write(
            &path,
            r#"{"format":"connection-manager/connections","version":1,"exportedAt":"x","exportedBy":"y","connections":[{"settings":"hunter2-secret-value","needsClientSecret":true}]}"#,
        )
        .expect("write");
        let err = conns.preview_import(&path).expect_err("refused");
        assert_eq!(err.code(), crate::ErrorCode::ImportInvalid);
        assert!(err.to_string().contains("expected shape"), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn two_connections_of_the_same_name_in_a_file_are_refused() {
        let (dir, conns, _) = setup();
        save(&conns, "Acme", "client-a", "s");
        let path = dir.path().join("x.json");
        conns.export_to(None, &path).expect("export");
        let mut file = ExportFile::read(&path).expect("read");
        file.connections.push(file.connections[0].clone());
        std::fs::write(&path, serde_json::to_vec(&file).expect("json")).expect("write");
        let err = conns.preview_import(&path).expect_err("refused");
        assert!(
            err.to_string().contains("two connections are named"),
            "{err}"
        );
    }

    #[test]
    fn name_clashes_rename_skip_or_replace() {
        let (dir, conns, secrets) = setup();
        let acme = save(&conns, "Acme", "client-a", "secret-a");
        let beta = save(&conns, "Beta", "client-b", "secret-b");
        let gamma = save(&conns, "Gamma", "client-g", "secret-g");
        let path = dir.path().join("all.json");
        conns.export_to(None, &path).expect("export");
        // The file's Gamma has another client: replacing drops the old client's secret.
        let mut file = ExportFile::read(&path).expect("read");
        file.connections[2].settings.client_id = "client-g2".to_owned();
        std::fs::write(&path, serde_json::to_vec(&file).expect("json")).expect("write");

        let preview = conns.preview_import(&path).expect("preview");
        assert_eq!(
            preview.items[0].clash.as_ref().map(|c| c.id.as_str()),
            Some(acme.id.as_str())
        );
        assert_eq!(preview.items[0].rename_to, "Acme (2)");

        // "Add" on a clash is refused and changes nothing.
        let before = std::fs::read(conns.store().path()).expect("store");
        let err = conns
            .import(&path, &choose(&preview, ImportAction::Add))
            .expect_err("clash");
        assert_eq!(err.field(), Some("name"));
        assert_eq!(std::fs::read(conns.store().path()).expect("store"), before);

        let choices = [
            ImportChoice {
                index: 0,
                action: ImportAction::Rename,
            },
            ImportChoice {
                index: 1,
                action: ImportAction::Replace,
            },
            ImportChoice {
                index: 2,
                action: ImportAction::Replace,
            },
        ];
        let outcome = conns.import(&path, &choices).expect("import");
        assert_eq!(outcome.imported.len(), 3);
        let list = conns.list().expect("list");
        let names: Vec<&str> = list.iter().map(|c| c.settings.name.as_str()).collect();
        assert_eq!(names, ["Acme", "Beta", "Gamma", "Acme (2)"]);

        let new_beta = list
            .iter()
            .find(|c| c.settings.name == "Beta")
            .expect("beta");
        assert_eq!(new_beta.id, beta.id, "replace keeps the id");
        assert!(new_beta.has_client_secret && !new_beta.needs_client_secret);
        assert_eq!(
            secrets
                .get(&beta.id, SecretKind::ClientSecret)
                .expect("get")
                .map(|s| s.expose().to_owned()),
            Some("secret-b".to_owned()),
            "same client: its secret is kept"
        );

        let new_gamma = list
            .iter()
            .find(|c| c.settings.name == "Gamma")
            .expect("gamma");
        assert!(!new_gamma.has_client_secret && new_gamma.needs_client_secret);
        assert!(
            secrets
                .get(&gamma.id, SecretKind::ClientSecret)
                .expect("get")
                .is_none(),
            "another client: the old secret is gone"
        );

        let skipped = conns
            .import(&path, &choose(&preview, ImportAction::Skip))
            .expect("skip all");
        assert_eq!((skipped.imported.len(), skipped.skipped), (0, 3));
    }
}
