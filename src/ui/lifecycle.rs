//! The lifecycle dialogs (`app::update::lifecycle`): the new-engagement form, the reason to
//! reopen a gate, and the journal-writing confirmations, which say that only `y` records.

use super::frame::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::Hints;
use super::build_dialogs::{field_text, label_span};
use super::{Slot, Theme, slot, truncate};
use crate::app::model::overlay::{
    LifecycleConfirm, LifecycleOverlay, NewEngagementForm, NewField, ReopenForm, reopen_consequence,
};
use crate::app::model::state::yes_keys;
use crate::app::{Command, Context, State, short_hash};

/// The status bar's hints while a lifecycle form takes text.
pub const FORM_HINTS: Hints =
    Hints::keys(&[("Enter", "continue"), ("Tab", "next"), ("Esc", "cancel")]);

/// The status bar's hints on a journal-writing confirmation: only the yes keys record.
pub const CONFIRM_HINTS: Hints = Hints {
    commands: &[],
    yes: Some("record"),
    keys: &[("Esc", "cancel")],
};

fn key(state: &State, c: Command, fallback: &str) -> String {
    state
        .keys
        .hint(Context::Overlay, c)
        .unwrap_or_else(|| fallback.to_string())
}

fn keys_line(theme: &Theme, pairs: &[(&str, &str)]) -> Line<'static> {
    let k = slot(theme, Slot::UiKey);
    let d = slot(theme, Slot::UiTextDim);
    let mut spans = Vec::new();
    for (i, (keys, what)) in pairs.iter().enumerate() {
        spans.push(Span::styled(
            format!("{}{keys}", if i == 0 { " " } else { "  " }),
            k,
        ));
        spans.push(Span::styled(format!(" {what}"), d));
    }
    Line::from(spans)
}

