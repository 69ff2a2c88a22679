//! What the view draws on: a screen-sized buffer, drawn in steps (a widget over an area, or
//! cells painted inside an area), and the cursor.
//!
//! Ratatui redraws every widget into a blank buffer each frame, then compares the whole
//! screen with the previous one. While someone types, only the editor and the status bar
//! change: the rest is laid out, copied and compared for nothing. A [`Retained`] screen keeps
//! its buffer between frames and what each step of the last frame was: a keyed step (the hash
//! of its widget, which is plain data) drawn again over the same area, over cells no step of
//! this frame has redrawn, is skipped, its cells already there. Any other step is drawn over
//! what lay under it (remembered from the last frame, except where this frame already drew),
//! so the result is the same as drawing every step over a blank buffer, which is what
//! [`Frame::immediate`] does and what the tests compare it with. When the steps themselves
//! change (a layout, an overlay closing), the frame is drawn again in full.

use std::hash::{Hash, Hasher};

use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect};
use ratatui::widgets::Widget;

/// The cells a step was drawn over: most steps are drawn over the plain background, one cell
/// repeated.
#[derive(Debug, Clone)]
enum Under {
    Uniform(Cell),
    Cells(Vec<Cell>),
}

impl Under {
    /// What `buf` holds in `area`.
    fn of(buf: &Buffer, area: Rect) -> Under {
        let first = buf.content[buf.index_of(area.x, area.y)].clone();
        let uniform = rows(buf, area).all(|row| row.iter().all(|c| *c == first));
        if uniform {
            return Under::Uniform(first);
        }
        let mut cells = Vec::with_capacity(usize::from(area.width) * usize::from(area.height));
        for row in rows(buf, area) {
            cells.extend_from_slice(row);
        }
        Under::Cells(cells)
    }

    /// Puts these cells back into `area` of `buf`, except where `damage` says this frame drew
    /// already: there the buffer holds what lies under the step now, which becomes part of
    /// what is remembered.
    fn restore(&mut self, buf: &mut Buffer, area: Rect, damage: &Damage) {
        if !damage.touches(area) {
            let width = usize::from(area.width);
            match self {
                Under::Uniform(cell) => {
                    for y in area.top()..area.bottom() {
                        let start = buf.index_of(area.x, y);
                        buf.content[start..start + width].fill(cell.clone());
                    }
                }
                Under::Cells(cells) => {
                    for (y, row) in (area.top()..area.bottom()).zip(cells.chunks(width)) {
                        let start = buf.index_of(area.x, y);
                        buf.content[start..start + width].clone_from_slice(row);
                    }
                }
            }
            return;
        }
        let mut merged = Vec::with_capacity(usize::from(area.width) * usize::from(area.height));
        let mut i = 0;
        for y in area.top()..area.bottom() {
            for x in area.left()..area.right() {
                let at = buf.index_of(x, y);
                if !damage.contains(at) {
                    buf.content[at] = match self {
                        Under::Uniform(cell) => cell.clone(),
                        Under::Cells(cells) => cells[i].clone(),
                    };
                }
                merged.push(buf.content[at].clone());
                i += 1;
            }
        }
        *self = Under::Cells(merged);
    }
}

/// The rows of `area` in `buf`, as slices.
fn rows(buf: &Buffer, area: Rect) -> impl Iterator<Item = &[Cell]> {
    let width = usize::from(area.width);
    (area.top()..area.bottom()).map(move |y| {
        let start = buf.index_of(area.x, y);
        &buf.content[start..start + width]
    })
}

/// One step of the last frame.
#[derive(Debug, Clone)]
struct Step {
    /// The hash of its widget; `None`: drawn every frame.
    key: Option<u64>,
    area: Rect,
    under: Under,
    /// What its painting reported (`Frame::paint_keyed`).
    reported: Option<Position>,
}

/// The cells drawn this frame, by index into the buffer.
#[derive(Debug, Default)]
pub struct Damage {
    cells: Vec<bool>,
    rects: Vec<Rect>,
    width: usize,
}

impl Damage {
    fn new(area: Rect) -> Damage {
        Damage {
            cells: vec![false; usize::from(area.width) * usize::from(area.height)],
            rects: Vec::new(),
            width: usize::from(area.width),
        }
    }

