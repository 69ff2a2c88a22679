//! The shown artifact's text and cursor.
//!
//! The text is a vector of lines owned here; editing goes through a ratatui-textarea (editing
//! keys, selection, yank) that holds only a *window* of the lines around the cursor. The
//! textarea maps every line it holds after every edit, so holding a 50,000-line artifact made
//! each keystroke cost tens of milliseconds; a window of under two hundred lines makes an edit
//! cost the same at any document size. After each edit the window's lines are compared with the
//! text's (common prefix and suffix) and only the changed run is spliced back, which is also
//! the undo record: undo and redo are the buffer's own, so they work across window moves.
//!
//! The window is made the first time the buffer is edited and moved (made anew around the
//! cursor) when the cursor comes within `MARGIN` lines of an edge that is not the text's own;
//! viewing, scrolling and searching never need it, and neither does a character typed or
//! deleted inside a line with nothing selected, which the buffer makes itself (most keys: no
//! window line is re-measured or compared).
//!
//! The live gate re-checks an edited buffer off the input path; what it is given is a
//! [`TextSnapshot`]: the text as shared pieces of a few hundred lines, each joined once and
//! kept until an edit touches it, so taking one copies no text on the input path (a 50,000-line
//! artifact's text was copied whole once per re-check) and the whole text is joined on the
//! worker.

use std::sync::Arc;

use ratatui_textarea::{CursorMove, DataCursor, Input, Key, TextArea, WrapMode};
use unicode_width::UnicodeWidthChar;

/// Columns per tab stop, in the view and in the textarea.
pub const TAB_LENGTH: u8 = 4;

/// Undo groups kept.
const UNDO_DEPTH: usize = 1000;

/// Lines the window holds either side of the cursor when it is made. The textarea re-measures
/// every line it holds after each edit (~0.7 µs a line): 96 keeps a key under 0.15 ms at any
/// document size (256 cost 0.34 ms, `benches/render.rs` `type_char_update`), and leaves 32 lines
/// of travel beyond `MARGIN` before the window is made anew (about one key's cost).
const HALF_WINDOW: usize = 96;
/// How near a window edge (that is not the text's) the cursor may come before the window moves:
/// more than any one key moves the cursor by within the textarea (a paragraph move stops here).
const MARGIN: usize = 64;

/// Lines a piece of a [`TextSnapshot`] holds when pieces are cut.
const PIECE_LINES: usize = 512;

/// The text of a buffer at one moment, for work off the input path: pieces shared with the
/// buffer, joined by newlines.
#[derive(Debug, Clone)]
pub struct TextSnapshot {
    pieces: Vec<Arc<str>>,
}

impl TextSnapshot {
    /// The text exactly as it would be saved (what [`TextBuffer::text`] was).
    pub fn text(&self) -> String {
        self.pieces.join("\n")
    }

    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.pieces
            .iter()
            .enumerate()
            .flat_map(|(i, p)| (i > 0).then_some(b'\n').into_iter().chain(p.bytes()))
    }
}

impl PartialEq for TextSnapshot {
    fn eq(&self, other: &Self) -> bool {
        self.bytes().eq(other.bytes())
    }
}

impl Eq for TextSnapshot {}

/// A run of the text's lines and, once a snapshot needed it, those lines joined.
#[derive(Debug, Clone)]
struct Piece {
    lines: usize,
    text: Option<Arc<str>>,
}

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

/// One edit of the text: lines `at..at + old.len()` became `new`.
#[derive(Debug, Clone)]
struct Change {
    at: usize,
    old: Vec<String>,
    new: Vec<String>,
    /// The cursor before and after the edit.
    before: (usize, usize),
    after: (usize, usize),
}

/// The textarea over lines `start..start + area.lines().len()` of the text.
#[derive(Debug, Clone)]
struct Window {
    start: usize,
    /// Lines of the text the window stands for (the textarea's count after the last sync).
    len: usize,
    area: TextArea<'static>,
}

