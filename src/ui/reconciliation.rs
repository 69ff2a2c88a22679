//! The reconciliation gauge: explained hunks, validated components, scope-change deviations
//! with and without an amendment, design-change deviations with and without a Gate 2
//! re-approval, and whether the engagement can close (with the conditions that do not hold).
//! Shown at the top of the diff pane and beside the build board.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::{Slot, Theme, slot, truncate};
use crate::app::{Command, State};
use crate::domain::ids::ItemId;
use crate::domain::phase::Phase;
use crate::domain::progress::{CloseState, Summary};

fn ids(list: &[ItemId]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A bar of `width` cells, `done` of `total` filled.
pub fn bar(done: usize, total: usize, width: usize, ascii: bool) -> String {
    let filled = if total == 0 {
        width
    } else {
        (done * width) / total.max(1)
    };
    let (full, empty) = if ascii { ('#', '-') } else { ('█', '░') };
    std::iter::repeat_n(full, filled.min(width))
        .chain(std::iter::repeat_n(empty, width.saturating_sub(filled)))
        .collect()
}

fn ok_style(theme: &Theme, ok: bool) -> Style {
    if ok {
        slot(theme, Slot::DiffExplained)
    } else {
        slot(theme, Slot::DiffUnexplained)
    }
}

/// The key that closes, from the active keymap.
fn close_key(state: &State) -> String {
    state
        .keys
        .hint(crate::app::Context::Diff, Command::CloseEngagement)
        .or_else(|| {
            state
                .keys
                .hint(crate::app::Context::Build, Command::CloseEngagement)
        })
        .unwrap_or_else(|| "close_engagement".into())
}

/// The counts, in one line (labels shorten below 100 columns).
pub fn counts_line(s: &Summary, state: &State, theme: &Theme, width: usize) -> Line<'static> {
    let wide = width >= 100;
    let dim = slot(theme, Slot::UiTextDim);
    let sep = || Span::styled(if state.ascii { " | " } else { " │ " }, dim);
    let mut spans: Vec<Span<'static>> = Vec::new();
    if s.reconciled {
        let ok = s.explained == s.hunks;
        spans.push(Span::styled(
            if wide { "hunks explained " } else { "hunks " },
            dim,
        ));
        spans.push(Span::styled(
            format!("{}/{}", s.explained, s.hunks),
            ok_style(theme, ok).add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            bar(s.explained, s.hunks, if wide { 10 } else { 5 }, state.ascii),
            ok_style(theme, ok),
        ));
    } else {
        spans.push(Span::styled(
            "no reconciliation yet (as-built.md appears at Gate 2)",
            dim,
        ));
    }
    spans.push(sep());
    spans.push(Span::styled(
        if wide {
            "components validated "
        } else {
            "valid. "
        },
        dim,
    ));
    spans.push(Span::styled(
        format!("{}/{}", s.validated, s.components),
        ok_style(theme, s.validated == s.components).add_modifier(Modifier::BOLD),
    ));
    spans.push(sep());
    spans.push(Span::styled(
        if wide {
            "scope-change amended "
        } else {
            "scope "
        },
        dim,
    ));
    let scope_total = s.scope_amended.len() + s.scope_unamended.len();
    spans.push(Span::styled(
        format!("{}/{scope_total}", s.scope_amended.len()),
        ok_style(theme, s.scope_unamended.is_empty()),
    ));
    spans.push(sep());
    spans.push(Span::styled(
        if wide {
            "design-change re-approved "
        } else {
            "design "
        },
        dim,
    ));
    let design_total = s.design_followed.len() + s.design_unfollowed.len();
    let design_style = if s.design_unfollowed.is_empty() {
        ok_style(theme, true)
    } else {
        slot(theme, Slot::GatePending)
    };
    spans.push(Span::styled(
        format!("{}/{design_total}", s.design_followed.len()),
        design_style,
    ));
    Line::from(spans)
}

/// Whether the engagement can close, in one line.
pub fn close_line(s: &Summary, state: &State, theme: &Theme, width: usize) -> Line<'static> {
    let key = close_key(state);
    let (text, style) = match s.close {
        CloseState::Ready => (
            format!("close: every condition holds — {key} closes"),
            slot(theme, Slot::GateApproved),
        ),
        CloseState::WithReason => (
            format!(
                "close: {} design-change without a Gate 2 re-approval — {key} closes accepting it with a reason",
                ids(&s.design_unfollowed)
            ),
            slot(theme, Slot::GatePending),
        ),
        CloseState::Blocked => (
            format!(
                "close: blocked by {} condition{}: {}",
                s.unmet.len(),
                if s.unmet.len() == 1 { "" } else { "s" },
                s.unmet
                    .first()
                    .map(|f| f.message.clone())
                    .unwrap_or_default()
            ),
            slot(theme, Slot::DiffUnexplained),
        ),
        CloseState::NotNow(Phase::Closed) => (
            "closed: the record is final".into(),
            slot(theme, Slot::GateApproved),
        ),
        CloseState::NotNow(Phase::Build) => (
            "close: after the build is completed (every component validated, then complete_build)"
                .into(),
            slot(theme, Slot::UiTextDim),
        ),
        CloseState::NotNow(p) => (
            format!("close: from As-Built (the engagement is in {})", p.title()),
            slot(theme, Slot::UiTextDim),
        ),
    };
    Line::styled(truncate(&text, width), style)
}

