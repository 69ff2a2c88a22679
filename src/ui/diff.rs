//! The side-by-side diff pane: the approved design (left, from the Gate 2 snapshot) against
//! the as-built (right), both governed text, rows aligned by `domain::sidebyside` (the rows
//! `phasegate diff` prints), word-level emphasis from the theme's `diff.*.word` slots,
//! unchanged runs folded, a header per hunk naming the components it touches and the
//! deviation that explains it — or a loud UNEXPLAINED. Below ~95 columns the two sides stack
//! (a changed row becomes a `-` line over a `+` line). Long lines never wrap: both sides
//! scroll sideways together, with `‹`/`›` where text continues. Only the visible entries are
//! drawn, straight into the buffer.

use super::frame::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthChar;

use super::Hints;
use super::{Slot, Theme, pane_block, reconciliation, slot, truncate};
use crate::app::Command;
use crate::app::model::diff::{DiffModel, DiffView, Entry};
use crate::app::{EngagementState, Pane, State};
use crate::domain::progress::summary;
use crate::domain::reconcile::Hunk;
use crate::domain::sidebyside::{Cell, RowKind, Segment};

/// The status bar's hints in the diff pane.
pub const HINTS: Hints = Hints::commands(&[
    Command::NextHunk,
    Command::PrevHunk,
    Command::RecordDeviation,
    Command::AmendSpec,
    Command::ToggleFolds,
    Command::CloseEngagement,
    Command::Help,
    Command::Leave,
    Command::Messages,
]);

/// The styles a row's text is drawn with.
#[derive(Clone, Copy)]
struct Styles {
    text: Style,
    removed: Style,
    removed_word: Style,
    added: Style,
    added_word: Style,
    dim: Style,
    border: Style,
}

impl Styles {
    fn of(theme: &Theme) -> Styles {
        Styles {
            text: slot(theme, Slot::UiText),
            removed: slot(theme, Slot::DiffRemoved),
            removed_word: slot(theme, Slot::DiffRemovedWord),
            added: slot(theme, Slot::DiffAdded),
            added_word: slot(theme, Slot::DiffAddedWord),
            dim: slot(theme, Slot::UiTextDim),
            border: slot(theme, Slot::UiBorder),
        }
    }
}

/// A character as the pane draws it: controls never reach the terminal.
fn shown(c: char) -> (char, usize) {
    match c {
        '\t' => (' ', 1),
        c if crate::domain::controls::is_terminal_control(c) => ('?', 1),
        c => (c, c.width().unwrap_or(1)),
    }
}

/// Writes `segments` from display column `skip` on, into `width` cells at (`x`, `y`); marks
/// `‹` when text was scrolled off the left and `›` when it continues past the right.
#[allow(clippy::too_many_arguments)]
pub(super) fn put_segments(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    width: usize,
    segments: &[Segment],
    skip: usize,
    (plain, emphasized): (Style, Style),
    marks: Style,
    ascii: bool,
) {
    if width == 0 {
        return;
    }
    let mut col = 0usize; // display column in the line
    let mut used = 0usize; // cells written
    let mut run = String::new();
    let mut run_style = plain;
    let mut run_x = x;
    let mut overflow = false;
    let mut skipped_text = false;
    let flush = |buf: &mut Buffer, run: &mut String, at: u16, style: Style| {
        if !run.is_empty() {
            buf.set_stringn(at, y, run.as_str(), usize::MAX, style);
            run.clear();
        }
    };
    'outer: for seg in segments {
        let style = if seg.emphasized { emphasized } else { plain };
        for c in seg.text.chars() {
            let (c, w) = shown(c);
            if col < skip {
                col += w;
                skipped_text = true;
                if col > skip {
                    // A wide character cut by the left edge shows as blanks.
                    let pad = col - skip;
                    flush(buf, &mut run, run_x, run_style);
                    run_x = x + u16::try_from(used).unwrap_or(0);
                    run_style = style;
                    run.push_str(&" ".repeat(pad));
                    used += pad;
                }
                continue;
            }
            if used + w > width {
                overflow = true;
                break 'outer;
            }
            if style != run_style && !run.is_empty() {
                flush(buf, &mut run, run_x, run_style);
            }
            if run.is_empty() {
                run_x = x + u16::try_from(used).unwrap_or(0);
                run_style = style;
            }
            run.push(c);
            used += w;
            col += w;
        }
    }
    flush(buf, &mut run, run_x, run_style);
    let area = buf.area;
    let right = x + u16::try_from(width - 1).unwrap_or(0);
    if overflow && right < area.right() && y < area.bottom() {
        buf[(right, y)]
            .set_symbol(if ascii { ">" } else { "›" })
            .set_style(marks);
    }
    if skipped_text && skip > 0 && x < area.right() && y < area.bottom() {
        buf[(x, y)]
            .set_symbol(if ascii { "<" } else { "‹" })
            .set_style(marks);
    }
}

