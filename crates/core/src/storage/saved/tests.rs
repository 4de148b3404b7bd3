use super::*;
use crate::model::connection::SecretUpdate;
use crate::model::validate::NAME_MAX;
use crate::storage::keyring::{FailMode, MemoryStore};

fn setup() -> (tempfile::TempDir, SavedConnections, Arc<MemoryStore>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let secrets = Arc::new(MemoryStore::new());
    let conns = SavedConnections::new(Store::new(dir.path()), secrets.clone());
    (dir, conns, secrets)
}

fn draft(name: &str, secret: Option<&str>) -> ConnectionDraft {
    ConnectionDraft {
        id: None,
        settings: ConnectionSettings {
            name: name.to_owned(),
            subdomain: "acme".to_owned(),
            client_id: "client-1".to_owned(),
            ..ConnectionSettings::new_coupa()
        },
        client_secret: match secret {
            Some(s) => SecretUpdate::Replace {
                value: Secret::new(s),
            },
            None => SecretUpdate::Keep,
        },
        redirect_port_text: None,
    }
}

#[test]
fn create_stores_metadata_in_the_file_and_the_secret_in_the_keyring() {
    let (_dir, conns, secrets) = setup();
    let c = conns.save(&draft("Acme", Some("s3cret"))).expect("saved");
    assert!(c.has_client_secret);
    assert_eq!(
        c.endpoints.token_url,
        "https://acme.coupahost.com/oauth2/token"
    );
    let got = secrets
        .get(&c.id, SecretKind::ClientSecret)
        .expect("read")
        .expect("present");
    assert_eq!(got.expose(), "s3cret");
    assert_eq!(conns.list().expect("list"), [c]);
    let file = std::fs::read_to_string(conns.store().path()).expect("file");
    assert!(!file.contains("s3cret"), "the secret is not in the file");
}

#[test]
fn summaries_carry_what_the_list_shows_and_the_host_with_its_port() {
    let (_dir, conns, _secrets) = setup();
    let coupa = conns.save(&draft("Acme", Some("s3cret"))).expect("coupa");
    let mut local = draft("Local", Some("s3cret"));
    local.settings = ConnectionSettings {
        name: "Local".to_owned(),
        provider: crate::model::connection::Provider::Generic,
        grant_type: crate::model::connection::GrantType::ClientCredentials,
        client_id: "client-1".to_owned(),
        token_url: "http://127.0.0.1:8080/oauth/token".to_owned(),
        valid_domains: vec!["127.0.0.1".to_owned()],
        scopes: vec!["read".to_owned(), "write".to_owned()],
        ..ConnectionSettings::new_coupa()
    };
    let local = conns.save(&local).expect("generic");

    let list = [coupa.summary(), local.summary()];
    assert_eq!(list[0].host, "acme.coupahost.com");
    assert_eq!(list[0].name, "Acme");
    assert_eq!(list[0].scope_count, 1);
    assert_eq!(
        list[1].host, "127.0.0.1:8080",
        "a port that is not the default is kept"
    );
    assert_eq!(
        list[1].grant_type,
        crate::model::connection::GrantType::ClientCredentials
    );
    assert_eq!(
        list[1].provider,
        crate::model::connection::Provider::Generic
    );
}

#[test]
fn a_failed_keyring_write_changes_nothing() {
    let (_dir, conns, secrets) = setup();
    secrets.set_failure(Some(FailMode::WritesUnavailable));
    let err = conns
        .save(&draft("Acme", Some("s3cret")))
        .expect_err("keyring down");
    assert_eq!(err.code(), crate::ErrorCode::KeyringUnavailable);
    assert!(
        conns.list().expect("list").is_empty(),
        "no metadata without its secret"
    );
}

#[test]
fn a_failed_file_write_rolls_the_keyring_back() {
    let (_dir, conns, secrets) = setup();
    conns.save(&draft("Acme", Some("one"))).expect("first save");
    // A folder where the file should be: it can be neither read nor replaced (even by root).
    let path = conns.store().path();
    std::fs::remove_file(&path).expect("remove file");
    std::fs::create_dir(&path).expect("folder in its place");
    let err = conns
        .save(&draft("Beta", Some("two")))
        .expect_err("file cannot be written");
    assert_eq!(err.code(), crate::ErrorCode::StoreIo);
    assert!(
        err.to_string().contains("connections.json"),
        "the message names the file: {err}"
    );
    assert_eq!(
        secrets.len(),
        1,
        "the new secret was removed again; only the first remains"
    );
}

