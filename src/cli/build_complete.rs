//! `phasegate build-complete`: every component validated → As-Built.

use super::{EngagementArg, Exit, Invocation, commit};
use crate::domain::rules::complete_build;

pub fn run(ctx: &Invocation, args: &EngagementArg) -> Exit {
    commit(
        ctx,
        args.engagement.as_deref(),
        |e, ev| complete_build(e, ev).map(Into::into),
        |_| "build completed; phase: As-Built".into(),
    )
}
