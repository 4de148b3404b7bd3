//! `connmgr-sandbox [--port N]`: serves the sandbox on 127.0.0.1 and prints its base URL
//! (`http://127.0.0.1:PORT`) as the first line on standard output, then runs until it is
//! interrupted (Ctrl-C or SIGTERM).

use std::io::Write;
use std::process::ExitCode;

const USAGE: &str =
    "usage: connmgr-sandbox [--port N]\n  --port N   port on 127.0.0.1 (default 0: a free one)";

fn parse_port(args: &[String]) -> Result<u16, String> {
    let mut port = 0u16;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--port" => {
                let value = it.next().ok_or("--port needs a value")?;
                port = value
                    .parse()
                    .map_err(|_| format!("--port: {value:?} is not a port number (0-65535)"))?;
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(port)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CONNMGR_SANDBOX_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = match parse_port(&args) {
        Ok(port) => port,
        Err(msg) => {
            tracing::error!("{msg}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match connmgr_sandbox::Sandbox::start(port).await {
        Ok(s) => s,
        Err(err) => {
            tracing::error!("cannot listen on 127.0.0.1:{port}: {err}");
            return ExitCode::from(1);
        }
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{}", sandbox.base_url())
        .and_then(|_| out.flush())
        .is_err()
    {
        return ExitCode::from(1);
    }
    drop(out);
    wait_for_stop().await;
    sandbox.stop().await;
    ExitCode::SUCCESS
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn port_defaults_to_zero_and_is_parsed() {
        assert_eq!(parse_port(&args(&[])), Ok(0));
        assert_eq!(parse_port(&args(&["--port", "8123"])), Ok(8123));
    }

    #[test]
    fn bad_arguments_are_named() {
        let err = parse_port(&args(&["--port", "x"])).unwrap_err();
        assert!(err.contains("\"x\""), "the bad value is quoted: {err}");
        let err = parse_port(&args(&["--bogus"])).unwrap_err();
        assert!(err.contains("--bogus"), "the unknown flag is named: {err}");
    }
}
