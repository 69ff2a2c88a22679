//! Build and As-Built in the TUI: the build board (components by build order, status through
//! the journal), the diff pane, deviations from anywhere, amendments, completing the build and
//! closing. Every rule is the domain's (`domain::rules`), every write goes through
//! `store::engagement::transact`; this module only decides which rule to ask and shows the
//! answer. `update.rs` calls in with a few lines: `command`, `overlay_command`, `text`,
//! `paste`, `on_action`; `run::journal` performs its `BuildEffect`s.

use ratatui_textarea::Input;

use super::common::Handled;

use crate::app::action::BuildAction;
use crate::app::effect::{BuildEffect, Effect};
use crate::app::keys::Command;
use crate::app::line_input::{edit_text, paste_text};
use crate::app::model::diff::{DiffModel, DiffView, Viewport};
use crate::app::model::forms::{
    AmendField, AmendForm, BuildConfirm, BuildOverlay, DevField, DeviationForm,
};
use crate::app::{EngagementState, Mode, Overlay, Pane, State};
use crate::domain::artifact::Artifact;
use crate::domain::design;
use crate::domain::evaluate::unfollowed_design_changes;
use crate::domain::ids::{IdPrefix, ItemId};
use crate::domain::journal::{ComponentStatus, GateId};
use crate::domain::phase::Phase;
use crate::domain::progress::{board, first_to_do};
use crate::domain::records::{self, DeviationTarget, Impact};
use crate::domain::rules::{self};

fn effect(b: BuildEffect) -> Vec<Effect> {
    vec![Effect::Build(b)]
}

/// Rows a page of the board or diff moves (`app::layout`).
fn page(state: &State) -> usize {
    crate::app::layout::pages(state).board
}

/// The diff pane's viewport, from the layout `ui` draws with (`app::layout`: the pane takes
/// the full width; borders, gauge and column header take their rows).
fn viewport(pages: crate::app::layout::Pages, model: &DiffModel) -> Viewport {
    let width = pages.board_width;
    Viewport {
        rows: pages.board,
        stacked: model.stacked(width),
        text_width: model.side_width(width),
    }
}

/// Shows a refusal on the board and as a toast.
fn refuse(state: &mut State, text: String) {
    if let Some(e) = &mut state.engagement {
        e.build.refusal = Some(text.clone());
    }
    state.error(text);
}

/// A command in the diff pane (`Context::Diff`); what it does not handle it passes on to the
/// engagement screen's commands (closing the pane first for the commands about the artifact).
pub(super) fn diff_command(state: &mut State, c: Command) -> Handled {
    let page = page(state);
    let pages = crate::app::layout::pages(state);
    let Some(e) = state.engagement.as_mut() else {
        return Handled::Done(Vec::new());
    };
    let Some(view) = &mut e.build.diff else {
        return Handled::PassOn;
    };
    let vp = viewport(pages, &view.model);
    match c {
        // `q` closes the diff pane, not the app.
        Command::ShowDiff
        | Command::BaselineDiff
        | Command::Leave
        | Command::Cancel
        | Command::Quit => e.build.diff = None,
        // Commands about the artifact close the pane first.
        Command::Edit
        | Command::Search
        | Command::SearchNext
        | Command::SearchPrev
        | Command::ExternalEditor
        | Command::ShowPhase1
        | Command::ShowPhase2
        | Command::ShowPhase3
        | Command::ShowPhase4
        | Command::ShowPhase5 => {
            e.build.diff = None;
            return Handled::PassOn;
        }
        Command::MoveDown => view.scroll_by(1, vp),
        Command::MoveUp => view.scroll_by(-1, vp),
        Command::PageDown => view.scroll_by(isize::try_from(page).unwrap_or(1), vp),
        Command::PageUp => view.scroll_by(-isize::try_from(page).unwrap_or(1), vp),
        Command::Top => view.to_top(),
        Command::Bottom => view.to_bottom(vp),
        Command::MoveRight => view.scroll_horizontally(crate::app::layout::HSCROLL_STEP),
        Command::MoveLeft => view.scroll_horizontally(-crate::app::layout::HSCROLL_STEP),
        Command::ToggleFolds => view.toggle_folds(),
        Command::NextHunk => {
            if !view.next_hunk(vp) {
                let n = view.model.hunks.len();
                state.info(if n == 0 {
                    "no hunks: the as-built matches the approved design".to_string()
                } else {
                    format!("last hunk ({n} of {n})")
                });
            }
        }
        Command::PrevHunk => {
            if !view.prev_hunk(vp) {
                let none = view.model.hunks.is_empty();
                state.info(if none { "no hunks" } else { "first hunk" });
            }
        }
        Command::Open => return Handled::Done(open_hunk(state)),
        _ => return Handled::PassOn,
    }
    Handled::Done(Vec::new())
}

