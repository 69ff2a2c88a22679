//! The gate review: every criterion of the gate ahead with its ID, kind, hard marker and live
//! result (auto ones re-evaluated from the buffer text), the reviewer's ticks and waivers, and
//! the selected criterion in full (text, result, every failure with its position) below a
//! divider that says where the list stands (`3/9 ↓`).

use super::frame::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::softwrap::wrap;
use super::view_state::{PaneInputs, Same};
use super::{Hints, ViewState};
use super::{
    Slot, Theme, criterion_glyph, criterion_slot, gate_glyph, gate_slot, pane_block, slot, truncate,
};
use crate::app::Command;
use crate::app::{EngagementState, Pane, Review, State};
use crate::domain::criteria::{CriterionEval, CriterionKind};
use crate::domain::evaluate::Evaluation;
use crate::domain::journal::{CriterionResult, GateId};

/// The status bar's hints in the gate review.
pub const HINTS: Hints = Hints::commands(&[
    Command::ToggleCriterion,
    Command::WaiveCriterion,
    Command::ApproveGate,
    Command::RejectGate,
    Command::Open,
    Command::Help,
    Command::Leave,
    Command::ReopenGate,
    Command::Journal,
    Command::ZoomPane,
    Command::Messages,
]);

fn gate_title(gate: GateId) -> &'static str {
    match gate {
        GateId::One => "spec",
        GateId::Two => "design",
    }
}

/// Everything the pane's lines are made from (see [`super::view_state::Built`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pane: PaneInputs,
    disk: Same<Evaluation>,
    live: Same<Evaluation>,
    review: Review,
    dirty: bool,
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
    frame.render_keyed(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let inputs = Inputs {
        pane: PaneInputs {
            engagement: Same::of(&e.engagement),
            focused,
            ascii: state.ascii,
            area: inner,
            theme: theme.fingerprint(),
        },
        disk: Same::of(&e.disk),
        live: Same::of(&e.live),
        review: e.review.clone(),
        dirty: e.dirty,
    };
    let (key, lines) = view
        .gate
        .lines(inputs, || lines(state, e, theme, inner, focused));
    frame.render_lazy(key, inner, || Paragraph::new(lines.to_vec()));
}

