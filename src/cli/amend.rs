//! `phasegate amend --deviation DEV-x --text T`: a spec amendment outside the governed text.

use super::{Exit, Invocation, commit};
use crate::domain::artifact::Artifact;
use crate::domain::ids::ItemId;
use crate::domain::journal::EventBody;
use crate::domain::rules::add_amendment;
use crate::store::engagement::Change;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scope-change deviation this amendment answers
    #[arg(long, value_parser = parse_deviation)]
    pub deviation: ItemId,
    /// The amendment, one line
    #[arg(long)]
    pub text: String,
    /// Engagement path or workspace slug (default: the current directory)
    pub engagement: Option<String>,
}

fn parse_deviation(s: &str) -> Result<ItemId, String> {
    let id: ItemId = s.parse()?;
    if id.prefix == crate::domain::ids::IdPrefix::Dev {
        Ok(id)
    } else {
        Err(format!("{id} is not a deviation ID (DEV-n)"))
    }
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let deviation = args.deviation;
    commit(
        ctx,
        args.engagement.as_deref(),
        |e, ev| {
            let (text, event) = add_amendment(e, ev, deviation, &args.text)?;
            Ok(Change {
                writes: vec![(Artifact::Spec, text)],
                event,
            })
        },
        |done| match &done.event {
            EventBody::AmendmentRecorded { id, .. } => {
                format!(
                    "{id} appended to customer-spec.md (Amendments; Gate 1 stays approved) and recorded"
                )
            }
            _ => "amendment recorded".into(),
        },
    )
}
