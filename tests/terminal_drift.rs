//! No drift between the incremental paint and a full one: the real app drawn frame after frame
//! as the event loop draws it, on a `tui::surface::Surface` (the retained frame, which redraws
//! only what changed, and the `ShadowBackend`: cell diffs, pen deltas, hardware scrolling, the
//! terminal's own cursor) into a vt100 terminal shows exactly what the same state drawn once on
//! a blank terminal shows — every cell's text and attributes, and the cursor.

mod common;

use std::cell::RefCell;
use std::io::{self, Write};
use std::path::Path;
use std::rc::Rc;

use common::app::{dispatch, press};
use common::{Workspace, copy_dir};
use crossterm::event::KeyCode;
use phasegate::app::action::Action;
use phasegate::app::{Command, Keys, Mode, State};
use phasegate::config::Theme;
use phasegate::tui::backend::ShadowBackend;
use phasegate::tui::surface::Surface;
use ratatui::layout::Size;

/// What the backend wrote, shared with the test.
#[derive(Clone, Default)]
struct Sink(Rc<RefCell<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A terminal: the backend's output parsed by vt100.
struct Screen {
    terminal: Surface<Sink>,
    view: phasegate::ui::ViewState,
    sink: Sink,
    parser: vt100::Parser,
}

impl Screen {
    fn new(w: u16, h: u16) -> Screen {
        let sink = Sink::default();
        let backend = ShadowBackend::with_size(sink.clone(), Size::new(w, h));
        Screen {
            terminal: Surface::new(backend).expect("surface"),
            view: phasegate::ui::ViewState::default(),
            sink,
            parser: vt100::Parser::new(
                std::num::NonZeroU16::new(h).expect("rows"),
                std::num::NonZeroU16::new(w).expect("columns"),
                0,
            ),
        }
    }

    /// One frame of `state`, as the event loop draws it; returns the bytes it wrote.
    fn draw(&mut self, state: &State) -> usize {
        let theme = Theme::default();
        let view = &mut self.view;
        self.terminal
            .draw(|f| phasegate::ui::draw(state, view, &theme, f))
            .expect("draw");
        let bytes = std::mem::take(&mut *self.sink.0.borrow_mut());
        self.parser.process(&bytes);
        bytes.len()
    }
}

/// Every cell (text and attributes) and the cursor of two screens are the same.
#[track_caller]
fn assert_same(incremental: &vt100::Screen, full: &vt100::Screen, after: &str) {
    let (rows, cols) = full.size();
    for row in 0..rows.get() {
        for col in 0..cols.get() {
            let (a, b) = (incremental.cell(row, col), full.cell(row, col));
            let describe = |c: Option<&vt100::Cell>| {
                c.map(|c| {
                    // An erased cell and a written space look the same.
                    let text = match c.contents() {
                        "" => " ",
                        t => t,
                    };
                    format!(
                        "{:?} fg {:?} bg {:?} bold {} italic {} underline {} inverse {} dim {}",
                        text,
                        c.fgcolor(),
                        c.bgcolor(),
                        c.bold(),
                        c.italic(),
                        c.underline(),
                        c.inverse(),
                        c.dim()
                    )
                })
            };
            assert_eq!(
                describe(a),
                describe(b),
                "after {after}: cell {row},{col} differs (left: incremental, right: full)\n\
                 incremental:\n{}\nfull:\n{}",
                incremental.contents(),
                full.contents()
            );
        }
    }
    assert_eq!(
        incremental.hide_cursor(),
        full.hide_cursor(),
        "after {after}: cursor visibility"
    );
    if !full.hide_cursor() {
        assert_eq!(
            incremental.cursor_position(),
            full.cursor_position(),
            "after {after}: cursor position"
        );
    }
}

/// The same state drawn once on a blank terminal.
fn full_paint(state: &State, w: u16, h: u16) -> vt100::Screen {
    let mut fresh = Screen::new(w, h);
    fresh.draw(state);
    fresh.parser.screen().clone()
}

/// The same state and view (where the editor is scrolled to) drawn once on a blank terminal.
fn full_paint_of(screen: &Screen, state: &State, w: u16, h: u16) -> vt100::Screen {
    let mut fresh = Screen::new(w, h);
    fresh.view = screen.view.without_memos();
    fresh.draw(state);
    fresh.parser.screen().clone()
}

/// An engagement opened in the app, as `phasegate open` does.
fn opened(root: &Path, size: (u16, u16)) -> State {
    let loaded = phasegate::store::engagement::load(root).expect("load");
    let mut state = State::new("reviewer", Keys::default(), size);
    dispatch(&mut state, Action::EngagementLoaded(Box::new(loaded)));
    state
}

fn sample(slug: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join(slug);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample-engagements")
            .join(slug),
        &root,
    );
    (dir, root)
}

