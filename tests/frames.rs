//! One keystroke, one frame: the event loop draws when `app::driver` says the screen is stale,
//! and the live gate re-check that follows a typed key (run off the input path) draws again only
//! when it changed what the panes show. Driven through the same driver `tui.rs` runs, in the
//! same order (drain, draw if stale, then the re-check), on a temp copy of a sample.

mod common;

use common::Workspace;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phasegate::app::driver::{Driver, Step, recheck_due};
use phasegate::app::effect::Effect;
use phasegate::app::router::route;
use phasegate::app::{Keys, Mode, State};
use phasegate::config::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The terminal loop's part that decides frames, with a frame counter.
struct Screen {
    terminal: Terminal<TestBackend>,
    view: phasegate::ui::ViewState,
    theme: Theme,
    frames: usize,
}

impl Screen {
    fn new() -> Screen {
        Screen {
            terminal: Terminal::new(TestBackend::new(120, 40)).expect("terminal"),
            view: phasegate::ui::ViewState::default(),
            theme: Theme::default(),
            frames: 0,
        }
    }

    /// What `tui::event_loop` does after a batch of input: run the effects, draw once if the
    /// screen is stale, then hand the live re-check on (here it runs in place, its result
    /// applied as the worker's would be) and draw again only if that made the screen stale.
    fn settle(&mut self, driver: &mut Driver, state: &mut State) {
        loop {
            driver.drain(state, &mut Step::Run);
            if driver.take_stale() {
                let theme = &self.theme;
                let view = &mut self.view;
                self.terminal
                    .draw(|f| phasegate::ui::view(state, view, theme, f))
                    .expect("draw");
                self.frames += 1;
            }
            if !recheck_due(state) {
                return;
            }
            driver.recheck(state);
        }
    }

    fn key(&mut self, driver: &mut Driver, state: &mut State, code: KeyCode) {
        if let Some(action) = route(state, KeyEvent::new(code, KeyModifiers::NONE)) {
            driver.apply(state, action);
        }
        self.settle(driver, state);
    }
}

#[test]
fn a_typed_character_draws_one_frame() {
    let ws = Workspace::with_samples();
    let ctx = common::app::ctx();
    let mut driver = Driver::new(&ctx);
    let mut state = State::new("reviewer", Keys::default(), (120, 40));
    let mut screen = Screen::new();
    driver.push([Effect::Load {
        root: ws.engagement("firewall-drift"),
    }]);
    screen.settle(&mut driver, &mut state);
    screen.key(&mut driver, &mut state, KeyCode::Char('e'));
    assert_eq!(
        state.mode,
        Mode::Edit,
        "the spec is editable in Requirements"
    );
    let disk = state.engagement.as_ref().map(|e| e.disk.clone());

    for (n, ch) in "note".chars().enumerate() {
        let before = screen.frames;
        screen.key(&mut driver, &mut state, KeyCode::Char(ch));
        assert_eq!(
            screen.frames - before,
            1,
            "key {} ({ch:?}) drew {} frames",
            n + 1,
            screen.frames - before
        );
    }
    // The re-checks did run: the gate pane shows the buffer's evaluation, not the disk's.
    let e = state.engagement.as_ref().expect("engagement open");
    assert!(e.dirty);
    assert!(!e.live_pending);
    assert!(disk.is_some_and(|d| !std::sync::Arc::ptr_eq(&d, &e.live)));
}

#[test]
fn a_key_that_changes_nothing_draws_nothing_more_than_its_echo() {
    let ws = Workspace::with_samples();
    let ctx = common::app::ctx();
    let mut driver = Driver::new(&ctx);
    let mut state = State::new("reviewer", Keys::default(), (120, 40));
    let mut screen = Screen::new();
    driver.push([Effect::Load {
        root: ws.engagement("firewall-drift"),
    }]);
    screen.settle(&mut driver, &mut state);
    let before = screen.frames;
    screen.settle(&mut driver, &mut state);
    assert_eq!(screen.frames, before, "nothing happened: no frame");
    screen.key(&mut driver, &mut state, KeyCode::Char('j'));
    assert_eq!(screen.frames - before, 1, "a cursor move draws once");
}
