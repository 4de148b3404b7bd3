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
            redirect_port_text: None,
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
    assert_eq!(conns.export_to(None, &path, false).expect("export"), 2);
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
            .export_to(Some(std::slice::from_ref(&a.id)), &path, false)
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
        conns.export_to(None, &path, false).expect("export");
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
        ("", "is not JSON"),
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
        assert!(!message.contains(".."), "one full stop: {message}");
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
fn a_connection_at_fault_is_refused_with_why_and_the_others_are_imported() {
    let (dir, conns, _) = setup();
    save(&conns, "Acme", "client-a", "s");
    save(&conns, "Beta", "client-b", "s");
    let path = dir.path().join("x.json");
    conns.export_to(None, &path, false).expect("export");
    conns
        .delete(&conns.list().expect("list")[1].id)
        .expect("delete Beta");
    let mut file = ExportFile::read(&path).expect("read");
    // Acme with a subdomain no host has, Beta as it was, and Beta again.
    file.connections[0].settings.subdomain = "bad host!".to_owned();
    file.connections.push(file.connections[1].clone());
    std::fs::write(&path, serde_json::to_vec(&file).expect("json")).expect("write");

    let preview = conns.preview_import(&path).expect("a preview");
    let refused: Vec<_> = preview.items.iter().map(|i| i.refused.as_deref()).collect();
    let acme = refused[0].expect("Acme is refused");
    assert!(
        acme.starts_with("URL subdomain: "),
        "the form's label: {acme}"
    );
    assert_eq!(refused[1], None, "Beta can be imported");
    assert_eq!(
        refused[2],
        Some("An earlier connection in the file has the same name.")
    );

    let choices: Vec<ImportChoice> = (0..3)
        .map(|index| ImportChoice {
            index,
            action: ImportAction::Add,
        })
        .collect();
    let outcome = conns.import(&path, &choices).expect("imported");
    assert_eq!(
        outcome
            .imported
            .iter()
            .map(|c| c.settings.name.as_str())
            .collect::<Vec<_>>(),
        ["Beta"]
    );
    assert_eq!(
        outcome
            .refused
            .iter()
            .map(|r| (r.name.as_str(), r.reason.as_str()))
            .collect::<Vec<_>>(),
        [
            ("Acme", acme),
            (
                "Beta",
                "An earlier connection in the file has the same name."
            )
        ]
    );
    let names: Vec<String> = conns
        .list()
        .expect("list")
        .into_iter()
        .map(|c| c.settings.name)
        .collect();
    assert_eq!(names, ["Acme", "Beta"], "the saved Acme is untouched");
}

#[test]
fn a_file_that_cannot_be_read_is_said_in_words() {
    let (dir, conns, _) = setup();
    let err = conns
        .preview_import(&dir.path().join("no such file.json"))
        .expect_err("no file");
    let message = err.to_string();
    assert!(message.contains("there is no such file"), "{message}");
    assert!(!message.contains("os error"), "{message}");
}

