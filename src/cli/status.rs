//! `phasegate status [ENGAGEMENT] [--json]`: phase, both gates, every criterion with its
//! position, components, reconciliation, warnings, journal head and the next action.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use super::{Exit, Invocation, locate};
use crate::domain::engagement::Engagement;
use crate::domain::evaluate::gate_quorum;
use crate::domain::evaluate::{Evaluation, evaluate, next_action, shown_result};
use crate::domain::journal::{CriterionResult, GateId};
use crate::domain::position::Finding;
use crate::domain::signature::{EventSignature, SignatureReport};
use crate::store::agents::{self, agent_actor, status_object};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Engagement path or workspace slug (default: the current directory)
    pub engagement: Option<String>,
    /// One JSON object (DESIGN §3 shape)
    #[arg(long)]
    pub json: bool,
}

fn baseline_text(out: &mut String, e: &Engagement, ev: &Evaluation) {
    let Some(reference) = &e.meta.baseline else {
        return;
    };
    let Some(b) = &ev.baseline else {
        let _ = writeln!(
            out,
            "\nBaseline {reference}: not a closed engagement of this workspace (nothing to compare)"
        );
        return;
    };
    let _ = writeln!(out, "\nChanges against baseline {reference}:");
    for (what, d) in [
        ("requirements", &b.requirements),
        ("components", &b.components),
    ] {
        let list = |v: &[crate::domain::ids::ItemId]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let _ = writeln!(
            out,
            "  {what:<13} added {}; changed {}; removed {}",
            list(&d.added),
            list(&d.changed),
            list(&d.removed)
        );
    }
}

pub fn status_text(root: &Path, e: &Engagement, ev: &Evaluation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", e.slug, e.meta.title);
    let _ = writeln!(
        out,
        "phase: {}    owner: {}",
        ev.phase.title(),
        e.meta.owner
    );
    for g in &ev.gates {
        let _ = write!(
            out,
            "Gate {}: {}",
            g.gate.number(),
            g.state.as_str().to_uppercase()
        );
        if let Some(a) = &g.approval {
            let _ = write!(
                out,
                " (approved by {} at {}, event {})",
                a.actor, a.at, a.seq
            );
        }
        for s in &g.stale {
            let _ = write!(out, " — {} changed since approval", s.file);
        }
        if let Some(r) = &g.review_requested {
            let _ = write!(
                out,
                " — review requested by {} at {} (event {})",
                r.actor, r.at, r.seq
            );
        }
        let q = gate_quorum(e, ev, g.gate);
        if q.asked {
            let _ = write!(out, " — {}", q.describe(&e.meta.roles));
        }
        out.push('\n');
    }
    for gate in [GateId::One, GateId::Two] {
        let _ = writeln!(out, "\nGate {} criteria:", gate.number());
        for c in ev.criteria_of(gate) {
            let result = shown_result(e, ev.gate(gate), c);
            let kind = format!(
                "{}{}",
                if c.def.kind == crate::domain::criteria::CriterionKind::Auto {
                    "auto"
                } else {
                    "manual"
                },
                if c.def.hard { ", hard" } else { "" }
            );
            let _ = writeln!(
                out,
                "  {:<6} {:<9} {:<12} {}",
                c.def.id,
                result.as_str(),
                kind,
                c.def.text
            );
            if result == CriterionResult::Fail {
                for f in &c.failures {
                    let _ = writeln!(out, "      {}", locate(root, f));
                }
            }
        }
    }
    if !ev.components.is_empty() {
        let _ = writeln!(
            out,
            "\nComponents (build order {}):",
            ev.build_order
                .order
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" → ")
        );
        for c in &ev.components {
            let deps = if c.depends_on.is_empty() {
                "none".to_string()
            } else {
                c.depends_on
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let flag = if c.added {
                " (added in as-built)"
            } else if c.removed {
                " (removed with a deviation)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {:<8} {:<10} {}{flag}  [depends on {deps}]",
                c.id.to_string(),
                c.status.as_str(),
                c.title
            );
        }
    }
    baseline_text(&mut out, e, ev);
    if let Some(r) = &ev.reconciliation {
        let _ = writeln!(
            out,
            "\nReconciliation: {}/{} hunks explained",
            r.explained(),
            r.hunks.len()
        );
        for h in &r.hunks {
            let comps: Vec<String> = h
                .components
                .iter()
                .map(ToString::to_string)
                .chain(h.outside.then(|| "general".to_string()))
                .collect();
            let verdict = h.verdict();
            let _ = writeln!(
                out,
                "  {}  [{}] {verdict}",
                locate(root, &Finding::new(h.position.clone(), "")).trim_end_matches(": "),
                comps.join(", ")
            );
        }
    }
    if !ev.deviations.is_empty() {
        let _ = writeln!(out, "\nDeviations:");
        for d in &ev.deviations {
            let recorded = if ev.replay.deviations.contains_key(&d.id) {
                "recorded"
            } else {
                "NOT YET RECORDED"
            };
            let _ = writeln!(
                out,
                "  {} ({}, {}) {recorded}",
                d.id,
                d.target.map(|t| t.to_string()).unwrap_or_default(),
                d.impact.map(|i| i.as_str()).unwrap_or("?")
            );
        }
    }
    if !ev.problems.is_empty() || !ev.warnings.is_empty() {
        let _ = writeln!(out, "\nProblems and warnings:");
        for p in &ev.problems {
            let _ = writeln!(out, "  error: {}", locate(root, p));
        }
        for w in &ev.warnings {
            let _ = writeln!(out, "  warning: {}", locate(root, w));
        }
    }
    for s in agents::live_sessions(root) {
        let _ = writeln!(
            out,
            "\nagent session active: {} (pid {}, since {}) — it writes through `phasegate mcp`; decisions stay yours",
            agent_actor(&s.client),
            s.owner.pid,
            s.since
        );
    }
    let _ = writeln!(
        out,
        "\njournal: {} events, head {}",
        e.journal.events.len(),
        e.journal.head()
    );
    let _ = writeln!(out, "next: {}", next_action(ev));
    out
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let loaded = match ctx.load(args.engagement.as_deref()) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let ev = evaluate(&loaded.engagement);
    let signatures = match super::signatures::verify(ctx, &loaded.engagement) {
        Ok((report, _)) => report,
        Err(e) => return super::report_store_error(&e),
    };
    // Where the engagement stands in git (no network: as of the last fetch).
    let git = crate::store::git::engagement_status(&loaded.root, &loaded.engagement.journal);
    if args.json {
        let mut v = status_object(&loaded.root, &loaded.engagement, &ev);
        add_signatures_json(&mut v, &ev, &signatures);
        v["git"] = json!(git);
        let _ = std::io::stdout().write_all(format!("{v}\n").as_bytes());
    } else {
        let mut text = status_text(&loaded.root, &loaded.engagement, &ev);
        text.push_str(&signatures_text(&loaded.engagement, &signatures));
        if let Some(git) = &git {
            let _ = writeln!(text, "\n{}", git.summary());
        }
        super::say(&text);
    }
    Exit::Ok
}

