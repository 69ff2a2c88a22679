//! The backend phasegate draws through: a shadow of the terminal screen, and hardware scrolling
//! for rows that moved.
//!
//! ratatui diffs each frame against the previous one cell by cell, so when a pane scrolls by a
//! line every cell of it differs and is written again (~3,500 bytes a line at 120×40).
//! [`ShadowBackend`] keeps a copy of what the terminal shows. Before writing a frame it compares
//! whole rows of the new frame with the shadow; when a band of rows reappears `k` rows higher
//! or lower (a full-width pane scrolled), it asks the terminal to move them: a scrolling region
//! (DECSTBM) and line feeds at its bottom margin or reverse indexes at its top (or deletes and
//! inserts of lines, when shorter) — sequences every VT100 descendant has, the Linux console
//! included (it lacks SU/SD). It then writes only the cells where the new frame differs from
//! the scrolled shadow: the exposed lines and whatever else really changed.
//!
//! A terminal scrolling region spans the full width: rows are first compared whole (a
//! full-width pane scrolled), and the band found is grown by a row or three at either end where
//! a row moved but for a few cells (the line the cursor left, which lost the cursor's mark: it
//! is cheaper mended where the scroll puts it than written whole over an exposed row); when
//! that explains little of what changed (a pane beside another,
//! whose soft-wrapped line gained a row and pushed the rows below it down), bands of rows moved
//! by up to three are scored cell by cell: roughly the bytes each row costs to write over what
//! the terminal would show there (a byte a cell, more for each run), the cells spoiled beside
//! the pane counted against the ones saved. The result is always exact — what is written is
//! the difference from the (scrolled) shadow — so a scroll that does not pay off costs bytes,
//! never correctness.
//!
//! Cells are written the cheap way: the backend knows the terminal's pen (its SGR state) and
//! cursor, so a style is written as the change from the pen (no reset after the last cell), a
//! cursor move only where the cursor is not already (the editor's own cursor, shown by the
//! terminal, usually stands right after the character just typed) and relative when that is
//! shorter (backspaces, a carriage return and line feeds, `CSI n A/B/C/D`; up and down only
//! where no scrolling region's margin is in the way), a short run of unchanged
//! cells is written again rather than skipped when that is shorter, and a long run of blanks is
//! erased (`CSI n X`). A frame is held back until it ends and leaves in one write; a short one
//! (a typed character, a line scrolled in) goes without the synchronized-update pair.
//!
//! A frame comes either as the whole screen with the spans drawn since the last one
//! ([`ShadowBackend::draw_spans`], the TUI's [`crate::tui::surface::Surface`]: the screen is the
//! frame being written) or as ratatui's updates ([`Backend::draw`]: applied to a copy of the
//! shadow kept for that path). Either way a frame costs the cells that changed, not a copy of
//! the screen.
//!
//! [`FrameWriter`] buffers a whole frame and writes it with one `write(2)` on flush; dropped
//! unflushed (a panic mid-frame), it discards the partial frame rather than print it over the
//! restored screen.

use std::cell::Cell as StdCell;
use std::hash::Hasher;
use std::io::{self, Write};
use std::ops::Range;
use std::sync::{Arc, Mutex};

use crate::ui::frame::FrameHasher;
use crossterm::queue;
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};
use ratatui::style::{Color, Modifier};

/// A frame's worth of output, written to stdout in one go on `flush`.
pub struct FrameWriter {
    buf: Vec<u8>,
    out: io::Stdout,
}

impl FrameWriter {
    pub fn stdout() -> FrameWriter {
        FrameWriter {
            buf: Vec::with_capacity(64 * 1024),
            out: io::stdout(),
        }
    }
}

impl Write for FrameWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            let mut out = self.out.lock();
            let result = out.write_all(&self.buf).and_then(|()| out.flush());
            self.buf.clear();
            result?;
        }
        Ok(())
    }
}

/// Counters of the last frame, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameStats {
    /// Cells ratatui asked to write.
    pub cells_offered: usize,
    /// Cells actually written after the shadow comparison (and the scroll, if any).
    pub cells_written: usize,
    /// Rows moved by hardware scrolling (0: none), and by how much.
    pub scrolled_rows: u16,
    pub scroll_by: i32,
}

/// A run of rows to move: `rows` (half-open) scrolled up (`by > 0`: content moves up) or down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrollPlan {
    pub rows: Range<u16>,
    pub by: i32,
}

/// A writer that counts the bytes passing through it. During a frame it holds the frame's
/// bytes back: [`ShadowBackend::end_frame`] writes them in one go, inside a synchronized update
/// unless the frame is short enough not to need one.
pub struct Counted<W: Write> {
    inner: W,
    shared: Arc<Mutex<Shared>>,
}

/// Between the backend and its writer.
#[derive(Default)]
struct Shared {
    /// Bytes written so far.
    bytes: u64,
    /// The frame being written, between `begin_frame` and `end_frame`.
    frame: Option<Vec<u8>>,
}

const BEGIN_SYNC: &[u8] = b"\x1b[?2026h";
const END_SYNC: &[u8] = b"\x1b[?2026l";

/// A frame of at most this many bytes (a typed character, a line scrolled in) goes without the
/// synchronized-update pair: it leaves in one `write(2)`, which a terminal reads whole and
/// cannot show half of, and the pair would cost 16 bytes.
const SMALL_FRAME_BYTES: usize = 256;

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    // Nothing panics while holding it; a poisoned lock still holds consistent counters.
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl<W: Write> Counted<W> {
    fn write_out(&mut self, b: &[u8]) -> io::Result<()> {
        self.inner.write_all(b)?;
        let mut shared = lock(&self.shared);
        shared.bytes = shared
            .bytes
            .saturating_add(u64::try_from(b.len()).unwrap_or(u64::MAX));
        Ok(())
    }
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        {
            let mut shared = lock(&self.shared);
            if let Some(frame) = &mut shared.frame {
                frame.extend_from_slice(b);
                return Ok(b.len());
            }
        }
        self.write_out(b)?;
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if lock(&self.shared).frame.is_some() {
            return Ok(());
        }
        self.inner.flush()
    }
}

/// See the module documentation.
pub struct ShadowBackend<W: Write> {
    inner: CrosstermBackend<Counted<W>>,
    shared: Arc<Mutex<Shared>>,
    /// What the terminal shows.
    shadow: Buffer,
    /// For ratatui's path only ([`Backend::draw`]): the frame being written, the shadow with
    /// ratatui's updates applied. Between frames equal to `shadow`; `None` until that path is
    /// used, and after a frame drawn from spans.
    next: Option<Buffer>,
    /// Scratch: one row of two frames, for [`diff_rows`].
    row_scratch: (Buffer, Buffer),
    /// The keys of the shadow's and of the frame's cells ([`cell_key`]), kept like them, for
    /// planning scrolls without comparing whole cells.
    shadow_keys: Vec<u64>,
    next_keys: Vec<u64>,
    /// For each cell of the frame, roughly what writing it costs ([`write_cost`]).
    next_costs: Vec<u8>,
    /// The terminal's size, asked once and then told by resize events (asking costs an open
    /// of `/dev/tty` and an ioctl: not something to do on every frame, as ratatui would).
    size: StdCell<Size>,
    size_stale: StdCell<bool>,
    hardware_scroll: bool,
    /// Whether the terminal is blank (just cleared): no rows to move, nothing to plan.
    blank: bool,
    /// Whether the terminal's cursor is shown, when known: ratatui hides it on every frame.
    cursor_shown: Option<bool>,
    /// The terminal's pen and cursor, as far as known.
    paint: Painter,
    /// The cursor shape to ask for (DECSCUSR) when the cursor is shown, where the terminal
    /// understands it.
    cursor_shape: Option<&'static [u8]>,
    stats: FrameStats,
}

/// The terminal's SGR state: what the next printed character is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    underline: Color,
    modifier: Modifier,
}

impl Pen {
    const DEFAULT: Pen = Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        underline: Color::Reset,
        modifier: Modifier::empty(),
    };

    fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            underline: cell.underline_color,
            modifier: cell.modifier,
        }
    }
}

/// Blank cells in a row from which erasing them (`CSI n X`, with the pen at the default and a
/// cursor move after) is shorter than writing spaces.
const MIN_ERASE: usize = 12;

/// How many of `cells` from the first are blank (a space in the default style) and side by
/// side on one row.
fn blank_run(cells: &[(u16, u16, &Cell)]) -> usize {
    let Some(&(x0, y0, _)) = cells.first() else {
        return 0;
    };
    cells
        .iter()
        .enumerate()
        .take_while(|(i, (x, y, c))| {
            *y == y0
                && usize::from(*x) == usize::from(x0) + i
                && c.symbol() == " "
                && Pen::of(c) == Pen::DEFAULT
        })
        .count()
}

/// The steady bar cursor (DECSCUSR 6), asked for while the editor shows the terminal's cursor.
pub const CURSOR_BAR: &[u8] = b"\x1b[6 q";
/// The terminal's default cursor shape (DECSCUSR 0), on the way out.
pub const CURSOR_DEFAULT_SHAPE: &[u8] = b"\x1b[0 q";

/// Whether a terminal of type `term` understands DECSCUSR. The Linux console and the old DEC
/// types do not (the console has its own `CSI ? n c`); an unknown type gets no shape change,
/// only the cursor, which every terminal shows.
pub fn supports_cursor_shape(term: &str) -> bool {
    [
        "xterm",
        "tmux",
        "screen",
        "rxvt",
        "alacritty",
        "foot",
        "kitty",
        "wezterm",
        "vte",
        "st-",
    ]
    .iter()
    .any(|prefix| term.starts_with(prefix))
}

impl<W: Write> ShadowBackend<W> {
    /// Draws to `writer`, sized like the terminal (which is assumed blank: the alternate
    /// screen was just entered).
    pub fn new(writer: W) -> ShadowBackend<W> {
        let size = crossterm::terminal::size().map_or(Size::new(0, 0), Size::from);
        ShadowBackend::with_size(writer, size)
    }

    /// Draws to `writer` with a fixed size (tests and benchmarks write to something that is
    /// not a terminal).
    pub fn with_size(writer: W, size: Size) -> ShadowBackend<W> {
        let area = Rect::new(0, 0, size.width, size.height);
        let shared = Arc::new(Mutex::new(Shared::default()));
        ShadowBackend {
            inner: CrosstermBackend::new(Counted {
                inner: writer,
                shared: Arc::clone(&shared),
            }),
            shared,
            shadow: Buffer::empty(area),
            next: None,
            row_scratch: row_buffers(area),
            shadow_keys: blank_keys(area),
            next_keys: blank_keys(area),
            next_costs: vec![0; usize::from(area.width) * usize::from(area.height)],
            size: StdCell::new(size),
            size_stale: StdCell::new(false),
            hardware_scroll: true,
            blank: true,
            cursor_shown: None,
            paint: Painter::UNKNOWN,
            cursor_shape: None,
            stats: FrameStats::default(),
        }
    }