#[derive(Debug, Clone)]
pub struct TextBuffer {
    /// The whole text; the window's lines equal the textarea's after every edit.
    lines: Vec<String>,
    /// The cursor while no window exists: (row, char), always inside the text.
    cursor: DataCursor,
    window: Option<Window>,
    /// The textarea's yank text while no window exists.
    yank: String,
    /// Edits, oldest first, and the undo groups over them (how many edits one undo takes back:
    /// a word or an insert run, not a character).
    changes: Vec<Change>,
    groups: Vec<usize>,
    /// Edits undone, most recently undone last, and their groups, for redo.
    undone: Vec<Change>,
    redo_groups: Vec<usize>,
    run: Option<Run>,
    /// The text cut in pieces for snapshots, made by the first snapshot and kept with the
    /// lines (an edit forgets the joined text of the pieces it touches).
    pieces: Option<Vec<Piece>>,
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
            window: None,
            yank: String::new(),
            changes: Vec::new(),
            groups: Vec::new(),
            undone: Vec::new(),
            redo_groups: Vec::new(),
            run: None,
            pieces: None,
        }
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// (row, char) of the cursor.
    pub fn cursor(&self) -> DataCursor {
        match &self.window {
            Some(w) => {
                let DataCursor(row, col) = w.area.cursor();
                DataCursor(w.start + row, col)
            }
            None => self.cursor,
        }
    }

    /// The text exactly as it would be saved.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// The text as it is now, for work off the input path: only the pieces edited since the
    /// last snapshot are joined anew, and the rest is shared.
    pub fn snapshot(&mut self) -> TextSnapshot {
        let total = self.lines.len();
        let pieces = match self.pieces.take() {
            Some(p) if p.iter().map(|p| p.lines).sum::<usize>() == total => p,
            _ => vec![Piece {
                lines: total,
                text: None,
            }],
        };
        let mut kept = Vec::with_capacity(pieces.len());
        let mut start = 0;
        for piece in pieces {
            let end = start + piece.lines;
            match piece.text {
                Some(text) => kept.push(Piece {
                    lines: piece.lines,
                    text: Some(text),
                }),
                None => kept.extend(self.lines[start..end].chunks(PIECE_LINES).map(|run| Piece {
                    lines: run.len(),
                    text: Some(Arc::from(run.join("\n"))),
                })),
            }
            start = end;
        }
        let snapshot = TextSnapshot {
            pieces: kept.iter().filter_map(|p| p.text.clone()).collect(),
        };
        self.pieces = Some(kept);
        snapshot
    }

    /// Lines `at..at + removed` of the text became `added` lines: the pieces they were in
    /// become one piece to be joined anew.
    fn pieces_edited(&mut self, at: usize, removed: usize, added: usize) {
        let Some(pieces) = &mut self.pieces else {
            return;
        };
        let mut start = 0;
        let mut first = None;
        let mut last = 0;
        for (i, piece) in pieces.iter().enumerate() {
            let end = start + piece.lines;
            // The pieces holding the removed lines, or the one the added lines go into (the
            // last one when they go at the very end).
            let touched = if removed == 0 {
                (start <= at && at < end) || (at == end && i + 1 == pieces.len())
            } else {
                start < at + removed && at < end
            };
            if touched {
                first.get_or_insert(i);
                last = i;
            } else if first.is_some() {
                break;
            }
            start = end;
        }
        let Some(first) = first else {
            // Out of step with the lines: the next snapshot cuts the pieces anew.
            self.pieces = None;
            return;
        };
        let lines: usize = pieces[first..=last].iter().map(|p| p.lines).sum();
        let lines = (lines + added).saturating_sub(removed);
        pieces.splice(
            first..=last,
            (lines > 0).then_some(Piece { lines, text: None }),
        );
    }

    /// Whether [`TextBuffer::text`] equals `text`, without making it.
    pub fn text_equals(&self, text: &str) -> bool {
        let mut rest = text;
        let last = self.lines.len().saturating_sub(1);
        for (i, line) in self.lines.iter().enumerate() {
            let Some(after) = rest.strip_prefix(line.as_str()) else {
                return false;
            };
            rest = after;
            if i < last {
                let Some(after) = rest.strip_prefix('\n') else {
                    return false;
                };
                rest = after;
            }
        }
        rest.is_empty()
    }

    pub fn tab_length(&self) -> u8 {
        TAB_LENGTH
    }

    /// The selected range ((row, char) to (row, char), end exclusive), while selecting.
    pub fn selection_range(&self) -> Option<((usize, usize), (usize, usize))> {
        let w = self.window.as_ref()?;
        let ((r0, c0), (r1, c1)) = w.area.selection_range()?;
        Some(((w.start + r0, c0), (w.start + r1, c1)))
    }

    /// The selection's fixed end (the one the cursor is not at), in text coordinates.
    fn anchor(&self) -> Option<(usize, usize)> {
        let (a, b) = self.selection_range()?;
        let DataCursor(row, col) = self.cursor();
        Some(if b == (row, col) { a } else { b })
    }

    /// Makes the window anew around `cursor` (and the selection's `anchor`, kept selected).
    fn make_window(&mut self, cursor: (usize, usize), anchor: Option<(usize, usize)>) {
        self.drop_window();
        let last = self.lines.len().saturating_sub(1);
        let clamp = |(row, col): (usize, usize)| {
            let row = row.min(last);
            (row, col.min(self.lines.get(row).map_or(0, |l| char_len(l))))
        };
        let cursor = clamp(cursor);
        let anchor = anchor.map(clamp);
        let low = anchor.map_or(cursor.0, |a| a.0.min(cursor.0));
        let high = anchor.map_or(cursor.0, |a| a.0.max(cursor.0));
        let start = low.saturating_sub(HALF_WINDOW);
        let end = high.saturating_add(HALF_WINDOW + 1).min(self.lines.len());
        let mut area = TextArea::new(self.lines[start..end].to_vec());
        area.set_wrap_mode(WrapMode::None);
        area.set_tab_length(TAB_LENGTH);
        // Undo is the buffer's own: it outlives the window.
        area.set_max_histories(0);
        area.set_yank_text(std::mem::take(&mut self.yank));
        if let Some((row, col)) = anchor {
            area.move_cursor(jump(row - start, col));
            area.start_selection();
        }
        area.move_cursor(jump(cursor.0 - start, cursor.1));
        self.window = Some(Window {
            start,
            len: end - start,
            area,
        });
    }

    /// Leaves editing: the cursor and the yank text stay, the selection goes.
    fn drop_window(&mut self) {
        let cursor = self.cursor();
        if let Some(w) = self.window.take() {
            self.yank = w.area.yank_text();
            self.cursor = cursor;
        }
    }

    /// The window, made or moved so the cursor is at least `MARGIN` lines from each edge that
    /// is not the text's own.
    fn window(&mut self) -> &mut TextArea<'static> {
        let DataCursor(row, col) = self.cursor();
        let fits = self.window.as_ref().is_some_and(|w| {
            let end = w.start + w.len;
            (w.start == 0 || row >= w.start + MARGIN)
                && (end >= self.lines.len() || row + MARGIN < end)
        });
        if !fits {
            let anchor = self.anchor();
            self.make_window((row, col), anchor);
        }
        let w = self.window.get_or_insert_with(|| Window {
            start: 0,
            len: 1,
            area: TextArea::default(),
        });
        &mut w.area
    }

    /// Edits the text with the textarea (its window around the cursor): `f` gets it, and
    /// whatever it changed becomes one undoable edit of kind `kind`. Returns whether the text
    /// changed.
    pub fn edit(&mut self, kind: EditKind, f: impl FnOnce(&mut TextArea<'static>)) -> bool {
        let DataCursor(row, col) = self.cursor();
        f(self.window());
        if self.sync((row, col)) {
            self.group(DataCursor(row, col), kind);
            true
        } else {
            false
        }
    }

    /// A key typed in edit mode, to the textarea (`Alt-<`/`Alt->` and `Ctrl-Alt-Up/Down`, the
    /// textarea's own moves to the ends, go to the text's ends). Returns whether the text
    /// changed.
    pub fn input(&mut self, input: Input, kind: EditKind) -> bool {
        let to_end = match input {
            Input {
                key: Key::Char('<'),
                ctrl: false,
                alt: true,
                ..
            }
            | Input {
                key: Key::Up | Key::Char('p'),
                ctrl: true,
                alt: true,
                ..
            } => Some(CursorMove::Top),
            Input {
                key: Key::Char('>'),
                ctrl: false,
                alt: true,
                ..
            }
            | Input {
                key: Key::Down | Key::Char('n'),
                ctrl: true,
                alt: true,
                ..
            } => Some(CursorMove::Bottom),
            _ => None,
        };
        if let Some(to) = to_end {
            let area = self.window();
            if input.shift && area.selection_range().is_none() {
                area.start_selection();
            } else if !input.shift {
                area.cancel_selection();
            }
            self.move_cursor(to);
            return false;
        }
        if let Some(changed) = self.edit_in_line(&input, kind) {
            return changed;
        }
        self.edit(kind, |area| {
            area.input(input);
        })
    }

    /// A character typed, or one deleted by Backspace or Delete, inside one line with nothing
    /// selected: made here, as the textarea would make it, without the textarea. An edit
    /// through the textarea re-measures every line of its window and compares the window with
    /// the text; typing is most keys, and this is what keeps its echo cheap. The window, now
    /// behind the text, is dropped (its yank text kept) and made anew by the next key that
    /// needs it. `None`: the textarea's to make.
    fn edit_in_line(&mut self, input: &Input, kind: EditKind) -> Option<bool> {
        if input.ctrl || input.alt || self.window.as_ref().is_some_and(|w| w.area.is_selecting()) {
            return None;
        }
        let DataCursor(row, col) = self.cursor();
        let line = self.lines.get(row)?;
        let byte_of = |at: usize| line.char_indices().nth(at).map_or(line.len(), |(i, _)| i);
        let (new, after) = match input.key {
            Key::Char(c) if c != '\n' && c != '\r' => {
                let mut new = line.clone();
                new.insert(byte_of(col), c);
                (new, col + 1)
            }
            Key::Backspace if col > 0 => {
                let mut new = line.clone();
                new.remove(byte_of(col - 1));
                (new, col - 1)
            }
            Key::Delete if col < char_len(line) => {
                let mut new = line.clone();
                new.remove(byte_of(col));
                (new, col)
            }
            _ => return None,
        };
        if let Some(w) = self.window.take() {
            self.yank = w.area.yank_text();
        }
        let old = std::mem::replace(&mut self.lines[row], new.clone());
        self.cursor = DataCursor(row, after);
        self.pieces_edited(row, 1, 1);
        self.push_change(Change {
            at: row,
            old: vec![old],
            new: vec![new],
            before: (row, col),
            after: (row, after),
        });
        self.group(DataCursor(row, col), kind);
        Some(true)
    }

    /// Replaces the whole text with `text` as one undoable edit, the cursor at its end (as
    /// pasting over a selection of everything leaves it).
    pub fn replace_all(&mut self, text: &str) {
        let DataCursor(row, col) = self.cursor();
        self.drop_window();
        let new = text_lines(text);
        let old = std::mem::replace(&mut self.lines, new.clone());
        self.pieces = None;
        let last = self.lines.len().saturating_sub(1);
        self.jump_to(last, usize::MAX);
        let DataCursor(r, c) = self.cursor();
        self.push_change(Change {
            at: 0,
            old,
            new,
            before: (row, col),
            after: (r, c),
        });
        self.group(DataCursor(row, col), EditKind::Other);
    }

    /// Ends the text with a newline if it does not (a text file ends with one), as an undoable
    /// edit. Returns whether it added one.
    pub fn end_with_newline(&mut self) -> bool {
        if self.lines.last().is_none_or(|l| l.is_empty()) {
            return false;
        }
        let DataCursor(row, col) = self.cursor();
        self.drop_window();
        let at = self.lines.len();
        self.lines.push(String::new());
        self.pieces_edited(at, 0, 1);
        self.push_change(Change {
            at,
            old: Vec::new(),
            new: vec![String::new()],
            before: (row, col),
            after: (row, col),
        });
        self.group(DataCursor(row, col), EditKind::Other);
        true
    }

    fn push_change(&mut self, change: Change) {
        self.changes.push(change);
        self.undone.clear();
        self.redo_groups.clear();
    }

    /// Brings the window's edit into the text: the changed run of lines, as an undo record.
    /// Returns whether the text changed.
    fn sync(&mut self, before: (usize, usize)) -> bool {
        let Some(w) = &mut self.window else {
            return false;
        };
        let new = w.area.lines();
        // The window's lines as they were before the edit: the text still holds them.
        let old = &self.lines[w.start..w.start + w.len];
        let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        if prefix == old.len() && prefix == new.len() {
            return false;
        }
        let room = old.len().min(new.len()) - prefix;
        let suffix = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take(room)
            .take_while(|(a, b)| a == b)
            .count();
        let at = w.start + prefix;
        let old_end = w.start + w.len - suffix;
        let new_run: Vec<String> = new[prefix..new.len() - suffix].to_vec();
        w.len = new.len();
        let start = w.start;
        let DataCursor(row, col) = w.area.cursor();
        let old_run: Vec<String> = self
            .lines
            .splice(at..old_end, new_run.iter().cloned())
            .collect();
        self.pieces_edited(at, old_run.len(), new_run.len());
        self.push_change(Change {
            at,
            old: old_run,
            new: new_run,
            before,
            after: (start + row, col),
        });
        true
    }

    /// Groups the edit just recorded, made from cursor `before`: typing at the cursor continues
    /// the group until a new word starts after whitespace; deleting continues a deleting run;
    /// anything else, or a moved cursor, starts a group.
    fn group(&mut self, before: DataCursor, kind: EditKind) {
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
            Some(last) if continues => *last += 1,
            _ => self.groups.push(1),
        }
        if self.groups.len() > UNDO_DEPTH {
            let oldest = self.groups.remove(0);
            self.changes.drain(..oldest.min(self.changes.len()));
        }
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
        self.run = None;
        let Some(steps) = self.groups.pop() else {
            return false;
        };
        self.drop_window();
        let mut cursor = None;
        for _ in 0..steps {
            let Some(c) = self.changes.pop() else { break };
            self.lines
                .splice(c.at..c.at + c.new.len(), c.old.iter().cloned());
            self.pieces_edited(c.at, c.new.len(), c.old.len());
            cursor = Some(c.before);
            self.undone.push(c);
        }
        self.redo_groups.push(steps);
        if let Some((row, col)) = cursor {
            self.jump_to(row, col);
        }
        true
    }

    /// Redoes the last undone group; false when there is nothing to redo.
    pub fn redo(&mut self) -> bool {
        self.run = None;
        let Some(steps) = self.redo_groups.pop() else {
            return false;
        };
        self.drop_window();
        let mut cursor = None;
        for _ in 0..steps {
            let Some(c) = self.undone.pop() else { break };
            self.lines
                .splice(c.at..c.at + c.old.len(), c.new.iter().cloned());
            self.pieces_edited(c.at, c.old.len(), c.new.len());
            cursor = Some(c.after);
            self.changes.push(c);
        }
        self.groups.push(steps);
        if let Some((row, col)) = cursor {
            self.jump_to(row, col);
        }
        true
    }

    /// Puts the cursor at (row, char), as near as the text allows (a selection stays, its
    /// anchor where it was).
    pub fn jump_to(&mut self, row: usize, col: usize) {
        if let Some(w) = &mut self.window {
            let end = w.start + w.len;
            let inside = (w.start == 0 || row >= w.start + MARGIN)
                && (end >= self.lines.len() || row + MARGIN < end)
                && row >= w.start
                && row < end;
            if inside {
                w.area.move_cursor(jump(row - w.start, col));
            } else {
                let anchor = self.anchor();
                self.make_window((row, col), anchor);
            }
            return;
        }
        let row = row.min(self.lines.len().saturating_sub(1));
        let len = self.lines.get(row).map_or(0, |l| char_len(l));
        self.cursor = DataCursor(row, col.min(len));
    }

    /// Moves the cursor as the textarea would (clamped to the text).
    pub fn move_cursor(&mut self, m: CursorMove) {
        let DataCursor(row, col) = self.cursor();
        let last = self.lines.len().saturating_sub(1);
        let line = |r: usize| self.lines.get(r).map_or("", String::as_str);
        let len = |r: usize| char_len(line(r));
        if self.window.is_some() {
            match m {
                CursorMove::Top => self.jump_to(0, col.min(len(0))),
                CursorMove::Bottom => self.jump_to(last, col.min(len(last))),
                CursorMove::Jump(r, c) => self.jump_to(usize::from(r), usize::from(c)),
                other => self.window().move_cursor(other),
            }
            return;
        }
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
                self.window().move_cursor(other);
                return;
            }
        };
        self.cursor = DataCursor(next.0, next.1);
    }
}

