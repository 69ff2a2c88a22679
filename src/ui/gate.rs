//! The gate review: every criterion of the gate ahead with its ID, kind, hard marker and live
//! result (auto ones re-evaluated from the buffer text), the reviewer's ticks and waivers, and
//! the selected criterion's message and position.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{
    Slot, Theme, criterion_glyph, criterion_slot, gate_glyph, gate_slot, pane_block, slot, truncate,
};
use crate::app::{EngagementState, Pane, State};
use crate::domain::criteria::CriterionKind;
use crate::domain::journal::GateId;

fn gate_title(gate: GateId) -> &'static str {
    match gate {
        GateId::One => "spec",
        GateId::Two => "design",
    }
}

pub fn render(state: &State, e: &EngagementState, theme: &Theme, frame: &mut Frame, area: Rect) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let gate = e.review.gate;
    let status = e.live.gate(gate);
    let focused = state.pane == Pane::Gate;
    let title = Line::from(vec![
        Span::styled(
            format!(" Gate {} — {} ", gate.number(), gate_title(gate)),
            slot(theme, Slot::UiTitle),
        ),
        Span::styled(
            format!(
                "{} {} ",
                gate_glyph(status.state, state.ascii),
                status.state.as_str()
            ),
            slot(theme, gate_slot(status.state)),
        ),
    ]);
    let block = pane_block(theme, title, focused);
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    let rows = e.review_rows();
    let mut lines: Vec<Line> = Vec::new();
    if e.dirty {
        lines.push(Line::styled(
            truncate("live: results follow the unsaved buffer", width),
            slot(theme, Slot::UiTextDim),
        ));
    }
    // Quorum and roles: where the approvals on the current text stand (DESIGN §7).
    let quorum = crate::domain::quorum::gate_quorum(&e.engagement, &e.disk, gate);
    if quorum.asked {
        let met = quorum.tally.met();
        lines.push(Line::styled(
            truncate(
                &format!("quorum: {}", quorum.describe(&e.engagement.meta.roles)),
                width,
            ),
            slot(
                theme,
                if met {
                    Slot::GateApproved
                } else {
                    Slot::UiTextDim
                },
            ),
        ));
    }
    for s in &status.stale {
        lines.push(Line::styled(
            truncate(&format!("STALE: {} changed since approval", s.file), width),
            slot(theme, Slot::GateStale).add_modifier(Modifier::BOLD),
        ));
    }
    let header_len = lines.len();
    let list_h = usize::from(inner.height)
        .saturating_sub(header_len)
        .saturating_sub(2)
        .max(1);
    let selected = e.review.selected.min(rows.len().saturating_sub(1));
    let first = selected.saturating_sub(list_h.saturating_sub(1));
    for (i, (c, result)) in rows.iter().enumerate().skip(first).take(list_h) {
        let kind = match c.def.kind {
            CriterionKind::Auto => "auto",
            CriterionKind::Manual => "man.",
        };
        let hard = if c.def.hard { "H" } else { " " };
        let pointer = if i == selected && focused {
            if state.ascii { ">" } else { "›" }
        } else {
            " "
        };
        let head = format!(
            "{pointer}{} {:<5} {kind} {hard} {:<9} ",
            criterion_glyph(*result, state.ascii),
            c.def.id,
            result.as_str()
        );
        let rest = width.saturating_sub(head.chars().count());
        let mut line = Line::from(vec![
            Span::styled(head, slot(theme, criterion_slot(*result))),
            Span::raw(truncate(&c.def.text, rest)),
        ]);
        if i == selected && focused {
            line = line.style(slot(theme, Slot::UiSelection));
        }
        lines.push(line);
    }
    // The selected criterion: why it fails (with position), or its waiver.
    if let Some((c, _)) = rows.get(selected) {
        let detail = if let Some(reason) = e.review.waivers.get(&c.def.id) {
            format!("{}: waived — {reason}", c.def.id)
        } else if !c.failures.is_empty() {
            let f = &c.failures[0];
            let more = if c.failures.len() > 1 {
                format!(" (+{} more)", c.failures.len() - 1)
            } else {
                String::new()
            };
            format!("{}: {}{more}", c.def.id, f)
        } else {
            format!("{}: {}", c.def.id, c.def.text)
        };
        lines.push(Line::styled(detail, slot(theme, Slot::UiTextDim)));
    }
    let pane = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block);
    super::memo::render_widget(frame, pane, area);
}
