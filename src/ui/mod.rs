//! `view(&State, &Theme, &mut Frame)`: draws the model, never changes it. One file per pane.
//! Every size from 1×1 up renders: areas are clamped, arithmetic saturates, and panes too small
//! to say anything useful are skipped.

pub mod build_board;
pub mod build_dialogs;
pub mod catalog;
pub mod diff;
pub mod editor;
pub mod frame;
pub mod gate;
pub mod help;
pub mod highlight;
pub mod journal;
pub mod lifecycle;
pub mod live;
pub mod messages;
pub mod metrics;
pub mod pipeline;
pub mod reconciliation;
pub mod recovery;
pub mod softwrap;
pub mod statusbar;
pub mod view_state;
pub mod workspace;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::{Confirm, Mode, Overlay, Pane, Screen, State, layout, short_hash};
pub use crate::config::theme::{Slot, Theme};
use crate::domain::evaluate::GateState;
use crate::domain::journal::{CriterionResult, GateId};
pub use frame::{Frame, Retained};
pub use view_state::{ViewState, ViewTop};

/// A theme slot's style.
pub fn slot(theme: &Theme, slot: Slot) -> Style {
    theme.style(slot)
}

/// Gate state glyphs: told apart by shape, not only color; ASCII when the locale lacks UTF-8.
pub fn gate_glyph(state: GateState, ascii: bool) -> &'static str {
    match (state, ascii) {
        (GateState::Approved, false) => "✔",
        (GateState::Pending, false) => "○",
        (GateState::Rejected, false) => "✘",
        (GateState::Stale, false) => "⚠",
        (GateState::Approved, true) => "[+]",
        (GateState::Pending, true) => "[ ]",
        (GateState::Rejected, true) => "[x]",
        (GateState::Stale, true) => "[!]",
    }
}

pub fn gate_slot(state: GateState) -> Slot {
    match state {
        GateState::Approved => Slot::GateApproved,
        GateState::Pending => Slot::GatePending,
        GateState::Rejected => Slot::GateRejected,
        GateState::Stale => Slot::GateStale,
    }
}

pub fn criterion_glyph(result: CriterionResult, ascii: bool) -> &'static str {
    match (result, ascii) {
        (CriterionResult::Pass, false) => "✔",
        (CriterionResult::Fail, false) => "✘",
        (CriterionResult::Checked, false) => "☑",
        (CriterionResult::Waived, false) => "≈",
        (CriterionResult::Unchecked, false) => "☐",
        (CriterionResult::Pass, true) => "[+]",
        (CriterionResult::Fail, true) => "[x]",
        (CriterionResult::Checked, true) => "[v]",
        (CriterionResult::Waived, true) => "[~]",
        (CriterionResult::Unchecked, true) => "[ ]",
    }
}

pub fn criterion_slot(result: CriterionResult) -> Slot {
    match result {
        CriterionResult::Pass => Slot::CriterionPass,
        CriterionResult::Fail => Slot::CriterionFail,
        CriterionResult::Checked => Slot::CriterionChecked,
        CriterionResult::Waived => Slot::CriterionWaived,
        CriterionResult::Unchecked => Slot::CriterionUnchecked,
    }
}

/// A bordered block titled `title`, focused or not.
pub fn pane_block<'a>(theme: &Theme, title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
    let border = if focused {
        slot(theme, Slot::UiBorderFocus)
    } else {
        slot(theme, Slot::UiBorder)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title)
}

pub use crate::app::layout::centered;

