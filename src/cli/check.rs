//! `phasegate check [ENGAGEMENT|--all] [--strict]`: chain, snapshots, stale gates, changed
//! recorded items, policy edits and out-of-phase warnings. For CI and pre-commit hooks.

use std::fmt::Write as _;

use super::{Context, Exit, locate, report_store_error, say, say_err};
use crate::domain::evaluate::evaluate;
use crate::domain::lawful::unlawful;
use crate::store::engagement::{OBJECTS_DIR, leftover_temps, load};
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
    // Human output goes out through `say`/`say_err` (control characters escaped); the report
    // is flushed before each error so the two streams keep their order on a terminal.
    let mut out = String::new();
    let error = |out: &mut String, e: &dyn std::fmt::Display| {
        say(out);
        out.clear();
        say_err(&format!("error: {e}\n"));
    };
    let (mut problems, mut warnings, mut unreadable) = (0, 0, 0);
    for root in &roots {
        let loaded = match load(root) {
            Ok(l) => l,
            Err(e) => {
                error(&mut out, &e);
                unreadable += 1;
                continue;
            }
        };
        // A tampered snapshot is evidence that failed, not unreadable input: a problem.
        let objects = root.join(OBJECTS_DIR);
        let (tampered, bad_input): (Vec<_>, Vec<_>) = loaded
            .issues
            .iter()
            .partition(|e| e.path.starts_with(&objects));
        if let Some(e) = bad_input.first() {
            error(&mut out, e);
            unreadable += 1;
            continue;
        }
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
                error(&mut out, &e);
                unreadable += 1;
                continue;
            }
        }
        let mut found: Vec<String> = tampered.iter().map(|e| e.to_string()).collect();
        found.extend(
            ev.problems
                .iter()
                .chain(&unlawful(&loaded.engagement, &ev))
                // The tampered snapshot is also missing from the evaluation; say it once.
                .filter(|p| {
                    !tampered
                        .iter()
                        .any(|t| root.join(&p.position.file) == t.path)
                })
                .map(|p| locate(root, p)),
        );
        let mut cautions: Vec<String> = ev.warnings.iter().map(|w| locate(root, w)).collect();
        cautions.extend(leftover_temps(root).iter().map(|t| {
            format!(
                "{}: left by an interrupted write; the next phasegate write removes it",
                t.display()
            )
        }));
        for p in &found {
            let _ = writeln!(out, "error: {p}");
        }
        for w in &cautions {
            let _ = writeln!(out, "warning: {w}");
        }
        problems += found.len();
        warnings += cautions.len();
        if found.is_empty() {
            let _ = writeln!(
                out,
                "ok: {} — chain of {} events verified, head {}",
                root.display(),
                loaded.engagement.journal.events.len(),
                loaded.engagement.journal.head()
            );
        }
    }
    if unreadable > 0 {
        // Exit 2: what could not be read was not checked, so no count may read as a clean bill.
        let mut summary = format!(
            "{} engagement(s): {unreadable} could not be read (see the errors above)",
            roots.len()
        );
        if problems > 0 {
            summary.push_str(&format!(", {problems} problem(s) in the others"));
        }
        let _ = writeln!(out, "{summary}");
        say(&out);
        return Exit::Usage;
    }
    let _ = writeln!(
        out,
        "{} engagement(s): {problems} problem(s), {warnings} warning(s)",
        roots.len()
    );
    say(&out);
    if problems > 0 || (args.strict && warnings > 0) {
        Exit::Refused
    } else {
        Exit::Ok
    }
}
