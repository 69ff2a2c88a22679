//! `phasegate feasibility-complete`: every requirement assessed, none `conflict` → Design.

use super::{EngagementArg, Exit, Invocation, commit};
use crate::domain::rules::complete_feasibility;

pub fn run(ctx: &Invocation, args: &EngagementArg) -> Exit {
    commit(
        ctx,
        args.engagement.as_deref(),
        |e, ev| complete_feasibility(e, ev).map(Into::into),
        |_| "feasibility completed; phase: Design".into(),
    )
}
