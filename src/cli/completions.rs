//! `phasegate completions SHELL`.

use clap::CommandFactory;

use super::{Cli, Exit};

#[derive(Debug, clap::Args)]
pub struct Args {
    pub shell: clap_complete::Shell,
}

pub fn run(args: &Args) -> Exit {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "phasegate", &mut std::io::stdout());
    Exit::Ok
}