/// A command on the build board (`Context::Build`); what it does not handle it passes on to
/// the engagement screen's commands.
pub(super) fn board_command(state: &mut State, c: Command) -> Handled {
    Handled::Done(match c {
        Command::MoveDown
        | Command::MoveUp
        | Command::MoveLeft
        | Command::MoveRight
        | Command::Top
        | Command::Bottom
        | Command::PageDown
        | Command::PageUp => {
            if let Some(e) = &mut state.engagement {
                board_move(e, c);
            }
            Vec::new()
        }
        Command::MarkBuilt => mark(state, ComponentStatus::Built),
        Command::MarkValidated => mark(state, ComponentStatus::Validated),
        _ => return Handled::PassOn,
    })
}

/// The Build/As-Built commands that work wherever they are bound on the engagement screen.
pub fn command(state: &mut State, c: Command) -> Vec<Effect> {
    match c {
        Command::ShowDiff => show_diff(state),
        Command::BaselineDiff => show_baseline_diff(state),
        Command::RecordDeviation => open_deviation_form(state),
        Command::AmendSpec => open_amend_form(state),
        Command::CloseEngagement => close(state),
        Command::CompleteBuild => complete_build(state),
        _ => Vec::new(),
    }
}

fn board_move(e: &mut EngagementState, c: Command) {
    let b = board(&e.disk);
    let Some((col, row)) = e.build.selected.and_then(|id| b.locate(id)) else {
        e.build.selected = first_to_do(&e.disk);
        return;
    };
    let cols = b.column_count();
    let get = |c: usize, r: usize| {
        b.column(c)
            .and_then(|col| col.get(r.min(col.len().saturating_sub(1))))
            .copied()
    };
    let next = match c {
        Command::MoveDown => match b.column(col).and_then(|x| x.get(row + 1)) {
            Some(id) => Some(*id),
            None => (col + 1 < cols).then(|| get(col + 1, 0)).flatten(),
        },
        Command::MoveUp => match row.checked_sub(1) {
            Some(r) => get(col, r),
            None => col.checked_sub(1).and_then(|c| get(c, usize::MAX)),
        },
        Command::MoveRight | Command::PageDown => {
            (col + 1 < cols).then(|| get(col + 1, row)).flatten()
        }
        Command::MoveLeft | Command::PageUp => col.checked_sub(1).and_then(|c| get(c, row)),
        Command::Top => get(0, 0),
        Command::Bottom => cols.checked_sub(1).and_then(|c| get(c, usize::MAX)),
        _ => None,
    };
    if let Some(id) = next {
        e.build.selected = Some(id);
    }
}