    /// Asks for the editor's bar cursor (DECSCUSR) whenever the cursor is shown, if the
    /// terminal type `term` understands it.
    pub fn set_cursor_shape_for(&mut self, term: &str) {
        self.cursor_shape = supports_cursor_shape(term).then_some(CURSOR_BAR);
    }

    /// Turns hardware scrolling on or off (off: the shadow still drops unchanged cells).
    pub fn set_hardware_scroll(&mut self, on: bool) {
        self.hardware_scroll = on;
    }

    pub fn stats(&self) -> FrameStats {
        self.stats
    }

    /// The terminal was resized to `size` (from the resize event).
    pub fn set_size(&mut self, size: Size) {
        self.size.set(size);
        self.size_stale.set(false);
    }

    /// The size may have changed unseen (an outside editor ran): ask the terminal next time.
    pub fn forget_size(&mut self) {
        self.size_stale.set(true);
    }

    /// Bytes written so far (escape sequences included).
    pub fn bytes_written(&self) -> u64 {
        lock(&self.shared).bytes
    }

    /// Starts a frame: what it writes is held back until [`ShadowBackend::end_frame`]
    /// (ratatui's flush included).
    pub fn begin_frame(&mut self) -> io::Result<()> {
        let mut shared = lock(&self.shared);
        if shared.frame.is_none() {
            shared.frame = Some(Vec::with_capacity(4096));
        }
        Ok(())
    }

    /// Ends a frame: everything out in one write, inside a synchronized update unless it is
    /// short; a frame that changed nothing on screen writes nothing.
    pub fn end_frame(&mut self) -> io::Result<()> {
        let frame = lock(&self.shared).frame.take();
        let Some(frame) = frame else {
            return Backend::flush(&mut self.inner);
        };
        let mut out = Vec::with_capacity(frame.len() + BEGIN_SYNC.len() + END_SYNC.len());
        if frame.len() > SMALL_FRAME_BYTES {
            out.extend_from_slice(BEGIN_SYNC);
            out.extend_from_slice(&frame);
            out.extend_from_slice(END_SYNC);
        } else {
            out = frame;
        }
        if !out.is_empty() {
            self.inner.write_all(&out)?;
        }
        Backend::flush(&mut self.inner)
    }

    /// Draws the cells of `frame` on `spans` (per row, the columns drawn since the last frame;
    /// the others are known to be what the terminal shows) that differ from the terminal.
    /// `frame` is as large as the screen (a [`crate::tui::surface::Surface`] sees to that).
    pub fn draw_spans(
        &mut self,
        frame: &Buffer,
        spans: impl Iterator<Item = (u16, std::ops::Range<u16>)>,
    ) -> io::Result<()> {
        if self.shadow.area != self.area() {
            self.reset_shadow();
        }
        // Between frames the shadow is what the terminal shows: the spans' cells that differ
        // from it are the frame's updates, and `frame` is the frame being written.
        self.next = None;
        let changed = diff_spans(&self.shadow, frame, spans, &mut self.row_scratch);
        let offered = changed.len();
        self.write_frame(frame, changed, Vec::new(), offered)
    }

    fn area(&self) -> Rect {
        let size = self.size.get();
        Rect::new(0, 0, size.width, size.height)
    }

    /// Forgets what the terminal shows: the next frame is written in full against a blank
    /// screen (after a clear).
    fn reset_shadow(&mut self) {
        let area = self.area();
        self.shadow = Buffer::empty(area);
        self.next = None;
        self.row_scratch = row_buffers(area);
        self.shadow_keys = blank_keys(area);
        self.next_keys = blank_keys(area);
        self.next_costs = vec![0; usize::from(area.width) * usize::from(area.height)];
        self.blank = true;
    }

    /// The frame's output when the terminal first scrolls by `plan`: the scroll, then the
    /// cells where the new frame differs from the scrolled shadow, then the scrolling region
    /// reset. The shadow is scrolled.
    fn render_scrolled(
        &mut self,
        next: &Buffer,
        plan: &ScrollPlan,
        changed: &[bool],
        outside: &[(u16, u16, &Cell)],
    ) -> Rendered {
        let scrolled = &mut self.shadow;
        scroll_buffer(scrolled, plan);
        // Rows neither moved nor changed are equal.
        let rows = (0..changed.len())
            .filter(|y| changed[*y] || plan.rows.contains(&u16::try_from(*y).unwrap_or(u16::MAX)));
        let cells = diff_rows(scrolled, next, rows, &mut self.row_scratch);
        let cells = bridge_gaps(next, cells);
        let mut paint = self.paint;
        let mut bytes = Vec::with_capacity(512);
        paint.scroll(&mut bytes, plan);
        let width = next.area.width;
        paint.cells(&mut bytes, cells.iter().chain(outside).copied(), width);
        paint.reset_region(&mut bytes);
        Rendered {
            bytes,
            paint,
            cells: cells.len() + outside.len(),
            plan: Some(plan.clone()),
        }
    }

    /// The frame's output without a scroll: the updates are exactly the cells that change.
    fn render_plain<'a>(
        &self,
        next: &'a Buffer,
        inside: Vec<(u16, u16, &'a Cell)>,
        outside: &[(u16, u16, &Cell)],
    ) -> Rendered {
        let cells = bridge_gaps(next, inside);
        let mut paint = self.paint;
        let mut bytes = Vec::with_capacity(256);
        let width = next.area.width;
        paint.cells(&mut bytes, cells.iter().chain(outside).copied(), width);
        Rendered {
            bytes,
            paint,
            cells: cells.len() + outside.len(),
            plan: None,
        }
    }

    /// Scrolls rows of the terminal, the shadow and the frame being written by `plan` (ratatui
    /// asking, for an inline viewport).
    fn hardware_scroll_by(&mut self, plan: &ScrollPlan) -> io::Result<()> {
        let mut out = Vec::new();
        self.paint.scroll(&mut out, plan);
        self.paint.reset_region(&mut out);
        scroll_buffer(&mut self.shadow, plan);
        if let Some(next) = &mut self.next {
            scroll_buffer(next, plan);
        }
        let width = usize::from(self.shadow.area.width);
        scroll_keys(&mut self.shadow_keys, width, plan);
        scroll_keys(&mut self.next_keys, width, plan);
        scroll_rows(&mut self.next_costs, width, plan, 0);
        self.inner.write_all(&out)
    }
}

impl<W: Write> ShadowBackend<W> {
    /// Writes the frame `next` (as large as the screen), given the cells where it differs from
    /// the shadow (`inside`) and any cells ratatui asked for outside the screen, then takes it
    /// as the shadow. Plans a hardware scroll when rows moved.
    fn write_frame(
        &mut self,
        next: &Buffer,
        inside: Vec<(u16, u16, &Cell)>,
        outside: Vec<(u16, u16, &Cell)>,
        offered: usize,
    ) -> io::Result<()> {
        let width = usize::from(next.area.width);
        // The shadow is the previous frame, so the rows updated are exactly the rows that
        // change.
        let mut changed = vec![false; usize::from(next.area.height)];
        for (_, y, _) in &inside {
            changed[usize::from(*y)] = true;
        }
        for (y, _) in changed.iter().enumerate().filter(|(_, c)| **c) {
            let row = y * width..(y + 1) * width;
            key_row(
                &mut self.next_keys[row.clone()],
                &mut self.next_costs[row.clone()],
                &next.content[row],
            );
        }
        let planned = if self.hardware_scroll && !std::mem::take(&mut self.blank) {
            plan_rows(
                &self.shadow_keys,
                (&self.next_keys, &self.next_costs),
                width,
                &changed,
            )
        } else {
            Planned::Nothing
        };
        let best = match planned {
            Planned::Nothing => self.render_plain(next, inside, &outside),
            Planned::Sure(plan) => self.render_scrolled(next, &plan, &changed, &outside),
            // The scroll estimated to save the most, if it saves enough.
            Planned::Weigh(plans) => match plans.first() {
                Some((saved, plan)) if *saved >= PARTIAL_MIN_BYTES => {
                    self.render_scrolled(next, plan, &changed, &outside)
                }
                _ => self.render_plain(next, inside, &outside),
            },
        };
        self.inner.write_all(&best.bytes)?;
        self.paint = best.paint;
        // The terminal shows the new frame now.
        if best.plan.is_some() {
            self.shadow.content.clone_from_slice(&next.content);
            self.shadow_keys.copy_from_slice(&self.next_keys);
        } else {
            for (y, _) in changed.iter().enumerate().filter(|(_, c)| **c) {
                let row = y * width..(y + 1) * width;
                self.shadow.content[row.clone()].clone_from_slice(&next.content[row.clone()]);
                self.shadow_keys[row.clone()].copy_from_slice(&self.next_keys[row]);
            }
        }
        self.stats = FrameStats {
            cells_offered: offered,
            cells_written: best.cells,
            scrolled_rows: best.plan.as_ref().map_or(0, |p| p.rows.end - p.rows.start),
            scroll_by: best.plan.as_ref().map_or(0, |p| p.by),
        };
        Ok(())
    }
}

/// A frame's output, as weighed against other ways of writing it.
struct Rendered {
    bytes: Vec<u8>,
    /// The pen and cursor after it.
    paint: Painter,
    cells: usize,
    plan: Option<ScrollPlan>,
}

/// What the terminal's pen (its SGR state) and cursor are, as far as the backend knows: a style
/// is written as the change from the pen, a cursor move only where the cursor is not already
/// (after a printed cell it stands right of it; the editor's own cursor, shown by the terminal,
/// usually stands right after the character just typed).
#[derive(Debug, Clone, Copy)]
struct Painter {
    pen: Option<Pen>,
    at: Option<Position>,
    /// The scrolling region set (rows, half-open) while a scroll frame writes its cells; none:
    /// the whole screen.
    region: Option<(u16, u16)>,
}

impl Painter {
    const UNKNOWN: Painter = Painter {
        pen: None,
        at: None,
        region: None,
    };

    fn move_to(&mut self, out: &mut Vec<u8>, to: Position) {
        write_move(out, self.at, to, self.region);
        self.at = Some(to);
    }

