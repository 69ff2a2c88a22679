//! Commands on the engagement screen outside edit mode: panes, phases, the gate review, the
//! journal.

use super::super::effect::Effect;
use super::super::keys::Command;
use super::super::{Confirm, GateDecision, Mode, Overlay, Pane, PromptKind, Review, Screen, State};
use super::common::{dirty_refusal, phase_number, quit_or_ask};
use super::editor::{find, jump, move_editor, report_match, save, undo_redo};
use crate::domain::artifact::Artifact;
use crate::domain::criteria::CriterionKind;
use crate::domain::journal::{CriterionResult, EventBody};
use crate::domain::progress::gate_ahead;
use crate::domain::rules::approve_gate;

/// A command on the engagement screen, outside edit mode (the board and the diff pane pass
/// theirs on to here).
pub(super) fn command(state: &mut State, c: Command) -> Vec<Effect> {
    let has_workspace = state.workspace.is_some();
    let identity = state.identity.clone();
    let page = crate::app::layout::pages(state).pane;
    match c {
        Command::ShowDiff
        | Command::BaselineDiff
        | Command::RecordDeviation
        | Command::AmendSpec
        | Command::CloseEngagement
        | Command::CompleteBuild => return super::build::command(state, c),
        Command::FeasibilityComplete | Command::ReopenGate => {
            return super::lifecycle::command(state, c);
        }
        _ => {}
    }
    if state.pane == Pane::Gate
        && matches!(
            c,
            Command::ApproveGate
                | Command::RejectGate
                | Command::ToggleCriterion
                | Command::WaiveCriterion
        )
        && let Some(why) = super::lifecycle::gate_not_decidable(state)
    {
        state.error(why);
        return Vec::new();
    }
    let Some(e) = &mut state.engagement else {
        state.screen = Screen::Workspace;
        return Vec::new();
    };
    if let Some(phase) = phase_number(c) {
        if phase == e.shown_phase {
            state.pane = Pane::Editor;
            return Vec::new();
        }
        if let Some(why) = dirty_refusal(e, "switch artifacts") {
            state.error(why);
            return Vec::new();
        }
        e.show_phase(phase);
        state.pane = Pane::Editor;
        return Vec::new();
    }
    match c {
        Command::NextPane | Command::PrevPane => {
            let i = Pane::ALL.iter().position(|p| *p == state.pane).unwrap_or(0);
            let n = Pane::ALL.len();
            let next = if c == Command::NextPane {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            state.pane = Pane::ALL[next];
        }
        Command::Edit => match e.edit_refusal() {
            Some(why) => state.error(why),
            None => {
                state.mode = Mode::Edit;
                state.pane = Pane::Editor;
            }
        },
        Command::Leave | Command::Cancel => {
            if e.journal_detail.take().is_some() {
                // The first Esc puts the event detail away.
            } else if state.pane != Pane::Editor {
                state.pane = Pane::Editor;
            } else if !e.search.is_empty() {
                // The first Esc puts the search (and its marks) away.
                e.search.clear();
            } else if has_workspace {
                if let Some(why) = dirty_refusal(e, "leave the engagement") {
                    state.error(why);
                    return Vec::new();
                }
                state.screen = Screen::Workspace;
                state.engagement = None;
                if let Some(ws) = &state.workspace {
                    return vec![Effect::LoadWorkspace {
                        workspace: ws.root.clone(),
                    }];
                }
            }
        }
        Command::Save => return save(state),
        Command::ExternalEditor => {
            if let Some(why) = dirty_refusal(e, "open another editor") {
                state.error(why);
            } else if let Some(why) = e.edit_refusal() {
                state.error(why);
            } else if let Some(a) = e.shown_artifact() {
                return vec![Effect::SpawnEditor {
                    root: e.root.clone(),
                    path: e.root.join(a.file_name()),
                }];
            }
        }
        Command::ReviewGate => {
            let gate = gate_ahead(&e.disk);
            if gate != e.review.gate {
                e.review = Review::new(gate);
            }
            state.pane = Pane::Gate;
        }
        Command::Journal => state.pane = Pane::Journal,
        Command::Undo | Command::Redo => {
            let undo = c == Command::Undo;
            if let Some(why) = e.edit_refusal() {
                state.error(why);
            } else if !undo_redo(e, undo) {
                state.info(if undo {
                    "nothing to undo"
                } else {
                    "nothing to redo"
                });
            } else {
                state.pane = Pane::Editor;
            }
        }
        Command::CommandLine => {
            state.overlay = Some(Overlay::Prompt {
                kind: PromptKind::CommandLine,
                input: String::new(),
            });
        }
        Command::ZoomPane => state.zoom = !state.zoom,
        Command::Search => {
            // The prompt starts empty; the previous query is one Up away.
            state.pane = Pane::Editor;
            state.overlay = Some(Overlay::Prompt {
                kind: PromptKind::Search,
                input: String::new(),
            });
        }
        Command::SearchNext | Command::SearchPrev if !e.search.is_empty() => {
            let found = find(e, c == Command::SearchNext);
            report_match(state, found);
        }
        Command::Quit => return quit_or_ask(state),
        Command::MoveDown
        | Command::MoveUp
        | Command::Top
        | Command::Bottom
        | Command::PageDown
        | Command::PageUp
        | Command::MoveLeft
        | Command::MoveRight => match state.pane {
            Pane::Editor => move_editor(e, c, page),
            Pane::Gate => {
                let n = e.live.criteria_of(e.review.gate).count();
                e.review.selected = step(e.review.selected, n, c, page);
            }
            Pane::Journal => match e.journal_detail {
                Some(scroll) => {
                    // Rows the detail can have at most: every written line, wrapped thrice.
                    let rows = e
                        .engagement
                        .journal
                        .events
                        .iter()
                        .rev()
                        .nth(e.journal_selected);
                    let n = rows.map_or(0, |ev| ev.to_toml().lines().count() * 3);
                    e.journal_detail = Some(step(scroll, n, c, page));
                }
                None => {
                    let n = e.engagement.journal.events.len();
                    e.journal_selected = step(e.journal_selected, n, c, page);
                }
            },
        },
        Command::Open if state.pane == Pane::Gate => return jump_to_finding(state),
        Command::Open if state.pane == Pane::Journal => {
            e.journal_detail = match e.journal_detail {
                Some(_) => None,
                None => Some(0),
            };
        }
        Command::ToggleCriterion if state.pane == Pane::Gate => {
            let rows = e.review_rows();
            let Some((crit, _)) = rows.get(e.review.selected) else {
                return Vec::new();
            };
            let (id, kind) = (crit.def.id.clone(), crit.def.kind);
            if kind == CriterionKind::Auto {
                state.info(format!(
                    "{id} is computed from the text; it cannot be ticked"
                ));
            } else if !e.review.checks.remove(&id) {
                e.review.waivers.remove(&id);
                e.review.checks.insert(id);
            }
        }
        Command::WaiveCriterion if state.pane == Pane::Gate => {
            let rows = e.review_rows();
            let Some((crit, result)) = rows.get(e.review.selected) else {
                return Vec::new();
            };
            let (id, hard, result) = (crit.def.id.clone(), crit.def.hard, *result);
            if hard {
                state.error(format!("{id} is a hard criterion and cannot be waived"));
            } else if result == CriterionResult::Pass {
                state.info(format!("{id} passes; nothing to waive"));
            } else if e.review.waivers.remove(&id).is_some() {
                state.info(format!("waiver of {id} withdrawn"));
            } else {
                state.overlay = Some(Overlay::Prompt {
                    kind: PromptKind::Waive { criterion: id },
                    input: String::new(),
                });
            }
        }
        Command::ApproveGate if state.pane == Pane::Gate => {
            if let Some(why) = dirty_refusal(e, "approve: the decision is on the text on disk") {
                state.error(why);
                return Vec::new();
            }
            let gate = e.review.gate;
            let review = e.review.as_gate_review();
            match approve_gate(&e.engagement, &e.disk, gate, &review, &identity) {
                Err(r) => state.error(r.line()),
                Ok(body) => {
                    let results = match &body {
                        EventBody::GateApproved(g) => g
                            .criteria
                            .iter()
                            .map(|c| (c.id.clone(), c.result))
                            .collect(),
                        _ => Vec::new(),
                    };
                    state.overlay = Some(Overlay::Confirm(Confirm::Approve(GateDecision {
                        gate,
                        review,
                        reviewed: e.disk.artifact_records(),
                        approver: identity,
                        results,
                        reason: None,
                    })));
                }
            }
        }
        Command::RestoreApproved if state.pane == Pane::Gate => {
            if let Some(why) = dirty_refusal(e, "restore the approved text") {
                state.error(why);
                return Vec::new();
            }
            let gate = e.review.gate;
            match crate::domain::progress::restorable(&e.disk, gate) {
                Err(r) => state.error(r.line()),
                Ok(artifacts) => {
                    return vec![Effect::RestoreApproved {
                        root: e.root.clone(),
                        gate,
                        artifacts,
                    }];
                }
            }
        }
        Command::RejectGate if state.pane == Pane::Gate => {
            if let Some(why) = dirty_refusal(e, "reject: the decision is on the text on disk") {
                state.error(why);
            } else {
                state.overlay = Some(Overlay::Prompt {
                    kind: PromptKind::RejectReason {
                        gate: e.review.gate,
                    },
                    input: String::new(),
                });
            }
        }
        _ => {}
    }
    Vec::new()
}

pub(super) fn step(selected: usize, n: usize, c: Command, page: usize) -> usize {
    let last = n.saturating_sub(1);
    match c {
        Command::MoveDown => selected.saturating_add(1).min(last),
        Command::MoveUp => selected.saturating_sub(1),
        Command::Top => 0,
        Command::Bottom => last,
        Command::PageDown => selected.saturating_add(page).min(last),
        Command::PageUp => selected.saturating_sub(page),
        _ => selected.min(last),
    }
}

/// Shows the artifact and line of the selected criterion's first failure.
pub(super) fn jump_to_finding(state: &mut State) -> Vec<Effect> {
    let Some(e) = &mut state.engagement else {
        return Vec::new();
    };
    let target = e.review_rows().get(e.review.selected).and_then(|(c, _)| {
        c.position()
            .and_then(|p| Artifact::from_file_name(&p.file).map(|a| (a, p.line, p.column)))
    });
    let Some((artifact, line, column)) = target else {
        state.info("this criterion has no position to jump to");
        return Vec::new();
    };
    if e.shown_artifact() != Some(artifact) {
        if let Some(why) = dirty_refusal(e, "switch artifacts") {
            state.error(why);
            return Vec::new();
        }
        e.show_phase(artifact.phase());
    }
    jump(e, line.saturating_sub(1), column.saturating_sub(1));
    state.pane = Pane::Editor;
    Vec::new()
}