fn put(buf: &mut Buffer, x: u16, y: u16, width: usize, text: &str, style: Style) {
    if width > 0 {
        buf.set_stringn(x, y, text, width, style);
    }
}

/// The hunk's header: where it is, what it touches, and what explains it.
fn header_line<'a>(
    model: &DiffModel,
    e: &EngagementState,
    h: usize,
    current: bool,
    theme: &Theme,
    width: usize,
    ascii: bool,
) -> Line<'a> {
    let Some(hunk) = model.hunks.get(h) else {
        return Line::raw("");
    };
    if let Some(b) = &model.baseline {
        return baseline_header(model, b, h, theme, width);
    }
    let design_line = model
        .design_numbers
        .get(hunk.design_lines.start)
        .copied()
        .unwrap_or(0);
    let as_built_line = model
        .as_built_numbers
        .get(hunk.as_built_lines.start)
        .copied()
        .unwrap_or(0);
    let mut touched: Vec<String> = hunk.components.iter().map(ToString::to_string).collect();
    if hunk.outside {
        touched.push("outside components".into());
    }
    // The current hunk's header is marked (a shape, not only a color); the others never change
    // as the reader scrolls, so the terminal can scroll them (see `tui::backend`).
    let marker = match (current, ascii) {
        (true, false) => "▶ ",
        (true, true) => "> ",
        (false, _) => "",
    };
    let head = format!(
        "{marker}hunk {}/{} · design {design_line} → as-built {as_built_line} · {} · ",
        h + 1,
        model.hunks.len(),
        touched.join(", ")
    );
    let (verdict, style) = verdict(hunk, e, theme, ascii);
    let style = if current {
        style.add_modifier(Modifier::BOLD)
    } else {
        style
    };
    let text = truncate(&format!("{head}{verdict}"), width);
    let fill = width.saturating_sub(text.chars().count());
    // An unexplained header is a reversed bar across the pane; an explained one ends with its
    // text (blank cells cost nothing to scroll in).
    let mut spans = vec![Span::styled(text, style)];
    if !hunk.is_explained() {
        spans.push(Span::styled(" ".repeat(fill), style));
    }
    Line::from(spans)
}

/// Against a baseline nothing needs explaining: the header says where the change is and which
/// requirements, criteria or components it touches (what a Gate 1 reviewer reads for the delta).
fn baseline_header<'a>(
    model: &DiffModel,
    b: &crate::app::model::diff::BaselineSide,
    h: usize,
    theme: &Theme,
    width: usize,
) -> Line<'a> {
    let Some(hunk) = model.hunks.get(h) else {
        return Line::raw("");
    };
    let left = model
        .design_numbers
        .get(hunk.design_lines.start)
        .copied()
        .unwrap_or(0);
    let right = model
        .as_built_numbers
        .get(hunk.as_built_lines.start)
        .copied()
        .unwrap_or(0);
    let labels: Vec<String> = b
        .labels
        .get(h)
        .map(|l| l.iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    let touched = if labels.is_empty() {
        "no item".to_string()
    } else {
        labels.join(", ")
    };
    let text = format!(
        "change {}/{} · baseline {left} → {} {right} · {touched} ",
        h + 1,
        model.hunks.len(),
        b.artifact.file_name()
    );
    Line::from(Span::styled(
        truncate(&text, width),
        slot(theme, Slot::UiTitle).add_modifier(Modifier::BOLD),
    ))
}