    /// Writes `cells` (position and content) in a row `width` columns wide: nothing after the
    /// last cell; a long run of blank cells is erased (`CSI n X`) rather than written as spaces.
    fn cells<'a>(
        &mut self,
        out: &mut Vec<u8>,
        cells: impl Iterator<Item = (u16, u16, &'a Cell)>,
        width: u16,
    ) {
        let cells: Vec<(u16, u16, &Cell)> = cells.collect();
        let mut i = 0;
        while let Some(&(x, y, cell)) = cells.get(i) {
            let at = Position::new(x, y);
            let blanks = blank_run(&cells[i..]);
            if blanks >= MIN_ERASE {
                self.move_to(out, at);
                write_sgr(out, self.pen, Pen::DEFAULT);
                self.pen = Some(Pen::DEFAULT);
                let _ = write!(out, "\x1b[{blanks}X");
                // Erasing does not move the cursor.
                i += blanks;
                continue;
            }
            self.move_to(out, at);
            let pen = Pen::of(cell);
            write_sgr(out, self.pen, pen);
            self.pen = Some(pen);
            let symbol = cell.symbol();
            out.extend_from_slice(symbol.as_bytes());
            // Past a one-column symbol the cursor stands in the next cell; after anything else
            // (a wide char, the last column's pending wrap) it is not trusted.
            let next = x.saturating_add(1);
            self.at = (unicode_width::UnicodeWidthStr::width(symbol) == 1 && next < width)
                .then_some(Position::new(next, y));
            i += 1;
        }
    }

    /// Rows exposed by a scroll take the current background: make it the default one, as the
    /// shadow assumes.
    fn default_background(&mut self, out: &mut Vec<u8>) {
        match self.pen {
            Some(pen) if pen.bg == Color::Reset => {}
            Some(pen) => {
                self.pen = Some(Pen {
                    bg: Color::Reset,
                    ..pen
                });
                out.extend_from_slice(b"\x1b[49m");
            }
            None => {
                self.pen = Some(Pen::DEFAULT);
                out.extend_from_slice(b"\x1b[m");
            }
        }
    }

    /// Moves rows `plan.rows` of the terminal by `plan.by`: sets the scrolling region (DECSTBM,
    /// which every VT100 descendant has) and feeds lines at its bottom margin (LF) or its top
    /// (RI), or deletes or inserts lines at its top (DL, IL) when that is shorter. Not SU/SD
    /// (`CSI S`, `CSI T`): the Linux console lacks them. The region stays set for the rest of
    /// the frame (cursor moves are absolute; nothing is written past its bottom margin) and is
    /// reset by [`Painter::reset_region`].
    fn scroll(&mut self, out: &mut Vec<u8>, plan: &ScrollPlan) {
        let (top, bottom) = (plan.rows.start, plan.rows.end);
        if bottom <= top {
            return;
        }
        self.default_background(out);
        let _ = write!(out, "\x1b[{};{}r", top + 1, bottom);
        // Setting the region homes the cursor; the moves after it are absolute anyway.
        self.at = None;
        self.region = Some((top, bottom));
        let k = plan.by.unsigned_abs();
        let lines = |n: u32, code: char| -> Vec<u8> {
            if n == 1 {
                format!("\x1b[{code}").into_bytes()
            } else {
                format!("\x1b[{n}{code}").into_bytes()
            }
        };
        let top_left = Position::new(0, top);
        if plan.by > 0 {
            let bottom_left = Position::new(0, bottom - 1);
            let mut feed = Vec::new();
            write_move(&mut feed, self.at, bottom_left, self.region);
            feed.extend(std::iter::repeat_n(b'\n', k as usize));
            let mut delete = Vec::new();
            write_move(&mut delete, self.at, top_left, self.region);
            delete.extend_from_slice(&lines(k, 'M'));
            if feed.len() <= delete.len() {
                out.extend_from_slice(&feed);
                self.at = Some(bottom_left);
            } else {
                out.extend_from_slice(&delete);
                self.at = Some(top_left);
            }
        } else {
            self.move_to(out, top_left);
            let reverse = b"\x1bM".repeat(k as usize);
            let insert = lines(k, 'L');
            out.extend_from_slice(if reverse.len() <= insert.len() {
                &reverse
            } else {
                &insert
            });
        }
    }

    /// Gives the terminal its whole screen back as the scrolling region (which homes the
    /// cursor).
    fn reset_region(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\x1b[r");
        self.at = None;
        self.region = None;
    }
}

fn row_buffers(area: Rect) -> (Buffer, Buffer) {
    let row = Rect::new(0, 0, area.width, 1);
    (Buffer::empty(row), Buffer::empty(row))
}

/// The cells where `next` differs from `prev` on `rows` (the others are known equal), as
/// ratatui's diff finds them (wide characters and their trailing cells included) but row by
/// row: a row equal as a whole is passed over by a plain comparison, without the diff's walk
/// that measures every symbol's width. `scratch`: two one-row buffers as wide as the frames.
fn diff_rows<'a>(
    prev: &Buffer,
    next: &'a Buffer,
    rows: impl Iterator<Item = usize>,
    scratch: &mut (Buffer, Buffer),
) -> Vec<(u16, u16, &'a Cell)> {
    let width = usize::from(next.area.width);
    let mut out = Vec::new();
    for y in rows {
        let span = y * width..(y + 1) * width;
        let (Some(old), Some(new)) = (prev.content.get(span.clone()), next.content.get(span))
        else {
            continue;
        };
        if old == new {
            continue;
        }
        let Ok(row) = u16::try_from(y) else { continue };
        if narrow_row(old) && narrow_row(new) {
            // One cell a column: the diff is the cells that differ.
            out.extend(
                (0u16..)
                    .zip(old.iter().zip(new))
                    .filter(|(_, (a, b))| a != b)
                    .map(|(x, (_, b))| (x, row, b)),
            );
            continue;
        }
        scratch.0.content.clone_from_slice(old);
        scratch.1.content.clone_from_slice(new);
        out.extend(
            scratch
                .0
                .diff(&scratch.1)
                .into_iter()
                .filter_map(|(x, _, _)| next.cell(Position::new(x, row)).map(|c| (x, row, c))),
        );
    }
    out
}

/// [`diff_rows`] on parts of rows: for each `(y, columns)`, the cells of those columns where
/// `next` differs from `prev` (a row with wide characters in or at the edge of the part is
/// diffed whole), in row order.
fn diff_spans<'a>(
    prev: &Buffer,
    next: &'a Buffer,
    spans: impl Iterator<Item = (u16, std::ops::Range<u16>)>,
    scratch: &mut (Buffer, Buffer),
) -> Vec<(u16, u16, &'a Cell)> {
    let width = usize::from(next.area.width);
    let mut out = Vec::new();
    for (y, columns) in spans {
        out.reserve(columns.len());
        let row = usize::from(y) * width;
        let (start, end) = (
            row + usize::from(columns.start),
            row + usize::from(columns.end).min(width),
        );
        let (Some(old), Some(new)) = (prev.content.get(start..end), next.content.get(start..end))
        else {
            continue;
        };
        if old == new {
            continue;
        }
        // A wide character just left of the part may cover its first column.
        let edge = start.saturating_sub(1)..start;
        let narrow_edge = columns.start == 0
            || (narrow_row(&prev.content[edge.clone()]) && narrow_row(&next.content[edge]));
        if narrow_edge && narrow_row(old) && narrow_row(new) {
            out.extend(
                (columns.start..)
                    .zip(old.iter().zip(new))
                    .filter(|(_, (a, b))| a != b)
                    .map(|(x, (_, b))| (x, y, b)),
            );
        } else {
            out.extend(diff_rows(
                prev,
                next,
                std::iter::once(usize::from(y)),
                scratch,
            ));
        }
    }
    out
}

/// Every cell of `row` is one column wide and diffed plainly (no skip, no forced update).
fn narrow_row(row: &[Cell]) -> bool {
    row.iter().all(|c| {
        let symbol = c.symbol();
        c.diff_option == ratatui::buffer::CellDiffOption::None
            && match symbol.as_bytes() {
                [b] => (0x20..0x7f).contains(b),
                _ => {
                    let mut chars = symbol.chars();
                    matches!(
                        (chars.next(), chars.next()),
                        (Some(c), None) if unicode_width::UnicodeWidthChar::width(c) == Some(1)
                    )
                }
            }
    })
}

fn blank_keys(area: Rect) -> Vec<u64> {
    vec![cell_key(&Cell::EMPTY); usize::from(area.width) * usize::from(area.height)]
}

/// Moves rows of cell keys like [`scroll_buffer`] moves the cells.
fn scroll_keys(keys: &mut [u64], width: usize, plan: &ScrollPlan) {
    scroll_rows(keys, width, plan, cell_key(&Cell::EMPTY));
}

/// Moves rows of `width` values like [`scroll_buffer`] moves rows of cells, exposed ones set to
/// `blank`.
fn scroll_rows<T: Copy>(keys: &mut [T], width: usize, plan: &ScrollPlan, blank: T) {
    let height = keys.len() / width.max(1);
    let top = usize::from(plan.rows.start);
    let bottom = usize::from(plan.rows.end).min(height);
    if width == 0 || top >= bottom {
        return;
    }
    let by = usize::try_from(plan.by.unsigned_abs()).unwrap_or(usize::MAX);
    let span = &mut keys[top * width..bottom * width];
    let moved = by.saturating_mul(width).min(span.len());
    if plan.by > 0 {
        span.rotate_left(moved);
        let len = span.len();
        span[len - moved..].fill(blank);
    } else {
        span.rotate_right(moved);
        span[..moved].fill(blank);
    }
}

/// Moves rows of `buf` like the terminal moves them for `plan`; exposed rows are blank (the
/// pen's background is the default one when the terminal scrolls).
fn scroll_buffer(buf: &mut Buffer, plan: &ScrollPlan) {
    let width = usize::from(buf.area.width);
    let top = usize::from(plan.rows.start);
    let bottom = usize::from(plan.rows.end).min(usize::from(buf.area.height));
    if width == 0 || top >= bottom {
        return;
    }
    let by = usize::try_from(plan.by.unsigned_abs()).unwrap_or(usize::MAX);
    let span = &mut buf.content[top * width..bottom * width];
    let moved = by.saturating_mul(width).min(span.len());
    if plan.by > 0 {
        span.rotate_left(moved);
        let len = span.len();
        span[len - moved..].fill(Cell::EMPTY);
    } else {
        span.rotate_right(moved);
        span[..moved].fill(Cell::EMPTY);
    }
}

