//! `phasegate deviation add|record`: deviations are recorded, never absorbed.

use super::{Exit, Invocation, commit};
use crate::domain::artifact::Artifact;
use crate::domain::ids::ItemId;
use crate::domain::journal::EventBody;
use crate::domain::records::{DeviationTarget, Impact};
use crate::domain::rules::{add_deviation, record_written_item};
use crate::store::engagement::Change;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: DeviationAction,
}

#[derive(Debug, clap::Subcommand)]
pub enum DeviationAction {
    /// Write `- DEV-n (COMP-x, impact): what — why` into as-built.md and record it
    Add {
        /// The component the deviation is about, or `general`
        #[arg(long, value_parser = parse_target)]
        component: DeviationTarget,
        /// minor | design-change | scope-change
        #[arg(long, value_parser = parse_impact)]
        impact: Impact,
        /// What differs from the approved design
        #[arg(long)]
        what: String,
        /// Why it had to
        #[arg(long)]
        why: String,
        /// Engagement path or workspace slug (default: the current directory)
        engagement: Option<String>,
    },
    /// Record a deviation or amendment already written by hand (DEV-n or AMD-n)
    Record {
        #[arg(value_parser = parse_id)]
        id: ItemId,
        /// Engagement path or workspace slug (default: the current directory)
        engagement: Option<String>,
    },
}

fn parse_target(s: &str) -> Result<DeviationTarget, String> {
    DeviationTarget::parse(s).ok_or_else(|| format!("`{s}`: expected COMP-n or general"))
}

fn parse_impact(s: &str) -> Result<Impact, String> {
    Impact::parse(s).ok_or_else(|| format!("`{s}`: expected minor, design-change or scope-change"))
}

fn parse_id(s: &str) -> Result<ItemId, String> {
    s.parse()
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    match &args.action {
        DeviationAction::Add {
            component,
            impact,
            what,
            why,
            engagement,
        } => commit(
            ctx,
            engagement.as_deref(),
            |e, ev| {
                let (text, event) = add_deviation(e, ev, *component, *impact, what, why)?;
                Ok(Change {
                    writes: vec![(Artifact::AsBuilt, text)],
                    event,
                })
            },
            |done| match &done.event {
                EventBody::DeviationRecorded { id, impact, .. } => {
                    let hint = match impact {
                        Impact::DesignChange => {
                            "; a design-change asks for Gate 2 re-approval (`phasegate gate 2 reopen`) or acceptance at close"
                        }
                        Impact::ScopeChange => {
                            "; a scope-change needs a spec amendment (`phasegate amend`)"
                        }
                        Impact::Minor => "",
                    };
                    format!("{id} written to as-built.md and recorded{hint}")
                }
                _ => "deviation recorded".into(),
            },
        ),
        DeviationAction::Record { id, engagement } => {
            let id = *id;
            commit(
                ctx,
                engagement.as_deref(),
                |e, ev| record_written_item(e, ev, id).map(Into::into),
                |_| format!("{id} recorded"),
            )
        }
    }
}