/// `CursorMove::Jump` to (row, col), saturating (the textarea takes u16 positions; a window
/// is far shorter).
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
                    edited.edit(EditKind::Other, |_| {});
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
        assert!(b.edit(EditKind::Insert('!'), |area| area.insert_char('!')));
        assert_eq!(b.text(), "one\ntwo!\nthree");
        assert_eq!(b.cursor(), DataCursor(1, 4));
        assert!(b.undo());
        assert_eq!(b.text(), "one\ntwo\nthree");
    }

    fn type_into(b: &mut TextBuffer, text: &str) {
        for c in text.chars() {
            let input = Input {
                key: Key::Char(c),
                ..Default::default()
            };
            assert!(b.input(input, EditKind::Insert(c)));
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
            let input = Input {
                key: Key::Backspace,
                ..Default::default()
            };
            assert!(b.input(input, EditKind::Delete));
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

    /// Keys typed into the buffer (some made by the buffer itself, in-line, and some by its
    /// textarea window) leave the text and cursor a textarea holding the whole text leaves,
    /// and undoing every group brings back the text it started from.
    mod against_the_textarea {
        use super::*;
        use proptest::prelude::*;

        fn key() -> impl Strategy<Value = Input> {
            let plain = prop_oneof![
                4 => prop_oneof![
                    Just('x'), Just(' '), Just('é'), Just('漢'), Just('\t'), Just('-')
                ]
                .prop_map(Key::Char),
                3 => Just(Key::Backspace),
                2 => Just(Key::Delete),
                1 => Just(Key::Enter),
                1 => Just(Key::Tab),
                2 => prop_oneof![
                    Just(Key::Left), Just(Key::Right), Just(Key::Up), Just(Key::Down),
                    Just(Key::Home), Just(Key::End)
                ],
            ];
            (plain, 0u8..10).prop_map(|(key, m)| Input {
                key,
                // Now and then a selection (Shift), a kill or a word move (Ctrl), a word
                // move (Alt).
                shift: m == 0 && matches!(key, Key::Left | Key::Right | Key::Up | Key::Down),
                ctrl: m == 1 || (m == 2 && matches!(key, Key::Char('x'))),
                alt: m == 3 && matches!(key, Key::Left | Key::Right),
            })
        }

        fn kind_of(input: &Input) -> EditKind {
            match input.key {
                Key::Char(c) if !input.ctrl && !input.alt => EditKind::Insert(c),
                Key::Backspace | Key::Delete if !input.ctrl && !input.alt => EditKind::Delete,
                _ => EditKind::Other,
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(96))]
            #[test]
            fn typing_ends_where_the_textarea_ends(
                text in "(ab\t漢 c|é|\n|x y){0,12}",
                start in (0usize..6, 0usize..8),
                keys in proptest::collection::vec(key(), 1..80),
            ) {
                let mut buffer = TextBuffer::new(&text);
                buffer.jump_to(start.0, start.1);
                let mut whole = TextArea::new(text_lines(&text));
                whole.set_tab_length(TAB_LENGTH);
                let DataCursor(row, col) = buffer.cursor();
                whole.move_cursor(jump(row, col));
                for (i, input) in keys.iter().enumerate() {
                    let before = buffer.lines().to_vec();
                    let changed = buffer.input(input.clone(), kind_of(input));
                    whole.input(input.clone());
                    prop_assert_eq!(buffer.lines(), whole.lines(), "after key {} {:?}", i, input);
                    prop_assert_eq!(buffer.cursor(), whole.cursor(), "after key {} {:?}", i, input);
                    // Whether the text changed (a selection typed over with itself did not).
                    prop_assert_eq!(changed, before != buffer.lines(), "after key {} {:?}", i, input);
                }
                while buffer.undo() {}
                prop_assert_eq!(buffer.text(), text_lines(&text).join("\n"));
            }
        }
    }

    /// What the live gate is given: a snapshot equals the text when it was taken, whatever
    /// edits (across pieces, undo, redo, whole replacements) came before or after it.
    mod snapshots {
        use super::*;
        use proptest::prelude::*;

        #[derive(Debug, Clone)]
        enum Op {
            Jump(usize, usize),
            Key(Key),
            Undo,
            Redo,
            ReplaceAll(usize),
            EndWithNewline,
            Snapshot,
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                (0usize..2200, 0usize..60).prop_map(|(r, c)| Op::Jump(r, c)),
                prop_oneof![
                    Just(Key::Char('x')),
                    Just(Key::Char(' ')),
                    Just(Key::Enter),
                    Just(Key::Backspace),
                    Just(Key::Delete),
                ]
                .prop_map(Op::Key),
                Just(Op::Undo),
                Just(Op::Redo),
                (1usize..1500).prop_map(Op::ReplaceAll),
                Just(Op::EndWithNewline),
                Just(Op::Snapshot),
                Just(Op::Snapshot),
            ]
        }

        fn text_of(lines: usize) -> String {
            (0..lines)
                .map(|i| format!("line {i} of the artifact\n"))
                .collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]
            #[test]
            fn a_snapshot_is_the_text_when_taken(
                lines in 1usize..2100,
                ops in proptest::collection::vec(op(), 1..60),
            ) {
                let mut b = TextBuffer::new(&text_of(lines));
                let mut taken = vec![(b.snapshot(), b.text())];
                for op in ops {
                    match op {
                        Op::Jump(r, c) => b.jump_to(r, c),
                        Op::Key(key) => {
                            let kind = match key {
                                Key::Char(c) => EditKind::Insert(c),
                                Key::Backspace | Key::Delete => EditKind::Delete,
                                _ => EditKind::Other,
                            };
                            b.input(Input { key, ..Default::default() }, kind);
                        }
                        Op::Undo => {
                            b.undo();
                        }
                        Op::Redo => {
                            b.redo();
                        }
                        Op::ReplaceAll(n) => b.replace_all(&text_of(n)),
                        Op::EndWithNewline => {
                            b.end_with_newline();
                        }
                        Op::Snapshot => taken.push((b.snapshot(), b.text())),
                    }
                }
                taken.push((b.snapshot(), b.text()));
                for (snapshot, text) in &taken {
                    prop_assert_eq!(&snapshot.text(), text);
                }
                let last = &taken[taken.len() - 1].0;
                prop_assert!(*last == b.snapshot(), "snapshots of one text are equal");
            }
        }

        /// Taking a snapshot after an edit joins only the piece edited: the others are the
        /// same shared strings.
        #[test]
        fn a_snapshot_after_an_edit_shares_the_untouched_pieces() {
            let mut b = TextBuffer::new(&text_of(5000));
            let before = b.snapshot();
            b.jump_to(2600, 3);
            type_into(&mut b, "edited");
            let after = b.snapshot();
            assert_eq!(after.text(), b.text());
            assert_eq!(before.pieces.len(), after.pieces.len());
            let shared = before
                .pieces
                .iter()
                .zip(&after.pieces)
                .filter(|(a, b)| Arc::ptr_eq(a, b))
                .count();
            assert_eq!(shared, before.pieces.len() - 1, "one piece joined anew");
        }
    }
}
