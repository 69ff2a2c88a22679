//! Driving the real app without a terminal: the same drain loop as the event loop
//! (`app::driver`, effects in order), with a fixed identity and clock so snapshots do not vary.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phasegate::app::State;
use phasegate::app::action::Action;
use phasegate::app::driver::Driver;
use phasegate::app::effect::Effect;
use phasegate::app::router::route;
use phasegate::app::run::EffectContext;
use phasegate::domain::time::Timestamp;

/// Effects run as `reviewer` at 2026-11-20T12:00:00Z.
pub fn ctx() -> EffectContext {
    ctx_as("reviewer")
}

/// Effects run as `actor` at 2026-11-20T12:00:00Z.
pub fn ctx_as(actor: &str) -> EffectContext {
    EffectContext {
        actor: actor.into(),
        os_user: format!("{actor}@test"),
        clock: Box::new(|| {
            Timestamp::parse("2026-11-20T12:00:00Z").unwrap_or(Timestamp::from_unix(0))
        }),
        signing: None,
    }
}

/// Applies an action and runs every effect it asks for, then the live re-check, as the event
/// loop does between two keys.
pub fn dispatch(state: &mut State, action: Action) {
    dispatch_with(state, action, &ctx());
}

/// [`dispatch`] with effects run in `ctx` (another identity).
pub fn dispatch_with(state: &mut State, action: Action, ctx: &EffectContext) {
    let mut driver = Driver::new(ctx);
    driver.dispatch(state, action);
    driver.recheck(state);
}

/// Runs an effect (the first load of a session) and everything that follows from it.
pub fn run(state: &mut State, effect: Effect) {
    run_with(state, effect, &ctx());
}

/// [`run`] with effects run in `ctx` (another identity).
pub fn run_with(state: &mut State, effect: Effect, ctx: &EffectContext) {
    let mut driver = Driver::new(ctx);
    driver.run(state, effect);
    driver.recheck(state);
}

/// The workspace list of `ws` at `size`, loaded as the TUI opens it.
pub fn workspace_state(ws: &std::path::Path, size: (u16, u16)) -> State {
    let mut state = State::new("reviewer", phasegate::app::Keys::default(), size);
    state.workspace = Some(phasegate::app::WorkspaceState {
        root: ws.to_path_buf(),
        ..phasegate::app::WorkspaceState::default()
    });
    run(
        &mut state,
        Effect::LoadWorkspace {
            workspace: ws.to_path_buf(),
        },
    );
    state
}

/// A key press (with modifiers) routed by the active keymap, effects run in `ctx`.
pub fn key_with(state: &mut State, key: KeyEvent, ctx: &EffectContext) {
    if let Some(action) = route(state, key) {
        dispatch_with(state, action, ctx);
    }
}

/// A key press without modifiers, routed by the active keymap.
pub fn press(state: &mut State, code: KeyCode) {
    if let Some(action) = route(state, KeyEvent::new(code, KeyModifiers::NONE)) {
        dispatch(state, action);
    }
}

/// Types text one key at a time.
pub fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        press(state, KeyCode::Char(c));
    }
}

/// The workspace path snapshots show, in place of the temp directory.
pub const SHOWN_WORKSPACE: &str = "/srv/phasegate/workspace";

/// The screen as `ui::view` draws it at the state's size with the default theme, the workspace
/// drawn under [`SHOWN_WORKSPACE`] (not replaced in the text afterwards, which would shorten the
/// lines it appears on).
pub fn screen(state: &State) -> String {
    let (w, h) = state.size;
    let mut shown = state.clone();
    if let Some(w) = &mut shown.workspace {
        w.root = std::path::PathBuf::from(SHOWN_WORKSPACE);
    }
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| {
            phasegate::ui::view(
                &shown,
                &mut phasegate::ui::ViewState::default(),
                &phasegate::config::Theme::default(),
                f,
            )
        })
        .expect("draw");
    terminal.backend().to_string()
}

/// The real view of `state` drawn at its size, as cells.
pub fn drawn(state: &State) -> ratatui::buffer::Buffer {
    let (w, h) = state.size;
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| {
            phasegate::ui::view(
                state,
                &mut phasegate::ui::ViewState::default(),
                &phasegate::config::Theme::default(),
                f,
            )
        })
        .expect("draw");
    terminal.backend().buffer().clone()
}

/// [`screen`], checking that the temp workspace `ws` never reaches it.
pub fn render(state: &State, ws: &std::path::Path) -> String {
    let text = screen(state);
    assert!(
        !text.contains(&ws.display().to_string()),
        "the temp workspace path reached the screen:\n{text}"
    );
    text
}

/// The toast shown now ("" when none).
pub fn toast(state: &State) -> String {
    state
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

/// A temp workspace with copies of the three samples the UI tests use.
pub fn sample_workspace() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path().join("ws");
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
    for slug in ["firewall-drift", "bgp-peer-onboarding", "vlan-qos"] {
        super::copy_dir(&samples.join(slug), &ws.join(slug));
    }
    (dir, ws)
}
