//! Effects: the IO `update` asks for, as plain data. A leaf: it names domain and store types
//! only; `app::run` performs them and `app::driver` feeds their results back to `update`.

use std::path::{Path, PathBuf};

use crate::domain::artifact::Artifact;
use crate::domain::ids::ItemId;
use crate::domain::journal::{ArtifactRecord, ComponentStatus, GateId};
use crate::domain::records::{DeviationTarget, Impact};
use crate::domain::rules::GateReview;
use crate::store::recovery;
use crate::store::review::{self, ReviewDraft};

/// The live gate re-check of an edited buffer (defined with the model it reads).
pub use super::LiveJob;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    LoadWorkspace {
        workspace: PathBuf,
    },
    /// Read the gates of the workspace the acting identity may decide (`store::queue`'s own
    /// path, `domain::queue`): the list's "waiting for you" group. Slow on a large workspace:
    /// `tui.rs` runs it, as every IO effect, on its IO worker (`run::worker`).
    LoadQueue {
        workspace: PathBuf,
    },
    /// Bring the list's rows in line with the directory: read the engagements not in `known`
    /// (their slugs) and those in `reread`, drop the ones gone (the workspace watch reported a
    /// change).
    SyncWorkspace {
        workspace: PathBuf,
        known: Vec<String>,
        reread: Vec<String>,
    },
    /// Ask git where the engagement stands (`store::git::engagement_status`: uncommitted
    /// decisions, ahead/behind). Starts git processes: `tui.rs` runs it on its IO worker.
    GitStatus {
        root: PathBuf,
    },
    /// Read every engagement of the workspace for the metrics view.
    LoadMetrics {
        workspace: PathBuf,
    },
    /// Load (or reload) an engagement.
    Load {
        root: PathBuf,
    },
    /// "Restore approved": each artifact's approved snapshot (by full-text sha256) back in
    /// place, its ungoverned sections kept (DESIGN §3 Staleness).
    RestoreApproved {
        root: PathBuf,
        gate: GateId,
        artifacts: Vec<(Artifact, String)>,
    },
    /// The live gate re-check of an edited buffer (CPU only: `tui.rs` runs it on a worker).
    Evaluate(LiveJob),
    /// Approve through `transact` with the compare-and-swap on the reviewed hashes.
    ApproveGate {
        root: PathBuf,
        gate: GateId,
        review: GateReview,
        reviewed: Vec<ArtifactRecord>,
    },
    RejectGate {
        root: PathBuf,
        gate: GateId,
        review: GateReview,
        reason: String,
        reviewed: Vec<ArtifactRecord>,
    },
    /// Suspend the TUI and run `$VISUAL`/`$EDITOR` on the file (the event loop handles it).
    SpawnEditor {
        root: PathBuf,
        path: PathBuf,
    },
    Quit,
    /// Give the terminal back to the shell and stop the process until `fg` (the event loop
    /// handles it).
    Suspend,
    /// A Build/As-Built transition through `transact`.
    Build(BuildEffect),
    /// Reload, guarded save, recovery files.
    Live(LiveEffect),
    /// Complete feasibility, reopen a gate, create an engagement.
    Lifecycle(LifecycleEffect),

    /// Read the reuse catalog of the workspace `near` sits in (an engagement) or is (the
    /// workspace, when no engagement is open). Reads only.
    LoadCatalog {
        near: PathBuf,
    },
    /// The reviewer's draft (`app::update::review`).
    Review(ReviewEffect),
}

impl Effect {
    /// The files and directories the effect reads or writes (for sandbox checks).
    pub fn paths(&self) -> Vec<PathBuf> {
        match self {
            Effect::LoadWorkspace { workspace }
            | Effect::SyncWorkspace { workspace, .. }
            | Effect::LoadQueue { workspace }
            | Effect::LoadMetrics { workspace } => {
                vec![workspace.clone()]
            }
            Effect::Load { root } | Effect::GitStatus { root } => vec![root.clone()],
            Effect::ApproveGate { root, .. } | Effect::RejectGate { root, .. } => {
                vec![root.clone()]
            }
            Effect::SpawnEditor { path, .. } => vec![path.clone()],
            Effect::RestoreApproved {
                root, artifacts, ..
            } => artifacts
                .iter()
                .map(|(a, _)| root.join(a.file_name()))
                .collect(),
            Effect::Quit | Effect::Suspend | Effect::Evaluate(_) => Vec::new(),
            Effect::Build(b) => b.paths(),
            Effect::Live(l) => l.paths(),
            Effect::Lifecycle(l) => l.paths(),

            Effect::LoadCatalog { near } => vec![near.clone()],
            Effect::Review(r) => r.paths(),
        }
    }
}

