//! The shown artifact's text and cursor.
//!
//! Viewing keeps plain lines; the textarea (ratatui-textarea: editing keys, undo/redo,
//! selection, yank) is made the first time the buffer is edited and kept until the buffer is
//! replaced. The textarea maps every line of its buffer when it is made and after every edit,
//! so making one for each artifact shown would cost a 50,000-line artifact tens of
//! milliseconds to open; viewing, scrolling and searching never need it.

use ratatui_textarea::{CursorMove, DataCursor, TextArea, WrapMode};
use unicode_width::UnicodeWidthChar;

/// Columns per tab stop, in the view and in the textarea.
pub const TAB_LENGTH: u8 = 4;

/// Undo steps the textarea keeps.
const UNDO_DEPTH: usize = 1000;

/// What an edit did, for grouping undo steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKind {
    /// A character typed (not a newline).
    Insert(char),
    /// Backspace or Delete.
    Delete,
    /// Anything else: a newline, a paste, a kill, a yank.
    Other,
}

/// The run of typing (or deleting) the next edit may continue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    deleting: bool,
    /// Where the cursor was after the run's last edit.
    at: (usize, usize),
    /// The last character typed was whitespace (the next word starts a new group).
    after_space: bool,
}

#[derive(Debug, Clone)]
pub struct TextBuffer {
    /// The text while no textarea exists (the textarea owns it once editing starts).
    lines: Vec<String>,
    /// The cursor while no textarea exists: (row, char), always inside the text.
    cursor: DataCursor,
    textarea: Option<TextArea<'static>>,
    /// Undo groups, oldest first: how many textarea history steps one undo takes back (a word
    /// or an insert run, not a character).
    groups: Vec<usize>,
    /// Groups undone, for redo.
    redo_groups: Vec<usize>,
    run: Option<Run>,
}

impl Default for TextBuffer {
    fn default() -> Self {
        TextBuffer::new("")
    }
}

/// `text` as lines, a `\r` before each `\n` dropped (governed text keeps its line endings on
/// disk; the buffer edits lines).
fn text_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect()
}

fn char_len(line: &str) -> usize {
    line.chars().count()
}

/// How a character is drawn at display column `col` of a row: the symbol and its columns.
/// Tabs reach the next tab stop, wide characters take two columns, control characters one
/// (drawn as `?`, never sent to the terminal); zero-width characters (combining marks) take
/// none and join the cell before them.
pub fn cell(c: char, col: usize, tab: usize) -> (char, usize) {
    match c {
        '\t' => {
            let tab = tab.max(1);
            (' ', tab - col % tab)
        }
        c if crate::domain::controls::is_terminal_control(c) => ('?', 1),
        c => (c, c.width().unwrap_or(1)),
    }
}

/// The display column where char `at` of `line` starts.
fn display_col(line: &str, at: usize) -> usize {
    line.chars()
        .take(at)
        .fold(0, |col, c| col + cell(c, col, usize::from(TAB_LENGTH)).1)
}

/// The char of `line` under display column `col` (the line end when `col` is past it).
fn char_at_col(line: &str, col: usize) -> usize {
    let mut at = 0;
    let mut chars = 0;
    for c in line.chars() {
        let width = cell(c, at, usize::from(TAB_LENGTH)).1;
        if at + width > col {
            break;
        }
        at += width;
        chars += 1;
    }
    chars
}

impl TextBuffer {
    /// A buffer holding `text`, cursor at line 1, column 1.
    pub fn new(text: &str) -> TextBuffer {
        TextBuffer {
            lines: text_lines(text),
            cursor: DataCursor(0, 0),
            textarea: None,
            groups: Vec::new(),
            redo_groups: Vec::new(),
            run: None,
        }
    }

    pub fn lines(&self) -> &[String] {
        match &self.textarea {
            Some(t) => t.lines(),
            None => &self.lines,
        }
    }

    /// (row, char) of the cursor.
    pub fn cursor(&self) -> DataCursor {
        match &self.textarea {
            Some(t) => t.cursor(),
            None => self.cursor,
        }
    }

    /// The text exactly as it would be saved.
    pub fn text(&self) -> String {
        self.lines().join("\n")
    }

    pub fn tab_length(&self) -> u8 {
        TAB_LENGTH
    }

    /// The selected range ((row, char) to (row, char), end exclusive), while selecting.
    pub fn selection_range(&self) -> Option<((usize, usize), (usize, usize))> {
        self.textarea.as_ref().and_then(TextArea::selection_range)
    }