/// Which SGR color a color is set as.
#[derive(Clone, Copy)]
enum Layer {
    Fg,
    Bg,
    Underline,
}

/// The 16 named colors' palette index.
fn named_index(color: Color) -> Option<u8> {
    Some(match color {
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
        _ => return None,
    })
}

fn push_param(params: &mut String, p: impl std::fmt::Display) {
    use std::fmt::Write as _;
    if !params.is_empty() {
        params.push(';');
    }
    let _ = write!(params, "{p}");
}

/// SGR parameters setting `color` on `layer`: the short 30–37/90–97 (40–47/100–107) forms
/// for the 16 named colors, which every terminal knows.
fn color_params(params: &mut String, color: Color, layer: Layer) {
    let (base, reset) = match layer {
        Layer::Fg => (38, 39),
        Layer::Bg => (48, 49),
        Layer::Underline => (58, 59),
    };
    match (color, named_index(color)) {
        (Color::Reset, _) => push_param(params, reset),
        (Color::Indexed(i), _) => push_param(params, format_args!("{base};5;{i}")),
        (Color::Rgb(r, g, b), _) => push_param(params, format_args!("{base};2;{r};{g};{b}")),
        (_, Some(i)) => match layer {
            Layer::Fg if i < 8 => push_param(params, 30 + i),
            Layer::Fg => push_param(params, 90 + i - 8),
            Layer::Bg if i < 8 => push_param(params, 40 + i),
            Layer::Bg => push_param(params, 100 + i - 8),
            Layer::Underline => push_param(params, format_args!("58;5;{i}")),
        },
        (_, None) => push_param(params, reset),
    }
}

/// Each modifier's SGR on and off codes (22 ends both bold and dim, 25 both blinks).
const MODIFIER_CODES: [(Modifier, u8, u8); 9] = [
    (Modifier::BOLD, 1, 22),
    (Modifier::DIM, 2, 22),
    (Modifier::ITALIC, 3, 23),
    (Modifier::UNDERLINED, 4, 24),
    (Modifier::SLOW_BLINK, 5, 25),
    (Modifier::RAPID_BLINK, 6, 25),
    (Modifier::REVERSED, 7, 27),
    (Modifier::HIDDEN, 8, 28),
    (Modifier::CROSSED_OUT, 9, 29),
];

/// SGR parameters turning pen `from` into `to` by changes only.
fn delta_params(from: &Pen, to: &Pen) -> String {
    let mut params = String::new();
    let removed = from.modifier.difference(to.modifier);
    let mut offs: Vec<u8> = Vec::new();
    for (m, _, off) in MODIFIER_CODES {
        if removed.contains(m) && !offs.contains(&off) {
            offs.push(off);
            push_param(&mut params, off);
        }
    }
    let cleared = MODIFIER_CODES
        .iter()
        .filter(|(_, _, off)| offs.contains(off))
        .fold(Modifier::empty(), |all, (m, _, _)| all | *m);
    // What `to` has that `from` lacked, and what an off code cleared along with another.
    let add = to.modifier.difference(from.modifier.difference(cleared));
    for (m, on, _) in MODIFIER_CODES {
        if add.contains(m) {
            push_param(&mut params, on);
        }
    }
    if from.fg != to.fg {
        color_params(&mut params, to.fg, Layer::Fg);
    }
    if from.bg != to.bg {
        color_params(&mut params, to.bg, Layer::Bg);
    }
    if from.underline != to.underline {
        color_params(&mut params, to.underline, Layer::Underline);
    }
    params
}

/// Writes the shortest SGR sequence that turns the pen `from` (unknown: `None`) into `to`:
/// the changes, or a reset and what `to` sets, in one sequence.
fn write_sgr(out: &mut Vec<u8>, from: Option<Pen>, to: Pen) {
    if from == Some(to) {
        return;
    }
    let reset = {
        let mut params = String::from("0");
        let rest = delta_params(&Pen::DEFAULT, &to);
        if !rest.is_empty() {
            params.push(';');
            params.push_str(&rest);
        }
        params
    };
    let params = match from {
        Some(from) => {
            let delta = delta_params(&from, &to);
            if delta.len() <= reset.len() {
                delta
            } else {
                reset
            }
        }
        None => reset,
    };
    out.extend_from_slice(b"\x1b[");
    // `CSI m` is `CSI 0 m`.
    if params != "0" {
        out.extend_from_slice(params.as_bytes());
    }
    out.push(b'm');
}

/// Writes the shortest move of the cursor from `from` (unknown: `None`) to `to`: absolute
/// (CUP), or from a known place relative — a carriage return, backspaces, line feeds, or
/// `CSI n A/B/C/D/G` — when shorter. `region`: the scrolling region set (rows, half-open), if
/// any: a relative move up or down is made only inside it, where the cursor moves alike in every
/// terminal (CUU/CUD stop at its margins; a line feed at its bottom margin would scroll it). A
/// line feed only ever follows a carriage return or starts at the first column, so a terminal
/// that adds a carriage return to it moves the same.
fn write_move(out: &mut Vec<u8>, from: Option<Position>, to: Position, region: Option<(u16, u16)>) {
    let Some(from) = from else {
        write_cup(out, to);
        return;
    };
    if from == to {
        return;
    }
    // The candidates are weighed by length; only the shortest is written.
    let mut best = (cup_len(to), Move::Cup);
    let mut consider = |len: usize, candidate: Move| {
        if len < best.0 {
            best = (len, candidate);
        }
    };
    if from.y == to.y {
        let across = Across::between(from.x, to.x);
        consider(across.len(), Move::Across(across));
    } else if region.is_none_or(|(top, bottom)| {
        (top..bottom).contains(&from.y) && (top..bottom).contains(&to.y)
    }) {
        // Up or down a few rows (CUU, CUD), then across.
        let (code, rows) = if to.y > from.y {
            (b'B', to.y - from.y)
        } else {
            (b'A', from.y - to.y)
        };
        let across = Across::between(from.x, to.x);
        consider(
            csi_n_len(rows) + across.len(),
            Move::Rows(code, rows, across),
        );
        if to.y > from.y {
            // To the first column and down by line feeds (never at the bottom margin: `to` is
            // inside the region, or on the screen, below the row fed from), then across.
            let across = Across::between(0, to.x);
            let len = usize::from(from.x != 0) + usize::from(rows) + across.len();
            consider(len, Move::Feeds(from.x != 0, rows, across));
        }
    }
    match best.1 {
        Move::Cup => write_cup(out, to),
        Move::Across(across) => across.write(out),
        Move::Rows(code, rows, across) => {
            write_csi_n(out, rows, code);
            across.write(out);
        }
        Move::Feeds(carriage_return, rows, across) => {
            if carriage_return {
                out.push(b'\r');
            }
            out.extend(std::iter::repeat_n(b'\n', usize::from(rows)));
            across.write(out);
        }
    }
}

/// A way to move the cursor ([`write_move`]).
enum Move {
    Cup,
    Across(Across),
    /// `CSI n A` or `CSI n B`, then across.
    Rows(u8, u16, Across),
    /// A carriage return (when not at the first column), line feeds, then across.
    Feeds(bool, u16, Across),
}

/// The shortest move along a row: a carriage return to the first column, backspaces or
/// `CSI n D` back, `CSI n C` forward, or the column (`CSI n G`).
#[derive(Clone, Copy)]
enum Across {
    Stay,
    Return,
    Backspaces(u16),
    Left(u16),
    Right(u16),
    /// `CSI n G`, 0-based here.
    Column(u16),
}

impl Across {
    fn between(from: u16, to: u16) -> Across {
        if from == to {
            return Across::Stay;
        }
        if to == 0 {
            return Across::Return;
        }
        let relative = if to > from {
            Across::Right(to - from)
        } else if from - to <= 2 {
            Across::Backspaces(from - to)
        } else {
            Across::Left(from - to)
        };
        let absolute = Across::Column(to);
        if relative.len() < absolute.len() {
            relative
        } else {
            absolute
        }
    }

    fn len(self) -> usize {
        match self {
            Across::Stay => 0,
            Across::Return => 1,
            Across::Backspaces(n) => usize::from(n),
            Across::Left(n) | Across::Right(n) => csi_n_len(n),
            Across::Column(x) => 3 + decimal_len(u32::from(x) + 1),
        }
    }

    fn write(self, out: &mut Vec<u8>) {
        match self {
            Across::Stay => {}
            Across::Return => out.push(b'\r'),
            Across::Backspaces(n) => out.extend(std::iter::repeat_n(0x08, usize::from(n))),
            Across::Left(n) => write_csi_n(out, n, b'D'),
            Across::Right(n) => write_csi_n(out, n, b'C'),
            Across::Column(x) => {
                out.extend_from_slice(b"\x1b[");
                push_decimal(out, u32::from(x) + 1);
                out.push(b'G');
            }
        }
    }
}

/// `CSI row;col H`, the column left out when it is the first.
fn write_cup(out: &mut Vec<u8>, to: Position) {
    let (row, col) = (u32::from(to.y) + 1, u32::from(to.x) + 1);
    out.extend_from_slice(b"\x1b[");
    push_decimal(out, row);
    if col != 1 {
        out.push(b';');
        push_decimal(out, col);
    }
    out.push(b'H');
}

fn cup_len(to: Position) -> usize {
    let (row, col) = (u32::from(to.y) + 1, u32::from(to.x) + 1);
    3 + decimal_len(row) + if col == 1 { 0 } else { 1 + decimal_len(col) }
}

/// `CSI n code`, the count left out when it is 1.
fn write_csi_n(out: &mut Vec<u8>, n: u16, code: u8) {
    out.extend_from_slice(b"\x1b[");
    if n != 1 {
        push_decimal(out, u32::from(n));
    }
    out.push(code);
}

fn csi_n_len(n: u16) -> usize {
    3 + if n == 1 { 0 } else { decimal_len(u32::from(n)) }
}

