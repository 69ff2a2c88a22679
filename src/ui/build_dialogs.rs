//! The Build and As-Built dialogs: the deviation form (what it will write, to which file, and
//! that a journal event goes with it), the amendment form, the reason to accept design changes
//! at close, and the confirmations (reopen Gate 2, complete the build, close).

use super::frame::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::Hints;
use super::{Slot, Theme, slot, truncate};
use crate::app::Command;
use crate::app::model::forms::{
    AmendField, AmendForm, BuildConfirm, BuildOverlay, DevField, DeviationForm,
};
use crate::app::{State, short_hash};
use crate::domain::records::Impact;

/// The status bar's hints while a Build form takes text: keys, not commands.
pub const FORM_HINTS: Hints = Hints::keys(&[("Enter", "confirm"), ("Esc", "cancel")]);

/// The status bar's hints on a Build/As-Built confirmation.
pub const CONFIRM_HINTS: Hints = Hints::commands(&[Command::Confirm, Command::Cancel]);

/// A text field's visible tail with a cursor.
pub(super) fn field_text(text: &str, width: usize, focused: bool, ascii: bool) -> String {
    let cursor = if focused {
        if ascii { "_" } else { "▏" }
    } else {
        ""
    };
    let room = width.saturating_sub(cursor.chars().count());
    let n = text.chars().count();
    let shown: String = if n > room {
        let tail: String = text.chars().skip(n - room.saturating_sub(1)).collect();
        format!("{}{tail}", if ascii { "<" } else { "…" })
    } else {
        text.to_string()
    };
    format!("{shown}{cursor}")
}

/// `text` cut into lines of at most `width` characters (a preview shows every character).
fn wrap_chars(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(width.max(1))
        .map(|c| c.iter().collect())
        .collect()
}

pub(super) fn label_span(label: &str, focused: bool, theme: &Theme) -> Span<'static> {
    let style = if focused {
        slot(theme, Slot::UiSelection).add_modifier(Modifier::BOLD)
    } else {
        slot(theme, Slot::UiTextDim)
    };
    Span::styled(format!(" {label:<10}"), style)
}

fn choice(text: &str, focused: bool, ascii: bool) -> String {
    match (focused, ascii) {
        (true, false) => format!("◀ {text} ▶"),
        (true, true) => format!("< {text} >"),
        (false, _) => format!("  {text}"),
    }
}

fn deviation_lines(
    state: &State,
    f: &DeviationForm,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let w = width.saturating_sub(12);
    let ascii = state.ascii;
    let dim = slot(theme, Slot::UiTextDim);
    let (target, title) = f
        .targets
        .get(f.target)
        .map_or(("general".to_string(), String::new()), |(t, title)| {
            (t.to_string(), title.clone())
        });
    let mut lines = vec![
        Line::from(vec![
            label_span(DevField::Target.label(), f.field == DevField::Target, theme),
            Span::styled(
                choice(&target, f.field == DevField::Target, ascii),
                slot(theme, Slot::MarkdownId),
            ),
            Span::styled(
                truncate(&format!("  {title}"), w.saturating_sub(target.len() + 4)),
                dim,
            ),
        ]),
        Line::from(vec![
            label_span(DevField::Impact.label(), f.field == DevField::Impact, theme),
            Span::styled(
                choice(f.impact.as_str(), f.field == DevField::Impact, ascii),
                if f.impact == Impact::Minor {
                    slot(theme, Slot::UiText)
                } else {
                    slot(theme, Slot::GatePending).add_modifier(Modifier::BOLD)
                },
            ),
            Span::styled(
                truncate(
                    match f.impact {
                        Impact::Minor => "  no contract change",
                        Impact::DesignChange => "  the design changed: offers to reopen Gate 2",
                        Impact::ScopeChange => "  scope changed: needs a spec amendment",
                    },
                    w.saturating_sub(f.impact.as_str().len() + 4),
                ),
                dim,
            ),
        ]),
        Line::from(vec![
            label_span(DevField::What.label(), f.field == DevField::What, theme),
            Span::raw(format!(
                "  {}",
                field_text(
                    &f.what,
                    w.saturating_sub(2),
                    f.field == DevField::What,
                    ascii
                )
            )),
        ]),
        Line::from(vec![
            label_span(DevField::Why.label(), f.field == DevField::Why, theme),
            Span::raw(format!(
                "  {}",
                field_text(&f.why, w.saturating_sub(2), f.field == DevField::Why, ascii)
            )),
        ]),
        Line::raw(""),
        Line::styled(" writes to as-built.md, section Deviations:", dim),
    ];
    lines.extend(
        wrap_chars(&f.preview(), width.saturating_sub(1))
            .into_iter()
            .map(|l| Line::styled(format!(" {l}"), slot(theme, Slot::UiText))),
    );
    lines.push(Line::styled(
        " and a deviation_recorded event in the journal",
        dim,
    ));
    if let Some(err) = &f.error {
        lines.push(Line::styled(
            truncate(&format!(" {err}"), width),
            slot(theme, Slot::CriterionFail),
        ));
    } else {
        lines.push(Line::raw(""));
    }
    lines.push(hints(state, theme, "record"));
    lines
}

