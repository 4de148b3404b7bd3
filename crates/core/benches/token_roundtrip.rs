//! `make bench`: how much the engine adds to a token request, and how fast the redirect
//! listener is ready. Figures are printed, never asserted.
//!
//! - Client-credentials token round trips to the local sandbox over loopback: through the
//!   engine (`oauth::client_credentials`: domain check, oauth2 request building, body cap,
//!   strict parsing) and as a raw reqwest POST of the same form, 1,000 each, interleaved so
//!   both see the same machine; medians and their ratio.
//! - The redirect listener: time from `bind` to accepting a connection, 200 times, against a
//!   bare Tokio listener doing the same, interleaved; medians and their ratio.

use std::time::{Duration, Instant};

use connmgr_core::Secret;
use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::{
    Connection, ConnectionSettings, Endpoints, GrantType, Provider,
};
use connmgr_core::oauth::client_credentials;
use connmgr_core::oauth::redirect::RedirectListener;
use connmgr_sandbox::Sandbox;

const ROUNDS: usize = 1000;
const LISTENER_ROUNDS: usize = 200;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

fn p90(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() * 9 / 10]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[expect(clippy::print_stdout, reason = "a benchmark prints its figures")]
fn report(name: &str, samples: &[Duration]) {
    println!(
        "{name:<44} median {:>8.1} µs   p90 {:>8.1} µs   (n = {})",
        micros(median(samples.to_vec())),
        micros(p90(samples.to_vec())),
        samples.len()
    );
}

#[tokio::main]
#[expect(clippy::print_stdout, reason = "a benchmark prints its figures")]
async fn main() {
    let sandbox = Sandbox::start(0).await.expect("sandbox");
    let base = sandbox.base_url();
    let connection = Connection {
        id: "bench".to_owned(),
        settings: ConnectionSettings {
            name: "Bench".to_owned(),
            provider: Provider::Coupa,
            subdomain: base.clone(),
            client_id: "sandbox-integration".to_owned(),
            grant_type: GrantType::ClientCredentials,
            valid_domains: vec!["127.0.0.1".to_owned()],
            scopes: vec!["core.user.read".to_owned()],
            ..ConnectionSettings::new_coupa()
        },
        endpoints: Endpoints {
            instance_url: Some(base.clone()),
            authorization_url: None,
            token_url: format!("{base}/oauth2/token"),
            api_base_url: Some(base.clone()),
            issuer: None,
            revocation_url: None,
            device_authorization_url: None,
        },
        has_client_secret: true,
        created_at: connmgr_core::time::Timestamp::now(),
        updated_at: connmgr_core::time::Timestamp::now(),
        last_test: None,
        last_used: None,
        token: None,
        needs_client_secret: false,
    };
    let secret = Secret::new("sandbox-integration-secret");
    let engine = HttpClient::new().expect("http client");
    let raw = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("raw client");
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "sandbox-integration"),
        ("client_secret", "sandbox-integration-secret"),
        ("scope", "core.user.read"),
    ];
    let token_url = connection.endpoints.token_url.clone();

    // Warm both paths (connection pools, lazy statics).
    for _ in 0..20 {
        client_credentials(&engine, &connection, &secret)
            .await
            .expect("engine token");
        raw.post(&token_url)
            .form(&form)
            .send()
            .await
            .expect("raw")
            .bytes()
            .await
            .expect("body");
    }

    let mut through_engine = Vec::with_capacity(ROUNDS);
    let mut through_raw = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        client_credentials(&engine, &connection, &secret)
            .await
            .expect("engine token");
        through_engine.push(t.elapsed());

        let t = Instant::now();
        let resp = raw.post(&token_url).form(&form).send().await.expect("raw");
        let body = resp.bytes().await.expect("body");
        let _: serde_json::Value = serde_json::from_slice(&body).expect("json");
        through_raw.push(t.elapsed());
    }

    let mut listener_ready = Vec::with_capacity(LISTENER_ROUNDS);
    let mut bare_ready = Vec::with_capacity(LISTENER_ROUNDS);
    for _ in 0..LISTENER_ROUNDS {
        // The baseline: a bare Tokio listener on the same address, accepting in a task.
        let t = Instant::now();
        let bare = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind");
        let port = bare.local_addr().expect("address").port();
        let accepting = tokio::spawn(async move { bare.accept().await.map(|_| ()) });
        let _conn = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        bare_ready.push(t.elapsed());
        accepting.abort();

        let t = Instant::now();
        let listener = RedirectListener::bind(None).await.expect("bind");
        let port = listener.port();
        let waiting = tokio::spawn(listener.wait(
            "s",
            Default::default(),
            Duration::from_secs(5),
            std::future::pending(),
        ));
        let _conn = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        listener_ready.push(t.elapsed());
        waiting.abort();
    }

    println!("Connection Manager benchmark (loopback, this machine, one run)");
    report(
        "token round trip, raw reqwest POST (baseline)",
        &through_raw,
    );
    report("token round trip, through the engine", &through_engine);
    bench_line(
        "token round trip through the engine vs a raw reqwest POST (median)",
        micros(median(through_engine.clone())),
        micros(median(through_raw.clone())),
    );
    report("bare listener: bind → accepting (baseline)", &bare_ready);
    report("redirect listener: bind → accepting", &listener_ready);
    bench_line(
        "redirect listener bind to accepting vs a bare Tokio listener (median)",
        micros(median(listener_ready.clone())),
        micros(median(bare_ready.clone())),
    );
    sandbox.stop().await;
}

/// One figure, as `make bench` prints every one: `bench: NAME: VALUE UNIT vs BASELINE UNIT = RATIOx`.
fn bench_line(name: &str, value_us: f64, baseline_us: f64) {
    println!(
        "bench: {name}: {value_us:.1} us vs {baseline_us:.1} us = {:.2}x",
        value_us / baseline_us
    );
}
