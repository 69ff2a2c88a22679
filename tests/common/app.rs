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