    /// The textarea, to edit with (made from the lines and cursor on first use).
    pub fn edit(&mut self) -> &mut TextArea<'static> {
        let (lines, cursor) = (&mut self.lines, self.cursor);
        self.textarea.get_or_insert_with(|| {
            let mut t = TextArea::new(std::mem::take(lines));
            t.set_wrap_mode(WrapMode::None);
            t.set_tab_length(TAB_LENGTH);
            t.set_max_histories(UNDO_DEPTH);
            t.move_cursor(jump(cursor.0, cursor.1));
            t
        })
    }

    /// Records an edit the textarea just made from cursor `before` (`steps` history entries):
    /// typing at the cursor continues the group until a new word starts after whitespace;
    /// deleting continues a deleting run; anything else, or a moved cursor, starts a group.
    pub fn record(&mut self, before: DataCursor, kind: EditKind, steps: usize) {
        let before = (before.0, before.1);
        let continues = match (self.run, kind) {
            (Some(run), EditKind::Insert(c)) => {
                // A word typed after whitespace starts a new group.
                !run.deleting && run.at == before && (!run.after_space || c.is_whitespace())
            }
            (Some(run), EditKind::Delete) => run.deleting && run.at == before,
            _ => false,
        };
        match self.groups.last_mut() {
            Some(last) if continues => *last += steps,
            _ => self.groups.push(steps),
        }
        // Older groups than the textarea keeps cannot be undone anyway.
        if self.groups.len() > UNDO_DEPTH {
            self.groups.remove(0);
        }
        self.redo_groups.clear();
        let DataCursor(row, col) = self.cursor();
        self.run = match kind {
            EditKind::Insert(c) => Some(Run {
                deleting: false,
                at: (row, col),
                after_space: c.is_whitespace(),
            }),
            EditKind::Delete => Some(Run {
                deleting: true,
                at: (row, col),
                after_space: false,
            }),
            EditKind::Other => None,
        };
    }

    /// Undoes the last group of edits; false when there is nothing to undo.
    pub fn undo(&mut self) -> bool {
        self.step_history(true)
    }

    /// Redoes the last undone group; false when there is nothing to redo.
    pub fn redo(&mut self) -> bool {
        self.step_history(false)
    }

    fn step_history(&mut self, undo: bool) -> bool {
        self.run = None;
        let Some(t) = self.textarea.as_mut() else {
            // Never edited: no history.
            return false;
        };
        let (from, to) = if undo {
            (&mut self.groups, &mut self.redo_groups)
        } else {
            (&mut self.redo_groups, &mut self.groups)
        };
        // Edits the textarea made without `record` (none today) undo one step at a time.
        let steps = from.pop().unwrap_or(1);
        let mut done = 0;
        for _ in 0..steps {
            let moved = if undo { t.undo() } else { t.redo() };
            if !moved {
                break;
            }
            done += 1;
        }
        if done > 0 {
            to.push(done);
        }
        done > 0
    }

    /// Puts the cursor at (row, char), as near as the text allows.
    pub fn jump_to(&mut self, row: usize, col: usize) {
        match &mut self.textarea {
            Some(t) => t.move_cursor(jump(row, col)),
            None => {
                let row = row.min(self.lines.len().saturating_sub(1));
                let len = self.lines.get(row).map_or(0, |l| char_len(l));
                self.cursor = DataCursor(row, col.min(len));
            }
        }
    }

    /// Moves the cursor as the textarea would (clamped to the text).
    pub fn move_cursor(&mut self, m: CursorMove) {
        if let Some(t) = &mut self.textarea {
            t.move_cursor(m);
            return;
        }
        let DataCursor(row, col) = self.cursor;
        let last = self.lines.len().saturating_sub(1);
        let line = |r: usize| self.lines.get(r).map_or("", String::as_str);
        let len = |r: usize| char_len(line(r));
        // Up and down keep the display column, as the textarea does.
        let above_below = |r: usize| (r, char_at_col(line(r), display_col(line(row), col)));
        let next = match m {
            CursorMove::Up if row > 0 => above_below(row - 1),
            CursorMove::Down if row < last => above_below(row + 1),
            CursorMove::Up | CursorMove::Down => (row, col),
            CursorMove::Back if col > 0 => (row, col - 1),
            CursorMove::Back if row > 0 => (row - 1, len(row - 1)),
            CursorMove::Forward if col < len(row) => (row, col + 1),
            CursorMove::Forward if row < last => (row + 1, 0),
            CursorMove::Back | CursorMove::Forward => (row, col),
            CursorMove::Head => (row, 0),
            CursorMove::End => (row, len(row)),
            CursorMove::Top => (0, col.min(len(0))),
            CursorMove::Bottom => (last, col.min(len(last))),
            CursorMove::Jump(r, c) => {
                self.jump_to(usize::from(r), usize::from(c));
                return;
            }
            // Word and paragraph moves: the textarea's own rules.
            other => {
                self.edit().move_cursor(other);
                return;
            }
        };
        self.cursor = DataCursor(next.0, next.1);
    }
}

