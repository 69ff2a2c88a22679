//! `phasegate new SLUG`: an engagement from templates, four eyes by default.

use super::{Exit, Invocation, report_refusal, report_store_error, say};
use crate::domain::meta::SignaturePolicy;
use crate::store::engagement::{TxError, create_with};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory name in the workspace: lowercase letters, digits and dashes
    pub slug: String,
    /// Title (default: the slug)
    #[arg(long)]
    pub title: Option<String>,
    /// Owner (default: the acting identity)
    #[arg(long)]
    pub owner: Option<String>,
    /// Start from this closed engagement (Day 2): its spec, its reconciled design as the draft
    #[arg(long = "from", alias = "baseline", value_name = "BASELINE")]
    pub from: Option<String>,
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let stamp = match ctx.stamp() {
        Ok(s) => s,
        Err(e) => return report_store_error(&e),
    };
    let owner = args.owner.clone().unwrap_or_else(|| stamp.actor.clone());
    // Signed decisions from the start when this user has said which key signs.
    let signatures = if ctx.config().signing_key.is_some() {
        SignaturePolicy::Decisions
    } else {
        SignaturePolicy::Off
    };
    match create_with(
        &ctx.workspace,
        &args.slug,
        args.title.as_deref().unwrap_or(""),
        &owner,
        args.from.as_deref(),
        &stamp,
        signatures,
    ) {
        Ok(root) => {
            let from = args
                .from
                .as_deref()
                .map(|b| format!("; from {b}: reassess its requirements in feasibility.md"))
                .unwrap_or_default();
            say(&format!(
                "created {} (owner {owner}; distinct_approver = true{from})\nnext: write the requirements in {}\n",
                root.display(),
                root.join("customer-spec.md").display()
            ));
            Exit::Ok
        }
        Err(TxError::Store(e)) => report_store_error(&e),
        Err(TxError::Refused(r)) => report_refusal(&ctx.workspace.join(&args.slug), &r),
    }
}