fn signature_json(s: &EventSignature) -> Value {
    json!({
        "event": s.seq,
        "kind": s.kind,
        "signer": s.principal,
        "fingerprint": s.fingerprint,
        "verified": s.verified,
        "problem": s.problem,
    })
}

/// Per decision: signer principal, fingerprint, verified yes/no; the approval in force of
/// each gate carries its own.
fn add_signatures_json(v: &mut Value, ev: &Evaluation, report: &SignatureReport) {
    v["decisions"] = json!(report.events.iter().map(signature_json).collect::<Vec<_>>());
    for g in &ev.gates {
        if let Some(a) = &g.approval
            && let Some(s) = report.of(a.seq)
        {
            v["gates"][g.gate.number().to_string()]["signature"] = signature_json(s);
        }
    }
}

fn signatures_text(e: &Engagement, report: &SignatureReport) -> String {
    let mut out = String::new();
    if report.events.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nDecisions:");
    for s in &report.events {
        let summary = e
            .journal
            .events
            .iter()
            .find(|ev| ev.seq == s.seq)
            .map(|ev| format!("{} by {}", ev.body.summary(), ev.actor))
            .unwrap_or_default();
        let signature = match (&s.fingerprint, s.verified) {
            (None, _) => "unsigned".to_string(),
            (Some(fp), true) => format!(
                "signed by {} ({fp}), verified: yes",
                s.principal.as_deref().unwrap_or("?")
            ),
            (Some(fp), false) => format!(
                "signed with {fp}, verified: NO — {}",
                s.problem.as_deref().unwrap_or("")
            ),
        };
        let _ = writeln!(out, "  event {:<3} {summary} — {signature}", s.seq);
    }
    out
}