fn verdict(hunk: &Hunk, e: &EngagementState, theme: &Theme, ascii: bool) -> (String, Style) {
    if hunk.is_explained() {
        let by: Vec<String> = hunk
            .explained_by
            .iter()
            .map(|id| {
                match e
                    .disk
                    .deviations
                    .iter()
                    .find(|d| d.id == *id)
                    .and_then(|d| d.impact)
                {
                    Some(i) => format!("{id} ({i})"),
                    None => id.to_string(),
                }
            })
            .collect();
        let mark = if ascii { "ok" } else { "✔" };
        (
            format!("{mark} explained by {} ", by.join(", ")),
            slot(theme, Slot::DiffExplained),
        )
    } else {
        let names: Vec<String> = hunk.unexplained.iter().map(ToString::to_string).collect();
        let mark = if ascii { "!!" } else { "✘" };
        (
            format!(
                "{mark} UNEXPLAINED: no deviation names {} ",
                names.join(", ")
            ),
            slot(theme, Slot::DiffUnexplained).add_modifier(Modifier::BOLD | Modifier::REVERSED),
        )
    }
}

fn cell_number(cell: Option<&Cell>, numbers: &[usize]) -> Option<usize> {
    cell.and_then(|c| numbers.get(c.line)).copied()
}

struct Geometry {
    x: u16,
    width: usize,
    num_w: usize,
    stacked: bool,
    /// Side-by-side: each side's text width.
    text_w: usize,
}