    fn touches(&self, area: Rect) -> bool {
        self.rects.iter().any(|r| r.intersects(area))
    }

    fn contains(&self, index: usize) -> bool {
        self.cells.get(index).copied().unwrap_or(false)
    }

    fn add(&mut self, area: Rect) {
        if self.rects.iter().any(|r| r.union(area) == *r) {
            return;
        }
        for y in area.top()..area.bottom() {
            let start = usize::from(y) * self.width + usize::from(area.x);
            self.cells[start..start + usize::from(area.width)].fill(true);
        }
        self.rects.push(area);
    }

    fn everything(area: Rect) -> Damage {
        let mut damage = Damage::new(area);
        damage.add(area);
        damage
    }

    /// No cell drawn, over `area`, in this damage's memory: a screen of flags made anew each
    /// frame was the frame's largest allocation, and glibc sorts all its freed small blocks
    /// before it hands out a large one.
    fn cleared(mut self, area: Rect) -> Damage {
        self.cells.clear();
        self.cells
            .resize(usize::from(area.width) * usize::from(area.height), false);
        self.rects.clear();
        self.width = usize::from(area.width);
        self
    }

    /// For each row drawn this frame, the columns drawn: `(y, left..right)` spanning them.
    pub fn spans(&self) -> impl Iterator<Item = (u16, std::ops::Range<u16>)> + '_ {
        let width = self.width.max(1);
        self.cells.chunks(width).enumerate().filter_map(|(y, row)| {
            let left = row.iter().position(|d| *d)?;
            let right = row.iter().rposition(|d| *d)? + 1;
            let y = u16::try_from(y).ok()?;
            Some((y, u16::try_from(left).ok()?..u16::try_from(right).ok()?))
        })
    }
}

/// How a frame treats its steps.
enum Mode<'s> {
    /// Each drawn as it comes, over a blank buffer.
    Immediate,
    /// Each drawn as it comes, what lay under it remembered for the next frame.
    Full(&'s mut Vec<Step>),
    /// Compared with the last frame's steps (see the module documentation); `gave_up` once
    /// the steps differ in a way only a full frame can draw.
    Retained {
        steps: &'s mut Vec<Step>,
        next: usize,
        gave_up: bool,
    },
}

/// See the module documentation.
pub struct Frame<'s> {
    buf: &'s mut Buffer,
    cursor: Option<Position>,
    ascii: bool,
    mode: Mode<'s>,
    damage: Damage,
}