/// 200 chars typed at the end of the spec's first line, which wraps over more and more rows
/// (the rows below move down), side by side with the gate and zoomed.
#[test]
fn typing_at_the_end_of_a_wrapping_line_matches_a_full_paint() {
    assert!(phasegate::ui::highlight::warm_up(), "the grammar loads");
    let prose = "the automation provisions the voice vlan on every access switch and tags \
                 its traffic with dscp ef while cameras keep their own class ";
    for zoomed in [false, true] {
        for (w, h) in [(120u16, 40u16), (80, 24)] {
            let ws = Workspace::new();
            let o = ws.run("reviewer", &["new", "fresh"]);
            assert_eq!(o.code, 0, "phasegate new: {}", o.stderr);
            let mut state = opened(&ws.engagement("fresh"), (w, h));
            if zoomed {
                dispatch(&mut state, Action::Command(Command::ZoomPane));
            }
            let mut screen = Screen::new(w, h);
            screen.draw(&state);
            press(&mut state, KeyCode::Char('e'));
            assert_eq!(state.mode, Mode::Edit, "edit mode");
            press(&mut state, KeyCode::End);
            screen.draw(&state);
            for (i, c) in prose.chars().cycle().take(200).enumerate() {
                press(&mut state, KeyCode::Char(c));
                screen.draw(&state);
                if i % 40 == 39 {
                    let after = format!("{} chars at {w}×{h}, zoomed {zoomed}", i + 1);
                    assert_same(screen.parser.screen(), &full_paint(&state, w, h), &after);
                }
            }
            let after = format!("200 chars at {w}×{h}, zoomed {zoomed}");
            assert_same(screen.parser.screen(), &full_paint(&state, w, h), &after);
            assert!(
                !screen.parser.screen().hide_cursor(),
                "the terminal's cursor shows in edit mode"
            );
        }
    }
}

/// The vlan-qos sample with 400 more lines in as-built.md, open at `size` (its editor pane
/// zoomed to the full width if `zoomed`).
fn long_as_built(size: (u16, u16), zoomed: bool) -> (tempfile::TempDir, State) {
    let (dir, root) = sample("vlan-qos");
    let long = root.join("as-built.md");
    let mut text = std::fs::read_to_string(&long).expect("as-built.md");
    for i in 0..400 {
        text.push_str(&format!(
            "- note {i:03}: uplink {} keeps **dscp ef** on `vlan {}` — REQ-{}\n",
            i * 7 % 48,
            100 + i,
            i % 9 + 1
        ));
    }
    std::fs::write(&long, text).expect("write");
    let mut state = opened(&root, size);
    if zoomed {
        dispatch(&mut state, Action::Command(Command::ZoomPane));
    }
    (dir, state)
}

/// 100 one-line scrolls (`j` at the bottom of the view) in a long artifact, zoomed and not.
#[test]
fn one_line_scrolls_match_a_full_paint() {
    assert!(phasegate::ui::highlight::warm_up(), "the grammar loads");
    for zoomed in [true, false] {
        let (w, h) = (120u16, 40u16);
        let (_dir, mut state) = long_as_built((w, h), zoomed);
        let mut screen = Screen::new(w, h);
        screen.draw(&state);
        // The cursor to the bottom of the view first.
        for _ in 0..60 {
            press(&mut state, KeyCode::Char('j'));
            screen.draw(&state);
        }
        for i in 0..100 {
            press(&mut state, KeyCode::Char('j'));
            screen.draw(&state);
            if i % 25 == 24 {
                let after = format!("{} scrolls, zoomed {zoomed}", i + 1);
                assert_same(screen.parser.screen(), &full_paint(&state, w, h), &after);
            }
        }
        let after = format!("100 scrolls, zoomed {zoomed}");
        assert_same(screen.parser.screen(), &full_paint(&state, w, h), &after);
    }
}

/// Scrolls the other way (`k` at the top of the view: rows move down) and by pages, zoomed and
/// beside the other panes: every way the backend moves rows (line feeds or deletes at a
/// region's edge, reverse indexes or inserts) ends on what a full paint shows.
#[test]
fn scrolling_back_up_and_by_pages_matches_a_full_paint() {
    assert!(phasegate::ui::highlight::warm_up(), "the grammar loads");
    for zoomed in [true, false] {
        let (w, h) = (120u16, 40u16);
        let (_dir, mut state) = long_as_built((w, h), zoomed);
        let mut screen = Screen::new(w, h);
        screen.draw(&state);
        let steps = [
            (KeyCode::Char('j'), 120),
            (KeyCode::Char('k'), 90),
            (KeyCode::PageDown, 4),
            (KeyCode::PageUp, 3),
            (KeyCode::Char('j'), 45),
            (KeyCode::PageDown, 2),
            (KeyCode::Char('k'), 70),
        ];
        let mut moved = std::collections::BTreeSet::new();
        for (key, times) in steps {
            for _ in 0..times {
                press(&mut state, key);
                screen.draw(&state);
                moved.insert(screen.terminal.backend().stats().scroll_by);
            }
            let after = format!("{times} × {key:?}, zoomed {zoomed}");
            let full = full_paint_of(&screen, &state, w, h);
            assert_same(screen.parser.screen(), &full, &after);
        }
        assert!(
            moved.contains(&1) && moved.contains(&-1),
            "rows were moved both ways, zoomed {zoomed}: {moved:?}"
        );
    }
}