fn mark(state: &mut State, status: ComponentStatus) -> Vec<Effect> {
    let Some(e) = &state.engagement else {
        return Vec::new();
    };
    let Some(id) = e.build.selected else {
        state.info("no component to mark: the design has no components");
        return Vec::new();
    };
    let current = e.disk.component(id).map(|c| c.status);
    if current == Some(status)
        || (status == ComponentStatus::Built && current == Some(ComponentStatus::Validated))
    {
        let already = current.map_or(status.as_str(), ComponentStatus::as_str);
        state.info(format!("{id} is already {already}: nothing to record"));
        return Vec::new();
    }
    match rules::set_component_status(&e.engagement, &e.disk, id, status) {
        Err(r) => {
            refuse(state, r.line());
            Vec::new()
        }
        Ok(_) => {
            // A journal event: recorded only after an explicit yes.
            let title = e.disk.component(id).map(|c| c.title.clone());
            state.overlay = Some(Overlay::Build(BuildOverlay::Confirm(
                BuildConfirm::SetStatus {
                    component: id,
                    title: title.unwrap_or_default(),
                    status,
                },
            )));
            Vec::new()
        }
    }
}

fn complete_build(state: &mut State) -> Vec<Effect> {
    let Some(e) = &state.engagement else {
        return Vec::new();
    };
    match rules::complete_build(&e.engagement, &e.disk) {
        Err(r) => refuse(state, r.line()),
        Ok(_) => {
            let components = e.disk.required_components().count();
            state.overlay = Some(Overlay::Build(BuildOverlay::Confirm(
                BuildConfirm::CompleteBuild { components },
            )));
        }
    }
    Vec::new()
}

fn show_diff(state: &mut State) -> Vec<Effect> {
    let pages = crate::app::layout::pages(state);
    let Some(e) = &mut state.engagement else {
        return Vec::new();
    };
    if e.build.diff.is_some() {
        state.pane = Pane::Editor;
        state.mode = Mode::View;
        return Vec::new();
    }
    let model = DiffModel::of(&e.engagement, &e.disk);
    open_diff(state, pages, model)
}

/// Shows `model` in the diff pane (in view mode), or says why there is none.
fn open_diff(
    state: &mut State,
    pages: crate::app::layout::Pages,
    model: Result<DiffModel, String>,
) -> Vec<Effect> {
    match model {
        Ok(model) => {
            if let Some(e) = &mut state.engagement {
                let vp = viewport(pages, &model);
                e.build.diff = Some(DiffView::new(model, vp));
            }
            state.pane = Pane::Editor;
            state.mode = Mode::View;
        }
        Err(why) => state.error(why),
    }
    Vec::new()
}

/// `baseline_diff`: the shown spec or design against the Day-2 baseline's, in the diff pane.
fn show_baseline_diff(state: &mut State) -> Vec<Effect> {
    let pages = crate::app::layout::pages(state);
    let Some(e) = &mut state.engagement else {
        return Vec::new();
    };
    let model = DiffModel::against_baseline(&e.engagement, e.shown_artifact());
    open_diff(state, pages, model)
}

/// Shows the as-built (or, against a baseline, the current spec or design) at the current
/// hunk, in the editor.
fn open_hunk(state: &mut State) -> Vec<Effect> {
    let Some(e) = &mut state.engagement else {
        return Vec::new();
    };
    let Some(view) = &e.build.diff else {
        return Vec::new();
    };
    let Some(hunk) = view.hunk() else {
        state.info("no hunk to open");
        return Vec::new();
    };
    let numbers = &view.model.as_built_numbers;
    let line = numbers
        .get(hunk.as_built_lines.start)
        .or_else(|| numbers.get(hunk.as_built_lines.start.saturating_sub(1)))
        .copied()
        .unwrap_or(1);
    let target = view
        .model
        .baseline
        .as_ref()
        .map_or(Artifact::AsBuilt, |b| b.artifact);
    if e.shown_artifact() != Some(target) {
        if e.dirty {
            let file = e.shown_artifact().map_or("the buffer", Artifact::file_name);
            state.error(format!(
                "unsaved edits in {file}: save (Ctrl-S) before you switch artifacts"
            ));
            return Vec::new();
        }
        e.show_phase(target.phase());
    }
    e.build.diff = None;
    e.editor.jump_to(line.saturating_sub(1), 0);
    state.pane = Pane::Editor;
    Vec::new()
}