fn amend_lines(state: &State, f: &AmendForm, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let w = width.saturating_sub(12);
    let dim = slot(theme, Slot::UiTextDim);
    let (dev, desc, existing) = f
        .deviations
        .get(f.selected)
        .map_or((String::new(), String::new(), None), |(id, d, a)| {
            (id.to_string(), d.clone(), *a)
        });
    let mut lines = vec![
        Line::from(vec![
            label_span("deviation", f.field == AmendField::Deviation, theme),
            Span::styled(
                choice(&dev, f.field == AmendField::Deviation, state.ascii),
                slot(theme, Slot::MarkdownId),
            ),
            Span::styled(
                truncate(
                    &format!("  scope-change: {desc}"),
                    w.saturating_sub(dev.len() + 4),
                ),
                dim,
            ),
        ]),
        Line::from(vec![
            label_span("text", f.field == AmendField::Text, theme),
            Span::raw(format!(
                "  {}",
                field_text(
                    &f.text,
                    w.saturating_sub(2),
                    f.field == AmendField::Text,
                    state.ascii
                )
            )),
        ]),
    ];
    if let Some(a) = existing {
        lines.push(Line::styled(
            format!(" ({dev} already has {a}; this adds another)"),
            dim,
        ));
    }
    lines.extend([
        Line::raw(""),
        Line::styled(" appends to customer-spec.md, section Amendments:", dim),
    ]);
    lines.extend(
        wrap_chars(&f.preview(), width.saturating_sub(1))
            .into_iter()
            .map(|l| Line::styled(format!(" {l}"), slot(theme, Slot::UiText))),
    );
    lines.push(Line::styled(truncate(" and an amendment_recorded event; the governed text is unchanged, Gate 1 stays approved", width), dim));
    if let Some(err) = &f.error {
        lines.push(Line::styled(
            truncate(&format!(" {err}"), width),
            slot(theme, Slot::CriterionFail),
        ));
    } else {
        lines.push(Line::raw(""));
    }
    lines.push(hints(state, theme, "append"));
    lines
}

fn hints(state: &State, theme: &Theme, verb: &str) -> Line<'static> {
    let k = slot(theme, Slot::UiKey);
    let d = slot(theme, Slot::UiTextDim);
    let arrows = if state.ascii { "Left/Right" } else { "←→" };
    Line::from(vec![
        Span::styled(" Enter", k),
        Span::styled(format!(" {verb}  "), d),
        Span::styled("Tab", k),
        Span::styled(" next field  ", d),
        Span::styled(arrows.to_string(), k),
        Span::styled(" choose  ", d),
        Span::styled("Esc", k),
        Span::styled(" cancel", d),
    ])
}