/// Draws a dialog box of `width` columns, centred in `area`, tall enough for `rows` wrapped rows
/// of `lines` (the caller counts them as its text wraps), over whatever is beneath.
pub fn dialog(
    frame: &mut Frame,
    area: Rect,
    (width, rows): (u16, usize),
    theme: &Theme,
    title: impl Into<std::borrow::Cow<'static, str>>,
    lines: Vec<Line<'static>>,
) {
    let h = u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(2);
    let rect = centered(area, width, h);
    frame.render_widget(Clear, rect);
    if rect.width < 3 || rect.height < 3 {
        return;
    }
    let block = pane_block(theme, Span::styled(title, slot(theme, Slot::UiTitle)), true);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// `s` cut to `width` characters with an ellipsis.
pub fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `s` cut to `width` characters at a word boundary, with an ellipsis: a header or a message
/// never ends mid-word. A single word longer than most of the width is cut inside it.
pub fn truncate_words(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let cut: String = s.chars().take(width.saturating_sub(1)).collect();
    // Break after the last space if it keeps at least half the room; the next character being
    // a space means the cut already fell between words.
    let next_is_space = s.chars().nth(cut.chars().count()) == Some(' ');
    let kept = if next_is_space {
        cut.as_str()
    } else {
        match cut.rfind(' ') {
            Some(i) if cut[..i].chars().count() >= width / 2 => &cut[..i],
            _ => cut.as_str(),
        }
    };
    let kept = kept.trim_end_matches([' ', ',', ';', ':', '—', '-', '(']);
    format!("{kept}…")
}

/// Draws the model into a ratatui frame, every step (tests, benches, exports).
pub fn view(state: &State, view: &mut ViewState, theme: &Theme, frame: &mut ratatui::Frame) {
    let mut f = Frame::immediate(frame.buffer_mut());
    draw(state, view, theme, &mut f);
    if let Some(at) = f.cursor() {
        frame.set_cursor_position(at);
    }
}

/// Draws the model, in steps a [`Retained`] screen can skip when they did not change.
pub fn draw(state: &State, view: &mut ViewState, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    frame.set_ascii(state.ascii);
    frame.render_keyed(Block::default().style(slot(theme, Slot::Ui)), area);
    // The same geometry `update` pages by (`app::layout`).
    let banner = layout::banner_lines(state);
    let layout::ScreenAreas {
        banner: banner_area,
        main,
        status,
    } = layout::screen(area, banner.len());
    let banner_h = banner_area.height;
    if banner_h > 0 {
        let lines: Vec<Line> = banner
            .iter()
            .take(usize::from(banner_h))
            .map(|b| {
                Line::styled(
                    truncate(b, usize::from(area.width)),
                    slot(theme, Slot::UiBannerError),
                )
            })
            .collect();
        frame.render_keyed(Paragraph::new(lines), banner_area);
    }
    match state.screen {
        Screen::Workspace => workspace::render(state, theme, frame, main),
        Screen::Engagement => engagement(state, view, theme, frame, main),
    }
    // The conflict view and the recovery list cover the panes (`app::update::live`).
    live::render(state, theme, frame, main);
    statusbar::render(state, view, theme, frame, status);
    if let Some(overlay) = &state.overlay {
        render_overlay(state, theme, frame, area, overlay);
    }
}

/// The ASCII stand-in for a character a non-UTF-8 terminal cannot show.
pub fn ascii_of(c: char) -> char {
    match c {
        '─' | '━' | '═' | '—' | '–' | '‐' => '-',
        '│' | '┃' | '║' => '|',
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╯' | '╰' => {
            '+'
        }
        '…' => '~',
        '▶' | '›' | '→' | '▸' => '>',
        '←' => '<',
        '●' | '•' => '*',
        '·' => '.',
        '“' | '”' => '"',
        '‘' | '’' => '\'',
        c if c.is_ascii() => c,
        _ => '?',
    }
}

fn engagement(state: &State, view: &mut ViewState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(e) = &state.engagement else { return };
    let (pipe, body) = layout::engagement(area);
    if pipe.height > 0 {
        pipeline::render(state, e, view, theme, frame, pipe);
    }
    if build_board::takes_body(state, e) {
        build_board::main_pane(state, e, view, theme, frame, body);
        return;
    }
    // An event shown in full takes the body: its fields are long.
    let journal_detail = state.pane == Pane::Journal && e.journal_detail.is_some();
    if state.zoom || journal_detail || body.width < 60 || body.height < 4 {
        // One pane at a time, the focused one: zoomed, or on small terminals.
        match state.pane {
            Pane::Editor => build_board::main_pane(state, e, view, theme, frame, body),
            Pane::Gate => gate::render(state, e, view, theme, frame, body),
            Pane::Journal => journal::render(state, e, view, theme, frame, body),
        }
        return;
    }
    let side = if body.width >= 110 {
        body.width * 2 / 5
    } else {
        body.width * 9 / 20
    };
    let [left, right] = layout::split_columns(body, side);
    build_board::main_pane(state, e, view, theme, frame, left);
    // Borders, the criteria, the divider and a few rows of the selected criterion's detail.
    let gate_rows = u16::try_from(e.live.criteria_of(e.review.gate).count())
        .unwrap_or(u16::MAX)
        .saturating_add(8);
    // Reviewing, the gate pane takes all but a few rows of the journal.
    let cap = if state.pane == Pane::Gate {
        right.height.saturating_sub(5)
    } else {
        right.height.saturating_mul(2) / 3
    };
    let gate_h = gate_rows.min(cap).max(right.height.min(6));
    let [top, bottom] = layout::split_rows(right, gate_h);
    gate::render(state, e, view, theme, frame, top);
    if bottom.height >= 3 {
        journal::render(state, e, view, theme, frame, bottom);
    }
}

