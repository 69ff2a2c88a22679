//! The status bar: engagement, phase, mode, dirty/stale flags, and key hints generated from the
//! active keymap (a remapped key shows remapped); a toast replaces the hints while it lasts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Slot, Theme, mode_label, slot};
use crate::app::{Command, Context, Mode, Overlay, Screen, State, ToastKind};
use crate::domain::evaluate::GateState;

/// The commands worth a hint where the keys are pressed now.
fn hint_commands(state: &State) -> &'static [Command] {
    use Command as C;
    if let Some(commands) = super::conflict::hint_commands(state) {
        return commands;
    }
    match (&state.overlay, state.context()) {
        (Some(Overlay::Help { .. } | Overlay::Messages { .. }), _) => {
            &[C::Leave, C::MoveDown, C::MoveUp]
        }
        (Some(Overlay::Lifecycle(_)), _) => &[],
        (Some(Overlay::Confirm(crate::app::Confirm::QuitUnsaved)), _) => &[C::Confirm, C::Cancel],
        (Some(Overlay::Confirm(_)), _) => &[C::Confirm, C::AddNote, C::Cancel],
        // Typing: y and n are text here, so the hints name Enter and Esc (added in `hints`).
        (Some(Overlay::Prompt { .. }), _) => &[],
        (Some(Overlay::Build(o)), _) if o.is_typing() => &[],
        (Some(Overlay::Build(_)), _) => &[C::Confirm, C::Cancel],
        (None, Context::Workspace) if state.mode == Mode::Filter => &[],
        (None, Context::Workspace) => &[C::Open, C::Filter, C::MoveDown, C::Help, C::Quit],
        (None, Context::Edit) => &[C::Save, C::Leave, C::Undo, C::ForceQuit],
        (None, Context::Build) => &[
            C::MarkBuilt,
            C::MarkValidated,
            C::CompleteBuild,
            C::RecordDeviation,
            C::ShowDiff,
            C::CloseEngagement,
            C::Help,
        ],
        (None, Context::Diff) => &[
            C::NextHunk,
            C::PrevHunk,
            C::RecordDeviation,
            C::AmendSpec,
            C::ToggleFolds,
            C::CloseEngagement,
            C::Help,
        ],
        (None, Context::Gate) => &[
            C::ToggleCriterion,
            C::WaiveCriterion,
            C::ApproveGate,
            C::RejectGate,
            C::Open,
            C::Help,
        ],
        _ => &[
            C::Edit,
            C::ReviewGate,
            C::NextPane,
            C::Search,
            C::Help,
            C::Quit,
        ],
    }
}

fn short_doc(c: Command) -> &'static str {
    use Command as C;
    if let Some(doc) = super::conflict::short_doc(c) {
        return doc;
    }
    match c {
        C::Open => "open",
        C::Filter => "filter",
        C::MoveDown => "down",
        C::MoveUp => "up",
        C::Help => "help",
        C::Quit => "quit",
        C::ForceQuit => "quit",
        C::Save => "save",
        C::Leave => "leave",
        C::Undo => "undo",
        C::ToggleCriterion => "tick",
        C::WaiveCriterion => "waive",
        C::ApproveGate => "approve",
        C::RejectGate => "reject",
        C::Edit => "edit",
        C::ReviewGate => "gate",
        C::NextPane => "pane",
        C::Search => "search",
        C::Confirm => "confirm",
        C::Cancel => "cancel",
        C::MarkBuilt => "built",
        C::MarkValidated => "validated",
        C::CompleteBuild => "complete",
        C::RecordDeviation => "deviation",
        C::ShowDiff => "diff",
        C::CloseEngagement => "close",
        C::NextHunk => "next hunk",
        C::PrevHunk => "prev hunk",
        C::AmendSpec => "amend",
        C::ToggleFolds => "folds",
        C::AddNote => "note",
        C::Messages => "messages",
        C::FeasibilityComplete => "feasibility done",
        C::ReopenGate => "reopen",
        C::NewEngagement => "new",
        other => other.name(),
    }
}

