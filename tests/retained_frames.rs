//! The retained screen the event loop draws on (`ui::Retained`: steps that did not change are
//! skipped, the others drawn over what lay under them) shows, after any sequence of actions,
//! exactly what drawing the same state on a blank screen shows: every cell and the cursor.
//! Random commands (panes, zoom, overlays opening and closing, prompts, the build board, the
//! diff), typing, pastes and resizes, through the production loop on a temp copy of a sample;
//! and the workspace list.

mod common;

use std::path::{Path, PathBuf};

use common::copy_dir;
use phasegate::app::action::Action;
use phasegate::app::driver::{Driver, Step};
use phasegate::app::keys::COMMANDS;
use phasegate::app::run::EffectContext;
use phasegate::app::update::update;
use phasegate::app::{Command, Keys, State};
use phasegate::config::Theme;
use phasegate::domain::time::Timestamp;
use phasegate::ui::{Frame, Retained, ViewState};
use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui_textarea::{Input, Key};

fn key_strategy() -> impl Strategy<Value = Key> {
    prop_oneof![
        "[a-zA-Z0-9 #\\-:*`]".prop_map(|s| Key::Char(s.chars().next().unwrap_or('a'))),
        Just(Key::Char('界')),
        Just(Key::Enter),
        Just(Key::Backspace),
        Just(Key::Tab),
        Just(Key::Up),
        Just(Key::Down),
        Just(Key::Left),
        Just(Key::Right),
        Just(Key::End),
        Just(Key::PageDown),
        Just(Key::Esc),
    ]
}

fn action_strategy() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => (0..COMMANDS.len()).prop_map(|i| Action::Command(COMMANDS[i].command)),
        6 => key_strategy().prop_map(|key| Action::Text(Input { key, ..Input::default() })),
        1 => "[ -~]{0,30}".prop_map(Action::Paste),
        1 => (20u16..140, 6u16..45).prop_map(|(w, h)| Action::Resize(w, h)),
    ]
}

/// `state` drawn every step over a blank screen: the cells and the cursor.
fn immediate(state: &State, view: &mut ViewState, theme: &Theme) -> (Buffer, Option<Position>) {
    let (w, h) = state.size;
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    let mut frame = Frame::immediate(&mut buf);
    phasegate::ui::draw(state, view, theme, &mut frame);
    let cursor = frame.cursor();
    (buf, cursor)
}

fn sandbox_ctx() -> EffectContext {
    EffectContext {
        actor: "reviewer".into(),
        os_user: "reviewer@test".into(),
        clock: Box::new(|| {
            Timestamp::parse("2026-11-20T12:00:00Z").unwrap_or(Timestamp::from_unix(0))
        }),
        signing: None,
    }
}

/// Opens `slug` (a temp copy) and runs `actions` on it: see [`run_and_compare`].
fn check(slug: &str, actions: Vec<Action>, ascii: bool) -> Result<usize, TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let root: PathBuf = dir.path().join(slug);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample-engagements")
            .join(slug),
        &root,
    );
    let loaded = phasegate::store::engagement::load(&root).expect("sample loads");
    let mut state = State::new("reviewer", Keys::default(), (120, 40));
    state.ascii = ascii;
    let _ = update(&mut state, Action::EngagementLoaded(Box::new(loaded)));
    run_and_compare(state, actions)
}

/// Runs `actions` from `state`, drawing on one retained screen after each and comparing it
/// with an immediate draw of the same state. Returns how many frames were retained (not drawn
/// again in full).
fn run_and_compare(mut state: State, actions: Vec<Action>) -> Result<usize, TestCaseError> {
    let ctx = sandbox_ctx();
    let theme = Theme::default();
    let mut driver = Driver::new(&ctx);
    // With the grammar, as a session has it a moment after its first frame.
    assert!(phasegate::ui::highlight::warm_up(), "the grammar loads");
    let mut view = ViewState::default();
    // As the event loop draws: an edit's echo first, the grammar's frame right after it.
    view.paint_edits_after_echo();
    let (w, h) = state.size;
    let mut screen = Retained::new(Rect::new(0, 0, w, h));
    let mut retained = 0;
    for (i, action) in actions.into_iter().enumerate() {
        let what = format!("{action:?}");
        driver.apply(&mut state, action);
        let mut budget = 32;
        driver.drain(&mut state, &mut |effect| {
            budget -= 1;
            match effect {
                // Nothing leaves the sandbox or takes the terminal.
                phasegate::app::effect::Effect::SpawnEditor { .. }
                | phasegate::app::effect::Effect::Quit
                | phasegate::app::effect::Effect::Suspend => Step::Done(Vec::new()),
                _ if budget == 0 => Step::Stop,
                other => Step::Run(other),
            }
        });
        driver.recheck(&mut state);
        state.quit = false;
        let (w, h) = state.size;
        if screen.area() != Rect::new(0, 0, w, h) {
            screen.invalidate(Rect::new(0, 0, w, h));
        }
        let mut fresh_view = view.without_memos();
        screen.draw(|f| phasegate::ui::draw(&state, &mut view, &theme, f));
        if view.take_grammar_due() {
            screen.draw(|f| phasegate::ui::draw(&state, &mut view, &theme, f));
        }
        retained += usize::from(!screen.was_full());
        let (expected, cursor) = immediate(&state, &mut fresh_view, &theme);
        if *screen.buffer() != expected {
            let differs = expected
                .content
                .iter()
                .zip(&screen.buffer().content)
                .position(|(a, b)| a != b)
                .map(|at| expected.pos_of(at));
            return Err(TestCaseError::fail(format!(
                "step {i} ({what}): the retained screen differs at {differs:?}\nretained:\n{}\nimmediate:\n{}",
                text(screen.buffer()),
                text(&expected)
            )));
        }
        prop_assert_eq!(screen.cursor(), cursor, "step {} ({}): the cursor", i, what);
    }
    Ok(retained)
}

