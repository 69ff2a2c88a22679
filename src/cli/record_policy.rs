//! `phasegate record-policy [ENGAGEMENT] --reason R`: records `engagement.toml`'s owner and
//! `[policy]` in the journal. Until a change is recorded, nothing else is appended, so every
//! decision is judged by an owner and policy the journal holds (and `check` replays).

use super::{Exit, Invocation, commit};
use crate::domain::rules::record_policy;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Engagement path or workspace slug (default: the current directory)
    pub engagement: Option<String>,
    /// Why the owner or policy changed (recorded with it)
    #[arg(long)]
    pub reason: String,
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    commit(
        ctx,
        args.engagement.as_deref(),
        |e, ev| record_policy(e, ev, &args.reason).map(Into::into),
        |done| done.event.summary(),
    )
}
