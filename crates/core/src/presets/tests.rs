use super::*;
use crate::model::validate::{Context, validate};

fn ctx() -> Context<'static> {
    Context {
        other_names: &[],
        has_client_secret: true,
        secret_is_empty: false,
    }
}

/// A connection of `id` with `values` typed, and Rust's verdict on it.
fn made(id: &str, values: &[(&str, &str)]) -> crate::model::validate::Validation {
    let preset = get(id).unwrap_or_else(|| panic!("preset {id}"));
    let mut s = choose(&ConnectionSettings::new_coupa(), preset);
    s.name = format!("{} test", preset.label);
    s.client_id = "client".to_owned();
    if s.scopes.is_empty() {
        // SAP BTP's scopes are the application's own: the admin types them.
        s.scopes.push("acme.read".to_owned());
    }
    let choice = s.preset.as_mut().expect("a preset choice");
    for (k, v) in values {
        choice.values.insert((*k).to_owned(), (*v).to_owned());
    }
    validate(&s, ctx())
}

#[test]
fn every_file_reads_and_its_examples_fit_its_patterns() {
    assert_eq!(
        all().len(),
        files::FILES.len(),
        "a preset file does not read"
    );
    for (name, text) in files::FILES {
        let p = parse(name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!p.how_to.is_empty(), "{name}: how to create the client");
        assert!(
            p.token_url.starts_with("https://") || p.token_url.starts_with('{'),
            "{name}"
        );
        for f in &p.fields {
            assert_eq!(
                check_value(f, &f.placeholder),
                None,
                "{name}: {}'s example",
                f.id
            );
            if let Some(d) = &f.default {
                assert_eq!(check_value(f, d), None, "{name}: {}'s default", f.id);
            }
        }
        // Every template names only fields the preset has.
        let known: BTreeMap<String, String> = p
            .fields
            .iter()
            .map(|f| (f.id.clone(), "x".to_owned()))
            .collect();
        for t in [
            &p.authorization_url,
            &p.token_url,
            &p.revocation_url,
            &p.api_base_url,
            &p.issuer,
        ]
        .into_iter()
        .chain(&p.valid_domains)
        {
            assert!(
                !expand(t, &known).contains('{'),
                "{name}: {t} names an unknown field"
            );
        }
    }
}

#[test]
fn each_preset_makes_the_endpoints_its_provider_documents() {
    /// A preset, the values typed, its token URL and (when it has one) authorization URL.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, Option<&'a str>);
    let cases: &[Case<'_>] = &[
        (
            "servicenow",
            &[("instance", "acme")],
            "https://acme.service-now.com/oauth_token.do",
            Some("https://acme.service-now.com/oauth_auth.do"),
        ),
        (
            "salesforce",
            &[("domain", "acme")],
            "https://acme.my.salesforce.com/services/oauth2/token",
            Some("https://acme.my.salesforce.com/services/oauth2/authorize"),
        ),
        (
            "salesforce-sandbox",
            &[("domain", "acme--uat")],
            "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token",
            Some("https://acme--uat.sandbox.my.salesforce.com/services/oauth2/authorize"),
        ),
        (
            "netsuite",
            &[("account", "1234567-sb1")],
            "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token",
            None,
        ),
        (
            "entra",
            &[("tenant", "contoso.onmicrosoft.com")],
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
            None,
        ),
        (
            "google",
            &[],
            "https://oauth2.googleapis.com/token",
            Some("https://accounts.google.com/o/oauth2/v2/auth"),
        ),
        (
            "okta",
            &[("domain", "acme.okta.com"), ("server", "default")],
            "https://acme.okta.com/oauth2/default/v1/token",
            Some("https://acme.okta.com/oauth2/default/v1/authorize"),
        ),
        (
            "keycloak",
            &[("host", "id.example.com"), ("realm", "acme")],
            "https://id.example.com/realms/acme/protocol/openid-connect/token",
            Some("https://id.example.com/realms/acme/protocol/openid-connect/auth"),
        ),
        (
            "sap-btp",
            &[("url", "https://acme.authentication.eu10.hana.ondemand.com")],
            "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
            None,
        ),
        (
            "hubspot",
            &[],
            "https://api.hubapi.com/oauth/v3/token",
            Some("https://app.hubspot.com/oauth/authorize"),
        ),
    ];
    assert_eq!(
        cases.len(),
        generic().len(),
        "every preset has its case here"
    );
    for (id, values, token, authorize) in cases {
        let v = made(id, values);
        assert!(v.errors.is_empty(), "{id}: {:?}", v.errors);
        let e = v.endpoints.as_ref().expect("endpoints");
        assert_eq!(e.token_url, *token, "{id}");
        if let Some(authorize) = authorize {
            assert_eq!(v.normalized.authorization_url, *authorize, "{id}");
        }
    }
    // The rest of what the providers document.
    let netsuite = made("netsuite", &[("account", "1234567")]).normalized;
    assert_eq!(netsuite.client_auth, ClientAuth::PrivateKeyJwt);
    assert_eq!(netsuite.assertion.algorithm, SigningAlgorithm::PS256);
    assert_eq!(netsuite.assertion.claims[0].value, "{scopes_comma}");
    let entra = made("entra", &[("tenant", "organizations")]).normalized;
    assert!(entra.assertion.certificate_thumbprint);
    assert_eq!(entra.scopes, ["https://graph.microsoft.com/.default"]);
    let google = made("google", &[]).normalized;
    assert!(
        google
            .extra_params
            .iter()
            .any(|p| p.name == "access_type" && p.value == "offline")
    );
    let okta = made(
        "okta",
        &[("domain", "acme.oktapreview.com"), ("server", "aus1a2b3")],
    );
    assert_eq!(
        okta.normalized.issuer,
        "https://acme.oktapreview.com/oauth2/aus1a2b3"
    );
    assert_eq!(
        okta.normalized.test_request.path,
        "/oauth2/aus1a2b3/v1/userinfo"
    );
    assert_eq!(okta.normalized.valid_domains, ["acme.oktapreview.com"]);
}

