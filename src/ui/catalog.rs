//! The catalog overlay: the filter and the matching `SLUG/COMP-n@VERSION` entries, or one
//! entry in full (what it satisfies, its acceptance, lineage, deviations and files).

use super::frame::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::Hints;
use super::{Slot, Theme, centered, pane_block, slot, truncate};
use crate::app::model::overlay::CatalogOverlay;
use crate::app::{Command, Context, State, short_hash};
use crate::domain::catalog::{Catalog, CatalogEntry};

/// The status bar's hints while the catalog's list takes text (the filter).
pub const LIST_HINTS: Hints =
    Hints::keys(&[("type", "filter"), ("Enter", "details"), ("Esc", "close")]);

/// The status bar's hints on an entry shown in full.
pub const DETAIL_HINTS: Hints = Hints::commands(&[
    Command::InsertReuse,
    Command::MoveDown,
    Command::MoveUp,
    Command::Cancel,
]);

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, o: &CatalogOverlay) {
    let rect = centered(
        area,
        area.width.saturating_sub(2).min(110),
        area.height.saturating_sub(2),
    );
    if rect.width < 3 || rect.height < 3 {
        frame.render_widget(Clear, rect);
        return;
    }
    let title = match &o.catalog {
        Some(c) => format!(
            " Catalog: {} component(s) of {} closed engagement(s) ",
            c.entries.len(),
            c.engagements.len()
        ),
        None => " Catalog ".to_string(),
    };
    let block = pane_block(theme, title, true);
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let lines = match (&o.catalog, o.selected_entry()) {
        (None, _) => vec![Line::from("reading the catalog…")],
        (Some(c), Some(e)) if o.detail => detail(state, theme, c, e),
        (Some(c), _) => list(state, theme, c, o, inner),
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn list<'a>(
    state: &State,
    theme: &Theme,
    catalog: &Catalog,
    o: &CatalogOverlay,
    inner: Rect,
) -> Vec<Line<'a>> {
    let width = usize::from(inner.width);
    let cursor = if state.ascii { "_" } else { "▏" };
    let mut out = vec![Line::from(vec![
        Span::styled("filter: ", slot(theme, Slot::UiTextDim)),
        Span::raw(o.query.clone()),
        Span::raw(cursor),
        Span::styled(
            format!("   {}/{}", o.hits.len(), catalog.entries.len()),
            slot(theme, Slot::UiTextDim),
        ),
    ])];
    if catalog.entries.is_empty() {
        out.push(Line::from(
            "no closed engagement in this workspace yet: the catalog lists the components of closed engagements",
        ));
        return out;
    }
    if o.hits.is_empty() {
        out.push(Line::from("no entry matches every word of the filter"));
        return out;
    }
    let rows = usize::from(inner.height).saturating_sub(1).max(1);
    let first = o.selected.saturating_sub(rows.saturating_sub(1));
    let ref_w = 34.min(width);
    for (i, index) in o.hits.iter().enumerate().skip(first).take(rows) {
        let Some(e) = catalog.entries.get(*index) else {
            continue;
        };
        let mut spans = vec![Span::styled(
            format!("{:<ref_w$} ", truncate(&e.reference(), ref_w)),
            slot(theme, Slot::UiTitle),
        )];
        let mut rest = e.name.clone();
        if catalog.superseded(e).is_some() {
            rest.push_str(" (superseded)");
        }
        spans.push(Span::raw(truncate(&rest, width.saturating_sub(ref_w + 1))));
        let line = Line::from(spans);
        out.push(if i == o.selected {
            line.style(slot(theme, Slot::UiSelection))
        } else {
            line
        });
    }
    out
}

fn field<'a>(theme: &Theme, name: &'static str, value: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{name}: "), slot(theme, Slot::UiTextDim)),
        Span::raw(value),
    ])
}

fn detail<'a>(state: &State, theme: &Theme, catalog: &Catalog, e: &CatalogEntry) -> Vec<Line<'a>> {
    let mut out = vec![
        Line::from(Span::styled(e.reference(), slot(theme, Slot::UiTitle))),
        field(theme, "name", e.name.clone()),
        field(
            theme,
            "from",
            format!(
                "{}, closed {} (event {})",
                e.slug,
                e.closed_at,
                short_hash(&e.version)
            ),
        ),
        field(
            theme,
            "satisfies",
            e.satisfies
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        field(
            theme,
            "acceptance",
            e.acceptance.clone().unwrap_or_default(),
        ),
        field(
            theme,
            "reuses",
            e.reuse.clone().unwrap_or_else(|| "—".into()),
        ),
    ];
    if let Some(s) = catalog.superseded(e) {
        let newer = s.entry.map_or_else(
            || {
                format!(
                    "{}@{} (no {} there)",
                    s.newer.slug,
                    s.newer.version(),
                    e.component
                )
            },
            CatalogEntry::reference,
        );
        out.push(Line::from(Span::styled(
            format!("superseded by {newer}"),
            slot(theme, Slot::UiBannerWarning),
        )));
    }
    if e.deviations.is_empty() {
        out.push(field(theme, "deviations", "none".into()));
    } else {
        out.push(field(theme, "deviations", String::new()));
        for d in &e.deviations {
            out.push(Line::from(format!("  {d}")));
        }
    }
    if e.files.is_empty() {
        out.push(field(
            theme,
            "files",
            format!("none under build/{}/", e.component),
        ));
    } else {
        out.push(field(theme, "files", String::new()));
        for f in &e.files {
            out.push(Line::from(format!(
                "  build/{}  {}",
                f.path,
                f.sha256.as_deref().map_or("(not read)", short_hash)
            )));
        }
    }
    out.push(Line::from(""));
    let key = state
        .keys
        .hint(Context::Overlay, Command::InsertReuse)
        .unwrap_or_else(|| "insert_reuse".into());
    out.push(Line::from(vec![
        Span::styled(key, slot(theme, Slot::UiKey)),
        Span::raw(format!(" inserts `{}` into the design", e.reuse_line())),
    ]));
    out
}
