//! The artifact editor: the shown artifact in a textarea (read-only in view mode, with the
//! cursor line), its dirty marker and, outside the artifact's phase, why it is read-only.
//! Prose is styled by a small Markdown line styler (headings, ID tokens, list markers,
//! comments) applied to the visible rows only; syntect highlighting is not wired in yet.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Slot, Theme, pane_block, slot, truncate};
use crate::app::{EngagementState, Mode, Pane, State};
use crate::domain::ids::scan_ids;

/// Styled character ranges of one Markdown line: `(first char, end char, slot)`.
pub fn markdown_spans(line: &str) -> Vec<(usize, usize, Slot)> {
    let n = line.chars().count();
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') {
        return vec![(0, n, Slot::MarkdownHeading)];
    }
    if trimmed.starts_with("<!--") || trimmed.starts_with("-->") {
        return vec![(0, n, Slot::MarkdownComment)];
    }
    if trimmed.starts_with("```") || trimmed.starts_with("~~~") || line.starts_with("    ") {
        return vec![(0, n, Slot::MarkdownCode)];
    }
    let mut out = Vec::new();
    let indent = n.saturating_sub(trimmed.chars().count());
    if trimmed.starts_with("- ") || trimmed.starts_with("* ") || trimmed.starts_with("+ ") {
        out.push((indent, indent + 1, Slot::MarkdownList));
    }
    for token in scan_ids(line) {
        let start = line
            .get(..token.byte_start)
            .map_or(0, |p| p.chars().count());
        let end = line
            .get(..token.byte_end)
            .map_or(start, |p| p.chars().count());
        out.push((start, end, Slot::MarkdownId));
    }
    out
}

fn style_visible_rows(e: &EngagementState, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let lines = e.editor.lines();
    let (top, _) = e.editor.scroll_offset();
    let mut last: Option<(usize, usize)> = None;
    let buf_area = buf.area;
    for y in 0..area.height {
        let dc = e
            .editor
            .screen_to_data(usize::from(top).saturating_add(usize::from(y)), 0);
        let key = (dc.0, dc.1);
        if last == Some(key) {
            break; // past the end of the text: screen_to_data clamps
        }
        last = Some(key);
        let Some(line) = lines.get(dc.0) else { break };
        let spans = markdown_spans(line);
        if spans.is_empty() {
            continue;
        }
        for x in 0..area.width {
            let ch = dc.1.saturating_add(usize::from(x));
            let Some((_, _, s)) = spans.iter().rev().find(|(a, b, _)| *a <= ch && ch < *b) else {
                continue;
            };
            let pos = (area.x.saturating_add(x), area.y.saturating_add(y));
            if pos.0 >= buf_area.right() || pos.1 >= buf_area.bottom() {
                continue;
            }
            let style = slot(theme, *s);
            let cell = &mut buf[pos];
            if let Some(fg) = style.fg {
                cell.set_fg(fg);
            }
            cell.modifier.insert(style.add_modifier);
        }
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