fn confirm_lines(c: &BuildConfirm, theme: &Theme) -> (String, Vec<Line<'static>>) {
    let dim = slot(theme, Slot::UiTextDim);
    let warn = slot(theme, Slot::GatePending).add_modifier(Modifier::BOLD);
    let list = |ids: &[crate::domain::ids::ItemId]| {
        ids.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match c {
        BuildConfirm::ReopenGate2 { deviation, reason } => (
            format!(" {deviation} is a design-change: reopen Gate 2? "),
            vec![
                Line::styled(
                    "The approved design no longer describes what is built.",
                    Style::default(),
                ),
                Line::styled(
                    "Reopening returns the engagement to Design: component statuses and",
                    warn,
                ),
                Line::styled(
                    "build completion are voided (they stay in the journal), and the",
                    warn,
                ),
                Line::styled("design is re-approved on its new text.", warn),
                Line::from(vec![
                    Span::styled("reason: ", dim),
                    Span::raw(reason.clone()),
                ]),
                Line::styled(
                    "Not now: close will need a Gate 2 re-approval or a reason.",
                    dim,
                ),
            ],
        ),
        BuildConfirm::CompleteBuild { components } => (
            " Complete the build? ".into(),
            vec![
                Line::raw(format!("All {components} components are validated.")),
                Line::raw("The engagement enters As-Built: reconcile the as-built against the"),
                Line::raw("approved design (d shows the diff) and close."),
            ],
        ),
        BuildConfirm::Close {
            closer,
            reason,
            accepted,
            bound,
            reviewed,
        } => {
            let mut lines = vec![
                Line::from(vec![
                    Span::styled("closer:   ", dim),
                    Span::raw(closer.clone()),
                ]),
                Line::from(vec![
                    Span::styled("binds:    ", dim),
                    Span::raw(if bound.is_empty() {
                        "no deviation or amendment".into()
                    } else {
                        list(bound)
                    }),
                ]),
            ];
            if let Some(reason) = reason {
                lines.push(Line::from(vec![
                    Span::styled("accepts:  ", dim),
                    Span::styled(list(accepted), warn),
                ]));
                lines.push(Line::from(vec![
                    Span::styled("reason:   ", dim),
                    Span::raw(reason.clone()),
                ]));
            }
            lines.push(Line::styled("artifacts (sha256):", dim));
            for r in reviewed {
                lines.push(Line::raw(format!(
                    "  {:<20} {}",
                    r.file,
                    short_hash(&r.sha256)
                )));
            }
            lines.push(Line::styled(
                "The record becomes final; check reports later changes to bound items.",
                dim,
            ));
            (" Close the engagement? ".into(), lines)
        }
        BuildConfirm::SetStatus {
            component,
            title,
            status,
        } => (
            format!(" Mark {component} {}? ", status.as_str()),
            vec![
                Line::raw(format!("{component}: {title}")),
                Line::styled(
                    format!(
                        "Records \"{} {}\" in the journal, where it stays.",
                        component,
                        status.as_str()
                    ),
                    warn,
                ),
            ],
        ),
        BuildConfirm::RecordDeviation(f) => (
            format!(" Record {}? ", f.next_id),
            vec![
                Line::raw(f.preview()),
                Line::styled(
                    "Writes it into as-built.md and records it in the journal, where it stays.",
                    warn,
                ),
                Line::styled("Cancel returns to the form.", dim),
            ],
        ),
        BuildConfirm::RecordAmendment(f) => (
            format!(" Record {}? ", f.next_id),
            vec![
                Line::raw(f.preview()),
                Line::styled(
                    "Writes it into customer-spec.md and records it in the journal, where it stays.",
                    warn,
                ),
                Line::styled("Cancel returns to the form.", dim),
            ],
        ),
    }
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, overlay: &BuildOverlay) {
    let width = area.width.saturating_sub(4).min(78);
    let inner_w = usize::from(width.saturating_sub(2));
    let (title, lines) = match overlay {
        BuildOverlay::Deviation(f) => {
            let title = match &f.origin {
                Some(o) => format!(" Record {} — from {o} ", f.next_id),
                None => format!(" Record {} ", f.next_id),
            };
            (title, deviation_lines(state, f, theme, inner_w))
        }
        BuildOverlay::Amend(f) => (
            format!(" Spec amendment {} ", f.next_id),
            amend_lines(state, f, theme, inner_w),
        ),
        BuildOverlay::CloseReason { accepted, input } => {
            let ids = accepted
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            (
                " Close: accept design changes ".to_string(),
                vec![
                    Line::raw(truncate(
                        &format!(" {ids} has no Gate 2 re-approval. Close accepting it, because:"),
                        inner_w,
                    )),
                    Line::raw(format!(
                        " {}",
                        field_text(input, inner_w.saturating_sub(1), true, state.ascii)
                    )),
                    Line::raw(""),
                    hints_plain(state, theme),
                ],
            )
        }
        BuildOverlay::Confirm(c) => {
            let (title, mut lines) = confirm_lines(c, theme);
            lines.push(Line::raw(""));
            lines.push(super::confirm_keys(state, theme, "confirm"));
            (title, lines)
        }
    };
    // Rows as wrapped in the box, so the keys at the bottom are never cut off.
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    super::dialog(frame, area, (width, rows), theme, title, lines);
}

fn hints_plain(_state: &State, theme: &Theme) -> Line<'static> {
    let k = slot(theme, Slot::UiKey);
    let d = slot(theme, Slot::UiTextDim);
    Line::from(vec![
        Span::styled(" Enter", k),
        Span::styled(" continue  ", d),
        Span::styled("Esc", k),
        Span::styled(" cancel", d),
    ])
}
