//! The lifecycle in the TUI beyond the gate pane and the build board: completing feasibility,
//! reopening a gate with a reason, creating an engagement from the workspace list, and saying
//! what works instead when a command does nothing in the current phase. Every rule is the
//! domain's (`domain::rules`); every write goes through `store::engagement::{create, transact}`.
//! Journal-writing steps end in a confirmation that only `y` accepts (Enter never does).

use ratatui_textarea::{Input, Key};

use crate::app::action::LifecycleAction;
use crate::app::effect::{Effect, LifecycleEffect};
use crate::app::keys::{Command, Context};
use crate::app::line_input::{edit_text, paste_text};
use crate::app::model::overlay::{
    LifecycleConfirm, LifecycleOverlay, NewEngagementForm, NewField, ReopenForm,
};
use crate::app::model::state::yes_keys;
use crate::app::{Overlay, State};
use crate::domain::evaluate::GateState;
use crate::domain::journal::GateId;
use crate::domain::phase::Phase;
use crate::domain::rules;

/// A result of a lifecycle effect.
pub fn on_action(state: &mut State, action: LifecycleAction) -> Vec<Effect> {
    match action {
        LifecycleAction::CreateFailed(form) => {
            if let Some(why) = &form.error {
                state.error(why.clone());
            }
            state.overlay = Some(Overlay::Lifecycle(LifecycleOverlay::NewEngagement(form)));
        }
    }
    Vec::new()
}

/// ` — KEY` for `command` pressed in `context`, for "what works instead" messages; empty when
/// the command has no key there.
pub fn key_suffix(state: &State, context: Context, command: Command) -> String {
    state
        .keys
        .hint(context, command)
        .map(|k| format!(" — {k}"))
        .unwrap_or_default()
}

/// Why a decision on the gate in the review pane does nothing now, and what works instead:
/// "Gate 2 is not ahead: complete feasibility first — F".
pub fn gate_not_decidable(state: &State) -> Option<String> {
    let e = state.engagement.as_ref()?;
    let gate = e.review.gate;
    let ev = &e.disk;
    let status = ev.gate(gate).state;
    let n = gate.number();
    match (gate, ev.phase) {
        (_, Phase::Closed) => Some("the engagement is closed: its gate decisions are final".into()),
        (GateId::Two, Phase::Requirements) => Some(format!(
            "Gate 2 is not ahead: Gate 1 comes first — review it{}",
            key_suffix(state, Context::View, Command::ReviewGate)
        )),
        (GateId::Two, Phase::Feasibility) if status != GateState::Stale => Some(format!(
            "Gate 2 is not ahead: complete feasibility first{}",
            key_suffix(state, Context::Gate, Command::FeasibilityComplete)
        )),
        _ if status == GateState::Approved => Some(format!(
            "Gate {n} is approved and holds; to revise its artifact, reopen it{}",
            key_suffix(state, Context::Gate, Command::ReopenGate)
        )),
        _ => None,
    }
}

/// Commands of this module on the engagement screen (no overlay open).
pub fn command(state: &mut State, c: Command) -> Vec<Effect> {
    match c {
        Command::FeasibilityComplete => complete_feasibility(state),
        Command::ReopenGate => open_reopen(state),
        _ => Vec::new(),
    }
}

