//! `phasegate check [ENGAGEMENT|--all] [--strict]`: chain, snapshots, stale gates, changed
//! recorded items, policy edits and out-of-phase warnings. For CI and pre-commit hooks.

use std::io::Write;

use super::{Context, Exit, locate, report_store_error};
use crate::domain::evaluate::evaluate;
use crate::store::engagement::load_strict;
use crate::store::workspace::list_engagements;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Engagement path or workspace slug (default: the current directory)
    #[arg(conflicts_with = "all")]
    pub engagement: Option<String>,
    /// Check every engagement of the workspace
    #[arg(long)]
    pub all: bool,
    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,
}

pub fn run(ctx: &Context, args: &Args) -> Exit {
    let roots = if args.all {
        match list_engagements(&ctx.workspace) {
            Ok(r) => r,
            Err(e) => return report_store_error(&e),
        }
    } else {
        match ctx.engagement(args.engagement.as_deref()) {
            Ok(r) => vec![r],
            Err(e) => return report_store_error(&e),
        }
    };
    let mut out = std::io::stdout().lock();
    let (mut problems, mut warnings, mut unreadable) = (0, 0, 0);
    for root in &roots {
        let loaded = match load_strict(root) {
            Ok(l) => l,
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "error: {e}");
                unreadable += 1;
                continue;
            }
        };
        let mut ev = evaluate(&loaded.engagement);
        match super::signatures::verify(ctx, &loaded.engagement) {
            Ok((signatures, missing)) => {
                if let Some(path) = missing {
                    let _ = writeln!(out, "note: no allowed-signers file at {}", path.display());
                }
                ev.problems.extend(signatures.problems);
                ev.warnings.extend(signatures.warnings);
            }
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "error: {e}");
                unreadable += 1;
                continue;
            }
        }
        for p in &ev.problems {
            let _ = writeln!(out, "error: {}", locate(root, p));
        }
        for w in &ev.warnings {
            let _ = writeln!(out, "warning: {}", locate(root, w));
        }
        problems += ev.problems.len();
        warnings += ev.warnings.len();
        if ev.problems.is_empty() {
            let _ = writeln!(
                out,
                "ok: {} — chain of {} events verified, head {}",
                root.display(),
                loaded.engagement.journal.events.len(),
                loaded.engagement.journal.head()
            );
        }
    }
    let _ = writeln!(
        out,
        "{} engagement(s): {problems} problem(s), {warnings} warning(s)",
        roots.len()
    );
    if unreadable > 0 {
        Exit::Usage
    } else if problems > 0 || (args.strict && warnings > 0) {
        Exit::Refused
    } else {
        Exit::Ok
    }
}
