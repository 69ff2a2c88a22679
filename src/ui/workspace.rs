//! The workspace list: every engagement with title, phase, both gate states (stale loudly),
//! owner and last change; `/` filters.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Slot, Theme, gate_glyph, gate_slot, pane_block, slot, truncate};
use crate::app::{Mode, State, WorkspaceRow};
use crate::domain::evaluate::GateState;

fn gate_cell<'a>(
    state: &State,
    theme: &Theme,
    n: u8,
    gate: Option<GateState>,
    quorum: Option<(usize, usize)>,
    wide: bool,
) -> Span<'a> {
    match gate {
        Some(g) => {
            let mut style = slot(theme, gate_slot(g));
            if g == GateState::Stale {
                style = style.add_modifier(Modifier::BOLD);
            }
            // A partly met quorum says how far it is: `1/2 ok` (approvals / needed).
            let label = match quorum {
                Some((have, needed)) if g == GateState::Pending => format!("{have}/{needed} ok"),
                _ => g.as_str().to_string(),
            };
            let text = if wide {
                format!("G{n} {} {label:<8}", gate_glyph(g, state.ascii))
            } else {
                format!("G{n} {} ", gate_glyph(g, state.ascii))
            };
            Span::styled(text, style)
        }
        None => Span::raw(if wide {
            format!("G{n} ?{:<9}", "")
        } else {
            format!("G{n} ? ")
        }),
    }
}

fn row_line<'a>(
    state: &State,
    theme: &Theme,
    row: &WorkspaceRow,
    width: usize,
    selected: bool,
) -> Line<'a> {
    let wide = width >= 100;
    let slug_w = 22.min(width);
    let mut spans = vec![Span::styled(
        format!("{:<slug_w$} ", truncate(&row.slug, slug_w)),
        slot(theme, Slot::UiTitle),
    )];
    match &row.problem {
        Some(p) if row.phase.is_none() => {
            spans.push(Span::styled(
                truncate(p, width.saturating_sub(slug_w + 1)),
                slot(theme, Slot::UiBannerError),
            ));
        }
        _ => {
            let phase = row.phase.map_or("?", |p| p.title());
            spans.push(Span::raw(format!("{phase:<13}")));
            spans.push(gate_cell(
                state,
                theme,
                1,
                row.gates[0],
                row.quorum[0],
                wide,
            ));
            spans.push(Span::raw(" "));
            spans.push(gate_cell(
                state,
                theme,
                2,
                row.gates[1],
                row.quorum[1],
                wide,
            ));
            spans.push(Span::raw(" "));
            let owner_w = 10;
            spans.push(Span::styled(
                format!("{:<owner_w$} ", truncate(&row.owner, owner_w)),
                slot(theme, Slot::UiTextDim),
            ));
            if wide {
                let at = row.last_change.clone().unwrap_or_default();
                spans.push(Span::styled(
                    format!("{:<21}", at),
                    slot(theme, Slot::UiTextDim),
                ));
            }
            let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
            let title = if row.sample {
                format!("[sample] {}", row.title)
            } else {
                row.title.clone()
            };
            spans.push(Span::raw(truncate(&title, width.saturating_sub(used))));
            if row.problem.is_some() {
                spans.push(Span::styled(" (!)", slot(theme, Slot::UiBannerWarning)));
            }
        }
    }
    let line = Line::from(spans);
    if selected {
        line.style(slot(theme, Slot::UiSelection))
    } else {
        line
    }
}

/// The column headers, aligned with `row_line`'s columns.
fn header_line<'a>(state: &State, theme: &Theme, width: usize) -> Line<'a> {
    let wide = width >= 100;
    let slug_w = 22.min(width);
    let gate_w = gate_cell(state, theme, 1, Some(GateState::Approved), None, wide)
        .content
        .chars()
        .count()
        + 1;
    let gates_w = gate_w * 2;
    let mut text = format!(
        "{:<slug_w$} {:<13}{:<gates_w$}{:<11}",
        "engagement", "phase", "gates", "owner"
    );
    if wide {
        text.push_str(&format!("{:<21}", "last change"));
    }
    text.push_str("title");
    Line::styled(
        truncate(&text, width),
        slot(theme, Slot::UiTextDim).add_modifier(Modifier::BOLD),
    )
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let Some(ws) = &state.workspace else {
        frame.render_widget(Paragraph::new("loading…"), area);
        return;
    };
    let title = Line::from(vec![
        Span::styled(" Workspace ", slot(theme, Slot::UiTitle)),
        Span::styled(
            format!(
                "{} ",
                truncate(
                    &ws.root.display().to_string(),
                    usize::from(area.width.saturating_sub(14))
                )
            ),
            slot(theme, Slot::UiTextDim),
        ),
    ]);
    let block = pane_block(theme, title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let filtering = state.mode == Mode::Filter || !ws.filter.is_empty();
    let [filter_area, list] =
        Layout::vertical([Constraint::Length(u16::from(filtering)), Constraint::Min(0)])
            .areas(inner);
    if filtering {
        let cursor = if state.mode == Mode::Filter {
            if state.ascii { "_" } else { "▏" }
        } else {
            ""
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("filter: ", slot(theme, Slot::UiKey)),
                Span::raw(format!("{}{cursor}", ws.filter)),
            ])),
            filter_area,
        );
    }
    let width = usize::from(list.width);
    let visible = ws.visible();
    let mut lines: Vec<Line> = Vec::new();
    if let Some(err) = &ws.error {
        lines.push(Line::styled(
            truncate(err, width),
            slot(theme, Slot::UiBannerError),
        ));
    }
    if visible.is_empty() {
        let msg = if ws.rows.is_empty() {
            "no engagements here yet: n creates one (or `phasegate new SLUG`)"
        } else {
            "nothing matches the filter"
        };
        lines.push(Line::styled(
            truncate(msg, width),
            slot(theme, Slot::UiTextDim),
        ));
    }
    if !visible.is_empty() {
        lines.push(header_line(state, theme, width));
    }
    let sample = visible.iter().find(|r| r.sample).map(|r| r.slug.clone());
    let h = usize::from(list.height)
        .saturating_sub(lines.len() + if sample.is_some() { 2 } else { 0 })
        .max(1);
    let first = ws.selected.saturating_sub(h.saturating_sub(1));
    for (i, row) in visible.iter().enumerate().skip(first).take(h) {
        lines.push(row_line(state, theme, row, width, i == ws.selected));
    }
    if let Some(slug) = sample {
        let new = state
            .keys
            .hint(
                crate::app::Context::Workspace,
                crate::app::Command::NewEngagement,
            )
            .map(|k| format!("press {k} to start your own"))
            .unwrap_or_else(|| "`phasegate new SLUG` starts your own".into());
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            truncate(
                &format!("{slug} is a sample to look around in; {new}."),
                width,
            ),
            slot(theme, Slot::UiTextDim),
        ));
    }
    frame.render_widget(Paragraph::new(lines), list);
}
