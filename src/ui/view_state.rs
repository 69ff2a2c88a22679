//! What the view keeps between frames, owned by whoever draws (`tui.rs`, a test, a bench) and
//! passed to [`super::view`] as `&mut ViewState` next to `&State`: where the editor's view
//! starts, and which journal events verified (remembered per journal head). `app` never reads it: paging moves the cursor (page sizes from `app::layout`), and
//! the view follows the cursor with the least scrolling.
//!
//! The highlighter's parse states (`ui::highlight`) and the wrapped-line memo (`ui::memo`) stay
//! thread-local: they are pure memoization, keyed by the buffer's identity and checked against
//! the text, so a frame draws the same with or without them.

/// The top of the editor's view: the data row shown first and how many of its soft-wrapped
/// screen rows are scrolled off above.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ViewTop {
    pub row: usize,
    pub skip: usize,
}

/// The renderer's own state between frames.
#[derive(Debug, Clone, Default)]
pub struct ViewState {
    /// The editor's top, for the place it was drawn at (`app::BufferMarks::place`): a new place
    /// starts at the top.
    editor: Option<(u64, ViewTop)>,
    /// The journal pane's signature marks.
    pub(super) signatures: super::journal::SignatureMemo,
}

impl ViewState {
    /// Where the editor's view started at the last frame.
    pub fn editor_top(&self) -> ViewTop {
        self.editor.map(|(_, top)| top).unwrap_or_default()
    }

    /// Where the editor's view starts at `place` before the frame follows the cursor.
    pub(super) fn editor_top_at(&self, place: u64) -> ViewTop {
        match self.editor {
            Some((p, top)) if p == place => top,
            _ => ViewTop::default(),
        }
    }

    pub(super) fn set_editor_top(&mut self, place: u64, top: ViewTop) {
        self.editor = Some((place, top));
    }
}
