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
use crate::app::{Command, Context, Mode, Overlay, Screen, Severity, State};
use crate::domain::evaluate::GateState;
use crate::domain::phase::Phase;

/// The commands worth a hint where the keys are pressed now.
fn hint_commands(state: &State) -> &'static [Command] {
    use Command as C;
    if let Some(commands) = super::live::hint_commands(state) {
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
        (Some(Overlay::Metrics(_)), _) => &[C::Leave],
        (Some(Overlay::Build(o)), _) if o.is_typing() => &[],
        (Some(Overlay::Build(_)), _) => &[C::Confirm, C::Cancel],
        (Some(Overlay::Catalog(o)), _) if o.is_typing() => &[],
        (Some(Overlay::Catalog(_)), _) => &[C::InsertReuse, C::MoveDown, C::MoveUp, C::Cancel],
        (None, Context::Workspace) if state.mode == Mode::Filter => &[],
        (None, Context::Workspace) => &[
            C::Open,
            C::NewEngagement,
            C::Filter,
            C::MoveDown,
            C::Messages,
            C::Help,
            C::Quit,
        ],
        (None, Context::Edit) => &[C::Save, C::Leave, C::Undo, C::ForceQuit],
        (None, Context::Build) => &[
            C::MarkBuilt,
            C::MarkValidated,
            C::CompleteBuild,
            C::RecordDeviation,
            C::ShowDiff,
            C::CloseEngagement,
            C::Help,
            C::ShowPhase1,
            C::Journal,
            C::ZoomPane,
            C::Messages,
            C::Leave,
        ],
        (None, Context::Diff) => &[
            C::NextHunk,
            C::PrevHunk,
            C::RecordDeviation,
            C::AmendSpec,
            C::ToggleFolds,
            C::CloseEngagement,
            C::Help,
            C::Leave,
            C::Messages,
        ],
        (None, Context::Gate) => &[
            C::ToggleCriterion,
            C::WaiveCriterion,
            C::ApproveGate,
            C::RejectGate,
            C::Open,
            C::Help,
            C::Leave,
            C::ReopenGate,
            C::Journal,
            C::ZoomPane,
            C::Messages,
        ],
        _ => &[
            C::Edit,
            C::ReviewGate,
            C::NextPane,
            C::Search,
            C::Help,
            C::Quit,
            C::ShowDiff,
            C::FeasibilityComplete,
            C::ShowPhase1,
            C::Journal,
            C::ZoomPane,
            C::Messages,
            C::Leave,
        ],
    }
}