/// The component the reader is on, for prefilling the deviation form: the current hunk's
/// first unexplained target, the board's selection, or the component section under the
/// editor cursor.
fn prefill(state: &State, e: &EngagementState) -> (Option<DeviationTarget>, Option<String>) {
    if let Some(view) = &e.build.diff
        && state.pane == Pane::Editor
        && let Some(h) = view.hunk()
    {
        let n = view.model.hunks.len();
        let target = h
            .unexplained
            .first()
            .copied()
            .or_else(|| {
                h.components
                    .iter()
                    .next()
                    .map(|c| DeviationTarget::Component(*c))
            })
            .or(h.outside.then_some(DeviationTarget::General));
        let state = if h.is_explained() {
            "explained"
        } else {
            "unexplained"
        };
        return (
            target,
            Some(format!("hunk {}/{n}, {state}", view.current + 1)),
        );
    }
    if e.shown_phase == Phase::Build {
        return (e.build.selected.map(DeviationTarget::Component), None);
    }
    let Some(artifact) = e
        .shown_artifact()
        .filter(|a| matches!(a, Artifact::AsBuilt | Artifact::Design))
    else {
        return (None, None);
    };
    let (Some(doc), Some(text)) = (e.disk.doc(artifact), e.engagement.texts.get(&artifact)) else {
        return (None, None);
    };
    let row = e.editor.cursor().0;
    let target = design::components(doc, text)
        .into_iter()
        .find(|c| c.lines.contains(&row))
        .map(|c| DeviationTarget::Component(c.id));
    (
        target,
        target.map(|_| format!("{}:{}", artifact.file_name(), row + 1)),
    )
}

fn open_deviation_form(state: &mut State) -> Vec<Effect> {
    let Some(e) = &state.engagement else {
        return Vec::new();
    };
    // The phase and the as-built's presence are the domain's to judge: ask it with a
    // well-formed probe, so the form opens only where a deviation can be recorded.
    if let Err(r) = rules::add_deviation(
        &e.engagement,
        &e.disk,
        DeviationTarget::General,
        Impact::Minor,
        "-",
        "-",
    ) && !r.usage
    {
        state.error(r.line());
        return Vec::new();
    }
    let (target, origin) = prefill(state, e);
    let mut targets: Vec<(DeviationTarget, String)> = e
        .disk
        .components
        .iter()
        .map(|c| (DeviationTarget::Component(c.id), c.title.clone()))
        .collect();
    targets.push((
        DeviationTarget::General,
        "lines outside any component section".into(),
    ));
    let index = target
        .and_then(|t| targets.iter().position(|(x, _)| *x == t))
        .unwrap_or(targets.len() - 1);
    let form = DeviationForm {
        targets,
        target: index,
        impact: Impact::Minor,
        what: String::new(),
        why: String::new(),
        field: if target.is_some() {
            DevField::Impact
        } else {
            DevField::Target
        },
        origin,
        next_id: records::next_id(IdPrefix::Dev, e.disk.docs.values()),
        error: None,
    };
    state.overlay = Some(Overlay::Build(BuildOverlay::Deviation(form)));
    Vec::new()
}

