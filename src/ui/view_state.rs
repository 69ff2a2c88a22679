//! What the view keeps between frames, owned by whoever draws (`tui.rs`, a test, a bench) and
//! passed to [`super::view`] as `&mut ViewState` next to `&State`: where the editor's view
//! starts, and which journal events verified (remembered per journal head). `app` never reads it: paging moves the cursor (page sizes from `app::layout`), and
//! the view follows the cursor with the least scrolling.
//!
//! The gate and journal panes' lines are kept with what they were made from ([`Built`]). The highlighter's
//! parse states (`ui::highlight`) stay thread-local: they are pure memoization, keyed by the
//! buffer's identity and checked against the text. A frame draws the same with or without
//! either.

use std::hash::{Hash, Hasher};

use std::sync::{Arc, Weak};

use ratatui::layout::Rect;
use ratatui::text::Line;

use super::frame::FrameHasher;
use crate::domain::engagement::Engagement;

/// A pane's lines kept with what they were made from (`I`: the pane's inputs, compared by
/// value or, for shared data, by identity ([`Same`]: a large evaluation is still freed where it
/// is replaced, not on a keystroke's frame): while those are the same, a frame neither makes the
/// lines again nor hashes them, and the retained screen skips drawing them.
#[derive(Debug, Clone)]
pub struct Built<I> {
    made: Option<(I, u64, Vec<Line<'static>>)>,
}

impl<I> Default for Built<I> {
    fn default() -> Built<I> {
        Built { made: None }
    }
}

impl<I: PartialEq> Built<I> {
    /// The lines made from `inputs` (by `make`, unless they were last time) and their key.
    pub fn lines(
        &mut self,
        inputs: I,
        make: impl FnOnce() -> Vec<Line<'static>>,
    ) -> (u64, &[Line<'static>]) {
        let made = match self.made.take() {
            Some(made) if made.0 == inputs => made,
            _ => {
                let lines = make();
                let mut hasher = FrameHasher::new();
                lines.hash(&mut hasher);
                (inputs, hasher.finish(), lines)
            }
        };
        let (_, key, lines) = self.made.insert(made);
        (*key, lines)
    }
}

/// Shared data a pane was made from, by identity: equal while it is the same `Arc`. A `Weak`,
/// so it keeps the address from being reused without keeping the data alive.
#[derive(Debug)]
pub struct Same<T>(Weak<T>);

impl<T> Same<T> {
    pub fn of(shared: &Arc<T>) -> Same<T> {
        Same(Arc::downgrade(shared))
    }
}

impl<T> Clone for Same<T> {
    fn clone(&self) -> Same<T> {
        Same(Weak::clone(&self.0))
    }
}

impl<T> PartialEq for Same<T> {
    fn eq(&self, other: &Same<T>) -> bool {
        Weak::ptr_eq(&self.0, &other.0)
    }
}

/// What every pane's lines are made from besides its own data.
#[derive(Debug, Clone, PartialEq)]
pub struct PaneInputs {
    pub engagement: Same<Engagement>,
    pub focused: bool,
    pub ascii: bool,
    pub area: Rect,
    /// `Theme::fingerprint`.
    pub theme: u64,
}

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
    /// The gate pane's lines, and the journal's.
    pub(super) gate: Built<super::gate::Inputs>,
    pub(super) journal: Built<super::journal::Inputs>,
    /// The status bar's hints row, and the phase pipeline's lines.
    pub(super) hints: Built<super::statusbar::HintsInputs>,
    pub(super) pipeline: Built<super::pipeline::Inputs>,
    /// Lines edited since the last frame are painted by the line styler, and the grammar's
    /// parse of them waits for the next frame ([`ViewState::paint_edits_after_echo`]).
    edits_after_echo: bool,
    /// A frame painted edited lines without the grammar: the next one parses them.
    grammar_due: bool,
}

impl ViewState {
    /// The same view (where the editor is scrolled to) with nothing remembered for speed: what
    /// a renderer starting now would draw from (the tests compare the two).
    pub fn without_memos(&self) -> ViewState {
        ViewState {
            editor: self.editor,
            ..ViewState::default()
        }
    }

    /// Lets a frame that follows an edit paint the edited lines with the line styler
    /// (`ui::highlight::Cache::quick_runs`, which paints prose as the grammar does) instead of
    /// parsing them with the grammar first: the echo of a keystroke waits for no regex. The
    /// frame says so ([`ViewState::take_grammar_due`]), and the next frame, drawn right after
    /// it, parses them and changes the cells where the grammar paints otherwise (a line
    /// continuing a code span, a fence opened). The event loop's choice: tests and exports
    /// draw every frame exact.
    pub fn paint_edits_after_echo(&mut self) {
        self.edits_after_echo = true;
    }

