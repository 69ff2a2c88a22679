//! `phasegate close`: binds the final text of every deviation and amendment.

use super::{Context, Exit, commit};
use crate::domain::rules::close;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Engagement path or workspace slug (default: the current directory)
    pub engagement: Option<String>,
    /// Accept design-change deviations not followed by a Gate 2 re-approval, with this reason
    #[arg(long)]
    pub reason: Option<String>,
}

pub fn run(ctx: &Context, args: &Args) -> Exit {
    let stamp = match ctx.stamp() {
        Ok(s) => s,
        Err(e) => return super::report_store_error(&e),
    };
    let reason = args.reason.clone();
    commit(
        ctx,
        args.engagement.as_deref(),
        move |e, ev| close(e, ev, &stamp.actor, reason.as_deref()).map(Into::into),
        |_| "engagement closed".into(),
    )
}