/// The effects of Build and As-Built: each one transition through `transact`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildEffect {
    SetStatus {
        root: PathBuf,
        component: ItemId,
        status: ComponentStatus,
    },
    CompleteBuild {
        root: PathBuf,
    },
    /// Writes `- DEV-n (…)` into as-built.md and the `deviation_recorded` event.
    RecordDeviation {
        root: PathBuf,
        target: DeviationTarget,
        impact: Impact,
        what: String,
        why: String,
    },
    /// Writes `- AMD-n (DEV-x): …` into the spec and the `amendment_recorded` event.
    Amend {
        root: PathBuf,
        deviation: ItemId,
        text: String,
    },
    /// Closes, compare-and-swap on the texts the closer saw.
    Close {
        root: PathBuf,
        reason: Option<String>,
        reviewed: Vec<ArtifactRecord>,
    },
}

impl BuildEffect {
    pub fn root(&self) -> &Path {
        match self {
            BuildEffect::SetStatus { root, .. }
            | BuildEffect::CompleteBuild { root }
            | BuildEffect::RecordDeviation { root, .. }
            | BuildEffect::Amend { root, .. }
            | BuildEffect::Close { root, .. } => root,
        }
    }

    pub fn paths(&self) -> Vec<PathBuf> {
        vec![self.root().to_path_buf()]
    }
}

/// The effects of this module: each one journal write (or an engagement created).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleEffect {
    CompleteFeasibility {
        root: PathBuf,
        reviewed: Vec<ArtifactRecord>,
    },
    ReopenGate {
        root: PathBuf,
        gate: GateId,
        reason: String,
    },
    CreateEngagement {
        workspace: PathBuf,
        slug: String,
        title: String,
        owner: String,
    },
}

impl LifecycleEffect {
    pub fn paths(&self) -> Vec<PathBuf> {
        match self {
            LifecycleEffect::CompleteFeasibility { root, .. }
            | LifecycleEffect::ReopenGate { root, .. } => vec![root.clone()],
            LifecycleEffect::CreateEngagement {
                workspace, slug, ..
            } => vec![workspace.join(slug)],
        }
    }
}

/// A recovery file to remove after a save, if it still holds the text with this hash.
pub type Cleanup = Vec<(PathBuf, Option<String>)>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEffect {
    Reload {
        root: PathBuf,
    },
    ScanRecovery {
        root: PathBuf,
        open_view: bool,
    },
    /// Read who else has the engagement open, and which agent sessions run on it.
    ScanPresence {
        root: PathBuf,
    },
    Autosave {
        root: PathBuf,
        artifact: Artifact,
        text: String,
        previous: Option<(PathBuf, String)>,
    },
    /// Save only if the file still holds `expected` (`None`: it must not exist). `keep_disk`:
    /// the save goes over someone else's version (a resolved conflict), which is kept first.
    Save {
        root: PathBuf,
        artifact: Artifact,
        text: String,
        expected: Option<String>,
        keep_disk: bool,
        cleanup: Cleanup,
    },
    /// Set `mine` aside in the recovery directory, then the buffer takes the disk version.
    TakeDisk {
        root: PathBuf,
        artifact: Artifact,
        mine: String,
        cleanup: Cleanup,
    },
    /// Remove recovery files that still hold the text they were written with.
    Forget {
        root: PathBuf,
        cleanup: Cleanup,
    },
    /// Delete a recovery file; `quiet`: it holds what the disk holds (nothing to tell).
    Discard {
        root: PathBuf,
        path: PathBuf,
        quiet: bool,
    },
}

impl LiveEffect {
    pub fn paths(&self) -> Vec<PathBuf> {
        match self {
            LiveEffect::Reload { root }
            | LiveEffect::ScanRecovery { root, .. }
            | LiveEffect::ScanPresence { root } => {
                vec![root.clone()]
            }
            LiveEffect::Autosave { root, previous, .. } => {
                let mut out = vec![recovery::recovery_dir(root)];
                out.extend(previous.iter().map(|(p, _)| p.clone()));
                out
            }
            LiveEffect::Save {
                root,
                artifact,
                cleanup,
                ..
            } => {
                let mut out = vec![root.join(artifact.file_name())];
                out.extend(cleanup.iter().map(|(p, _)| p.clone()));
                out
            }
            LiveEffect::TakeDisk { root, cleanup, .. } => {
                let mut out = vec![recovery::recovery_dir(root)];
                out.extend(cleanup.iter().map(|(p, _)| p.clone()));
                out
            }
            LiveEffect::Discard { path, .. } => vec![path.clone()],
            LiveEffect::Forget { cleanup, .. } => cleanup.iter().map(|(p, _)| p.clone()).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewEffect {
    Load { root: PathBuf, identity: String },
    Save { root: PathBuf, draft: ReviewDraft },
    Remove { root: PathBuf, identity: String },
}

impl ReviewEffect {
    pub fn paths(&self) -> Vec<PathBuf> {
        match self {
            ReviewEffect::Load { root, identity } | ReviewEffect::Remove { root, identity } => {
                vec![review::path(root, identity)]
            }
            ReviewEffect::Save { root, draft } => vec![review::path(root, &draft.identity)],
        }
    }
}
