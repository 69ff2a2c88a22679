//! The artifact editor: the shown artifact in a textarea (read-only in view mode, with the
//! cursor line), its dirty marker and, outside the artifact's phase, why it is read-only.
//! Markdown is painted over the rows the textarea drew, from `ui::highlight` (syntect, cached
//! per buffer in the engagement's view cache), or from its line-local fallback until the
//! grammar has loaded. Only visible rows are styled.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui_textarea::{DataCursor, TextArea};
use unicode_width::UnicodeWidthChar;

use super::highlight::{self, Cache, Paint, Run};
use super::{Slot, Theme, pane_block, slot, truncate};
use crate::app::{EngagementState, Mode, Pane, State};

/// The style a paint is drawn with under `theme`.
pub fn paint_style(theme: &Theme, paint: Paint) -> Style {
    match paint {
        Paint::Heading => slot(theme, Slot::MarkdownHeading),
        Paint::Code => slot(theme, Slot::MarkdownCode),
        Paint::Comment => slot(theme, Slot::MarkdownComment),
        Paint::List => slot(theme, Slot::MarkdownList),
        Paint::Emphasis => slot(theme, Slot::MarkdownEmphasis),
        Paint::Strong => {
            let emphasis = slot(theme, Slot::MarkdownEmphasis);
            Style {
                fg: emphasis.fg,
                bg: emphasis.bg,
                ..Style::new()
            }
            .add_modifier(Modifier::BOLD)
        }
        Paint::Link => Style::new().add_modifier(Modifier::UNDERLINED),
        Paint::Id => slot(theme, Slot::MarkdownId),
    }
}

/// One screen row of the textarea: the data line, and the chars of it the row shows.
struct Segment {
    y: u16,
    row: usize,
    chars: std::ops::Range<usize>,
}

/// The textarea's visible rows (after it was drawn `height` rows high), as data segments.
fn visible_segments(editor: &TextArea<'_>, height: u16) -> Vec<Segment> {
    let (top, _) = editor.scroll_offset();
    let top = usize::from(top);
    let at = |y: usize| editor.screen_to_data(top.saturating_add(y), 0);
    // screen_to_data clamps past the end of the text: a row equal to the one above is not one.
    let starts: Vec<DataCursor> = (0..=usize::from(height)).map(at).collect();
    let mut out = Vec::new();
    for (y, pair) in starts.windows(2).enumerate() {
        let [DataCursor(row, col), next] = [pair[0], pair[1]];
        if y > 0 && starts.get(y - 1) == Some(&pair[0]) {
            break;
        }
        let end = if next.0 == row && next.1 > col && next != pair[0] {
            next.1
        } else {
            usize::MAX
        };
        out.push(Segment {
            y: u16::try_from(y).unwrap_or(u16::MAX),
            row,
            chars: col..end,
        });
    }
    out
}

/// Paints `runs` of `line` on the cells of one segment drawn at row `y` of `area`.
#[allow(clippy::too_many_arguments)]
fn paint_segment(
    buf: &mut Buffer,
    area: Rect,
    theme: &Theme,
    line: &str,
    seg: &Segment,
    runs: &[Run],
    tab: usize,
    left: usize,
) {
    if runs.is_empty() {
        return;
    }
    let y = area.y.saturating_add(seg.y);
    if y >= area.bottom() || y >= buf.area.bottom() {
        return;
    }
    let right = area.right().min(buf.area.right());
    let mut run = runs.iter().peekable();
    let mut col = 0usize;
    for (i, (byte, ch)) in line.char_indices().enumerate() {
        if i < seg.chars.start {
            continue;
        }
        if i >= seg.chars.end {
            break;
        }
        let width = if ch == '\t' {
            tab.max(1) - col % tab.max(1)
        } else {
            ch.width().unwrap_or(0)
        };
        while run.peek().is_some_and(|r| r.end <= byte) {
            run.next();
        }
        if let Some(r) = run.peek().filter(|r| r.start <= byte) {
            let style = paint_style(theme, r.paint);
            for c in col..col + width {
                let Some(x) = c
                    .checked_sub(left)
                    .and_then(|c| u16::try_from(c).ok())
                    .map(|c| area.x.saturating_add(c))
                else {
                    continue;
                };
                if x >= right {
                    break;
                }
                let cell = &mut buf[(x, y)];
                if let Some(fg) = style.fg {
                    cell.fg = fg;
                }
                if let Some(bg) = style.bg {
                    cell.bg = bg;
                }
                cell.modifier.insert(style.add_modifier);
                cell.modifier.remove(style.sub_modifier);
            }
        }
        col += width;
        if col >= left + usize::from(area.width) {
            break;
        }
    }
}

