//! The message log (`messages`): every notice and refusal of the session in full, newest first,
//! wrapped to the width (the status bar shows only the last one, cut to one line).

use super::frame::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::Hints;
use super::{Slot, Theme, pane_block, slot};
use crate::app::Command;
use crate::app::{Severity, State};

/// The status bar's hints while the message log is open.
pub const HINTS: Hints = Hints::commands(&[Command::Leave, Command::MoveDown, Command::MoveUp]);

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, scroll: u16) {
    // Paged by `app::layout::pages` from the same rectangle.
    let rect = crate::app::layout::overlay(area, 110);
    frame.render_widget(Clear, rect);
    if rect.width < 3 || rect.height < 3 {
        return;
    }
    let n = state.messages.len();
    let title = format!(" Messages ({n}, newest first) ");
    let block = pane_block(theme, title, true);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let dim = slot(theme, Slot::UiTextDim);
    let mut lines: Vec<Line> = Vec::new();
    if n == 0 {
        lines.push(Line::styled("no messages yet", dim));
    }
    for (i, m) in state.messages.iter().enumerate().rev() {
        let style = match m.kind {
            Severity::Error => slot(theme, Slot::UiBannerError),
            Severity::Info => slot(theme, Slot::UiText),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:>3} ", i + 1), dim),
            Span::styled(m.text.clone(), style),
        ]));
    }
    // Wrapped lines are more than `lines.len()`: the paragraph clamps nothing, so clamp the
    // scroll to what can be shown at all.
    let max_scroll = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_sub(1);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max_scroll), 0)),
        inner,
    );
}
