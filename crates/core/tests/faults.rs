//! The engine against a faulty token endpoint (the sandbox's fault modes): every odd answer
//! gives a typed error with a short snippet, never a panic. Names carry checklist item numbers.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{sandbox_connection, test_keyring};
use connmgr_core::Connection;
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::GrantType;
use connmgr_core::oauth::{TokenSet, client_credentials};
use connmgr_core::storage::keyring::{SecretKind, SecretStore};
use connmgr_core::tokens::Tokens;
use connmgr_core::{Error, ErrorCode, Secret};
use connmgr_sandbox::config::GrantRefusal;
use connmgr_sandbox::faults::Fault;
use connmgr_sandbox::{Config, Sandbox};
use serde_json::json;

async fn sandbox() -> Sandbox {
    let mut config = Config::strict();
    config.consent = connmgr_sandbox::config::Consent::Approve;
    Sandbox::start_with(config, 0).await.expect("sandbox")
}

fn cc(sb: &Sandbox) -> Connection {
    sandbox_connection(
        sb,
        "sandbox-integration",
        GrantType::ClientCredentials,
        &["core.user.read"],
    )
}

async fn token_with(
    sb: &Sandbox,
    fault: Option<Fault>,
    http: &HttpClient,
) -> Result<TokenSet, Error> {
    sb.set_fault(fault);
    client_credentials(http, &cc(sb), &Secret::new("sandbox-integration-secret")).await
}

/// Whether the keyring still holds the connection's refresh token.
fn holds_refresh_token(store: &Arc<dyn SecretStore>, id: &str) -> bool {
    store
        .get(id, SecretKind::RefreshToken)
        .expect("get")
        .is_some()
}

fn http() -> HttpClient {
    HttpClient::new().expect("http")
}

#[tokio::test]
async fn checklist_16_non_json_answers_give_typed_errors_with_a_short_redacted_snippet() {
    let sb = sandbox().await;
    // A JSON answer that is not a token answer but holds one (a `token_type` of 123 next to
    // a real access token and refresh token): the error quotes the body, with the tokens
    // redacted.
    let err = token_with(&sb, Some(Fault::TokenType(json!(123))), &http())
        .await
        .expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("token_type"), "names the field: {text}");
    assert!(text.contains("access_token"), "quotes the body: {text}");
    for shape in ["eyJ", "sbx_at_", "sbx_rt_"] {
        assert!(!text.contains(shape), "no token in the quoted body: {text}");
    }
    let cases = [
        (Fault::Html502, ErrorCode::ServerError, "502"),
        (Fault::TextPlain, ErrorCode::BadResponse, "text/plain"),
        (Fault::Empty200, ErrorCode::BadResponse, "HTTP 200"),
        (Fault::BrokenJson, ErrorCode::BadResponse, "HTTP 200"),
        (Fault::JsonArray, ErrorCode::BadResponse, "[]"),
    ];
    for (fault, code, mentions) in cases {
        let err = token_with(&sb, Some(fault.clone()), &http())
            .await
            .expect_err("refused");
        let text = err.to_string();
        assert_eq!(err.code(), code, "{fault:?}: {text}");
        assert!(text.contains(mentions), "{fault:?}: {text}");
        assert!(
            text.len() < 700,
            "{fault:?}: the quoted body is short: {text}"
        );
        assert!(
            !text.contains("access_token=abc"),
            "{fault:?}: token-like values are redacted: {text}"
        );
    }
}

#[tokio::test]
async fn checklist_17_access_token_and_a_bearer_token_type_are_required() {
    let sb = sandbox().await;
    let err = token_with(&sb, Some(Fault::MissingAccessToken), &http())
        .await
        .expect_err("no token");
    assert_eq!(err.code(), ErrorCode::BadResponse);
    token_with(&sb, Some(Fault::TokenType(json!("bearer"))), &http())
        .await
        .expect("bearer in any case");
    token_with(&sb, Some(Fault::TokenType(json!("BEARER"))), &http())
        .await
        .expect("BEARER too");
    for odd in [json!("mac"), json!(123)] {
        let err = token_with(&sb, Some(Fault::TokenType(odd.clone())), &http())
            .await
            .expect_err("refused");
        assert_eq!(err.code(), ErrorCode::BadResponse, "{odd}: {err}");
    }
}

