//! The editor buffer: edit mode's commands, cursor moves, undo and redo, search, saving.

use ratatui_textarea::{CursorMove, Input, Key};

use super::super::effect::Effect;
use super::super::keys::Command;
use super::super::{EngagementState, Mode, State};
use super::common::quit_or_ask;

pub(super) fn command(state: &mut State, c: Command) -> Vec<Effect> {
    let page = crate::app::layout::pages(state).pane;
    let Some(e) = &mut state.engagement else {
        state.mode = Mode::View;
        return Vec::new();
    };
    match c {
        Command::Leave | Command::Cancel => state.mode = Mode::View,
        Command::Save => return save(state),
        Command::Undo | Command::Redo => {
            undo_redo(e, c == Command::Undo);
        }
        Command::Quit => return quit_or_ask(state),
        other => move_editor(e, other, page),
    }
    Vec::new()
}

/// Undoes (or redoes) the last edit of the buffer; back at the text on disk, the buffer is no
/// longer modified. Returns whether anything changed.
pub(super) fn undo_redo(e: &mut EngagementState, undo: bool) -> bool {
    let changed = if undo {
        e.editor.undo()
    } else {
        e.editor.redo()
    };
    if changed {
        // Undo and redo can touch rows away from the cursor.
        e.view.edited(0);
        e.dirty = !e.editor.text_equals(&e.saved_text);
        e.live_pending = true;
    }
    changed
}

pub(super) fn save(state: &mut State) -> Vec<Effect> {
    let Some(e) = &state.engagement else {
        return Vec::new();
    };
    let Some(artifact) = e.shown_artifact() else {
        return Vec::new();
    };
    if !e.dirty {
        state.info(format!("{} has no unsaved changes", artifact.file_name()));
        return Vec::new();
    }
    if let Some(reason) = e.edit_refusal() {
        state.error(reason);
        return Vec::new();
    }
    // A compare-and-swap on the version the buffer was loaded from (`app::update::live`).
    super::live::save(state, artifact)
}

pub(super) fn move_editor(e: &mut EngagementState, c: Command, page: usize) {
    match c {
        Command::MoveDown => e.editor.move_cursor(CursorMove::Down),
        Command::MoveUp => e.editor.move_cursor(CursorMove::Up),
        Command::MoveLeft => e.editor.move_cursor(CursorMove::Back),
        Command::MoveRight => e.editor.move_cursor(CursorMove::Forward),
        Command::Top => e.editor.move_cursor(CursorMove::Top),
        Command::Bottom => e.editor.move_cursor(CursorMove::Bottom),
        Command::PageDown => {
            for _ in 0..page {
                e.editor.move_cursor(CursorMove::Down);
            }
        }
        Command::PageUp => {
            for _ in 0..page {
                e.editor.move_cursor(CursorMove::Up);
            }
        }
        _ => {}
    }
}

/// Moves the editor cursor to the next (or previous) line containing the search text,
/// wrapping around. Case-insensitive.
pub(super) fn find(e: &mut EngagementState, forward: bool) -> bool {
    let needle = e.search.to_lowercase();
    if needle.is_empty() {
        return false;
    }
    let lines = e.editor.lines();
    let n = lines.len();
    if n == 0 {
        return false;
    }
    let ratatui_textarea::DataCursor(row, col) = e.editor.cursor();
    // The rest of the current line first, then the other lines, then the start of this one.
    if forward && let Some(line) = lines.get(row) {
        let start = line
            .char_indices()
            .nth(col.saturating_add(1))
            .map_or(line.len(), |(b, _)| b);
        if let Some(b) = line
            .get(start..)
            .and_then(|s| s.to_lowercase().find(&needle))
        {
            let c = line.get(..start + b).map_or(0, |p| p.chars().count());
            jump(e, row, c);
            return true;
        }
    }
    for step in 1..=n {
        let r = if forward {
            (row + step) % n
        } else {
            (row + n - (step % n)) % n
        };
        if let Some(line) = lines.get(r)
            && let Some(b) = line.to_lowercase().find(&needle)
        {
            let c = line.get(..b).map_or(0, |p| p.chars().count());
            jump(e, r, c);
            return true;
        }
    }
    false
}

/// After a search step: "/vlan: match 2/7", or "not found".
pub(super) fn report_match(state: &mut State, found: bool) {
    let Some(e) = &state.engagement else {
        return;
    };
    let needle = e.search.clone();
    if !found {
        state.error(format!("not found: {needle}"));
        return;
    }
    let matches = crate::app::search_matches(e.editor.lines(), &needle);
    let ratatui_textarea::DataCursor(row, col) = e.editor.cursor();
    let n = matches
        .iter()
        .position(|m| *m == (row, col))
        .map_or(0, |i| i + 1);
    state.info(format!("/{needle}: match {n}/{}", matches.len()));
}

pub(super) fn jump(e: &mut EngagementState, row: usize, col: usize) {
    e.editor.jump_to(row, col);
}

/// How a key edits, for undo groups.
pub(super) fn edit_kind(input: &Input) -> crate::app::buffer::EditKind {
    use crate::app::buffer::EditKind;
    match input.key {
        Key::Char(c) if !input.ctrl && !input.alt => EditKind::Insert(c),
        Key::Backspace | Key::Delete if !input.ctrl && !input.alt => EditKind::Delete,
        _ => EditKind::Other,
    }
}

/// The textarea's paging keys (PageDown/PageUp, and its emacs-style Ctrl-V/Alt-V).
pub(super) fn page_key(input: &Input) -> Option<Command> {
    match input {
        Input {
            key: Key::PageDown,
            ctrl: false,
            alt: false,
            ..
        }
        | Input {
            key: Key::Char('v'),
            ctrl: true,
            alt: false,
            ..
        } => Some(Command::PageDown),
        Input {
            key: Key::PageUp,
            ctrl: false,
            alt: false,
            ..
        }
        | Input {
            key: Key::Char('v'),
            ctrl: false,
            alt: true,
            ..
        } => Some(Command::PageUp),
        _ => None,
    }
}
