//! The IO worker: the effects the event loop hands it run on their own thread, one after the
//! other in the order sent (FIFO), and what each reports goes back to the loop, which applies
//! it through `update`. So a save and the reload after it, or two journal writes, never
//! reorder, and no key waits for the disk, git or a transaction. Idle, the thread sleeps in
//! `recv`. The tests and benches run the same effects in place (`app::driver`).

use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

use super::{EffectContext, run_effect};
use crate::app::action::Action;
use crate::app::effect::Effect;

enum Job {
    Run(Effect),
    /// Answered once every effect sent before it has run and been delivered.
    Flush(Sender<()>),
}

pub struct IoWorker {
    /// `None` when the thread could not be started: effects then run where they are asked.
    jobs: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl IoWorker {
    /// Starts the worker; it runs effects in `ctx` (its own: the clock and identity of the
    /// session) and hands each effect's actions to `deliver`, in order.
    pub fn spawn(ctx: EffectContext, deliver: impl Fn(Vec<Action>) + Send + 'static) -> IoWorker {
        let (jobs, rx) = mpsc::channel::<Job>();
        let slow = test_delay();
        let spawned = std::thread::Builder::new()
            .name("phasegate-io".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    match job {
                        Job::Run(effect) => {
                            if let Some(d) = slow.filter(|_| writes(&effect)) {
                                std::thread::sleep(d);
                            }
                            deliver(run_effect(effect, &ctx));
                        }
                        Job::Flush(done) => {
                            let _ = done.send(());
                        }
                    }
                }
            });
        match spawned {
            Ok(thread) => IoWorker {
                jobs: Some(jobs),
                thread: Some(thread),
            },
            Err(_) => IoWorker {
                jobs: None,
                thread: None,
            },
        }
    }

    /// Queues `effect` behind the ones sent before it; gives it back when there is no worker
    /// to run it (the caller runs it in place).
    pub fn submit(&self, effect: Effect) -> Option<Effect> {
        match &self.jobs {
            Some(tx) => match tx.send(Job::Run(effect)) {
                Ok(()) => None,
                Err(mpsc::SendError(Job::Run(effect))) => Some(effect),
                Err(mpsc::SendError(Job::Flush(_))) => None,
            },
            None => Some(effect),
        }
    }

    /// Waits until every effect sent so far has run and its actions were delivered (before an
    /// effect that must run on the loop's thread: it comes after them).
    pub fn flush(&self) {
        let Some(tx) = &self.jobs else { return };
        let (done, wait) = mpsc::channel();
        if tx.send(Job::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }

    /// Waits for every effect sent to finish (quitting: no write is cut short), then ends the
    /// thread.
    pub fn finish(self) {
        drop(self);
    }
}

/// However the loop ends, the effects sent are finished first.
impl Drop for IoWorker {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Saves, restores and journal writes (what the test hook slows down).
fn writes(effect: &Effect) -> bool {
    use crate::app::effect::LiveEffect;
    matches!(
        effect,
        Effect::ApproveGate { .. }
            | Effect::RejectGate { .. }
            | Effect::RestoreApproved { .. }
            | Effect::Build(_)
            | Effect::Lifecycle(_)
            | Effect::Live(LiveEffect::Save { .. })
    )
}

/// A test hook, in debug (test) builds only: `PHASEGATE_TEST_SLOW_IO_MS=N` makes the worker
/// wait N ms before each write ([`writes`]), so a test can show the screen answering keys
/// meanwhile and a quit waiting for the write.
#[cfg(debug_assertions)]
fn test_delay() -> Option<std::time::Duration> {
    std::env::var("PHASEGATE_TEST_SLOW_IO_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(std::time::Duration::from_millis)
}

#[cfg(not(debug_assertions))]
fn test_delay() -> Option<std::time::Duration> {
    None
}