/// `n` in decimal, without the formatting machinery (cursor moves are written per cell run).
fn push_decimal(out: &mut Vec<u8>, n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

fn decimal_len(n: u32) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// A color as one number, for [`cell_key`].
fn color_key(c: Color) -> u64 {
    match c {
        Color::Reset => 0,
        Color::Rgb(r, g, b) => 1 << 24 | u64::from(r) << 16 | u64::from(g) << 8 | u64::from(b),
        Color::Indexed(i) => 2 << 24 | u64::from(i),
        named => 3 << 24 | u64::from(named_index(named).unwrap_or(u8::MAX)),
    }
}

/// A cell as one number (what it shows and how), for comparing frames while planning a
/// scroll: two cells with the same key are taken as equal (a collision only costs a plan that
/// does not pay off: what is written is the real difference).
fn cell_key(cell: &Cell) -> u64 {
    // Most symbols are one to four bytes: folded into a word (a longer one wraps around,
    // which only makes collisions likelier).
    let symbol = cell
        .symbol()
        .bytes()
        .fold(0u64, |word, b| word.rotate_left(8) ^ u64::from(b));
    let option = match cell.diff_option {
        ratatui::buffer::CellDiffOption::None => 0,
        ratatui::buffer::CellDiffOption::Skip => 1,
        ratatui::buffer::CellDiffOption::AlwaysUpdate => 2,
        ratatui::buffer::CellDiffOption::ForcedWidth(w) => 3 + u64::from(w.get()),
    };
    let mut h = FrameHasher::with_seed(symbol);
    h.add(color_key(cell.fg) | color_key(cell.bg) << 32);
    h.add(color_key(cell.underline_color) | u64::from(cell.modifier.bits()) << 32 | option << 48);
    h.finish()
}

/// The keys of the cells of `row` into `keys`.
fn key_row(keys: &mut [u64], costs: &mut [u8], row: &[Cell]) {
    for (k, c) in keys.iter_mut().zip(row) {
        *k = cell_key(c);
    }
    let mut left: Option<Pen> = None;
    for (cost, c) in costs.iter_mut().zip(row) {
        let pen = Pen::of(c);
        *cost = write_cost(c, left.is_some_and(|l| l != pen));
        left = Some(pen);
    }
}

/// What writing `cell` costs inside a run of written cells, roughly: its symbol's bytes (none
/// for a blank, which a run of is erased), and a style change where its style is not the one of
/// the cell left of it (`new_style`).
fn write_cost(cell: &Cell, new_style: bool) -> u8 {
    let pen = Pen::of(cell);
    let symbol = cell.symbol();
    let bytes = if symbol == " " && pen == Pen::DEFAULT {
        0
    } else {
        u8::try_from(symbol.len()).unwrap_or(u8::MAX)
    };
    bytes.saturating_add(if new_style { STYLE_COST } else { 0 })
}

/// A move forward on a row costs 3–5 bytes (`CSI n C`): a short run of unchanged cells between
/// two writes on a row, in the style of the cell before it or of the cell after it (the pen
/// then changes before the run instead of after it), is cheaper written again when its symbols
/// are shorter than the move. Only one-column symbols bridge (never the column after a wide
/// character).
fn bridge_gaps<'a>(
    next: &'a Buffer,
    updates: Vec<(u16, u16, &'a Cell)>,
) -> Vec<(u16, u16, &'a Cell)> {
    let same_style = |a: &Cell, b: &Cell| {
        a.fg == b.fg
            && a.bg == b.bg
            && a.modifier == b.modifier
            && a.underline_color == b.underline_color
    };
    let narrow = |c: &Cell| {
        c.diff_option == ratatui::buffer::CellDiffOption::None
            && unicode_width::UnicodeWidthStr::width(c.symbol()) == 1
    };
    let mut out: Vec<(u16, u16, &'a Cell)> = Vec::with_capacity(updates.len());
    for (x, y, cell) in updates {
        if let Some(&(lx, ly, last)) = out.last()
            && ly == y
            && x > lx.saturating_add(1)
            && narrow(last)
        {
            let skipped = usize::from(x - lx - 1);
            let forward = Across::between(lx + 1, x).len();
            // Every one-column symbol is a byte at least: a longer gap never pays.
            let gap: Option<Vec<&Cell>> = (skipped < forward)
                .then(|| {
                    (lx + 1..x)
                        .map(|gx| next.cell(Position::new(gx, y)))
                        .collect()
                })
                .flatten();
            if let Some(gap) = gap
                && gap.len() == skipped
                && gap.iter().map(|c| c.symbol().len()).sum::<usize>() < forward
                && gap.iter().all(|c| narrow(c))
                && (gap.iter().all(|c| same_style(c, last))
                    || gap.iter().all(|c| same_style(c, cell)))
            {
                out.extend((lx + 1..x).zip(gap).map(|(gx, c)| (gx, y, c)));
            }
        }
        out.push((x, y, cell));
    }
    out
}

/// The scroll that saves the most cells when `old` becomes `new`, if any: whole rows that
/// reappear `k` rows higher or lower (a full-width pane scrolled), or a band of rows that
/// partly does (a pane beside another: the rows below a soft-wrapped line that gained a row).
pub fn plan_scroll(old: &Buffer, new: &Buffer) -> Option<ScrollPlan> {
    if old.area != new.area {
        return None;
    }
    let width = usize::from(old.area.width).max(1);
    let changed: Vec<bool> = old
        .content
        .chunks(width)
        .zip(new.content.chunks(width))
        .map(|(a, b)| a != b)
        .collect();
    let keys = |b: &Buffer| b.content.iter().map(cell_key).collect::<Vec<u64>>();
    let mut new_keys = keys(new);
    let mut costs = vec![0; new_keys.len()];
    for ((k, b), row) in new_keys
        .chunks_mut(width)
        .zip(costs.chunks_mut(width))
        .zip(new.content.chunks(width))
    {
        key_row(k, b, row);
    }
    match plan_rows(&keys(old), (&new_keys, &costs), width, &changed) {
        Planned::Nothing => None,
        Planned::Sure(plan) => Some(plan),
        Planned::Weigh(plans) => plans.into_iter().next().map(|(_, p)| p),
    }
}

/// What planning found.
enum Planned {
    Nothing,
    /// A full-width pane scrolled, and little else changed: nothing could do better.
    Sure(ScrollPlan),
    /// Scrolls that may pay off and the bytes each saves (roughly), the one saving the most
    /// first.
    Weigh(Vec<(i64, ScrollPlan)>),
}

/// Plans a scroll turning a frame into another (`old` and `new`: their cells' keys, rows
/// `width` long), whose rows `changed` differ.
fn plan_rows(old: &[u64], new: (&[u64], &[u8]), width: usize, changed: &[bool]) -> Planned {
    // Most frames (a key typed, a cursor moved) change a row or two: nothing to plan.
    if old.len() != new.0.len() || changed.iter().filter(|c| **c).count() < 3 {
        return Planned::Nothing;
    }
    let mut rows = Rows::new(old, new, width, changed.to_vec());
    let whole = rows.whole_row_plan();
    if let Some(w) = &whole {
        // A full-width pane scrolled: what changed besides (a status line, the rows of a
        // cursor moving) is a few rows. Comparing cells would find nothing better.
        let besides = (0..rows.height())
            .filter(|y| {
                rows.changed[*y] && !w.rows.contains(&u16::try_from(*y).unwrap_or(u16::MAX))
            })
            .count();
        if besides <= 3 {
            return Planned::Sure(rows.widened(w));
        }
    }
    rows.count_cells();
    let mut plans: Vec<(i64, ScrollPlan)> = Vec::new();
    if let Some(w) = whole {
        let w = rows.widened(&w);
        plans.push((rows.cells_saved(&w), w));
    }
    if let Some(p) = rows.partial_plan()
        && !plans.iter().any(|(_, q)| *q == p.1)
    {
        plans.push(p);
    }
    plans.sort_by_key(|(cells, _)| std::cmp::Reverse(*cells));
    if plans.is_empty() {
        return Planned::Nothing;
    }
    Planned::Weigh(plans)
}

/// The farthest a band is moved when its rows only partly match.
const PARTIAL_SHIFT: usize = 3;
/// Bytes (as [`row_cost`] estimates them) a scroll must save to be taken: its escape sequences
/// (~15 bytes), and what the estimate misses (erasures, moves between runs), which made it
/// 70–110 bytes optimistic on the frames of a wrapping line beside the gate pane.
const PARTIAL_MIN_BYTES: i64 = 96;
/// What starting a run of written cells costs besides the cells, roughly: a cursor move and
/// often a style change.
const RUN_COST: i64 = 8;
/// A row score that keeps a band from covering it.
const NEVER: i64 = -(1 << 40);

/// Two frames compared row by row, for planning a scroll, by their cells' keys.
struct Rows<'a> {
    old: &'a [u64],
    new: &'a [u64],
    /// What writing each cell of the new frame costs ([`write_cost`]).
    costs: &'a [u8],
    width: usize,
    changed: Vec<bool>,
    old_hash: Vec<u64>,
    new_hash: Vec<u64>,
    /// What writing each new row over the old row at the same place costs ([`row_cost`]).
    same: Vec<i64>,
    /// What writing each new row over a blank row (what an exposed row shows) costs.
    blank: Vec<i64>,
}

/// What a style change inside a run of written cells costs, roughly.
const STYLE_COST: u8 = 6;

/// Roughly the bytes of turning a row showing cells `old` into `new` (their keys; `costs`: what
/// writing each new cell costs, [`write_cost`]): the differing cells' costs, [`RUN_COST`] a
/// run of them, and between two runs the cells of the gap, a byte each, when that is less (the
/// painter writes a short gap again rather than move over it).
fn row_cost(new: &[u64], old: &[u64], costs: &[u8]) -> i64 {
    let mut cost = 0;
    // Equal cells since the last differing one; none yet on the row.
    let mut gap: Option<i64> = None;
    for ((a, b), c) in new.iter().zip(old).zip(costs) {
        if a == b {
            if let Some(g) = &mut gap {
                *g += 1;
            }
        } else {
            // A short gap (the space between two words) is written again rather than skipped.
            cost += i64::from(*c) + gap.map_or(RUN_COST, |g| g.min(RUN_COST));
            gap = Some(0);
        }
    }
    cost
}

fn row_hash(keys: &[u64]) -> u64 {
    let mut h = FrameHasher::new();
    for k in keys {
        h.add(*k);
    }
    h.finish()
}

impl<'a> Rows<'a> {
    /// `old` and `new`: the keys of two frames' cells, rows `width` long.
    fn new(
        old: &'a [u64],
        new: (&'a [u64], &'a [u8]),
        width: usize,
        changed: Vec<bool>,
    ) -> Rows<'a> {
        let (new, costs) = new;
        let width = width.max(1);
        let old_hash: Vec<u64> = old.chunks(width).map(row_hash).collect();
        // A row that did not change hashes as it did.
        let new_hash = new
            .chunks(width)
            .zip(&old_hash)
            .zip(&changed)
            .map(|((row, old), changed)| if *changed { row_hash(row) } else { *old })
            .collect();
        Rows {
            old,
            new,
            costs,
            width,
            old_hash,
            new_hash,
            same: Vec::new(),
            blank: Vec::new(),
            changed,
        }
    }

    /// Weighs the rows as cell-level planning needs (`same`, `blank`).
    fn count_cells(&mut self) {
        let empty = vec![cell_key(&Cell::EMPTY); self.width];
        self.same = (0..self.height())
            .map(|y| {
                if self.changed[y] {
                    row_cost(self.new_row(y), self.old_row(y), self.costs_of(y))
                } else {
                    0
                }
            })
            .collect();
        self.blank = (0..self.height())
            .map(|y| row_cost(self.new_row(y), &empty, self.costs_of(y)))
            .collect();
    }

    fn height(&self) -> usize {
        self.changed.len()
    }

    fn old_row(&self, y: usize) -> &'a [u64] {
        &self.old[y * self.width..(y + 1) * self.width]
    }

    fn new_row(&self, y: usize) -> &'a [u64] {
        &self.new[y * self.width..(y + 1) * self.width]
    }

    fn costs_of(&self, y: usize) -> &'a [u8] {
        &self.costs[y * self.width..(y + 1) * self.width]
    }

    /// What writing new row `y` over old row `y` costs (weighed by [`Rows::count_cells`], or
    /// now).
    fn same_cost(&self, y: usize) -> i64 {
        match self.same.get(y) {
            Some(cost) => *cost,
            None if self.changed[y] => row_cost(self.new_row(y), self.old_row(y), self.costs_of(y)),
            None => 0,
        }
    }

    /// What writing new row `y` over a blank row costs.
    fn blank_cost(&self, y: usize) -> i64 {
        match self.blank.get(y) {
            Some(cost) => *cost,
            None => row_cost(
                self.new_row(y),
                &[cell_key(&Cell::EMPTY)].repeat(self.width),
                self.costs_of(y),
            ),
        }
    }

    /// What row `y` gains (bytes, roughly) by showing old row `src` instead of old row `y`.
    fn moved_gain(&self, y: usize, src: usize) -> i64 {
        let cost = if self.new_hash[y] == self.old_hash[src] {
            0
        } else {
            row_cost(self.new_row(y), self.old_row(src), self.costs_of(y))
        };
        self.same_cost(y) - cost
    }

    /// What row `y` gains by being blanked.
    fn exposed_gain(&self, y: usize) -> i64 {
        self.same_cost(y) - self.blank_cost(y)
    }

    /// `plan` (whole rows that reappear moved) grown by up to [`PARTIAL_SHIFT`] rows at either
    /// end where that saves bytes: a row that reappears moved but for a few cells (the line
    /// the cursor left, which loses the cursor's mark) is cheaper fixed where the scroll puts
    /// it than written whole over an exposed row. The ends are weighed apart (growing one
    /// leaves the other's rows as they were): at each, the growth saving the most, if any.
    fn widened(&self, plan: &ScrollPlan) -> ScrollPlan {
        let h = self.height();
        let (a, b) = (usize::from(plan.rows.start), usize::from(plan.rows.end));
        let k = usize::try_from(plan.by.unsigned_abs()).unwrap_or(usize::MAX);
        if k == 0 || b > h || b.saturating_sub(a) <= k {
            return plan.clone();
        }
        // What growing the region's top to `a - n` or its bottom to `b + n` saves over
        // growing it by `n - 1`.
        let top_step = |n: usize| -> Option<i64> {
            let y = a.checked_sub(n)?;
            Some(if plan.by > 0 {
                // Up: row y now shows old row y + k.
                self.moved_gain(y, y + k)
            } else {
                // Down: row y is exposed; row y + k shows old row y instead of being exposed.
                self.exposed_gain(y) + self.moved_gain(y + k, y) - self.exposed_gain(y + k)
            })
        };
        let bottom_step = |n: usize| -> Option<i64> {
            let y = b + n - 1;
            if y >= h {
                return None;
            }
            Some(if plan.by > 0 {
                // Up: row y is exposed; row y - k shows old row y instead of being exposed.
                self.exposed_gain(y) + self.moved_gain(y - k, y) - self.exposed_gain(y - k)
            } else {
                // Down: row y now shows old row y - k.
                self.moved_gain(y, y - k)
            })
        };
        let best = |step: &dyn Fn(usize) -> Option<i64>| -> usize {
            let (mut sum, mut best, mut at) = (0, 0, 0);
            for n in 1..=PARTIAL_SHIFT {
                let Some(gain) = step(n) else { break };
                sum += gain;
                if sum > best {
                    (best, at) = (sum, n);
                }
            }
            at
        };
        let (up, down) = (best(&top_step), best(&bottom_step));
        match (u16::try_from(a - up), u16::try_from(b + down)) {
            (Ok(start), Ok(end)) => ScrollPlan {
                rows: start..end,
                by: plan.by,
            },
            _ => plan.clone(),
        }
    }

    /// The bytes (roughly) `plan` saves.
    fn cells_saved(&self, plan: &ScrollPlan) -> i64 {
        let (top, bottom) = (usize::from(plan.rows.start), usize::from(plan.rows.end));
        let k = usize::try_from(plan.by.unsigned_abs()).unwrap_or(usize::MAX);
        (top..bottom.min(self.height()))
            .map(|y| {
                let src = if plan.by > 0 {
                    y.checked_add(k)
                } else {
                    y.checked_sub(k)
                };
                match src.filter(|s| (top..bottom).contains(s)) {
                    Some(s) => self.moved_gain(y, s),
                    None => self.exposed_gain(y),
                }
            })
            .sum()
    }

    /// The scroll that turns the most whole rows of the old frame into rows of the new one,
    /// if it saves at least two rows. Whole rows are compared (a terminal scrolling region is
    /// full width).
    fn whole_row_plan(&self) -> Option<ScrollPlan> {
        let (old, new, changed) = (&self.old_hash, &self.new_hash, &self.changed);
        let h = old.len();
        // (benefit, first row, last row of the region (inclusive), by)
        let mut best: Option<(usize, usize, usize, i32)> = None;
        for k in 1..h {
            for up in [true, false] {
                // Row y of the new frame equals row `src(y)` of the old one.
                let src = |y: usize| {
                    if up {
                        y.checked_add(k)
                    } else {
                        y.checked_sub(k)
                    }
                };
                let matches = |y: usize| src(y).is_some_and(|s| s < h && new[y] == old[s]);
                let mut y = 0;
                while y < h {
                    if !matches(y) {
                        y += 1;
                        continue;
                    }
                    let start = y;
                    while y < h && matches(y) {
                        y += 1;
                    }
                    let end = y - 1; // inclusive
                    let gained = (start..=end).filter(|r| changed[*r]).count();
                    // The region: the run plus the k rows it exposes (below it for up, above
                    // for down). Exposed rows that had not changed must be rewritten: the cost.
                    let (first, last, exposed) = if up {
                        (start, end + k, end + 1..end + k + 1)
                    } else {
                        (start - k, end, start - k..start)
                    };
                    let cost = exposed.filter(|r| !changed[*r]).count();
                    let benefit = gained.saturating_sub(cost);
                    if benefit >= 2 && best.is_none_or(|b| benefit > b.0) {
                        let by = i32::try_from(k).unwrap_or(i32::MAX);
                        best = Some((benefit, first, last, if up { by } else { -by }));
                    }
                }
            }
        }
        let (_, first, last, by) = best?;
        Some(ScrollPlan {
            rows: u16::try_from(first).ok()?..u16::try_from(last + 1).ok()?,
            by,
        })
    }

    /// The band of rows whose move by at most `PARTIAL_SHIFT` rows saves the most cells:
    /// cells that then match minus cells that matched and no longer do (beside the pane, or
    /// exposed). Returns the cells saved and the plan.
    fn partial_plan(&self) -> Option<(i64, ScrollPlan)> {
        let h = self.height();
        let first = self.changed.iter().position(|c| *c)?;
        let last = self.changed.iter().rposition(|c| *c)?;
        // Rows farther from the changed ones than a shift can only lose.
        let lo = first.saturating_sub(PARTIAL_SHIFT);
        let hi = (last + PARTIAL_SHIFT).min(h - 1);
        let n = hi - lo + 1;
        let prefix = |v: &mut dyn Iterator<Item = i64>| -> Vec<i64> {
            let mut p = vec![0];
            let mut sum = 0;
            for x in v {
                sum += x;
                p.push(sum);
            }
            p
        };
        let exposed = prefix(&mut (lo..=hi).map(|y| self.exposed_gain(y)));
        // (cells, first row, last row (inclusive), by)
        let mut best: Option<(i64, usize, usize, i32)> = None;
        for k in 1..=PARTIAL_SHIFT.min(n.saturating_sub(1)) {
            for up in [true, false] {
                let moved = prefix(&mut (lo..=hi).map(|y| {
                    let src = if up {
                        y.checked_add(k)
                    } else {
                        y.checked_sub(k)
                    };
                    match src.filter(|s| *s < h) {
                        Some(s) => self.moved_gain(y, s),
                        None => NEVER,
                    }
                }));
                for a in 0..n {
                    for b in a + k..n {
                        // Up: rows a..=b-k show the rows k below, b-k+1..=b are exposed.
                        // Down: rows a..a+k are exposed, a+k..=b show the rows k above.
                        let cells = if up {
                            moved[b + 1 - k] - moved[a] + exposed[b + 1] - exposed[b + 1 - k]
                        } else {
                            exposed[a + k] - exposed[a] + moved[b + 1] - moved[a + k]
                        };
                        if cells >= PARTIAL_MIN_BYTES && best.is_none_or(|x| cells > x.0) {
                            let by = i32::try_from(k).unwrap_or(i32::MAX);
                            best = Some((cells, lo + a, lo + b, if up { by } else { -by }));
                        }
                    }
                }
            }
        }
        let (cells, first, last, by) = best?;
        Some((
            cells,
            ScrollPlan {
                rows: u16::try_from(first).ok()?..u16::try_from(last + 1).ok()?,
                by,
            },
        ))
    }
}

