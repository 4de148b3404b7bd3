use super::*;
use crate::model::connection::{ConnectionSettings, Endpoints, TestSummary};
use crate::time::Timestamp;

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("a time")
}

fn connection(name: &str, host: &str, scopes: &[&str]) -> Connection {
    Connection {
        id: format!("id-{name}"),
        settings: ConnectionSettings {
            name: name.to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            ..ConnectionSettings::new_coupa()
        },
        endpoints: Endpoints {
            instance_url: Some(format!("https://{host}")),
            authorization_url: None,
            token_url: format!("https://{host}/oauth2/token"),
            api_base_url: Some(format!("https://{host}")),
            issuer: None,
            revocation_url: None,
            device_authorization_url: None,
        },
        has_client_secret: true,
        created_at: at("2026-11-01T00:00:00Z"),
        updated_at: at("2026-11-01T00:00:00Z"),
        last_test: None,
        last_used: None,
        token: None,
        needs_client_secret: false,
    }
}

/// beta (used 11:00, tested on the 20th), Acme 10 (used 11:30), acme 9 (tested at 10:00),
/// Ärzte (never used or tested), in the order they were created.
fn saved() -> Vec<Connection> {
    let mut beta = connection("beta", "beta.coupacloud.com", &[]);
    beta.last_used = Some(at("2026-11-24T11:00:00Z"));
    beta.last_test = Some(TestSummary {
        ok: true,
        at: at("2026-11-20T00:00:00Z"),
        summary: "All steps passed".to_owned(),
    });
    let mut acme10 = connection(
        "Acme 10",
        "acme.coupahost.com",
        &["core.invoice.read", "core.user.read"],
    );
    acme10.last_used = Some(at("2026-11-24T11:30:00Z"));
    let mut acme9 = connection("acme 9", "login.example.com", &[]);
    acme9.last_test = Some(TestSummary {
        ok: false,
        at: at("2026-11-24T10:00:00Z"),
        summary: "A step failed".to_owned(),
    });
    let aerzte = connection("Ärzte", "aerzte.example.com", &[]);
    vec![beta, acme10, acme9, aerzte]
}

fn names(page: &ListPage) -> Vec<&str> {
    page.rows.iter().map(|r| r.name.as_str()).collect()
}

fn query(search: &str, sort: ListSort) -> ListQuery {
    ListQuery {
        search: search.to_owned(),
        sort,
        offset: 0,
        limit: 100,
        locate: None,
    }
}

#[test]
fn sorts_by_name_in_any_case_with_accents_aside_and_numbers_by_value() {
    let all = saved();
    let page = ListIndex::new(&all).page(&all, &query("", ListSort::Name));
    assert_eq!(names(&page), ["acme 9", "Acme 10", "Ärzte", "beta"]);
}

#[test]
fn sorts_by_last_use_and_last_test_newest_first_then_by_name() {
    let all = saved();
    let index = ListIndex::new(&all);
    let used = index.page(&all, &query("", ListSort::LastUsed));
    assert_eq!(names(&used), ["Acme 10", "beta", "acme 9", "Ärzte"]);
    let tested = index.page(&all, &query("", ListSort::LastTested));
    assert_eq!(names(&tested), ["acme 9", "beta", "Acme 10", "Ärzte"]);
}

#[test]
fn finds_every_word_in_the_name_host_or_scopes_in_any_case() {
    let all = saved();
    let index = ListIndex::new(&all);
    let find = |text: &str| {
        let page = index.page(&all, &query(text, ListSort::Name));
        (names(&page).join(","), page.matching, page.saved)
    };
    assert_eq!(find("ACME"), ("acme 9,Acme 10".to_owned(), 2, 4));
    assert_eq!(find("coupacloud"), ("beta".to_owned(), 1, 4));
    assert_eq!(find("invoice  acme"), ("Acme 10".to_owned(), 1, 4));
    assert_eq!(find("ärzte"), ("Ärzte".to_owned(), 1, 4));
    assert_eq!(find("  ").1, 4);
    assert_eq!(find("nothing-like-this"), (String::new(), 0, 4));
}

#[test]
fn gives_the_page_asked_for_and_where_the_selection_is() {
    let all = saved();
    let index = ListIndex::new(&all);
    let page = index.page(
        &all,
        &ListQuery {
            offset: 1,
            limit: 2,
            locate: Some("id-beta".to_owned()),
            ..query("", ListSort::Name)
        },
    );
    assert_eq!(names(&page), ["Acme 10", "Ärzte"]);
    assert_eq!((page.offset, page.matching, page.located), (1, 4, Some(3)));

    // The selection filtered out is not located; an offset past the end gives no rows.
    let page = index.page(
        &all,
        &ListQuery {
            offset: 99,
            locate: Some("id-beta".to_owned()),
            ..query("acme", ListSort::Name)
        },
    );
    assert!(page.rows.is_empty());
    assert_eq!((page.offset, page.matching, page.located), (2, 2, None));

    // The largest limit asks for everything without overflowing.
    let page = index.page(
        &all,
        &ListQuery {
            offset: 3,
            limit: u32::MAX,
            ..query("", ListSort::Name)
        },
    );
    assert_eq!(names(&page), ["beta"]);
}

#[test]
fn a_row_says_what_the_list_shows_and_no_more() {
    let all = saved();
    let page = ListIndex::new(&all).page(&all, &query("acme 10", ListSort::Name));
    let [row] = page.rows.as_slice() else {
        panic!("one row expected, got {page:?}");
    };
    assert_eq!(row.host, "acme.coupahost.com");
    assert_eq!(row.scope_count, 2);
    let json = serde_json::to_string(row).expect("json");
    assert!(!json.contains("core.invoice.read"), "{json}");
}