/// The pane's lines inside its border (`inner`): the header (rejection, live, quorum, stale,
/// Day 2), the criteria, the divider and the selected criterion's detail.
fn lines(
    state: &State,
    e: &EngagementState,
    theme: &Theme,
    inner: Rect,
    focused: bool,
) -> Vec<Line<'static>> {
    let gate = e.review.gate;
    let status = e.live.gate(gate);
    let width = usize::from(inner.width);
    let rows = e.review_rows();
    let dim = slot(theme, Slot::UiTextDim);
    let mut header: Vec<Line> = Vec::new();
    if let Some(r) = super::rejection_of(&e.engagement, gate)
        && status.state == crate::domain::evaluate::GateState::Rejected
    {
        for row in wrap(
            &format!("rejected by {} at {}: {}", r.actor, r.at, r.reason),
            width,
        ) {
            header.push(Line::styled(row, slot(theme, Slot::GateRejected)));
        }
    }
    if e.dirty {
        header.push(Line::styled(
            truncate("live: results follow the unsaved buffer", width),
            dim,
        ));
    }
    // Quorum and roles: where the approvals on the current text stand (DESIGN §7).
    let quorum = crate::domain::evaluate::gate_quorum(&e.engagement, &e.disk, gate);
    if quorum.asked {
        let met = quorum.tally.met();
        header.push(Line::styled(
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
        header.push(Line::styled(
            truncate(&format!("STALE: {} changed since approval", s.file), width),
            slot(theme, Slot::GateStale).add_modifier(Modifier::BOLD),
        ));
    }
    // Day 2: Gate 1 reviews the delta against the baseline; Gate 2 names suspect reuses.
    if let Some(b) = e.live.baseline.as_ref().filter(|_| gate == GateId::One) {
        let d = &b.requirements;
        let parts: Vec<String> = [
            ("added", &d.added),
            ("changed", &d.changed),
            ("removed", &d.removed),
        ]
        .into_iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(what, ids)| {
            let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
            format!("{what} {}", ids.join(", "))
        })
        .collect();
        let text = if parts.is_empty() {
            "vs baseline: no requirement changed".to_string()
        } else {
            format!("vs baseline: {}", parts.join("; "))
        };
        header.push(Line::styled(
            truncate(&text, width),
            slot(theme, Slot::UiTextDim),
        ));
    }
    if gate == GateId::Two {
        for s in &e.live.reuse.suspect {
            header.push(Line::styled(
                truncate(&format!("SUSPECT: {}", s.message), width),
                slot(theme, Slot::UiBannerWarning),
            ));
        }
    }
    let height = usize::from(inner.height);
    let n = rows.len();
    let selected = e.review.selected.min(n.saturating_sub(1));
    let detail = detail_lines(state, e, theme, &rows, selected, width, height);
    // The list keeps at least three rows (or all of them); the detail gets the rest, up to
    // what it needs; the header what is left above both.
    let header_h = header.len().min(height.saturating_sub(n.min(3) + 1));
    let below = height - header_h;
    let detail_min = detail
        .len()
        .min(below.saturating_sub(n.min(3) + 1))
        .min(below / 2 + 1);
    let list_h = n
        .min(below.saturating_sub(detail_min + 1))
        .max(1)
        .min(below);
    let first = selected
        .saturating_sub(list_h.saturating_sub(1))
        .min(n.saturating_sub(list_h));
    let mut lines: Vec<Line> = header.into_iter().take(header_h).collect();
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
    while lines.len() < header_h + list_h {
        lines.push(Line::raw(""));
    }
    // The divider says where the list stands and whether more is above or below.
    if n > 0 && lines.len() < height {
        let (up, down) = if state.ascii {
            ("^", "v")
        } else {
            ("↑", "↓")
        };
        let more = match (first > 0, first + list_h < n) {
            (true, true) => format!(" {up}{down}"),
            (true, false) => format!(" {up}"),
            (false, true) => format!(" {down}"),
            (false, false) => String::new(),
        };
        let marker = format!(" {}/{n}{more} ", selected + 1);
        let rule = if state.ascii { "-" } else { "─" };
        let fill = width.saturating_sub(marker.chars().count() + 2);
        lines.push(Line::styled(
            format!("{}{marker}{}", rule.repeat(2), rule.repeat(fill)),
            dim,
        ));
    }
    lines.extend(detail.into_iter().take(height.saturating_sub(lines.len())));
    lines
}

/// The selected criterion in full, wrapped: ID, position in the list, kind, result; its text;
/// every failure with its `FILE:LINE:COL`, or its waiver reason. Failures stop once `limit`
/// lines are made (the pane shows no more): a criterion failing on every line of a 50,000-line
/// artifact would otherwise cost each frame thousands of formatted, wrapped lines.
#[allow(clippy::too_many_arguments)]
fn detail_lines(
    state: &State,
    e: &EngagementState,
    theme: &Theme,
    rows: &[(&CriterionEval, CriterionResult)],
    selected: usize,
    width: usize,
    limit: usize,
) -> Vec<Line<'static>> {
    let Some((c, result)) = rows.get(selected) else {
        return Vec::new();
    };
    let dim = slot(theme, Slot::UiTextDim);
    let kind = match c.def.kind {
        CriterionKind::Auto => "auto",
        CriterionKind::Manual => "manual",
    };
    let hard = if c.def.hard { " · hard" } else { "" };
    let mut out: Vec<Line<'static>> = wrap(
        &format!(
            "{} {} · {}/{} · {kind}{hard} · {}",
            criterion_glyph(*result, state.ascii),
            c.def.id,
            selected + 1,
            rows.len(),
            result.as_str()
        ),
        width,
    )
    .into_iter()
    .map(|r| {
        Line::styled(
            r,
            slot(theme, criterion_slot(*result)).add_modifier(Modifier::BOLD),
        )
    })
    .collect();
    out.extend(wrap(&c.def.text, width).into_iter().map(Line::raw));
    if let Some(reason) = e.review.waivers.get(&c.def.id) {
        out.extend(
            wrap(&format!("waived — {reason}"), width)
                .into_iter()
                .map(|r| Line::styled(r, dim)),
        );
    }
    for f in &c.failures {
        if out.len() >= limit {
            break;
        }
        out.extend(
            wrap(&f.to_string(), width)
                .into_iter()
                .map(|r| Line::styled(r, dim)),
        );
    }
    out
}
