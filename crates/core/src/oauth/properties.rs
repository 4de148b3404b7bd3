//! Property tests of the token answer reader: what a server sends is read by `oauth2` into a
//! [`TokenAnswer`] and turned into a [`TokenSet`] by [`token_set`]. Bounded in `make test`;
//! `make fuzz` runs many more cases.

use oauth2::TokenResponse;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::{MAX_LIFETIME, TokenAnswer, token_set};
use crate::time::Timestamp;

/// Values of any JSON type, numbers at their edges included.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        Just(json!(u64::MAX)),
        Just(json!(1e300)),
        Just(json!("999999999999")),
        "\\PC{0,16}".prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
    ]
}

/// A token answer with each field present or not, and of any type.
fn answer() -> impl Strategy<Value = Value> {
    let field = |name: &'static str, good: Value| {
        prop_oneof![
            Just(None),
            Just(Some((name, good))),
            any_value().prop_map(move |v| Some((name, v))),
        ]
    };
    (
        field("access_token", json!("at-0123456789")),
        field("token_type", json!("Bearer")),
        field("expires_in", json!(3600)),
        field("refresh_token", json!("rt-0123456789")),
        field("scope", json!("core.user.read openid")),
        field("id_token", json!("a.b.c")),
    )
        .prop_map(|fields| {
            let (a, b, c, d, e, f) = fields;
            let mut object = serde_json::Map::new();
            for (k, v) in [a, b, c, d, e, f].into_iter().flatten() {
                object.insert(k.to_owned(), v);
            }
            Value::Object(object)
        })
}

proptest! {
    #[test]
    fn any_answer_is_read_or_refused_and_a_lifetime_is_capped(answer in answer()) {
        let text = answer.to_string();
        let Ok(parsed) = serde_json::from_str::<TokenAnswer>(&text) else {
            return Ok(());
        };
        let requested = vec!["core.user.read".to_owned()];
        let before = Timestamp::now();
        if let Ok(set) = token_set(&parsed, &requested, &requested) {
            prop_assert_eq!(set.access_token.expose(), parsed.access_token().secret());
            if let Some(expires) = set.expires_at {
                prop_assert!(expires >= before, "{}", text);
                let latest = Timestamp::now()
                    .checked_add(MAX_LIFETIME)
                    .expect("ten years from now is a time");
                prop_assert!(expires <= latest, "{} → {}", text, expires);
            }
            // What is kept can be written and read back.
            let info = serde_json::to_string(&set.info).expect("written");
            prop_assert!(serde_json::from_str::<super::TokenInfo>(&info).is_ok());
        }
    }

    #[test]
    fn any_text_is_refused_without_a_panic(text in "\\PC{0,200}") {
        let _ = serde_json::from_str::<TokenAnswer>(&text);
    }
}