fn render_overlay(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, overlay: &Overlay) {
    match overlay {
        Overlay::Help { scroll } => help::render(state, theme, frame, area, *scroll),
        Overlay::Metrics(m) => metrics::render(state, theme, frame, area, m),
        Overlay::Prompt { kind, input } => {
            let rect = centered(area, area.width.saturating_sub(4).min(70), 3);
            if rect.width < 3 || rect.height < 3 {
                frame.render_widget(Clear, rect);
                frame.render_widget(Paragraph::new(input.as_str()), rect);
                return;
            }
            let title = match (kind, &state.engagement) {
                (crate::app::PromptKind::Search, Some(e)) if !input.is_empty() => {
                    let n = crate::app::search_matches(e.editor.lines(), input).len();
                    format!(
                        " {} — {n} match{} ",
                        kind.title(),
                        if n == 1 { "" } else { "es" }
                    )
                }
                _ => format!(" {} ", kind.title()),
            };
            let block = pane_block(theme, title, true);
            let inner = block.inner(rect);
            frame.render_widget(Clear, rect);
            frame.render_widget(block, rect);
            let cursor = if state.ascii { "_" } else { "▏" };
            let width = usize::from(inner.width.saturating_sub(1));
            let shown: String = {
                let n = input.chars().count();
                input.chars().skip(n.saturating_sub(width)).collect()
            };
            frame.render_widget(
                Paragraph::new(Line::from(vec![Span::raw(shown), Span::raw(cursor)])),
                inner,
            );
        }
        Overlay::Confirm(confirm) => render_confirm(state, theme, frame, area, confirm),
        Overlay::Build(o) => build_dialogs::render(state, theme, frame, area, o),
        Overlay::Lifecycle(o) => lifecycle::render(state, theme, frame, area, o),
        Overlay::Messages { scroll } => messages::render(state, theme, frame, area, *scroll),
        Overlay::Catalog(o) => catalog::render(state, theme, frame, area, o),
    }
}

/// What a pane or overlay hints at on the status bar, declared beside the code that draws it
/// (`HINTS` and the like in each pane's file; `statusbar` only picks the one taking the keys).
/// Commands show with their keys in the pane's context (the `commands!` list gives the label);
/// where keys are text, fixed keys (Enter, Esc…) follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hints {
    pub commands: &'static [crate::app::Command],
    /// A journal-writing confirmation: the keys that say yes (`confirm`'s keys without Enter),
    /// with this label.
    pub yes: Option<&'static str>,
    /// Keys that are not commands (text input takes the others).
    pub keys: &'static [(&'static str, &'static str)],
}

impl Hints {
    pub const fn commands(commands: &'static [crate::app::Command]) -> Hints {
        Hints {
            commands,
            yes: None,
            keys: &[],
        }
    }

    pub const fn keys(keys: &'static [(&'static str, &'static str)]) -> Hints {
        Hints {
            commands: &[],
            yes: None,
            keys,
        }
    }
}

/// The status bar's hints on a gate decision's confirmation.
pub const CONFIRM_HINTS: Hints = Hints::commands(&[
    crate::app::Command::Confirm,
    crate::app::Command::AddNote,
    crate::app::Command::Cancel,
]);