#[test]
fn update_replaces_the_secret_and_forgets_tokens_when_the_client_changes() {
    let (_dir, conns, secrets) = setup();
    let c = conns.save(&draft("Acme", Some("one"))).expect("saved");
    secrets
        .set(&c.id, SecretKind::AccessToken, &Secret::new("tok"))
        .expect("token");
    let mut d = draft("Acme", Some("two"));
    d.id = Some(c.id.clone());
    let u = conns.save(&d).expect("updated");
    assert_eq!(u.created_at, c.created_at);
    assert_eq!(
        secrets
            .get(&c.id, SecretKind::ClientSecret)
            .expect("get")
            .expect("some")
            .expose(),
        "two"
    );
    assert!(
        secrets
            .get(&c.id, SecretKind::AccessToken)
            .expect("get")
            .is_none(),
        "old token forgotten"
    );

    let mut keep = draft("Acme renamed", None);
    keep.id = Some(c.id.clone());
    let k = conns.save(&keep).expect("rename");
    assert!(k.has_client_secret, "Keep keeps the secret");
    assert_eq!(conns.list().expect("list").len(), 1);
}

#[test]
fn duplicate_names_are_refused_and_the_form_can_retry() {
    let (_dir, conns, _secrets) = setup();
    conns.save(&draft("Acme", Some("x"))).expect("saved");
    let err = conns
        .save(&draft(" ACME ", Some("y")))
        .expect_err("same name");
    assert_eq!(err.code(), crate::ErrorCode::ValidationFailed);
    assert_eq!(err.field(), Some("name"));
}

#[test]
fn delete_removes_the_connection_and_its_secrets() {
    let (_dir, conns, secrets) = setup();
    let c = conns.save(&draft("Acme", Some("x"))).expect("saved");
    secrets
        .set(&c.id, SecretKind::RefreshToken, &Secret::new("r"))
        .expect("token");
    conns.delete(&c.id).expect("deleted");
    assert!(conns.list().expect("list").is_empty());
    assert!(secrets.is_empty());
    assert_eq!(
        conns.delete(&c.id).expect_err("gone").code(),
        crate::ErrorCode::NotFound
    );
}

#[test]
fn a_locked_keyring_stops_delete_before_anything_changes() {
    let (_dir, conns, secrets) = setup();
    let c = conns.save(&draft("Acme", Some("x"))).expect("saved");
    secrets.set_failure(Some(FailMode::Locked));
    assert_eq!(
        conns.delete(&c.id).expect_err("locked").code(),
        crate::ErrorCode::KeyringLocked
    );
    assert_eq!(conns.list().expect("list").len(), 1);
}

#[test]
fn duplicate_copies_the_secret_under_a_free_name() {
    let (_dir, conns, secrets) = setup();
    let c = conns.save(&draft("Acme", Some("x"))).expect("saved");
    let d1 = conns.duplicate(&c.id).expect("copy");
    let d2 = conns.duplicate(&c.id).expect("second copy");
    assert_eq!(d1.settings.name, "Copy of Acme");
    assert_eq!(d2.settings.name, "Copy of Acme (2)");
    assert_ne!(d1.id, c.id);
    assert_eq!(
        secrets
            .get(&d1.id, SecretKind::ClientSecret)
            .expect("get")
            .expect("copied")
            .expose(),
        "x"
    );
    assert!(d1.last_test.is_none());
}

#[test]
fn copy_names_stay_within_the_limit() {
    let long = "n".repeat(NAME_MAX);
    let name = copy_name(&long, &[]);
    assert_eq!(name.chars().count(), NAME_MAX);
    assert!(name.starts_with("Copy of "));
}

/// A keyring that runs `meanwhile` once, on the first write of a client secret: what another
/// process does while an edit is being saved.
struct Meanwhile {
    inner: MemoryStore,
    meanwhile: std::sync::Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl std::fmt::Debug for Meanwhile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Meanwhile")
    }
}

impl SecretStore for Meanwhile {
    fn get(&self, id: &str, kind: SecretKind) -> Result<Option<Secret>, Error> {
        self.inner.get(id, kind)
    }
    fn set(&self, id: &str, kind: SecretKind, value: &Secret) -> Result<(), Error> {
        let run = self
            .meanwhile
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(run) = run {
            run();
        }
        self.inner.set(id, kind, value)
    }
    fn delete(&self, id: &str, kind: SecretKind) -> Result<(), Error> {
        self.inner.delete(id, kind)
    }
}

#[test]
fn editing_a_connection_keeps_a_test_recorded_meanwhile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = SavedConnections::new(Store::new(dir.path()), Arc::new(MemoryStore::new()));
    let c = first.save(&draft("Acme", Some("s1"))).expect("saved");

    // The edit (a new client secret) is read and prepared; before it is written, another
    // process records a test of the same connection.
    let other = SavedConnections::new(Store::new(dir.path()), Arc::new(MemoryStore::new()));
    let id = c.id.clone();
    let summary = crate::model::connection::TestSummary {
        ok: true,
        at: crate::time::Timestamp::now(),
        summary: "All steps passed".to_owned(),
    };
    let recorded = summary.clone();
    let secrets = Arc::new(Meanwhile {
        inner: MemoryStore::new(),
        meanwhile: std::sync::Mutex::new(Some(Box::new(move || {
            other
                .record_test(&id, recorded)
                .expect("recorded meanwhile");
        }))),
    });
    let editing = SavedConnections::new(Store::new(dir.path()), secrets);
    let mut edit = draft("Acme renamed", Some("new-secret"));
    edit.id = Some(c.id.clone());
    let saved = editing.save(&edit).expect("edited");

    assert_eq!(saved.settings.name, "Acme renamed");
    assert_eq!(
        saved.last_test.as_ref(),
        Some(&summary),
        "the result says it"
    );
    let on_disk = first.get(&c.id).expect("read again");
    assert_eq!(on_disk.settings.name, "Acme renamed");
    assert_eq!(
        on_disk.last_test,
        Some(summary),
        "the test recorded meanwhile is kept"
    );
}