impl<'s> Frame<'s> {
    /// A frame drawn straight into `buf`, which is blank (a ratatui frame's buffer).
    pub fn immediate(buf: &'s mut Buffer) -> Frame<'s> {
        let damage = Damage::everything(buf.area);
        Frame {
            buf,
            cursor: None,
            ascii: false,
            mode: Mode::Immediate,
            damage,
        }
    }

    /// The screen's area.
    pub fn area(&self) -> Rect {
        self.buf.area
    }

    /// Every cell drawn from here on is made ASCII (a terminal without UTF-8).
    pub fn set_ascii(&mut self, ascii: bool) {
        self.ascii = ascii;
    }

    /// Shows the terminal's cursor at `position` after the frame (hidden otherwise).
    pub fn set_cursor_position(&mut self, position: impl Into<Position>) {
        self.cursor = Some(position.into());
    }

    pub fn cursor(&self) -> Option<Position> {
        self.cursor
    }

    /// Draws `widget` over `area`, every frame.
    pub fn render_widget<W: Widget>(&mut self, widget: W, area: Rect) {
        if let Begun::Draw(area) = self.begin(None, area) {
            widget.render(area, self.buf);
            self.end(area, None);
        }
    }

    /// Draws `widget` over `area`; a retained screen skips it while the same widget is drawn
    /// over the same area and nothing under it changed.
    pub fn render_keyed<W: Widget + Hash>(&mut self, widget: W, area: Rect) {
        let mut hasher = FrameHasher::new();
        widget.hash(&mut hasher);
        if let Begun::Draw(area) = self.begin(Some(hasher.finish()), area) {
            widget.render(area, self.buf);
            self.end(area, None);
        }
    }

    /// Like [`Frame::render_keyed`] with the key given (the caller knows the widget is the
    /// same without making it: [`super::view_state::Built`]), the widget made only if drawn.
    pub fn render_lazy<W: Widget>(&mut self, key: u64, area: Rect, widget: impl FnOnce() -> W) {
        if let Begun::Draw(area) = self.begin(Some(key), area) {
            widget().render(area, self.buf);
            self.end(area, None);
        }
    }

    /// Paints cells of `area` with `paint` (which writes nowhere else), every frame; `None`
    /// when a retained frame has given up and will be drawn again in full.
    pub fn paint<R>(&mut self, area: Rect, paint: impl FnOnce(&mut Buffer) -> R) -> Option<R> {
        let Begun::Draw(area) = self.begin(None, area) else {
            return None;
        };
        let out = paint(self.buf);
        self.end(area, None);
        Some(out)
    }

    /// Paints cells of `area` with `paint` (which writes nowhere else) unless the last frame
    /// painted the same `key` there (`key`: a hash of everything the painting depends on), like
    /// [`Frame::render_keyed`]. The position `paint` reports (a cursor) is kept with the step
    /// and given back when it is skipped.
    pub fn paint_keyed(
        &mut self,
        area: Rect,
        key: u64,
        paint: impl FnOnce(&mut Buffer) -> Option<Position>,
    ) -> Option<Position> {
        match self.begin(Some(key), area) {
            Begun::Skipped(reported) => reported,
            Begun::Draw(area) => {
                let reported = paint(self.buf);
                self.end(area, reported);
                reported
            }
            Begun::Off => None,
        }
    }

    /// Where a step stands: skipped, to draw over `area` (clipped to the screen), or not drawn
    /// at all (off the screen, or a retained frame that gave up).
    fn begin(&mut self, key: Option<u64>, area: Rect) -> Begun {
        let area = area.intersection(self.buf.area);
        if area.is_empty() {
            return Begun::Off;
        }
        match &mut self.mode {
            Mode::Immediate => {}
            Mode::Full(steps) => steps.push(Step {
                key,
                area,
                under: Under::of(self.buf, area),
                reported: None,
            }),
            Mode::Retained {
                steps,
                next,
                gave_up,
            } => {
                if *gave_up {
                    return Begun::Off;
                }
                let index = *next;
                *next += 1;
                match steps.get_mut(index) {
                    Some(last) if last.area == area => {
                        if key.is_some() && last.key == key && !self.damage.touches(area) {
                            return Begun::Skipped(last.reported);
                        }
                        last.under.restore(self.buf, area, &self.damage);
                        last.key = key;
                    }
                    // A step where the last frame had another: what lies under it is not
                    // known here.
                    Some(_) => {
                        *gave_up = true;
                        return Begun::Off;
                    }
                    // A step past the last frame's (an overlay opening): drawn over the frame
                    // so far, which the buffer holds.
                    None => steps.push(Step {
                        key,
                        area,
                        under: Under::of(self.buf, area),
                        reported: None,
                    }),
                }
                self.damage.add(area);
            }
        }
        Begun::Draw(area)
    }

    /// After a step drew over `area`, reporting `reported`.
    fn end(&mut self, area: Rect, reported: Option<Position>) {
        if self.ascii {
            asciify(self.buf, area);
        }
        let step = match &mut self.mode {
            Mode::Immediate => None,
            Mode::Full(steps) => steps.last_mut(),
            Mode::Retained { steps, next, .. } => steps.get_mut(next.wrapping_sub(1)),
        };
        if let Some(step) = step {
            step.reported = reported;
        }
    }
}

/// See [`Frame::begin`].
enum Begun {
    Skipped(Option<Position>),
    Draw(Rect),
    Off,
}

/// With a non-UTF-8 locale every cell is made ASCII (borders, ellipses, dashes, and text).
fn asciify(buf: &mut Buffer, area: Rect) {
    for y in area.top()..area.bottom() {
        let start = buf.index_of(area.x, y);
        for cell in &mut buf.content[start..start + usize::from(area.width)] {
            let sym = cell.symbol();
            if sym.is_ascii() {
                continue;
            }
            let replaced: String = sym.chars().map(super::ascii_of).collect();
            cell.set_symbol(&replaced);
        }
    }
}

/// A fast 64-bit hash (folded multiplies, as wyhash and foldhash mix) of what frames draw:
/// a step's key, a cell's or a row's for planning scrolls. Not for anything an adversary
/// chooses; what a frame shows is the user's own text, and SipHash (`DefaultHasher`) cost
/// several times more per frame.
#[derive(Debug, Clone, Copy)]
pub struct FrameHasher(u64);

const SEED: u64 = 0x2d35_8dcc_aa6c_78a5;
const MULTIPLIER: u64 = 0x8bb8_4b93_962e_acc9;

/// The high and low halves of `a × b`, folded together.
fn folded_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

impl FrameHasher {
    pub fn new() -> FrameHasher {
        FrameHasher(SEED)
    }