/// The status bar's hints when quitting would drop unsaved text.
pub const QUIT_CONFIRM_HINTS: Hints =
    Hints::commands(&[crate::app::Command::Confirm, crate::app::Command::Cancel]);

/// The status bar's hints while the search prompt takes text (y and n are text here, so the
/// hints name Enter and Esc).
pub const SEARCH_PROMPT_HINTS: Hints = Hints::keys(&[
    ("Enter", "find"),
    ("Up", "previous"),
    ("Ctrl-U", "clear"),
    ("Esc", "cancel"),
]);

/// The status bar's hints while any other prompt takes text.
pub const PROMPT_HINTS: Hints =
    Hints::keys(&[("Enter", "ok"), ("Ctrl-U", "clear"), ("Esc", "cancel")]);

/// The keys of a confirmation that writes the journal or destroys text: the explicit yes (`y`,
/// never Enter) and cancel.
pub fn confirm_keys<'a>(state: &State, theme: &Theme, what: &'a str) -> Line<'a> {
    let ctx = crate::app::Context::Overlay;
    let yes = state
        .keys
        .hint(ctx, crate::app::Command::Confirm)
        .unwrap_or_else(|| "confirm".into());
    let no = state
        .keys
        .hint(ctx, crate::app::Command::Cancel)
        .unwrap_or_else(|| "Esc".into());
    Line::from(vec![
        Span::styled(yes, slot(theme, Slot::UiKey)),
        Span::raw(format!(" {what}   ")),
        Span::styled(no, slot(theme, Slot::UiKey)),
        Span::raw(" cancel"),
        Span::styled("   (Enter does not confirm)", slot(theme, Slot::UiTextDim)),
    ])
}

