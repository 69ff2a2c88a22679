//! Commands while an overlay is open: help, the message log, metrics, confirmations, prompts
//! (and what a prompt's Enter submits, `:` command lines included).

use super::super::effect::Effect;
use super::super::keys::Command;
use super::super::{Confirm, GateDecision, Overlay, Pane, PromptKind, State};
use super::common::quit_or_ask;
use super::editor::{find, jump, report_match};

/// What a key does in a read-only scrolling overlay (help, the message log).
enum Scrolled {
    To(u16),
    Close,
    Quit,
    Ignored,
}

fn scrolled(state: &State, scroll: u16, c: Command) -> Scrolled {
    let page = crate::app::layout::pages(state).overlay;
    match c {
        Command::MoveDown => Scrolled::To(scroll.saturating_add(1)),
        Command::PageDown => Scrolled::To(scroll.saturating_add(page)),
        Command::MoveUp => Scrolled::To(scroll.saturating_sub(1)),
        Command::PageUp => Scrolled::To(scroll.saturating_sub(page)),
        Command::Top => Scrolled::To(0),
        Command::ForceQuit => Scrolled::Quit,
        // `q` closes the overlay, not the app.
        Command::Leave | Command::Cancel | Command::Help | Command::Confirm | Command::Quit => {
            Scrolled::Close
        }
        _ => Scrolled::Ignored,
    }
}

pub(super) fn command(state: &mut State, overlay: Overlay, c: Command) -> Vec<Effect> {
    match overlay {
        Overlay::Metrics(_) => match c {
            Command::ForceQuit => {
                state.overlay = None;
                quit_or_ask(state)
            }
            Command::Leave | Command::Cancel | Command::ShowMetrics | Command::Quit => {
                state.overlay = None;
                Vec::new()
            }
            _ => Vec::new(),
        },
        Overlay::Help { scroll } => match scrolled(state, scroll, c) {
            Scrolled::To(scroll) => {
                state.overlay = Some(Overlay::Help { scroll });
                Vec::new()
            }
            Scrolled::Close => {
                state.overlay = None;
                Vec::new()
            }
            Scrolled::Quit => {
                state.overlay = None;
                quit_or_ask(state)
            }
            Scrolled::Ignored => Vec::new(),
        },
        Overlay::Messages { scroll } => match scrolled(state, scroll, c) {
            Scrolled::To(scroll) => {
                state.overlay = Some(Overlay::Messages { scroll });
                Vec::new()
            }
            Scrolled::Close => {
                state.overlay = None;
                Vec::new()
            }
            Scrolled::Quit => {
                state.overlay = None;
                quit_or_ask(state)
            }
            Scrolled::Ignored if c == Command::Messages => {
                state.overlay = None;
                Vec::new()
            }
            Scrolled::Ignored => Vec::new(),
        },
        Overlay::Confirm(kind) => match c {
            Command::Confirm => {
                state.overlay = None;
                match kind {
                    Confirm::QuitUnsaved | Confirm::QuitUnsentReview => {
                        state.quit = true;
                        let mut effects = super::live::discarding(state);
                        effects.push(Effect::Quit);
                        effects
                    }
                    Confirm::Approve(d) => match &state.engagement {
                        Some(e) => vec![Effect::ApproveGate {
                            root: e.root.clone(),
                            gate: d.gate,
                            review: d.review,
                            reviewed: d.reviewed,
                        }],
                        None => Vec::new(),
                    },
                    Confirm::Reject(d) => match &state.engagement {
                        Some(e) => vec![Effect::RejectGate {
                            root: e.root.clone(),
                            gate: d.gate,
                            review: d.review,
                            reason: d.reason.unwrap_or_default(),
                            reviewed: d.reviewed,
                        }],
                        None => Vec::new(),
                    },
                }
            }
            Command::AddNote if matches!(kind, Confirm::Approve(_) | Confirm::Reject(_)) => {
                let input = match &kind {
                    Confirm::Approve(d) | Confirm::Reject(d) => d.review.note.clone(),
                    Confirm::QuitUnsaved | Confirm::QuitUnsentReview => String::new(),
                };
                state.overlay = Some(Overlay::Prompt {
                    kind: PromptKind::Note {
                        decision: Box::new(kind),
                    },
                    input,
                });
                Vec::new()
            }
            Command::ForceQuit
                if matches!(kind, Confirm::QuitUnsaved | Confirm::QuitUnsentReview) =>
            {
                state.overlay = None;
                state.quit = true;
                let mut effects = super::live::discarding(state);
                effects.push(Effect::Quit);
                effects
            }
            Command::Cancel | Command::Leave | Command::Quit => {
                state.overlay = None;
                Vec::new()
            }
            _ => Vec::new(),
        },
        Overlay::Build(_) if c == Command::ForceQuit => {
            state.overlay = None;
            quit_or_ask(state)
        }
        Overlay::Build(o) => super::build::overlay_command(state, o, c),
        Overlay::Lifecycle(_) if c == Command::ForceQuit => {
            state.overlay = None;
            quit_or_ask(state)
        }
        Overlay::Lifecycle(o) => super::lifecycle::overlay_command(state, o, c),
        Overlay::Catalog(o) => super::catalog::overlay_command(state, o, c),
        Overlay::Prompt { kind, input } => match c {
            Command::Confirm => submit_prompt(state, kind, input),
            Command::Cancel | Command::Leave => {
                // Esc on a decision's note goes back to the decision, unchanged.
                state.overlay = match kind {
                    PromptKind::Note { decision } => Some(Overlay::Confirm(*decision)),
                    _ => None,
                };
                Vec::new()
            }
            Command::ForceQuit => {
                state.overlay = None;
                quit_or_ask(state)
            }
            Command::MoveUp | Command::MoveDown if kind == PromptKind::Search => {
                let input = match (c, &state.engagement) {
                    (Command::MoveUp, Some(e)) => e.search.clone(),
                    _ => String::new(),
                };
                state.overlay = Some(Overlay::Prompt { kind, input });
                Vec::new()
            }
            _ => Vec::new(),
        },
    }
}

