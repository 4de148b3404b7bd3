//! Property tests of what the redirect listener reads from outside: the request head and the
//! callback's query. Bounded in `make test`; `make fuzz` runs many more cases.

use proptest::prelude::*;

use super::wire::{HEAD_LIMIT, Read, parse_head};
use super::{Expect, IssuerCheck, decide, state_matches};

const STATE: &str = "st4te-0123456789abcdef";
const ISSUER: &str = "https://id.example.com/realms/acme";

fn expect(required: bool) -> Expect {
    Expect {
        state: STATE.to_owned(),
        issuer: IssuerCheck {
            issuer: Some(ISSUER.to_owned()),
            required,
        },
    }
}

/// A query built from callback-like parameters, some of them hostile.
fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("code"),
        Just("state"),
        Just("iss"),
        Just("error"),
        Just("error_description"),
        Just("x"),
    ];
    let value = prop_oneof![
        Just(STATE.to_owned()),
        Just(ISSUER.to_owned()),
        Just(format!("{ISSUER}/")),
        Just(String::new()),
        "\\PC{0,24}",
    ];
    prop::collection::vec((key, value), 0..6).prop_map(|pairs| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            q.append_pair(k, &v);
        }
        q.finish()
    })
}

proptest! {
    #[test]
    fn the_head_parser_never_panics_and_bounds_what_it_waits_for(
        bytes in prop::collection::vec(any::<u8>(), 0..(HEAD_LIMIT + 512)),
    ) {
        match parse_head(&bytes) {
            // Still waiting only while the head can still fit in the limit.
            None => prop_assert!(bytes.len() <= HEAD_LIMIT),
            Some(Read::Head(head)) => prop_assert!(!head.method.is_empty()),
            Some(_) => {}
        }
    }

    #[test]
    fn a_well_formed_head_is_read_whatever_its_target(
        path in "/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,200}",
        headers in prop::collection::vec(("[A-Za-z-]{1,20}", "[ -~]{0,40}"), 0..10),
    ) {
        let mut head = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (k, v) in &headers {
            head.push_str(&format!("{k}: {}\r\n", v.trim()));
        }
        head.push_str("\r\n");
        match parse_head(head.as_bytes()) {
            Some(Read::Head(h)) => {
                prop_assert_eq!(h.method, "GET");
                prop_assert_eq!(h.target, path);
            }
            other => prop_assert!(false, "{:?} for {:?}", other, head),
        }
    }

    #[test]
    fn a_callback_is_accepted_only_with_its_state_its_issuer_and_a_code(
        q in query(),
        required in any::<bool>(),
    ) {
        let expect = expect(required);
        if !state_matches(&q, &expect) {
            // The listener ignores it before any decision.
            return Ok(());
        }
        let params: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let count = |k: &str| params.iter().filter(|(n, _)| n == k).count();
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        if let Ok(code) = decide(&q, &expect) {
            prop_assert_eq!(count("state"), 1);
            prop_assert!(params.iter().all(|(k, _)| count(k) == 1), "no repeated parameter");
            prop_assert!(get("error").is_none());
            prop_assert_eq!(Some(code.expose()), get("code"));
            prop_assert!(!code.expose().is_empty());
            match get("iss") {
                Some(iss) => prop_assert_eq!(iss, ISSUER),
                None => prop_assert!(!required),
            }
        }
    }
}
