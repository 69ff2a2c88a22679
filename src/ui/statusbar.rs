//! The status bar: mode, engagement, phase, dirty/stale flags, the editor's `line:col` and the
//! acting identity; below it key hints generated from the active keymap (a remapped key shows
//! remapped); a toast replaces the hints while it lasts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::DataCursor;
use unicode_width::UnicodeWidthStr;

use super::{Slot, Theme, mode_label, slot, truncate};
use crate::app::{Command, Context, Mode, Overlay, Screen, State, ToastKind};
use crate::domain::evaluate::GateState;

/// The commands worth a hint where the keys are pressed now.
fn hint_commands(state: &State) -> &'static [Command] {
    use Command as C;
    if let Some(commands) = super::conflict::hint_commands(state) {
        return commands;
    }
    match (&state.overlay, state.context()) {
        (Some(Overlay::Help { .. }), _) => &[C::Leave, C::MoveDown, C::MoveUp],
        (Some(Overlay::Metrics(_)), _) => &[C::Leave],
        (Some(Overlay::Confirm(_)), _) => &[C::Confirm, C::Cancel],
        (Some(Overlay::Prompt { .. }), _) => &[C::Confirm, C::Cancel],
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
        other => other.name(),
    }
}

pub fn hints(state: &State) -> Vec<(String, &'static str)> {
    let ctx = state.context();
    let mut out = Vec::new();
    for c in hint_commands(state) {
        if let Some(keys) = state.keys.hint(ctx, *c) {
            out.push((keys, short_doc(*c)));
        }
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

/// A piece of the status line. When the line is too narrow, pieces with a `drop` rank go, the
/// lowest rank first (what the screen shows elsewhere: the phase is in the pipeline, the slug in
/// the header, the artifact in the editor's title).
struct Piece {
    span: Span<'static>,
    drop: Option<u8>,
}

fn piece(text: String, style: ratatui::style::Style, drop: Option<u8>) -> Piece {
    Piece {
        span: Span::styled(text, style),
        drop,
    }
}

/// The status line: mode, where you are and what is wrong on the left; the editor cursor
/// (`line:col`, 1-based) and who is acting on the right. Fits `width`: lower-ranked pieces are
/// dropped first, then the identity is shortened.
fn status_line(state: &State, theme: &Theme, width: usize) -> Line<'static> {
    let bar = slot(theme, Slot::UiStatusbar);
    let mut left: Vec<Piece> = vec![piece(
        format!(" {} ", mode_label(state)),
        slot(theme, Slot::UiStatusbarMode),
        None,
    )];
    let mut cursor = None;
    match (&state.engagement, state.screen) {
        (Some(e), Screen::Engagement) => {
            left.push(piece(format!(" {} ", e.engagement.slug), bar, Some(1)));
            left.push(piece(format!("│ {} ", e.disk.phase.title()), bar, Some(0)));
            if let Some(a) = e.shown_artifact() {
                left.push(piece(format!("│ {} ", a.file_name()), bar, Some(2)));
                let DataCursor(row, col) = e.editor.cursor();
                cursor = Some(format!(" {}:{} ", row + 1, col + 1));
            }
            if e.dirty {
                left.push(piece(
                    " [+] modified ".into(),
                    slot(theme, Slot::GateStale).add_modifier(Modifier::BOLD),
                    None,
                ));
            }
            for g in &e.disk.gates {
                if g.state == GateState::Stale {
                    left.push(piece(
                        format!(" [!] GATE {} STALE ", g.gate.number()),
                        slot(theme, Slot::GateStale)
                            .add_modifier(Modifier::BOLD | Modifier::REVERSED),
                        None,
                    ));
                }
            }
            if !e.issues.is_empty() || e.engagement.journal.broken.is_some() {
                left.push(piece(
                    " [!] load problems ".into(),
                    slot(theme, Slot::UiBannerError),
                    None,
                ));
            }
            left.extend(
                super::conflict::status_flags(state, theme)
                    .into_iter()
                    .map(|span| Piece { span, drop: None }),
            );
        }
        _ => {
            let n = state.workspace.as_ref().map_or(0, |w| w.rows.len());
            left.push(piece(
                format!(" {n} engagement{} ", if n == 1 { "" } else { "s" }),
                bar,
                Some(0),
            ));
        }
    }
    let cursor = cursor.map(|c| Span::styled(c, bar));
    let identity = format!(" as {} ", state.identity);
    let fixed = |left: &[Piece]| {
        left.iter().map(|p| p.span.width()).sum::<usize>() + cursor.as_ref().map_or(0, Span::width)
    };
    while fixed(&left) + identity.width() > width {
        let lowest = left
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.drop.map(|rank| (rank, i)))
            .min();
        match lowest {
            Some((_, i)) => {
                left.remove(i);
            }
            None => break,
        }
    }
    // Still too wide: the identity gives way down to a few characters, then the line is cut.
    let room = width.saturating_sub(fixed(&left));
    let identity = if identity.width() > room {
        format!(
            "{} ",
            truncate(identity.trim_end(), room.max(6).saturating_sub(1))
        )
    } else {
        identity
    };
    let used = fixed(&left) + identity.width();
    let mut spans: Vec<Span<'static>> = left.into_iter().map(|p| p.span).collect();
    spans.push(Span::styled(" ".repeat(width.saturating_sub(used)), bar));
    spans.extend(cursor);
    spans.push(Span::styled(identity, bar));
    Line::from(spans)
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let status_line = status_line(state, theme, width);

    let second = match &state.toast {
        Some(t) => Line::styled(
            truncate(&format!(" {}", t.text), width),
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
