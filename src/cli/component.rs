//! `phasegate component COMP-n built|validated`: build progress, in dependency order.

use super::{Exit, Invocation, commit};
use crate::domain::ids::ItemId;
use crate::domain::journal::ComponentStatus;
use crate::domain::rules::set_component_status;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Status {
    Built,
    Validated,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Component ID, e.g. COMP-3
    #[arg(value_parser = parse_component)]
    pub component: ItemId,
    pub status: Status,
    /// Engagement path or workspace slug (default: the current directory)
    pub engagement: Option<String>,
}

fn parse_component(s: &str) -> Result<ItemId, String> {
    let id: ItemId = s.parse()?;
    if id.prefix == crate::domain::ids::IdPrefix::Comp {
        Ok(id)
    } else {
        Err(format!("{id} is not a component ID (COMP-n)"))
    }
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let status = match args.status {
        Status::Built => ComponentStatus::Built,
        Status::Validated => ComponentStatus::Validated,
    };
    let id = args.component;
    commit(
        ctx,
        args.engagement.as_deref(),
        |e, ev| set_component_status(e, ev, id, status).map(Into::into),
        |_| format!("{id} {}", status.as_str()),
    )
}
