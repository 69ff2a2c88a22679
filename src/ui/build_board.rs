//! The build board (phase 4): the execution contract's components as a dependency graph laid
//! out in build order — one column per dependency depth, leaves on the left — each card with
//! its build position, status (pending → built → validated, from the journal) and what it
//! waits on. Under the graph, the selected component in full: satisfies (and whether each
//! requirement is closed), depends-on, what it unblocks, reuse, acceptance, its `build/COMP-n/`
//! files and deviations; beside it the reconciliation gauge and the unassigned `build/` files.
//!
//! Also the dispatcher of the main pane: the diff pane when open, the board in phase 4, the
//! editor otherwise.

use std::collections::BTreeSet;

use super::frame::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use super::Hints;
use super::{Slot, Theme, pane_block, reconciliation, slot, truncate};
use crate::app::Command;
use crate::app::{EngagementState, Mode, Pane, State};
use crate::domain::artifact::Artifact;
use crate::domain::evaluate::{ComponentRow, Evaluation};
use crate::domain::ids::ItemId;
use crate::domain::journal::ComponentStatus;
use crate::domain::phase::Phase;
use crate::domain::progress::{Board, board, build_position, dependents, summary, waiting_on};
use crate::domain::records::DeviationTarget;

/// The status bar's hints on the build board.
pub const HINTS: Hints = Hints::commands(&[
    Command::MarkBuilt,
    Command::MarkValidated,
    Command::CompleteBuild,
    Command::RecordDeviation,
    Command::ShowDiff,
    Command::CloseEngagement,
    Command::Help,
    Command::ShowPhase1,
    Command::Journal,
    Command::ZoomPane,
    Command::Messages,
    Command::Leave,
]);

/// Card size on the graph.
const CARD_H: u16 = 5;
const MIN_COL_W: u16 = 16;
const GAP: u16 = 3;

/// Whether the main pane takes the whole body (the board and the diff need the width).
pub fn takes_body(state: &State, e: &EngagementState) -> bool {
    state.pane == Pane::Editor
        && state.mode != Mode::Edit
        && (e.build.diff.is_some() || e.shown_phase == Phase::Build)
}

/// The main pane: the diff when open, the board in phase 4, else the artifact editor.
pub fn main_pane(
    state: &State,
    e: &EngagementState,
    view: &mut super::ViewState,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    if state.mode != Mode::Edit {
        if let Some(view) = &e.build.diff {
            super::diff::render(state, e, view, theme, frame, area);
            return;
        }
        if e.shown_phase == Phase::Build {
            render(state, e, theme, frame, area);
            return;
        }
    }
    super::editor::render(state, e, view, theme, frame, area);
}

pub fn status_glyph(status: ComponentStatus, removed: bool, ascii: bool) -> &'static str {
    match (removed, status, ascii) {
        (true, _, false) => "✘",
        (true, _, true) => "[x]",
        (_, ComponentStatus::Validated, false) => "✔",
        (_, ComponentStatus::Built, false) => "◐",
        (_, ComponentStatus::Pending, false) => "○",
        (_, ComponentStatus::Validated, true) => "[+]",
        (_, ComponentStatus::Built, true) => "[~]",
        (_, ComponentStatus::Pending, true) => "[ ]",
    }
}

pub fn status_style(theme: &Theme, status: ComponentStatus, removed: bool) -> Style {
    if removed {
        return slot(theme, Slot::UiTextDim).add_modifier(Modifier::CROSSED_OUT);
    }
    match status {
        ComponentStatus::Validated => slot(theme, Slot::CriterionPass),
        ComponentStatus::Built => slot(theme, Slot::GatePending),
        ComponentStatus::Pending => slot(theme, Slot::UiText),
    }
}

fn status_word(c: &ComponentRow) -> String {
    let mut s = if c.removed {
        "removed".to_string()
    } else {
        c.status.as_str().to_string()
    };
    if c.added {
        s.push_str(" · added");
    }
    s
}

/// What a card says under its title: what it waits on, or what can happen next.
fn next_line(ev: &Evaluation, c: &ComponentRow, ascii: bool) -> (String, Slot) {
    if c.removed {
        return ("removed by a deviation".into(), Slot::UiTextDim);
    }
    let waiting = waiting_on(ev, c);
    if !waiting.is_empty() {
        let names: Vec<String> = waiting.iter().map(ToString::to_string).collect();
        return (format!("waits on {}", names.join(", ")), Slot::GatePending);
    }
    let arrow = if ascii { "<-" } else { "←" };
    match c.status {
        ComponentStatus::Pending if ev.phase == Phase::Build => {
            ("ready to build".into(), Slot::CriterionPass)
        }
        ComponentStatus::Built if ev.phase == Phase::Build => {
            ("ready to validate".into(), Slot::CriterionPass)
        }
        _ if c.depends_on.is_empty() => ("leaf".into(), Slot::UiTextDim),
        _ => {
            let names: Vec<String> = c.depends_on.iter().map(ToString::to_string).collect();
            (format!("{arrow} {}", names.join(", ")), Slot::UiTextDim)
        }
    }
}

