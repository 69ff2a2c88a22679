//! Panes that did not change are not laid out again.
//!
//! Ratatui draws every widget into a fresh buffer each frame. Laying out text (grapheme
//! segmentation, widths, truncation, borders) is most of a frame's cost, yet while someone
//! types only the editor changes. A widget here is a value — text, styles, block — so the
//! same value drawn over the same cells in the same area draws the same cells: those are
//! remembered and copied back instead.

use std::cell::RefCell;
use std::hash::{DefaultHasher, Hash, Hasher};

use ratatui::Frame;
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

/// Widgets remembered (the most recently drawn); a screen has a handful of panes.
const KEEP: usize = 12;

struct Drawn {
    key: u64,
    area: Rect,
    /// The cells before the widget was drawn, and after.
    under: Vec<Cell>,
    over: Vec<Cell>,
}

thread_local! {
    static DRAWN: RefCell<Vec<Drawn>> = const { RefCell::new(Vec::new()) };
}

/// The cells of `area` (inside `buf`), row by row.
fn cells(buf: &Buffer, area: Rect) -> Vec<Cell> {
    let mut out = Vec::with_capacity(usize::from(area.width) * usize::from(area.height));
    for y in area.top()..area.bottom() {
        let start = buf.index_of(area.x, y);
        out.extend_from_slice(&buf.content[start..start + usize::from(area.width)]);
    }
    out
}

/// Whether `area` of `buf` holds exactly `expected`.
fn holds(buf: &Buffer, area: Rect, expected: &[Cell]) -> bool {
    let width = usize::from(area.width);
    (area.top()..area.bottom())
        .zip(expected.chunks(width.max(1)))
        .all(|(y, row)| {
            let start = buf.index_of(area.x, y);
            buf.content[start..start + width] == *row
        })
}

fn put(buf: &mut Buffer, area: Rect, from: &[Cell]) {
    let width = usize::from(area.width);
    for (y, row) in (area.top()..area.bottom()).zip(from.chunks(width.max(1))) {
        let start = buf.index_of(area.x, y);
        buf.content[start..start + width].clone_from_slice(row);
    }
}

/// Draws `widget` into `area`, or, when the same widget was drawn over the same cells in the
/// same area before, copies back the cells it drew then.
pub fn render_widget<W: Widget + Hash>(frame: &mut Frame, widget: W, area: Rect) {
    let area = area.intersection(frame.area());
    if area.is_empty() {
        return;
    }
    let mut hasher = DefaultHasher::new();
    widget.hash(&mut hasher);
    let key = hasher.finish();
    let buf = frame.buffer_mut();
    let reused = DRAWN.with(|drawn| {
        let drawn = drawn.borrow();
        let hit = drawn
            .iter()
            .find(|d| d.key == key && d.area == area && holds(buf, area, &d.under));
        if let Some(d) = hit {
            put(buf, area, &d.over);
        }
        hit.is_some()
    });
    if reused {
        return;
    }
    let under = cells(buf, area);
    widget.render(area, buf);
    let over = cells(buf, area);
    DRAWN.with(|drawn| {
        let mut drawn = drawn.borrow_mut();
        drawn.retain(|d| d.area != area);
        drawn.insert(
            0,
            Drawn {
                key,
                area,
                under,
                over,
            },
        );
        drawn.truncate(KEEP);
    });
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::{Color, Style};
    use ratatui::text::Line;
    use ratatui::widgets::{Block, Borders, Paragraph};

    use super::*;

    fn pane(text: &str) -> Paragraph<'_> {
        Paragraph::new(vec![Line::raw(text), Line::raw("second")])
            .block(Block::default().borders(Borders::ALL).title(" t "))
    }

    /// Draws `text` in a pane over a background of `bg`, directly and through the memo.
    fn both(t: &mut Terminal<TestBackend>, text: &str, bg: Color) -> (Buffer, Buffer) {
        let area = Rect::new(2, 1, 12, 5);
        let background = Block::default().style(Style::new().bg(bg));
        t.draw(|f| {
            f.render_widget(background.clone(), f.area());
            f.render_widget(pane(text), area);
        })
        .unwrap();
        let direct = t.backend().buffer().clone();
        t.draw(|f| {
            f.render_widget(background.clone(), f.area());
            render_widget(f, pane(text), area);
        })
        .unwrap();
        (direct, t.backend().buffer().clone())
    }

    #[test]
    fn remembered_cells_are_what_drawing_would_give() {
        let mut t = Terminal::new(TestBackend::new(20, 8)).unwrap();
        for (text, bg) in [
            ("one", Color::Reset),
            ("one", Color::Reset),
            ("two", Color::Reset),
            ("one", Color::Reset),
            // Same widget, other cells underneath: drawn again.
            ("one", Color::Blue),
            ("one", Color::Blue),
        ] {
            let (direct, memo) = both(&mut t, text, bg);
            assert_eq!(direct, memo, "{text} over {bg:?}");
        }
    }

    #[test]
    fn areas_off_the_frame_are_clipped() {
        let mut t = Terminal::new(TestBackend::new(6, 3)).unwrap();
        t.draw(|f| render_widget(f, pane("long text"), Rect::new(3, 1, 10, 10)))
            .unwrap();
        t.draw(|f| render_widget(f, pane("long text"), Rect::new(3, 1, 10, 10)))
            .unwrap();
        assert_eq!(t.backend().buffer()[(3, 1)].symbol(), "┌");
    }
}
