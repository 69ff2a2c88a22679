//! `phasegate close`: binds the final text of every deviation and amendment.

use super::{Exit, Invocation, commit_as};
use crate::domain::rules::close;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Engagement path or workspace slug (default: the current directory)
    pub engagement: Option<String>,
    /// Accept design-change deviations not followed by a Gate 2 re-approval, with this reason
    #[arg(long)]
    pub reason: Option<String>,
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let root = match ctx.engagement(args.engagement.as_deref()) {
        Ok(r) => r,
        Err(e) => return super::report_store_error(&e),
    };
    let acting = match ctx.acting(&root) {
        Ok(a) => a,
        Err(e) => return super::report_store_error(&e),
    };
    let reason = args.reason.clone();
    commit_as(
        &root,
        &acting,
        |e, ev| {
            acting.require_not_owner_key(e, "close the engagement")?;
            close(e, ev, &acting.stamp.actor, reason.as_deref()).map(Into::into)
        },
        |_| "engagement closed".into(),
    )
}