    /// Starting from `seed` (a value already as good as a hash's state).
    pub fn with_seed(seed: u64) -> FrameHasher {
        FrameHasher(seed)
    }

    pub fn add(&mut self, word: u64) {
        self.0 = folded_multiply(self.0 ^ word, MULTIPLIER);
    }
}

impl Default for FrameHasher {
    fn default() -> FrameHasher {
        FrameHasher::new()
    }
}

impl Hasher for FrameHasher {
    fn finish(&self) -> u64 {
        folded_multiply(self.0, SEED)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        // The length, so "a" and "a\0" differ.
        self.add(u64::from_le_bytes(word) ^ (bytes.len() as u64) << 56);
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

/// A screen kept between frames: its buffer and the steps that drew it.
pub struct Retained {
    buf: Buffer,
    steps: Vec<Step>,
    /// Whether the buffer and the steps describe the last frame (not after a resize).
    valid: bool,
    damage: Damage,
    cursor: Option<Position>,
    /// Whether the last frame was drawn in full (the first, or the steps changed).
    full: bool,
}

impl Retained {
    pub fn new(area: Rect) -> Retained {
        Retained {
            buf: Buffer::empty(area),
            steps: Vec::new(),
            valid: false,
            damage: Damage::everything(area),
            cursor: None,
            full: true,
        }
    }

    /// The screen's area.
    pub fn area(&self) -> Rect {
        self.buf.area
    }

    /// Forgets the last frame (the screen was resized or cleared): the next is drawn in full.
    pub fn invalidate(&mut self, area: Rect) {
        if self.buf.area != area {
            self.buf = Buffer::empty(area);
        }
        self.valid = false;
    }

    /// Draws a frame with `view` (called a second time when the retained pass gives up).
    pub fn draw(&mut self, mut view: impl FnMut(&mut Frame)) {
        let area = self.buf.area;
        if self.valid {
            let mut frame = Frame {
                buf: &mut self.buf,
                cursor: None,
                ascii: false,
                mode: Mode::Retained {
                    steps: &mut self.steps,
                    next: 0,
                    gave_up: false,
                },
                damage: std::mem::take(&mut self.damage).cleared(area),
            };
            view(&mut frame);
            let cursor = frame.cursor;
            let damage = std::mem::take(&mut frame.damage);
            let kept = matches!(
                frame.mode,
                Mode::Retained { steps, next, gave_up } if !gave_up && next == steps.len()
            );
            self.damage = damage;
            if kept {
                self.cursor = cursor;
                self.full = false;
                return;
            }
        }
        self.buf.reset();
        self.steps.clear();
        let mut damage = std::mem::take(&mut self.damage).cleared(area);
        damage.add(area);
        let mut frame = Frame {
            buf: &mut self.buf,
            cursor: None,
            ascii: false,
            mode: Mode::Full(&mut self.steps),
            damage,
        };
        view(&mut frame);
        self.cursor = frame.cursor;
        self.damage = frame.damage;
        self.valid = true;
        self.full = true;
    }

    /// Whether the last frame was drawn in full rather than retained.
    pub fn was_full(&self) -> bool {
        self.full
    }

    /// The last frame.
    pub fn buffer(&self) -> &Buffer {
        &self.buf
    }

    /// The cells the last frame drew (all of them when drawn in full).
    pub fn damage(&self) -> &Damage {
        &self.damage
    }

    pub fn cursor(&self) -> Option<Position> {
        self.cursor
    }
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Color, Style};
    use ratatui::text::Line;
    use ratatui::widgets::{Block, Borders, Clear, Paragraph};

    use super::*;

    fn pane(text: &str) -> Paragraph<'_> {
        Paragraph::new(vec![Line::raw(text), Line::raw("second")])
            .block(Block::default().borders(Borders::ALL).title(" t "))
    }

