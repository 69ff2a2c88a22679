//! Soft wrapping of one line of prose into screen rows, as the editor draws it.
//!
//! Computed per visible line at draw time, never for the whole buffer: a frame costs the same
//! on a 50,000-line artifact as on a 50-line one, and an edit invalidates nothing.
//!
//! Rows break after whitespace (word wrap); a word wider than the row is cut between
//! characters. Whitespace that would overflow a row hangs at its end instead of starting the
//! next row. Columns follow [`cell`]: tabs to the next tab stop of the row, wide characters
//! two columns, control characters one (drawn as `?`, never sent to the terminal).

use std::ops::Range;

pub use crate::app::buffer::cell;

/// `text` word-wrapped to `width` columns, each of its lines on rows of its own (for panes of
/// prose: criterion text, journal fields).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    text.lines()
        .flat_map(|line| {
            let chars: Vec<char> = line.chars().collect();
            rows(line, width, 4, false)
                .into_iter()
                .map(|r| {
                    chars
                        .get(r)
                        .map(|c| c.iter().collect::<String>().trim_end().to_string())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The screen rows of `line` at `width` columns, as char ranges (at least one row; an empty
/// line is one empty row). With `room_at_end`, a line whose last row is full gets one more,
/// empty row: the cursor after its last character needs a cell.
pub fn rows(line: &str, width: usize, tab: usize, room_at_end: bool) -> Vec<Range<usize>> {
    let width = width.max(1);
    // Most lines are printable ASCII no wider than the row: one char a column, so one row,
    // found without measuring each character (every visible line is wrapped every frame).
    if line.len() <= width && line.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        let end = line.len();
        let mut out = Vec::with_capacity(2);
        out.push(0..end);
        if room_at_end && end == width {
            out.push(end..end);
        }
        return out;
    }
    measured_rows(line, width, tab, room_at_end)
}

/// [`rows`], measuring every character.
fn measured_rows(line: &str, width: usize, tab: usize, room_at_end: bool) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut col = 0usize;
    // Where the row could break (the char after a whitespace run) and the column there.
    let mut brk: Option<(usize, usize)> = None;
    let mut count = 0usize;
    for (i, c) in line.chars().enumerate() {
        count = i + 1;
        let (_, w) = cell(c, col, tab);
        if c.is_whitespace() {
            col = (col + w).min(width.max(col));
            brk = Some((i + 1, col));
            continue;
        }
        if col + w > width && i > start {
            match brk {
                Some((b, at)) if b > start && b <= i => {
                    out.push(start..b);
                    start = b;
                    // Only non-whitespace lies between the break and `i`: widths do not
                    // depend on the column.
                    col -= at;
                }
                _ => {
                    out.push(start..i);
                    start = i;
                    col = 0;
                }
            }
            brk = None;
            if col + w > width && i > start {
                // The word alone is wider than the row.
                out.push(start..i);
                start = i;
                col = 0;
            }
        }
        col += w;
    }
    out.push(start..count);
    if room_at_end && col >= width {
        out.push(count..count);
    }
    out
}

/// The row of `rows` that shows the cursor at char `col` (the last row holds the line end).
pub fn row_of(rows: &[Range<usize>], col: usize) -> usize {
    rows.iter()
        .position(|r| col < r.end)
        .unwrap_or(rows.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str, width: usize) -> Vec<String> {
        let chars: Vec<char> = line.chars().collect();
        rows(line, width, 4, false)
            .into_iter()
            .map(|r| chars[r].iter().collect())
            .collect()
    }

    #[test]
    fn breaks_after_words() {
        assert_eq!(
            texts("some words then REQ-7 after", 16),
            ["some words then ", "REQ-7 after"]
        );
    }

    #[test]
    fn long_words_are_cut_between_characters() {
        assert_eq!(texts("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(texts("ab abcdefghij", 4), ["ab ", "abcd", "efgh", "ij"]);
    }

    #[test]
    fn whitespace_hangs_at_the_row_end() {
        assert_eq!(texts("abcd   efg", 4), ["abcd   ", "efg"]);
    }

    #[test]
    fn wide_characters_never_straddle_rows() {
        assert_eq!(texts("漢字漢字漢", 5), ["漢字", "漢字", "漢"]);
    }

    #[test]
    fn tabs_expand_to_the_rows_tab_stops() {
        assert_eq!(cell('\t', 1, 4), (' ', 3));
        assert_eq!(texts("a\tbcdef", 6), ["a\t", "bcdef"]);
    }

    #[test]
    fn empty_and_exact_lines() {
        let one = |r: std::ops::Range<usize>| vec![r];
        assert_eq!(rows("", 10, 4, false), one(0..0));
        assert_eq!(rows("abcd", 4, 4, false), one(0..4));
        assert_eq!(rows("abcd", 4, 4, true), [0..4, 4..4]);
        assert_eq!(rows("abc", 4, 4, true), one(0..3));
    }

    #[test]
    fn the_cursor_row() {
        let r = rows("abcd efgh", 5, 4, true);
        assert_eq!(r, [0..5, 5..9]);
        assert_eq!(row_of(&r, 0), 0);
        assert_eq!(row_of(&r, 4), 0);
        assert_eq!(row_of(&r, 5), 1);
        assert_eq!(row_of(&r, 9), 1);
    }

    proptest::proptest! {
        /// The shortcut for short ASCII lines wraps as measuring every character does.
        #[test]
        fn short_ascii_lines_wrap_as_measured(
            line in "[ -~]{0,24}",
            width in 1usize..30,
            room in proptest::bool::ANY,
        ) {
            proptest::prop_assert_eq!(
                rows(&line, width, 4, room),
                measured_rows(&line, width, 4, room)
            );
        }
    }

    #[test]
    fn every_char_is_on_exactly_one_row_and_rows_fit() {
        let samples = [
            "plain words in a sentence that goes on and on",
            "\ttabbed\tline with\ttabs",
            "漢字 mixed with ascii and 漢字漢字漢字",
            "    leading spaces and trailing spaces    ",
            "a\u{301}ccent combining marks e\u{301}",
            "x",
        ];
        for line in samples {
            for width in 1..30 {
                let r = rows(line, width, 4, false);
                let mut next = 0;
                for row in &r {
                    assert_eq!(row.start, next, "{line:?} at {width}");
                    next = row.end;
                    let mut col = 0;
                    for (k, c) in line.chars().skip(row.start).take(row.len()).enumerate() {
                        let (_, w) = cell(c, col, 4);
                        // Only a row's first char may be wider than the row.
                        if !c.is_whitespace() && k > 0 {
                            assert!(col + w <= width, "{line:?} at {width}");
                        }
                        col += w;
                    }
                }
                assert_eq!(next, line.chars().count(), "{line:?} at {width}");
            }
        }
    }
}
