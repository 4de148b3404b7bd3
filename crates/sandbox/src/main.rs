//! `connmgr-sandbox [--port N] [--config FILE] [--strict]`: serves the sandbox on 127.0.0.1 and
//! prints its base URL (`http://127.0.0.1:PORT`) as the first line on standard output, then runs
//! until it is interrupted (Ctrl-C or SIGTERM). With no `--config` it serves the built-in demo
//! clients; `--strict` makes it behave as a certified server does (`Config::made_strict`).

use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage: connmgr-sandbox [--port N] [--config FILE] [--strict]\n  --port N       port on 127.0.0.1 (default 0: a free one)\n  --config FILE  clients and token settings (JSON; default: the demo clients)\n  --strict       as strict as a certified server: unknown scopes dropped, offline_access\n                 unlisted and needing prompt=consent, a forbidden grant invalid_request";

#[derive(Debug, PartialEq, Eq)]
struct Args {
    port: u16,
    config: Option<String>,
    strict: bool,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut port = 0u16;
    let mut config = None;
    let mut strict = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--port" => {
                let value = it.next().ok_or("--port needs a value")?;
                port = value
                    .parse()
                    .map_err(|_| format!("--port: {value:?} is not a port number (0-65535)"))?;
            }
            "--config" => config = Some(it.next().ok_or("--config needs a file")?.clone()),
            "--strict" => strict = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Args {
        port,
        config,
        strict,
    })
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
    let Args {
        port,
        config,
        strict,
    } = match parse_args(&args) {
        Ok(a) => a,
        Err(msg) => {
            tracing::error!("{msg}");
            return ExitCode::from(2);
        }
    };
    let config = match config {
        None => connmgr_sandbox::Config::demo(),
        Some(path) => match std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {path}: {e}"))
            .and_then(|text| connmgr_sandbox::Config::from_json(&text))
        {
            Ok(c) => c,
            Err(msg) => {
                tracing::error!("{msg}");
                return ExitCode::from(2);
            }
        },
    };
    let config = if strict { config.made_strict() } else { config };
    let sandbox = match connmgr_sandbox::Sandbox::start_with(config, port).await {
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
    fn port_defaults_to_zero_and_config_to_the_demo() {
        assert_eq!(
            parse_args(&args(&[])),
            Ok(Args {
                port: 0,
                config: None,
                strict: false,
            })
        );
        assert_eq!(
            parse_args(&args(&["--port", "8123", "--config", "c.json", "--strict"])),
            Ok(Args {
                port: 8123,
                config: Some("c.json".to_owned()),
                strict: true,
            })
        );
    }

    #[test]
    fn bad_arguments_are_named() {
        let err = parse_args(&args(&["--port", "x"])).unwrap_err();
        assert!(err.contains("\"x\""), "the bad value is quoted: {err}");
        let err = parse_args(&args(&["--bogus"])).unwrap_err();
        assert!(err.contains("--bogus"), "the unknown flag is named: {err}");
    }
}
