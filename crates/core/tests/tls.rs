//! Checklist 23, the TLS half: a certificate this computer does not trust is fatal, and the
//! error says which certificate was refused and why; a root in the operating system's store (as
//! a proxy that re-signs TLS installs one) is trusted. The sandbox is put behind a TLS front
//! with its own test authority, as a corporate proxy would be.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

mod common;

use connmgr_core::http::HttpClient;
use connmgr_core::model::connection::GrantType;
use connmgr_core::oauth::client_credentials;
use connmgr_core::{ErrorCode, Secret};
use connmgr_sandbox::{Config, Sandbox};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use tokio::net::{TcpListener, TcpStream};

const SECRET: &str = "sandbox-integration-secret";

/// A TLS server in front of the sandbox: it ends TLS with a certificate for `names`, signed by
/// a fresh test authority, and passes the bytes on.
struct TlsFront {
    base_url: String,
    /// The test authority's certificate, PEM.
    ca_pem: String,
    /// Handshakes that completed (the client accepted the certificate).
    accepted: Arc<AtomicUsize>,
}

async fn tls_front(backend: SocketAddr, names: &[&str]) -> TlsFront {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Connection Manager test authority");
    let ca = ca_params.self_signed(&ca_key).expect("CA");
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf_params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .expect("leaf params");
    let leaf = leaf_params
        .signed_by(&leaf_key, &ca, &ca_key)
        .expect("leaf");

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivatePkcs8KeyDer::from(leaf_key.serialize_der()).into(),
        )
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, counter) = (acceptor.clone(), counter.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return; // the client refused the certificate
                };
                counter.fetch_add(1, Ordering::SeqCst);
                if let Ok(mut back) = TcpStream::connect(backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut back).await;
                }
            });
        }
    });
    TlsFront {
        base_url: format!("https://127.0.0.1:{port}"),
        ca_pem: ca.pem(),
        accepted,
    }
}

fn backend_addr(sb: &Sandbox) -> SocketAddr {
    sb.base_url()
        .trim_start_matches("http://")
        .parse()
        .expect("sandbox address")
}

/// A client-credentials connection to the sandbox through the TLS front at `base`.
fn connection_to(base: &str) -> connmgr_core::Connection {
    common::connection_at(
        base,
        base,
        "sandbox-integration",
        GrantType::ClientCredentials,
        &["core.user.read"],
    )
}

#[tokio::test]
async fn checklist_23_an_untrusted_certificate_is_fatal_and_named() {
    let sb = Sandbox::start_with(Config::strict(), 0)
        .await
        .expect("sandbox");
    let front = tls_front(backend_addr(&sb), &["127.0.0.1", "localhost"]).await;
    let conn = connection_to(&front.base_url);
    let http = HttpClient::new().expect("http");
    let err = client_credentials(&http, &conn, &Secret::new(SECRET))
        .await
        .expect_err("the certificate is not trusted");
    assert_eq!(err.code(), ErrorCode::Tls, "{err}");
    let text = err.to_string();
    let host = front.base_url.trim_start_matches("https://");
    assert!(
        text.contains(&format!("the certificate presented by {host} was refused")),
        "{text}"
    );
    assert!(text.contains("does not trust"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert_eq!(front.accepted.load(Ordering::SeqCst), 0);
    assert_eq!(sb.stats().token_requests, 0, "nothing reached the server");
}

#[tokio::test]
async fn checklist_23_a_root_in_the_system_store_is_trusted() {
    let sb = Sandbox::start_with(Config::strict(), 0)
        .await
        .expect("sandbox");
    let good = tls_front(backend_addr(&sb), &["127.0.0.1"]).await;
    let wrong_name = tls_front(backend_addr(&sb), &["elsewhere.example.com"]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let bundle = dir.path().join("roots.pem");
    std::fs::write(&bundle, format!("{}{}", good.ca_pem, wrong_name.ca_pem)).expect("bundle");
    // The system store is read when the client is built; `SSL_CERT_FILE` points it at the
    // bundle, so the check runs in a child process with its own environment.
    let child = common::spawn_child(
        "child_with_the_test_authority_in_the_system_store",
        &[
            ("SSL_CERT_FILE", bundle.to_str().expect("utf-8 path")),
            ("CONNMGR_CHILD_GOOD", &good.base_url),
            ("CONNMGR_CHILD_WRONG_NAME", &wrong_name.base_url),
        ],
    );
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("child output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
    assert_eq!(sb.stats().token_requests, 1, "one token through the front");
    assert_eq!(good.accepted.load(Ordering::SeqCst), 1);
    assert_eq!(wrong_name.accepted.load(Ordering::SeqCst), 0);
}

#[tokio::test]
#[ignore = "a child process of checklist_23_a_root_in_the_system_store_is_trusted"]
async fn child_with_the_test_authority_in_the_system_store() {
    let http = HttpClient::new().expect("http");
    let good = std::env::var("CONNMGR_CHILD_GOOD").expect("CONNMGR_CHILD_GOOD");
    let token = client_credentials(&http, &connection_to(&good), &Secret::new(SECRET))
        .await
        .expect("trusted through the system store");
    assert_eq!(token.info.granted_scopes, ["core.user.read"]);

    let wrong = std::env::var("CONNMGR_CHILD_WRONG_NAME").expect("CONNMGR_CHILD_WRONG_NAME");
    let err = client_credentials(&http, &connection_to(&wrong), &Secret::new(SECRET))
        .await
        .expect_err("issued for another name");
    assert_eq!(err.code(), ErrorCode::Tls, "{err}");
    assert!(
        err.to_string().contains("issued for another host name"),
        "{err}"
    );
}
