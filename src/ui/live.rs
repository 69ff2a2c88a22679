//! The conflict view (your unsaved buffer beside the changed file on disk, with the choices), the
//! shared side-by-side drawing it and the recovery list use, and the status-bar flags of the live
//! engagement directory (conflict, recovery files, polling).

use super::frame::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::Hints;
use super::{Slot, Theme, pane_block, slot, truncate};
use crate::app::model::live::{Live, LiveView, Stage};
use crate::app::{Command, Context, State};
use crate::domain::sidebyside::{Cell, RowKind, SideBySide};

/// The status bar's hints in the conflict view.
pub const CONFLICT_HINTS: Hints = Hints::commands(&[
    Command::KeepMine,
    Command::TakeDisk,
    Command::MergeEdit,
    Command::MarkResolved,
    Command::Leave,
]);

/// The keys bound to `c` in dialogs, as the help shows them.
pub fn key(state: &State, c: Command) -> String {
    state
        .keys
        .hint(Context::Overlay, c)
        .unwrap_or_else(|| c.name().to_string())
}

/// `(key, what it does)` pairs as one line of hints.
pub fn choices<'a>(state: &State, theme: &Theme, items: &[(Command, &'a str)]) -> Line<'a> {
    let mut spans = Vec::new();
    for (c, doc) in items {
        spans.push(Span::styled(
            format!(" {} ", key(state, *c)),
            slot(theme, Slot::UiKey),
        ));
        spans.push(Span::styled(format!("{doc}  "), slot(theme, Slot::UiText)));
    }
    Line::from(spans)
}

/// Draws `rows` from `scroll` down, left and right halves with a divider, under two titles. Both
/// sides' text is scrolled `hscroll` columns to the left (the line numbers stay), with `‹`/`›`
/// where text continues, as in the diff pane.
#[allow(clippy::too_many_arguments)]
pub fn render_side_by_side(
    rows: &SideBySide,
    (scroll, hscroll): (usize, usize),
    titles: (&str, &str),
    ascii: bool,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    if area.width < 5 || area.height == 0 {
        return;
    }
    let half = usize::from(area.width.saturating_sub(1)) / 2;
    let right_w = usize::from(area.width).saturating_sub(half + 1);
    let max_line = rows
        .rows
        .iter()
        .flat_map(|r| [r.left.as_ref(), r.right.as_ref()])
        .flatten()
        .map(|c| c.line + 1)
        .max()
        .unwrap_or(1);
    let number_w = max_line.to_string().len();
    let text = slot(theme, Slot::UiText);
    let dim = slot(theme, Slot::UiTextDim);
    let title = slot(theme, Slot::UiTitle);
    let shifted = if hscroll > 0 {
        format!(" +{hscroll}→")
    } else {
        String::new()
    };
    let right_title = format!("{}{shifted}", titles.1);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!("{:<half$}", truncate(titles.0, half)), title),
            Span::styled("│", dim),
            Span::styled(truncate(&right_title, right_w), title),
        ])),
        Rect { height: 1, ..area },
    );
    let body = usize::from(area.height.saturating_sub(1));
    let body_area = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    frame.paint(body_area, |buf| {
        let right_x = area.x + u16::try_from(half + 1).unwrap_or(u16::MAX);
        let divider_x = area.x + u16::try_from(half).unwrap_or(u16::MAX);
        for (i, row) in rows.rows.iter().skip(scroll).take(body).enumerate() {
            let y = area.y + 1 + u16::try_from(i).unwrap_or(u16::MAX);
            let (lb, lw, rb, rw) = match row.kind {
                RowKind::Equal => (text, text, text, text),
                RowKind::Changed | RowKind::Deleted | RowKind::Inserted => (
                    slot(theme, Slot::DiffRemoved),
                    slot(theme, Slot::DiffRemovedWord),
                    slot(theme, Slot::DiffAdded),
                    slot(theme, Slot::DiffAddedWord),
                ),
            };
            let sides = [
                (row.left.as_ref(), area.x, half, lb, lw),
                (row.right.as_ref(), right_x, right_w, rb, rw),
            ];
            for (cell, x, width, base, word) in sides {
                side(
                    buf,
                    (x, y),
                    width,
                    number_w,
                    cell,
                    (base, word),
                    hscroll,
                    ascii,
                );
            }
            buf.set_stringn(divider_x, y, "│", 1, dim);
        }
        if rows.rows.is_empty() && body > 0 {
            buf.set_stringn(
                area.x,
                area.y + 1,
                "(both sides are empty)",
                usize::from(area.width),
                dim,
            );
        }
    });
}

