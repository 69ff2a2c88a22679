//! `phasegate gate 1|2 approve|reject|reopen`: recorded decisions with predefined criteria.

use super::{Exit, Invocation, commit_as, report_store_error};
use crate::domain::evaluate::{gate_quorum, require_new_approver};
use crate::domain::journal::GateId;
use crate::domain::rules::{GateReview, Refusal, approve_gate, reject_gate, reopen_gate};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Ruling {
    Approve,
    Reject,
    Reopen,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Gate number: 1 (spec) or 2 (design)
    #[arg(value_parser = clap::value_parser!(u8).range(1..=2))]
    pub gate: u8,
    pub decision: Ruling,
    /// Engagement path or workspace slug (default: the current directory)
    pub engagement: Option<String>,
    /// Tick a manual criterion (repeatable), e.g. --check G1-5
    #[arg(long = "check", value_name = "ID")]
    pub checks: Vec<String>,
    /// Waive a criterion with a reason (repeatable; not for hard criteria)
    #[arg(long = "waive", value_name = "ID=REASON", value_parser = parse_waiver)]
    pub waivers: Vec<(String, String)>,
    /// Why (required to reject or reopen)
    #[arg(long)]
    pub reason: Option<String>,
    /// A note recorded with the decision
    #[arg(long)]
    pub note: Option<String>,
}

/// After an approval: the quorum line when the gate still waits for more approvers.
fn partial_approval(root: &std::path::Path, gate: GateId) -> Option<String> {
    let loaded = crate::store::engagement::load(root).ok()?;
    let e = &loaded.engagement;
    let ev = crate::domain::evaluate::evaluate(e);
    let q = gate_quorum(e, &ev, gate);
    (!q.tally.met()).then(|| q.describe(&e.meta.roles))
}

fn parse_waiver(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((id, reason)) if !id.trim().is_empty() && !reason.trim().is_empty() => {
            Ok((id.trim().to_string(), reason.trim().to_string()))
        }
        _ => Err(format!(
            "`{s}`: expected ID=REASON, e.g. G1-4=\"integrations listed in the ticket\""
        )),
    }
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let gate = if args.gate == 1 {
        GateId::One
    } else {
        GateId::Two
    };
    let review = GateReview {
        checks: args.checks.clone(),
        waivers: args.waivers.clone(),
        note: args.note.clone().unwrap_or_default(),
    };
    let root = match ctx.engagement(args.engagement.as_deref()) {
        Ok(r) => r,
        Err(e) => return report_store_error(&e),
    };
    let acting = match ctx.acting(&root) {
        Ok(a) => a,
        Err(e) => return report_store_error(&e),
    };
    let reason = args.reason.clone().unwrap_or_default();
    let n = args.gate;
    let action = format!("approve Gate {n}");
    match args.decision {
        Ruling::Approve => commit_as(
            &root,
            &acting,
            |e, ev| {
                acting.require_not_owner_key(e, &action)?;
                // The gate's own rules first ("already approved" says more than the quorum).
                let event = approve_gate(e, ev, gate, &review, &acting.stamp.actor)?;
                require_new_approver(e, ev, gate, &acting.stamp.actor).map_err(Refusal::rule)?;
                Ok(event.into())
            },
            |done| {
                if let Some(partial) = partial_approval(&root, gate) {
                    format!("Gate {n}: {partial}")
                } else if done.created_as_built {
                    format!("Gate {n} approved; as-built.md created from the approved design")
                } else {
                    format!("Gate {n} approved")
                }
            },
        ),
        Ruling::Reject => commit_as(
            &root,
            &acting,
            |e, ev| reject_gate(e, ev, gate, &review, &reason).map(Into::into),
            |_| format!("Gate {n} rejected"),
        ),
        Ruling::Reopen => commit_as(
            &root,
            &acting,
            |e, ev| reopen_gate(e, ev, gate, &reason).map(Into::into),
            |_| format!("Gate {n} reopened; later decisions are void"),
        ),
    }
}
