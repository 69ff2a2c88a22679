//! The journal: the audit trail (seq, at, actor, what happened), chain verification status and
//! the head hash to quote in a change ticket.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Slot, Theme, pane_block, slot, truncate};
use crate::app::{EngagementState, Pane, State, short_hash};

pub fn render(state: &State, e: &EngagementState, theme: &Theme, frame: &mut Frame, area: Rect) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let journal = &e.engagement.journal;
    let focused = state.pane == Pane::Journal;
    let block = pane_block(
        theme,
        Span::styled(" Journal ", slot(theme, Slot::UiTitle)),
        focused,
    );
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    let chain = match &journal.broken {
        Some(b) => Span::styled(
            truncate(
                &format!("chain BROKEN at {}: {}", b.position, b.message),
                width,
            ),
            slot(theme, Slot::GateRejected),
        ),
        None => Span::styled(
            format!(
                "chain {} head {}",
                if state.ascii { "ok" } else { "✔" },
                short_hash(journal.head())
            ),
            slot(theme, Slot::GateApproved),
        ),
    };
    let mut lines = vec![Line::from(chain)];
    let events = &journal.events;
    let h = usize::from(inner.height.saturating_sub(1));
    let selected = e.journal_selected.min(events.len().saturating_sub(1));
    // Newest first, so the latest decisions are visible without scrolling.
    let ordered: Vec<_> = events.iter().rev().collect();
    let first = selected.saturating_sub(h.saturating_sub(1));
    let signatures = e
        .signatures
        .report(&e.engagement, state.allowed_signers.as_deref());
    lines.extend(
        ordered
            .iter()
            .enumerate()
            .skip(first)
            .take(h)
            .map(|(i, ev)| {
                let at = ev.at.to_string();
                let at = if width < 60 {
                    at.get(..10).unwrap_or(&at).to_string()
                } else {
                    at
                };
                let head = format!("{:>3} {at} {} ", ev.seq, ev.actor);
                // Verified decisions are marked with a word, not only a color.
                let (mark, mark_slot) = match signatures.of(ev.seq) {
                    Some(s) if s.verified => (
                        if state.ascii { "[sig] " } else { "✔sig " },
                        Slot::GateApproved,
                    ),
                    Some(s) if s.fingerprint.is_some() || s.problem.is_some() => (
                        if state.ascii { "[sig?] " } else { "✘sig " },
                        Slot::GateRejected,
                    ),
                    _ => ("", Slot::UiTextDim),
                };
                let rest = width.saturating_sub(head.chars().count() + mark.chars().count());
                let line = Line::from(vec![
                    Span::styled(head, slot(theme, Slot::UiTextDim)),
                    Span::styled(mark, slot(theme, mark_slot)),
                    Span::raw(truncate(&ev.body.summary(), rest)),
                ]);
                if i == selected && focused {
                    line.style(slot(theme, Slot::UiSelection))
                } else {
                    line
                }
            }),
    );
    super::memo::render_widget(frame, Paragraph::new(lines).block(block), area);
}
