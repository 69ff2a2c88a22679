//! Commands on the workspace list (and its filter), and the workspace watch's reports.

use super::super::effect::Effect;
use super::super::keys::Command;
use std::path::PathBuf;

use super::super::{ListItem, Mode, State, WorkspaceRow};
use super::common::quit_or_ask;
use crate::store::watch::WorkspaceEvent;

pub(super) fn command(state: &mut State, c: Command) -> Vec<Effect> {
    let in_filter = state.mode == Mode::Filter;
    let Some(ws) = &mut state.workspace else {
        return match c {
            Command::Quit => quit_or_ask(state),
            _ => Vec::new(),
        };
    };
    let n = ws.items().len();
    match c {
        Command::MoveDown => ws.selected = (ws.selected + 1).min(n.saturating_sub(1)),
        Command::MoveUp => ws.selected = ws.selected.saturating_sub(1),
        Command::Top => ws.selected = 0,
        Command::Bottom => ws.selected = n.saturating_sub(1),
        Command::PageDown => {
            ws.selected = (ws.selected + crate::app::layout::LIST_STEP).min(n.saturating_sub(1))
        }
        Command::PageUp => ws.selected = ws.selected.saturating_sub(crate::app::layout::LIST_STEP),
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
            let (root, review) = match ws.items().get(ws.selected) {
                Some(ListItem::Waiting(w)) => (Some(w.root.clone()), true),
                Some(ListItem::Engagement(r)) => (Some(r.root.clone()), false),
                None => (None, false),
            };
            if let Some(root) = root {
                // A waiting gate opens straight on its review.
                ws.opening_review = review.then(|| root.clone());
                return vec![Effect::Load { root }];
            }
        }
        Command::Quit if !in_filter => return quit_or_ask(state),
        Command::NewEngagement if !in_filter => {
            return super::lifecycle::open_new_engagement(state);
        }
        _ => {}
    }
    Vec::new()
}

/// A report of the workspace watch: the list is brought in line with the directory (the
/// watch's names are a hint; `Effect::SyncWorkspace` lists it). `Armed` too: an engagement
/// added while the watch started would otherwise be missed.
pub(super) fn watched(state: &mut State, workspace: PathBuf, event: WorkspaceEvent) -> Vec<Effect> {
    let Some(ws) = state.workspace.as_ref().filter(|w| w.root == workspace) else {
        return Vec::new();
    };
    match event {
        WorkspaceEvent::Armed(_) | WorkspaceEvent::Changed { .. } => {
            vec![Effect::SyncWorkspace {
                workspace,
                known: ws.rows.iter().map(|r| r.slug.clone()).collect(),
                // A row that did not load (half copied, half cloned) is read again.
                reread: ws
                    .rows
                    .iter()
                    .filter(|r| r.phase.is_none())
                    .map(|r| r.slug.clone())
                    .collect(),
            }]
        }
        WorkspaceEvent::Problem(m) => {
            state.error(format!("workspace watch: {m}"));
            Vec::new()
        }
    }
}

/// The rows of engagements added since the list was read, and the slugs of those gone.
pub(super) fn synced(
    state: &mut State,
    workspace: PathBuf,
    added: Vec<WorkspaceRow>,
    removed: Vec<String>,
    error: Option<String>,
) -> Vec<Effect> {
    let Some(ws) = state.workspace.as_mut().filter(|w| w.root == workspace) else {
        return Vec::new();
    };
    if let Some(e) = error {
        ws.error = Some(e);
        return Vec::new();
    }
    if added.is_empty() && removed.is_empty() {
        return Vec::new();
    }
    let on = ws.items().get(ws.selected).map(ListItem::key);
    ws.rows.retain(|r| !removed.contains(&r.slug));
    ws.waiting
        .retain(|w| !removed.contains(&w.entry.engagement));
    for row in added {
        ws.rows.retain(|r| r.slug != row.slug);
        ws.rows.push(row);
    }
    // As `list_engagements` lists them.
    ws.rows.sort_by(|a, b| a.root.cmp(&b.root));
    if let Some(i) = on.and_then(|on| ws.items().iter().position(|i| i.key() == on)) {
        ws.selected = i;
    }
    ws.clamp_selection();
    // A new engagement may hold a gate for you.
    vec![Effect::LoadQueue { workspace }]
}
