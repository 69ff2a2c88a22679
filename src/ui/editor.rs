//! The artifact editor: the shown artifact (read-only in view mode, with the cursor line), its
//! dirty marker and, outside the artifact's phase, why it is read-only.
//!
//! The textarea (`app::make_editor`) holds the buffer; this view draws it: only the visible
//! lines, each soft-wrapped on the spot (`softwrap`), so a frame costs the same on a 50,000-line
//! artifact as on a short one. The view's top lives in the [`ViewState`] and follows
//! the cursor with the least scrolling. Markdown styles come from `ui::highlight` (syntect,
//! cached per buffer), or from its line styler (`Cache::quick_runs`) until the grammar has loaded.

use std::hash::{Hash, Hasher};
use std::ops::Range;

use super::frame::{Frame, FrameHasher};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::DataCursor;

use super::Hints;
use super::highlight::{self, Cache, Paint, Run};
use super::view_state::{ViewState, ViewTop};
use super::{Slot, Theme, pane_block, slot, softwrap, truncate};
use crate::app::Command;
use crate::app::{EngagementState, Mode, Pane, State, TextBuffer};

/// The status bar's hints while the artifact is being edited.
pub const EDIT_HINTS: Hints = Hints::commands(&[
    Command::Save,
    Command::Leave,
    Command::Undo,
    Command::ForceQuit,
]);

/// The status bar's hints on the engagement screen read-only (the journal pane shows the same).
pub const VIEW_HINTS: Hints = Hints::commands(&[
    Command::Edit,
    Command::ReviewGate,
    Command::NextPane,
    Command::Search,
    Command::Help,
    Command::Quit,
    Command::ShowDiff,
    Command::FeasibilityComplete,
    Command::ShowPhase1,
    Command::Journal,
    Command::ZoomPane,
    Command::Messages,
    Command::Leave,
]);

/// The style a paint is drawn with under `theme`.
pub fn paint_style(theme: &Theme, paint: Paint) -> Style {
    match paint {
        Paint::Heading => slot(theme, Slot::MarkdownHeading),
        Paint::Code => slot(theme, Slot::MarkdownCode),
        Paint::Comment => slot(theme, Slot::MarkdownComment),
        Paint::List => slot(theme, Slot::MarkdownList),
        Paint::Emphasis => slot(theme, Slot::MarkdownEmphasis),
        Paint::Strong => {
            let emphasis = slot(theme, Slot::MarkdownEmphasis);
            Style {
                fg: emphasis.fg,
                bg: emphasis.bg,
                ..Style::new()
            }
            .add_modifier(Modifier::BOLD)
        }
        Paint::Link => Style::new().add_modifier(Modifier::UNDERLINED),
        Paint::Id => slot(theme, Slot::MarkdownId),
    }
}

/// One screen row of the editor: the data line, and the chars of it the row shows.
struct Segment {
    y: u16,
    row: usize,
    chars: Range<usize>,
}

/// The buffer laid out at one width: screen rows of any line, the cursor's place among them.
struct Wrapped<'a> {
    lines: &'a [String],
    width: usize,
    tab: usize,
    /// (row, char) of the cursor, clamped to the text.
    cursor: (usize, usize),
}

