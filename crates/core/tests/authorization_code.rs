//! Authorization code with PKCE through the loopback listener, against the sandbox, with a
//! scripted browser that walks the sandbox's pages as a person would. Test names carry the item
//! numbers of the native OAuth client checklist (shared/reference/native-oauth-checklist.md).

use std::sync::{Arc, Mutex};
use std::time::Duration;

#[path = "authorization_code/browser.rs"]
mod browser;
mod common;

use browser::{Script, ScriptedBrowser, Seen, connection, sandbox, sign_in};

use connmgr_core::ErrorCode;
use connmgr_core::http::HttpClient;
use connmgr_core::oauth::authorization_code;
use connmgr_sandbox::config::Consent;

const LONG: Duration = Duration::from_secs(20);

#[tokio::test]
async fn checklist_01_04_13_sign_in_through_the_opener_with_pkce_s256_and_one_redirect_uri() {
    let sb = sandbox(Consent::Approve).await;
    let mut conn = connection(&sb, &["core.user.read", "offline_access"]);
    conn.settings.extra_params.push(common::consent());
    let (result, seen) = sign_in(&sb, &conn, Script::Follow, LONG).await;
    let token = result.expect("signed in");
    assert!(
        token.refresh_token.is_some(),
        "offline_access with prompt=consent gives a refresh token"
    );
    // The strict server does not list `offline_access` in `scope`: the refresh token says it
    // was granted.
    assert_eq!(
        token.info.granted_scopes,
        ["core.user.read", "offline_access"]
    );
    assert!(token.info.missing_scopes.is_empty());
    let (second, seen2) = sign_in(&sb, &conn, Script::Follow, LONG).await;
    second.expect("second sign-in");
    let urls: Vec<url::Url> = [&seen, &seen2]
        .iter()
        .map(|s| url::Url::parse(&s.lock().expect("lock").authorize_urls[0]).expect("url"))
        .collect();
    let param = |u: &url::Url, k: &str| {
        u.query_pairs()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    for u in &urls {
        assert_eq!(param(u, "code_challenge_method"), "S256");
        assert_eq!(
            param(u, "code_challenge").len(),
            43,
            "BASE64URL(SHA256) is 43 characters"
        );
        assert!(param(u, "state").len() >= 16);
    }
    assert_ne!(
        param(&urls[0], "code_challenge"),
        param(&urls[1], "code_challenge"),
        "a fresh verifier each run"
    );
    assert_ne!(
        param(&urls[0], "state"),
        param(&urls[1], "state"),
        "a fresh state each run"
    );

    // The client's side of items 4 and 13, from what the token endpoint received: each
    // verifier is 43–128 unreserved characters whose S256 is the challenge the browser was
    // given, and the redirect URI is the very one of the authorization request, port included.
    let exchanges = sb.exchanges_seen();
    assert_eq!(exchanges.len(), 2, "{exchanges:?}");
    for (u, sent) in urls.iter().zip(&exchanges) {
        let verifier = &sent.code_verifier;
        assert!((43..=128).contains(&verifier.len()), "{verifier}");
        assert!(
            verifier
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)),
            "RFC 7636 §4.1's characters: {verifier}"
        );
        use base64::Engine;
        use sha2::Digest;
        let s256 = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()));
        assert_eq!(param(u, "code_challenge"), s256, "S256 of the verifier");
        assert_eq!(
            param(u, "redirect_uri"),
            sent.redirect_uri,
            "the identical redirect URI"
        );
    }
    assert_ne!(exchanges[0].code_verifier, exchanges[1].code_verifier);
}