fn open_amend_form(state: &mut State) -> Vec<Effect> {
    let Some(e) = &state.engagement else {
        return Vec::new();
    };
    let ev = &e.disk;
    let deviations: Vec<(ItemId, String, Option<ItemId>)> = ev
        .deviations
        .iter()
        .filter(|d| d.impact == Some(Impact::ScopeChange))
        .map(|d| {
            (
                d.id,
                d.description.clone(),
                ev.amendments
                    .iter()
                    .find(|a| a.deviation == Some(d.id))
                    .map(|a| a.id),
            )
        })
        .collect();
    let Some((probe, _, _)) = deviations.first() else {
        state.info("no scope-change deviation in as-built.md: an amendment follows a scope-change deviation");
        return Vec::new();
    };
    if let Err(r) = rules::add_amendment(&e.engagement, ev, *probe, "-")
        && !r.usage
    {
        state.error(r.line());
        return Vec::new();
    }
    let from_hunk = e.build.diff.as_ref().and_then(|v| v.hunk()).and_then(|h| {
        deviations
            .iter()
            .position(|(id, _, _)| h.explained_by.contains(id))
    });
    let selected = from_hunk
        .or_else(|| deviations.iter().position(|(_, _, a)| a.is_none()))
        .unwrap_or(0);
    let form = AmendForm {
        deviations,
        selected,
        text: String::new(),
        field: AmendField::Text,
        next_id: records::next_id(IdPrefix::Amd, ev.docs.values()),
        error: None,
    };
    state.overlay = Some(Overlay::Build(BuildOverlay::Amend(form)));
    Vec::new()
}

fn close(state: &mut State) -> Vec<Effect> {
    let identity = state.identity.clone();
    let Some(e) = &state.engagement else {
        return Vec::new();
    };
    if e.dirty {
        let file = e.shown_artifact().map_or("the buffer", Artifact::file_name);
        state.error(format!("unsaved edits in {file}: save (Ctrl-S) before you close: the close binds the text on disk"));
        return Vec::new();
    }
    match rules::close(&e.engagement, &e.disk, &identity, None) {
        Ok(_) => {
            state.overlay = Some(Overlay::Build(BuildOverlay::Confirm(close_confirm(
                e, identity, None,
            ))));
        }
        Err(r) => {
            let accepted: Vec<ItemId> = unfollowed_design_changes(&e.disk)
                .iter()
                .map(|d| d.id)
                .collect();
            if !accepted.is_empty()
                && rules::close(&e.engagement, &e.disk, &identity, Some("accepted")).is_ok()
            {
                state.overlay = Some(Overlay::Build(BuildOverlay::CloseReason {
                    accepted,
                    input: String::new(),
                }));
            } else {
                refuse(state, r.line());
            }
        }
    }
    Vec::new()
}

fn close_confirm(e: &EngagementState, closer: String, reason: Option<String>) -> BuildConfirm {
    let accepted = if reason.is_some() {
        unfollowed_design_changes(&e.disk)
            .iter()
            .map(|d| d.id)
            .collect()
    } else {
        Vec::new()
    };
    let bound = e
        .disk
        .deviations
        .iter()
        .map(|d| d.id)
        .chain(e.disk.amendments.iter().map(|a| a.id))
        .collect();
    BuildConfirm::Close {
        closer,
        reason,
        accepted,
        bound,
        reviewed: e.disk.artifact_records(),
    }
}

/// A result of a Build effect.
pub fn on_action(state: &mut State, action: BuildAction) -> Vec<Effect> {
    match action {
        BuildAction::DesignChangeRecorded { deviation, what } => {
            let approved = state
                .engagement
                .as_ref()
                .is_some_and(|e| e.disk.gate(GateId::Two).approval.is_some());
            if approved {
                state.overlay = Some(Overlay::Build(BuildOverlay::Confirm(
                    BuildConfirm::ReopenGate2 {
                        deviation,
                        reason: format!("{deviation} (design-change): {what}"),
                    },
                )));
            }
        }
    }
    Vec::new()
}