fn card(
    state: &State,
    ev: &Evaluation,
    c: &ComponentRow,
    selected: bool,
    theme: &Theme,
    frame: &mut Frame,
    rect: Rect,
) {
    if rect.width < 4 || rect.height < 3 {
        return;
    }
    let style = status_style(theme, c.status, c.removed);
    let position = build_position(ev, c.id).map_or_else(|| "#?".to_string(), |p| format!("#{p}"));
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(if selected {
            slot(theme, Slot::UiBorderFocus)
        } else {
            style.remove_modifier(Modifier::CROSSED_OUT)
        })
        .title(Line::from(vec![
            // The selection is told by this marker too, not only by color and a thick border
            // (an ASCII terminal draws every border alike).
            Span::styled(
                if selected {
                    format!("{} {position} ", if state.ascii { ">>" } else { "▶" })
                } else {
                    format!(" {position} ")
                },
                if selected {
                    slot(theme, Slot::UiBorderFocus).add_modifier(Modifier::BOLD)
                } else {
                    slot(theme, Slot::UiTextDim)
                },
            ),
            Span::styled(format!("{} ", c.id), slot(theme, Slot::MarkdownId)),
        ]));
    if selected && !state.ascii {
        block = block.border_type(BorderType::Thick);
    }
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let w = usize::from(inner.width);
    let (next, next_slot) = next_line(ev, c, state.ascii);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{} ", status_glyph(c.status, c.removed, state.ascii)),
                style,
            ),
            Span::styled(
                truncate(&status_word(c), w.saturating_sub(2)),
                style.add_modifier(Modifier::BOLD),
            ),
        ]),
        Line::styled(truncate(&c.title, w), slot(theme, Slot::UiText)),
        Line::styled(truncate(&next, w), slot(theme, next_slot)),
    ];
    if selected {
        for l in &mut lines {
            l.style = slot(theme, Slot::UiSelection);
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The graph: columns of cards by dependency depth.
fn graph(
    state: &State,
    e: &EngagementState,
    b: &Board,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let ev = &e.disk;
    let columns: Vec<&Vec<ItemId>> = b.columns().collect();
    let n = columns.len();
    if n == 0 || area.height < 2 {
        return;
    }
    let selected = e.build.selected.and_then(|id| b.locate(id));
    // How many columns fit; a window around the selected one when not all do.
    let fit = usize::from((area.width + GAP) / (MIN_COL_W + GAP)).max(1);
    let shown = n.min(fit);
    let sel_col = selected.map_or(0, |(c, _)| c);
    let first = sel_col.saturating_sub(shown - 1).min(n - shown);
    let shown_u16 = u16::try_from(shown).unwrap_or(1);
    let col_w = (area.width.saturating_sub(GAP * (shown_u16 - 1))) / shown_u16;
    let rows_fit = usize::from(area.height.saturating_sub(1) / CARD_H).max(1);
    let dim = slot(theme, Slot::UiTextDim);
    for (k, col) in columns.iter().enumerate().skip(first).take(shown) {
        let i = u16::try_from(k - first).unwrap_or(0);
        let x = area.x + i * (col_w + GAP);
        let blocked = k >= b.levels.len();
        let mut label = match (k, blocked) {
            (_, true) => "dependency cycle".to_string(),
            (0, _) => "level 0 · leaves".to_string(),
            (k, _) => format!("level {k}"),
        };
        let skip = match selected {
            Some((c, r)) if c == k && r >= rows_fit => r + 1 - rows_fit,
            _ => 0,
        };
        let hidden = col.len().saturating_sub(rows_fit);
        if hidden > 0 {
            label.push_str(&format!(" ({} of {})", rows_fit.min(col.len()), col.len()));
        }
        if k == first && first > 0 {
            label = format!("{} {label}", if state.ascii { "<" } else { "◀" });
        }
        if k + 1 == first + shown && first + shown < n {
            label.push_str(if state.ascii { " >" } else { " ▶" });
        }
        frame.render_widget(
            Paragraph::new(Line::styled(truncate(&label, usize::from(col_w)), dim)),
            Rect {
                x,
                y: area.y,
                width: col_w,
                height: 1,
            },
        );
        for (j, id) in col.iter().enumerate().skip(skip).take(rows_fit) {
            let Some(c) = ev.component(*id) else { continue };
            let y = area.y + 1 + u16::try_from(j - skip).unwrap_or(0) * CARD_H;
            let rect = Rect {
                x,
                y,
                width: col_w,
                height: CARD_H.min(area.bottom().saturating_sub(y)),
            };
            card(
                state,
                ev,
                c,
                e.build.selected == Some(*id),
                theme,
                frame,
                rect,
            );
            // An arrow only where the card to the left is one of this card's dependencies
            // (other dependencies are named on the card and under the graph).
            let prev_skip = match selected {
                Some((sc, r)) if sc + 1 == k && r >= rows_fit => r + 1 - rows_fit,
                _ => 0,
            };
            let left = k
                .checked_sub(1)
                .and_then(|p| columns.get(p))
                .and_then(|prev| prev.get(j - skip + prev_skip));
            if k > first && left.is_some_and(|l| c.depends_on.contains(l)) && rect.height >= 3 {
                let arrow = if state.ascii { "->" } else { "─▶" };
                let ax = x.saturating_sub(GAP) + 1;
                frame.render_widget(
                    Paragraph::new(Line::styled(arrow, slot(theme, Slot::UiBorder))),
                    Rect {
                        x: ax,
                        y: y + 2,
                        width: 2,
                        height: 1,
                    },
                );
            }
        }
    }
}

/// The selected component in full.
fn details(state: &State, e: &EngagementState, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let ev = &e.disk;
    let Some(c) = e.build.selected.and_then(|id| ev.component(id)) else {
        return vec![Line::styled(
            "no component selected",
            slot(theme, Slot::UiTextDim),
        )];
    };
    let dim = slot(theme, Slot::UiTextDim);
    let label = |s: &str| Span::styled(format!("{s:<11}"), dim);
    let rest = width.saturating_sub(11);
    let mut lines = Vec::new();
    let position = build_position(ev, c.id).map_or_else(
        || "not in the build order (dependency cycle)".into(),
        |p| format!("#{p} of {} in build order", ev.build_order.order.len()),
    );
    lines.push(Line::from(vec![
        Span::styled(format!("{} ", c.id), slot(theme, Slot::MarkdownId)),
        Span::styled(
            truncate(&c.title, width.saturating_sub(c.id.to_string().len() + 1)),
            slot(theme, Slot::UiTitle),
        ),
    ]));
    let style = status_style(theme, c.status, c.removed);
    lines.push(Line::from(vec![
        label("status"),
        Span::styled(
            format!(
                "{} {}",
                status_glyph(c.status, c.removed, state.ascii),
                status_word(c)
            ),
            style.add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            truncate(&format!(" · {position}"), rest.saturating_sub(12)),
            dim,
        ),
    ]));
    let mut order = vec![label("order")];
    order.extend(order_spans(state, ev, theme, rest));
    lines.push(Line::from(order));
    let deps: Vec<Span<'static>> = if c.depends_on.is_empty() {
        vec![Span::styled("none (a leaf)", dim)]
    } else {
        let mut v = Vec::new();
        for (i, d) in c.depends_on.iter().enumerate() {
            if i > 0 {
                v.push(Span::raw(", "));
            }
            match ev.component(*d) {
                Some(dc) => {
                    v.push(Span::raw(format!("{d} ")));
                    v.push(Span::styled(
                        format!(
                            "{} {}",
                            status_glyph(dc.status, dc.removed, state.ascii),
                            dc.status.as_str()
                        ),
                        status_style(theme, dc.status, dc.removed),
                    ));
                }
                None => v.push(Span::styled(
                    format!("{d} (unknown)"),
                    slot(theme, Slot::CriterionFail),
                )),
            }
        }
        v
    };
    let mut dep_line = vec![label("depends on")];
    dep_line.extend(deps);
    lines.push(Line::from(dep_line));
    let unblocks = dependents(ev, c.id);
    if !unblocks.is_empty() {
        lines.push(Line::from(vec![
            label("unblocks"),
            Span::raw(truncate(
                &unblocks
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                rest,
            )),
        ]));
    }
    // Requirements it closes: closed once every component satisfying it is validated.
    let spec = ev.doc(Artifact::Spec);
    if c.satisfies.is_empty() {
        lines.push(Line::from(vec![
            label("satisfies"),
            Span::styled("no requirement", slot(theme, Slot::CriterionFail)),
        ]));
    }
    for (i, req) in c.satisfies.iter().enumerate() {
        let others: Vec<ItemId> = ev
            .required_components()
            .filter(|x| x.satisfies.contains(req) && x.status != ComponentStatus::Validated)
            .map(|x| x.id)
            .collect();
        let (mark, state_text, st) = if others.is_empty() {
            (
                if state.ascii { "[+]" } else { "✔" },
                "closed".to_string(),
                slot(theme, Slot::CriterionPass),
            )
        } else {
            (
                if state.ascii { "[ ]" } else { "○" },
                format!(
                    "open until {} validated",
                    others
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                slot(theme, Slot::GatePending),
            )
        };
        let text = spec
            .and_then(|d| d.items.iter().find(|it| it.id == *req))
            .map(|it| it.text.clone())
            .unwrap_or_default();
        let head = format!("{req} {mark} {state_text}");
        let head_len = head.chars().count();
        lines.push(Line::from(vec![
            label(if i == 0 { "closes" } else { "" }),
            Span::styled(truncate(&head, rest), st),
            Span::styled(
                truncate(&format!(" — {text}"), rest.saturating_sub(head_len)),
                dim,
            ),
        ]));
    }
    lines.push(Line::from(vec![
        label("reuse"),
        Span::raw(truncate(
            c.reuse.as_deref().unwrap_or("(not declared)"),
            rest,
        )),
    ]));
    lines.push(Line::from(vec![
        label("acceptance"),
        Span::raw(truncate(c.acceptance.as_deref().unwrap_or("(none)"), rest)),
    ]));
    let files: Vec<_> = e
        .engagement
        .build_files
        .iter()
        .filter(|f| f.component() == Some(c.id))
        .collect();
    if files.is_empty() {
        lines.push(Line::from(vec![
            label("files"),
            Span::styled(format!("none yet (build/{}/…)", c.id), dim),
        ]));
    }
    for (i, f) in files.iter().enumerate() {
        let note = match (&f.problem, &f.sha256) {
            (Some(p), _) => format!("  ({p})"),
            (None, Some(sha)) => format!("  {}", crate::app::short_hash(sha)),
            _ => String::new(),
        };
        lines.push(Line::from(vec![
            label(if i == 0 { "files" } else { "" }),
            Span::raw(truncate(
                &format!("build/{}", f.path),
                rest.saturating_sub(note.chars().count()),
            )),
            Span::styled(
                note,
                if f.problem.is_some() {
                    slot(theme, Slot::GatePending)
                } else {
                    dim
                },
            ),
        ]));
    }
    let devs: Vec<_> = ev
        .deviations
        .iter()
        .filter(|d| d.target == Some(DeviationTarget::Component(c.id)))
        .collect();
    for (i, d) in devs.iter().enumerate() {
        let impact = d.impact.map_or("?", |i| i.as_str());
        lines.push(Line::from(vec![
            label(if i == 0 { "deviations" } else { "" }),
            Span::styled(format!("{} ", d.id), slot(theme, Slot::MarkdownId)),
            Span::styled(format!("{impact} "), slot(theme, Slot::GatePending)),
            Span::raw(truncate(
                &d.description,
                rest.saturating_sub(d.id.to_string().len() + impact.len() + 2),
            )),
        ]));
    }
    lines
}

/// The build order with each component's status glyph.
fn order_spans(state: &State, ev: &Evaluation, theme: &Theme, width: usize) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut used = 0;
    let arrow = if state.ascii { " > " } else { " → " };
    for (i, id) in ev.build_order.order.iter().enumerate() {
        let Some(c) = ev.component(*id) else { continue };
        let piece = format!(
            "{}{id} {}",
            if i > 0 { arrow } else { "" },
            status_glyph(c.status, c.removed, state.ascii)
        );
        let n = piece.chars().count();
        if used + n > width {
            spans.push(Span::styled("…", slot(theme, Slot::UiTextDim)));
            break;
        }
        used += n;
        spans.push(Span::styled(
            piece,
            status_style(theme, c.status, c.removed),
        ));
    }
    spans
}

/// `build/` files that belong to no component of the contract.
fn unassigned(e: &EngagementState, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let known: BTreeSet<ItemId> = e.disk.components.iter().map(|c| c.id).collect();
    let mut lines = Vec::new();
    let dim = slot(theme, Slot::UiTextDim);
    let files: Vec<_> = e
        .engagement
        .build_files
        .iter()
        .filter(|f| f.component().is_none_or(|c| !known.contains(&c)))
        .collect();
    lines.push(Line::styled(
        format!("build/ unassigned ({})", files.len()),
        slot(theme, Slot::UiTitle),
    ));
    for f in files {
        let note = match (f.component(), &f.problem) {
            (Some(c), _) => format!(" ({c} is not a component)"),
            (None, Some(p)) => format!(" ({p})"),
            _ => String::new(),
        };
        lines.push(Line::styled(
            truncate(&format!(" build/{}{note}", f.path), width),
            if note.is_empty() {
                dim
            } else {
                slot(theme, Slot::GatePending)
            },
        ));
    }
    lines
}

pub fn render(state: &State, e: &EngagementState, theme: &Theme, frame: &mut Frame, area: Rect) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let ev = &e.disk;
    let s = summary(ev);
    let focused = state.pane == Pane::Editor;
    let pending = s.components - s.built;
    let title = Line::from(vec![
        Span::styled(" Build board ", slot(theme, Slot::UiTitle)),
        Span::styled(
            format!(
                "· {} validated · {} built · {pending} pending ",
                s.validated,
                s.built - s.validated
            ),
            slot(theme, Slot::UiTextDim),
        ),
    ]);
    let block = pane_block(theme, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width < 4 || inner.height < 2 {
        return;
    }
    let b = board(ev);
    if b.levels.is_empty() && b.blocked.is_empty() {
        let text = if ev.phase < Phase::Build {
            "no components yet: the board shows the approved design's components from Gate 2 on"
        } else {
            "the approved design has no components"
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, slot(theme, Slot::UiTextDim)))
                .wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let max_cards = b.columns().map(Vec::len).max().unwrap_or(1);
    let wanted = 1 + u16::try_from(max_cards).unwrap_or(1).saturating_mul(CARD_H);
    let graph_h = wanted
        .min(inner.height.saturating_mul(3) / 5)
        .max(inner.height.min(1 + CARD_H));
    let refusal_h = u16::from(e.build.refusal.is_some() && inner.height > graph_h + 2);
    let [graph_area, refusal_area, rest] = Layout::vertical([
        Constraint::Length(graph_h),
        Constraint::Length(refusal_h),
        Constraint::Min(0),
    ])
    .areas(inner);
    graph(state, e, &b, theme, frame, graph_area);
    if let (Some(r), true) = (&e.build.refusal, refusal_h > 0) {
        frame.render_widget(
            Paragraph::new(Line::styled(
                truncate(r, usize::from(refusal_area.width)),
                slot(theme, Slot::UiBannerError),
            )),
            refusal_area,
        );
    }
    if rest.height == 0 {
        return;
    }
    let sep = Block::default()
        .borders(Borders::TOP)
        .border_style(slot(theme, Slot::UiBorder));
    let rest_inner = sep.inner(rest);
    frame.render_widget(sep, rest);
    if rest_inner.height == 0 {
        return;
    }
    if rest_inner.width >= 100 {
        let side = rest_inner.width * 2 / 5;
        let [left, right] =
            Layout::horizontal([Constraint::Min(0), Constraint::Length(side)]).areas(rest_inner);
        frame.render_widget(
            Paragraph::new(details(
                state,
                e,
                theme,
                usize::from(left.width.saturating_sub(1)),
            )),
            left,
        );
        let w = usize::from(right.width.saturating_sub(1));
        let mut lines = reconciliation::gauge_column(
            &s,
            state,
            theme,
            w,
            usize::from(right.height).saturating_sub(4).max(2),
        );
        lines.push(Line::raw(""));
        lines.extend(unassigned(e, theme, w));
        let [_, right] =
            Layout::horizontal([Constraint::Length(1), Constraint::Min(0)]).areas(right);
        frame.render_widget(Paragraph::new(lines), right);
    } else {
        let w = usize::from(rest_inner.width);
        let gauge_h = 2.min(rest_inner.height.saturating_sub(3));
        let [top, bottom] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(gauge_h)]).areas(rest_inner);
        let mut lines = details(state, e, theme, w);
        let unassigned = unassigned(e, theme, w);
        if unassigned.len() > 1 {
            lines.push(
                Line::from(
                    unassigned
                        .iter()
                        .map(|l| {
                            l.spans
                                .iter()
                                .map(|s| s.content.to_string())
                                .collect::<String>()
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                        .chars()
                        .take(w)
                        .collect::<String>(),
                )
                .style(slot(theme, Slot::UiTextDim)),
            );
        }
        frame.render_widget(Paragraph::new(lines), top);
        if gauge_h > 0 {
            frame.render_widget(
                Paragraph::new(reconciliation::gauge(
                    &s,
                    state,
                    theme,
                    w,
                    usize::from(gauge_h),
                )),
                bottom,
            );
        }
    }
}