#[tokio::test]
async fn checklist_02_listener_binds_loopback_with_a_new_port_each_flow() {
    let sb = sandbox(Consent::Approve).await;
    let conn = connection(&sb, &["core.user.read"]);
    let (_, a) = sign_in(&sb, &conn, Script::Follow, LONG).await;
    let (_, b) = sign_in(&sb, &conn, Script::Follow, LONG).await;
    let redirect = |s: &Arc<Mutex<Seen>>| {
        let u = url::Url::parse(&s.lock().expect("lock").authorize_urls[0]).expect("url");
        let r = u
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .map(|(_, v)| v.into_owned())
            .expect("redirect_uri");
        url::Url::parse(&r).expect("redirect url")
    };
    let (ra, rb) = (redirect(&a), redirect(&b));
    // What was really bound, as the kernel lists it while the sign-in waited: the loopback
    // address alone, never 0.0.0.0 or [::].
    for seen in [&a, &b] {
        assert_eq!(
            seen.lock().expect("lock").listening,
            [std::net::IpAddr::from([127, 0, 0, 1])],
            "the listener is bound to 127.0.0.1 only"
        );
    }
    assert_eq!(
        ra.host_str(),
        Some("127.0.0.1"),
        "the IP literal, never localhost or 0.0.0.0"
    );
    assert_eq!(ra.path(), "/callback");
    assert_ne!(ra.port(), rb.port(), "port 0 gives each flow its own port");
}

#[tokio::test]
async fn checklist_03_a_fixed_port_in_use_is_a_clear_error() {
    let sb = sandbox(Consent::Approve).await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("take a port");
    let mut conn = connection(&sb, &["core.user.read"]);
    conn.settings.redirect_port = Some(taken.local_addr().expect("addr").port());
    let (result, seen) = sign_in(&sb, &conn, Script::Follow, LONG).await;
    let err = result.expect_err("port in use");
    assert_eq!(err.code(), ErrorCode::PortInUse);
    assert!(
        seen.lock().expect("lock").authorize_urls.is_empty(),
        "the browser was not opened"
    );
}

#[tokio::test]
async fn checklist_05_a_wrong_or_missing_state_makes_no_token_call() {
    let sb = sandbox(Consent::Approve).await;
    let conn = connection(&sb, &["core.user.read"]);
    // Not this sign-in's answer: an error page, no token request, and the sign-in goes on
    // waiting for its own answer (here none comes, so it times out).
    for script in [Script::Tamper("state", "WRONG"), Script::Drop("state")] {
        let (result, seen) = sign_in(&sb, &conn, script, Duration::from_secs(2)).await;
        assert_eq!(
            result.expect_err("no answer").code(),
            ErrorCode::Timeout,
            "{script:?}"
        );
        assert_eq!(
            seen.lock().expect("lock").callback.as_ref().map(|c| c.0),
            Some(400),
            "{script:?}: an error page"
        );
    }
    assert_eq!(sb.stats().token_requests, 0, "no token request");
}

#[tokio::test]
async fn hostile_requests_to_the_listener_do_not_end_the_sign_in() {
    let sb = sandbox(Consent::Approve).await;
    let conn = connection(&sb, &["core.user.read"]);
    let (result, seen) = sign_in(&sb, &conn, Script::HostileThenFollow, LONG).await;
    result.expect("the real answer still signs in");
    let seen = seen.lock().expect("lock");
    assert_eq!(
        seen.hostile,
        [431, 400, 400, 400],
        "a head over 8 KiB, bytes that are not HTTP, a wrong state, no state: each answered"
    );
    assert_eq!(seen.callback.as_ref().map(|c| c.0), Some(200));
    assert_eq!(
        sb.stats().token_requests,
        1,
        "one exchange, for the real code"
    );
}

#[tokio::test]
async fn checklist_06_a_foreign_issuer_is_refused() {
    let sb = sandbox(Consent::Approve).await;
    let conn = connection(&sb, &["core.user.read"]);
    let (result, _) = sign_in(
        &sb,
        &conn,
        Script::Tamper("iss", "http://evil.example"),
        LONG,
    )
    .await;
    let err = result.expect_err("refused");
    assert_eq!(err.code(), ErrorCode::InvalidCallback);
    assert!(err.to_string().contains("evil.example"), "{err}");
    assert_eq!(sb.stats().token_requests, 0);
}

#[tokio::test]
async fn checklist_07_a_callback_without_code_or_error_or_with_a_repeated_parameter_is_refused() {
    let sb = sandbox(Consent::Approve).await;
    let conn = connection(&sb, &["core.user.read"]);
    // `?code=a&code=b&state=OK`, then `?state=OK` (and the sandbox's `iss`) with neither a
    // code nor an error.
    for script in [Script::Duplicate("code"), Script::Drop("code")] {
        let (result, seen) = sign_in(&sb, &conn, script, LONG).await;
        assert_eq!(
            result.expect_err("refused").code(),
            ErrorCode::InvalidCallback,
            "{script:?}"
        );
        let seen = seen.lock().expect("lock");
        let url = seen.callback_url.as_deref().expect("the callback was sent");
        assert!(url.contains("state="), "{url}");
        assert_eq!(
            seen.callback.as_ref().map(|c| c.0),
            Some(400),
            "{script:?}: an error page"
        );
    }
    assert_eq!(sb.stats().token_requests, 0);
}