/// One side of a row in `width` cells at `at`: the line number, then the text from column
/// `hscroll` with changed words emphasized.
#[allow(clippy::too_many_arguments)]
fn side(
    buf: &mut ratatui::buffer::Buffer,
    (x, y): (u16, u16),
    width: usize,
    number_w: usize,
    cell: Option<&Cell>,
    (base, word): (Style, Style),
    hscroll: usize,
    ascii: bool,
) {
    buf.set_stringn(x, y, " ".repeat(width), width, base);
    let Some(cell) = cell else {
        return;
    };
    let number = format!("{:>w$} ", cell.line + 1, w = number_w);
    let number_cells = number.chars().count().min(width);
    buf.set_stringn(x, y, &number, width, base.add_modifier(Modifier::DIM));
    let text_x = x + u16::try_from(number_cells).unwrap_or(u16::MAX);
    super::diff::put_segments(
        buf,
        text_x,
        y,
        width - number_cells,
        &cell.segments,
        hscroll,
        (base, word),
        base.add_modifier(Modifier::BOLD),
        ascii,
    );
}

/// Which hunk the scroll position is at, as "hunk i/n" (or "no differences").
pub fn hunk_label(rows: &SideBySide, scroll: usize) -> String {
    if rows.hunks.is_empty() {
        return "no differences".into();
    }
    let at = rows
        .hunks
        .iter()
        .rposition(|h| h.start <= scroll + 3)
        .map_or(1, |i| i + 1);
    format!("hunk {at}/{}", rows.hunks.len())
}

/// The live views over the engagement's panes.
pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(live) = Live::current(state) else {
        return;
    };
    match &live.view {
        Some(LiveView::Conflict { rows, scroll }) => {
            render_conflict(state, live, rows, *scroll, theme, frame, area)
        }
        Some(LiveView::Recovery { .. }) => super::recovery::render(state, live, theme, frame, area),
        None => {}
    }
}

fn render_conflict(
    state: &State,
    live: &Live,
    rows: &SideBySide,
    scroll: usize,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    frame.render_widget(Clear, area);
    let Some(conflict) = &live.conflict else {
        return;
    };
    let file = conflict.artifact.file_name();
    let deleted = conflict.disk.is_none();
    let title = Line::from(vec![Span::styled(
        format!(
            " CONFLICT: {file} {} on disk while you were editing — {} ",
            if deleted { "was deleted" } else { "changed" },
            hunk_label(rows, scroll)
        ),
        slot(theme, Slot::UiBannerError).add_modifier(Modifier::BOLD),
    )]);
    let block = pane_block(theme, title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width < 4 || inner.height < 3 {
        return;
    }
    let stage = match conflict.stage {
        Stage::Open => "Nothing is saved until you choose.",
        Stage::Merging => "Merging: edit your buffer, then mark it resolved.",
        Stage::Resolved => {
            "Resolved: saving replaces the disk version shown on the right (it is kept in recovery)."
        }
    };
    let footer_h: u16 = if inner.height >= 8 { 2 } else { 1 };
    let [note, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(footer_h),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate(
                &format!(
                    "{stage} Left: your unsaved buffer. Right: the file on disk now. ←/→ scroll sideways."
                ),
                usize::from(note.width),
            ),
            slot(theme, Slot::UiTextDim),
        )),
        note,
    );
    let right = if deleted {
        format!(" disk: {file} (deleted)")
    } else {
        format!(" disk: {file}")
    };
    render_side_by_side(
        rows,
        (scroll, live.hscroll),
        (" mine (unsaved buffer)", &right),
        state.ascii,
        theme,
        frame,
        body,
    );
    let mut lines = vec![choices(
        state,
        theme,
        &[
            (Command::KeepMine, "keep mine (save over the disk version)"),
            (Command::TakeDisk, "take disk (mine → .phasegate/recovery/)"),
            (Command::MergeEdit, "merge by editing"),
        ],
    )];
    let leave = state
        .keys
        .hint(Context::Overlay, Command::Leave)
        .unwrap_or_else(|| "Esc".into());
    let mut second = choices(
        state,
        theme,
        &[
            (Command::MarkResolved, "mark resolved"),
            (Command::NextHunk, "next hunk"),
            (Command::PrevHunk, "previous hunk"),
        ],
    );
    second
        .spans
        .push(Span::styled(format!(" {leave} "), slot(theme, Slot::UiKey)));
    second.spans.push(Span::styled(
        "close (decide later)",
        slot(theme, Slot::UiText),
    ));
    if footer_h == 2 {
        lines.push(second);
    }
    frame.render_widget(Paragraph::new(lines), footer);
}

