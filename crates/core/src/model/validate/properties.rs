//! Property tests of the parsers of what an admin types or a file holds: the Coupa address,
//! URLs, valid domain names, and the whole settings. Bounded in `make test`; `make fuzz` runs
//! many more cases.

use proptest::prelude::*;
use url::Url;

use super::urls::is_loopback_host;
use super::{Context, check_url, host_allowed, normalize_domain, parse_coupa_instance, validate};
use crate::model::connection::{ConnectionSettings, CoupaDomain, GrantType, Provider};

/// Text shaped like what is pasted into an address field, hostile parts included.
fn address() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        Just("https://".to_owned()),
        Just("http://".to_owned()),
        Just("acme".to_owned()),
        Just(".coupahost.com".to_owned()),
        Just(".coupacloud".to_owned()),
        Just("127.0.0.1".to_owned()),
        Just("[::1]".to_owned()),
        Just("localhost".to_owned()),
        Just("evil.example".to_owned()),
        Just("user:pw@".to_owned()),
        Just(":8443".to_owned()),
        Just("/path?x=1#f".to_owned()),
        Just("*.".to_owned()),
        Just(".".to_owned()),
        "[a-z0-9-]{1,12}",
        "\\PC{0,6}",
    ];
    prop::collection::vec(part, 0..6).prop_map(|parts| parts.concat())
}

fn domain_choice() -> impl Strategy<Value = CoupaDomain> {
    prop_oneof![Just(CoupaDomain::Customer), Just(CoupaDomain::Partner)]
}

fn https_or_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    url.scheme() == "https" || (url.scheme() == "http" && is_loopback_host(host))
}

proptest! {
    #[test]
    fn a_coupa_address_resolves_to_one_https_instance_or_a_clear_error(
        input in prop_oneof![address(), any::<String>()],
        selected in domain_choice(),
    ) {
        match parse_coupa_instance(&input, selected) {
            Ok(instance) => {
                let url = Url::parse(&instance.base_url).expect("the base URL parses");
                prop_assert!(https_or_loopback(&url), "{}", instance.base_url);
                prop_assert!(url.username().is_empty() && url.password().is_none());
                prop_assert_eq!(url.path(), "/");
                prop_assert!(url.query().is_none() && url.fragment().is_none());
                // What it resolved to resolves to itself.
                let again = parse_coupa_instance(&instance.base_url, selected)
                    .expect("the base URL is accepted");
                prop_assert_eq!(again.base_url, instance.base_url);
            }
            Err(message) => prop_assert!(!message.is_empty()),
        }
    }

    #[test]
    fn a_checked_url_is_https_or_loopback_with_no_credentials(
        input in prop_oneof![address(), any::<String>()],
    ) {
        if let Ok(checked) = check_url(&input, "address") {
            let url = Url::parse(&checked).expect("a checked URL parses");
            prop_assert!(https_or_loopback(&url), "{}", checked);
            prop_assert!(url.username().is_empty() && url.password().is_none());
            prop_assert!(url.fragment().is_none());
            prop_assert_eq!(check_url(&checked, "address"), Ok(checked.clone()));
        }
    }

    #[test]
    fn a_normalised_domain_is_a_bare_host_that_normalises_to_itself(
        input in prop_oneof![address(), any::<String>()],
    ) {
        if let Ok(d) = normalize_domain(&input) {
            prop_assert!(!d.is_empty() && d.len() <= super::HOST_MAX);
            prop_assert!(!d.contains(['/', ' ', '@', '?', '#']), "{}", d);
            prop_assert_eq!(d.to_ascii_lowercase(), d.clone());
            prop_assert_eq!(normalize_domain(&d), Ok(d.clone()));
            prop_assert!(host_allowed(&d, std::slice::from_ref(&d)));
        }
    }

    #[test]
    fn valid_settings_call_only_hosts_under_their_valid_domains(
        provider in prop_oneof![Just(Provider::Coupa), Just(Provider::Generic)],
        grant in prop_oneof![Just(GrantType::ClientCredentials), Just(GrantType::AuthorizationCode)],
        subdomain in address(),
        authorization_url in address(),
        token_url in address(),
        api_base_url in address(),
        revocation_url in address(),
        issuer in address(),
        domains in prop::collection::vec(address(), 0..4),
        scopes in prop::collection::vec("\\PC{0,12}", 0..4),
        name in "\\PC{0,12}",
    ) {
        let settings = ConnectionSettings {
            name,
            provider,
            grant_type: grant,
            subdomain,
            authorization_url,
            token_url,
            api_base_url,
            revocation_url,
            issuer,
            client_id: "client".to_owned(),
            valid_domains: domains,
            scopes,
            ..ConnectionSettings::new_coupa()
        };
        let ctx = Context { other_names: &[], has_client_secret: true, secret_is_empty: false };
        let verdict = validate(&settings, ctx);
        if verdict.is_valid() {
            let ep = verdict.endpoints.expect("a valid connection has its endpoints");
            let domains = &verdict.normalized.valid_domains;
            for url in [
                ep.authorization_url.as_deref(),
                Some(ep.token_url.as_str()),
                ep.api_base_url.as_deref(),
                ep.revocation_url.as_deref(),
            ]
            .into_iter()
            .flatten()
            {
                let parsed = Url::parse(url).expect("an endpoint parses");
                prop_assert!(https_or_loopback(&parsed), "{}", url);
                prop_assert!(
                    host_allowed(parsed.host_str().unwrap_or_default(), domains),
                    "{} is outside {:?}", url, domains
                );
            }
            // Validating what was saved gives the same verdict (nothing drifts on a re-save).
            let again = validate(&verdict.normalized, ctx);
            prop_assert!(again.is_valid(), "{:?}", again.errors);
            prop_assert_eq!(again.normalized, verdict.normalized);
        }
    }
}