#[tokio::test]
async fn checklist_18_expires_in_is_read_strictly_and_its_absence_is_unknown() {
    let sb = sandbox().await;
    let t = token_with(&sb, Some(Fault::ExpiresIn(json!("3600"))), &http())
        .await
        .expect("a digit string is read");
    let now = connmgr_core::time::Timestamp::now();
    let left = t.expires_at.expect("expiry").since(now);
    assert!((3590..=3600).contains(&left.as_secs()), "{left:?}");
    // A lifetime past any calendar is taken as the longest believed, never a panic.
    let t = token_with(
        &sb,
        Some(Fault::ExpiresIn(json!(999_999_999_999u64))),
        &http(),
    )
    .await
    .expect("a huge lifetime is read");
    let left = t.expires_at.expect("expiry").since(now);
    assert!(
        left.abs_diff(connmgr_core::oauth::MAX_LIFETIME) < Duration::from_secs(60),
        "capped at ten years: {left:?}"
    );
    let t = token_with(&sb, Some(Fault::ExpiresIn(json!(null))), &http())
        .await
        .expect("null means not said");
    // Not said: the sandbox's JWT access token carries its own exp, which is used.
    assert!(t.info.expiry_from_jwt && t.expires_at.is_some() && t.info.expires_at.is_some());
    for odd in [json!(-1), json!(3600.5), json!(1e20), json!("soon")] {
        let err = token_with(&sb, Some(Fault::ExpiresIn(odd.clone())), &http())
            .await
            .expect_err("refused");
        assert_eq!(err.code(), ErrorCode::BadResponse, "{odd}: {err}");
        assert!(
            err.to_string().contains("expires_in"),
            "{odd}: names the field: {err}"
        );
    }

    // Absent (RFC 6749 §5.1 makes it only RECOMMENDED; Salesforce sends none): a JWT access
    // token's own `exp`, else the expiry is unknown and nothing guesses it.
    let t = token_with(&sb, Some(Fault::OmitExpiresIn), &http())
        .await
        .expect("an answer without expires_in is read");
    assert!(t.info.expiry_from_jwt, "the JWT's exp is used");
    let left = t.expires_at.expect("expiry").since(now);
    assert!(
        (86_300..=86_400).contains(&left.as_secs()),
        "the sandbox's day: {left:?}"
    );
    let mut opaque = Config::strict();
    opaque.jwt_access_tokens = false;
    let opaque = Sandbox::start_with(opaque, 0).await.expect("sandbox");
    let t = token_with(&opaque, Some(Fault::OmitExpiresIn), &http())
        .await
        .expect("an opaque token without expires_in is read");
    assert!(
        t.expires_at.is_none() && t.info.expires_at.is_none() && !t.info.expiry_from_jwt,
        "expiry unknown: {:?}",
        t.expires_at
    );
}

#[tokio::test]
async fn checklist_21_body_cap_timeouts_and_broken_connections() {
    let sb = sandbox().await;
    let err = token_with(&sb, Some(Fault::HugeBody), &http())
        .await
        .expect_err("too large");
    assert!(err.to_string().contains("larger than 1024 KiB"), "{err}");
    let quick =
        HttpClient::with_timeouts(Duration::from_secs(1), Duration::from_secs(2)).expect("http");
    for fault in [Fault::Drip, Fault::NeverAnswers] {
        let err = token_with(&sb, Some(fault.clone()), &quick)
            .await
            .expect_err("timed out");
        assert_eq!(err.code(), ErrorCode::Timeout, "{fault:?}: {err}");
    }
    let err = token_with(&sb, Some(Fault::CloseMidBody), &http())
        .await
        .expect_err("broken");
    assert_eq!(err.code(), ErrorCode::BadResponse, "{err}");
    token_with(&sb, Some(Fault::Slow(Duration::from_millis(300))), &http())
        .await
        .expect("slow but in time");
}