#[test]
fn a_value_that_does_not_fit_is_said_at_its_field_and_nothing_is_derived() {
    for (id, field, bad) in [
        ("servicenow", "instance", "acme.evil.com"),
        ("servicenow", "instance", "https://acme.service-now.com"),
        ("salesforce", "domain", "acme.lightning.force.com"),
        ("netsuite", "account", "1234567_SB1"),
        ("entra", "tenant", "contoso/../evil"),
        ("okta", "domain", "acme.evil.com"),
        ("keycloak", "host", "id.example.com/x"),
        ("keycloak", "realm", "a/b"),
        (
            "sap-btp",
            "url",
            "https://evil.com/?x=.authentication.eu10.hana.ondemand.com",
        ),
    ] {
        let v = made(id, &[(field, bad)]);
        let at = format!("preset.{field}");
        let errors: Vec<_> = v.errors.iter().filter(|e| e.field == at).collect();
        assert_eq!(errors.len(), 1, "{id} {bad:?}: {:?}", v.errors);
        assert!(v.endpoints.is_none(), "{id} {bad:?}");
        assert!(
            !v.errors
                .iter()
                .any(|e| e.field == "tokenUrl" || e.field == "validDomains"),
            "{:?}",
            v.errors
        );
    }
    let v = made("servicenow", &[("instance", "")]);
    assert!(
        v.errors[0].message.starts_with("Enter the instance."),
        "{:?}",
        v.errors
    );
    let mut s = ConnectionSettings::new_coupa();
    s.provider = Provider::Generic;
    s.preset = Some(PresetChoice {
        id: "nope".to_owned(),
        values: BTreeMap::new(),
    });
    let v = validate(&s, ctx());
    assert!(
        v.errors
            .iter()
            .any(|e| e.field == "preset" && e.message.contains("nope")),
        "{:?}",
        v.errors
    );
}

#[test]
fn a_service_key_fills_the_fields_the_client_id_and_the_secret() {
    let sap = get("sap-btp").expect("sap-btp");
    let key = r#"{"uaa": {"url": "https://acme.authentication.eu10.hana.ondemand.com",
        "clientid": "sb-app!b1|xsuaa!b2", "clientsecret": "s3cr3t-from-the-key"}}"#;
    let read = read_service_key(sap, key).expect("a service key");
    assert_eq!(
        read.values["url"],
        "https://acme.authentication.eu10.hana.ondemand.com"
    );
    assert_eq!(read.client_id, "sb-app!b1|xsuaa!b2");
    assert_eq!(read.client_secret.expose(), "s3cr3t-from-the-key");
    for (bad, why) in [
        ("{", "not JSON"),
        (
            r#"{"url": "https://evil.com", "clientid": "a", "clientsecret": "b"}"#,
            "Paste the service key's url",
        ),
        (
            r#"{"url": "https://acme.authentication.eu10.hana.ondemand.com", "clientsecret": "b"}"#,
            "no \u{201c}clientid\u{201d}",
        ),
    ] {
        let err = read_service_key(sap, bad).expect_err(bad);
        assert!(err.contains(why), "{err}");
    }
    let err = read_service_key(
        sap,
        r#"{"url": 1, "clientid": "a", "clientsecret": "the-secret-value"}"#,
    )
    .expect_err("no url text");
    assert!(!err.contains("the-secret-value"), "{err}");
    assert!(read_service_key(get("google").expect("google"), key).is_err());
}

#[test]
fn coupas_files_say_what_the_coupa_provider_derives_from_any_form_of_the_address() {
    for domain in [CoupaDomain::Customer, CoupaDomain::Partner] {
        let preset = coupa(domain).expect("a Coupa preset for each domain");
        let mut s = choose(&ConnectionSettings::new_coupa(), preset);
        assert_eq!(
            (s.provider, s.coupa_domain, s.preset.as_ref()),
            (Provider::Coupa, domain, None)
        );
        assert_eq!(s.valid_domains, [domain.domain()]);
        s.name = "Coupa".to_owned();
        s.client_id = "c".to_owned();
        s.grant_type = GrantType::AuthorizationCode;
        let values = BTreeMap::from([("instance".to_owned(), "acme".to_owned())]);
        for typed in [
            "acme".to_owned(),
            format!("https://acme.{}/", domain.domain()),
        ] {
            s.subdomain = typed;
            let v = validate(&s, ctx());
            assert!(v.errors.is_empty(), "{:?}", v.errors);
            let e = v.endpoints.expect("endpoints");
            assert_eq!(e.token_url, expand(&preset.token_url, &values));
            assert_eq!(
                e.authorization_url,
                Some(expand(&preset.authorization_url, &values))
            );
            assert_eq!(e.api_base_url, Some(expand(&preset.api_base_url, &values)));
            assert_eq!(e.issuer, Some(expand(&preset.issuer, &values)));
        }
    }
}
