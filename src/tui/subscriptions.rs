//! The event loop's subscriptions: the watcher of the open engagement (started when an
//! engagement is open, stopped when none is), this process's presence in it, the watch of the
//! workspace directory while its list is shown (engagements added or removed), and the one-shot
//! autosave deadline. They live with the terminal loop, not in `app`: `app` stays free of
//! threads, watchers and the clock; what they report arrives as actions
//! (`LiveAction::Watch`, `Action::WorkspaceWatch`, `LiveAction::AutosaveDue`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvError, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::app::action::{Action, LiveAction};
use crate::app::model::live::{AUTOSAVE_DELAY, Live};
use crate::app::{Screen, State};
use crate::store::instance;
use crate::store::watch::{Watcher, WorkspaceWatcher};

fn act(action: LiveAction) -> Action {
    Action::Live(action)
}

type Sink = Arc<dyn Fn(Action) + Send + Sync + 'static>;

/// What [`Runtime::wait`] got.
#[derive(Debug)]
pub enum Received<T> {
    Message(T),
    /// The autosave deadline passed: dispatch [`Runtime::due`].
    Due,
    /// The caller's limit passed.
    TimedOut,
    /// Every sender is gone.
    Closed,
}

/// What the event loop keeps for this module: the watcher of the open engagement and the
/// autosave deadline. Nothing here wakes up unless something happened.
pub struct Runtime {
    sink: Sink,
    watcher: Option<(PathBuf, Watcher)>,
    /// The workspace directory's watch, while the list is on screen.
    workspace: Option<(PathBuf, WorkspaceWatcher)>,
    /// The engagement this process has announced itself in (`.phasegate/presence/`).
    present: Option<PathBuf>,
    deadline: Option<Instant>,
    /// Poll at this interval instead of asking the kernel (tests; `PHASEGATE_WATCH=poll`).
    polling: Option<Duration>,
}

impl Runtime {
    /// `sink` puts an action on the event loop's channel (called from the watcher's thread).
    pub fn new(sink: impl Fn(Action) + Send + Sync + 'static) -> Runtime {
        Runtime {
            sink: Arc::new(sink),
            watcher: None,
            workspace: None,
            present: None,
            deadline: None,
            polling: None,
        }
    }

    /// Watches by polling every `interval` (what unsupported filesystems get).
    pub fn with_polling(mut self, interval: Duration) -> Runtime {
        self.polling = Some(interval);
        self
    }

    /// Called after every frame: announces this instance's presence in the open engagement
    /// (and withdraws it from the one before). After, not before, the frame: the presence file
    /// is an fsynced write, milliseconds the first frame of an engagement need not wait for.
    pub fn announce(&mut self, state: &State) {
        let root = state.engagement.as_ref().map(|e| &e.root);
        if self.present.as_ref() != root {
            self.leave();
            // Presence is a courtesy to the others: an engagement that cannot be written (a
            // read-only checkout) is still worked on, just unannounced.
            self.present = root.filter(|r| instance::announce(r).is_ok()).cloned();
        }
    }

    /// Called after every update, before the draw: watches the open engagement (and nothing
    /// else), and arms the autosave deadline when the buffer changed.
    pub fn observe(&mut self, state: &State) {
        let root = state.engagement.as_ref().map(|e| e.root.clone());
        if self.watcher.as_ref().map(|(r, _)| r) != root.as_ref() {
            self.watcher = None; // stops the old watch first
            if let Some(root) = root {
                let sink = self.sink.clone();
                let watched = root.clone();
                let report = move |event| {
                    sink(act(LiveAction::Watch {
                        root: watched.clone(),
                        event,
                    }))
                };
                let watcher = match self.polling {
                    Some(every) => Watcher::start_polling(&root, every, "asked to poll", report),
                    None => Watcher::start(&root, report),
                };
                self.watcher = Some((root, watcher));
            }
        }
        let list = state
            .workspace
            .as_ref()
            .filter(|w| state.screen == Screen::Workspace && !w.root.as_os_str().is_empty())
            .map(|w| w.root.clone());
        if self.workspace.as_ref().map(|(r, _)| r) != list.as_ref() {
            self.workspace = None; // stops the old watch first
            if let Some(root) = list {
                let sink = self.sink.clone();
                let watched = root.clone();
                let report = move |event| {
                    sink(Action::WorkspaceWatch {
                        workspace: watched.clone(),
                        event,
                    })
                };
                let watcher = match self.polling {
                    Some(every) => {
                        WorkspaceWatcher::start_polling(&root, every, "asked to poll", report)
                    }
                    None => WorkspaceWatcher::start(&root, report),
                };
                self.workspace = Some((root, watcher));
            }
        }
        let edited = state
            .engagement
            .as_ref()
            .is_some_and(|e| e.dirty && e.live_pending);
        let recheck = Live::current(state).is_some_and(|l| l.recheck_presence);
        if (edited || recheck) && self.deadline.is_none() {
            self.deadline = Some(Instant::now() + AUTOSAVE_DELAY);
        }
    }

    /// When the autosave is due, if it is armed.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Blocks until a message arrives (`Ok(Some)`) or the deadline passes (`Ok(None)`: dispatch
    /// [`Runtime::due`]). Without a deadline this is a plain blocking receive.
    pub fn recv<T>(&mut self, rx: &Receiver<T>) -> Result<Option<T>, RecvError> {
        match self.wait(rx, None) {
            Received::Message(m) => Ok(Some(m)),
            Received::Due | Received::TimedOut => Ok(None),
            Received::Closed => Err(RecvError),
        }
    }

    /// Like [`Runtime::recv`], but also returns at `limit` (for tests and benches).
    pub fn wait<T>(&mut self, rx: &Receiver<T>, limit: Option<Instant>) -> Received<T> {
        let until = match (self.deadline, limit) {
            (Some(d), Some(l)) => Some(d.min(l)),
            (d, l) => d.or(l),
        };
        let got = match until {
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(u) => rx.recv_timeout(u.saturating_duration_since(Instant::now())),
        };
        match got {
            Ok(m) => Received::Message(m),
            Err(RecvTimeoutError::Disconnected) => Received::Closed,
            Err(RecvTimeoutError::Timeout) => {
                if self.take_due() {
                    Received::Due
                } else {
                    Received::TimedOut
                }
            }
        }
    }

    /// Whether the autosave deadline has passed; it is disarmed if so (dispatch
    /// [`Runtime::due`]).
    pub fn take_due(&mut self) -> bool {
        let due = self.deadline.is_some_and(|d| d <= Instant::now());
        if due {
            self.deadline = None;
        }
        due
    }

    /// The action to dispatch when [`Runtime::recv`] reports the deadline.
    pub fn due() -> Action {
        act(LiveAction::AutosaveDue)
    }

    /// Removes this process's presence file from the engagement it announced itself in.
    fn leave(&mut self) {
        if let Some(old) = self.present.take() {
            let _ = instance::withdraw(&old);
        }
    }
}

impl Drop for Runtime {
    /// Every way out of the event loop (quit, an error, a panic unwinding) drops the runtime:
    /// the presence file goes with it.
    fn drop(&mut self) {
        self.leave();
    }
}