#[test]
fn a_service_key_gives_the_secret_on_save_and_a_bad_one_changes_nothing() {
    let (dir, conns, secrets) = setup();
    let preset = crate::presets::get("sap-btp").expect("the SAP BTP preset");
    let mut settings = crate::presets::choose(&ConnectionSettings::new_coupa(), preset);
    settings.name = "SAP".to_owned();
    settings.client_id = "sb-app!b1|xsuaa!b2".to_owned();
    settings.scopes = vec!["acme.read".to_owned()];
    if let Some(choice) = settings.preset.as_mut() {
        choice.values.insert(
            "url".to_owned(),
            "https://acme.authentication.eu10.hana.ondemand.com".to_owned(),
        );
    }
    let bad = dir.path().join("not-a-key.json");
    std::fs::write(&bad, "{\"clientsecret\": \"half-a-key\"}").expect("write");
    let mut d = ConnectionDraft {
        id: None,
        settings,
        client_secret: SecretUpdate::ImportServiceKey {
            file: bad.to_string_lossy().into_owned(),
        },
        redirect_port_text: None,
    };
    let err = conns
        .save(&d)
        .expect_err("a file without the url and client ID");
    let text = err.to_string();
    assert!(text.contains("The service key cannot be used"), "{text}");
    assert!(!text.contains("half-a-key"), "{text}");
    assert!(conns.list().expect("list").is_empty(), "nothing saved");

    let good = dir.path().join("service-key.json");
    std::fs::write(
        &good,
        r#"{"uaa":{"url":"https://acme.authentication.eu10.hana.ondemand.com","clientid":"sb-app!b1|xsuaa!b2","clientsecret":"from-the-service-key"}}"#,
    )
    .expect("write");
    d.client_secret = SecretUpdate::ImportServiceKey {
        file: good.to_string_lossy().into_owned(),
    };
    let saved = conns.save(&d).expect("saved");
    assert!(saved.has_client_secret);
    let stored = secrets
        .get(&saved.id, SecretKind::ClientSecret)
        .expect("keyring")
        .expect("the secret");
    assert_eq!(stored.expose(), "from-the-service-key");
    assert_eq!(
        saved.endpoints.token_url,
        "https://acme.authentication.eu10.hana.ondemand.com/oauth/token"
    );
}

#[test]
fn a_redirect_port_typed_wrong_is_an_error_at_the_field_and_nothing_is_saved() {
    let (_dir, conns, _secrets) = setup();
    for (typed, says) in [
        ("80a", "\u{201c}80a\u{201d} is not a port"),
        ("70000", "There is no port 70000"),
        ("-1", "\u{201c}-1\u{201d} is not a port"),
        ("0", "Port 0 cannot be registered"),
        ("80", "Port 80 is reserved"),
    ] {
        let mut d = draft("Acme", Some("s3cret"));
        d.settings.redirect_port = Some(8400);
        d.redirect_port_text = Some(typed.to_owned());
        let verdict = conns.validate(&d).expect("validate");
        let at_port: Vec<_> = verdict
            .errors
            .iter()
            .filter(|e| e.field == "redirectPort")
            .collect();
        assert_eq!(at_port.len(), 1, "{typed}: {:?}", verdict.errors);
        assert!(at_port[0].message.contains(says), "{typed}: {at_port:?}");
        assert!(
            at_port[0].message.contains("1024 to 65535"),
            "{typed}: says what to type"
        );
        let err = conns.save(&d).expect_err(typed);
        assert!(matches!(err, Error::Validation(_)), "{typed}: {err}");
        assert!(
            conns.list().expect("list").is_empty(),
            "{typed}: nothing saved"
        );
    }
    // Read from the text, not the settings: empty is a random port, a number that port.
    let mut d = draft("Acme", Some("s3cret"));
    d.settings.redirect_port = Some(8400);
    d.redirect_port_text = Some(" ".to_owned());
    assert_eq!(conns.save(&d).expect("saved").settings.redirect_port, None);
    let mut d = draft("Acme 2", Some("s3cret"));
    d.redirect_port_text = Some(" 8765 ".to_owned());
    assert_eq!(
        conns.save(&d).expect("saved").settings.redirect_port,
        Some(8765)
    );
}
