//! Commands on the workspace list (and its filter).

use super::super::effect::Effect;
use super::super::keys::Command;
use super::super::{Mode, State};
use super::quit_or_ask;

pub(super) fn command(state: &mut State, c: Command) -> Vec<Effect> {
    let in_filter = state.mode == Mode::Filter;
    let Some(ws) = &mut state.workspace else {
        return match c {
            Command::Quit => quit_or_ask(state),
            _ => Vec::new(),
        };
    };
    let n = ws.visible().len();
    match c {
        Command::MoveDown => ws.selected = (ws.selected + 1).min(n.saturating_sub(1)),
        Command::MoveUp => ws.selected = ws.selected.saturating_sub(1),
        Command::Top => ws.selected = 0,
        Command::Bottom => ws.selected = n.saturating_sub(1),
        Command::PageDown => ws.selected = (ws.selected + 10).min(n.saturating_sub(1)),
        Command::PageUp => ws.selected = ws.selected.saturating_sub(10),
        Command::Filter | Command::Search if !in_filter => state.mode = Mode::Filter,
        Command::Leave | Command::Cancel => {
            if in_filter || !ws.filter.is_empty() {
                ws.filter.clear();
                ws.selected = 0;
            }
            state.mode = Mode::View;
        }
        Command::Confirm if in_filter => state.mode = Mode::View,
        Command::Open | Command::Confirm => {
            if in_filter {
                state.mode = Mode::View;
            }
            let root = ws.visible().get(ws.selected).map(|r| r.root.clone());
            if let Some(root) = root {
                return vec![Effect::Load { root }];
            }
        }
        Command::Quit if !in_filter => return quit_or_ask(state),
        Command::NewEngagement if !in_filter => {
            return crate::app::lifecycle::open_new_engagement(state);
        }
        _ => {}
    }
    Vec::new()
}
