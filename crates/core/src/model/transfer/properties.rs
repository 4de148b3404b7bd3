//! Property tests of the import file reader ([`ExportFile::from_bytes`]): any bytes, and valid
//! exports with one field replaced by anything. Bounded in `make test`; `make fuzz` runs many
//! more cases.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::{ExportFile, FORMAT, VERSION, verdict};
use crate::model::connection::ConnectionSettings;

fn valid_export() -> Value {
    let settings = ConnectionSettings {
        name: "Acme".to_owned(),
        subdomain: "acme".to_owned(),
        client_id: "client".to_owned(),
        ..ConnectionSettings::new_coupa()
    };
    json!({
        "format": FORMAT,
        "version": VERSION,
        "exportedAt": "2026-12-01T00:00:00Z",
        "exportedBy": "Connection Manager",
        "connections": [{ "settings": settings, "needsClientSecret": true }],
    })
}

fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        "\\PC{0,24}".prop_map(Value::from),
        Just(json!("https://evil.example/oauth2/token")),
        Just(json!("http://127.0.0.1:1/")),
        Just(json!("acme")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A place in a valid export: a top-level key, or a key of the connection's settings.
fn place() -> impl Strategy<Value = (bool, &'static str)> {
    prop_oneof![
        prop::sample::select(&["format", "version", "connections", "exportedAt"][..])
            .prop_map(|k| (false, k)),
        prop::sample::select(
            &[
                "name",
                "provider",
                "coupaDomain",
                "subdomain",
                "authorizationUrl",
                "tokenUrl",
                "apiBaseUrl",
                "issuer",
                "requireIss",
                "revocationUrl",
                "clientId",
                "grantType",
                "clientAuth",
                "validDomains",
                "scopes",
                "redirectPort",
                "autoRefresh",
                "testRequest",
                "unknownField",
            ][..]
        )
        .prop_map(|k| (true, k)),
    ]
}

proptest! {
    #[test]
    fn any_bytes_are_read_or_refused_with_a_reason(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Err(reason) = ExportFile::from_bytes(&bytes) {
            prop_assert!(reason.starts_with("it "), "{}", reason);
        }
    }

    #[test]
    fn a_connection_with_one_field_replaced_is_refused_unless_every_rule_holds(
        (in_settings, key) in place(),
        value in any_value(),
    ) {
        let mut file = valid_export();
        let target = if in_settings {
            &mut file["connections"][0]["settings"]
        } else {
            &mut file
        };
        target[key] = value;
        let bytes = serde_json::to_vec(&file).expect("json");
        match ExportFile::from_bytes(&bytes) {
            Ok(read) => {
                prop_assert!(!read.connections.is_empty());
                // A connection at fault is refused on its own, with the field's label.
                for (i, c) in read.connections.iter().enumerate() {
                    let v = verdict(&c.settings);
                    match read.refusal(i) {
                        None => prop_assert!(v.is_valid(), "accepted {:?}", v.errors),
                        Some(reason) => prop_assert!(!v.is_valid() && reason.contains(": "), "{}", reason),
                    }
                }
            }
            Err(reason) => prop_assert!(!reason.is_empty()),
        }
    }
}

#[test]
fn the_unchanged_export_is_read() {
    let bytes = serde_json::to_vec(&valid_export()).expect("json");
    ExportFile::from_bytes(&bytes).expect("a valid export is read");
}