pub fn hints(state: &State) -> Vec<(String, &'static str)> {
    let ctx = state.context();
    let mut out = Vec::new();
    if let Some(first) = state.pending_key {
        // Waiting for the second key of a sequence: what it can be.
        for (second, c) in state.keys.keymap().continuations(ctx, first) {
            out.push((format!("{first} {second}"), c.short()));
        }
        out.push(("Esc".into(), "cancel"));
        return out;
    }
    let phase = state
        .engagement
        .as_ref()
        .filter(|_| state.screen == Screen::Engagement)
        .map(|e| e.disk.phase);
    for c in hint_commands(state) {
        // What the phase offers: the diff from Build on, feasibility's completion in it.
        let offered = match c {
            Command::ShowDiff => phase.is_some_and(|p| p >= Phase::Build),
            Command::FeasibilityComplete => phase == Some(Phase::Feasibility),
            Command::ReopenGate => {
                phase.is_some_and(|p| p > Phase::Requirements && p < Phase::Closed)
            }
            _ => true,
        };
        if !offered {
            continue;
        }
        if *c == Command::ShowPhase1 {
            // `1`–`5` as one hint when the phase keys are the digits.
            let digits: Vec<Option<String>> = [
                Command::ShowPhase1,
                Command::ShowPhase2,
                Command::ShowPhase3,
                Command::ShowPhase4,
                Command::ShowPhase5,
            ]
            .iter()
            .map(|p| state.keys.hint(ctx, *p))
            .collect();
            let expected: Vec<Option<String>> = ["1", "2", "3", "4", "5"]
                .iter()
                .map(|d| Some((*d).to_string()))
                .collect();
            if digits == expected {
                out.push(("1-5".into(), "phase"));
            } else if let Some(keys) = state.keys.hint(ctx, *c) {
                out.push((keys, "phase 1"));
            }
            continue;
        }
        if let Some(keys) = state.keys.hint(ctx, *c) {
            let doc = if *c == Command::Leave && ctx != Context::Edit && state.overlay.is_none() {
                "back"
            } else {
                c.short()
            };
            out.push((keys, doc));
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
            out.push((crate::app::model::state::yes_keys(state), "record"));
        }
        out.push(("Esc".into(), "cancel"));
    }
    if matches!(&state.overlay, Some(Overlay::Build(o)) if o.is_typing()) {
        out.push(("Enter".into(), "confirm"));
        out.push(("Esc".into(), "cancel"));
    }
    if matches!(&state.overlay, Some(Overlay::Catalog(o)) if o.is_typing()) {
        out.push(("type".into(), "filter"));
        out.push(("Enter".into(), "details"));
        out.push(("Esc".into(), "close"));
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

/// Drop ranks of the git status: in full, then in short (`status_line`).
const GIT_FULL: u8 = 3;
const GIT_SHORT: u8 = 4;

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
                super::live::status_flags(state, theme)
                    .into_iter()
                    .map(|span| Piece { span, drop: None }),
            );
        }
        _ => {
            let n = state.workspace.as_ref().map_or(0, |w| w.rows.len());
            let plural = if n == 1 { "" } else { "s" };
            // With a filter, the count says how many of them the list shows.
            let text = match &state.workspace {
                Some(w) if !w.filter.is_empty() => {
                    format!(" {} of {n} engagement{plural} ", w.visible().len())
                }
                _ => format!(" {n} engagement{plural} "),
            };
            left.push(piece(text, bar, Some(0)));
            let waiting = state
                .workspace
                .as_ref()
                .map_or(0, |w| w.waiting_visible().len());
            if waiting > 0 {
                left.push(piece(
                    format!("│ {waiting} waiting for you "),
                    bar.add_modifier(Modifier::BOLD),
                    Some(1),
                ));
            }
        }
    }
    let cursor = cursor.map(|c| Span::styled(c, bar));
    let identity = format!(" as {} ", state.identity);
    let fixed = |left: &[Piece]| {
        left.iter().map(|p| p.span.width()).sum::<usize>() + cursor.as_ref().map_or(0, Span::width)
    };
    // Where git stands: in full while the line has room (it goes after the phase, slug and
    // artifact, which are on screen elsewhere), then in short, which goes last; `status` says
    // it in full.
    let git = state
        .engagement
        .as_ref()
        .filter(|_| state.screen == Screen::Engagement)
        .and_then(|e| e.git.as_ref());
    if let Some(g) = git {
        left.push(piece(format!("│ {} ", g.summary), bar, Some(GIT_FULL)));
    }
    while fixed(&left) + identity.width() > width {
        let lowest = left
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.drop.map(|rank| (rank, i)))
            .min();
        match (lowest, git) {
            (Some((GIT_FULL, i)), Some(g)) => {
                left[i] = piece(format!("│ {} ", g.short), bar, Some(GIT_SHORT));
            }
            (Some((_, i)), _) => {
                left.remove(i);
            }
            (None, _) => break,
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
            toast_text(state, &t.text, width),
            slot(
                theme,
                if t.kind == Severity::Error {
                    Slot::UiBannerError
                } else {
                    Slot::UiToast
                },
            ),
        ),
        None => {
            // Whole hints only, in order, as many as the width takes; help always among them.
            let all = hints(state);
            let len = |(k, d): &(String, &str)| k.chars().count() + d.chars().count() + 3;
            let help = all.iter().find(|(_, d)| *d == "help").cloned();
            let mut room = width.saturating_sub(help.as_ref().map_or(0, len));
            let mut shown: Vec<(String, &str)> = Vec::new();
            for h in all {
                if h.1 == "help" {
                    continue;
                }
                let l = len(&h);
                if l > room {
                    break;
                }
                room -= l;
                shown.push(h);
            }
            // Help last, so it is there at any width.
            if let Some(help) = help {
                shown.push(help);
            }
            let mut spans: Vec<Span> = Vec::new();
            for (keys, doc) in shown {
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
