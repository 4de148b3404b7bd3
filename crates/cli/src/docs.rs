//! `connmgr completions SHELL` and `connmgr man`: generated from the same definitions as
//! `--help` (`args.rs`).

use clap::CommandFactory;

use crate::args::Cli;
use crate::failure::Failure;
use crate::out;

/// The shell's completion script on standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "connmgr", &mut script);
    out(script)
}

/// The man page (roff) of connmgr, or of one of its commands, on standard output:
/// `connmgr man > connmgr.1`, `connmgr man token > connmgr-token.1`.
pub fn man(command: Option<&str>) -> Result<(), Failure> {
    let root = Cli::command();
    let page = match command {
        None => root,
        Some(name) => {
            let sub = root
                .get_subcommands()
                .find(|c| c.get_name() == name)
                .cloned()
                .ok_or_else(|| Failure::usage(format!("connmgr has no command {name}.")))?;
            sub.name(format!("connmgr-{name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|e| Failure::output(&e))?;
    out(roff)
}
