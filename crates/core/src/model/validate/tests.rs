use super::*;
use crate::model::connection::{ClientAuth, CoupaDomain, TestMethod, TestRequest};

fn coupa(subdomain: &str) -> ConnectionSettings {
    ConnectionSettings {
        name: "Acme".to_owned(),
        subdomain: subdomain.to_owned(),
        client_id: "client-1".to_owned(),
        ..ConnectionSettings::new_coupa()
    }
}

fn ok_ctx() -> Context<'static> {
    Context {
        other_names: &[],
        has_client_secret: true,
        secret_is_empty: false,
    }
}

fn fields(v: &Validation) -> Vec<&str> {
    v.errors.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn a_valid_coupa_connection_resolves_its_endpoints() {
    let v = validate(&coupa("acme"), ok_ctx());
    assert!(v.is_valid(), "{:?}", v.errors);
    let ep = v.endpoints.expect("endpoints");
    assert_eq!(
        ep.instance_url.as_deref(),
        Some("https://acme.coupahost.com")
    );
    assert_eq!(ep.token_url, "https://acme.coupahost.com/oauth2/token");
    assert_eq!(
        ep.authorization_url, None,
        "client credentials has no authorization URL"
    );
    assert_eq!(
        ep.api_base_url.as_deref(),
        Some("https://acme.coupahost.com")
    );

    let mut s = coupa("acme");
    s.grant_type = GrantType::AuthorizationCode;
    let ep = validate(&s, ok_ctx()).endpoints.expect("endpoints");
    assert_eq!(
        ep.authorization_url.as_deref(),
        Some("https://acme.coupahost.com/oauth2/authorizations/new")
    );
}

#[test]
fn endpoint_overrides_replace_the_derived_ones() {
    let mut s = coupa("acme");
    s.token_url = "https://login.acme.coupahost.com/token".to_owned();
    let v = validate(&s, ok_ctx());
    assert!(v.is_valid(), "{:?}", v.errors);
    assert_eq!(
        v.endpoints.expect("endpoints").token_url,
        "https://login.acme.coupahost.com/token"
    );
}

#[test]
fn every_error_is_reported_at_once_with_its_field() {
    let s = ConnectionSettings {
        name: "  ".to_owned(),
        subdomain: String::new(),
        client_id: String::new(),
        scopes: vec![],
        valid_domains: vec![],
        test_request: TestRequest {
            method: TestMethod::Get,
            path: "api/users".to_owned(),
        },
        redirect_port: Some(80),
        ..ConnectionSettings::new_coupa()
    };
    let ctx = Context {
        has_client_secret: false,
        ..ok_ctx()
    };
    let v = validate(&s, ctx);
    let mut got = fields(&v);
    got.sort_unstable();
    let mut want = vec![
        field::NAME,
        field::SUBDOMAIN,
        field::CLIENT_ID,
        field::CLIENT_SECRET,
        field::VALID_DOMAINS,
        field::SCOPES,
        field::REDIRECT_PORT,
        field::TEST_REQUEST,
    ];
    want.sort_unstable();
    assert_eq!(got, want, "{:#?}", v.errors);
    assert!(
        v.errors.iter().all(|e| e.message.ends_with('.')),
        "messages are sentences"
    );
}

#[test]
fn names_are_unique_trimmed_and_case_insensitively() {
    let others = ["Acme Production", "Sandbox"];
    let ctx = Context {
        other_names: &others,
        ..ok_ctx()
    };
    let mut s = coupa("acme");
    s.name = "  acme production ".to_owned();
    let v = validate(&s, ctx);
    assert_eq!(fields(&v), [field::NAME]);
    assert!(
        v.errors[0].message.contains("already exists"),
        "{:?}",
        v.errors
    );
    s.name = "x".repeat(101);
    assert!(validate(&s, ctx).errors[0].message.contains("at most 100"));
    s.name = "é".repeat(100);
    assert!(validate(&s, ctx).is_valid(), "100 characters, not bytes");
    s.name = " Acme staging ".to_owned();
    assert_eq!(validate(&s, ctx).normalized.name, "Acme staging");
}

#[test]
fn a_host_outside_the_valid_domains_is_named() {
    let mut s = coupa("acme");
    s.token_url = "https://evil.example.com/oauth2/token".to_owned();
    let v = validate(&s, ok_ctx());
    assert_eq!(fields(&v), [field::TOKEN_URL]);
    assert!(
        v.errors[0]
            .message
            .contains("https://evil.example.com/oauth2/token"),
        "{:?}",
        v.errors
    );
    assert!(v.errors[0].message.contains("coupahost.com"));

    let mut s = coupa("https://acme.coupacloud.com");
    s.valid_domains = vec!["coupahost.com".to_owned()];
    let v = validate(&s, ok_ctx());
    assert_eq!(
        fields(&v),
        [field::VALID_DOMAINS, field::VALID_DOMAINS],
        "token and API URLs"
    );
    assert!(
        v.errors[0]
            .message
            .contains("https://acme.coupacloud.com/oauth2/token")
    );
}

#[test]
fn valid_domains_match_the_host_or_its_subdomains_only() {
    let d = vec!["coupahost.com".to_owned(), "127.0.0.1".to_owned()];
    assert!(host_allowed("coupahost.com", &d));
    assert!(host_allowed("acme.coupahost.com", &d));
    assert!(host_allowed("ACME.coupahost.com.", &d));
    assert!(
        !host_allowed("evilcoupahost.com", &d),
        "a suffix is not a subdomain"
    );
    assert!(!host_allowed("coupahost.com.evil.net", &d));
    assert!(host_allowed("127.0.0.1", &d));
    assert!(
        !host_allowed("1.127.0.0.1", &d),
        "IP addresses match exactly"
    );
}

#[test]
fn valid_domain_entries_are_normalised_or_refused() {
    assert_eq!(
        normalize_domain(" https://Acme.CoupaHost.com/ ").as_deref(),
        Ok("acme.coupahost.com")
    );
    assert_eq!(
        normalize_domain("*.coupahost.com").as_deref(),
        Ok("coupahost.com")
    );
    assert_eq!(normalize_domain("[::1]").as_deref(), Ok("::1"));
    assert!(
        normalize_domain("com")
            .expect_err("a TLD")
            .contains("too broad")
    );
    assert!(normalize_domain("bad domain.com").is_err());
    assert!(
        normalize_domain("bücher.de")
            .expect_err("IDN")
            .contains("non-ASCII")
    );
}

#[test]
fn urls_must_be_https_except_on_loopback() {
    assert!(check_url("https://login.example.com/token", "token URL").is_ok());
    assert!(check_url("http://127.0.0.1:9/token", "token URL").is_ok());
    assert!(check_url("http://localhost/token", "token URL").is_ok());
    let err = check_url("http://example.test/token", "token URL").expect_err("http");
    assert!(
        err.contains("token URL") && err.contains("https://"),
        "{err}"
    );
    assert!(
        check_url("javascript:alert(1)", "token URL")
            .expect_err("js")
            .contains("javascript:")
    );
    assert!(
        check_url("https://u:p@x.example.com/", "token URL")
            .expect_err("userinfo")
            .contains("user name")
    );
    assert!(
        check_url("/oauth2/token", "token URL")
            .expect_err("relative")
            .contains("full address")
    );
}

#[test]
fn generic_connections_need_their_urls() {
    let s = ConnectionSettings {
        name: "Okta".to_owned(),
        provider: Provider::Generic,
        client_id: "abc".to_owned(),
        grant_type: GrantType::AuthorizationCode,
        valid_domains: vec!["okta.com".to_owned()],
        scopes: vec!["openid".to_owned()],
        ..ConnectionSettings::new_coupa()
    };
    let v = validate(&s, ok_ctx());
    assert_eq!(fields(&v), [field::AUTHORIZATION_URL, field::TOKEN_URL]);
    let s = ConnectionSettings {
        authorization_url: "https://acme.okta.com/oauth2/v1/authorize".to_owned(),
        token_url: "https://acme.okta.com/oauth2/v1/token".to_owned(),
        client_auth: ClientAuth::Basic,
        ..s
    };
    let v = validate(
        &s,
        Context {
            has_client_secret: false,
            ..ok_ctx()
        },
    );
    assert!(
        v.is_valid(),
        "a public auth-code client needs no secret: {:?}",
        v.errors
    );
    assert_eq!(v.endpoints.expect("endpoints").api_base_url, None);
}

#[test]
fn scopes_are_split_deduplicated_and_unknown_ones_flagged() {
    let mut s = coupa("acme");
    s.scopes = vec![
        "core.user.read core.invoice.read,core.user.read".to_owned(),
        " core.custom_thing.read ".to_owned(),
    ];
    let v = validate(&s, ok_ctx());
    assert!(v.is_valid(), "{:?}", v.errors);
    assert_eq!(
        v.normalized.scopes,
        [
            "core.user.read",
            "core.invoice.read",
            "core.custom_thing.read"
        ]
    );
    assert_eq!(v.warnings.len(), 1);
    assert!(v.warnings[0].message.contains("core.custom_thing.read"));
    s.scopes = vec!["core.user.read".to_owned(), "bad\"scope".to_owned()];
    assert_eq!(fields(&validate(&s, ok_ctx())), [field::SCOPES]);
}

#[test]
fn client_credentials_needs_a_secret_and_an_empty_one_is_refused() {
    let no_secret = Context {
        has_client_secret: false,
        ..ok_ctx()
    };
    assert_eq!(
        fields(&validate(&coupa("acme"), no_secret)),
        [field::CLIENT_SECRET]
    );
    let empty = Context {
        secret_is_empty: true,
        ..ok_ctx()
    };
    assert_eq!(
        fields(&validate(&coupa("acme"), empty)),
        [field::CLIENT_SECRET]
    );
    let mut s = coupa("acme");
    s.client_id = "id with space".to_owned();
    assert_eq!(fields(&validate(&s, ok_ctx())), [field::CLIENT_ID]);
}

#[test]
fn the_domain_pasted_wins_over_the_one_chosen() {
    let mut s = coupa("https://acme.coupacloud.com/");
    s.coupa_domain = CoupaDomain::Customer;
    let v = validate(&s, ok_ctx());
    assert_eq!(
        v.normalized.coupa_domain,
        CoupaDomain::Partner,
        "the form follows what Rust read"
    );
    let mut s = coupa("acme");
    s.coupa_domain = CoupaDomain::Partner;
    assert_eq!(
        validate(&s, ok_ctx()).normalized.coupa_domain,
        CoupaDomain::Partner,
        "an organisation alone keeps the choice"
    );
}

#[test]
fn unbounded_input_is_capped_with_clear_errors() {
    // 20,000 distinct scopes and domains: refused by count, at once (no quadratic dedup).
    let mut s = coupa("acme");
    s.scopes = (0..20_000).map(|i| format!("scope.{i}")).collect();
    s.valid_domains = (0..20_000).map(|i| format!("h{i}.example.com")).collect();
    let v = validate(&s, ok_ctx());
    let message = |field: &str| {
        v.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
            .unwrap_or_default()
    };
    assert!(
        message(field::SCOPES).contains(&format!("at most {SCOPES_MAX} scopes")),
        "{:?}",
        v.errors
    );
    assert!(
        message(field::VALID_DOMAINS).contains(&format!("at most {DOMAINS_MAX} valid domain")),
        "{:?}",
        v.errors
    );
    assert_eq!(
        v.errors.len(),
        2,
        "one error a field, not one per item: {:?}",
        v.errors
    );

    // Up to the limit (duplicates count: it is what was sent) is fine, duplicates collapse, and one scope too long is named.
    let mut s = coupa("acme");
    s.scopes = (0..SCOPES_MAX - 1)
        .map(|i| format!("s{}", i % 10))
        .chain(["core.user.read".to_owned()])
        .collect();
    let v = validate(&s, ok_ctx());
    assert!(
        fields(&v).iter().all(|f| *f != field::SCOPES),
        "{:?}",
        v.errors
    );
    assert_eq!(v.normalized.scopes.len(), 11);
    s.scopes = vec!["x".repeat(SCOPE_MAX + 1), "y".repeat(SCOPE_MAX + 1)];
    let v = validate(&s, ok_ctx());
    assert!(
        message_of(&v, field::SCOPES).contains(&format!("at most {SCOPE_MAX} characters")),
        "{:?}",
        v.errors
    );
}

fn message_of(v: &Validation, field: &str) -> String {
    v.errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[test]
fn another_servers_address_as_coupa_subdomain_is_an_error_offering_generic() {
    for pasted in [
        "https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
        "acme.service-now.com",
        "https://acme.coupahost.com.evil.example",
    ] {
        let v = validate(&coupa(pasted), ok_ctx());
        let issue = v
            .errors
            .iter()
            .find(|e| e.field == field::SUBDOMAIN)
            .unwrap_or_else(|| panic!("{pasted}: {:?}", v.errors));
        assert!(
            issue.message.contains("is not a Coupa address"),
            "{issue:?}"
        );
        assert!(issue.message.contains("Generic OAuth 2.0"), "{issue:?}");
        assert_eq!(issue.action, Some(FieldAction::UseGeneric), "{pasted}");
        assert!(v.endpoints.is_none(), "{pasted}: nothing is called");
    }
    // Coupa's own domains and a test server on this computer are not refused.
    for ok in [
        "acme",
        "https://acme.coupacloud.com/",
        "acme.coupahost.eu",
        "acme.coupadev.com",
        "http://127.0.0.1:8080",
    ] {
        let v = validate(&coupa(ok), ok_ctx());
        assert!(
            !fields(&v).contains(&field::SUBDOMAIN),
            "{ok}: {:?}",
            v.errors
        );
        assert!(v.errors.iter().all(|e| e.action.is_none()), "{ok}");
    }
}

#[test]
fn a_generic_connections_messages_never_speak_of_coupa() {
    let mut s = ConnectionSettings::new_coupa();
    s.provider = Provider::Generic;
    s.valid_domains = vec!["com".to_owned(), "http://evil.example/x y".to_owned()];
    for grant in [
        GrantType::ClientCredentials,
        GrantType::AuthorizationCode,
        GrantType::DeviceCode,
    ] {
        s.grant_type = grant;
        for ctx in [
            ok_ctx(),
            Context {
                other_names: &[],
                has_client_secret: false,
                secret_is_empty: false,
            },
            Context {
                other_names: &[],
                has_client_secret: true,
                secret_is_empty: true,
            },
        ] {
            let v = validate(&s, ctx);
            assert!(!v.errors.is_empty());
            for issue in v.errors.iter().chain(&v.warnings) {
                for word in ["Coupa", "coupahost", "Identifier"] {
                    assert!(!issue.message.contains(word), "{grant:?}: {issue:?}");
                }
            }
        }
    }
}

#[test]
fn each_listed_domain_is_read_on_its_own_in_order() {
    let mut s = coupa("acme");
    s.valid_domains = ["http://Evil.com/path", "com", "", "Acme.COUPAHOST.com"]
        .map(str::to_owned)
        .to_vec();
    let v = validate(&s, ok_ctx());
    let shown: Vec<_> = v.domains.iter().map(|d| d.host.as_deref()).collect();
    assert_eq!(
        shown,
        [Some("evil.com"), None, None, Some("acme.coupahost.com")]
    );
    assert_eq!(v.domains[0].typed, "http://Evil.com/path", "as listed");
    let problem = v.domains[1].problem.as_deref().expect("a problem");
    assert!(problem.contains("too broad"), "{problem}");
    assert!(v.domains[2].problem.is_none(), "an empty item is no chip");
    assert!(
        v.errors
            .iter()
            .any(|e| e.field == field::VALID_DOMAINS && e.message == problem),
        "the same message stops the save"
    );
}