/// Keys as commands while one of the Build overlays is open.
pub fn overlay_command(state: &mut State, overlay: BuildOverlay, c: Command) -> Vec<Effect> {
    let close_overlay = matches!(c, Command::Cancel | Command::Leave);
    match overlay {
        BuildOverlay::Deviation(mut form) => {
            match c {
                Command::Confirm | Command::Open => return submit_deviation(state, form),
                _ if close_overlay => state.overlay = None,
                Command::MoveDown | Command::NextPane => {
                    form.next_field();
                    state.overlay = Some(Overlay::Build(BuildOverlay::Deviation(form)));
                }
                Command::MoveUp | Command::PrevPane => {
                    form.prev_field();
                    state.overlay = Some(Overlay::Build(BuildOverlay::Deviation(form)));
                }
                _ => {}
            }
            Vec::new()
        }
        BuildOverlay::Amend(mut form) => {
            match c {
                Command::Confirm | Command::Open => return submit_amendment(state, form),
                _ if close_overlay => state.overlay = None,
                Command::MoveDown | Command::MoveUp | Command::NextPane | Command::PrevPane => {
                    form.field = match form.field {
                        AmendField::Deviation => AmendField::Text,
                        AmendField::Text => AmendField::Deviation,
                    };
                    state.overlay = Some(Overlay::Build(BuildOverlay::Amend(form)));
                }
                _ => {}
            }
            Vec::new()
        }
        BuildOverlay::CloseReason { accepted, input } => {
            match c {
                Command::Confirm => {
                    let reason = input.trim().to_string();
                    let identity = state.identity.clone();
                    let Some(e) = &state.engagement else {
                        return Vec::new();
                    };
                    if reason.is_empty() {
                        state.error(format!(
                            "accepting {} at close needs a reason",
                            accepted
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                        return Vec::new();
                    }
                    match rules::close(&e.engagement, &e.disk, &identity, Some(&reason)) {
                        Ok(_) => {
                            state.overlay = Some(Overlay::Build(BuildOverlay::Confirm(
                                close_confirm(e, identity, Some(reason)),
                            )));
                        }
                        Err(r) => {
                            state.overlay = None;
                            refuse(state, r.line());
                        }
                    }
                }
                _ if close_overlay => state.overlay = None,
                _ => {}
            }
            Vec::new()
        }
        BuildOverlay::Confirm(kind) => match c {
            Command::Confirm => {
                state.overlay = None;
                let Some(e) = &state.engagement else {
                    return Vec::new();
                };
                let root = e.root.clone();
                effect(match kind {
                    // One reopening for every gate and every way to it (`app::update::lifecycle`).
                    BuildConfirm::ReopenGate2 { reason, .. } => {
                        return vec![Effect::Lifecycle(
                            crate::app::effect::LifecycleEffect::ReopenGate {
                                root,
                                gate: GateId::Two,
                                reason,
                            },
                        )];
                    }
                    BuildConfirm::SetStatus {
                        component, status, ..
                    } => BuildEffect::SetStatus {
                        root,
                        component,
                        status,
                    },
                    BuildConfirm::RecordDeviation(form) => BuildEffect::RecordDeviation {
                        root,
                        target: form.selected_target(),
                        impact: form.impact,
                        what: form.what.trim().to_string(),
                        why: form.why.trim().to_string(),
                    },
                    BuildConfirm::RecordAmendment(form) => match form.deviation() {
                        Some(deviation) => BuildEffect::Amend {
                            root,
                            deviation,
                            text: form.text.trim().to_string(),
                        },
                        None => return Vec::new(),
                    },
                    BuildConfirm::CompleteBuild { .. } => BuildEffect::CompleteBuild { root },
                    BuildConfirm::Close {
                        reason, reviewed, ..
                    } => BuildEffect::Close {
                        root,
                        reason,
                        reviewed,
                    },
                })
            }
            Command::Cancel | Command::Leave | Command::Quit => {
                state.overlay = match kind.clone() {
                    // Back to the form, with everything typed.
                    BuildConfirm::RecordDeviation(form) => {
                        Some(Overlay::Build(BuildOverlay::Deviation(form)))
                    }
                    BuildConfirm::RecordAmendment(form) => {
                        Some(Overlay::Build(BuildOverlay::Amend(form)))
                    }
                    _ => None,
                };
                if let BuildConfirm::ReopenGate2 { deviation, .. } = kind {
                    state.info(format!(
                        "Gate 2 stays approved: {deviation} needs a Gate 2 re-approval or a reason at close"
                    ));
                }
                Vec::new()
            }
            _ => Vec::new(),
        },
    }
}

fn submit_deviation(state: &mut State, mut form: DeviationForm) -> Vec<Effect> {
    let keep = |state: &mut State, form: DeviationForm| {
        state.overlay = Some(Overlay::Build(BuildOverlay::Deviation(form)));
        Vec::new()
    };
    if let Some(missing) = form.missing() {
        if form.field != missing
            && matches!(
                form.field,
                DevField::Target | DevField::Impact | DevField::What
            )
        {
            // Enter on an earlier field moves on to the next one to fill.
            form.field = missing;
        } else {
            form.field = missing;
            form.error = Some(format!("{} is needed (one line)", missing.label()));
        }
        return keep(state, form);
    }
    let Some(e) = &state.engagement else {
        return Vec::new();
    };
    if e.dirty && e.shown_artifact() == Some(Artifact::AsBuilt) {
        form.error = Some("unsaved edits in as-built.md: save them (Ctrl-S) first; the deviation is written into that file".into());
        return keep(state, form);
    }
    let target = form.selected_target();
    match rules::add_deviation(
        &e.engagement,
        &e.disk,
        target,
        form.impact,
        &form.what,
        &form.why,
    ) {
        Err(r) => {
            form.error = Some(r.line());
            keep(state, form)
        }
        Ok(_) => {
            state.overlay = Some(Overlay::Build(BuildOverlay::Confirm(
                BuildConfirm::RecordDeviation(form),
            )));
            Vec::new()
        }
    }
}

fn submit_amendment(state: &mut State, mut form: AmendForm) -> Vec<Effect> {
    let keep = |state: &mut State, form: AmendForm| {
        state.overlay = Some(Overlay::Build(BuildOverlay::Amend(form)));
        Vec::new()
    };
    let Some(deviation) = form.deviation() else {
        state.overlay = None;
        return Vec::new();
    };
    if form.text.trim().is_empty() {
        form.field = AmendField::Text;
        form.error = Some("the amendment text is needed (one line)".into());
        return keep(state, form);
    }
    let Some(e) = &state.engagement else {
        return Vec::new();
    };
    if e.dirty && e.shown_artifact() == Some(Artifact::Spec) {
        form.error = Some("unsaved edits in customer-spec.md: save them first".into());
        return keep(state, form);
    }
    match rules::add_amendment(&e.engagement, &e.disk, deviation, &form.text) {
        Err(r) => {
            form.error = Some(r.line());
            keep(state, form)
        }
        Ok(_) => {
            state.overlay = Some(Overlay::Build(BuildOverlay::Confirm(
                BuildConfirm::RecordAmendment(form),
            )));
            Vec::new()
        }
    }
}

/// A key typed into a Build form.
pub fn text(state: &mut State, input: &Input) {
    let Some(Overlay::Build(o)) = &mut state.overlay else {
        return;
    };
    match o {
        BuildOverlay::Deviation(f) => f.input(input),
        BuildOverlay::Amend(f) => f.input(input),
        BuildOverlay::CloseReason { input: buf, .. } => edit_text(buf, input),
        BuildOverlay::Confirm(_) => {}
    }
}

/// Pasted text into a Build form (joined into one line).
pub fn paste(state: &mut State, text: &str) {
    let Some(Overlay::Build(o)) = &mut state.overlay else {
        return;
    };
    match o {
        BuildOverlay::Deviation(f) => f.paste(text),
        BuildOverlay::Amend(f) => f.paste(text),
        BuildOverlay::CloseReason { input, .. } => paste_text(input, text),
        BuildOverlay::Confirm(_) => {}
    }
}