#[tokio::test]
async fn checklist_08_access_denied_ends_the_flow_with_no_exchange() {
    let sb = sandbox(Consent::Deny).await;
    let conn = connection(&sb, &["core.user.read"]);
    let (result, seen) = sign_in(&sb, &conn, Script::Follow, LONG).await;
    let err = result.expect_err("denied");
    assert_eq!(err.code(), ErrorCode::AccessDenied);
    assert_eq!(sb.stats().token_requests, 0);
    let body = seen.lock().expect("lock").callback.clone().expect("page").2;
    assert!(body.contains("access_denied"), "the page says why: {body}");
}

#[tokio::test]
async fn checklist_08_the_error_description_is_html_escaped_on_the_page() {
    let sb = sandbox(Consent::Deny).await;
    let conn = connection(&sb, &["core.user.read"]);
    let (result, seen) = sign_in(
        &sb,
        &conn,
        Script::Tamper("error_description", "<script>alert(1)</script>"),
        LONG,
    )
    .await;
    result.expect_err("denied");
    let body = seen.lock().expect("lock").callback.clone().expect("page").2;
    assert!(!body.contains("<script>"), "{body}");
    assert!(body.contains("&lt;script&gt;"), "{body}");
}

#[tokio::test]
async fn checklist_09_favicon_root_head_and_an_idle_preconnect_do_not_block_the_flow() {
    let sb = sandbox(Consent::Approve).await;
    let conn = connection(&sb, &["core.user.read"]);
    let (result, seen) = sign_in(&sb, &conn, Script::PreconnectThenFollow, LONG).await;
    result.expect("signed in despite the idle connection and the other requests");
    let seen = seen.lock().expect("lock");
    let [favicon, root, head] = seen.hostile[..] else {
        panic!("three requests were answered: {:?}", seen.hostile);
    };
    assert_eq!(favicon, 404, "/favicon.ico is not found");
    assert_eq!(root, 404, "/ is not found");
    assert_eq!(head, 404, "a HEAD of the callback is not the callback");
    assert_eq!(
        seen.callback.as_ref().map(|c| c.0),
        Some(200),
        "the real callback signs in"
    );
    assert_eq!(sb.stats().token_requests, 1, "one exchange");
}

#[tokio::test]
async fn checklist_10_12_single_use_and_a_safe_success_page() {
    let sb = sandbox(Consent::Approve).await;
    let conn = connection(&sb, &["core.user.read"]);
    let (result, seen) = sign_in(&sb, &conn, Script::Follow, LONG).await;
    result.expect("signed in");
    let (status, headers, body) = seen.lock().expect("lock").callback.clone().expect("page");
    assert_eq!(status, 200);
    let page = seen.lock().expect("lock").redirected_to.clone();
    assert!(
        page.as_deref().is_some_and(|p| p.ends_with("/signed-in")),
        "the browser was sent on to a clean address, without the code: {page:?}"
    );
    assert!(
        headers.contains("\"cache-control\": \"no-store\""),
        "{headers}"
    );
    assert!(
        headers.contains("\"referrer-policy\": \"no-referrer\""),
        "{headers}"
    );
    assert!(
        !body.contains("http://") && !body.contains("https://"),
        "self-contained: {body}"
    );
    let replay = seen
        .lock()
        .expect("lock")
        .callback_url
        .clone()
        .expect("url");
    let again = reqwest::get(&replay).await;
    assert!(
        again.is_err(),
        "the listener is closed after the first callback"
    );
    assert_eq!(sb.stats().token_requests, 1, "one token request");
}

/// Asserts that nothing listens any more on the port of the redirect URI the browser was given.
async fn assert_released(seen: &Arc<Mutex<Seen>>) {
    let port = redirect_port(seen);
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "port {port} is released"
    );
}