impl<'a> Wrapped<'a> {
    fn new(lines: &'a [String], cursor: DataCursor, width: u16, tab: u8) -> Wrapped<'a> {
        let row = cursor.0.min(lines.len().saturating_sub(1));
        Wrapped {
            lines,
            width: usize::from(width).max(1),
            tab: usize::from(tab),
            cursor: (row, cursor.1),
        }
    }

    fn rows(&self, row: usize) -> Vec<Range<usize>> {
        let line = self.lines.get(row).map_or("", String::as_str);
        // The cursor after the last char needs a cell of its own, on its line only.
        let room = row == self.cursor.0 && self.cursor.1 >= line.chars().count();
        softwrap::rows(line, self.width, self.tab, room)
    }

    /// The screen row (within its line) that shows the cursor.
    fn cursor_subrow(&self) -> usize {
        softwrap::row_of(&self.rows(self.cursor.0), self.cursor.1)
    }

    /// `top` moved as little as shows the cursor in a view `height` rows high. Only the lines
    /// between the two are wrapped, never more than a screenful of them.
    fn follow(&self, top: ViewTop, height: usize) -> ViewTop {
        let Some(last) = self.lines.len().checked_sub(1) else {
            return ViewTop::default();
        };
        let height = height.max(1);
        let row = top.row.min(last);
        let top = ViewTop {
            row,
            skip: top.skip.min(self.rows(row).len().saturating_sub(1)),
        };
        let cursor = ViewTop {
            row: self.cursor.0,
            skip: self.cursor_subrow(),
        };
        if cursor <= top {
            return cursor;
        }
        // Screen rows from the top of the view down to the cursor, counted until past the view.
        let mut below = 0usize;
        let mut row = top.row;
        let mut skip = top.skip;
        while row < cursor.row && below < height {
            below += self.rows(row).len().saturating_sub(skip);
            skip = 0;
            row += 1;
        }
        if row == cursor.row && below + cursor.skip - skip < height {
            return top;
        }
        // The cursor on the bottom row: walk up height - 1 screen rows from it.
        let mut need = height - 1;
        let mut at = cursor;
        loop {
            if at.skip >= need {
                at.skip -= need;
                return at;
            }
            need -= at.skip + 1;
            let Some(up) = at.row.checked_sub(1) else {
                return ViewTop::default();
            };
            at = ViewTop {
                row: up,
                skip: self.rows(up).len().saturating_sub(1),
            };
        }
    }

    /// The rows a view starting at `top` shows, `height` of them at most.
    fn segments(&self, top: ViewTop, height: u16) -> Vec<Segment> {
        let mut out = Vec::with_capacity(usize::from(height));
        let mut skip = top.skip;
        for row in top.row..self.lines.len() {
            for chars in self.rows(row).into_iter().skip(skip) {
                let Ok(y) = u16::try_from(out.len()) else {
                    return out;
                };
                if y >= height {
                    return out;
                }
                out.push(Segment { y, row, chars });
            }
            skip = 0;
        }
        out
    }
}

/// How the chars of one line are drawn besides their Markdown paint.
#[derive(Hash)]
struct Marks {
    /// Char range selected on this line.
    selected: Option<Range<usize>>,
    /// Byte ranges matching the search.
    matches: Vec<Range<usize>>,
    /// The cursor's char, when it is on this line.
    cursor: Option<usize>,
    /// Whether the cursor's cell is painted (view mode); in edit mode the terminal's own
    /// cursor stands there instead.
    paint_cursor: bool,
}

impl Marks {
    fn of(editor: &TextBuffer, search: &str, row: usize, line: &str) -> Marks {
        let selected = editor
            .selection_range()
            .filter(|((r0, _), (r1, _))| *r0 <= row && row <= *r1)
            .map(|((r0, c0), (r1, c1))| {
                let from = if r0 == row { c0 } else { 0 };
                let to = if r1 == row { c1 } else { usize::MAX };
                from..to
            });
        let DataCursor(cr, cc) = editor.cursor();
        Marks {
            selected,
            matches: search_matches(line, search),
            cursor: (cr == row).then_some(cc),
            paint_cursor: true,
        }
    }
}

/// Where `needle` occurs in `line`, ignoring case, as byte ranges of `line`.
fn search_matches(line: &str, needle: &str) -> Vec<Range<usize>> {
    if needle.is_empty() {
        return Vec::new();
    }
    let lower = line.to_lowercase();
    // Where lowercasing changed byte lengths, offsets would not map back: no marks there.
    if lower.len() != line.len() {
        return Vec::new();
    }
    let needle = needle.to_lowercase();
    lower
        .match_indices(&needle)
        .map(|(at, m)| at..at + m.len())
        .collect()
}

/// The styles the editor draws with, resolved from the theme once per frame.
#[derive(Hash)]
struct Styles {
    text: Style,
    cursor: Style,
    /// The line the cursor is on (`ui.cursorline`; empty in the shipped themes but one).
    cursor_line: Style,
    selection: Style,
    search: Style,
}

/// One screen row of the text: a segment of `line`, and everything its cells depend on.
#[derive(Clone, Copy)]
struct Row<'a> {
    theme: &'a Theme,
    styles: &'a Styles,
    line: &'a str,
    seg: &'a Segment,
    /// The line's Markdown paint.
    runs: &'a [Run],
    marks: &'a Marks,
    tab: usize,
}