#[tokio::test]
async fn checklist_22_a_redirect_is_never_followed() {
    let sb = sandbox().await;
    let elsewhere = sandbox().await;
    let target = format!("{}/oauth2/token", elsewhere.base_url());
    let err = token_with(&sb, Some(Fault::Redirect(target.clone())), &http())
        .await
        .expect_err("refused");
    assert_eq!(err.code(), ErrorCode::BadResponse);
    assert!(err.to_string().contains("not followed"), "{err}");
    assert_eq!(
        elsewhere.stats().token_requests,
        0,
        "the redirect target saw nothing"
    );

    // The API call: a 307 to the real endpoint (the sandbox's /moved/…) is not followed either.
    sb.set_fault(None);
    let store: Arc<dyn SecretStore> = Arc::new(test_keyring());
    let mut conn = cc(&sb);
    conn.endpoints.api_base_url = Some(format!("{}/moved", sb.base_url()));
    store
        .set(
            &conn.id,
            SecretKind::ClientSecret,
            &Secret::new("sandbox-integration-secret"),
        )
        .expect("secret");
    let tokens = Tokens::new(http(), store.clone());
    let report = connmgr_core::tester::run(&http(), &tokens, &conn, None, &|_| {}).await;
    let api = report.steps.last().expect("the API step");
    assert!(!report.ok, "{report:#?}");
    assert!(api.detail.contains("307"), "{}", api.detail);
    assert_eq!(sb.stats().api_requests, 0, "the API behind it saw nothing");
    store.delete_all(&conn.id).expect("clean up");
}

#[tokio::test]
async fn checklist_24_refresh_backs_off_on_server_errors_and_invalid_client_keeps_the_grant() {
    let sb = sandbox().await;
    let store: Arc<dyn SecretStore> = Arc::new(test_keyring());
    let tokens = Tokens::new(http(), store.clone());
    let (c, _) = common::signed_in(&sb, &tokens).await;
    sb.set_fault(Some(Fault::Unavailable(2)));
    tokens.renew_now(&c).await.expect("two 503s, then a token");
    assert_eq!(
        sb.stats().token_requests,
        4,
        "the sign-in, then three tries"
    );
    // The backoff, measured where the requests arrived: 400 ms, then twice that.
    let times = sb.token_request_times();
    let gaps: Vec<Duration> = times[1..].windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps[0] >= Duration::from_millis(400) && gaps[1] >= Duration::from_millis(800),
        "backoff between the tries: {gaps:?}"
    );
    sb.set_fault(Some(Fault::Unavailable(10)));
    let err = tokens
        .renew_now(&c)
        .await
        .expect_err("the server stays down");
    assert_eq!(err.code(), ErrorCode::ServerError, "{err}");
    assert_eq!(sb.stats().token_requests, 7, "bounded: three more tries");
    assert!(
        holds_refresh_token(&store, &c.id),
        "the refresh token is kept"
    );
    sb.set_fault(Some(Fault::TooManyRequests(1)));
    tokens
        .renew_now(&c)
        .await
        .expect("a 429 is waited out like a 503");
    assert_eq!(sb.stats().token_requests, 9, "the 429, then the token");
    sb.set_fault(Some(Fault::TooManyRequests(10)));
    let err = tokens.renew_now(&c).await.expect_err("still limited");
    assert_eq!(err.code(), ErrorCode::ServerError, "{err}");
    assert_eq!(sb.stats().token_requests, 12, "bounded: three tries");
    let Error::OAuth { hint, .. } = &err else {
        panic!("an OAuth error: {err:?}")
    };
    assert!(hint.starts_with("Too many requests"), "{hint}");

    // `invalid_client` on refresh is a credentials error: no retry, and the refresh token is
    // kept (the grant is not what failed).
    sb.set_fault(Some(Fault::OAuthError("invalid_client".to_owned())));
    let before = sb.stats().token_requests;
    let err = tokens
        .renew_now(&c)
        .await
        .expect_err("the client is refused");
    assert_eq!(err.code(), ErrorCode::InvalidClient, "{err}");
    assert_eq!(sb.stats().token_requests, before + 1, "not retried");
    assert!(
        holds_refresh_token(&store, &c.id),
        "the refresh token is kept"
    );
    sb.set_fault(None);
    tokens.forget(&c.id).expect("clean up");
}

