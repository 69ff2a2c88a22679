//! Messages into `update`: key-derived commands, text input, terminal events and the results
//! of effects.

use std::fmt;

use ratatui_textarea::Input;

use super::WorkspaceRow;
use super::keys::Command;
use crate::domain::artifact::Artifact;
use crate::domain::ids::ItemId;
use crate::store::engagement::LoadedEngagement;
use crate::store::instance::InstanceOwner;
use crate::store::recovery::RecoveryFile;
use crate::store::review::ReviewDraft;
use crate::store::watch::WatchEvent;
use std::path::PathBuf;

#[derive(Clone)]
pub enum Action {
    /// A named command from the keymap.
    Command(Command),
    /// The first key of a two-key sequence was pressed (`Some`), or the second key did not
    /// complete one (`None`, with the two keys for the message).
    Prefix(
        Option<crate::config::keymap::KeyBinding>,
        Option<crate::config::keymap::KeyBinding>,
    ),
    /// The buffer changed: its live gate re-check is due (the loop sends it after drawing the
    /// keystroke's echo).
    LiveRecheck,
    /// The live gate re-check of the buffer, computed off the input path.
    LiveEvaluated(Box<crate::domain::evaluate::Evaluation>),
    /// A key that is text where it was pressed (the editor, a prompt, the filter).
    Text(Input),
    /// Bracketed paste.
    Paste(String),
    Resize(u16, u16),
    /// The workspace list was read.
    WorkspaceLoaded {
        rows: Vec<WorkspaceRow>,
        error: Option<String>,
    },
    /// A report of the workspace watch (`tui::subscriptions`): engagements added or removed.
    WorkspaceWatch {
        workspace: PathBuf,
        event: crate::store::watch::WorkspaceEvent,
    },
    /// The rows brought in line with the workspace directory (`Effect::SyncWorkspace`).
    WorkspaceSynced {
        workspace: PathBuf,
        added: Vec<WorkspaceRow>,
        removed: Vec<String>,
        error: Option<String>,
    },
    /// The gates of `workspace` waiting for the acting identity were read (`Effect::LoadQueue`).
    QueueLoaded {
        workspace: PathBuf,
        waiting: Vec<super::WaitingRow>,
        error: Option<String>,
    },
    /// What git says about the engagement at `root` (`Effect::GitStatus`).
    GitRead {
        root: PathBuf,
        line: Option<super::GitLine>,
    },
    /// The workspace metrics were read (`show_metrics`).
    MetricsLoaded(Box<crate::domain::metrics::WorkspaceMetrics>),
    /// An engagement was (re)loaded from disk.
    EngagementLoaded(Box<LoadedEngagement>),
    /// Loading an engagement failed.
    LoadFailed(String),
    /// The approved text of these files of `gate` is back in place.
    Restored {
        gate: crate::domain::journal::GateId,
        files: Vec<String>,
    },
    /// A journal event was appended.
    Committed(String),
    /// An effect failed or a rule refused it.
    Failed(String),
    /// The outside editor returned.
    EditorReturned,
    /// A Build/As-Built effect's result that needs a decision (`app::update::build`).
    Build(BuildAction),
    /// Outside edits, conflicts and recovery (`app::update::live`).
    Live(LiveAction),
    /// A lifecycle effect's result that needs a decision (`app::update::lifecycle`).
    Lifecycle(LifecycleAction),

