//! `connmgr`: Connection Manager's connections on the command line, for scripts and other
//! tools. It is a second front end on the core API: the same connections file, keyring entries
//! and per-connection renewal lock as the app, which can run at the same time.

mod add;
mod args;
mod browse;
mod docs;
mod failure;
mod git;
mod open;
mod remove;
mod sign_in;
mod tester;
mod token;
mod transfer;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, SecretAction};
use failure::Failure;

fn main() -> ExitCode {
    // A usage error exits 2 with clap's message, as documented.
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            return Failure {
                code: "internal".to_owned(),
                message: format!("The runtime could not start: {err}."),
                exit: 1,
            }
            .report();
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Completions { shell } => docs::completions(shell),
        Command::Man { command } => docs::man(command.as_deref()),
        Command::Presets { id } => browse::presets(id.as_deref()),
        command => {
            let ws = open::workspace()?;
            match command {
                Command::List { json } => browse::list(&ws, json),
                Command::Show { name, json } => browse::show(&ws, &name, json),
                Command::Add(args) => add::add(&ws, &args).await,
                Command::Secret {
                    action:
                        SecretAction::Set {
                            name,
                            key,
                            certificate,
                        },
                } => add::set_secret(&ws, &name, key.as_deref(), certificate.as_deref()),
                Command::Import { file, on_conflict } => transfer::import(&ws, &file, on_conflict),
                Command::Export {
                    names,
                    output,
                    force,
                } => transfer::export(&ws, &names, &output, force),
                Command::SignIn {
                    name,
                    device,
                    no_browser,
                } => sign_in::sign_in(&ws, &name, device, no_browser).await,
                Command::Test { name, json } => tester::test(&ws, &name, json).await,
                Command::Token {
                    name,
                    format,
                    min_valid,
                    renew,
                } => token::token(&ws, &name, format, min_valid, renew).await,
                Command::GitCredential { operation } => git::credential(&ws, operation).await,
                Command::Forget { name } => remove::forget(&ws, &name).await,
                Command::Delete { name, yes } => remove::delete(&ws, &name, yes).await,
                Command::Completions { .. } | Command::Man { .. } | Command::Presets { .. } => {
                    Ok(())
                }
            }
        }
    }
}

/// Writes the result to standard output.
pub(crate) fn out(bytes: impl AsRef<[u8]>) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes.as_ref())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::output(&e))
}

/// Writes `value` as JSON, one line.
pub(crate) fn out_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string(value).map_err(|e| Failure {
        code: "internal".to_owned(),
        message: format!("The result could not be written as JSON: {e}."),
        exit: 1,
    })?;
    out(format!("{text}\n"))
}