/// Every error code of RFC 6749 §5.2 gets its own error code and a hint; the server's
/// description is quoted; the secret never appears.
#[tokio::test]
async fn every_rfc6749_error_answer_gets_its_code_and_a_hint() {
    let sb = sandbox().await;
    let cases = [
        (
            "invalid_request",
            ErrorCode::InvalidRequest,
            "body and Basic",
        ),
        (
            "invalid_client",
            ErrorCode::InvalidClient,
            "Identifier and Secret",
        ),
        ("invalid_grant", ErrorCode::InvalidGrant, "Sign in again"),
        (
            "unauthorized_client",
            ErrorCode::UnauthorizedClient,
            "grant type",
        ),
        (
            "unsupported_grant_type",
            ErrorCode::UnsupportedGrantType,
            "grant type",
        ),
        (
            "invalid_scope",
            ErrorCode::InvalidScope,
            "Setup > Integrations",
        ),
        (
            "temporarily_unavailable",
            ErrorCode::ServerError,
            "description",
        ),
    ];
    for (error, code, hint) in cases {
        let err = token_with(&sb, Some(Fault::OAuthError(error.to_owned())), &http())
            .await
            .expect_err(error);
        assert_eq!(err.code(), code, "{error}: {err}");
        let text = err.to_string();
        assert!(
            text.contains(error) && text.contains("fault mode"),
            "{error}: {text}"
        );
        assert!(text.contains(hint), "{error}: {text}");
        assert!(!text.contains("sandbox-integration-secret"), "{text}");
    }
    sb.set_fault(None);

    // And the real thing: a client made for authorization code asking for client credentials,
    // refused as RFC 6749 says (Coupa's way) and as certified servers do (`invalid_request`).
    // Either way the hint points at the grant.
    for (refusal, code) in [
        (
            GrantRefusal::UnauthorizedClient,
            ErrorCode::UnauthorizedClient,
        ),
        (GrantRefusal::InvalidRequest, ErrorCode::InvalidRequest),
    ] {
        let mut config = Config::strict();
        config.grant_refusal = refusal;
        config.clients.push(connmgr_sandbox::config::ClientConfig {
            id: "web-app".to_owned(),
            secret: Some("web-app-secret".to_owned()),
            grants: vec![connmgr_sandbox::config::Grant::AuthorizationCode],
            scopes: vec!["core.user.read".to_owned()],
            rotate_refresh_tokens: false,
            public_keys: Vec::new(),
        });
        let sb = Sandbox::start_with(config, 0).await.expect("sandbox");
        let mut conn = cc(&sb);
        conn.settings.client_id = "web-app".to_owned();
        let err = client_credentials(&http(), &conn, &Secret::new("web-app-secret"))
            .await
            .expect_err("not its grant");
        assert_eq!(err.code(), code, "{err}");
        let text = err.to_string();
        assert!(
            text.contains("grant type") || text.contains("may use the Client credentials grant"),
            "{refusal:?}: {text}"
        );
    }
}

#[tokio::test]
async fn server_errors_with_a_json_body_are_retried() {
    let sb = sandbox().await;
    let store: Arc<dyn SecretStore> = Arc::new(test_keyring());
    let tokens = Tokens::new(http(), store.clone());
    let (c, _) = common::signed_in(&sb, &tokens).await;
    // 503 {"error":"temporarily_unavailable"} twice: the server answered, processed nothing.
    sb.set_fault(Some(Fault::UnavailableJson(2)));
    tokens
        .renew_now(&c)
        .await
        .expect("two JSON 503s, then a token");
    assert_eq!(
        sb.stats().token_requests,
        4,
        "the sign-in, then three tries"
    );
    sb.set_fault(Some(Fault::UnavailableJson(10)));
    let err = tokens.renew_now(&c).await.expect_err("still down");
    assert_eq!(sb.stats().token_requests, 7, "bounded: three more tries");
    assert!(
        err.to_string().contains("temporarily_unavailable"),
        "the server's own words are kept: {err}"
    );
    assert!(
        holds_refresh_token(&store, &c.id),
        "the refresh token is kept"
    );
    tokens.forget(&c.id).expect("clean up");
}

