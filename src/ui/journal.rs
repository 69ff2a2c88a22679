//! The journal: the audit trail (seq, at, actor, what happened), chain verification status and
//! the head hash to quote in a change ticket; `Enter` on an event shows it in full (every field
//! the journal holds for it: criteria results, waiver reasons, notes, artifact hashes, and any
//! field a newer version adds, shown as it is written).

use super::frame::{Frame, FrameHasher};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::softwrap::wrap;
use super::view_state::{PaneInputs, Same};
use super::{Slot, Theme, ViewState, pane_block, slot, truncate};
use crate::app::{EngagementState, Pane, State, short_hash};
use crate::domain::allowed_signers::AllowedSigners;
use crate::domain::engagement::Engagement;
use crate::domain::journal::Event;
use crate::domain::meta::SignaturePolicy;
use crate::domain::signature::{Governance, SignatureReport, verify_journal};

/// Which journal events verified, remembered per journal head (in [`ViewState`]), so a frame
/// never re-verifies. Verification is the domain's.
#[derive(Debug, Clone, Default)]
pub struct SignatureMemo {
    last: Option<(String, Arc<SignatureReport>)>,
}

impl SignatureMemo {
    pub fn report(
        &mut self,
        e: &Engagement,
        signers: Option<&AllowedSigners>,
    ) -> Arc<SignatureReport> {
        let head = e.journal.head();
        if let Some((h, report)) = &self.last
            && h == head
        {
            return report.clone();
        }
        let report = Arc::new(
            if e.meta.policy.signatures == SignaturePolicy::Off
                && e.journal.events.iter().all(|ev| ev.seal.is_none())
            {
                SignatureReport::default()
            } else {
                verify_journal(
                    &e.journal,
                    Governance {
                        policy: e.meta.policy.signatures,
                        owner: &e.meta.owner,
                        distinct_approver: e.meta.policy.distinct_approver,
                    },
                    signers,
                )
            },
        );
        self.last = Some((head.to_string(), report.clone()));
        report
    }
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
    let journal = &e.engagement.journal;
    let focused = state.pane == Pane::Journal;
    let block = pane_block(
        theme,
        Span::styled(" Journal ", slot(theme, Slot::UiTitle)),
        focused,
    );
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    if let Some(scroll) = e.journal_detail {
        let selected = e
            .journal_selected
            .min(journal.events.len().saturating_sub(1));
        if let Some(ev) = journal.events.iter().rev().nth(selected) {
            let lines = detail_lines(ev, theme, width);
            let n = lines.len();
            let h = usize::from(inner.height);
            let scroll = scroll.min(n.saturating_sub(h));
            let shown: Vec<Line> = lines.into_iter().skip(scroll).take(h).collect();
            let more = if scroll + h < n {
                format!(" {}/{n} ↓ ", scroll + h)
            } else {
                String::new()
            };
            let block = pane_block(
                theme,
                Line::from(vec![
                    Span::styled(
                        format!(" Journal — event {} ", ev.seq),
                        slot(theme, Slot::UiTitle),
                    ),
                    Span::styled(more, slot(theme, Slot::UiTextDim)),
                ]),
                focused,
            );
            frame.render_keyed(Paragraph::new(shown).block(block), area);
            return;
        }
    }
    let inputs = Inputs {
        pane: PaneInputs {
            engagement: Same::of(&e.engagement),
            focused,
            ascii: state.ascii,
            area,
            theme: theme.fingerprint(),
        },
        allowed_signers: state.allowed_signers.as_ref().map(Same::of),
        selected: e.journal_selected,
    };
    let (lines_key, lines) = view.journal.lines(inputs, || {
        let signatures = view
            .signatures
            .report(&e.engagement, state.allowed_signers.as_deref());
        list_lines(state, e, &signatures, theme, inner, focused)
    });
    // The border is part of the widget: its key too.
    let mut key = FrameHasher::with_seed(lines_key);
    block.hash(&mut key);
    frame.render_lazy(key.finish(), area, || {
        Paragraph::new(lines.to_vec()).block(block)
    });
}

/// Everything the list's lines are made from (see [`super::view_state::Built`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pane: PaneInputs,
    allowed_signers: Option<Same<AllowedSigners>>,
    selected: usize,
}