#[test]
fn name_clashes_rename_skip_or_replace() {
    let (dir, conns, secrets) = setup();
    let acme = save(&conns, "Acme", "client-a", "secret-a");
    let beta = save(&conns, "Beta", "client-b", "secret-b");
    let gamma = save(&conns, "Gamma", "client-g", "secret-g");
    let path = dir.path().join("all.json");
    conns.export_to(None, &path, false).expect("export");
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

#[test]
fn export_overwrites_an_existing_file_only_when_asked() {
    let (dir, conns, _) = setup();
    save(&conns, "Acme", "client-a", "s");
    let path = dir.path().join("notes.json");
    std::fs::write(&path, "someone's notes").expect("write");
    let err = conns
        .export_to(None, &path, false)
        .expect_err("the file exists");
    assert_eq!(err.code(), crate::ErrorCode::FileExists);
    assert_eq!(err.field(), Some("path"), "the form shows it at the path");
    assert!(
        err.to_string().contains("notes.json already exists"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "someone's notes",
        "left as it was"
    );
    assert_eq!(conns.export_to(None, &path, true).expect("replaced"), 1);
    assert!(
        std::fs::read_to_string(&path)
            .expect("read")
            .contains(FORMAT)
    );
}

#[test]
fn import_keeps_a_saved_secret_only_for_the_same_hosts_and_domains() {
    let (dir, conns, secrets) = setup();
    let a = save(&conns, "Acme", "client-a", "secret-a");
    let b = save(&conns, "Beta", "client-b", "secret-b");
    let c = save(&conns, "Gamma", "client-g", "secret-g");
    let d = save(&conns, "Delta", "client-d", "secret-d");
    let path = dir.path().join("file.json");
    conns.export_to(None, &path, false).expect("export");
    let mut file = ExportFile::read(&path).expect("read");
    // Acme: another instance inside the same valid domains (coupahost.com), same client ID.
    file.connections[0].settings.subdomain = "someone-else".to_owned();
    // Beta: a valid domain more, where a token URL could later point.
    file.connections[1]
        .settings
        .valid_domains
        .push("collector.example".to_owned());
    // Gamma: only its scopes change.
    file.connections[2].settings.scopes = vec!["core.invoice.read".to_owned()];
    // Delta: a revocation endpoint on another host, where the client would authenticate, and
    // the token endpoint on another port of the same host.
    file.connections[3].settings.revocation_url =
        "https://collector.coupahost.com/revoke".to_owned();
    file.connections[3].settings.token_url =
        "https://acme.coupahost.com:8443/oauth2/token".to_owned();
    std::fs::write(&path, serde_json::to_vec(&file).expect("json")).expect("write");

    let preview = conns.preview_import(&path).expect("preview");
    // The preview says where each one sends its secret, what replacing changes, and whether
    // the saved secret stays.
    let clash = |i: usize| preview.items[i].clash.clone().expect("a clash");
    assert_eq!(preview.items[0].token_host, "someone-else.coupahost.com");
    assert_eq!(
        preview.items[1].valid_domains,
        ["coupahost.com", "collector.example"]
    );
    assert!(!clash(0).keeps_secret && !clash(1).keeps_secret && clash(2).keeps_secret);
    assert!(
        clash(0).changes.contains(
            &"Token host: https://acme.coupahost.com \u{2192} https://someone-else.coupahost.com"
                .to_owned()
        ),
        "{:?}",
        clash(0).changes
    );
    assert_eq!(
        clash(1).changes,
        ["Valid domain names: coupahost.com \u{2192} coupahost.com, collector.example"]
    );
    assert_eq!(clash(2).changes.len(), 1, "{:?}", clash(2).changes);
    assert!(clash(2).changes[0].starts_with("Scopes: "));
    assert!(!clash(3).keeps_secret);
    assert_eq!(
        preview.items[3].token_host, "acme.coupahost.com:8443",
        "the port says which server"
    );
    assert_eq!(
        clash(3).changes,
        [
            "Token host: https://acme.coupahost.com \u{2192} https://acme.coupahost.com:8443",
            "Revocation host: none \u{2192} https://collector.coupahost.com"
        ]
    );
    conns
        .import(&path, &choose(&preview, ImportAction::Replace))
        .expect("imported");
    let secret = |id: &str| {
        secrets
            .get(id, SecretKind::ClientSecret)
            .expect("keyring")
            .map(|s| s.expose().to_owned())
    };
    for moved in [&a, &b, &d] {
        let now = conns.get(&moved.id).expect("replaced");
        assert!(
            !now.has_client_secret && now.needs_client_secret,
            "{}: the secret is asked for again",
            now.settings.name
        );
        assert_eq!(secret(&moved.id), None, "and removed from the keyring");
    }
    let same = conns.get(&c.id).expect("replaced");
    assert!(same.has_client_secret && !same.needs_client_secret);
    assert_eq!(
        secret(&c.id).as_deref(),
        Some("secret-g"),
        "same places: kept"
    );
}