/// The port of the redirect URI the browser was given.
fn redirect_port(seen: &Arc<Mutex<Seen>>) -> u16 {
    let u = url::Url::parse(&seen.lock().expect("lock").authorize_urls[0]).expect("url");
    let redirect = u
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .expect("redirect");
    url::Url::parse(&redirect)
        .expect("url")
        .port()
        .expect("port")
}

#[tokio::test]
async fn checklist_11_a_timeout_releases_the_port() {
    let sb = sandbox(Consent::Approve).await;
    let conn = connection(&sb, &["core.user.read"]);
    let (result, seen) = sign_in(&sb, &conn, Script::Nothing, Duration::from_millis(300)).await;
    assert_eq!(result.expect_err("timed out").code(), ErrorCode::Timeout);
    assert_released(&seen).await;
}

#[tokio::test]
async fn checklist_11_cancel_ends_the_wait_and_releases_the_port() {
    let sb = sandbox(Consent::Approve).await;
    let conn = connection(&sb, &["core.user.read"]);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let browser = ScriptedBrowser {
        script: Script::Nothing,
        seen: seen.clone(),
    };
    let http = HttpClient::new().expect("http");
    let cancel = tokio::time::sleep(Duration::from_millis(100));
    let err = authorization_code(&http, &conn, None, &browser, LONG, cancel)
        .await
        .expect_err("cancelled");
    assert_eq!(err.code(), ErrorCode::Cancelled);
    assert_released(&seen).await;
    let _ = sb;
}

#[tokio::test]
async fn a_person_approves_on_the_consent_page() {
    let sb = sandbox(Consent::Page).await;
    let conn = connection(&sb, &["core.user.read"]);
    let (result, _) = sign_in(&sb, &conn, Script::ClickApprove, LONG).await;
    result.expect("signed in through the page");
}

#[tokio::test]
async fn the_id_token_claims_are_read_and_the_id_token_not_kept() {
    let sb = sandbox(Consent::Approve).await;
    let conn = connection(&sb, &["openid", "email", "login", "core.user.read"]);
    let (result, _) = sign_in(&sb, &conn, Script::Follow, LONG).await;
    let token = result.expect("signed in");
    let id = token
        .info
        .id_token
        .clone()
        .expect("openid gives an ID token");
    assert!(!id.verified);
    let claim = |name: &str| {
        id.claims
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.value.clone())
    };
    assert_eq!(claim("aud").as_deref(), Some("\"sandbox-desktop\""));
    assert_eq!(
        claim("email"),
        Some(format!(
            "\"{}\"",
            connmgr_sandbox::oauth::SANDBOX_USER_EMAIL
        ))
    );
    assert_eq!(
        claim("login"),
        Some(format!(
            "\"{}\"",
            connmgr_sandbox::oauth::SANDBOX_USER_LOGIN
        ))
    );
    assert_eq!(claim("name"), None, "no profile scope, no name");
    // What the UI may see is claims only: no JWT string anywhere in it.
    let shown = serde_json::to_string(&token.info).expect("json");
    assert!(!shown.contains("eyJ"), "{shown}");

    let conn = connection(&sb, &["core.user.read"]);
    let (result, _) = sign_in(&sb, &conn, Script::Follow, LONG).await;
    assert!(result.expect("signed in").info.id_token.is_none());
}

#[tokio::test]
async fn the_browser_hears_how_the_exchange_ended_at_a_clean_address() {
    let sb = sandbox(Consent::Approve).await;
    let conn = connection(&sb, &["core.user.read"]);
    // The code is refused at the token endpoint: the browser must not have been told
    // "signed in" before the exchange.
    sb.set_fault(Some(connmgr_sandbox::faults::Fault::OAuthError(
        "invalid_grant".to_owned(),
    )));
    let (result, seen) = sign_in(&sb, &conn, Script::Follow, LONG).await;
    assert_eq!(
        result.expect_err("the exchange failed").code(),
        ErrorCode::InvalidGrant
    );
    let seen = seen.lock().expect("lock");
    let (status, _, body) = seen.callback.clone().expect("page");
    assert_eq!(status, 400);
    assert!(body.contains("invalid_grant"), "the page says why: {body}");
    let page = seen.redirected_to.clone().unwrap_or_default();
    assert!(page.ends_with("/not-signed-in"), "{page}");
    assert!(!page.contains("code="), "{page}");
}
