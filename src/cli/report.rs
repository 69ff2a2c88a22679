//! `phasegate report [ENGAGEMENT] [--json]`: metrics per engagement and across the workspace.

use std::fmt::Write as _;
use std::io::Write;

use serde_json::json;

use super::{Context, Exit, report_store_error};
use crate::domain::evaluate::evaluate;
use crate::domain::metrics::{Metrics, metrics};
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
    secs.map_or_else(|| "—".into(), |s| format!("{:.1} d", s as f64 / 86_400.0))
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{:.0}%", v * 100.0))
}

pub fn run(ctx: &Context, args: &Args) -> Exit {
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
    for root in &roots {
        match load_strict(root) {
            Ok(l) => {
                let ev = evaluate(&l.engagement);
                rows.push((
                    l.engagement.slug.clone(),
                    ev.phase.as_str().into(),
                    metrics(&l.engagement.journal.events, &ev),
                ));
            }
            Err(e) => return report_store_error(&e),
        }
    }
    let total_components: usize = rows.iter().map(|r| r.2.components).sum();
    let total_devs: usize = rows.iter().map(|r| r.2.deviations).sum();
    let total_reused: usize = rows.iter().map(|r| r.2.reused_components).sum();
    let ratio = |n: usize, d: usize| (d > 0).then(|| n as f64 / d as f64);
    let mut text = String::new();
    if args.json {
        let v = json!({
            "engagements": rows.iter().map(|(slug, phase, m)| json!({"engagement": slug, "phase": phase, "metrics": m})).collect::<Vec<_>>(),
            "workspace": {
                "components": total_components,
                "deviation_rate": ratio(total_devs, total_components),
                "reuse_rate": ratio(total_reused, total_components),
                "gate_rework": rows.iter().map(|r| r.2.gate_rework).sum::<u32>(),
            }
        });
        let _ = writeln!(text, "{v}");
    } else {
        let _ = writeln!(
            text,
            "{:<24} {:<13} {:>9} {:>9} {:>9} {:>6} {:>6} {:>7} {:>6}",
            "engagement", "phase", "spec", "design", "value", "dev%", "reuse%", "recon", "rework"
        );
        for (slug, phase, m) in &rows {
            let _ = writeln!(
                text,
                "{:<24} {:<13} {:>9} {:>9} {:>9} {:>6} {:>6} {:>7} {:>6}",
                slug,
                phase,
                days(m.time_to_approved_spec),
                days(m.time_to_approved_design),
                days(m.time_to_value),
                pct(m.deviation_rate),
                pct(m.reuse_rate),
                pct(m.reconciliation_completeness),
                m.gate_rework
            );
        }
        let _ = writeln!(
            text,
            "workspace: {} components, deviation rate {}, reuse rate {}",
            total_components,
            pct(ratio(total_devs, total_components)),
            pct(ratio(total_reused, total_components))
        );
    }
    if args.json {
        let _ = std::io::stdout().write_all(text.as_bytes());
    } else {
        super::say(&text);
    }
    Exit::Ok
}