/// `CursorMove::Jump` to (row, col), saturating (the textarea takes u16 positions).
fn jump(row: usize, col: usize) -> CursorMove {
    CursorMove::Jump(
        u16::try_from(row).unwrap_or(u16::MAX),
        u16::try_from(col).unwrap_or(u16::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOVES: [CursorMove; 9] = [
        CursorMove::Up,
        CursorMove::Down,
        CursorMove::Back,
        CursorMove::Forward,
        CursorMove::Head,
        CursorMove::End,
        CursorMove::Top,
        CursorMove::Bottom,
        CursorMove::Jump(2, 50),
    ];

    /// Viewing without a textarea moves the cursor exactly like the textarea does.
    #[test]
    fn plain_moves_match_the_textarea() {
        let text = "first line\n\nthird, longer line\nab\n\tx\n";
        for (i, first) in MOVES.iter().enumerate() {
            for second in MOVES.iter().cycle().skip(i).take(MOVES.len()) {
                for start in [(0, 0), (2, 10), (3, 2), (5, 0), (1, 0)] {
                    let mut plain = TextBuffer::new(text);
                    let mut edited = TextBuffer::new(text);
                    let _ = edited.edit();
                    for b in [&mut plain, &mut edited] {
                        b.jump_to(start.0, start.1);
                        b.move_cursor(*first);
                        b.move_cursor(*second);
                    }
                    assert_eq!(
                        plain.cursor(),
                        edited.cursor(),
                        "{start:?} then {first:?}, {second:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn editing_starts_at_the_view_cursor_and_keeps_the_text() {
        let mut b = TextBuffer::new("one\r\ntwo\nthree");
        assert_eq!(b.lines(), ["one", "two", "three"]);
        b.move_cursor(CursorMove::Down);
        b.move_cursor(CursorMove::End);
        b.edit().insert_char('!');
        assert_eq!(b.text(), "one\ntwo!\nthree");
        assert_eq!(b.cursor(), DataCursor(1, 4));
        assert!(b.edit().undo());
        assert_eq!(b.text(), "one\ntwo\nthree");
    }

    fn type_into(b: &mut TextBuffer, text: &str) {
        for c in text.chars() {
            let before = b.cursor();
            assert!(b.edit().input(ratatui_textarea::Input {
                key: ratatui_textarea::Key::Char(c),
                ..Default::default()
            }));
            b.record(before, EditKind::Insert(c), 1);
        }
    }

    #[test]
    fn undo_takes_back_a_word_at_a_time_and_redo_puts_it_back() {
        let mut b = TextBuffer::new("");
        type_into(&mut b, "hello big world");
        assert!(b.undo());
        assert_eq!(b.text(), "hello big ");
        assert!(b.undo());
        assert_eq!(b.text(), "hello ");
        assert!(b.redo());
        assert_eq!(b.text(), "hello big ");
        assert!(b.undo() && b.undo());
        assert_eq!(b.text(), "");
        assert!(!b.undo(), "nothing left");
        // Deleting is one run; moving the cursor starts a new group.
        type_into(&mut b, "abcdef");
        for _ in 0..3 {
            let before = b.cursor();
            b.edit().input(ratatui_textarea::Input {
                key: ratatui_textarea::Key::Backspace,
                ..Default::default()
            });
            b.record(before, EditKind::Delete, 1);
        }
        assert_eq!(b.text(), "abc");
        b.move_cursor(CursorMove::Head);
        type_into(&mut b, "x");
        assert!(b.undo());
        assert_eq!(b.text(), "abc");
        assert!(b.undo());
        assert_eq!(b.text(), "abcdef", "the three Backspaces are one group");
    }

    #[test]
    fn a_buffer_never_edited_has_nothing_to_undo() {
        let mut b = TextBuffer::new("text");
        assert!(!b.undo() && !b.redo());
        assert_eq!(b.text(), "text");
    }

    #[test]
    fn an_empty_text_is_one_empty_line() {
        let mut b = TextBuffer::new("");
        assert_eq!(b.lines(), [""]);
        for m in MOVES {
            b.move_cursor(m);
            assert_eq!(b.cursor(), DataCursor(0, 0));
        }
    }
}