impl<W: Write> Write for ShadowBackend<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.inner.write(bytes)
    }
    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

impl<W: Write> Backend for ShadowBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let area = self.area();
        if self.shadow.area != area {
            // A size ratatui has not cleared for: the screen is unknown, redraw everything.
            self.reset_shadow();
        }
        let width = usize::from(area.width);
        // ratatui's updates applied to the frame being written (the shadow between frames).
        let mut next = self.next.take().unwrap_or_else(|| self.shadow.clone());
        let mut inside = Vec::new();
        let mut outside: Vec<(u16, u16, &Cell)> = Vec::new();
        let mut offered = 0;
        for (x, y, cell) in content {
            offered += 1;
            if x < area.width && y < area.height {
                next.content[usize::from(y) * width + usize::from(x)].clone_from(cell);
                inside.push(Position::new(x, y));
            } else {
                outside.push((x, y, cell));
            }
        }
        let inside = inside.iter().map(|p| (p.x, p.y, &next[*p])).collect();
        let result = self.write_frame(&next, inside, outside, offered);
        self.next = Some(next);
        result
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.reset_shadow();
        self.paint.at = None;
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_shown != Some(false) {
            self.inner.write_all(b"\x1b[?25l")?;
            self.cursor_shown = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_shown != Some(true) {
            self.inner.write_all(b"\x1b[?25h")?;
            if let Some(shape) = self.cursor_shape {
                self.inner.write_all(shape)?;
            }
            self.cursor_shown = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let to = position.into();
        let mut out = Vec::new();
        self.paint.move_to(&mut out, to);
        if out.is_empty() {
            return Ok(());
        }
        self.inner.write_all(&out)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // Cleared cells take the current background: make it the default one, as the shadow
        // assumes (something else may have drawn since the last frame, an outside editor).
        queue!(
            self.inner,
            crossterm::style::SetAttribute(crossterm::style::Attribute::Reset)
        )?;
        self.inner.clear_region(clear_type)?;
        // Only a full clear leaves a known screen; ratatui's fullscreen viewport uses no other.
        // After a partial one, a blank shadow still matches what ratatui believes.
        let _ = self.size();
        self.reset_shadow();
        self.paint = Painter {
            pen: Some(Pen::DEFAULT),
            at: None,
            region: None,
        };
        // A clear follows anything that may have shown the cursor (an outside editor).
        self.cursor_shown = None;
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        if self.size_stale.get() {
            let size = self.inner.size()?;
            self.size.set(size);
            self.size_stale.set(false);
        }
        Ok(self.size.get())
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        // Held back during a frame by the writer.
        Backend::flush(&mut self.inner)
    }

    fn scroll_region_up(&mut self, region: Range<u16>, line_count: u16) -> io::Result<()> {
        self.hardware_scroll_by(&ScrollPlan {
            rows: region,
            by: i32::from(line_count),
        })
    }

    fn scroll_region_down(&mut self, region: Range<u16>, line_count: u16) -> io::Result<()> {
        self.hardware_scroll_by(&ScrollPlan {
            rows: region,
            by: -i32::from(line_count),
        })
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::style::{Color, Modifier, Style};
    use ratatui::text::{Line, Span};
    use ratatui::widgets::{Block, Borders, Paragraph};

    use super::*;

    /// Markdown-ish prose with styled runs, like the editor shows.
    fn doc(n: usize) -> Vec<Line<'static>> {
        (0..n)
            .map(|i| match i % 7 {
                0 => Line::styled(
                    format!("## Section {i}"),
                    Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
                ),
                1 | 4 => Line::from(vec![
                    Span::styled("- ", Style::new().fg(Color::Blue)),
                    Span::styled(
                        format!("REQ-{i}"),
                        Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(format!(
                        ": the automation provisions VLAN {i} on every access switch and \
                         tags voice traffic with DSCP EF"
                    )),
                ]),
                _ => Line::raw(format!(
                    "Line {i} of prose that runs most of the way across a wide pane, the way \
                     requirements are written."
                )),
            })
            .collect()
    }

    /// What the backend wrote, shared with the test that reads it back.
    #[derive(Clone, Default)]
    struct Sink(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// The scene the scrolling tests draw: a title bar, a bordered full-width pane showing
    /// `lines` from `top`, and a status line.
    fn scene(f: &mut ratatui::Frame, lines: &[Line<'static>], top: u16) {
        let [bar, pane, status] = ratatui::layout::Layout::vertical([
            ratatui::layout::Constraint::Length(1),
            ratatui::layout::Constraint::Min(0),
            ratatui::layout::Constraint::Length(1),
        ])
        .areas(f.area());
        f.render_widget(Paragraph::new("phasegate  Requirements"), bar);
        f.render_widget(
            Paragraph::new(lines.to_vec())
                .block(Block::default().borders(Borders::ALL).title(" spec "))
                .scroll((top, 0)),
            pane,
        );
        f.render_widget(Paragraph::new(format!("line {top}")), status);
    }

    /// Draws a full-width bordered pane (with a one-row bar above and below) scrolled to
    /// `top`; returns the bytes written and the stats.
    fn frame(
        terminal: &mut Terminal<ShadowBackend<io::Sink>>,
        lines: &[Line<'static>],
        top: u16,
    ) -> (u64, FrameStats) {
        let before = terminal.backend().bytes_written();
        terminal.draw(|f| scene(f, lines, top)).expect("draw");
        let backend = terminal.backend();
        (backend.bytes_written() - before, backend.stats())
    }

    fn terminal(scroll: bool) -> Terminal<ShadowBackend<io::Sink>> {
        let mut backend = ShadowBackend::with_size(io::sink(), Size::new(120, 40));
        backend.set_hardware_scroll(scroll);
        Terminal::new(backend).expect("terminal")
    }

    #[test]
    fn unchanged_frames_write_no_cells() {
        let lines = doc(200);
        let mut t = terminal(true);
        let (first, _) = frame(&mut t, &lines, 0);
        assert!(first > 3000, "first frame writes the screen: {first}");
        let (_, stats) = frame(&mut t, &lines, 0);
        assert_eq!(stats.cells_written, 0);
    }

    #[test]
    fn a_scroll_writes_only_the_exposed_line_and_what_changed() {
        let lines = doc(200);
        let mut t = terminal(true);
        frame(&mut t, &lines, 0);
        let (bytes, stats) = frame(&mut t, &lines, 1);
        assert_eq!(stats.scroll_by, 1, "{stats:?}");
        // The exposed row (at most the pane width) plus the status bar's changed digit.
        assert!(stats.cells_written <= 120 + 2, "{stats:?}");
        assert!(
            stats.cells_offered > 1000,
            "ratatui rewrote the pane: {stats:?}"
        );
        eprintln!("one scrolled line, hardware scroll: {bytes} bytes, {stats:?}");
        let (bytes, stats) = frame(&mut t, &lines, 5);
        assert_eq!(stats.scroll_by, 4, "{stats:?}");
        eprintln!("four scrolled lines, hardware scroll: {bytes} bytes, {stats:?}");
        let (_, stats) = frame(&mut t, &lines, 2);
        assert_eq!(
            stats.scroll_by, -3,
            "scrolling back up moves rows down: {stats:?}"
        );
    }

    /// DESIGN §6: per scrolled line in a full-width pane ≤ 400 bytes (a naive repaint writes
    /// ~3,500). The release figures of the real app are printed by `benches/render.rs`.
    #[test]
    fn a_scrolled_line_of_a_full_width_pane_costs_at_most_400_bytes() {
        let lines = doc(400);
        let mut t = terminal(true);
        frame(&mut t, &lines, 0);
        let mut total = 0;
        let steps = 30;
        for top in 1..=steps {
            total += frame(&mut t, &lines, top).0;
        }
        let per_line = total / u64::from(steps);
        assert!(
            per_line <= 400,
            "{per_line} bytes per scrolled line (120x40, {steps} steps)"
        );
    }

    #[test]
    fn the_shadow_follows_the_screen_exactly() {
        // Whatever the plan, the shadow ends equal to the frame ratatui drew.
        let lines = doc(300);
        let mut t = terminal(true);
        for top in [0u16, 1, 2, 10, 9, 40, 41, 0, 3] {
            frame(&mut t, &lines, top);
            let want = {
                let mut test = Terminal::new(ratatui::backend::TestBackend::new(120, 40))
                    .expect("test terminal");
                test.draw(|f| scene(f, &lines, top)).expect("draw");
                test.backend().buffer().clone()
            };
            assert_eq!(t.backend().shadow, want, "after scrolling to {top}");
        }
    }

    /// A line of text with the terminal's cursor after it, as the editor draws one.
    fn typed(terminal: &mut Terminal<ShadowBackend<io::Sink>>, text: &str) -> u64 {
        let before = terminal.backend().bytes_written();
        terminal.backend_mut().begin_frame().expect("begin");
        terminal
            .draw(|f| {
                let style = Style::new().add_modifier(Modifier::UNDERLINED);
                f.render_widget(
                    Paragraph::new(Line::styled(text.to_string(), style)),
                    f.area(),
                );
                let x = u16::try_from(text.len()).expect("short");
                f.set_cursor_position((x, 0));
            })
            .expect("draw");
        terminal.backend_mut().end_frame().expect("end");
        terminal.backend().bytes_written() - before
    }

    #[test]
    fn a_typed_character_costs_the_character() {
        let mut t = terminal(true);
        assert!(typed(&mut t, "# Title") > 10, "the first frame");
        // The cursor already stands where the character goes and the pen is the line's: no
        // move, no style, no reset after it, no synchronized-update pair for one cell.
        assert_eq!(typed(&mut t, "# Title!"), 1);
        assert_eq!(typed(&mut t, "# Title!?"), 1);
        // Backspace: the cell is blanked (in the default style) and the cursor moves back.
        let bytes = typed(&mut t, "# Title!");
        assert!(bytes <= 12, "{bytes} bytes");
    }

    /// The full-width pane of `frame` drawn at `top` into a vt100 terminal, frame after
    /// frame through the backend, shows what one full paint shows.
    fn screens_after(tops: &[u16]) -> (vt100::Screen, vt100::Screen, Vec<FrameStats>) {
        let lines = doc(300);
        let draw = |t: &mut Terminal<ShadowBackend<Sink>>, top: u16| {
            t.backend_mut().begin_frame().expect("begin");
            t.draw(|f| scene(f, &lines, top)).expect("draw");
            t.backend_mut().end_frame().expect("end");
        };
        let sink = Sink::default();
        let mut t = Terminal::new(ShadowBackend::with_size(sink.clone(), Size::new(120, 40)))
            .expect("terminal");
        let mut parser = vt100::Parser::new(
            std::num::NonZeroU16::new(40).expect("rows"),
            std::num::NonZeroU16::new(120).expect("columns"),
            0,
        );
        let mut stats = Vec::new();
        for top in tops {
            draw(&mut t, *top);
            parser.process(&std::mem::take(&mut *sink.0.borrow_mut()));
            stats.push(t.backend().stats());
        }
        let fresh = Sink::default();
        let mut f = Terminal::new(ShadowBackend::with_size(fresh.clone(), Size::new(120, 40)))
            .expect("terminal");
        draw(&mut f, *tops.last().expect("a frame"));
        let mut full = vt100::Parser::new(
            std::num::NonZeroU16::new(40).expect("rows"),
            std::num::NonZeroU16::new(120).expect("columns"),
            0,
        );
        full.process(&fresh.0.borrow());
        (parser.screen().clone(), full.screen().clone(), stats)
    }

    /// Every way of moving rows — line feeds at the bottom margin and deletes at the top (up),
    /// reverse index and inserts at the top (down) — leaves the screen a full paint leaves.
    #[test]
    fn every_scroll_primitive_matches_a_full_paint() {
        let tops = [0u16, 1, 2, 4, 7, 27, 26, 24, 21, 3, 4, 60, 59];
        let (incremental, full, stats) = screens_after(&tops);
        let by: Vec<i32> = stats.iter().map(|s| s.scroll_by).collect();
        for step in [1, 2, 3, 20, -1, -2, -3, -18] {
            assert!(by.contains(&step), "a scroll by {step} was used: {by:?}");
        }
        let describe = |c: Option<&vt100::Cell>| {
            c.map(|c| {
                let text = match c.contents() {
                    "" => " ",
                    t => t,
                };
                (
                    text.to_string(),
                    c.fgcolor(),
                    c.bgcolor(),
                    c.bold(),
                    c.underline(),
                )
            })
        };
        for row in 0..40 {
            for col in 0..120 {
                let (a, b) = (incremental.cell(row, col), full.cell(row, col));
                assert_eq!(
                    describe(a),
                    describe(b),
                    "cell {row},{col} after {tops:?}\n{}\n{}",
                    incremental.contents(),
                    full.contents()
                );
            }
        }
    }

    /// A scroll frame is written without the synchronized-update pair when it is short, and
    /// never uses SU/SD, which the Linux console lacks.
    #[test]
    fn a_one_line_scroll_is_short_and_portable() {
        let lines = doc(200);
        let mut t = terminal(true);
        frame(&mut t, &lines, 0);
        t.backend_mut().begin_frame().expect("begin");
        let before = t.backend().bytes_written();
        frame(&mut t, &lines, 1);
        t.backend_mut().end_frame().expect("end");
        let bytes = t.backend().bytes_written() - before;
        assert!(bytes <= SMALL_FRAME_BYTES as u64, "{bytes} bytes");
        assert_eq!(t.backend().stats().scroll_by, 1);
    }

    #[test]
    fn plan_needs_rows_that_really_moved() {
        let area = Rect::new(0, 0, 10, 6);
        let mut old = Buffer::empty(area);
        let mut new = Buffer::empty(area);
        for y in 0..6u16 {
            old.set_string(0, y, format!("row {y}"), Style::new());
            new.set_string(0, y, format!("row {}", y + 1), Style::new());
        }
        assert_eq!(
            plan_scroll(&old, &new),
            Some(ScrollPlan { rows: 0..6, by: 1 })
        );
        assert_eq!(plan_scroll(&old, &old), None);
    }

    /// Every move, relative or absolute, inside a scrolling region or not, lands where an
    /// absolute move does (a vt100 terminal as the judge), scrolls nothing, and is never longer.
    #[test]
    fn relative_moves_land_where_absolute_ones_do() {
        let (w, h) = (120u16, 40u16);
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u16| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            u16::try_from((seed >> 33) % u64::from(n)).expect("small")
        };
        // (row, column) pairs: along a row both ways, to the first column, down to it, by rows.
        let mut cases: Vec<((u16, u16), (u16, u16))> = vec![
            ((5, 3), (5, 2)),
            ((5, 3), (5, 1)),
            ((5, 9), (5, 2)),
            ((5, 3), (5, 0)),
            ((5, 3), (6, 0)),
            ((5, 0), (7, 0)),
            ((5, 3), (7, 9)),
            ((9, 40), (3, 40)),
            ((9, 40), (9, 100)),
            ((34, 7), (35, 0)),
            ((35, 7), (36, 0)),
            ((35, 0), (36, 0)),
            ((38, 5), (39, 0)),
            ((3, 5), (4, 0)),
        ];
        for _ in 0..300 {
            cases.push(((next(h), next(w)), (next(h), next(w))));
            let (y, x) = (next(h), next(w));
            cases.push(((y, x), (y.saturating_add(next(3)).min(h - 1), next(4))));
        }
        for region in [None, Some((4u16, 36u16)), Some((0, h))] {
            for ((fy, fx), (ty, tx)) in &cases {
                let (from, to) = (Position::new(*fx, *fy), Position::new(*tx, *ty));
                let mut moved = Vec::new();
                write_move(&mut moved, Some(from), to, region);
                let mut cup = Vec::new();
                write_cup(&mut cup, to);
                assert!(moved.len() <= cup.len(), "{from:?} -> {to:?}: {moved:?}");
                let mut parser = vt100::Parser::new(
                    std::num::NonZeroU16::new(h).expect("rows"),
                    std::num::NonZeroU16::new(w).expect("columns"),
                    0,
                );
                let mut setup = Vec::new();
                for y in 0..h {
                    let _ = write!(setup, "\x1b[{};1Hr{y}.", y + 1);
                }
                if let Some((top, bottom)) = region {
                    let _ = write!(setup, "\x1b[{};{}r", top + 1, bottom);
                }
                write_cup(&mut setup, from);
                parser.process(&setup);
                parser.process(&moved);
                let screen = parser.screen();
                assert_eq!(
                    screen.cursor_position(),
                    (to.y, to.x),
                    "{from:?} -> {to:?} in {region:?}: {:?}",
                    String::from_utf8_lossy(&moved)
                );
                for y in 0..h {
                    assert_eq!(
                        screen.cell(y, 0).map(vt100::Cell::contents),
                        Some("r"),
                        "{from:?} -> {to:?} in {region:?} scrolled: {:?}",
                        String::from_utf8_lossy(&moved)
                    );
                    let label: String = (0..6)
                        .filter_map(|x| screen.cell(y, x).map(vt100::Cell::contents))
                        .collect();
                    assert!(label.starts_with(&format!("r{y}.")), "{label} on row {y}");
                }
            }
        }
    }

    /// A pane whose cursor line (its first character reversed) stays at the bottom while the
    /// text scrolls: the line the cursor left differs from where it was by that one cell, so
    /// the scroll moves it too and mends the cell, rather than stopping above it and writing
    /// the line again whole. The screen ends as a full paint leaves it.
    #[test]
    fn a_line_that_lost_the_cursor_mark_is_moved_and_mended() {
        // Lines that differ everywhere, as prose does.
        let words = [
            "switch", "uplink", "trunk", "policy", "dscp", "queue", "voice", "lab",
        ];
        let text: Vec<String> = (0..200usize)
            .map(|i| {
                let mut line = format!("- note {i:04}:");
                for j in 0..8 {
                    line.push(' ');
                    line.push_str(words[(i * 7 + j * j * 3 + i / 3 * j) % words.len()]);
                }
                line
            })
            .collect();
        // The pane's rows: a bar above (row 0), borders (rows 1 and 38), text on rows 2..=37.
        let draw = |t: &mut Terminal<ShadowBackend<Sink>>, top: usize| {
            let cursor = top + 35;
            let lines: Vec<Line<'static>> = text
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    if i == cursor {
                        Line::from(vec![
                            Span::styled(l[..1].to_string(), Style::new().reversed()),
                            Span::raw(l[1..].to_string()),
                        ])
                    } else {
                        Line::raw(l.clone())
                    }
                })
                .collect();
            t.backend_mut().begin_frame().expect("begin");
            t.draw(|f| {
                let [bar, pane, status] = ratatui::layout::Layout::vertical([
                    ratatui::layout::Constraint::Length(1),
                    ratatui::layout::Constraint::Min(0),
                    ratatui::layout::Constraint::Length(1),
                ])
                .areas(f.area());
                f.render_widget(Paragraph::new("phasegate"), bar);
                f.render_widget(
                    Paragraph::new(lines)
                        .block(Block::default().borders(Borders::ALL))
                        .scroll((u16::try_from(top).expect("small"), 0)),
                    pane,
                );
                f.render_widget(Paragraph::new(format!("{}:1", cursor + 1)), status);
            })
            .expect("draw");
            t.backend_mut().end_frame().expect("end");
        };
        let screen = |sink: &Sink| {
            let mut parser = vt100::Parser::new(
                std::num::NonZeroU16::new(40).expect("rows"),
                std::num::NonZeroU16::new(120).expect("columns"),
                0,
            );
            parser.process(&sink.0.borrow());
            parser.screen().clone()
        };
        let sink = Sink::default();
        let mut t = Terminal::new(ShadowBackend::with_size(sink.clone(), Size::new(120, 40)))
            .expect("terminal");
        draw(&mut t, 0);
        for top in 1..=20 {
            let before = sink.0.borrow().len();
            draw(&mut t, top);
            let bytes = sink.0.borrow().len() - before;
            let stats = t.backend().stats();
            assert_eq!(stats.scroll_by, 1, "{stats:?}");
            assert_eq!(
                stats.scrolled_rows, 36,
                "rows 2..=37 move, the cursor line's included: {stats:?}"
            );
            // The scroll, the mended cell, the new line (about 75 bytes), the status digit:
            // ~115 bytes (stopping the scroll above the cursor line wrote ~157).
            assert!(bytes <= 125, "{bytes} bytes at {top}");
        }
        let fresh = Sink::default();
        let mut full = Terminal::new(ShadowBackend::with_size(fresh.clone(), Size::new(120, 40)))
            .expect("terminal");
        draw(&mut full, 20);
        let (a, b) = (screen(&sink), screen(&fresh));
        for row in 0..40 {
            for col in 0..120 {
                let describe = |c: Option<&vt100::Cell>| {
                    c.map(|c| {
                        let text = match c.contents() {
                            "" => " ",
                            t => t,
                        };
                        (text.to_string(), c.fgcolor(), c.bgcolor(), c.inverse())
                    })
                };
                assert_eq!(
                    describe(a.cell(row, col)),
                    describe(b.cell(row, col)),
                    "cell {row},{col}\n{}\n{}",
                    a.contents(),
                    b.contents()
                );
            }
        }
    }
}
