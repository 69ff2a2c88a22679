//! Messages into `update`: key-derived commands, text input, terminal events and the results
//! of effects.

use std::fmt;

use ratatui_textarea::Input;

use super::WorkspaceRow;
use super::keys::Command;
use crate::domain::artifact::Artifact;
use crate::store::engagement::Loaded;

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
    /// An engagement was (re)loaded from disk.
    EngagementLoaded(Box<Loaded>),
    /// Loading an engagement failed.
    LoadFailed(String),
    /// The shown artifact was saved with this text.
    Saved {
        artifact: Artifact,
        text: String,
    },
    /// A journal event was appended.
    Committed(String),
    /// An effect failed or a rule refused it.
    Failed(String),
    /// The outside editor returned.
    EditorReturned,
    /// A Build/As-Built effect's result that needs a decision (`app::build`).
    Build(super::build::BuildAction),
    /// Outside edits, conflicts and recovery (`app::live`).
    Live(super::live::LiveAction),
    /// A lifecycle effect's result that needs a decision (`app::lifecycle`).
    Lifecycle(super::lifecycle::LifecycleAction),
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Command(c) => write!(f, "Command({c})"),
            Action::Prefix(a, b) => write!(f, "Prefix({a:?}, {b:?})"),
            Action::LiveEvaluated(_) => write!(f, "LiveEvaluated"),
            Action::Text(i) => write!(f, "Text({i:?})"),
            Action::Paste(s) => write!(f, "Paste({} bytes)", s.len()),
            Action::Resize(w, h) => write!(f, "Resize({w}, {h})"),
            Action::WorkspaceLoaded { rows, error } => {
                write!(f, "WorkspaceLoaded({} rows, {error:?})", rows.len())
            }
            Action::EngagementLoaded(l) => write!(f, "EngagementLoaded({})", l.root.display()),
            Action::LoadFailed(m) => write!(f, "LoadFailed({m})"),
            Action::Saved { artifact, .. } => write!(f, "Saved({})", artifact.file_name()),
            Action::Committed(m) => write!(f, "Committed({m})"),
            Action::Failed(m) => write!(f, "Failed({m})"),
            Action::EditorReturned => write!(f, "EditorReturned"),
            Action::Build(b) => write!(f, "Build({b:?})"),
            Action::Live(l) => write!(f, "Live({l:?})"),
            Action::Lifecycle(l) => write!(f, "Lifecycle({l:?})"),
        }
    }
}
