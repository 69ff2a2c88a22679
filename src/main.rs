#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let cli = phasegate::cli::Cli::parse();
    let exit = phasegate::cli::run(cli);
    std::process::exit(exit.code());
}