fn render_confirm(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, confirm: &Confirm) {
    let dim = slot(theme, Slot::UiTextDim);
    let mut lines: Vec<Line> = Vec::new();
    let title = match confirm {
        Confirm::QuitUnsaved => {
            let file = state
                .engagement
                .as_ref()
                .and_then(|e| e.shown_artifact())
                .map_or("the buffer", |a| a.file_name());
            lines.push(Line::raw(format!("{file} has unsaved changes.")));
            lines.push(Line::raw("Quit and discard them?"));
            " Quit ".to_string()
        }
        Confirm::QuitUnsentReview => {
            if let Some(e) = &state.engagement {
                lines.push(Line::raw(format!(
                    "Your review of Gate {} is not sent: {} ticked, {} waived.",
                    e.review.gate.number(),
                    e.review.checks.len(),
                    e.review.waivers.len()
                )));
            }
            lines.push(Line::raw(format!(
                "It is kept as your draft ({}) and comes back when you reopen.",
                crate::store::review::REVIEWS_DIR
            )));
            lines.push(Line::raw("Quit without deciding?"));
            " Quit ".to_string()
        }
        Confirm::Approve(d) | Confirm::Reject(d) => {
            let approve = matches!(confirm, Confirm::Approve(_));
            let verb = if approve { "Approve" } else { "Reject" };
            lines.push(Line::from(vec![
                Span::styled(if approve { "approver: " } else { "reviewer: " }, dim),
                Span::raw(d.approver.clone()),
            ]));
            let signed = state.engagement.as_ref().is_some_and(|e| {
                e.engagement.meta.policy.signatures != crate::domain::meta::SignaturePolicy::Off
            });
            match (&state.signer, signed) {
                (_, false) => {}
                (Some(Ok(s)), true) => lines.push(Line::from(vec![
                    Span::styled("signs as: ", dim),
                    Span::raw(format!("{} {}", s.principal, s.fingerprint)),
                ])),
                (Some(Err(why)), true) => lines.push(Line::from(vec![
                    Span::styled("signs as: ", dim),
                    Span::styled(format!("no key — {why}"), slot(theme, Slot::GateRejected)),
                ])),
                (None, true) => lines.push(Line::styled(
                    "signs as: no signing set-up in this session",
                    slot(theme, Slot::GateRejected),
                )),
            }
            if let Some(reason) = &d.reason {
                lines.push(Line::from(vec![
                    Span::styled("reason:   ", dim),
                    Span::raw(reason.clone()),
                ]));
            }
            if !d.review.note.is_empty() {
                lines.push(Line::from(vec![
                    Span::styled("note:     ", dim),
                    Span::raw(d.review.note.clone()),
                ]));
            }
            lines.push(Line::styled("artifacts (sha256):", dim));
            for r in &d.reviewed {
                lines.push(Line::raw(format!(
                    "  {:<20} {}",
                    r.file,
                    short_hash(&r.sha256)
                )));
            }
            lines.push(Line::styled("criteria:", dim));
            for (id, result) in &d.results {
                let mut spans = vec![
                    Span::raw("  "),
                    Span::styled(
                        criterion_glyph(*result, state.ascii),
                        slot(theme, criterion_slot(*result)),
                    ),
                    Span::raw(format!(" {id:<6} {}", result.as_str())),
                ];
                if let Some((_, reason)) = d.review.waivers.iter().find(|(w, _)| w == id) {
                    spans.push(Span::styled(format!(" — {reason}"), dim));
                }
                lines.push(Line::from(spans));
            }
            format!(" {verb} Gate {}? ", d.gate.number())
        }
    };
    lines.push(Line::raw(""));
    let what = match confirm {
        Confirm::QuitUnsaved => "discard and quit",
        Confirm::QuitUnsentReview => "quit",
        Confirm::Approve(_) => "approve",
        Confirm::Reject(_) => "reject",
    };
    let mut keys_line = confirm_keys(state, theme, what);
    if matches!(confirm, Confirm::Approve(_) | Confirm::Reject(_))
        && let Some(note) = state
            .keys
            .hint(crate::app::Context::Overlay, crate::app::Command::AddNote)
    {
        keys_line
            .spans
            .insert(2, Span::styled(note, slot(theme, Slot::UiKey)));
        keys_line.spans.insert(3, Span::raw(" note   "));
    }
    lines.push(keys_line);
    let h = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let rect = centered(area, area.width.saturating_sub(4).min(72), h);
    frame.render_widget(Clear, rect);
    if rect.width < 3 || rect.height < 3 {
        return;
    }
    let block = pane_block(theme, title, true);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// The last rejection of a gate: who, when, why.
pub struct Rejection {
    pub seq: u64,
    pub actor: String,
    pub at: String,
    pub reason: String,
}

/// The journal's last rejection of `gate`, if its last decision was one.
pub fn rejection_of(e: &crate::domain::engagement::Engagement, gate: GateId) -> Option<Rejection> {
    use crate::domain::journal::EventBody;
    let last = e.journal.events.iter().rev().find(|ev| match &ev.body {
        EventBody::GateApproved(g) | EventBody::GateRejected(g) => g.gate == gate,
        EventBody::GateReopened { gate: g, .. } => *g == gate,
        _ => false,
    })?;
    match &last.body {
        EventBody::GateRejected(g) => Some(Rejection {
            seq: last.seq,
            actor: last.actor.clone(),
            at: last.at.to_string(),
            reason: g.reason.clone().unwrap_or_default(),
        }),
        _ => None,
    }
}

/// The label of the mode for the status bar.
pub fn mode_label(state: &State) -> &'static str {
    if state.overlay.is_some() {
        return "DIALOG";
    }
    match state.mode {
        Mode::View | Mode::Edit | Mode::Filter => state.mode.label(),
    }
}

#[cfg(test)]
mod tests {
    use super::truncate_words;

    #[test]
    fn truncate_words_cuts_between_words() {
        let s = "vlan-qos — Extend VLAN provisioning with QoS tagging";
        assert_eq!(truncate_words(s, 80), s);
        assert_eq!(
            truncate_words(s, 40),
            "vlan-qos — Extend VLAN provisioning…"
        );
        assert_eq!(truncate_words(s, 28), "vlan-qos — Extend VLAN…");
        // A cut that falls just before a space keeps the whole word.
        assert_eq!(truncate_words("alpha beta gamma", 11), "alpha beta…");
        // One long word is cut inside it rather than leave the room empty.
        assert_eq!(truncate_words("supercalifragilistic", 8), "superca…");
        assert_eq!(truncate_words("abc", 0), "");
        assert_eq!(truncate_words("abc", 1), "…");
    }
}
