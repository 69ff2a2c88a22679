//! The whole model, `State`: the screen, the mode, the open engagement and workspace, the
//! overlay, toasts. Plain data and the accessors that read across it (the key context); `update`
//! changes it, `ui::view` draws it.

use std::sync::Arc;

use super::engagement::EngagementState;
use super::live::{EditConflict, Live};
use super::overlay::Overlay;
use super::workspace::WorkspaceState;
use crate::app::keys::{Command, Context, Keys};
use crate::domain::phase::Phase;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Workspace,
    Engagement,
}

/// The focused pane of the engagement screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Editor,
    Gate,
    Journal,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Editor, Pane::Gate, Pane::Journal];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Read-only: keys are commands.
    View,
    /// Editing the shown artifact: unbound keys are text.
    Edit,
    /// Typing the workspace filter: every printable key is text (q, j, k included).
    Filter,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::View => "VIEW",
            Mode::Edit => "EDIT",
            Mode::Filter => "FILTER",
        }
    }
}

/// How a toast is shown: a notice, or something that needs attention (a refusal, a conflict, a
/// stale gate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub kind: Severity,
    pub text: String,
}

/// How many messages the log keeps (the oldest go first).
pub const MESSAGE_LOG_MAX: usize = 500;

/// The whole model.
#[derive(Debug, Clone)]
pub struct State {
    pub screen: Screen,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub keys: Keys,
    /// Who approves: `--as`, config, git or `$USER@host`.
    pub identity: String,
    /// Draw ASCII glyphs (the locale lacks UTF-8).
    pub ascii: bool,
    pub workspace: Option<WorkspaceState>,
    pub engagement: Option<EngagementState>,
    pub mode: Mode,
    pub pane: Pane,
    /// The focused pane fills the engagement screen (`zoom_pane`).
    pub zoom: bool,
    pub overlay: Option<Overlay>,
    pub toast: Option<Toast>,
    /// Every toast of the session in full, oldest first (`messages` shows them).
    pub messages: Vec<Toast>,
    /// Config/theme/keymap problems, shown once as a banner.
    pub banner: Vec<String>,
    pub quit: bool,
    /// Outside edits, conflicts and crash recovery of the open engagement (`app::update::live`).
    pub live: Live,
    /// The allowed signers that verify signed decisions (none: nothing verifies).
    pub allowed_signers: Option<Arc<crate::domain::allowed_signers::AllowedSigners>>,
    /// Who an approval would be signed as, or why no key is ready (set up at start; the
    /// confirmation dialog shows it). Which journal events verified is the view's to remember
    /// (`ui::journal::SignatureMemo`, in `ui::ViewState`).
    pub signer: Option<Result<crate::store::sign::SignerLabel, String>>,
    /// The first key of a two-key sequence (vim's `g g`), waiting for the second.
    pub pending_key: Option<crate::config::keymap::KeyBinding>,
}

impl State {
    pub fn new(identity: impl Into<String>, keys: Keys, size: (u16, u16)) -> State {
        State {
            screen: Screen::Workspace,
            size,
            keys,
            identity: identity.into(),
            ascii: false,
            workspace: None,
            engagement: None,
            mode: Mode::View,
            pane: Pane::Editor,
            zoom: false,
            overlay: None,
            toast: None,
            messages: Vec::new(),
            banner: Vec::new(),
            quit: false,
            live: Live::default(),
            allowed_signers: None,
            signer: None,
            pending_key: None,
        }
    }

    /// The key context the router looks keys up in.
    pub fn context(&self) -> Context {
        if self.overlay.is_some() || live_view_open(self) {
            return Context::Overlay;
        }
        if let Some(context) = board_context(self) {
            return context;
        }
        match (self.screen, self.mode, self.pane) {
            (Screen::Workspace, _, _) => Context::Workspace,
            (_, Mode::Edit, _) => Context::Edit,
            (_, _, Pane::Gate) => Context::Gate,
            _ => Context::View,
        }
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.notify(Severity::Info, text.into());
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.notify(Severity::Error, text.into());
    }

    /// Tells `text` beside the toast already shown, without hiding it: an info toast says both
    /// (`text` first when `lead`: news that matters more than what it joins), an error toast
    /// stays as it is. The message log keeps `text` as its own entry either way, so nothing
    /// told this way is lost when the toast is cut or stays hidden.
    pub fn info_beside(&mut self, text: impl Into<String>, lead: bool) {
        let text = text.into();
        let shown = self.toast.take();
        self.notify(Severity::Info, text.clone());
        match shown {
            Some(t) if t.kind == Severity::Info => {
                let both = if lead {
                    format!("{text} · {}", t.text)
                } else {
                    format!("{} · {text}", t.text)
                };
                self.toast = Some(Toast {
                    kind: Severity::Info,
                    text: both,
                });
            }
            Some(t) => self.toast = Some(t),
            None => {}
        }
    }

    /// Shows a toast and keeps it in the message log.
    fn notify(&mut self, kind: Severity, text: String) {
        if self.messages.len() >= MESSAGE_LOG_MAX {
            self.messages.remove(0);
        }
        let toast = Toast { kind, text };
        self.messages.push(toast.clone());
        self.toast = Some(toast);
    }
}

/// The key context of the main pane when it shows the board or the diff.
fn board_context(state: &State) -> Option<Context> {
    if state.screen != Screen::Engagement || state.mode != Mode::View || state.pane != Pane::Editor
    {
        return None;
    }
    let e = state.engagement.as_ref()?;
    if e.build.diff.is_some() {
        Some(Context::Diff)
    } else if e.shown_phase == Phase::Build {
        Some(Context::Build)
    } else {
        None
    }
}

// Beside `State` rather than in `model/live.rs`: these read the open engagement, and
// `live.rs` stays below `state.rs` (which holds a `Live`) so the model has no import cycle.
impl Live {
    /// Whether this live state belongs to the open engagement.
    pub fn current(state: &State) -> Option<&Live> {
        let e = state.engagement.as_ref()?;
        (state.live.root.as_deref() == Some(e.root.as_path()) && state.screen == Screen::Engagement)
            .then_some(&state.live)
    }

    /// The conflict on the shown artifact, if any.
    pub fn conflict_of(state: &State) -> Option<&EditConflict> {
        let live = Live::current(state)?;
        let e = state.engagement.as_ref()?;
        live.conflict
            .as_ref()
            .filter(|c| Some(c.artifact) == e.shown_artifact())
    }
}

/// True while a live view (conflict, recovery) takes the keys.
fn live_view_open(state: &State) -> bool {
    Live::current(state).is_some_and(|l| l.view.is_some())
}

/// The keys that confirm a journal-writing dialog: the keymap's `confirm` keys without Enter.
pub fn yes_keys(state: &State) -> String {
    let keys = state
        .keys
        .hint(Context::Overlay, Command::Confirm)
        .unwrap_or_default();
    let kept: Vec<&str> = keys
        .split('/')
        .filter(|k| !k.is_empty() && *k != "Enter")
        .collect();
    if kept.is_empty() {
        "y".into()
    } else {
        kept.join("/")
    }
}