fn new_lines(
    state: &State,
    f: &NewEngagementForm,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let dim = slot(theme, Slot::UiTextDim);
    let w = width.saturating_sub(12);
    let mut lines = Vec::new();
    for field in NewField::ALL {
        let focused = f.field == field;
        lines.push(Line::from(vec![
            label_span(field.label(), focused, theme),
            Span::raw(field_text(f.value(field), w, focused, state.ascii)),
        ]));
    }
    lines.push(Line::styled(
        truncate(
            " slug: lowercase letters, digits and dashes; title defaults to the slug",
            width,
        ),
        dim,
    ));
    lines.push(Line::styled(
        truncate(
            " four eyes: the owner writes, someone else approves the gates",
            width,
        ),
        dim,
    ));
    if let Some(e) = &f.error {
        lines.push(Line::styled(
            format!(" {e}"),
            slot(theme, Slot::UiBannerError),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(keys_line(
        theme,
        &[
            ("Enter", "continue"),
            ("Tab", "next field"),
            ("Esc", "cancel"),
        ],
    ));
    lines
}

fn reopen_lines(state: &State, f: &ReopenForm, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let warn = slot(theme, Slot::GatePending).add_modifier(Modifier::BOLD);
    let w = width.saturating_sub(12);
    let gates: Vec<String> = f
        .choices
        .iter()
        .map(|g| {
            if *g == f.gate {
                format!("[Gate {}]", g.number())
            } else {
                format!(" Gate {} ", g.number())
            }
        })
        .collect();
    let mut lines = vec![
        Line::from(vec![
            label_span("gate", false, theme),
            Span::raw(gates.join(" ")),
        ]),
        Line::from(vec![
            label_span("reason", true, theme),
            Span::raw(field_text(&f.reason, w, true, state.ascii)),
        ]),
        Line::styled(format!(" {}", reopen_consequence(f.gate)), warn),
    ];
    if let Some(e) = &f.error {
        lines.push(Line::styled(
            format!(" {e}"),
            slot(theme, Slot::UiBannerError),
        ));
    }
    lines.push(Line::raw(""));
    let mut keys = vec![("Enter", "continue")];
    if f.choices.len() > 1 {
        keys.push(("Tab", "other gate"));
    }
    keys.push(("Esc", "cancel"));
    lines.push(keys_line(theme, &keys));
    lines
}

fn confirm_lines(
    state: &State,
    c: &LifecycleConfirm,
    theme: &Theme,
) -> (String, Vec<Line<'static>>) {
    let dim = slot(theme, Slot::UiTextDim);
    let warn = slot(theme, Slot::GatePending).add_modifier(Modifier::BOLD);
    let who = Line::from(vec![
        Span::styled("recorded by: ", dim),
        Span::raw(state.identity.clone()),
    ]);
    match c {
        LifecycleConfirm::CompleteFeasibility {
            requirements,
            reviewed,
        } => {
            let mut lines = vec![
                Line::raw(format!(
                    "All {requirements} requirements have a verdict and none is a conflict."
                )),
                Line::raw(
                    "The engagement enters Design; feasibility.md becomes evidence for Gate 2.",
                ),
                who,
                Line::styled("artifacts (sha256):", dim),
            ];
            for r in reviewed {
                lines.push(Line::raw(format!(
                    "  {:<20} {}",
                    r.file,
                    short_hash(&r.sha256)
                )));
            }
            (" Complete feasibility? ".into(), lines)
        }
        LifecycleConfirm::Reopen { gate, reason } => (
            format!(" Reopen Gate {}? ", gate.number()),
            vec![
                Line::styled(reopen_consequence(*gate).to_string(), warn),
                Line::from(vec![
                    Span::styled("reason: ", dim),
                    Span::raw(reason.clone()),
                ]),
                who,
            ],
        ),
        LifecycleConfirm::NewEngagement {
            slug, title, owner, ..
        } => (
            format!(" Create {slug}? "),
            vec![
                Line::from(vec![
                    Span::styled("title:  ", dim),
                    Span::raw(title.clone()),
                ]),
                Line::from(vec![
                    Span::styled("owner:  ", dim),
                    Span::raw(owner.clone()),
                ]),
                Line::from(vec![
                    Span::styled("policy: ", dim),
                    Span::raw("distinct_approver = true (the owner cannot approve)"),
                ]),
                Line::raw("Writes the directory from templates and its journal (`created`)."),
            ],
        ),
    }
}

/// Rows `text` takes when word-wrapped to `width` (the dialog's height follows its text).
fn wrapped_rows(text: &str, width: usize) -> usize {
    let width = width.max(1);
    let (mut rows, mut used) = (1, 0);
    for word in text.split(' ') {
        let w = word.chars().count();
        if used == 0 {
            used = w;
        } else if used + 1 + w <= width {
            used += 1 + w;
        } else {
            rows += 1;
            used = w;
        }
        while used > width {
            rows += 1;
            used -= width;
        }
    }
    rows
}

pub fn render(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    overlay: &LifecycleOverlay,
) {
    let width = area.width.saturating_sub(4).min(78);
    let inner_w = usize::from(width.saturating_sub(2));
    let (title, lines) = match overlay {
        LifecycleOverlay::NewEngagement(f) => (
            " New engagement ".to_string(),
            new_lines(state, f, theme, inner_w),
        ),
        LifecycleOverlay::Reopen(f) => (
            format!(" Reopen Gate {} ", f.gate.number()),
            reopen_lines(state, f, theme, inner_w),
        ),
        LifecycleOverlay::Confirm(c) => {
            let (title, mut lines) = confirm_lines(state, c, theme);
            lines.push(Line::raw(""));
            let yes = yes_keys(state);
            let no = key(state, Command::Cancel, "Esc");
            lines.push(keys_line(
                theme,
                &[(yes.as_str(), "record"), (no.as_str(), "cancel")],
            ));
            (title, lines)
        }
    };
    let rows: usize = lines
        .iter()
        .map(|l| wrapped_rows(&l.to_string(), inner_w))
        .sum();
    super::dialog(frame, area, (width, rows), theme, title, lines);
}
