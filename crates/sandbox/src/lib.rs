//! A local server that behaves like a Coupa instance's OAuth 2.0 and API endpoints, for the demo
//! and for every test. It listens on loopback only.
//!
//! Tests start it in-process with [`Sandbox::start`]; the `connmgr-sandbox` binary starts it for
//! the demo and prints its base URL on its first line of output.
//!
//! - `GET /healthz`: liveness.
//! - `POST /oauth2/token`: tokens (see [`oauth`]).
//! - `POST /oauth2/revoke`: token revocation (RFC 7009).
//! - `POST /oauth2/device_authorization`, `GET|POST /oauth2/device`: the device authorization
//!   grant and its verification page (RFC 8628, see [`oauth::device`]).
//! - `GET /.well-known/oauth-authorization-server`, `…/openid-configuration` (path-aware for an
//!   issuer with a path): the metadata (RFC 8414).
//! - `GET /api/{users,suppliers,invoices,accounts}`: the scoped API (see [`api`]).

pub mod api;
pub mod authorize;
pub mod client_keys;
pub mod config;
pub mod faults;
pub mod oauth;
pub mod record;

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::{
    Json, Router,
    routing::{get, post},
};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// What `GET /healthz` answers.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// Always `"ok"` while the server runs.
    pub status: &'static str,
    /// The sandbox's version.
    pub version: &'static str,
}

pub use config::Config;

/// What every handler shares: the configuration, issued tokens and request counters.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Config,
    pub tokens: Mutex<HashMap<String, oauth::IssuedToken>>,
    pub codes: Mutex<HashMap<String, authorize::PendingCode>>,
    pub consents: Mutex<HashMap<String, authorize::PendingConsent>>,
    pub refresh_tokens: Mutex<HashMap<String, oauth::RefreshGrant>>,
    pub devices: Mutex<HashMap<String, oauth::device::PendingDevice>>,
    pub device_polls: Mutex<Vec<oauth::device::DevicePoll>>,
    pub extras: Mutex<Vec<oauth::ExtraSeen>>,
    /// How each request that authenticated a client did it, in order.
    pub auth_methods: Mutex<Vec<&'static str>>,
    /// Assertion ids seen, with the assertion's expiry (replays are refused).
    pub jtis: Mutex<HashMap<String, u64>>,
    /// The assertions accepted, in order.
    pub assertions: Mutex<Vec<oauth::assertion::AssertionSeen>>,
    pub base: OnceLock<String>,
    pub stats: Counters,
    /// The base URL and the configured issuer path, known once the listener is bound; sent
    /// as `iss`.
    pub issuer: OnceLock<String>,
    /// The token endpoint's fault mode, if any.
    pub fault: Mutex<Option<faults::Fault>>,
    /// How many refusals [`faults::Fault::Unavailable`] or [`faults::Fault::TooManyRequests`]
    /// has served.
    pub unavailable_served: AtomicUsize,
    /// How long the tokens issued from now on live, in seconds: the configured lifetime until
    /// a test changes it.
    pub token_lifetime_secs: AtomicU64,
    /// What each code exchange sent, in order.
    pub exchanges: Mutex<Vec<oauth::ExchangeSeen>>,
    /// When each token request arrived, in order (to measure a client's backoff).
    pub token_times: Mutex<Vec<std::time::Instant>>,
    /// The API's rate limit state.
    pub api_bucket: Mutex<api::Bucket>,
}

impl Shared {
    /// How long a token issued now lives, in seconds.
    pub fn token_lifetime(&self) -> u64 {
        self.token_lifetime_secs.load(Ordering::Relaxed)
    }

    pub fn issuer(&self) -> String {
        self.issuer.get().cloned().unwrap_or_default()
    }

    /// The `iss` a sign-in answer carries: the issuer, or nothing when configured not to send it.
    pub fn base_url(&self) -> String {
        self.base.get().cloned().unwrap_or_default()
    }

    pub fn sent_iss(&self) -> String {
        if self.config.send_iss {
            self.issuer()
        } else {
            String::new()
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub token_requests: AtomicUsize,
    pub api_requests: AtomicUsize,
    pub revocations: AtomicUsize,
}

/// How many requests the sandbox has answered, for tests to assert on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Requests to `POST /oauth2/token`.
    pub token_requests: usize,
    /// Requests to `/api/…`.
    pub api_requests: usize,
    /// Requests to `POST /oauth2/revoke`.
    pub revocations: usize,
}

/// The sandbox's routes over `shared`.
fn router(shared: Arc<Shared>) -> Router {
    let issuer_path = shared.config.issuer_path.trim_end_matches('/').to_owned();
    let mut router = Router::new();
    if !issuer_path.is_empty() {
        router = router.route(
            &format!("{issuer_path}/.well-known/openid-configuration"),
            get(oauth::metadata::under_issuer),
        );
    }
    router
        .route("/healthz", get(healthz))
        .route("/.well-known/{*rest}", get(oauth::metadata::well_known))
        .route("/oauth2/token", post(oauth::token))
        .route("/oauth2/revoke", post(oauth::revoke))
        .route(
            "/oauth2/device_authorization",
            post(oauth::device::device_authorization),
        )
        .route(
            "/oauth2/device",
            get(oauth::device::verification_page).post(oauth::device::verification_decide),
        )
        .route("/oauth2/authorizations/new", get(authorize::authorize))
        .route("/oauth2/authorizations/decide", post(authorize::decide))
        .route("/api/{resource}", get(api::list))
        .route("/moved/{*rest}", axum::routing::any(moved))
        .with_state(shared)
}

/// Everything under `/moved/` is answered `307 Temporary Redirect` to the same path without
/// `/moved` (a 307 keeps the method and the body): a client that followed it would reach the
/// real endpoint, whose counters show it. Checklist item 22: never follow a redirect.
async fn moved(axum::extract::Path(rest): axum::extract::Path<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::TEMPORARY_REDIRECT,
        [(axum::http::header::LOCATION, format!("/{rest}"))],
    )
        .into_response()
}