fn style_visible_rows(e: &EngagementState, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let lines = e.editor.lines();
    let segments = visible_segments(&e.editor, area.height);
    let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
        return;
    };
    let rows = first.row..last.row.saturating_add(1);
    let tab = usize::from(e.editor.tab_length());
    let (_, left) = e.editor.scroll_offset();
    let left = usize::from(left);
    let paint_all = |buf: &mut Buffer, cache: Option<&Cache>| {
        for seg in &segments {
            let Some(line) = lines.get(seg.row) else {
                continue;
            };
            let fallback;
            let runs = match cache.and_then(|c| c.runs(seg.row, line)) {
                Some(runs) => runs,
                None => {
                    fallback = highlight::fallback_runs(line);
                    &fallback
                }
            };
            paint_segment(buf, area, theme, line, seg, runs, tab, left);
        }
    };
    match highlight::ready() {
        Some(engine) => highlight::with_cache(e.view.id(), |cache| {
            cache.prepare(engine, lines, rows, e.view.take_edited());
            paint_all(buf, Some(cache));
        }),
        None => paint_all(buf, None),
    }
}

pub fn render(state: &State, e: &EngagementState, theme: &Theme, frame: &mut Frame, area: Rect) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let file = e.shown_artifact().map_or("build/", |a| a.file_name());
    let editing = state.mode == Mode::Edit;
    let mut title = vec![Span::styled(
        format!(" {file} "),
        slot(theme, Slot::UiTitle),
    )];
    if e.dirty {
        title.push(Span::styled(
            if state.ascii {
                "* modified "
            } else {
                "● modified "
            },
            slot(theme, Slot::GateStale),
        ));
    }
    title.push(Span::styled(
        if editing { "[EDIT] " } else { "[VIEW] " },
        slot(theme, Slot::UiStatusbarMode),
    ));
    let focused = state.pane == Pane::Editor;
    let block = pane_block(theme, Line::from(title), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width < 2 || inner.height == 0 {
        return;
    }
    let refusal = if editing { None } else { e.edit_refusal() };
    let text_area = match &refusal {
        Some(reason) if inner.height >= 3 => {
            let [note, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    truncate(reason, usize::from(note.width)),
                    slot(theme, Slot::UiBannerWarning),
                )),
                note,
            );
            rest
        }
        _ => inner,
    };
    if text_area.height == 0 {
        return;
    }
    // The textarea keeps its own scroll (interior viewport), so it is drawn as it is, never
    // cloned: the theme goes underneath (text style) and on top (Markdown slots).
    frame.render_widget(Block::default().style(slot(theme, Slot::UiText)), text_area);
    frame.render_widget(&e.editor, text_area);
    style_visible_rows(e, theme, frame.buffer_mut(), text_area);
}

#[cfg(test)]
mod tests {
    use ratatui::widgets::Widget;
    use ratatui_textarea::WrapMode;

    use super::*;

    /// Draws `lines` in a `w`×`h` textarea and paints them with the fallback styler.
    fn painted(lines: &[&str], w: u16, h: u16) -> (Buffer, Theme) {
        let mut ta = TextArea::new(lines.iter().map(|l| l.to_string()).collect());
        ta.set_wrap_mode(WrapMode::WordOrGlyph);
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        (&ta).render(area, &mut buf);
        let theme = Theme::default();
        for seg in visible_segments(&ta, h) {
            let line = ta.lines()[seg.row].as_str();
            let runs = highlight::fallback_runs(line);
            paint_segment(&mut buf, area, &theme, line, &seg, &runs, 4, 0);
        }
        (buf, theme)
    }

    /// The symbols of the cells painted as IDs, in screen order.
    fn id_cells(buf: &Buffer, theme: &Theme) -> String {
        let id = paint_style(theme, Paint::Id);
        buf.content
            .iter()
            .filter(|c| Some(c.fg) == id.fg)
            .map(|c| c.symbol())
            .collect()
    }

    #[test]
    fn ids_are_painted_where_the_textarea_drew_them() {
        // Soft-wrapped: REQ-7 lands on the second screen row.
        let (buf, theme) = painted(&["some words then REQ-7 after"], 16, 3);
        assert_eq!(buf.content[16].symbol(), "R", "wrapped to row 2");
        assert_eq!(id_cells(&buf, &theme), "REQ-7");
    }

    #[test]
    fn tabs_and_wide_chars_keep_columns() {
        let (buf, theme) = painted(&["\t漢字 REQ-2 x", "a\tAC-3"], 30, 2);
        assert_eq!(id_cells(&buf, &theme), "REQ-2AC-3");
        // The tab takes four columns, each wide char two: REQ-2 starts at column 9.
        assert_eq!(buf.content[9].symbol(), "R");
        assert_eq!(buf.content[30 + 4].symbol(), "A");
    }

    #[test]
    fn rows_past_the_end_are_not_segments() {
        let mut ta = TextArea::new(vec!["one".into(), "two".into()]);
        ta.set_wrap_mode(WrapMode::WordOrGlyph);
        let area = Rect::new(0, 0, 10, 6);
        let mut buf = Buffer::empty(area);
        (&ta).render(area, &mut buf);
        let segs = visible_segments(&ta, 6);
        assert_eq!(segs.iter().map(|s| s.row).collect::<Vec<_>>(), vec![0, 1]);
    }
}
