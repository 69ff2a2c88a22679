//! `phasegate git setup [--check]`: makes the workspace's git repository merge journals with
//! phasegate's driver and ignore per-machine state (DESIGN §7). Drives the user's own `git`.

use super::{Exit, Invocation, report_store_error, say};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: GitCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum GitCommand {
    /// Register the journal merge driver (.gitattributes + merge.phasegate.*) and ignore
    /// recovery/, presence/, reviews/ and the lock (.gitignore); idempotent
    Setup {
        /// Only report whether the repository is set up (exit 1 when it is not)
        #[arg(long)]
        check: bool,
    },
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let GitCommand::Setup { check } = args.command;
    let report = match crate::store::git::setup(&ctx.workspace, check) {
        Ok(r) => r,
        Err(e) => return report_store_error(&e),
    };
    let mut out = String::new();
    for (what, done) in &report.pieces {
        let mark = match (done, check) {
            (true, _) => "ok",
            (false, true) => "missing",
            (false, false) => "written",
        };
        out.push_str(&format!("{mark:>8}  {what}\n"));
    }
    if check {
        if report.complete() {
            out.push_str(&format!("{}: set up for phasegate\n", report.top.display()));
            say(&out);
            Exit::Ok
        } else {
            out.push_str(&format!(
                "{}: not set up: run `phasegate git setup`\n",
                report.top.display()
            ));
            say(&out);
            Exit::Refused
        }
    } else {
        out.push_str(&format!(
            "{}: set up; commit .gitattributes and .gitignore so every clone merges journals the same way (each clone runs `phasegate git setup` once for the driver)\n",
            report.top.display()
        ));
        say(&out);
        Exit::Ok
    }
}