impl Row<'_> {
    /// Everything the row depends on, hashed: the key of its step on a retained screen.
    fn key(&self) -> u64 {
        let mut h = FrameHasher::new();
        self.styles.hash(&mut h);
        self.line.hash(&mut h);
        self.seg.chars.hash(&mut h);
        for run in self.runs {
            (run.start, run.end, paint_style(self.theme, run.paint)).hash(&mut h);
        }
        self.marks.hash(&mut h);
        self.tab.hash(&mut h);
        h.finish()
    }

    /// Draws the row at its place in `area`: text, Markdown paint, marks. Returns the cursor's
    /// cell when this row shows it.
    fn draw(&self, buf: &mut Buffer, area: Rect) -> Option<(u16, u16)> {
        let Row {
            theme,
            styles,
            line,
            seg,
            runs,
            marks,
            tab,
        } = *self;
        let y = area.y.saturating_add(seg.y);
        if y >= area.bottom() || y >= buf.area.bottom() {
            return None;
        }
        let mut cursor_at = None;
        let right = area.right().min(buf.area.right());
        let mut run = runs.iter().peekable();
        let mut col = 0usize;
        let mut x = area.x;
        let mut last_drawn: Option<u16> = None;
        let on_cursor_line = marks.cursor.is_some();
        let char_count = seg.chars.end - seg.chars.start;
        for (i, (byte, ch)) in line
            .char_indices()
            .enumerate()
            .skip(seg.chars.start)
            .take(char_count)
        {
            let (symbol, width) = softwrap::cell(ch, col, tab);
            col += width;
            if width == 0 {
                // A combining mark joins the cell before it.
                if let Some(px) = last_drawn {
                    let cell = &mut buf[(px, y)];
                    let joined = format!("{}{ch}", cell.symbol());
                    cell.set_symbol(&joined);
                }
                continue;
            }
            let mut style = styles.text;
            while run.peek().is_some_and(|r| r.end <= byte) {
                run.next();
            }
            if let Some(r) = run.peek().filter(|r| r.start <= byte) {
                style = style.patch(paint_style(theme, r.paint));
            }
            if on_cursor_line {
                style = style.patch(styles.cursor_line);
            }
            if marks.matches.iter().any(|m| m.contains(&byte)) {
                style = style.patch(styles.search);
            }
            if marks.selected.as_ref().is_some_and(|s| s.contains(&i)) {
                style = style.patch(styles.selection);
            }
            let end = usize::from(x).saturating_add(width);
            if end > usize::from(right) {
                // Hanging whitespace past the row's end, or a wide char in a too-narrow pane.
                break;
            }
            if marks.cursor == Some(i) {
                cursor_at = Some((x, y));
                if marks.paint_cursor {
                    style = style.patch(styles.cursor);
                }
            }
            buf[(x, y)].set_char(symbol).set_style(style);
            for extra in 1..width {
                let Ok(dx) = u16::try_from(extra) else { break };
                // Tabs draw spaces; a wide char hides the cells it covers.
                let cell = &mut buf[(x + dx, y)];
                cell.reset();
                cell.set_style(style);
                if symbol == ' ' {
                    cell.set_char(' ');
                }
            }
            last_drawn = Some(x);
            x += u16::try_from(width).unwrap_or(u16::MAX);
        }
        // The cursor after the line's last char sits on the row that ends the line.
        if let Some(c) = marks.cursor
            && c >= seg.chars.end
            && seg.chars.end == line.chars().count()
            && x < right
        {
            cursor_at = Some((x, y));
            if marks.paint_cursor {
                let cell = &mut buf[(x, y)];
                cell.set_char(' ')
                    .set_style(styles.text.patch(styles.cursor));
            }
        }
        cursor_at
    }
}

