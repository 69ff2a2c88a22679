//! `phasegate queue [--json]`: the lead's queue — every gate across the workspace the acting
//! identity may decide, oldest first (the computation is `domain::queue`).

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::{Context, Exit, locate, report_store_error};
use crate::domain::evaluate::{Engagement, Evaluation, evaluate};
use crate::domain::position::{Finding, Position};
use crate::domain::queue::{QueueEntry, QueueInput, age, queue};
use crate::store::StoreError;
use crate::store::engagement::load;
use crate::store::recovery;
use crate::store::workspace::list_engagements;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// One JSON object: {"identity", "now", "gates": [...], "unreadable": [...]} (README)
    #[arg(long)]
    pub json: bool,
}

/// An engagement loaded and evaluated for the queue.
pub struct Loaded {
    pub root: PathBuf,
    pub engagement: Engagement,
    pub evaluation: Evaluation,
    pub recovery_files: Vec<String>,
    pub load_problems: Vec<Finding>,
}

impl Loaded {
    pub fn input(&self) -> QueueInput<'_> {
        QueueInput {
            engagement: &self.engagement,
            evaluation: &self.evaluation,
            recovery_files: self.recovery_files.clone(),
            load_problems: self.load_problems.clone(),
        }
    }
}

/// Loads and evaluates one engagement for the queue.
fn load_one(root: PathBuf) -> Result<Loaded, StoreError> {
    let l = load(&root)?;
    let evaluation = evaluate(&l.engagement);
    let (files, problems) = recovery::list(&root);
    let load_problems = l
        .issues
        .iter()
        .chain(problems.iter())
        .map(|e| {
            Finding::new(
                Position::new(e.path.display().to_string(), e.line, e.column),
                e.message.clone(),
            )
        })
        .collect();
    Ok(Loaded {
        root,
        engagement: l.engagement,
        evaluation,
        recovery_files: files.into_iter().map(|f| f.name).collect(),
        load_problems,
    })
}

/// Loads every engagement of the workspace; the ones that cannot be read come back apart.
/// Engagements are independent, so they load on every core (a lead's workspace holds hundreds).
pub fn load_workspace(workspace: &Path) -> Result<(Vec<Loaded>, Vec<StoreError>), StoreError> {
    let roots = list_engagements(workspace)?;
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 8);
    let chunk = roots.len().div_ceil(threads).max(1);
    let results: Vec<Result<Loaded, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = roots
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().cloned().map(load_one).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![Err(StoreError::new(
                        workspace,
                        "loading an engagement failed unexpectedly (a bug: please report it)",
                    ))]
                })
            })
            .collect()
    });
    let mut loaded = Vec::new();
    let mut unreadable = Vec::new();
    for r in results {
        match r {
            Ok(l) => loaded.push(l),
            Err(e) => unreadable.push(e),
        }
    }
    Ok((loaded, unreadable))
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

pub fn run(ctx: &Context, args: &Args) -> Exit {
    let stamp = match ctx.stamp() {
        Ok(s) => s,
        Err(e) => return report_store_error(&e),
    };
    let (loaded, unreadable) = match load_workspace(&ctx.workspace) {
        Ok(x) => x,
        Err(e) => return report_store_error(&e),
    };
    let inputs: Vec<QueueInput<'_>> = loaded.iter().map(Loaded::input).collect();
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
