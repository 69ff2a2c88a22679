//! The drain loop, the one place actions meet effects: an action goes through `update`, the
//! effects it asks for run in the order they were asked for (FIFO), and what each reports goes
//! through `update` again, until nothing is left. `tui.rs` runs it with a terminal (its host
//! hands IO effects to the worker, `run::worker`, and applies their results as they come back,
//! in order), the tests and the benches without one, effects in place: all of them run this
//! loop, not a copy of it.
//!
//! The loop also keeps whether the screen is stale: every action makes it so except a live
//! re-check (`Action::LiveRecheck`, `Action::LiveEvaluated`) that changed nothing the panes
//! show, so one keystroke draws one frame.

use std::collections::VecDeque;

use super::State;
use super::action::Action;
use super::effect::Effect;
use super::run::{EffectContext, run_effect};
use super::update::update;

/// What the host (the terminal loop, a test) does with an effect before the driver runs it.
pub enum Step {
    /// Nothing special: the driver runs it (`effect::run_effect`).
    Run(Effect),
    /// The host ran it; these are its results.
    Done(Vec<Action>),
    /// Stop draining: the rest of the queue is dropped (quit; a test's budget).
    Stop,
}

pub struct Driver<'c> {
    ctx: &'c EffectContext,
    queue: VecDeque<Effect>,
    stale: bool,
}

impl<'c> Driver<'c> {
    pub fn new(ctx: &'c EffectContext) -> Driver<'c> {
        Driver {
            ctx,
            queue: VecDeque::new(),
            stale: true,
        }
    }

    /// Who acts and when, for the effects run here.
    pub fn ctx(&self) -> &'c EffectContext {
        self.ctx
    }

    /// Applies `action` and queues the effects it asks for (run them with [`Driver::drain`]).
    pub fn apply(&mut self, state: &mut State, action: Action) {
        let recheck = matches!(action, Action::LiveRecheck | Action::LiveEvaluated(_));
        let shown = live_shown(state);
        self.queue.extend(update(state, action));
        if !recheck || live_shown(state) != shown {
            self.stale = true;
        }
    }

    /// Queues effects asked for outside `update` (the first load of a session).
    pub fn push(&mut self, effects: impl IntoIterator<Item = Effect>) {
        self.queue.extend(effects);
    }

    /// Runs the queued effects in order, and the ones their results ask for, until none is
    /// left. `host` sees each effect first. Returns false when `host` stopped it.
    pub fn drain(&mut self, state: &mut State, host: &mut dyn FnMut(Effect) -> Step) -> bool {
        while let Some(effect) = self.queue.pop_front() {
            let actions = match host(effect) {
                Step::Run(effect) => run_effect(effect, self.ctx),
                Step::Done(actions) => actions,
                Step::Stop => {
                    self.queue.clear();
                    return false;
                }
            };
            for action in actions {
                self.apply(state, action);
            }
        }
        true
    }

    /// Applies `action` and runs everything that follows from it here.
    pub fn dispatch(&mut self, state: &mut State, action: Action) {
        self.apply(state, action);
        self.drain(state, &mut Step::Run);
    }

    /// Runs `effect` and everything that follows from it here.
    pub fn run(&mut self, state: &mut State, effect: Effect) {
        self.queue.push_back(effect);
        self.drain(state, &mut Step::Run);
    }

    /// The live re-check of an edited buffer, asked for while one is due (a result may make
    /// another due: the catalog it asked for came). `tui.rs` asks after drawing the
    /// keystroke's echo and runs the evaluation on its worker; run here, it is evaluated in
    /// place (tests, benches).
    pub fn recheck(&mut self, state: &mut State) {
        while recheck_due(state) {
            self.dispatch(state, Action::LiveRecheck);
        }
    }

    /// Whether a frame is due; asking clears it.
    pub fn take_stale(&mut self) -> bool {
        std::mem::take(&mut self.stale)
    }

    /// The screen must be drawn again (resize, suspend, the grammar loaded).
    pub fn mark_stale(&mut self) {
        self.stale = true;
    }
}

/// The buffer changed since the gate evaluation the panes show was made, and no re-check is
/// running (its result makes the next one due).
pub fn recheck_due(state: &State) -> bool {
    state
        .engagement
        .as_ref()
        .is_some_and(|e| e.live_pending && !e.live_running)
}

fn live_shown(state: &State) -> Option<u64> {
    state.engagement.as_ref().map(|e| e.live_shown)
}