fn complete_feasibility(state: &mut State) -> Vec<Effect> {
    let Some(e) = &state.engagement else {
        return Vec::new();
    };
    let phase = e.disk.phase;
    let refusal = match phase {
        Phase::Requirements => Some(format!(
            "feasibility starts after Gate 1: review and approve the spec first{}",
            key_suffix(state, Context::View, Command::ReviewGate)
        )),
        Phase::Design | Phase::Build | Phase::AsBuilt => Some(format!(
            "feasibility is already complete (the engagement is in {}); to revise it, reopen Gate 1{}",
            phase.title(),
            key_suffix(state, Context::View, Command::ReopenGate)
        )),
        Phase::Closed => Some("the engagement is closed".into()),
        Phase::Feasibility => None,
    };
    if let Some(why) = refusal {
        state.error(why);
        return Vec::new();
    }
    if e.dirty && e.shown_artifact() == Some(crate::domain::artifact::Artifact::Feasibility) {
        state.error(
            "unsaved edits in feasibility.md: save (Ctrl-S) first; the completion records the text on disk",
        );
        return Vec::new();
    }
    match rules::complete_feasibility(&e.engagement, &e.disk) {
        Err(r) => {
            let text = r.line();
            state.error(text);
        }
        Ok(_) => {
            let requirements = e
                .disk
                .doc(crate::domain::artifact::Artifact::Spec)
                .map_or(0, |d| {
                    d.items
                        .iter()
                        .filter(|i| i.id.prefix == crate::domain::ids::IdPrefix::Req)
                        .count()
                });
            state.overlay = Some(Overlay::Lifecycle(LifecycleOverlay::Confirm(
                LifecycleConfirm::CompleteFeasibility {
                    requirements,
                    reviewed: e.disk.artifact_records(),
                },
            )));
        }
    }
    Vec::new()
}

fn open_reopen(state: &mut State) -> Vec<Effect> {
    let Some(e) = &state.engagement else {
        return Vec::new();
    };
    if e.disk.phase == Phase::Closed {
        state.error("the engagement is closed: its gates cannot be reopened");
        return Vec::new();
    }
    let choices: Vec<GateId> = [GateId::One, GateId::Two]
        .into_iter()
        .filter(|g| e.disk.gate(*g).approval.is_some())
        .collect();
    let Some(gate) = choices.last().copied() else {
        let why = format!(
            "no gate is approved, so there is nothing to reopen; review the gate ahead{}",
            key_suffix(state, Context::View, Command::ReviewGate)
        );
        state.error(why);
        return Vec::new();
    };
    state.overlay = Some(Overlay::Lifecycle(LifecycleOverlay::Reopen(ReopenForm {
        gate,
        choices,
        reason: String::new(),
        error: None,
    })));
    Vec::new()
}

/// `new_engagement` on the workspace list.
pub fn open_new_engagement(state: &mut State) -> Vec<Effect> {
    if state.workspace.is_none() {
        return Vec::new();
    }
    state.overlay = Some(Overlay::Lifecycle(LifecycleOverlay::NewEngagement(
        NewEngagementForm {
            slug: String::new(),
            title: String::new(),
            owner: state.identity.clone(),
            field: NewField::Slug,
            error: None,
        },
    )));
    Vec::new()
}

/// Keys as commands while a lifecycle overlay is open.
pub fn overlay_command(state: &mut State, overlay: LifecycleOverlay, c: Command) -> Vec<Effect> {
    let cancel = matches!(c, Command::Cancel | Command::Leave);
    match overlay {
        LifecycleOverlay::NewEngagement(mut form) => {
            match c {
                Command::Confirm | Command::Open => return submit_new(state, form),
                _ if cancel => state.overlay = None,
                Command::MoveDown | Command::MoveUp => {
                    form.step(c == Command::MoveDown);
                    state.overlay = Some(Overlay::Lifecycle(LifecycleOverlay::NewEngagement(form)));
                }
                _ => {}
            }
            Vec::new()
        }
        LifecycleOverlay::Reopen(mut form) => {
            match c {
                Command::Confirm | Command::Open => {
                    if form.reason.trim().is_empty() {
                        form.error = Some(format!(
                            "reopening Gate {} needs a reason (one line)",
                            form.gate.number()
                        ));
                        state.overlay = Some(Overlay::Lifecycle(LifecycleOverlay::Reopen(form)));
                    } else {
                        state.overlay = Some(Overlay::Lifecycle(LifecycleOverlay::Confirm(
                            LifecycleConfirm::Reopen {
                                gate: form.gate,
                                reason: form.reason.trim().to_string(),
                            },
                        )));
                    }
                }
                _ if cancel => state.overlay = None,
                _ => {}
            }
            Vec::new()
        }
        LifecycleOverlay::Confirm(kind) => match c {
            Command::Confirm => {
                state.overlay = None;
                let effect = match kind {
                    LifecycleConfirm::CompleteFeasibility { reviewed, .. } => {
                        let Some(e) = &state.engagement else {
                            return Vec::new();
                        };
                        LifecycleEffect::CompleteFeasibility {
                            root: e.root.clone(),
                            reviewed,
                        }
                    }
                    LifecycleConfirm::Reopen { gate, reason } => {
                        let Some(e) = &state.engagement else {
                            return Vec::new();
                        };
                        LifecycleEffect::ReopenGate {
                            root: e.root.clone(),
                            gate,
                            reason,
                        }
                    }
                    LifecycleConfirm::NewEngagement {
                        workspace,
                        slug,
                        title,
                        owner,
                    } => LifecycleEffect::CreateEngagement {
                        workspace,
                        slug,
                        title,
                        owner,
                    },
                };
                vec![Effect::Lifecycle(effect)]
            }
            _ if cancel || c == Command::Quit => {
                state.overlay = None;
                state.info("cancelled: nothing was recorded");
                Vec::new()
            }
            _ => Vec::new(),
        },
    }
}