/// Draws the buffer's visible rows into `area`, moving the view's top to follow the cursor:
/// one step per screen row, keyed by what the row shows, so a keystroke redraws the rows it
/// changed. With `paint_cursor` off the cursor's cell is left as it is; returns where it is.
fn draw_text(
    e: &EngagementState,
    view: &mut ViewState,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    search: &str,
    paint_cursor: bool,
) -> Option<(u16, u16)> {
    let lines = e.editor.lines();
    let tab = e.editor.tab_length();
    let wrapped = Wrapped::new(lines, e.editor.cursor(), area.width, tab);
    let place = e.view.place();
    let top = wrapped.follow(view.editor_top_at(place), usize::from(area.height));
    view.set_editor_top(place, top);
    let segments = wrapped.segments(top, area.height);
    let styles = Styles {
        text: slot(theme, Slot::UiText),
        cursor: slot(theme, Slot::UiCursor),
        cursor_line: slot(theme, Slot::UiCursorLine),
        selection: slot(theme, Slot::UiSelection),
        search: slot(theme, Slot::UiSearchMatch),
    };
    let row_area = |y: u16| Rect {
        y: area.y.saturating_add(y),
        height: 1,
        ..area
    };
    // The rows below the text: the text style only.
    let shown = u16::try_from(segments.len()).unwrap_or(u16::MAX);
    let blank_key = {
        let mut h = FrameHasher::new();
        styles.hash(&mut h);
        h.finish()
    };
    for y in shown..area.height {
        frame.paint_keyed(row_area(y), blank_key, |buf| {
            buf.set_style(row_area(y), styles.text);
            None
        });
    }
    let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
        return None;
    };
    let rows = first.row..last.row.saturating_add(1);
    let tab = usize::from(tab);
    // `parsed`: whether the cache holds the grammar's runs (else the line styler's).
    let draw_all = |frame: &mut Frame, cache: &Cache, parsed: bool| {
        let mut cursor_at = None;
        let mut marks: Option<(usize, Marks)> = None;
        for seg in &segments {
            let Some(line) = lines.get(seg.row) else {
                continue;
            };
            let quick;
            let runs = match parsed.then(|| cache.runs(seg.row, line)).flatten() {
                Some(runs) => runs,
                None => {
                    quick = cache.quick_runs(seg.row, line);
                    &quick
                }
            };
            if marks.as_ref().is_none_or(|(row, _)| *row != seg.row) {
                let mut m = Marks::of(&e.editor, search, seg.row, line);
                m.paint_cursor = paint_cursor;
                marks = Some((seg.row, m));
            }
            if let Some((_, m)) = &marks {
                let text_row = Row {
                    theme,
                    styles: &styles,
                    line,
                    seg,
                    runs,
                    marks: m,
                    tab,
                };
                let cells = row_area(seg.y);
                let at = frame.paint_keyed(cells, text_row.key(), |buf| {
                    buf.set_style(cells, styles.text);
                    text_row.draw(buf, area).map(|(x, y)| Position::new(x, y))
                });
                cursor_at = at.map(|p| (p.x, p.y)).or(cursor_at);
            }
        }
        cursor_at
    };
    highlight::with_cache(e.view.id(), |cache| {
        let edited = e.view.edited_since(cache.edits_seen);
        cache.edits_seen = e.view.seq();
        match highlight::ready() {
            // The echo of an edit: the edited lines fail their memo's text check and take
            // the line styler; the next frame parses them (`ViewState::paint_edits_after_echo`).
            Some(_) if view.defer_grammar(edited.is_some()) => {
                cache.prepare_echo(lines, rows, edited);
                draw_all(frame, cache, true)
            }
            Some(engine) => {
                cache.prepare(engine, lines, rows, edited);
                draw_all(frame, cache, true)
            }
            None => {
                cache.prepare_quick(lines, rows, edited);
                draw_all(frame, cache, false)
            }
        }
    })
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
    let file = e.shown_artifact().map_or("build/", |a| a.file_name());
    let editing = state.mode == Mode::Edit;
    let mut title = vec![Span::styled(
        format!(" {file} "),
        slot(theme, Slot::UiTitle),
    )];
    if e.dirty {
        title.push(Span::styled(
            if state.ascii {
                "* modified "
            } else {
                "● modified "
            },
            slot(theme, Slot::GateStale),
        ));
    }
    title.push(Span::styled(
        if editing { "[EDIT] " } else { "[VIEW] " },
        slot(theme, Slot::UiStatusbarMode),
    ));
    let focused = state.pane == Pane::Editor;
    let block = pane_block(theme, Line::from(title), focused);
    let inner = block.inner(area);
    frame.render_keyed(block, area);
    if inner.width < 2 || inner.height == 0 {
        return;
    }
    let refusal = if editing { None } else { e.edit_refusal() };
    let text_area = match &refusal {
        Some(reason) if inner.height >= 3 => {
            let [note, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
            frame.render_keyed(
                Paragraph::new(Line::styled(
                    truncate(reason, usize::from(note.width)),
                    slot(theme, Slot::UiBannerWarning),
                )),
                note,
            );
            rest
        }
        _ => inner,
    };
    if text_area.height == 0 {
        return;
    }
    // Editing, the terminal's own cursor marks the place: the terminal draws it (blinking, in
    // the shape the user chose), and a typed character costs the character alone. Not under
    // something drawn over the editor (an overlay, the conflict view).
    let terminal_cursor = editing
        && state.overlay.is_none()
        && crate::app::model::live::Live::current(state).is_none_or(|l| l.view.is_none());
    let cursor = draw_text(
        e,
        view,
        theme,
        frame,
        text_area,
        &e.search,
        !terminal_cursor,
    );
    if terminal_cursor && let Some((x, y)) = cursor {
        frame.set_cursor_position((x, y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[&str]) -> Vec<String> {
        text.iter().map(|l| l.to_string()).collect()
    }

    /// Draws `text` in a `w`×`h` area with the fallback styler, cursor at `cursor`.
    fn drawn(text: &[&str], cursor: (usize, usize), w: u16, h: u16) -> (Buffer, Theme) {
        drawn_in(Theme::default(), text, cursor, w, h)
    }

    /// [`drawn`] in `theme`.
    fn drawn_in(
        theme: Theme,
        text: &[&str],
        cursor: (usize, usize),
        w: u16,
        h: u16,
    ) -> (Buffer, Theme) {
        let mut ta = TextBuffer::new(&text.join("\n"));
        ta.jump_to(cursor.0, cursor.1);
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        let lines = ta.lines();
        let wrapped = Wrapped::new(lines, ta.cursor(), w, 4);
        let top = wrapped.follow(ViewTop::default(), usize::from(h));
        let styles = Styles {
            text: slot(&theme, Slot::UiText),
            cursor: slot(&theme, Slot::UiCursor),
            cursor_line: slot(&theme, Slot::UiCursorLine),
            selection: slot(&theme, Slot::UiSelection),
            search: slot(&theme, Slot::UiSearchMatch),
        };
        for seg in wrapped.segments(top, h) {
            let line = lines[seg.row].as_str();
            let runs = highlight::fallback_runs(line);
            let marks = Marks::of(&ta, "", seg.row, line);
            let row = Row {
                theme: &theme,
                styles: &styles,
                line,
                seg: &seg,
                runs: &runs,
                marks: &marks,
                tab: 4,
            };
            let _ = row.draw(&mut buf, area);
        }
        (buf, theme)
    }

    fn row_text(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol())
            .collect::<String>()
    }

    /// The symbols of the cells painted as IDs, in screen order.
    fn id_cells(buf: &Buffer, theme: &Theme) -> String {
        let id = paint_style(theme, Paint::Id);
        buf.content
            .iter()
            .filter(|c| Some(c.fg) == id.fg)
            .map(|c| c.symbol())
            .collect()
    }

    #[test]
    fn prose_wraps_at_words_and_ids_are_painted_where_drawn() {
        let (buf, theme) = drawn(&["some words then REQ-7 after"], (0, 0), 16, 3);
        assert_eq!(row_text(&buf, 0), "some words then ");
        assert_eq!(row_text(&buf, 1), "REQ-7 after     ");
        assert_eq!(id_cells(&buf, &theme), "REQ-7");
    }

    #[test]
    fn tabs_and_wide_chars_keep_columns() {
        let (buf, theme) = drawn(&["\t漢字 REQ-2 x", "a\tAC-3"], (0, 0), 30, 2);
        assert_eq!(id_cells(&buf, &theme), "REQ-2AC-3");
        // The tab takes four columns, each wide char two: REQ-2 starts at column 9.
        assert_eq!(buf[(9, 0)].symbol(), "R");
        assert_eq!(buf[(4, 1)].symbol(), "A");
    }

    #[test]
    fn the_cursor_is_drawn_even_after_the_line_end() {
        let (buf, theme) = drawn(&["abcd", "ef"], (0, 4), 4, 3);
        // The line fills the row: the cursor gets the next row, the text moves down one.
        assert_eq!(row_text(&buf, 0), "abcd");
        assert_eq!(row_text(&buf, 2), "ef  ");
        let cursor = slot(&theme, Slot::UiCursor);
        assert!(buf[(0, 1)].modifier.contains(cursor.add_modifier));
        assert!(!buf[(0, 0)].modifier.contains(cursor.add_modifier));
    }

    /// Whether every cell of row `y` that holds text is underlined.
    fn row_underlined(buf: &Buffer, y: u16) -> bool {
        (0..buf.area.width)
            .map(|x| &buf[(x, y)])
            .filter(|c| c.symbol() != " ")
            .all(|c| c.modifier.contains(Modifier::UNDERLINED))
    }

    #[test]
    fn the_cursor_line_takes_the_themes_cursorline_style() {
        let text = ["first line", "second line", "third"];
        // The shipped default leaves it plain: a cursor move redraws no whole line.
        let (buf, _) = drawn(&text, (1, 3), 20, 3);
        assert!((0..3).all(|y| !row_underlined(&buf, y)));
        // high-contrast underlines it, and only it.
        let theme = crate::config::theme::load("high-contrast", None).expect("high-contrast");
        let (buf, _) = drawn_in(theme, &text, (1, 3), 20, 3);
        assert!(row_underlined(&buf, 1));
        assert!(!row_underlined(&buf, 0) && !row_underlined(&buf, 2));
    }

    #[test]
    fn rows_past_the_end_are_not_segments() {
        let text = lines(&["one", "two"]);
        let w = Wrapped::new(&text, DataCursor(0, 0), 10, 4);
        let segs = w.segments(ViewTop::default(), 6);
        assert_eq!(segs.iter().map(|s| s.row).collect::<Vec<_>>(), vec![0, 1]);
    }

    #[test]
    fn the_view_follows_the_cursor_with_the_least_scrolling() {
        // Line i has i % 3 + 1 screen rows at width 10.
        let text: Vec<String> = (0..200)
            .map(|i| "wordy ".repeat(2 * (i % 3)) + "end")
            .collect();
        let height = 7;
        let at = |row: usize| Wrapped::new(&text, DataCursor(row, 0), 10, 4);
        // Down one line at a time: the cursor stays inside, at the bottom once scrolling.
        let mut top = ViewTop::default();
        for row in 0..200 {
            let w = at(row);
            top = w.follow(top, height);
            let segs = w.segments(top, u16::try_from(height).unwrap());
            let shown = segs.iter().position(|s| s.row == row && s.chars.start == 0);
            let shown = shown.unwrap_or_else(|| panic!("row {row} not shown from {top:?}"));
            if row > 5 {
                // The cursor row is the bottom one.
                assert_eq!(shown, height - 1, "row {row} from {top:?}");
            }
        }
        // Back up: the cursor row becomes the top.
        let w = at(150);
        assert_eq!(w.follow(top, height), ViewTop { row: 150, skip: 0 });
        // A far jump lands with the cursor on the bottom row, wrapping only a screenful.
        let w = at(10);
        let top = w.follow(ViewTop::default(), height);
        let segs = w.segments(top, u16::try_from(height).unwrap());
        assert_eq!(segs.last().map(|s| (s.row, s.chars.start)), Some((10, 0)));
        // A top past the end of a shorter text is clamped.
        let short = lines(&["a", "b"]);
        let w = Wrapped::new(&short, DataCursor(1, 0), 10, 4);
        assert_eq!(
            w.follow(ViewTop { row: 99, skip: 4 }, height),
            ViewTop { row: 1, skip: 0 }
        );
    }

    #[test]
    fn search_matches_ignore_case() {
        assert_eq!(
            search_matches("Gate gate GATE", "gate"),
            [0..4, 5..9, 10..14]
        );
        assert!(search_matches("anything", "").is_empty());
    }
}
