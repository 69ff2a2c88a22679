//! The status bar: mode, engagement, phase, dirty/stale flags, the editor's `line:col` and the
//! acting identity; below it key hints generated from the active keymap (a remapped key shows
//! remapped); a toast replaces the hints while it lasts.

use super::frame::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::DataCursor;
use unicode_width::UnicodeWidthStr;

use super::{Hints, Slot, Theme, ViewState, mode_label, slot, truncate};
use crate::app::model::state::yes_keys;
use crate::app::{Command, Confirm, Context, Mode, Overlay, PromptKind, Screen, Severity, State};
use crate::domain::evaluate::GateState;
use crate::domain::phase::Phase;

/// The hints of what takes the keys now: a live view, an overlay, or the pane of the context.
/// Each declares its own beside the code that draws it.
fn pane_hints(state: &State) -> Hints {
    if let Some(hints) = super::live::hints(state) {
        return hints;
    }
    match (&state.overlay, state.context()) {
        (Some(Overlay::Help { .. }), _) => super::help::HINTS,
        (Some(Overlay::Messages { .. }), _) => super::messages::HINTS,
        (Some(Overlay::Lifecycle(o)), _) if o.is_typing() => super::lifecycle::FORM_HINTS,
        (Some(Overlay::Lifecycle(_)), _) => super::lifecycle::CONFIRM_HINTS,
        (Some(Overlay::Confirm(Confirm::QuitUnsaved)), _) => super::QUIT_CONFIRM_HINTS,
        (Some(Overlay::Confirm(_)), _) => super::CONFIRM_HINTS,
        (Some(Overlay::Prompt { kind, .. }), _) if *kind == PromptKind::Search => {
            super::SEARCH_PROMPT_HINTS
        }
        (Some(Overlay::Prompt { .. }), _) => super::PROMPT_HINTS,
        (Some(Overlay::Metrics(_)), _) => super::metrics::HINTS,
        (Some(Overlay::Build(o)), _) if o.is_typing() => super::build_dialogs::FORM_HINTS,
        (Some(Overlay::Build(_)), _) => super::build_dialogs::CONFIRM_HINTS,
        (Some(Overlay::Catalog(o)), _) if o.is_typing() => super::catalog::LIST_HINTS,
        (Some(Overlay::Catalog(_)), _) => super::catalog::DETAIL_HINTS,
        (None, Context::Workspace) if state.mode == Mode::Filter => super::workspace::FILTER_HINTS,
        (None, Context::Workspace) => super::workspace::HINTS,
        (None, Context::Edit) => super::editor::EDIT_HINTS,
        (None, Context::Build) => super::build_board::HINTS,
        (None, Context::Diff) => super::diff::HINTS,
        (None, Context::Gate) => super::gate::HINTS,
        _ => super::editor::VIEW_HINTS,
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
    let pane = pane_hints(state);
    for c in pane.commands {
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
    if let Some(label) = pane.yes {
        out.push((yes_keys(state), label));
    }
    out.extend(
        pane.keys
            .iter()
            .map(|(k, label)| ((*k).to_string(), *label)),
    );
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

pub fn render(state: &State, view: &mut ViewState, theme: &Theme, frame: &mut Frame, area: Rect) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let status_line = status_line(state, theme, width);
    let toast = state.toast.as_ref().map(|t| {
        Line::styled(
            toast_text(state, &t.text, width),
            slot(
                theme,
                if t.kind == Severity::Error {
                    Slot::UiBannerError
                } else {
                    Slot::UiToast
                },
            ),
        )
    });
    if area.height < 2 {
        frame.render_keyed(Paragraph::new(toast.unwrap_or(status_line)), area);
        return;
    }
    // Row by row: typing changes the status line, not the hints under it.
    let row = |y: u16| Rect {
        y: area.y + y,
        height: 1,
        ..area
    };
    frame.render_keyed(Paragraph::new(status_line), row(0));
    if let Some(toast) = toast {
        frame.render_keyed(Paragraph::new(toast), row(1));
        return;
    }
    let inputs = HintsInputs {
        pending: state.pending_key,
        context: state.context(),
        phase: state
            .engagement
            .as_ref()
            .filter(|_| state.screen == Screen::Engagement)
            .map(|e| e.disk.phase),
        pane: pane_hints(state),
        overlay: state.overlay.is_some(),
        keys: state.keys.id(),
        width: area.width,
        theme: theme.fingerprint(),
    };
    let (key, line) = view
        .hints
        .lines(inputs, || vec![hints_line(state, theme, width)]);
    frame.render_lazy(key, row(1), || Paragraph::new(line.to_vec()));
}

/// Everything the hints row is made from ([`hints`]): while they stay the same, the row is
/// neither made nor hashed again (typing changes the status line, not the hints).
#[derive(Debug, Clone, PartialEq)]
pub struct HintsInputs {
    pending: Option<crate::config::keymap::KeyBinding>,
    context: Context,
    phase: Option<Phase>,
    pane: Hints,
    overlay: bool,
    keys: u64,
    width: u16,
    theme: u64,
}

/// The hints row: whole hints only, in order, as many as the width takes; help always among
/// them.
fn hints_line(state: &State, theme: &Theme, width: usize) -> Line<'static> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Keys;

    /// Every hint declaration [`pane_hints`] picks from, with the context its pane takes keys
    /// in (overlays and live views: `overlay`).
    fn every_pane() -> Vec<(&'static str, Context, Hints)> {
        use super::super::*;
        vec![
            ("help", Context::Overlay, help::HINTS),
            ("messages", Context::Overlay, messages::HINTS),
            ("metrics", Context::Overlay, metrics::HINTS),
            ("lifecycle form", Context::Overlay, lifecycle::FORM_HINTS),
            (
                "lifecycle confirm",
                Context::Overlay,
                lifecycle::CONFIRM_HINTS,
            ),
            ("gate confirm", Context::Overlay, CONFIRM_HINTS),
            ("quit confirm", Context::Overlay, QUIT_CONFIRM_HINTS),
            ("search prompt", Context::Overlay, SEARCH_PROMPT_HINTS),
            ("prompt", Context::Overlay, PROMPT_HINTS),
            ("build form", Context::Overlay, build_dialogs::FORM_HINTS),
            (
                "build confirm",
                Context::Overlay,
                build_dialogs::CONFIRM_HINTS,
            ),
            ("catalog list", Context::Overlay, catalog::LIST_HINTS),
            ("catalog detail", Context::Overlay, catalog::DETAIL_HINTS),
            ("conflict view", Context::Overlay, live::CONFLICT_HINTS),
            ("recovery list", Context::Overlay, recovery::RECOVERY_HINTS),
            ("workspace", Context::Workspace, workspace::HINTS),
            (
                "workspace filter",
                Context::Workspace,
                workspace::FILTER_HINTS,
            ),
            ("editor (edit)", Context::Edit, editor::EDIT_HINTS),
            ("editor (view)", Context::View, editor::VIEW_HINTS),
            ("gate", Context::Gate, gate::HINTS),
            ("build board", Context::Build, build_board::HINTS),
            ("diff", Context::Diff, diff::HINTS),
        ]
    }

    #[test]
    fn every_hinted_command_is_bound_where_its_pane_takes_the_keys() {
        let keys = Keys::default();
        let mut unbound = Vec::new();
        for (pane, context, hints) in every_pane() {
            for c in hints.commands {
                if !c.applies_in(context) {
                    unbound.push(format!("{pane}: {c} does nothing in [{context}]"));
                } else if keys.hint(context, *c).is_none() {
                    unbound.push(format!(
                        "{pane}: {c} has no key in [{context}] in the default keymap"
                    ));
                }
            }
        }
        assert!(
            unbound.is_empty(),
            "hints naming no key:\n{}",
            unbound.join("\n")
        );
    }

    #[test]
    fn a_journal_writing_confirmation_hints_a_yes_key_other_than_enter() {
        let state = State::new("o", Keys::default(), (80, 24));
        let yes = yes_keys(&state);
        assert!(
            !yes.is_empty() && !yes.split('/').any(|k| k == "Enter"),
            "{yes}"
        );
    }
}
