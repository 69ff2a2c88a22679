//! The catalog overlay (`show_catalog`): the workspace's reuse catalog, filtered as you type (like
//! the workspace filter, every printable key is text — `q`, `j` and `k` included; arrows move,
//! Enter shows the entry, Esc closes), a detail view, and `insert_reuse`, which writes
//! `- reuse: catalog SLUG/COMP-n@VERSION` into the design at the cursor when the design is
//! editable in its phase.

use std::path::PathBuf;
use std::sync::Arc;

use ratatui_textarea::{CursorMove, Input, Key};

use crate::app::effect::Effect;
use crate::app::keys::Command;
use crate::app::model::overlay::CatalogOverlay;
use crate::app::{Mode, Overlay, Pane, Screen, State};
use crate::domain::artifact::Artifact;
use crate::domain::catalog::Catalog;
use crate::domain::evaluate::evaluate;

/// Where the catalog comes from: the open engagement's workspace, else the workspace listed.
fn catalog_near(state: &State) -> Option<PathBuf> {
    match (&state.engagement, &state.workspace) {
        (Some(e), _) => Some(e.root.clone()),
        (None, Some(ws)) => Some(ws.root.clone()),
        (None, None) => None,
    }
}

/// `show_catalog`: opens the overlay and asks for the catalog.
pub fn open(state: &mut State) -> Vec<Effect> {
    let Some(near) = catalog_near(state) else {
        return Vec::new();
    };
    state.overlay = Some(Overlay::Catalog(CatalogOverlay {
        catalog: None,
        query: String::new(),
        hits: Vec::new(),
        selected: 0,
        detail: false,
    }));
    vec![Effect::LoadCatalog { near }]
}

/// The catalog was read: the overlay lists it, and the open engagement checks its catalog
/// reuses against it from now on (also in the live re-check of the buffer).
pub fn loaded(state: &mut State, catalog: Arc<Catalog>) -> Vec<Effect> {
    if let Some(e) = &mut state.engagement {
        e.catalog_read = true;
        if e.engagement.catalog != catalog {
            Arc::make_mut(&mut e.engagement).catalog = catalog.clone();
            e.disk = Arc::new(evaluate(&e.engagement));
            e.live = e.disk.clone();
            e.live_pending = true;
        }
    }
    if let Some(Overlay::Catalog(o)) = &mut state.overlay {
        o.catalog = Some(catalog);
        o.refilter();
    }
    Vec::new()
}

pub fn text(state: &mut State, input: &Input) {
    let Some(Overlay::Catalog(o)) = &mut state.overlay else {
        return;
    };
    if o.detail {
        return;
    }
    let before = o.query.clone();
    crate::app::line_input::edit_text(&mut o.query, input);
    if o.query == before && input.key != Key::Backspace {
        return;
    }
    o.selected = 0;
    o.refilter();
}

pub fn paste(state: &mut State, text: &str) {
    if let Some(Overlay::Catalog(o)) = &mut state.overlay
        && !o.detail
    {
        crate::app::line_input::paste_first_line(&mut o.query, text);
        o.selected = 0;
        o.refilter();
    }
}

pub fn overlay_command(state: &mut State, mut o: CatalogOverlay, c: Command) -> Vec<Effect> {
    let n = o.hits.len();
    match c {
        Command::MoveDown => o.selected = (o.selected + 1).min(n.saturating_sub(1)),
        Command::MoveUp => o.selected = o.selected.saturating_sub(1),
        Command::PageDown => {
            o.selected = (o.selected + crate::app::layout::LIST_STEP).min(n.saturating_sub(1))
        }
        Command::PageUp => o.selected = o.selected.saturating_sub(crate::app::layout::LIST_STEP),
        Command::Top => o.selected = 0,
        Command::Bottom => o.selected = n.saturating_sub(1),
        Command::Confirm | Command::Open if !o.detail => o.detail = o.selected_entry().is_some(),
        Command::InsertReuse if o.detail => {
            let Some(entry) = o.selected_entry() else {
                return Vec::new();
            };
            let line = entry.reuse_line();
            let reference = entry.reference();
            return insert_reuse(state, &line, &reference);
        }
        Command::Leave | Command::Cancel | Command::Quit if o.detail => o.detail = false,
        Command::Leave | Command::Cancel | Command::Quit | Command::ShowCatalog => {
            state.overlay = None;
            return Vec::new();
        }
        Command::ForceQuit => {
            state.overlay = None;
            return super::common::quit_or_ask(state);
        }
        _ => {}
    }
    state.overlay = Some(Overlay::Catalog(o));
    Vec::new()
}

/// Writes the reuse line into the design buffer at the cursor: on the cursor's line when it is
/// blank, else on a new line below it. Refused, with the rule, unless the design is shown and
/// editable in the engagement's phase.
fn insert_reuse(state: &mut State, line: &str, reference: &str) -> Vec<Effect> {
    let Some(e) = &mut state.engagement else {
        state.error("open an engagement and show its design (3) to insert a reuse line");
        return Vec::new();
    };
    if e.shown_artifact() != Some(Artifact::Design) {
        state.error(format!(
            "the reuse line goes into {}: show the design (3) first",
            Artifact::Design.file_name()
        ));
        return Vec::new();
    }
    if let Some(why) = e.edit_refusal() {
        state.error(format!("not inserted — {why}"));
        return Vec::new();
    }
    let row = e.editor.cursor().0;
    let blank = e
        .editor
        .lines()
        .get(row)
        .is_none_or(|l| l.trim().is_empty());
    e.editor.edit(crate::app::buffer::EditKind::Other, |area| {
        if blank {
            area.move_cursor(CursorMove::Head);
        } else {
            area.move_cursor(CursorMove::End);
            area.insert_newline();
        }
        area.insert_str(line);
    });
    e.view.edited(row);
    e.dirty = true;
    e.live_pending = true;
    state.overlay = None;
    state.screen = Screen::Engagement;
    state.mode = Mode::Edit;
    state.pane = Pane::Editor;
    state.info(format!("inserted the reuse of {reference}; Ctrl-S saves"));
    Vec::new()
}