/// The status bar's hints while a live view is open (the recovery list's are its own,
/// `recovery::RECOVERY_HINTS`).
pub fn hints(state: &State) -> Option<Hints> {
    if state.overlay.is_some() {
        return None;
    }
    match Live::current(state)?.view.as_ref()? {
        LiveView::Conflict { .. } => Some(CONFLICT_HINTS),
        LiveView::Recovery { .. } => Some(super::recovery::RECOVERY_HINTS),
    }
}

/// Flags for the status bar: an unresolved conflict, recovery files waiting, polling, a watch
/// problem.
pub fn status_flags<'a>(state: &State, theme: &Theme) -> Vec<Span<'a>> {
    let mut out = Vec::new();
    let Some(live) = Live::current(state) else {
        return out;
    };
    if let Some(c) = Live::conflict_of(state) {
        let what = match c.stage {
            Stage::Open => "CONFLICT",
            Stage::Merging => "MERGING",
            Stage::Resolved => "RESOLVED",
        };
        out.push(Span::styled(
            format!(
                " [!] {what} {} ({}) ",
                c.artifact.file_name(),
                state
                    .keys
                    .hint(Context::View, Command::ShowConflict)
                    .unwrap_or_else(|| "show_conflict".into())
            ),
            slot(theme, Slot::UiBannerError).add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
    }
    if !live.offered.is_empty() {
        let n = live.offered.len();
        let k = state
            .keys
            .hint(Context::View, Command::ShowRecovery)
            .unwrap_or_else(|| "show_recovery".into());
        out.push(Span::styled(
            format!(" [{k}] {n} recovery file{} ", if n == 1 { "" } else { "s" }),
            slot(theme, Slot::UiBannerWarning),
        ));
    }
    if !live.others.is_empty() {
        let mut who: Vec<String> = live.others.iter().map(|o| o.user_at_host()).collect();
        who.dedup();
        out.push(Span::styled(
            format!(" also open here: {} ", who.join(", ")),
            slot(theme, Slot::UiBannerWarning),
        ));
    }
    if !live.agents.is_empty() {
        let mut who: Vec<String> = live
            .agents
            .iter()
            .map(|a| crate::store::agents::agent_actor(&a.client))
            .collect();
        who.dedup();
        out.push(Span::styled(
            format!(
                " {} {} session active ",
                agent_mark(state.ascii).trim_end(),
                who.join(", ")
            ),
            slot(theme, Slot::UiBannerWarning).add_modifier(Modifier::BOLD),
        ));
    }
    if let Some(polling) = live.mode.as_ref().and_then(|m| m.status()) {
        out.push(Span::styled(
            format!(" {polling} "),
            slot(theme, Slot::UiBannerWarning),
        ));
    }
    if live.problem.is_some() {
        out.push(Span::styled(
            " [!] watch problem ",
            slot(theme, Slot::UiBannerError),
        ));
    }
    out
}

/// The mark of an agent's doing (the journal's events, the status bar's session), a word where
/// the terminal has no UTF-8: it does not rely on color alone.
pub fn agent_mark(ascii: bool) -> &'static str {
    if ascii { "[ai] " } else { "⚙ai " }
}