    /// The workspace's reuse catalog was read (`app::update::catalog`).
    CatalogLoaded(std::sync::Arc<crate::domain::catalog::Catalog>),
    /// The reviewer's draft was read (`app::update::review`).
    Review(ReviewAction),
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Command(c) => write!(f, "Command({c})"),
            Action::Prefix(a, b) => write!(f, "Prefix({a:?}, {b:?})"),
            Action::LiveRecheck => write!(f, "LiveRecheck"),
            Action::LiveEvaluated(_) => write!(f, "LiveEvaluated"),
            Action::Text(i) => write!(f, "Text({i:?})"),
            Action::Paste(s) => write!(f, "Paste({} bytes)", s.len()),
            Action::Resize(w, h) => write!(f, "Resize({w}, {h})"),
            Action::WorkspaceLoaded { rows, error } => {
                write!(f, "WorkspaceLoaded({} rows, {error:?})", rows.len())
            }
            Action::WorkspaceWatch { event, .. } => write!(f, "WorkspaceWatch({event:?})"),
            Action::WorkspaceSynced {
                added,
                removed,
                error,
                ..
            } => write!(
                f,
                "WorkspaceSynced(+{} -{} {error:?})",
                added.len(),
                removed.len()
            ),
            Action::QueueLoaded { waiting, error, .. } => {
                write!(f, "QueueLoaded({} gates, {error:?})", waiting.len())
            }
            Action::GitRead { line, .. } => write!(f, "GitRead({line:?})"),
            Action::MetricsLoaded(m) => {
                write!(f, "MetricsLoaded({} engagements)", m.engagements.len())
            }
            Action::EngagementLoaded(l) => write!(f, "EngagementLoaded({})", l.root.display()),
            Action::LoadFailed(m) => write!(f, "LoadFailed({m})"),
            Action::Restored { gate, files } => write!(f, "Restored({gate:?}, {files:?})"),
            Action::Committed(m) => write!(f, "Committed({m})"),
            Action::Failed(m) => write!(f, "Failed({m})"),
            Action::EditorReturned => write!(f, "EditorReturned"),
            Action::Build(b) => write!(f, "Build({b:?})"),
            Action::Live(l) => write!(f, "Live({l:?})"),
            Action::Lifecycle(l) => write!(f, "Lifecycle({l:?})"),

            Action::CatalogLoaded(c) => write!(f, "CatalogLoaded({} entries)", c.entries.len()),
            Action::Review(r) => write!(f, "Review({r:?})"),
        }
    }
}

/// Results of Build effects that need a decision in `update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildAction {
    /// A design-change deviation was recorded: offer to reopen Gate 2.
    DesignChangeRecorded { deviation: ItemId, what: String },
}

/// Results of lifecycle effects that need a decision in `update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleAction {
    /// `create` refused (the slug exists, the directory cannot be written): the form comes back
    /// with the reason.
    CreateFailed(super::model::overlay::NewEngagementForm),
}

#[derive(Debug, Clone)]
pub enum LiveAction {
    /// A report of the watcher of the engagement at `root`.
    Watch {
        root: PathBuf,
        event: WatchEvent,
    },
    /// The engagement as re-read after an outside change.
    Reloaded(Box<LoadedEngagement>),
    /// Re-reading failed (malformed TOML written by hand, a journal cut…).
    ReloadFailed(String),
    /// The one-shot deadline passed: autosave the buffer, re-read who is here if asked.
    AutosaveDue,
    AutosaveWritten {
        artifact: Artifact,
        path: PathBuf,
        sha256: String,
    },
    RecoveryFound {
        files: Vec<RecoveryFile>,
        problems: Vec<String>,
        open_view: bool,
    },
    /// A guarded save went through; `kept`: where the disk version it replaced was kept.
    Saved {
        artifact: Artifact,
        text: String,
        kept: Option<PathBuf>,
    },
    /// A guarded save found another version on disk.
    SaveRefused {
        artifact: Artifact,
        disk: Option<String>,
    },
    /// "Take disk": the buffer was set aside at `set_aside`.
    TookDisk {
        artifact: Artifact,
        set_aside: PathBuf,
    },
    /// A recovery file was deleted; `quiet` when it only repeated the disk.
    Discarded {
        path: PathBuf,
        quiet: bool,
    },
    /// The other running instances with the engagement at `root` open, and the agent
    /// sessions (`phasegate mcp`) still running on it.
    PresenceFound {
        root: PathBuf,
        others: Vec<InstanceOwner>,
        agents: Vec<crate::store::agents::AgentSession>,
    },
    Failed(String),
}

#[derive(Debug, Clone)]
pub enum ReviewAction {
    Loaded {
        root: PathBuf,
        draft: Result<Option<ReviewDraft>, String>,
    },
}