fn submit_prompt(state: &mut State, kind: PromptKind, input: String) -> Vec<Effect> {
    state.overlay = None;
    let Some(e) = &mut state.engagement else {
        return Vec::new();
    };
    match kind {
        PromptKind::Waive { criterion } => {
            if input.trim().is_empty() {
                state.error(format!("a waiver of {criterion} needs a reason"));
                return Vec::new();
            }
            e.review.checks.remove(&criterion);
            e.review
                .waivers
                .insert(criterion.clone(), input.trim().to_string());
            state.info(format!("{criterion} waived"));
        }
        PromptKind::RejectReason { gate } => {
            if input.trim().is_empty() {
                state.error(format!(
                    "a rejection of Gate {} needs a reason",
                    gate.number()
                ));
                return Vec::new();
            }
            let results = e
                .review_rows()
                .iter()
                .map(|(c, r)| (c.def.id.clone(), *r))
                .collect();
            let decision = GateDecision {
                gate,
                review: e.review.as_gate_review(),
                reviewed: e.disk.artifact_records(),
                approver: state.identity.clone(),
                results,
                reason: Some(input.trim().to_string()),
            };
            state.overlay = Some(Overlay::Confirm(Confirm::Reject(decision)));
        }
        // The router runs it (`command_line`).
        PromptKind::CommandLine => {}
        PromptKind::Note { decision } => {
            let mut decision = *decision;
            if let Confirm::Approve(d) | Confirm::Reject(d) = &mut decision {
                d.review.note = input.trim().to_string();
            }
            state.overlay = Some(Overlay::Confirm(decision));
        }
        PromptKind::Search => {
            if input.is_empty() {
                // An empty search clears the marks; the previous query stays one Up away.
                return Vec::new();
            }
            e.search = input;
            let found = find(e, true);
            report_match(state, found);
        }
    }
    Vec::new()
}

/// What was typed at `:` (Enter closes the prompt): `w` saves, `q` quits, `q!` quits from any
/// mode, a number goes to that line, anything else is a command name from help (`reopen-gate`
/// works too). The command to run, for the router; `None` when there is none to run.
pub(super) fn command_line(state: &mut State, line: &str) -> Option<Command> {
    state.overlay = None;
    let c = match line {
        "" => return None,
        "w" | "write" => Command::Save,
        "q" | "quit" => Command::Quit,
        "q!" | "quit!" => Command::ForceQuit,
        "wq" | "x" => {
            state.error(":wq is two steps here: :w saves, then :q quits once the save is on disk");
            return None;
        }
        "mes" | "messages" => Command::Messages,
        n if n.chars().all(|ch| ch.is_ascii_digit()) => {
            if let Some(e) = &mut state.engagement {
                let row = n.parse::<usize>().unwrap_or(usize::MAX).saturating_sub(1);
                jump(e, row, 0);
                state.pane = Pane::Editor;
            }
            return None;
        }
        name => match name.replace('-', "_").parse::<Command>() {
            Ok(c) => c,
            Err(e) => {
                state.error(format!(":{name}: {e}; ? lists every command"));
                return None;
            }
        },
    };
    Some(c)
}
