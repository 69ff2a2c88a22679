//! `phasegate report [ENGAGEMENT] [--json]`: metrics per engagement and across the workspace.

use std::fmt::Write as _;
use std::io::Write;

use serde_json::json;

use super::{Exit, Invocation, report_store_error};
use crate::domain::evaluate::evaluate;
use crate::domain::journal::Event;
use crate::domain::metrics::{Metrics, TrendInput, Trends, metrics, trends};
use crate::domain::packet::{days as days_of, percent};
use crate::store::engagement::load_strict;
use crate::store::workspace::list_engagements;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// One engagement (default: every engagement of the workspace)
    pub engagement: Option<String>,
    #[arg(long)]
    pub json: bool,
}

fn days(secs: Option<i64>) -> String {
    days_of(secs)
}

fn pct(v: Option<f64>) -> String {
    percent(v)
}

/// `2.5 d` or `—`.
fn days_f(d: Option<f64>) -> String {
    d.map_or_else(|| "—".into(), |d| format!("{d:.1} d"))
}

/// The per-month trends as a text table, then the unfinished engagements apart.
pub fn trends_text(t: &Trends) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "\n{:<8} {:>6} {:>14} {:>14} {:>6} {:>6}",
        "month", "closed", "spec (median)", "design (med.)", "dev%", "reuse%"
    );
    for m in &t.months {
        let with_n = |d: Option<f64>, n: usize| {
            if n == 0 {
                "—".to_string()
            } else {
                format!("{} ({n})", days_f(d))
            }
        };
        let _ = writeln!(
            text,
            "{:<8} {:>6} {:>14} {:>14} {:>6} {:>6}",
            m.month,
            m.closed,
            with_n(m.median_days_to_approved_spec, m.approved_specs),
            with_n(m.median_days_to_approved_design, m.approved_designs),
            pct(m.deviation_rate),
            pct(m.reuse_rate)
        );
    }
    let _ = writeln!(
        text,
        "not closed: {} engagement{}, deviation rate {}, reuse rate {} (provisional: they can still change)",
        t.open.engagements,
        if t.open.engagements == 1 { "" } else { "s" },
        pct(t.open.deviation_rate),
        pct(t.open.reuse_rate)
    );
    text
}

/// Every engagement's events and metrics, for the trends.
pub fn workspace_trends(rows: &[(String, String, Metrics)], events: &[Vec<Event>]) -> Trends {
    let inputs: Vec<TrendInput<'_>> = rows
        .iter()
        .zip(events)
        .map(|(r, e)| TrendInput {
            events: e,
            metrics: &r.2,
        })
        .collect();
    trends(&inputs)
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let roots = match &args.engagement {
        Some(a) => match ctx.engagement(Some(a)) {
            Ok(r) => vec![r],
            Err(e) => return report_store_error(&e),
        },
        None => match list_engagements(&ctx.workspace) {
            Ok(r) => r,
            Err(e) => return report_store_error(&e),
        },
    };
    let mut rows: Vec<(String, String, Metrics)> = Vec::new();
    let mut designs: Vec<Vec<crate::domain::design::Component>> = Vec::new();
    let mut events: Vec<Vec<Event>> = Vec::new();
    for root in &roots {
        match load_strict(root) {
            Ok(l) => {
                let ev = evaluate(&l.engagement);
                designs.push(ev.design_components.clone());
                rows.push((
                    l.engagement.slug.clone(),
                    ev.phase.as_str().into(),
                    metrics(&l.engagement.journal.events, &ev),
                ));
                events.push(l.engagement.journal.events);
            }
            Err(e) => return report_store_error(&e),
        }
    }
    let total_components: usize = rows.iter().map(|r| r.2.components).sum();
    let total_devs: usize = rows.iter().map(|r| r.2.deviations).sum();
    let total_reused: usize = rows.iter().map(|r| r.2.reused_components).sum();
    let ratio = |n: usize, d: usize| (d > 0).then(|| n as f64 / d as f64);
    // Across the workspace: which catalog entries the current designs reuse most.
    let most_reused = if args.engagement.is_none() {
        let (catalog, _unreadable) = crate::store::catalog::load_catalog(&ctx.workspace);
        catalog.most_reused(designs.iter().map(Vec::as_slice))
    } else {
        Vec::new()
    };
    let trends = workspace_trends(&rows, &events);
    let finished = |phase: &str| phase == "closed";
    let mut text = String::new();
    if args.json {
        let v = json!({
            "engagements": rows.iter().map(|(slug, phase, m)| json!({"engagement": slug, "phase": phase, "finished": finished(phase), "metrics": m})).collect::<Vec<_>>(),
            "workspace": {
                "components": total_components,
                "deviation_rate": ratio(total_devs, total_components),
                "reuse_rate": ratio(total_reused, total_components),
                "gate_rework": rows.iter().map(|r| r.2.gate_rework).sum::<u32>(),
                "most_reused": most_reused.iter().map(|(r, n)| json!({"ref": r, "reused_by": n})).collect::<Vec<_>>(),
            },
            "trends": trends,
        });
        let _ = writeln!(text, "{v}");
    } else {
        let _ = writeln!(
            text,
            "{:<24} {:<13} {:>9} {:>9} {:>9} {:>6} {:>6} {:>7} {:>6}",
            "engagement", "phase", "spec", "design", "value", "dev%", "reuse%", "recon", "rework"
        );
        for (slug, phase, m) in &rows {
            // An unfinished engagement's rates can still move: marked, never passed as final.
            let mark = if finished(phase) { "" } else { "*" };
            let _ = writeln!(
                text,
                "{:<24} {:<13} {:>9} {:>9} {:>9} {:>6} {:>6} {:>7} {:>6}",
                slug,
                phase,
                days(m.time_to_approved_spec),
                days(m.time_to_approved_design),
                days(m.time_to_value),
                format!("{}{mark}", pct(m.deviation_rate)),
                format!("{}{mark}", pct(m.reuse_rate)),
                pct(m.reconciliation_completeness),
                m.gate_rework
            );
        }
        if rows.iter().any(|r| !finished(&r.1)) {
            let _ = writeln!(
                text,
                "* not closed: provisional; — : not reached yet (never counted as zero)"
            );
        }
        let _ = writeln!(
            text,
            "workspace: {} components, deviation rate {}, reuse rate {}",
            total_components,
            pct(ratio(total_devs, total_components)),
            pct(ratio(total_reused, total_components))
        );
        if !most_reused.is_empty() {
            let _ = writeln!(text, "most reused catalog components:");
            for (r, n) in most_reused.iter().take(10) {
                let _ = writeln!(text, "  {r:<40} reused by {n}");
            }
        }
        text.push_str(&trends_text(&trends));
    }
    if args.json {
        let _ = std::io::stdout().write_all(text.as_bytes());
    } else {
        super::say(&text);
    }
    Exit::Ok
}