/// The terminal's cursor moved about the editor — along a line both ways, to its start, up and
/// down rows, with characters typed and erased mid-line — by the shortest moves (backspaces,
/// carriage returns and line feeds, `CSI n A/B/C/D`) lands where a full paint puts it, every
/// cell the same, zoomed and beside the gate.
#[test]
fn moving_the_cursor_about_the_editor_matches_a_full_paint() {
    assert!(phasegate::ui::highlight::warm_up(), "the grammar loads");
    for zoomed in [false, true] {
        let (w, h) = (120u16, 40u16);
        let (_dir, root) = sample("vlan-qos");
        let mut state = opened(&root, (w, h));
        if zoomed {
            dispatch(&mut state, Action::Command(Command::ZoomPane));
        }
        let mut screen = Screen::new(w, h);
        screen.draw(&state);
        press(&mut state, KeyCode::Char('e'));
        assert_eq!(state.mode, Mode::Edit, "edit mode");
        screen.draw(&state);
        let steps: &[(KeyCode, usize)] = &[
            (KeyCode::Down, 6),
            (KeyCode::End, 1),
            (KeyCode::Left, 7),
            (KeyCode::Char('x'), 3),
            (KeyCode::Backspace, 2),
            (KeyCode::Left, 2),
            (KeyCode::Right, 5),
            (KeyCode::Home, 1),
            (KeyCode::Down, 3),
            (KeyCode::Right, 4),
            (KeyCode::Up, 2),
            (KeyCode::Char('y'), 2),
            (KeyCode::Enter, 1),
            (KeyCode::Char('z'), 1),
            (KeyCode::Backspace, 3),
            (KeyCode::Up, 4),
            (KeyCode::End, 1),
        ];
        for (key, times) in steps {
            for _ in 0..*times {
                press(&mut state, *key);
                screen.draw(&state);
            }
            let after = format!("{times} × {key:?}, zoomed {zoomed}");
            let full = full_paint_of(&screen, &state, w, h);
            assert_same(screen.parser.screen(), &full, &after);
            assert!(
                !screen.parser.screen().hide_cursor(),
                "the terminal's cursor shows in edit mode"
            );
        }
    }
}

/// The editor's cursor is the terminal's own: shown where the next character goes, in every
/// common terminal type, with the bar shape (DECSCUSR) only where the type understands it, and
/// the default shape given back on the way out.
#[test]
fn the_terminal_cursor_marks_the_place_in_every_terminal_type() {
    use common::pty::{Spawn, keys, row_of};
    for term in [
        "xterm-256color",
        "screen-256color",
        "tmux-256color",
        "linux",
    ] {
        let ws = Workspace::new();
        let o = ws.run("reviewer", &["new", "fresh"]);
        assert_eq!(o.code, 0, "phasegate new: {}", o.stderr);
        let mut pty = Spawn::phasegate(
            env!("CARGO_BIN_EXE_phasegate"),
            ws.path(),
            &["open", "fresh"],
        )
        .env("TERM", term)
        .size(120, 40)
        .start();
        pty.wait_for_text(&["customer-spec.md [VIEW]"]);
        pty.send("e");
        pty.wait_for_text(&["customer-spec.md [EDIT]"]);
        pty.send(keys::CTRL_E);
        pty.send("abc");
        let screen = pty.wait_for_text(&["Specification — freshabc"]);
        assert!(
            !screen.hide_cursor(),
            "{term}: the cursor is shown in edit mode"
        );
        let row = (0..40u16)
            .find(|r| row_of(&screen, *r).contains("freshabc"))
            .expect("the typed line");
        let text = row_of(&screen, row);
        let end = text.find("freshabc").expect("typed") + "freshabc".len();
        let col = text[..end].chars().count();
        assert_eq!(
            screen.cursor_position(),
            (row, u16::try_from(col).expect("column")),
            "{term}: the cursor stands right after the typed text\n{}",
            screen.contents()
        );
        let raw = pty.raw();
        let bar = raw.windows(5).any(|w| w == b"\x1b[6 q");
        assert_eq!(
            bar,
            term != "linux",
            "{term}: DECSCUSR only where understood"
        );
        pty.send(keys::ESC);
        let screen = pty.wait_for_text(&["customer-spec.md ● modified [VIEW]"]);
        assert!(screen.hide_cursor(), "{term}: hidden again in view mode");
        pty.send(keys::CTRL_Q);
        pty.wait_for_text(&["Quit and discard them?"]);
        pty.send(keys::CTRL_Q);
        pty.wait_exit();
        common::pty::assert_terminal_restored(&pty);
        let raw = pty.raw();
        if term != "linux" {
            let last_bar = common::pty::rfind_bytes(&raw, b"\x1b[6 q").expect("bar");
            assert!(
                common::pty::find_from(&raw, b"\x1b[0 q", last_bar).is_some(),
                "{term}: the default cursor shape is given back"
            );
        }
    }
}
