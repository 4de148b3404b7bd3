//! `connmgr` as a script uses it: add, list, show, token in every format, test, delete, and
//! every exit code. The built binary, the sandbox over real HTTP, the real test keyring.

mod common;

use common::{Fixture, SECRET, run};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_added_listed_shown_used_and_deleted() {
    let fx = Fixture::new().await;
    let id = fx.add_client_credentials("Sandbox CC", SECRET);

    let list = run(fx.connmgr().arg("list"));
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(list.stdout.starts_with("NAME"), "{}", list.stdout);
    assert!(list.stdout.contains("Sandbox CC"));
    let rows: Value = serde_json::from_str(&run(fx.connmgr().args(["list", "--json"])).stdout)
        .expect("list --json");
    assert_eq!(rows[0]["id"], id.as_str());
    assert_eq!(rows[0]["grantType"], "client_credentials");

    // By name in any case, or by id.
    let shown: Value =
        serde_json::from_str(&run(fx.connmgr().args(["show", "sandbox cc", "--json"])).stdout)
            .expect("show --json");
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["hasClientSecret"], true);
    assert!(!shown.to_string().contains(SECRET), "no secret in show");
    let text = run(fx.connmgr().args(["show", &id]));
    assert!(
        text.stdout.contains("stored in the system keyring"),
        "{}",
        text.stdout
    );

    // raw: the token bytes alone, no newline; the other formats carry the same token.
    let raw = run(fx.connmgr().args(["token", "Sandbox CC"]));
    assert_eq!(raw.code, 0, "{}", raw.stderr);
    assert!(raw.stderr.is_empty(), "{}", raw.stderr);
    let token = raw.stdout.clone();
    assert!(
        !token.is_empty() && !token.contains(['\n', ' ']),
        "{token:?}"
    );
    let json: Value = serde_json::from_str(
        &run(fx
            .connmgr()
            .args(["token", "Sandbox CC", "--format", "json"]))
        .stdout,
    )
    .expect("json");
    assert_eq!(
        json["accessToken"],
        token.as_str(),
        "the cached token, not a new one"
    );
    assert_eq!(json["tokenType"], "Bearer");
    assert_eq!(json["scopes"][0], "core.user.read");
    assert_eq!(json["hasRefreshToken"], false);
    assert!(json["expiresAt"].as_str().is_some_and(|t| t.ends_with('Z')));
    let header = run(fx
        .connmgr()
        .args(["token", "Sandbox CC", "--format", "header"]));
    assert_eq!(header.stdout, format!("Authorization: Bearer {token}\n"));
    let env = run(fx
        .connmgr()
        .args(["token", "Sandbox CC", "--format", "env"]));
    assert!(
        env.stdout
            .starts_with(&format!("export CONNMGR_ACCESS_TOKEN='{token}'\n")),
        "{}",
        env.stdout
    );
    let curl = run(fx
        .connmgr()
        .args(["token", "Sandbox CC", "--format", "curl"]));
    assert!(curl.stdout.contains("/api/users?limit=1") && curl.stdout.contains(&token));

    // kubectl's ExecCredential (client.authentication.k8s.io/v1): kind, apiVersion, a status
    // with the token and an RFC 3339 expirationTimestamp, nothing else at the top.
    let exec: Value = serde_json::from_str(
        &run(fx
            .connmgr()
            .args(["token", "Sandbox CC", "--format", "exec-credential"]))
        .stdout,
    )
    .expect("exec-credential");
    assert_eq!(exec["apiVersion"], "client.authentication.k8s.io/v1");
    assert_eq!(exec["kind"], "ExecCredential");
    assert_eq!(exec["status"]["token"], token.as_str());
    let at = exec["status"]["expirationTimestamp"]
        .as_str()
        .expect("a timestamp");
    assert!(connmgr_core::time::Timestamp::parse(at).is_some(), "{at}");
    assert_eq!(exec.as_object().map(|o| o.len()), Some(3));

    // --renew gets a new one; --min-valid past the lifetime renews too.
    let before = fx.sandbox.stats().token_requests;
    let renewed = run(fx.connmgr().args(["token", "Sandbox CC", "--renew"]));
    assert_ne!(renewed.stdout, token);
    let longer = run(fx
        .connmgr()
        .args(["token", "Sandbox CC", "--min-valid", "999999"]));
    assert_eq!(longer.code, 0, "{}", longer.stderr);
    assert_eq!(fx.sandbox.stats().token_requests, before + 2);

    // The test: a line per step, exit 0.
    let test = run(fx.connmgr().args(["test", "Sandbox CC"]));
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    assert_eq!(
        test.stdout
            .lines()
            .filter(|l| l.starts_with('\u{2713}'))
            .count(),
        3
    );
    let report: Value =
        serde_json::from_str(&run(fx.connmgr().args(["test", "Sandbox CC", "--json"])).stdout)
            .expect("test --json");
    assert_eq!(report["ok"], true);

    // Delete asks, and with no one to ask, wants --yes.
    let asked = run(fx.connmgr().args(["delete", "Sandbox CC"]).write_stdin(""));
    assert_eq!(asked.code, 2, "{}", asked.stderr);
    assert!(asked.stderr.contains("--yes"));
    let deleted = run(fx.connmgr().args(["delete", "Sandbox CC", "--yes"]));
    assert_eq!(deleted.code, 0, "{}", deleted.stderr);
    assert_eq!(run(fx.connmgr().args(["token", &id])).code, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_exit_code_says_what_a_script_can_do() {
    let fx = Fixture::new().await;
    let url = fx.url();

    // 2: usage, and settings that do not validate, each error with its flag.
    assert_eq!(run(fx.connmgr().args(["token"])).code, 2);
    let bad = run(fx
        .connmgr()
        .args(["add", "--name", "X", "--token-url", "ftp://x"]));
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--token-url: "), "{}", bad.stderr);
    assert!(bad.stderr.contains("--valid-domain: "), "{}", bad.stderr);
    assert!(
        bad.stderr
            .lines()
            .all(|l| l.starts_with("connmgr: validation_failed: "))
    );

    // 3: no such connection.
    let missing = run(fx.connmgr().args(["token", "nope"]));
    assert_eq!(missing.code, 3);
    assert!(
        missing.stderr.starts_with("connmgr: not_found: "),
        "{}",
        missing.stderr
    );
    assert!(missing.stdout.is_empty());

    // 4: needs a person: a sign-in not done yet.
    let signin = run(fx
        .connmgr()
        .args([
            "add",
            "--name",
            "Desktop",
            "--coupa",
            &url,
            "--client-id",
            "sandbox-desktop",
        ])
        .args(["--grant", "authorization-code", "--client-auth", "none"])
        .args(["--valid-domain", "127.0.0.1", "--scope", "core.user.read"]));
    assert_eq!(signin.code, 0, "{}", signin.stderr);
    let needs = run(fx.connmgr().args(["token", "Desktop"]));
    assert_eq!(needs.code, 4, "{}", needs.stderr);
    assert!(needs.stderr.contains("invalid_grant"), "{}", needs.stderr);

    // 5: the server refused; its OAuth error code is printed, never the secret.
    fx.add_client_credentials("Wrong secret", "not-the-secret-4c1f");
    let refused = run(fx.connmgr().args(["token", "Wrong secret"]));
    assert_eq!(refused.code, 5, "{}", refused.stderr);
    assert!(
        refused.stderr.starts_with("connmgr: invalid_client: "),
        "{}",
        refused.stderr
    );
    assert!(!refused.stderr.contains("not-the-secret"));
    assert!(refused.stdout.is_empty(), "no partial token");
    assert_eq!(run(fx.connmgr().args(["test", "Wrong secret"])).code, 5);

    // 4 again: a connection imported without its client secret says so before anything is
    // sent.
    let file = fx.home.path().join("one.json");
    let exported = run(fx
        .connmgr()
        .args(["export", "Wrong secret", "-o"])
        .arg(&file));
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let imported = run(fx
        .connmgr()
        .arg("import")
        .arg(&file)
        .args(["--on-conflict", "rename"]));
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    let requests = fx.sandbox.stats().token_requests;
    let needs = run(fx.connmgr().args(["token", "Wrong secret (2)"]));
    assert_eq!(needs.code, 4, "{}", needs.stderr);
    assert!(
        needs.stderr.starts_with("connmgr: needs_client_secret: ")
            && needs.stderr.contains("connmgr secret set NAME"),
        "{}",
        needs.stderr
    );
    assert_eq!(
        fx.sandbox.stats().token_requests,
        requests,
        "nothing was sent"
    );

    // 6: network: nothing listens there.
    let closed = run(fx
        .connmgr()
        .args(["add", "--name", "Closed", "--coupa", "http://127.0.0.1:9"])
        .args([
            "--client-id",
            "c",
            "--valid-domain",
            "127.0.0.1",
            "--secret-from-stdin",
        ])
        .write_stdin("s"));
    assert_eq!(closed.code, 0, "{}", closed.stderr);
    let down = run(fx.connmgr().args(["token", "Closed"]));
    assert_eq!(down.code, 6, "{}", down.stderr);

    // 7: no keyring.
    let no_bus = run(fx.connmgr().args(["token", "Wrong secret"]).env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/connmgr-test-bus",
    ));
    assert_eq!(no_bus.code, 7, "{}", no_bus.stderr);
    assert!(
        no_bus.stderr.starts_with("connmgr: keyring_unavailable: "),
        "{}",
        no_bus.stderr
    );

    for name in ["Desktop", "Wrong secret", "Closed"] {
        assert_eq!(run(fx.connmgr().args(["delete", name, "--yes"])).code, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_signs_assertions_with_a_key_from_a_file() {
    use connmgr_sandbox::client_keys::{self, KeyType};
    use connmgr_sandbox::config::{ClientConfig, Grant};
    let keys = tempfile::tempdir().expect("tempdir");
    // A certificate that ends in 20 days: inside the 30 days the list warns about.
    let key = client_keys::make(keys.path(), "ns", KeyType::Rsa3072, Some(20)).expect("keys");
    let stranger =
        client_keys::make(keys.path(), "other", KeyType::Rsa2048, Some(400)).expect("keys");
    let mut config = connmgr_sandbox::Config::strict();
    config.clients.push(ClientConfig {
        id: "m2m".to_owned(),
        secret: None,
        grants: vec![Grant::ClientCredentials],
        scopes: vec!["core.user.read".to_owned(), "core.supplier.read".to_owned()],
        rotate_refresh_tokens: false,
        public_keys: vec![key.public_pem.clone()],
    });
    let fx = Fixture::with(config).await;
    let key_file = key.key.to_string_lossy().into_owned();
    let cert_file = key
        .certificate
        .as_ref()
        .expect("cert")
        .to_string_lossy()
        .into_owned();

    let added = run(fx
        .connmgr()
        .args(["add", "--name", "NetSuite M2M", "--coupa", &fx.url()])
        .args(["--client-id", "m2m", "--valid-domain", "127.0.0.1"])
        .args(["--scope", "core.user.read", "--scope", "core.supplier.read"])
        .args(["--client-auth", "private-key-jwt", "--key", &key_file])
        .args(["--certificate", &cert_file, "--signing-alg", "PS256"])
        .args(["--key-id", "cert-9", "--x5t"])
        .args(["--assertion-claim", "scope={scopes_comma}"]));
    assert_eq!(added.code, 0, "{}", added.stderr);
    assert!(
        added.stderr.contains("--key: The certificate expires on"),
        "the expiry is warned about: {}",
        added.stderr
    );

    let token = run(fx.connmgr().args(["token", "NetSuite M2M"]));
    assert_eq!(token.code, 0, "{}", token.stderr);
    let seen = fx.sandbox.assertions_seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header["kid"], "cert-9");
    assert_eq!(seen[0].header["alg"], "PS256");
    assert!(
        seen[0].header["x5t#S256"].is_string(),
        "{:?}",
        seen[0].header
    );
    assert_eq!(seen[0].claims["scope"], "core.user.read,core.supplier.read");

    let shown = run(fx.connmgr().args(["show", "NetSuite M2M"]));
    for expected in [
        "signed assertion (private_key_jwt)",
        "RSA 3072-bit, thumbprint ",
        "CN=connmgr test client, expires ",
        "(expires soon)",
        "PS256, kid cert-9, x5t#S256, aud the token endpoint, claim scope={scopes_comma}",
    ] {
        assert!(
            shown.stdout.contains(expected),
            "{expected:?} in {}",
            shown.stdout
        );
    }
    let list = run(fx.connmgr().arg("list"));
    assert!(
        list.stdout.contains("certificate expires "),
        "{}",
        list.stdout
    );

    // No line of the key in what connmgr shows or exports.
    let export = keys.path().join("export.json");
    let exported = run(fx
        .connmgr()
        .args(["export", "-o", &export.to_string_lossy()]));
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let shown_json = run(fx.connmgr().args(["show", "NetSuite M2M", "--json"])).stdout;
    let export_text = std::fs::read_to_string(&export).expect("export");
    let pem = std::fs::read_to_string(&key.key).expect("key");
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(
            !export_text.contains(line) && !shown_json.contains(line),
            "a key line leaked"
        );
    }

    // Another key: without its certificate it cannot send x5t#S256; with it, it is stored, and
    // the server refuses what it signs; the right one again works.
    let other_file = stranger.key.to_string_lossy().into_owned();
    let other_cert = stranger
        .certificate
        .as_ref()
        .expect("cert")
        .to_string_lossy()
        .into_owned();
    let no_cert = run(fx
        .connmgr()
        .args(["secret", "set", "NetSuite M2M", "--key", &other_file]));
    assert_eq!(no_cert.code, 2, "{}", no_cert.stderr);
    assert!(
        no_cert
            .stderr
            .contains("x5t#S256 needs the key's certificate"),
        "{}",
        no_cert.stderr
    );
    let set = run(fx
        .connmgr()
        .args(["secret", "set", "NetSuite M2M", "--key", &other_file])
        .args(["--certificate", &other_cert]));
    assert_eq!(set.code, 0, "{}", set.stderr);
    assert!(
        set.stdout
            .contains("private key (RSA 2048-bit, thumbprint "),
        "{}",
        set.stdout
    );
    let refused = run(fx.connmgr().args(["token", "NetSuite M2M", "--renew"]));
    assert_eq!(refused.code, 5, "{}", refused.stderr);
    assert!(refused.stderr.contains("signature"), "{}", refused.stderr);
    let back = run(fx.connmgr().args([
        "secret",
        "set",
        "NetSuite M2M",
        "--key",
        &key_file,
        "--certificate",
        &cert_file,
    ]));
    assert_eq!(back.code, 0, "{}", back.stderr);
    assert_eq!(
        run(fx.connmgr().args(["token", "NetSuite M2M", "--renew"])).code,
        0
    );

    // What cannot be imported is said with its flag; a secret-based connection takes no key.
    let missing = keys
        .path()
        .join("missing.pem")
        .to_string_lossy()
        .into_owned();
    let bad = run(fx
        .connmgr()
        .args(["secret", "set", "NetSuite M2M", "--key", &missing]));
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr
            .contains("--key: The private key cannot be imported: the key file")
            && bad.stderr.contains("(no such file)"),
        "{}",
        bad.stderr
    );
    fx.add_client_credentials("With secret", SECRET);
    let wrong = run(fx
        .connmgr()
        .args(["secret", "set", "With secret", "--key", &key_file]));
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("only for a signed assertion"),
        "{}",
        wrong.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presets_make_connections_from_their_fields() {
    let fx = Fixture::new().await;
    let list = run(fx.connmgr().arg("presets"));
    assert_eq!(list.code, 0, "{}", list.stderr);
    for id in [
        "servicenow",
        "salesforce",
        "salesforce-sandbox",
        "netsuite",
        "entra",
        "google",
        "okta",
        "keycloak",
        "sap-btp",
        "hubspot",
    ] {
        assert!(
            list.stdout
                .lines()
                .any(|l| l.starts_with(&format!("{id} "))),
            "{id} in {}",
            list.stdout
        );
    }
    let one = run(fx.connmgr().args(["presets", "servicenow"]));
    assert!(
        one.stdout.contains("--preset-field instance=")
            && one
                .stdout
                .contains("glide.oauth.inbound.client.credential.grant_type.enabled"),
        "{}",
        one.stdout
    );

    // A value that does not fit is said with its flag; nothing is saved.
    let bad = run(fx
        .connmgr()
        .args([
            "add",
            "--name",
            "SN",
            "--preset",
            "servicenow",
            "--preset-field",
            "instance=acme.evil.com",
        ])
        .args(["--client-id", "x", "--secret-from-stdin"])
        .write_stdin("s"));
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr
            .contains("--preset-field instance: Type the instance's name only"),
        "{}",
        bad.stderr
    );
    let unknown = run(fx
        .connmgr()
        .args(["add", "--name", "X", "--preset", "nope"]));
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("choose one of"),
        "{}",
        unknown.stderr
    );

    let okta = run(fx
        .connmgr()
        .args([
            "add",
            "--name",
            "Okta",
            "--preset",
            "okta",
            "--preset-field",
            "domain=acme.okta.com",
        ])
        .args(["--client-id", "0oa1", "--json"]));
    assert_eq!(okta.code, 0, "{}", okta.stderr);
    let saved: Value = serde_json::from_str(&okta.stdout).expect("json");
    assert_eq!(
        saved["endpoints"]["tokenUrl"],
        "https://acme.okta.com/oauth2/default/v1/token"
    );
    assert_eq!(
        saved["endpoints"]["issuer"],
        "https://acme.okta.com/oauth2/default"
    );
    assert_eq!(saved["settings"]["preset"]["values"]["server"], "default");
    let shown = run(fx.connmgr().args(["show", "Okta"])).stdout;
    assert!(
        shown.lines().any(|l| l.starts_with("Preset ")
            && l.ends_with("  Okta domain=acme.okta.com server=default")),
        "{shown}"
    );

    // Coupa's choices are presets too: the instance is the Coupa provider's URL subdomain.
    let coupa = run(fx
        .connmgr()
        .args([
            "add",
            "--name",
            "Acme Coupa",
            "--preset",
            "coupa-partner",
            "--preset-field",
            "instance=acme",
        ])
        .args(["--client-id", "cc", "--json", "--secret-from-stdin"])
        .write_stdin("s"));
    assert_eq!(coupa.code, 0, "{}", coupa.stderr);
    let saved: Value = serde_json::from_str(&coupa.stdout).expect("json");
    assert_eq!(saved["settings"]["provider"], "coupa");
    assert_eq!(
        saved["endpoints"]["tokenUrl"],
        "https://acme.coupacloud.com/oauth2/token"
    );

    // SAP BTP from its service key: the URL, the client ID and the secret (to the keyring).
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("service-key.json");
    std::fs::write(
        &key,
        r#"{"uaa":{"url":"https://acme.authentication.eu10.hana.ondemand.com","clientid":"sb-app!b1|xsuaa!b2","clientsecret":"the-service-key-secret"}}"#,
    )
    .expect("write");
    let sap = run(fx
        .connmgr()
        .args([
            "add",
            "--name",
            "SAP",
            "--preset",
            "sap-btp",
            "--scope",
            "acme.read",
            "--json",
        ])
        .args(["--service-key", &key.to_string_lossy()]));
    assert_eq!(sap.code, 0, "{}", sap.stderr);
    let saved: Value = serde_json::from_str(&sap.stdout).expect("json");
    assert_eq!(saved["settings"]["clientId"], "sb-app!b1|xsuaa!b2");
    assert_eq!(saved["hasClientSecret"], true);
    assert_eq!(
        saved["endpoints"]["tokenUrl"],
        "https://acme.authentication.eu10.hana.ondemand.com/oauth/token"
    );
    assert!(!sap.stdout.contains("the-service-key-secret"));
}