/// The unmet closing conditions, one per line (the close refusal names their positions).
pub fn unmet_lines(s: &Summary, theme: &Theme, width: usize, ascii: bool) -> Vec<Line<'static>> {
    let mark = if ascii { "x" } else { "✘" };
    s.unmet
        .iter()
        .map(|f| {
            Line::styled(
                truncate(&format!(" {mark} {}", f.message), width),
                slot(theme, Slot::DiffUnexplained),
            )
        })
        .collect()
}

fn metric(
    label: &str,
    done: usize,
    total: usize,
    extra: String,
    state: &State,
    theme: &Theme,
    width: usize,
) -> Line<'static> {
    let ok = done == total;
    let head = format!("{label:<21}");
    let count = format!("{done}/{total} ");
    let rest = width.saturating_sub(head.len() + count.len());
    let tail = if extra.is_empty() {
        bar(done, total, rest.min(10), state.ascii)
    } else {
        extra
    };
    Line::from(vec![
        Span::styled(head, slot(theme, Slot::UiTextDim)),
        Span::styled(count, ok_style(theme, ok).add_modifier(Modifier::BOLD)),
        Span::styled(truncate(&tail, rest), ok_style(theme, ok)),
    ])
}

/// The gauge as a column: one metric a line, then the close state and what blocks it.
pub fn gauge_column(
    s: &Summary,
    state: &State,
    theme: &Theme,
    width: usize,
    max_lines: usize,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("Reconciliation", slot(theme, Slot::UiTitle))];
    if s.reconciled {
        lines.push(metric(
            "hunks explained",
            s.explained,
            s.hunks,
            String::new(),
            state,
            theme,
            width,
        ));
    } else {
        lines.push(Line::styled(
            truncate(
                "no reconciliation yet (as-built.md appears at Gate 2)",
                width,
            ),
            slot(theme, Slot::UiTextDim),
        ));
    }
    lines.push(metric(
        "components validated",
        s.validated,
        s.components,
        String::new(),
        state,
        theme,
        width,
    ));
    let scope_total = s.scope_amended.len() + s.scope_unamended.len();
    let scope_extra = if s.scope_unamended.is_empty() {
        "amended".to_string()
    } else {
        format!("{} without amendment", ids(&s.scope_unamended))
    };
    lines.push(metric(
        "scope-change",
        s.scope_amended.len(),
        scope_total,
        scope_extra,
        state,
        theme,
        width,
    ));
    let design_total = s.design_followed.len() + s.design_unfollowed.len();
    let design_extra = if s.design_unfollowed.is_empty() {
        "re-approved".to_string()
    } else {
        format!("{} not re-approved", ids(&s.design_unfollowed))
    };
    lines.push(metric(
        "design-change",
        s.design_followed.len(),
        design_total,
        design_extra,
        state,
        theme,
        width,
    ));
    lines.push(close_line(s, state, theme, width));
    let room = max_lines.saturating_sub(lines.len());
    let unmet = if matches!(
        s.close,
        CloseState::Blocked | CloseState::NotNow(Phase::Build)
    ) {
        unmet_lines(s, theme, width, state.ascii)
    } else {
        Vec::new()
    };
    let n = unmet.len();
    if n <= room {
        lines.extend(unmet);
    } else if room > 0 {
        lines.extend(unmet.into_iter().take(room - 1));
        lines.push(Line::styled(
            format!("   … {} more", n - (room - 1)),
            slot(theme, Slot::UiTextDim),
        ));
    }
    lines.truncate(max_lines);
    lines
}

/// The gauge in at most `max_lines` lines.
pub fn gauge(
    s: &Summary,
    state: &State,
    theme: &Theme,
    width: usize,
    max_lines: usize,
) -> Vec<Line<'static>> {
    let mut lines = vec![
        counts_line(s, state, theme, width),
        close_line(s, state, theme, width),
    ];
    if s.close == CloseState::Blocked
        || (s.close == CloseState::NotNow(Phase::Build) && !s.unmet.is_empty())
    {
        let room = max_lines.saturating_sub(lines.len());
        let unmet = unmet_lines(s, theme, width, state.ascii);
        let n = unmet.len();
        if n <= room {
            lines.extend(unmet);
        } else if room > 0 {
            lines.extend(unmet.into_iter().take(room - 1));
            lines.push(Line::styled(
                format!("   … {} more (phasegate status lists all)", n - (room - 1)),
                slot(theme, Slot::UiTextDim),
            ));
        }
    }
    lines.truncate(max_lines);
    lines
}
