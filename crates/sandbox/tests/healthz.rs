//! The sandbox started in-process answers `/healthz` over real HTTP on loopback.

use connmgr_sandbox::Sandbox;

#[tokio::test]
async fn healthz_answers_ok_over_http() {
    let sandbox = Sandbox::start(0)
        .await
        .expect("sandbox binds a free loopback port");
    assert!(
        sandbox.addr().ip().is_loopback(),
        "the sandbox listens on loopback only"
    );
    let url = format!("{}/healthz", sandbox.base_url());
    let resp = reqwest::get(&url).await.expect("GET /healthz");
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.expect("JSON body");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    sandbox.stop().await;
}

#[tokio::test]
async fn stopped_sandbox_releases_its_port() {
    let sandbox = Sandbox::start(0).await.expect("start");
    let addr = sandbox.addr();
    sandbox.stop().await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "after stop nothing accepts on {addr}"
    );
}
