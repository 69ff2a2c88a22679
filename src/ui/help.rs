//! The help overlay: every command's name, doc line and keys, generated from the command list
//! and the active keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{Slot, Theme, centered, pane_block, slot, truncate};
use crate::app::State;
use crate::app::keys::COMMANDS;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, scroll: u16) {
    let rect = centered(
        area,
        area.width.saturating_sub(4).min(96),
        area.height.saturating_sub(2).max(area.height.min(3)),
    );
    frame.render_widget(Clear, rect);
    if rect.width < 3 || rect.height < 3 {
        return;
    }
    let title = format!(" Help — keymap {} ", state.keys.keymap().name());
    let block = pane_block(theme, title, true);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let width = usize::from(inner.width);
    let keys_w = 16.min(width / 3);
    let name_w = 21.min(width / 3);
    let mut lines: Vec<Line> = Vec::new();
    for info in COMMANDS {
        let keys = state.keys.bindings_for(info.command);
        let keys = if keys.is_empty() {
            "(unbound)".to_string()
        } else {
            keys
        };
        let rest = width.saturating_sub(keys_w + name_w + 2);
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<keys_w$} ", truncate(&keys, keys_w)),
                slot(theme, Slot::UiKey),
            ),
            Span::styled(
                format!("{:<name_w$} ", truncate(info.name, name_w)),
                slot(theme, Slot::UiTitle),
            ),
            Span::raw(truncate(info.doc, rest)),
        ]));
    }
    let max_scroll = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_sub(inner.height);
    frame.render_widget(
        Paragraph::new(lines).scroll((scroll.min(max_scroll), 0)),
        inner,
    );
}
