//! The workspace metrics view (`show_metrics`): engagements closed per month (bar chart), the
//! median days to an approved spec and design per month (sparklines; a month with no approval is
//! absent, not zero), the monthly table, and each engagement's figures with unfinished ones
//! marked provisional.

use super::frame::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Clear, Paragraph, Sparkline};

use super::Hints;
use super::{Slot, Theme, centered, pane_block, slot, truncate};
use crate::app::Command;
use crate::app::State;
use crate::domain::metrics::WorkspaceMetrics;
use crate::domain::packet::{days, percent};
use crate::domain::phase::Phase;

/// The status bar's hints while the metrics view is open.
pub const HINTS: Hints = Hints::commands(&[Command::Leave]);

fn median_days(d: Option<f64>) -> String {
    d.map_or_else(|| "—".into(), |d| format!("{d:.1}d"))
}

fn chart_block<'a>(theme: &Theme, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::TOP)
        .title(Span::styled(title, slot(theme, Slot::UiTitle)))
        .border_style(slot(theme, Slot::UiBorder))
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, m: &WorkspaceMetrics) {
    let rect = centered(
        area,
        area.width.saturating_sub(4).min(110),
        area.height.saturating_sub(2).max(area.height.min(3)),
    );
    frame.render_widget(Clear, rect);
    if rect.width < 3 || rect.height < 3 {
        return;
    }
    let block = pane_block(theme, " Metrics — workspace trends per month ", true);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let charts_h = if inner.height >= 30 { 10 } else { 7 };
    let [charts, rest] = Layout::vertical([
        Constraint::Length(charts_h.min(inner.height)),
        Constraint::Min(0),
    ])
    .areas(inner);
    let [bars, lines] =
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(charts);
    let [spec_area, design_area] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(lines);

    let months = &m.trends.months;
    let label = |month: &str| month.get(2..).unwrap_or(month).to_string();
    let group: Vec<Bar> = months
        .iter()
        .map(|t| {
            Bar::default()
                .value(t.closed as u64)
                .label(Line::from(label(&t.month)))
                .style(slot(theme, Slot::UiTitle))
        })
        .collect();
    frame.render_widget(
        BarChart::default()
            .block(chart_block(theme, " closed per month ".into()))
            .data(BarGroup::default().bars(&group))
            .bar_width(5)
            .bar_gap(1),
        bars,
    );
    // Sparklines of medians in tenths of a day; a month without an approval has no bar.
    // Each month several columns wide (as the bars are), so a few months still read as a chart.
    let per_month = (usize::from(lines.width) / months.len().max(1)).clamp(1, 6);
    let series = |f: &dyn Fn(&crate::domain::metrics::MonthTrend) -> Option<f64>| {
        months
            .iter()
            .flat_map(|t| {
                let v = f(t).map(|d| (d * 10.0).round().max(1.0) as u64);
                std::iter::repeat_n(v, per_month)
            })
            .collect::<Vec<Option<u64>>>()
    };
    let last = |f: &dyn Fn(&crate::domain::metrics::MonthTrend) -> Option<f64>| {
        months.iter().rev().find_map(f)
    };
    let spec = |t: &crate::domain::metrics::MonthTrend| t.median_days_to_approved_spec;
    let design = |t: &crate::domain::metrics::MonthTrend| t.median_days_to_approved_design;
    for (area, title, f) in [
        (
            spec_area,
            "median days to approved spec",
            &spec as &dyn Fn(&crate::domain::metrics::MonthTrend) -> Option<f64>,
        ),
        (design_area, "median days to approved design", &design),
    ] {
        let data = series(f);
        frame.render_widget(
            Sparkline::default()
                .block(chart_block(
                    theme,
                    format!(" {title} (latest {}) ", median_days(last(f))),
                ))
                .data(data)
                .absent_value_symbol(if state.ascii { "." } else { "·" })
                .style(slot(theme, Slot::UiKey)),
            area,
        );
    }

    let width = usize::from(rest.width);
    let mut out: Vec<Line> = Vec::new();
    out.push(Line::from(Span::styled(
        format!(
            "{:<8} {:>6} {:>9} {:>9} {:>6} {:>6}",
            "month", "closed", "spec", "design", "dev%", "reuse%"
        ),
        slot(theme, Slot::UiTitle),
    )));
    for t in months {
        out.push(Line::from(format!(
            "{:<8} {:>6} {:>9} {:>9} {:>6} {:>6}",
            t.month,
            t.closed,
            median_days(t.median_days_to_approved_spec),
            median_days(t.median_days_to_approved_design),
            percent(t.deviation_rate),
            percent(t.reuse_rate)
        )));
    }
    out.push(Line::from(format!(
        "not closed: {} (provisional) dev {} reuse {}",
        m.trends.open.engagements,
        percent(m.trends.open.deviation_rate),
        percent(m.trends.open.reuse_rate)
    )));
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        format!(
            "{:<22} {:<12} {:>7} {:>7} {:>7} {:>6} {:>6}",
            "engagement", "phase", "spec", "design", "value", "dev%", "reuse%"
        ),
        slot(theme, Slot::UiTitle),
    )));
    for (slug, phase, fig) in &m.engagements {
        let mark = if *phase == Phase::Closed { "" } else { "*" };
        out.push(Line::from(format!(
            "{:<22} {:<12} {:>7} {:>7} {:>7} {:>6} {:>6}",
            truncate(slug, 22),
            phase.as_str(),
            days(fig.time_to_approved_spec),
            days(fig.time_to_approved_design),
            days(fig.time_to_value),
            format!("{}{mark}", percent(fig.deviation_rate)),
            format!("{}{mark}", percent(fig.reuse_rate)),
        )));
    }
    out.push(Line::from(
        "* not closed: provisional   — not reached (never zero)",
    ));
    for u in &m.unreadable {
        out.push(Line::from(Span::styled(
            truncate(&format!("unreadable: {u}"), width),
            slot(theme, Slot::UiBannerError),
        )));
    }
    let lines: Vec<Line> = out
        .into_iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            let style = l.spans.first().map(|s| s.style).unwrap_or_default();
            Line::from(Span::styled(truncate(&text, width), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), rest);
}
