//! The workspace list: first the gates waiting for you (what `phasegate queue` lists: age, the
//! auto criteria, stale and conflict flags, oldest first), then every engagement with title,
//! phase, both gate states (stale loudly), owner and last change; `/` filters both.

use super::frame::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Hints;
use super::{Slot, Theme, gate_glyph, gate_slot, pane_block, slot, truncate};
use crate::app::Command;
use crate::app::{ListItem, Mode, State, WaitingRow, WorkspaceRow};
use crate::domain::evaluate::GateState;

/// The status bar's hints on the workspace list.
pub const HINTS: Hints = Hints::commands(&[
    Command::Open,
    Command::NewEngagement,
    Command::Filter,
    Command::MoveDown,
    Command::Messages,
    Command::Help,
    Command::Quit,
]);

/// The status bar's hints while the filter takes text.
pub const FILTER_HINTS: Hints = Hints::keys(&[("Enter", "open"), ("Esc", "clear")]);

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

/// A gate waiting for you: age, engagement, gate and why, the flags (stale, blocked, open
/// conflicts, a partly met quorum), then the auto criteria (`6/6 auto pass`, or the first
/// failing one with its position and, room permitting, its message). Under 100 columns the
/// auto criteria take a second line, so the failing one's position is never cut.
fn waiting_lines<'a>(
    theme: &Theme,
    row: &WaitingRow,
    width: usize,
    selected: bool,
) -> Vec<Line<'a>> {
    let e = &row.entry;
    let wide = width >= 100;
    let slug_w = 22.min(width);
    let mut spans = vec![
        Span::styled(
            format!("{:>7}  ", crate::domain::queue::age(e.age_seconds)),
            slot(theme, Slot::UiTextDim),
        ),
        Span::styled(
            format!("{:<slug_w$} ", truncate(&e.engagement, slug_w)),
            slot(theme, Slot::UiTitle),
        ),
        Span::styled(
            format!("G{} {:<9}", e.gate, e.waiting.as_str()),
            slot(theme, gate_slot(e.state)),
        ),
    ];
    let flag =
        |text: String, s: Slot| Span::styled(text, slot(theme, s).add_modifier(Modifier::BOLD));
    if !e.stale.is_empty() || e.waiting == crate::domain::queue::Waiting::Stale {
        spans.push(flag("STALE ".into(), Slot::GateStale));
    }
    if e.blocked_by_stale_gate1 {
        spans.push(flag("blocked by G1 ".into(), Slot::GateStale));
    }
    if !e.conflicts.is_empty() {
        let n = e.conflicts.len();
        spans.push(flag(
            format!("{n} conflict{} ", if n == 1 { "" } else { "s" }),
            Slot::UiBannerWarning,
        ));
    }
    if e.quorum.asked && e.quorum.have > 0 {
        spans.push(Span::raw(format!(
            "{}/{} ok ",
            e.quorum.have, e.quorum.needed
        )));
    }
    let (auto, style) = match &e.auto.first_failure {
        None => (e.auto.summary(), slot(theme, Slot::CriterionPass)),
        Some(f) => (
            format!(
                "{}/{} auto pass; {}{} fails at {}: {}",
                e.auto.passed,
                e.auto.total,
                f.id,
                if f.hard { " (hard)" } else { "" },
                f.finding.position,
                f.finding.message
            ),
            slot(theme, Slot::CriterionFail),
        ),
    };
    let mut lines = Vec::new();
    if wide {
        let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
        spans.push(Span::styled(
            truncate(&auto, width.saturating_sub(used)),
            style,
        ));
        lines.push(Line::from(spans));
    } else {
        let indent = 9;
        lines.push(Line::from(spans));
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(indent)),
            Span::styled(truncate(&auto, width.saturating_sub(indent)), style),
        ]));
    }
    if selected {
        lines
            .into_iter()
            .map(|l| l.style(slot(theme, Slot::UiSelection)))
            .collect()
    } else {
        lines
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
    let waiting = ws.waiting_visible();
    let mut lines: Vec<Line> = Vec::new();
    if let Some(err) = &ws.error {
        lines.push(Line::styled(
            truncate(err, width),
            slot(theme, Slot::UiBannerError),
        ));
    }
    if let Some(err) = &ws.waiting_error {
        lines.push(Line::styled(
            truncate(&format!("waiting gates: {err}"), width),
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
    // The list as lines, each with the item it shows (headings have none); scrolled so the
    // cursor's line is in view.
    let mut body: Vec<(Line, Option<usize>)> = Vec::new();
    let items = ws.items();
    if !waiting.is_empty() {
        let n = waiting.len();
        body.push((
            Line::styled(
                truncate(
                    &format!(
                        "waiting for you ({}): {n} gate{}, oldest first",
                        state.identity,
                        if n == 1 { "" } else { "s" }
                    ),
                    width,
                ),
                slot(theme, Slot::UiTitle).add_modifier(Modifier::BOLD),
            ),
            None,
        ));
    }
    for (i, item) in items.iter().enumerate() {
        if let ListItem::Engagement(_) = item
            && i == waiting.len()
        {
            if !waiting.is_empty() {
                body.push((Line::raw(""), None));
            }
            body.push((header_line(state, theme, width), None));
        }
        let shown = match item {
            ListItem::Waiting(w) => waiting_lines(theme, w, width, i == ws.selected),
            ListItem::Engagement(r) => vec![row_line(state, theme, r, width, i == ws.selected)],
        };
        body.extend(shown.into_iter().map(|l| (l, Some(i))));
    }
    let sample = visible.iter().find(|r| r.sample).map(|r| r.slug.clone());
    let h = usize::from(list.height)
        .saturating_sub(lines.len() + if sample.is_some() { 2 } else { 0 })
        .max(1);
    // The last line of the selected item (a waiting gate may take two).
    let at = body
        .iter()
        .rposition(|(_, i)| *i == Some(ws.selected))
        .unwrap_or(0);
    let first = at.saturating_sub(h.saturating_sub(1));
    lines.extend(body.into_iter().skip(first).take(h).map(|(l, _)| l));
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
