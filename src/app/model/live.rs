//! The live engagement directory as the model holds it: outside edits, conflicts, crash
//! recovery (the handlers: `app::update::live`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::domain::artifact::Artifact;
use crate::domain::digest::sha256_hex;
use crate::domain::sidebyside::SideBySide;
use crate::domain::time::Timestamp;
use crate::store::instance::InstanceOwner;
use crate::store::recovery::RecoveryFile;
use crate::store::watch::WatchMode;

/// How long after the first keystroke not yet in the recovery file it is written.
pub const AUTOSAVE_DELAY: Duration = Duration::from_secs(1);

/// Where a conflict stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Just raised: saving is refused.
    Open,
    /// The user is merging by editing the buffer: saving is refused until marked resolved.
    Merging,
    /// Resolved: the next save may replace the disk version the user compared against.
    Resolved,
}

/// The shown artifact changed (or was deleted) on disk while its buffer had unsaved edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditConflict {
    pub artifact: Artifact,
    /// The disk's text; `None` when the file was deleted.
    pub disk: Option<String>,
    pub stage: Stage,
}

impl EditConflict {
    pub fn disk_sha(&self) -> Option<String> {
        self.disk.as_deref().map(|t| sha256_hex(t.as_bytes()))
    }
}

/// A recovery file offered back, with how it differs from the disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    pub file: RecoveryFile,
    /// Lines only in the recovery file / only on disk.
    pub added: usize,
    pub removed: usize,
}

/// The full-screen views of this module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveView {
    /// Mine vs disk of the conflict.
    Conflict { rows: SideBySide, scroll: usize },
    /// The recovery files; `compare` shows the selected one against the disk.
    Recovery {
        selected: usize,
        compare: Option<SideBySide>,
        scroll: usize,
        /// Discard was pressed: an explicit yes (`confirm`, `y`) deletes; any other key keeps.
        confirm_discard: bool,
    },
}

/// This session's autosave of the shown buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autosave {
    pub artifact: Artifact,
    pub path: PathBuf,
    pub sha256: String,
}

/// Everything the live directory adds to the model, for one engagement root.
#[derive(Debug, Clone, Default)]
pub struct Live {
    pub root: Option<PathBuf>,
    /// How the directory is watched (`None` until the watcher reports).
    pub mode: Option<WatchMode>,
    /// A problem with the watch or with re-reading the engagement.
    pub problem: Option<String>,
    pub conflict: Option<EditConflict>,
    pub view: Option<LiveView>,
    /// Recovery files offered back (from earlier sessions, or set aside by "take disk").
    pub offered: Vec<Offered>,
    /// Autosaves of other instances still running: their live buffers, never offered here.
    pub held: Vec<RecoveryFile>,
    /// Other running instances that have this engagement open (their presence files).
    pub others: Vec<InstanceOwner>,
    /// Agent sessions (`phasegate mcp`) running on this engagement, as last read (on a
    /// reload or a presence change, never per frame: `store::agents::live_sessions`).
    pub agents: Vec<crate::store::agents::AgentSession>,
    /// Columns the open view's compare is scrolled sideways (reset when a view opens).
    pub hscroll: usize,
    /// The presence directory changed: read it once more at the next deadline. A file created
    /// and removed within one debounce window reports nothing, so what a scan saw in between
    /// would otherwise stay on the status bar.
    pub recheck_presence: bool,
    pub autosave: Option<Autosave>,
    /// A recovery file restored into the buffer: removed once the buffer is saved.
    pub restored: Option<(PathBuf, String)>,
    /// The recovery directory was looked at for this root.
    pub scanned: bool,
}

/// When a recovery file was last written, for the list.
pub fn modified_label(file: &RecoveryFile) -> String {
    file.modified
        .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| Timestamp::from_unix(i64::try_from(d.as_secs()).unwrap_or(0)).to_string())
        .unwrap_or_else(|| "unknown time".into())
}

/// A path shown relative to the engagement.
pub fn shown_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