async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// A running sandbox. Dropping it stops the server.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds `127.0.0.1:port` (0 picks a free port) with the demo configuration and serves in
    /// the background on the current Tokio runtime.
    pub async fn start(port: u16) -> std::io::Result<Sandbox> {
        Self::start_with(Config::demo(), port).await
    }

    /// Like [`Sandbox::start`], with the given configuration.
    pub async fn start_with(config: Config, port: u16) -> std::io::Result<Sandbox> {
        let shared = Arc::new(Shared {
            api_bucket: Mutex::new(api::Bucket::full(config.api_rate_limit)),
            token_lifetime_secs: AtomicU64::new(config.token_lifetime_secs),
            config,
            tokens: Mutex::new(HashMap::new()),
            codes: Mutex::new(HashMap::new()),
            consents: Mutex::new(HashMap::new()),
            refresh_tokens: Mutex::new(HashMap::new()),
            devices: Mutex::new(HashMap::new()),
            device_polls: Mutex::new(Vec::new()),
            extras: Mutex::new(Vec::new()),
            auth_methods: Mutex::new(Vec::new()),
            jtis: Mutex::new(HashMap::new()),
            assertions: Mutex::new(Vec::new()),
            base: OnceLock::new(),
            stats: Counters::default(),
            issuer: OnceLock::new(),
            fault: Mutex::new(None),
            unavailable_served: AtomicUsize::new(0),
            token_times: Mutex::new(Vec::new()),
            exchanges: Mutex::new(Vec::new()),
        });
        let app = router(shared.clone());
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let addr = listener.local_addr()?;
        let _ = shared.base.set(format!("http://{addr}"));
        let _ = shared
            .issuer
            .set(format!("http://{addr}{}", shared.config.issuer_path));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(err) = served {
                tracing::error!(%err, "sandbox server stopped with an error");
            }
        });
        Ok(Sandbox {
            addr,
            shared,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The requests answered so far.
    pub fn stats(&self) -> Stats {
        Stats {
            token_requests: self.shared.stats.token_requests.load(Ordering::Relaxed),
            api_requests: self.shared.stats.api_requests.load(Ordering::Relaxed),
            revocations: self.shared.stats.revocations.load(Ordering::Relaxed),
        }
    }

    /// Makes the token endpoint misbehave (or behave again, with `None`).
    pub fn set_fault(&self, fault: Option<faults::Fault>) {
        self.shared.unavailable_served.store(0, Ordering::Relaxed);
        *self.shared.fault.lock().unwrap_or_else(|p| p.into_inner()) = fault;
    }

    /// What each code exchange so far sent (verifier and redirect URI), in order.
    pub fn exchanges_seen(&self) -> Vec<oauth::ExchangeSeen> {
        self.shared
            .exchanges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// When each token request arrived so far, in order.
    pub fn token_request_times(&self) -> Vec<std::time::Instant> {
        self.shared
            .token_times
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Makes the tokens issued from now on live `secs` seconds (those issued before keep their
    /// expiry).
    pub fn set_token_lifetime(&self, secs: u64) {
        self.shared
            .token_lifetime_secs
            .store(secs, Ordering::Relaxed);
    }

    /// Forgets the access tokens it issued (refresh tokens stay valid), as a server does when it
    /// revokes tokens early.
    pub fn revoke_access_tokens(&self) {
        self.shared
            .tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Forgets every grant, code and token, as a restarted server would.
    pub fn forget_grants(&self) {
        self.shared
            .tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.shared
            .codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.shared
            .refresh_tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// The issuer identifier it names in `iss`: the base URL and the configured issuer path.
    pub fn issuer(&self) -> String {
        self.shared.issuer()
    }

    /// Every parameter beyond the protocol's own that a request carried so far, in order.
    pub fn extras_seen(&self) -> Vec<oauth::ExtraSeen> {
        self.shared
            .extras
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How each request so far authenticated its client (`client_secret_basic`,
    /// `client_secret_post`, `private_key_jwt`, `none`), in order.
    pub fn auth_methods_seen(&self) -> Vec<&'static str> {
        self.shared
            .auth_methods
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Every signed client assertion accepted so far, verified, in order.
    pub fn assertions_seen(&self) -> Vec<oauth::assertion::AssertionSeen> {
        self.shared
            .assertions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Every poll of the token endpoint with a device code so far, in order.
    pub fn device_polls(&self) -> Vec<oauth::device::DevicePoll> {
        self.shared
            .device_polls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The device codes, for a task that plays the person at the verification page.
    pub fn device_polls_handle(&self) -> oauth::device::DeviceDesk {
        oauth::device::DeviceDesk {
            shared: self.shared.clone(),
        }
    }

    /// Decides for the person on the verification page: approves or denies the device code
    /// with this user code. `false` when no live device code has it.
    pub fn decide_device(&self, user_code: &str, approve: bool) -> bool {
        let decision = if approve {
            oauth::device::Decision::Approved
        } else {
            oauth::device::Decision::Denied
        };
        oauth::device::decide(&self.shared, user_code, decision)
    }

    /// `http://127.0.0.1:PORT`, with no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