impl Geometry {
    fn new(area: Rect, model: &DiffModel) -> Geometry {
        let width = usize::from(area.width);
        Geometry {
            x: area.x,
            width,
            num_w: model.number_width(),
            stacked: model.stacked(width),
            text_w: model.side_width(width),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_row(
    buf: &mut Buffer,
    g: &Geometry,
    model: &DiffModel,
    row: usize,
    y: u16,
    second: bool,
    view: &DiffView,
    st: &Styles,
    ascii: bool,
) {
    let Some(r) = model.sbs.rows.get(row) else {
        return;
    };
    let n = g.num_w;
    let (lstyle, lword, rstyle, rword, lmark, rmark) = match r.kind {
        RowKind::Equal => (st.text, st.text, st.text, st.text, ' ', ' '),
        RowKind::Changed => (
            st.removed,
            st.removed_word,
            st.added,
            st.added_word,
            '-',
            '+',
        ),
        RowKind::Deleted => (st.removed, st.removed_word, st.text, st.text, '-', ' '),
        RowKind::Inserted => (st.text, st.text, st.added, st.added_word, ' ', '+'),
    };
    let lnum = cell_number(r.left.as_ref(), &model.design_numbers);
    let rnum = cell_number(r.right.as_ref(), &model.as_built_numbers);
    let num = |v: Option<usize>| v.map_or_else(|| " ".repeat(n), |v| format!("{v:>n$}"));
    if g.stacked {
        // LLL RRR m text
        let text_x = g.x + u16::try_from(2 * n + 4).unwrap_or(u16::MAX);
        let text_w = g.width.saturating_sub(2 * n + 4);
        let (l, r_, mark, cell, styles) = match (r.kind, second) {
            (RowKind::Equal, _) => (lnum, rnum, ' ', r.right.as_ref(), (st.text, st.text)),
            (RowKind::Changed, false) | (RowKind::Deleted, _) => {
                (lnum, None, '-', r.left.as_ref(), (lstyle, lword))
            }
            (RowKind::Changed, true) | (RowKind::Inserted, _) => {
                (None, rnum, '+', r.right.as_ref(), (rstyle, rword))
            }
        };
        let mark_style = match mark {
            '-' => st.removed,
            '+' => st.added,
            _ => st.dim,
        };
        put(
            buf,
            g.x,
            y,
            2 * n + 1,
            &format!("{} {}", num(l), num(r_)),
            st.dim,
        );
        if mark != ' ' {
            put(
                buf,
                g.x + u16::try_from(2 * n + 2).unwrap_or(u16::MAX),
                y,
                1,
                &mark.to_string(),
                mark_style,
            );
        }
        if let Some(cell) = cell {
            // `‹`/`›` take the text's own style: no attribute switch per row.
            put_segments(
                buf,
                text_x,
                y,
                text_w,
                &cell.segments,
                view.hscroll,
                styles,
                styles.0,
                ascii,
            );
        }
        return;
    }
    let gutter = n + 3;
    let left_x = g.x;
    let sep_x = left_x + u16::try_from(gutter + g.text_w).unwrap_or(u16::MAX);
    let right_x = sep_x + 1;
    let right_w = g.width.saturating_sub(gutter + g.text_w + 1 + gutter);
    put(buf, left_x, y, n, &num(lnum), st.dim);
    if lmark != ' ' {
        put(
            buf,
            left_x + u16::try_from(n + 1).unwrap_or(0),
            y,
            1,
            &lmark.to_string(),
            st.removed,
        );
    }
    if let Some(cell) = &r.left {
        put_segments(
            buf,
            left_x + u16::try_from(gutter).unwrap_or(0),
            y,
            g.text_w,
            &cell.segments,
            view.hscroll,
            (lstyle, lword),
            lstyle,
            ascii,
        );
    }
    put(buf, sep_x, y, 1, if ascii { "|" } else { "│" }, st.border);
    put(buf, right_x, y, n, &num(rnum), st.dim);
    if rmark != ' ' {
        put(
            buf,
            right_x + u16::try_from(n + 1).unwrap_or(0),
            y,
            1,
            &rmark.to_string(),
            st.added,
        );
    }
    if let Some(cell) = &r.right {
        put_segments(
            buf,
            right_x + u16::try_from(gutter).unwrap_or(0),
            y,
            right_w,
            &cell.segments,
            view.hscroll,
            (rstyle, rword),
            rstyle,
            ascii,
        );
    }
}

/// The lines the content area shows from `view.top`, drawn into `area`.
fn draw_entries(
    buf: &mut Buffer,
    area: Rect,
    state: &State,
    e: &EngagementState,
    view: &DiffView,
    theme: &Theme,
) {
    let model = &*view.model;
    let g = Geometry::new(area, model);
    let st = Styles::of(theme);
    let list = &view.entries().list;
    let mut y = area.y;
    let bottom = area.bottom();
    let mut index = view.top;
    while y < bottom {
        let Some(entry) = list.get(index).copied() else {
            if index == list.len() && y < bottom {
                let text = if list.len() <= 1 && model.hunks.is_empty() {
                    "(no differences: the as-built's governed text matches the approved design)"
                } else {
                    if state.ascii {
                        "~ end"
                    } else {
                        "∎ end of diff"
                    }
                };
                put(buf, area.x, y, g.width, text, st.dim);
            }
            break;
        };
        match entry {
            Entry::Fold { from, to } => {
                let n = to - from;
                let dots = if state.ascii { "..." } else { "⋯" };
                let text = format!(
                    "{dots} {n} unchanged line{} {dots}",
                    if n == 1 { "" } else { "s" }
                );
                let pad = (g.width.saturating_sub(text.chars().count())) / 2;
                put(
                    buf,
                    area.x + u16::try_from(pad).unwrap_or(0),
                    y,
                    g.width.saturating_sub(pad),
                    &text,
                    st.dim,
                );
            }
            Entry::Header(h) => {
                let line = header_line(model, e, h, h == view.current, theme, g.width, state.ascii);
                buf.set_line(area.x, y, &line, area.width);
            }
            Entry::Row(r) => {
                draw_row(buf, &g, model, r, y, false, view, &st, state.ascii);
                if model.height(entry, g.stacked) == 2 && y + 1 < bottom {
                    y += 1;
                    draw_row(buf, &g, model, r, y, true, view, &st, state.ascii);
                }
            }
        }
        y += 1;
        index += 1;
    }
}

pub fn render(
    state: &State,
    e: &EngagementState,
    view: &DiffView,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let model = &*view.model;
    let focused = state.pane == Pane::Editor;
    let explained = model.explained();
    let total = model.hunks.len();
    let mut title = match &model.baseline {
        Some(b) => vec![
            Span::styled(
                format!(" Baseline {} ", b.reference),
                slot(theme, Slot::UiTitle),
            ),
            Span::styled(
                if state.ascii { "<-> " } else { "⟷ " },
                slot(theme, Slot::UiTextDim),
            ),
            Span::styled(
                format!("current {} ", b.artifact.file_name()),
                slot(theme, Slot::UiTitle),
            ),
            Span::styled(
                format!("· {total} change(s) "),
                slot(theme, Slot::UiTextDim),
            ),
        ],
        None => Vec::new(),
    };
    if model.baseline.is_none() {
        title = vec![
            Span::styled(" Approved design ", slot(theme, Slot::UiTitle)),
            Span::styled(
                if state.ascii { "<-> " } else { "⟷ " },
                slot(theme, Slot::UiTextDim),
            ),
            Span::styled("as-built ", slot(theme, Slot::UiTitle)),
            Span::styled(
                format!("· Gate 2 event {} · ", model.approved_seq),
                slot(theme, Slot::UiTextDim),
            ),
            Span::styled(
                format!("{explained}/{total} explained "),
                slot(
                    theme,
                    if explained == total {
                        Slot::DiffExplained
                    } else {
                        Slot::DiffUnexplained
                    },
                ),
            ),
        ];
    }
    if total > 0 {
        title.push(Span::styled(
            format!("· hunk {}/{total} ", view.current + 1),
            slot(theme, Slot::UiTextDim),
        ));
    }
    let block = pane_block(theme, Line::from(title), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let width = usize::from(inner.width);
    // The gauge on top (when there is room), then a column header, then the rows.
    let gauge_h: u16 = match inner.height {
        // The reconciliation gauge says nothing about a comparison with the baseline.
        _ if model.baseline.is_some() => 0,
        0..=7 => 0,
        8..=13 => 1,
        _ => 2,
    };
    let mut y = inner.y;
    if gauge_h > 0 {
        let s = summary(&e.disk);
        let lines = if gauge_h == 1 {
            vec![reconciliation::close_line(&s, state, theme, width)]
        } else {
            reconciliation::gauge(&s, state, theme, width, 2)
        };
        let rect = Rect {
            x: inner.x,
            y,
            width: inner.width,
            height: gauge_h,
        };
        frame.render_widget(Paragraph::new(lines), rect);
        y += gauge_h;
    }
    let g = Geometry::new(inner, model);
    if inner.height > gauge_h + 2 {
        let dim = slot(theme, Slot::UiTextDim);
        let position = {
            let list = &view.entries().list;
            let mut s = format!("{}/{}", (view.top + 1).min(list.len()), list.len());
            if view.hscroll > 0 {
                s.push_str(&format!(" +{}→", view.hscroll));
            }
            if view.unfolded {
                s.push_str(" unfolded");
            }
            s
        };
        let (left_name, right_name) = match &model.baseline {
            Some(b) => (
                format!(" {} (baseline {})", b.artifact.file_name(), b.reference),
                format!(" {} (current)", b.artifact.file_name()),
            ),
            None => (
                " solution-design.md (approved)".to_string(),
                " as-built.md".to_string(),
            ),
        };
        let header = if g.stacked {
            format!(" -{left_name}   +{right_name}")
        } else {
            let left = truncate(&left_name, g.text_w + g.num_w + 3);
            format!("{left:<w$} {right_name}", w = g.text_w + g.num_w + 3)
        };
        let room = width.saturating_sub(position.chars().count() + 1);
        let header_row = Rect {
            y,
            height: 1,
            ..inner
        };
        frame.paint(header_row, |buf| {
            put(
                buf,
                inner.x,
                y,
                room,
                &truncate(&header, room),
                slot(theme, Slot::UiTitle),
            );
            put(
                buf,
                inner.x + u16::try_from(room + 1).unwrap_or(0),
                y,
                width.saturating_sub(room + 1),
                &position,
                dim,
            );
        });
        y += 1;
    }
    let content = Rect {
        x: inner.x,
        y,
        width: inner.width,
        height: inner.bottom().saturating_sub(y),
    };
    if content.height == 0 {
        return;
    }
    frame.paint(content, |buf| {
        draw_entries(buf, content, state, e, view, theme)
    });
}