    /// A screen: a background, a keyed pane, an unkeyed pane, and maybe a dialog over both.
    fn scene(f: &mut Frame, (bg, left, right, dialog): (Color, &str, &str, Option<&str>)) {
        f.render_keyed(Block::default().style(Style::new().bg(bg)), f.area());
        f.render_keyed(pane(left), Rect::new(0, 0, 10, 6));
        f.render_widget(pane(right), Rect::new(10, 0, 10, 6));
        if let Some(text) = dialog {
            let area = Rect::new(5, 2, 10, 3);
            f.render_widget(Clear, area);
            f.render_keyed(Paragraph::new(text), area);
        }
    }

    type Scene<'a> = (Color, &'a str, &'a str, Option<&'a str>);

    fn immediate(area: Rect, s: Scene) -> Buffer {
        let mut buf = Buffer::empty(area);
        scene(&mut Frame::immediate(&mut buf), s);
        buf
    }

    #[test]
    fn a_retained_screen_equals_drawing_every_step_over_a_blank_one() {
        let area = Rect::new(0, 0, 20, 8);
        let mut screen = Retained::new(area);
        let scenes: [Scene; 9] = [
            (Color::Reset, "one", "a", None),
            (Color::Reset, "one", "a", None),
            (Color::Reset, "two", "a", None),
            (Color::Reset, "two", "b", Some("dialog")),
            (Color::Reset, "three", "b", Some("dialog")),
            (Color::Reset, "three", "b", Some("other")),
            // The dialog closes: the panes under it come back.
            (Color::Reset, "three", "b", None),
            // The background changes under keyed panes: they are drawn again.
            (Color::Blue, "three", "b", None),
            (Color::Blue, "three", "b", None),
        ];
        for s in scenes {
            screen.draw(|f| scene(f, s));
            assert_eq!(*screen.buffer(), immediate(area, s), "{s:?}");
        }
    }

    #[test]
    fn only_what_changed_is_drawn_again() {
        let area = Rect::new(0, 0, 20, 8);
        let mut screen = Retained::new(area);
        screen.draw(|f| scene(f, (Color::Reset, "one", "a", None)));
        screen.draw(|f| scene(f, (Color::Reset, "one", "a", None)));
        // The unkeyed pane only.
        let spans: Vec<_> = screen.damage().spans().collect();
        assert_eq!(spans.len(), 6);
        assert!(spans.iter().all(|(_, x)| *x == (10..20)), "{spans:?}");
        screen.draw(|f| scene(f, (Color::Reset, "two", "a", None)));
        let spans: Vec<_> = screen.damage().spans().collect();
        assert!(spans.iter().all(|(_, x)| *x == (0..20)), "{spans:?}");
    }

    #[test]
    fn ascii_frames_are_ascii_wherever_drawn() {
        let area = Rect::new(0, 0, 20, 8);
        let mut screen = Retained::new(area);
        for text in ["—one…", "—two…"] {
            screen.draw(|f| {
                f.set_ascii(true);
                scene(f, (Color::Reset, text, "a", None));
            });
            assert!(
                screen
                    .buffer()
                    .content
                    .iter()
                    .all(|c| c.symbol().is_ascii()),
                "{text}"
            );
        }
    }

    #[test]
    fn areas_off_the_screen_are_clipped() {
        let mut screen = Retained::new(Rect::new(0, 0, 6, 3));
        for _ in 0..2 {
            screen.draw(|f| f.render_keyed(pane("long text"), Rect::new(3, 1, 10, 10)));
            assert_eq!(screen.buffer()[(3, 1)].symbol(), "┌");
        }
    }
}
