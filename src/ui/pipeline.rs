//! The phase pipeline across the top: five phases, two gates, the current phase marked, phases
//! not reached dimmed, the shown one underlined.

use super::frame::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::view_state::{PaneInputs, Same};
use super::{Slot, Theme, ViewState, gate_glyph, gate_slot, slot, truncate_words};
use crate::app::{EngagementState, State};
use crate::domain::evaluate::{Evaluation, GateState};
use crate::domain::journal::GateId;
use crate::domain::phase::Phase;

fn short(phase: Phase) -> &'static str {
    match phase {
        Phase::Requirements => "Req",
        Phase::Feasibility => "Feas",
        Phase::Design => "Design",
        Phase::Build => "Build",
        Phase::AsBuilt => "As-Built",
        Phase::Closed => "Closed",
    }
}

pub fn pipeline_line<'a>(
    state: &State,
    e: &EngagementState,
    theme: &Theme,
    width: u16,
) -> Line<'a> {
    let current = e.disk.phase;
    let long = width >= 78;
    let mut spans: Vec<Span> = Vec::new();
    for (i, phase) in Phase::PIPELINE.iter().enumerate() {
        if i > 0 {
            let gate = match i {
                1 => Some(GateId::One),
                3 => Some(GateId::Two),
                _ => None,
            };
            match gate {
                Some(g) => {
                    let st = e.disk.gate(g).state;
                    spans.push(Span::raw(if state.ascii { " -[" } else { " ─[" }));
                    spans.push(Span::styled(
                        format!("G{} {}", g.number(), gate_glyph(st, state.ascii)),
                        slot(theme, gate_slot(st)),
                    ));
                    spans.push(Span::raw(if state.ascii { "]- " } else { "]─ " }));
                }
                None => spans.push(Span::raw(if state.ascii { " -- " } else { " ── " })),
            }
        }
        let mut style = if *phase == current {
            slot(theme, Slot::PhaseCurrent)
        } else if *phase > current && current != Phase::Closed {
            slot(theme, Slot::PhaseLocked)
        } else {
            slot(theme, Slot::PhaseDone)
        };
        if *phase == e.shown_phase {
            style = style.add_modifier(Modifier::UNDERLINED);
        }
        let marker = if *phase == current {
            if state.ascii { ">" } else { "▶" }
        } else {
            ""
        };
        let name = if long { phase.title() } else { short(*phase) };
        spans.push(Span::styled(format!("{marker}{name}"), style));
    }
    if current == Phase::Closed {
        spans.push(Span::styled(" (closed)", slot(theme, Slot::PhaseCurrent)));
    }
    Line::from(spans)
}

/// Everything the pipeline's lines are made from (see [`super::view_state::Built`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pane: PaneInputs,
    disk: Same<Evaluation>,
    shown: Phase,
}

pub fn render(
    state: &State,
    e: &EngagementState,
    view: &mut ViewState,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    if area.height < 3 {
        let line = pipeline_line(state, e, theme, area.width);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let block = Block::default()
        .borders(Borders::BOTTOM)
        .border_style(slot(theme, Slot::UiBorder));
    let inner = block.inner(area);
    frame.render_keyed(block, area);
    let inputs = Inputs {
        pane: PaneInputs {
            engagement: Same::of(&e.engagement),
            focused: false,
            ascii: state.ascii,
            area: inner,
            theme: theme.fingerprint(),
        },
        disk: Same::of(&e.disk),
        shown: e.shown_phase,
    };
    let (key, lines) = view
        .pipeline
        .lines(inputs, || lines(state, e, theme, inner.width));
    frame.render_lazy(key, inner, || Paragraph::new(lines.to_vec()));
}

/// The summary (title and gates) over the pipeline, `width` columns wide.
fn lines(state: &State, e: &EngagementState, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let line = pipeline_line(state, e, theme, width);
    // The gates first, as long as the width allows (a rejection with who, when and why; with
    // the approver; with the state; with the glyph); the title takes the rest, cut at a word
    // boundary. The gate pane shows a rejection in full.
    let width = usize::from(width);
    let gate_text = |g: &crate::domain::evaluate::GateStatus, tier: u8| {
        let rejection =
            super::rejection_of(&e.engagement, g.gate).filter(|_| g.state == GateState::Rejected);
        match (&g.approval, &rejection, tier) {
            (Some(a), _, 0 | 1) if g.state == GateState::Approved => {
                format!("  Gate {}: approved by {}", g.gate.number(), a.actor)
            }
            (_, Some(r), 0) => format!(
                "  Gate {}: rejected by {} {}: {}",
                g.gate.number(),
                r.actor,
                r.at.get(..16).unwrap_or(&r.at).replace('T', " "),
                r.reason
            ),
            (_, Some(r), 1) => format!("  Gate {}: rejected by {}", g.gate.number(), r.actor),
            (_, _, 0 | 1) => format!("  Gate {}: {}", g.gate.number(), g.state.as_str()),
            (_, _, 2) => format!("  G{}: {}", g.gate.number(), g.state.as_str()),
            _ => format!(
                "  G{} {}",
                g.gate.number(),
                gate_glyph(g.state, state.ascii)
            ),
        }
    };
    let title = format!("{} — {}", e.engagement.slug, e.engagement.meta.title);
    let title_len = title.chars().count();
    // A rejection keeps its who, when and why (the title gives way to a third of the width,
    // and the line's end cuts what does not fit).
    let rejected = e.disk.gates.iter().any(|g| g.state == GateState::Rejected);
    let mut gates: Vec<String> = Vec::new();
    for tier in 0..4u8 {
        gates = e.disk.gates.iter().map(|g| gate_text(g, tier)).collect();
        let used: usize = gates.iter().map(|t| t.chars().count()).sum();
        if rejected || used + title_len.min(width / 2) <= width {
            break;
        }
    }
    let used: usize = gates.iter().map(|t| t.chars().count()).sum();
    let title_room = if rejected {
        (width / 3).max(width.saturating_sub(used))
    } else {
        width.saturating_sub(used)
    };
    let mut summary: Vec<Span> = vec![Span::styled(
        truncate_words(&title, title_room),
        slot(theme, Slot::UiTitle),
    )];
    for (g, text) in e.disk.gates.iter().zip(gates) {
        let style = slot(theme, gate_slot(g.state));
        let style = if g.state == GateState::Stale {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        };
        summary.push(Span::styled(text, style));
    }
    vec![Line::from(summary), line]
}