fn text(buf: &Buffer) -> String {
    let w = usize::from(buf.area.width).max(1);
    buf.content
        .chunks(w)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_retained_screen_shows_what_a_fresh_one_does(
        sample in 0usize..3,
        ascii in proptest::bool::weighted(0.15),
        actions in proptest::collection::vec(action_strategy(), 1..50),
    ) {
        let slug = ["firewall-drift", "bgp-peer-onboarding", "vlan-qos"][sample];
        check(slug, actions, ascii)?;
    }
}

/// A tour through what a session does, step by step: typing in the editor, the panes, the
/// help and the messages opening and closing over the panes, a search prompt taking text, the
/// zoom, the build board and the design diff.
#[test]
fn a_session_tour_on_a_retained_screen_shows_what_a_fresh_one_does() {
    let text = |s: &str| {
        s.chars()
            .map(|c| {
                Action::Text(Input {
                    key: Key::Char(c),
                    ..Input::default()
                })
            })
            .collect::<Vec<_>>()
    };
    let key = |key| {
        Action::Text(Input {
            key,
            ..Input::default()
        })
    };
    let mut actions = vec![Action::Command(Command::Edit)];
    actions.extend(text("hello world"));
    actions.push(key(Key::Enter));
    actions.extend(text("- a list item"));
    actions.push(key(Key::Esc));
    for c in [
        Command::NextPane,
        Command::MoveDown,
        Command::MoveDown,
        Command::NextPane,
        Command::ZoomPane,
        Command::ZoomPane,
        Command::Help,
        Command::Cancel,
        Command::Search,
    ] {
        actions.push(Action::Command(c));
    }
    actions.extend(text("vlan"));
    actions.push(key(Key::Enter));
    actions.push(Action::Resize(80, 24));
    for c in COMMANDS.iter().map(|c| c.command) {
        actions.push(Action::Command(c));
        actions.push(Action::Command(Command::Cancel));
    }
    let steps = actions.len();
    let retained = check("vlan-qos", actions, false).expect("the tour");
    // Most frames change a pane or two: if they were all drawn in full, this compared nothing.
    assert!(
        retained * 2 > steps,
        "{retained} of {steps} frames retained"
    );
}

/// The workspace list on a retained screen: moving down the list, the filter taking text and
/// clearing, an engagement opened and left, the new-engagement dialog and the help opening and
/// closing over the list.
#[test]
fn the_workspace_list_on_a_retained_screen_shows_what_a_fresh_one_does() {
    let ws = common::Workspace::with_samples();
    let state = common::app::workspace_state(ws.path(), (120, 40));
    let key = |key| {
        Action::Text(Input {
            key,
            ..Input::default()
        })
    };
    let mut actions = vec![
        Action::Command(Command::MoveDown),
        Action::Command(Command::MoveDown),
        Action::Command(Command::MoveUp),
        Action::Command(Command::Filter),
    ];
    actions.extend("vla".chars().map(|c| key(Key::Char(c))));
    actions.push(key(Key::Backspace));
    actions.push(key(Key::Esc));
    actions.push(Action::Command(Command::Open));
    actions.push(Action::Command(Command::Leave));
    for c in [
        Command::NewEngagement,
        Command::Cancel,
        Command::Help,
        Command::Cancel,
        Command::Messages,
        Command::Cancel,
        Command::MoveDown,
    ] {
        actions.push(Action::Command(c));
    }
    actions.push(Action::Resize(80, 24));
    actions.push(Action::Command(Command::MoveUp));
    let steps = actions.len();
    let retained = run_and_compare(state, actions).expect("the workspace tour");
    assert!(
        retained * 2 > steps,
        "{retained} of {steps} frames retained"
    );
}
