use super::*;

#[test]
fn json_values_of_secret_keys_are_masked_wherever_they_are() {
    let body = r#"{"access_token":"abc123","token_type":"Bearer","nested":{"Refresh_Token":"r-456"},
        "list":[{"client_secret":"s3"}],"note":"ok","code":null}"#;
    let out = redact(body);
    for secret in ["abc123", "r-456", "s3"] {
        assert!(!out.contains(secret), "{out}");
    }
    assert!(out.contains(r#""note":"ok""#), "{out}");
    assert!(out.contains(r#""token_type":"Bearer""#), "{out}");
    assert!(out.contains(r#""code":null"#), "nothing to hide: {out}");
}

#[test]
fn non_ascii_text_around_an_empty_value_is_kept_whole() {
    // Once a panic: the scan stepped 10 bytes past an empty value into a multi-byte character.
    let body = r#"{"code":"","msg":"未授权访问"}"#;
    assert_eq!(redact(body), r#"{"code":"[redacted]","msg":"未授权访问"}"#);
    let text = "code= , msg=未授权访问 password=密码密码 end";
    let out = redact(text);
    assert!(
        out.contains("未授权访问") && !out.contains("密码密码"),
        "{out}"
    );
    assert!(out.ends_with(" end"), "{out}");
}

#[test]
fn form_bodies_are_parsed() {
    let form = redact("grant_type=authorization_code&code=SplxlOB&code_verifier=abc&state=s1");
    assert_eq!(
        form,
        "grant_type=authorization_code&code=[redacted]&code_verifier=[redacted]&state=s1"
    );
    assert_eq!(
        redact("client%5Fsecret=x1&error=invalid_client"),
        "client%5Fsecret=[redacted]&error=invalid_client"
    );
}

#[test]
fn headers_bearer_and_basic_credentials_and_jwts_are_masked() {
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl";
    let cases = [
        ("Authorization: Bearer abc.def-123", "abc.def-123"),
        ("authorization=Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        (
            "the server said: invalid token, Bearer xyz987 refused",
            "xyz987",
        ),
        (&format!("id {jwt} was refused"), jwt),
        (&format!(r#"{{"error":"bad","detail":"token {jwt}"}}"#), jwt),
        (r#"{"headers":{"Authorization":"Bearer q1w2e3"}}"#, "q1w2e3"),
        ("token: t-0000-secret; next", "t-0000-secret"),
    ];
    for (text, secret) in cases {
        let out = redact(text);
        assert!(!out.contains(secret), "{text} → {out}");
        assert!(out.contains(MASK), "{text} → {out}");
    }
}

#[test]
fn words_that_only_contain_a_key_are_left_alone() {
    for text in [
        "error_code=42",
        "the token endpoint answered 500",
        "token_type: Bearer",
        "barcode=123",
        "Send a code to sign in",
    ] {
        assert_eq!(redact(text), text);
    }
}

/// Properties over generated text: bounded in `make test`, a million cases each in `make fuzz`.
mod properties {
    use proptest::prelude::*;

    use super::super::*;

    /// A secret value a test can look for afterwards.
    fn secret() -> impl Strategy<Value = String> {
        "[A-Za-z0-9_~+/-]{12,40}".prop_map(|s| format!("S3cr3t{s}"))
    }

    fn key() -> impl Strategy<Value = &'static str> {
        prop::sample::select(&SECRET_KEYS[..])
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(text in any::<String>()) {
            let _ = redact(&text);
        }

        #[test]
        fn never_panics_on_text_made_of_keys_and_separators(
            parts in prop::collection::vec(
                prop_oneof![
                    key().prop_map(str::to_owned),
                    Just("\":\"".to_owned()),
                    Just("=".to_owned()),
                    Just("&".to_owned()),
                    Just(" ".to_owned()),
                    Just("Bearer ".to_owned()),
                    "\\PC{0,4}",
                ],
                0..20,
            )
        ) {
            let _ = redact(&parts.concat());
        }

        #[test]
        fn a_secret_in_json_never_gets_through(
            key in key(),
            value in secret(),
            note in "\\PC{0,20}",
        ) {
            let body = serde_json::json!({ "note": note, "wrap": { key: value.clone() } }).to_string();
            let out = redact(&body);
            prop_assert!(!out.contains(&value), "{} → {}", body, out);
        }

        #[test]
        fn a_secret_in_a_form_never_gets_through(key in key(), value in secret()) {
            let body = format!("grant_type=x&{key}={value}&state=y");
            let out = redact(&body);
            prop_assert!(!out.contains(&value), "{} → {}", body, out);
        }

        #[test]
        fn a_secret_in_text_never_gets_through(
            key in key(),
            value in secret(),
            before in "\\PC{0,20}",
            sep in prop::sample::select(&["=", ": ", "\":\"", " = "][..]),
        ) {
            let body = format!("{before} {key}{sep}{value} after");
            let out = redact(&body);
            prop_assert!(!out.contains(&value), "{} → {}", body, out);
        }

        #[test]
        fn a_bearer_credential_never_gets_through(value in secret(), before in "\\PC{0,20}") {
            let body = format!("{before} Bearer {value}");
            let out = redact(&body);
            prop_assert!(!out.contains(&value), "{} → {}", body, out);
        }
    }
}