    /// Whether the last frame left edited lines for the grammar (draw again now); cleared.
    pub fn take_grammar_due(&mut self) -> bool {
        std::mem::take(&mut self.grammar_due)
    }

    /// Whether this frame may leave lines edited since the last one for the grammar; if so,
    /// the next frame is due.
    pub(super) fn defer_grammar(&mut self, edited: bool) -> bool {
        let defer = edited && self.edits_after_echo;
        self.grammar_due |= defer;
        defer
    }

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

#[cfg(test)]
mod reload_tests {
    use super::*;
    use crate::app::buffer::TextBuffer;
    use crate::app::update::live::replace_buffer;
    use crate::app::{EngagementState, State};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui_textarea::DataCursor;

    fn engagement_state() -> (tempfile::TempDir, EngagementState) {
        let ws = tempfile::tempdir().unwrap();
        let e = EngagementState::new(crate::store::engagement::scratch(ws.path()));
        (ws, e)
    }

    /// Draws the engagement screen with `e` open (the editor view moves its top in `view`).
    fn draw(e: &EngagementState, view: &mut ViewState) {
        let mut state = State::new("o", crate::app::Keys::default(), (60, 20));
        state.engagement = Some(e.clone());
        state.screen = crate::app::Screen::Engagement;
        let mut t = Terminal::new(TestBackend::new(60, 20)).unwrap();
        t.draw(|f| crate::ui::view(&state, view, &crate::config::Theme::default(), f))
            .unwrap();
    }

    /// The screen `state` draws with `view`.
    fn screen(state: &State, view: &mut ViewState) -> ratatui::buffer::Buffer {
        let mut t = Terminal::new(TestBackend::new(60, 20)).unwrap();
        t.draw(|f| crate::ui::view(state, view, &crate::config::Theme::default(), f))
            .unwrap();
        t.backend().buffer().clone()
    }

    /// An echo paints the edited line with the line styler and asks for the grammar's frame,
    /// which draws what a renderer without any memo draws. The edited line continues a code
    /// span from the line above: there the line styler and the grammar disagree.
    #[test]
    fn the_grammars_frame_follows_an_echo_and_is_exact() {
        assert!(crate::ui::highlight::warm_up(), "the grammar loads");
        let (_ws, mut e) = engagement_state();
        e.editor = TextBuffer::new("# Title\n\nIntro `code\nmore` tail\n");
        let mut state = State::new("o", crate::app::Keys::default(), (60, 20));
        state.screen = crate::app::Screen::Engagement;
        state.engagement = Some(e);
        let mut view = ViewState::default();
        view.paint_edits_after_echo();
        screen(&state, &mut view);
        assert!(
            !view.take_grammar_due(),
            "no edit, nothing left for the grammar"
        );
        if let Some(e) = &mut state.engagement {
            e.editor.jump_to(3, usize::MAX);
            let typed = ratatui_textarea::Input {
                key: ratatui_textarea::Key::Char('x'),
                ..Default::default()
            };
            assert!(
                e.editor
                    .input(typed, crate::app::buffer::EditKind::Insert('x'))
            );
            e.view.edited(3);
        }
        let echo = screen(&state, &mut view);
        assert!(
            view.take_grammar_due(),
            "the echo leaves the edited line for the grammar"
        );
        let grammar = screen(&state, &mut view);
        assert!(!view.take_grammar_due());
        let exact = screen(&state, &mut view.without_memos());
        assert_eq!(grammar, exact);
        assert_ne!(echo, exact, "the line styler paints this line otherwise");
    }

    #[test]
    fn a_reload_keeps_cursor_and_scroll() {
        let (_ws, mut e) = engagement_state();
        let text: String = (0..300).map(|i| format!("line {i}\n")).collect();
        e.editor = TextBuffer::new(&text);
        let mut view = ViewState::default();
        draw(&e, &mut view);
        e.editor.jump_to(150, 3);
        draw(&e, &mut view);
        let top = view.editor_top();
        assert!(top.row > 100, "scrolled: {top:?}");
        replace_buffer(&mut e, &format!("inserted far below\n{text}"));
        draw(&e, &mut view);
        assert_eq!(e.editor.cursor(), DataCursor(150, 3));
        assert_eq!(view.editor_top(), top);
        // A shorter text: as near as it allows.
        replace_buffer(&mut e, "one\ntwo\n");
        draw(&e, &mut view);
        assert_eq!(e.editor.cursor().0, 2);
    }
}