/// A lost answer: the server rotated the refresh token, then the connection broke before the
/// client read the new one. Sent again, the old refresh token is a reuse, which a rotating
/// server answers by ending the whole grant (RFC 9700 §4.14.2). So it is not repeated; the
/// error says so and what to do. (Connections that could not be made at all are retried: see
/// the 503 and network tests.)
#[tokio::test]
async fn a_refresh_whose_answer_is_lost_is_not_repeated() {
    let sb = sandbox().await;
    let store: Arc<dyn SecretStore> = Arc::new(test_keyring());
    let tokens = Tokens::new(http(), store.clone());
    let (c, _) = common::signed_in(&sb, &tokens).await;
    let before = sb.stats().token_requests;
    sb.set_fault(Some(Fault::LostAnswer));
    let err = tokens.renew_now(&c).await.expect_err("the answer was lost");
    assert_eq!(
        sb.stats().token_requests,
        before + 1,
        "sent once, never repeated"
    );
    let Error::OAuth { message, hint, .. } = &err else {
        panic!("an OAuth error: {err:?}")
    };
    assert!(message.contains("it was not repeated"), "{message}");
    assert!(hint.contains("sign in again"), "{hint}");
    assert!(
        holds_refresh_token(&store, &c.id),
        "the refresh token is kept: a server that does not rotate still takes it"
    );
    // This server rotated it: the next refresh is refused, and says to sign in.
    sb.set_fault(None);
    let err = tokens.renew_now(&c).await.expect_err("rotated away");
    assert_eq!(err.code(), ErrorCode::InvalidGrant, "{err}");
    assert!(err.to_string().contains("Sign in again"), "{err}");
    tokens.forget(&c.id).expect("clean up");
}

/// Checklist 21 with the client the app uses, not shorter test timeouts: a server that
/// accepts no connection fails after the 10-second connect timeout, one that never answers
/// after the 30-second total. Both run at once (30 s in all).
#[tokio::test]
async fn checklist_21_the_real_timeouts_are_ten_seconds_to_connect_and_thirty_in_all() {
    use connmgr_core::http::{CONNECT_TIMEOUT, REQUEST_TIMEOUT};
    assert_eq!(CONNECT_TIMEOUT, Duration::from_secs(10));
    assert_eq!(REQUEST_TIMEOUT, Duration::from_secs(30));

    // A listener whose queue is full: Linux drops the next SYN, so that connect hangs.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    let full = socket.listen(0).expect("listen");
    let addr = full.local_addr().expect("addr");
    let mut queued = Vec::new();
    for _ in 0..4 {
        match tokio::time::timeout(
            Duration::from_millis(300),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(stream)) => queued.push(stream),
            _ => break,
        }
    }
    let unreachable = async {
        let base = format!("http://{addr}");
        let conn = common::connection_at(
            &base,
            &base,
            "sandbox-integration",
            GrantType::ClientCredentials,
            &["core.user.read"],
        );
        let started = std::time::Instant::now();
        let err = client_credentials(&http(), &conn, &Secret::new("s"))
            .await
            .expect_err("no connection");
        (err, started.elapsed())
    };
    let sb = sandbox().await;
    sb.set_fault(Some(Fault::NeverAnswers));
    let silent = async {
        let started = std::time::Instant::now();
        let err = client_credentials(
            &http(),
            &cc(&sb),
            &Secret::new("sandbox-integration-secret"),
        )
        .await
        .expect_err("no answer");
        (err, started.elapsed())
    };
    let ((connect_err, connect_took), (total_err, total_took)) = tokio::join!(unreachable, silent);
    assert_eq!(connect_err.code(), ErrorCode::Timeout, "{connect_err}");
    assert!(
        connect_took >= CONNECT_TIMEOUT && connect_took < CONNECT_TIMEOUT + Duration::from_secs(5),
        "connect gave up after {connect_took:?}"
    );
    assert_eq!(total_err.code(), ErrorCode::Timeout, "{total_err}");
    assert!(
        total_took >= REQUEST_TIMEOUT && total_took < REQUEST_TIMEOUT + Duration::from_secs(5),
        "the request gave up after {total_took:?}"
    );
    drop(queued);
}