/// The list inside the border (`inner`): the chain's state and head, then the events, newest
/// first, the selected one kept in view.
fn list_lines(
    state: &State,
    e: &EngagementState,
    signatures: &SignatureReport,
    theme: &Theme,
    inner: Rect,
    focused: bool,
) -> Vec<Line<'static>> {
    let journal = &e.engagement.journal;
    let width = usize::from(inner.width);
    let chain = match &journal.broken {
        Some(b) => Span::styled(
            truncate(
                &format!("chain BROKEN at {}: {}", b.position, b.message),
                width,
            ),
            slot(theme, Slot::GateRejected),
        ),
        None => Span::styled(
            format!(
                "chain {} head {}",
                if state.ascii { "ok" } else { "✔" },
                short_hash(journal.head())
            ),
            slot(theme, Slot::GateApproved),
        ),
    };
    let mut lines = vec![Line::from(chain)];
    let events = &journal.events;
    let h = usize::from(inner.height.saturating_sub(1));
    let selected = e.journal_selected.min(events.len().saturating_sub(1));
    // Newest first, so the latest decisions are visible without scrolling.
    let ordered: Vec<_> = events.iter().rev().collect();
    let first = selected.saturating_sub(h.saturating_sub(1));
    lines.extend(
        ordered
            .iter()
            .enumerate()
            .skip(first)
            .take(h)
            .map(|(i, ev)| {
                let at = ev.at.to_string();
                let at = if width < 60 {
                    at.get(..10).unwrap_or(&at).to_string()
                } else {
                    at
                };
                let head = format!("{:>3} {at} ", ev.seq);
                // Verified decisions are marked with a word, not only a color.
                let (mark, mark_slot) = match signatures.of(ev.seq) {
                    Some(s) if s.verified => (
                        if state.ascii { "[sig] " } else { "✔sig " },
                        Slot::GateApproved,
                    ),
                    Some(s) if s.fingerprint.is_some() || s.problem.is_some() => (
                        if state.ascii { "[sig?] " } else { "✘sig " },
                        Slot::GateRejected,
                    ),
                    _ => ("", Slot::UiTextDim),
                };
                // An agent's event is marked (never a decision: agents have no decision tools).
                let agent = if crate::store::agents::is_agent(&ev.actor) {
                    super::live::agent_mark(state.ascii)
                } else {
                    ""
                };
                let actor = format!("{} ", ev.actor);
                let rest = width.saturating_sub(
                    head.chars().count()
                        + agent.chars().count()
                        + actor.chars().count()
                        + mark.chars().count(),
                );
                let line = Line::from(vec![
                    Span::styled(head, slot(theme, Slot::UiTextDim)),
                    // Before the actor, so a narrow pane still shows it.
                    Span::styled(agent, slot(theme, Slot::UiBannerWarning)),
                    Span::styled(actor, slot(theme, Slot::UiTextDim)),
                    Span::styled(mark, slot(theme, mark_slot)),
                    Span::raw(truncate(&ev.body.summary(), rest)),
                ]);
                if i == selected && focused {
                    line.style(slot(theme, Slot::UiSelection))
                } else {
                    line
                }
            }),
    );
    lines
}

/// Every field of `ev`, one per row (wrapped), in the order the journal writes them except the
/// hashes, which come last; lists of records (criteria, artifacts) one record per row.
pub fn detail_lines(ev: &Event, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let dim = slot(theme, Slot::UiTextDim);
    let mut out: Vec<Line<'static>> = vec![Line::styled(
        truncate(
            &format!("{} — {}", ev.body.kind(), ev.body.summary()),
            width,
        ),
        slot(theme, Slot::UiTitle),
    )];
    let text = ev.to_toml();
    let table = toml::from_str::<toml::Table>(&text)
        .ok()
        .and_then(|t| match t.get("event") {
            Some(toml::Value::Array(a)) => a.first().and_then(|v| v.as_table()).cloned(),
            _ => None,
        });
    let Some(table) = table else {
        out.extend(text.lines().map(|l| Line::raw(l.to_string())));
        return out;
    };
    // The record's own fields first; the artifact (and build) hashes, long and many, last.
    let hashes = |k: &str| matches!(k, "artifacts" | "templates" | "build" | "items");
    let ordered = table
        .iter()
        .filter(|(k, _)| !hashes(k))
        .chain(table.iter().filter(|(k, _)| hashes(k)));
    for (key, value) in ordered {
        match value {
            toml::Value::Array(items) if items.iter().any(toml::Value::is_table) => {
                out.push(Line::styled(format!("{key}:"), dim));
                for item in items {
                    for (i, row) in wrap(&plain(item), width.saturating_sub(4))
                        .into_iter()
                        .enumerate()
                    {
                        let lead = if i == 0 { "  - " } else { "    " };
                        out.push(Line::raw(format!("{lead}{row}")));
                    }
                }
            }
            other => {
                let label = format!("{key}: ");
                let rows = wrap(&format!("{label}{}", plain(other)), width);
                for (i, row) in rows.into_iter().enumerate() {
                    if i == 0 && row.starts_with(&label) {
                        let rest = row[label.len()..].to_string();
                        out.push(Line::from(vec![
                            Span::styled(label.clone(), dim),
                            Span::raw(rest),
                        ]));
                    } else {
                        out.push(Line::raw(row));
                    }
                }
            }
        }
    }
    out
}

/// A TOML value as a person reads it: strings without quotes, tables as `key value, …`.
fn plain(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) => {
            let items: Vec<String> = a.iter().map(plain).collect();
            format!("[{}]", items.join(", "))
        }
        toml::Value::Table(t) => t
            .iter()
            .map(|(k, v)| format!("{k} {}", plain(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}