pub fn hints(state: &State) -> Vec<(String, &'static str)> {
    let ctx = state.context();
    let mut out = Vec::new();
    if let Some(first) = state.pending_key {
        // Waiting for the second key of a sequence: what it can be.
        for (second, c) in state.keys.keymap().continuations(ctx, first) {
            out.push((format!("{first} {second}"), short_doc(c)));
        }
        out.push(("Esc".into(), "cancel"));
        return out;
    }
    for c in hint_commands(state) {
        if let Some(keys) = state.keys.hint(ctx, *c) {
            out.push((keys, short_doc(*c)));
        }
    }
    if let Some(Overlay::Prompt { kind, .. }) = &state.overlay {
        if *kind == crate::app::PromptKind::Search {
            out.push(("Enter".into(), "find"));
            out.push(("Up".into(), "previous"));
        } else {
            out.push(("Enter".into(), "ok"));
        }
        out.push(("Ctrl-U".into(), "clear"));
        out.push(("Esc".into(), "cancel"));
    }
    if let Some(Overlay::Lifecycle(o)) = &state.overlay {
        if o.is_typing() {
            out.push(("Enter".into(), "continue"));
            out.push(("Tab".into(), "next"));
        } else {
            out.push((crate::app::lifecycle::yes_keys(state), "record"));
        }
        out.push(("Esc".into(), "cancel"));
    }
    if matches!(&state.overlay, Some(Overlay::Build(o)) if o.is_typing()) {
        out.push(("Enter".into(), "confirm"));
        out.push(("Esc".into(), "cancel"));
    }
    if state.screen == Screen::Workspace && state.mode == Mode::Filter && state.overlay.is_none() {
        out.push(("Enter".into(), "open"));
        out.push(("Esc".into(), "clear"));
    }
    out
}

/// A toast in one line: whole if it fits, else cut at a word with the key of the message log
/// that holds it in full.
fn toast_text(state: &State, text: &str, width: usize) -> String {
    let line = format!(" {text}");
    if line.chars().count() <= width {
        return line;
    }
    let more = state
        .keys
        .hint(state.context(), Command::Messages)
        .or_else(|| state.keys.hint(Context::View, Command::Messages))
        .map(|k| format!(" ({k}: in full)"))
        .unwrap_or_default();
    let room = width.saturating_sub(more.chars().count());
    format!("{}{more}", super::truncate_words(&line, room))
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let bar = slot(theme, Slot::UiStatusbar);
    let width = usize::from(area.width);
    let mut spans: Vec<Span> = vec![Span::styled(
        format!(" {} ", mode_label(state)),
        slot(theme, Slot::UiStatusbarMode),
    )];
    match (&state.engagement, state.screen) {
        (Some(e), Screen::Engagement) => {
            spans.push(Span::styled(format!(" {} ", e.engagement.slug), bar));
            spans.push(Span::styled(format!("│ {} ", e.disk.phase.title()), bar));
            if let Some(a) = e.shown_artifact() {
                spans.push(Span::styled(format!("│ {} ", a.file_name()), bar));
            }
            if e.dirty {
                spans.push(Span::styled(
                    " [+] modified ",
                    slot(theme, Slot::GateStale).add_modifier(Modifier::BOLD),
                ));
            }
            for g in &e.disk.gates {
                if g.state == GateState::Stale {
                    spans.push(Span::styled(
                        format!(" [!] GATE {} STALE ", g.gate.number()),
                        slot(theme, Slot::GateStale)
                            .add_modifier(Modifier::BOLD | Modifier::REVERSED),
                    ));
                }
            }
            if !e.issues.is_empty() || e.engagement.journal.broken.is_some() {
                spans.push(Span::styled(
                    " [!] load problems ",
                    slot(theme, Slot::UiBannerError),
                ));
            }
            spans.extend(super::conflict::status_flags(state, theme));
        }
        _ => {
            let n = state.workspace.as_ref().map_or(0, |w| w.rows.len());
            spans.push(Span::styled(
                format!(" {n} engagement{} ", if n == 1 { "" } else { "s" }),
                bar,
            ));
        }
    }
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    spans.push(Span::styled(" ".repeat(width.saturating_sub(used)), bar));
    let status_line = Line::from(spans);

    let second = match &state.toast {
        Some(t) => Line::styled(
            toast_text(state, &t.text, width),
            slot(
                theme,
                if t.kind == ToastKind::Error {
                    Slot::UiBannerError
                } else {
                    Slot::UiToast
                },
            ),
        ),
        None => {
            let mut spans: Vec<Span> = Vec::new();
            for (keys, doc) in hints(state) {
                spans.push(Span::raw(" "));
                spans.push(Span::styled(keys, slot(theme, Slot::UiKey)));
                spans.push(Span::styled(
                    format!(" {doc} "),
                    slot(theme, Slot::UiTextDim),
                ));
            }
            Line::from(spans)
        }
    };
    let lines = if area.height >= 2 {
        vec![status_line, second]
    } else if state.toast.is_some() {
        vec![second]
    } else {
        vec![status_line]
    };
    super::memo::render_widget(frame, Paragraph::new(lines), area);
}
