//! `phasegate queue [--json]`: the lead's queue — every gate across the workspace the acting
//! identity may decide, oldest first (the computation is `domain::queue`).

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use serde_json::json;

use super::{Exit, Invocation, locate, report_store_error};
use crate::domain::position::Finding;
use crate::domain::queue::{QueueEntry, QueueInput, age, queue};
use crate::store::queue::{QueueLoaded, load_workspace};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// One JSON object: {"identity", "now", "gates": [...], "unreadable": [...]} (README)
    #[arg(long)]
    pub json: bool,
}

fn text(entries: &[QueueEntry], roots: &[&Path], who: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "waiting for {who}: {} gate{}, oldest first",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" }
    );
    for (entry, root) in entries.iter().zip(roots) {
        let at = |f: &Finding| locate(root, f);
        let _ = writeln!(
            out,
            "\n{:>7}  {}  Gate {} ({}{})",
            age(entry.age_seconds),
            entry.engagement,
            entry.gate,
            entry.waiting.as_str(),
            if entry.stale.is_empty() { "" } else { " ⚠" },
        );
        let _ = writeln!(
            out,
            "         {}\n         owner {}; waiting since {} (event {})",
            entry.title, entry.owner, entry.since, entry.since_event
        );
        let auto = match &entry.auto.first_failure {
            None => entry.auto.summary(),
            Some(f) => format!(
                "{}/{} auto pass; {}{} fails at {}",
                entry.auto.passed,
                entry.auto.total,
                f.id,
                if f.hard { " (hard)" } else { "" },
                at(&f.finding)
            ),
        };
        let _ = writeln!(out, "         {auto}; {} manual to review", entry.manual);
        if entry.quorum.asked || entry.quorum.have > 0 {
            let _ = writeln!(out, "         {}", entry.quorum.summary);
        }
        if !entry.stale.is_empty() {
            let _ = writeln!(
                out,
                "         stale: {} changed after the approval",
                entry.stale.join(", ")
            );
        }
        if entry.blocked_by_stale_gate1 {
            let _ = writeln!(
                out,
                "         blocked: Gate 1 is stale and must be re-approved first"
            );
        }
        for c in &entry.conflicts {
            let _ = writeln!(out, "         {}: {}", c.kind, at(&c.finding));
        }
    }
    out
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let stamp = match ctx.stamp() {
        Ok(s) => s,
        Err(e) => return report_store_error(&e),
    };
    let (loaded, unreadable) = match load_workspace(&ctx.workspace, &stamp.actor) {
        Ok(x) => x,
        Err(e) => return report_store_error(&e),
    };
    let inputs: Vec<QueueInput<'_>> = loaded.iter().map(QueueLoaded::input).collect();
    let entries = queue(&inputs, &stamp.actor, stamp.at);
    let roots: Vec<&Path> = entries
        .iter()
        .map(|e| {
            loaded
                .iter()
                .find(|l| l.engagement.slug == e.engagement)
                .map_or(ctx.workspace.as_path(), |l| l.root.as_path())
        })
        .collect();
    let out = if args.json {
        let v = json!({
            "identity": stamp.actor,
            "now": stamp.at,
            "gates": entries.iter().zip(&roots).map(|(e, root)| {
                let mut v = json!(e);
                v["root"] = json!(root.display().to_string());
                v
            }).collect::<Vec<_>>(),
            "unreadable": unreadable.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        format!("{v}\n")
    } else {
        text(&entries, &roots, &stamp.actor)
    };
    let _ = std::io::stdout().write_all(out.as_bytes());
    if unreadable.is_empty() {
        Exit::Ok
    } else {
        for e in &unreadable {
            let _ = writeln!(std::io::stderr(), "error: {e}");
        }
        Exit::Usage
    }
}
