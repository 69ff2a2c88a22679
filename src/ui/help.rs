//! The help overlay: every command's name, doc line and keys, grouped by where the keys work,
//! generated from the command list and the active keymap.

use super::frame::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::Hints;
use super::{Slot, Theme, pane_block, slot, truncate};
use crate::app::Command;
use crate::app::State;
use crate::app::keys::{COMMANDS, Context};

/// The status bar's hints while help is open.
pub const HINTS: Hints = Hints::commands(&[Command::Leave, Command::MoveDown, Command::MoveUp]);

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, scroll: u16) {
    // Paged by `app::layout::pages` from the same rectangle.
    let rect = crate::app::layout::overlay(area, 96);
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
    // Grouped by where the keys work: everywhere first, then each pane and the dialogs.
    for context in Context::ALL {
        let here: Vec<_> = COMMANDS
            .iter()
            .filter(|info| {
                if context == Context::Global {
                    info.contexts.contains(&Context::Global)
                } else {
                    info.contexts.contains(&context)
                }
            })
            .collect();
        if here.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(
            context.doc().to_string(),
            slot(theme, Slot::UiTitle).add_modifier(Modifier::BOLD),
        ));
        for info in here {
            let keys = if context == Context::Global {
                state.keys.bindings_for(info.command)
            } else {
                state.keys.hint(context, info.command).unwrap_or_default()
            };
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
                    slot(theme, Slot::UiTextDim),
                ),
                Span::raw(truncate(info.doc, rest)),
            ]));
        }
    }
    let max_scroll = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_sub(inner.height);
    frame.render_widget(
        Paragraph::new(lines).scroll((scroll.min(max_scroll), 0)),
        inner,
    );
}