fn submit_new(state: &mut State, mut form: NewEngagementForm) -> Vec<Effect> {
    let keep = |state: &mut State, form: NewEngagementForm| {
        state.overlay = Some(Overlay::Lifecycle(LifecycleOverlay::NewEngagement(form)));
        Vec::new()
    };
    let slug = form.slug.trim().to_string();
    if let Err(why) = crate::store::workspace::validate_slug(&slug) {
        form.field = NewField::Slug;
        form.error = Some(why);
        return keep(state, form);
    }
    if form.field != NewField::Owner && form.title.trim().is_empty() {
        // Enter on the slug moves on to the title, like a form people fill top to bottom.
        form.step(true);
        return keep(state, form);
    }
    if form.owner.trim().is_empty() {
        form.field = NewField::Owner;
        form.error = Some("the owner is needed: who writes the artifacts".into());
        return keep(state, form);
    }
    let Some(ws) = &state.workspace else {
        state.overlay = None;
        return Vec::new();
    };
    if ws.rows.iter().any(|r| r.slug == slug) {
        form.field = NewField::Slug;
        form.error = Some(format!("{slug} already exists in this workspace"));
        return keep(state, form);
    }
    let title = if form.title.trim().is_empty() {
        slug.clone()
    } else {
        form.title.trim().to_string()
    };
    state.overlay = Some(Overlay::Lifecycle(LifecycleOverlay::Confirm(
        LifecycleConfirm::NewEngagement {
            workspace: ws.root.clone(),
            slug,
            title,
            owner: form.owner.trim().to_string(),
        },
    )));
    Vec::new()
}

/// A key typed while a lifecycle overlay is open.
pub fn text(state: &mut State, input: &Input) {
    let Some(Overlay::Lifecycle(o)) = &mut state.overlay else {
        return;
    };
    match o {
        LifecycleOverlay::NewEngagement(f) => {
            f.error = None;
            match input.key {
                Key::Tab if input.shift => f.step(false),
                Key::Tab => f.step(true),
                _ => edit_text(f.value_mut(), input),
            }
        }
        LifecycleOverlay::Reopen(f) => {
            f.error = None;
            match input.key {
                Key::Tab | Key::Left | Key::Right => {
                    let n = f.choices.len().max(1);
                    let i = f.choices.iter().position(|g| *g == f.gate).unwrap_or(0);
                    if let Some(g) = f.choices.get((i + 1) % n) {
                        f.gate = *g;
                    }
                }
                _ => edit_text(&mut f.reason, input),
            }
        }
        LifecycleOverlay::Confirm(_) => {
            if input.key == Key::Enter {
                let yes = yes_keys(state);
                state.info(format!(
                    "Enter does not confirm a journal entry: press {yes} to record it, Esc to cancel"
                ));
            }
        }
    }
}

/// Pasted text into a lifecycle form (joined into one line).
pub fn paste(state: &mut State, text: &str) {
    let Some(Overlay::Lifecycle(o)) = &mut state.overlay else {
        return;
    };
    match o {
        LifecycleOverlay::NewEngagement(f) => paste_text(f.value_mut(), text),
        LifecycleOverlay::Reopen(f) => paste_text(&mut f.reason, text),
        LifecycleOverlay::Confirm(_) => {}
    }
}
