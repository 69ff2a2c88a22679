//! The lead's queue as the store reads it (DESIGN §7). A lead's workspace holds hundreds of
//! engagements and most wait for no one, so the queue reads each in stages and stops as soon as
//! it is clear the engagement holds no gate the identity may decide:
//!
//! 1. `engagement.toml` and the journal only: a closed engagement, one whose owner is asking
//!    (under `distinct_approver`), and one with no gate ahead and no approval that could have
//!    gone stale are done;
//! 2. the artifacts (read, not parsed) and the governed hashes of the approved gates' evidence:
//!    an engagement whose approvals all still hold is done;
//! 3. the rest is loaded as `load` would (snapshots, the catalog — read once for the whole
//!    workspace) and evaluated without the reconciliation, which no gate reads. `build/` is
//!    never hashed: only a closed engagement's checks read it, and a closed one waits for no one.
//!
//! [`load_workspace_full`] is the plain path (`load` + `evaluate` for every engagement); the
//! queue computed from either is the same, which `tests/queue.rs` checks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::domain::artifact::ArtifactHashes;
use crate::domain::catalog::Catalog;
use crate::domain::engagement::Engagement;
use crate::domain::evaluate::{
    Evaluation, GateState, evaluate, evaluate_gates, gate_evidence, gate_status,
};
use crate::domain::journal::GateId;
use crate::domain::phase::{Phase, replay_with};
use crate::domain::position::{Finding, Position};
use crate::domain::queue::QueueInput;
use crate::domain::rules::{owners_and_policy, require_distinct};

use super::StoreError;
use super::engagement::{load, load_head, needs_catalog, read_artifacts, read_snapshots};
use super::recovery;
use super::workspace::list_engagements;

/// An engagement loaded and evaluated for the queue.
pub struct QueueLoaded {
    pub root: PathBuf,
    pub engagement: Engagement,
    pub evaluation: Evaluation,
    pub recovery_files: Vec<String>,
    pub load_problems: Vec<Finding>,
}

impl QueueLoaded {
    pub fn input(&self) -> QueueInput<'_> {
        QueueInput {
            engagement: &self.engagement,
            evaluation: &self.evaluation,
            recovery_files: self.recovery_files.clone(),
            load_problems: self.load_problems.clone(),
        }
    }

    fn new(
        root: PathBuf,
        engagement: Engagement,
        evaluation: Evaluation,
        issues: &[StoreError],
    ) -> QueueLoaded {
        let (files, problems) = recovery::list(&root);
        let load_problems = issues
            .iter()
            .chain(problems.iter())
            .map(|e| {
                Finding::new(
                    Position::new(e.path.display().to_string(), e.line, e.column),
                    e.message.clone(),
                )
            })
            .collect();
        QueueLoaded {
            root,
            engagement,
            evaluation,
            recovery_files: files.into_iter().map(|f| f.name).collect(),
            load_problems,
        }
    }
}

/// The plain path: everything `load` reads, evaluated in full.
pub fn load_full(root: PathBuf) -> Result<QueueLoaded, StoreError> {
    let l = load(&root)?;
    let evaluation = evaluate(&l.engagement);
    Ok(QueueLoaded::new(root, l.engagement, evaluation, &l.issues))
}

/// The workspace's catalog, read the first time an engagement needs it.
#[derive(Default)]
pub struct SharedCatalog {
    catalog: OnceLock<Arc<Catalog>>,
}

impl SharedCatalog {
    fn get(&self, root: &Path) -> Arc<Catalog> {
        self.catalog
            .get_or_init(|| {
                let workspace = super::catalog::workspace_of(root);
                // As `load`: a closed engagement that cannot be read is left out of it.
                Arc::new(super::catalog::load_catalog(&workspace).0)
            })
            .clone()
    }
}

/// The gates of an engagement that `who` might decide, from its journal alone: the gate ahead,
/// and every gate with an approval in force (it may have gone stale). Empty when the engagement
/// is closed or `who` is its owner under `distinct_approver`.
fn candidate_gates(e: &Engagement, who: &str) -> (Vec<GateId>, crate::domain::phase::Replay) {
    let replay = replay_with(&e.journal.events, &e.meta.roles);
    let (owners, policy) = owners_and_policy(e, &replay);
    if replay.phase == Phase::Closed || require_distinct(&owners, policy, who, "decide").is_err() {
        return (Vec::new(), replay);
    }
    let gates = [GateId::One, GateId::Two]
        .into_iter()
        .filter(|g| is_ahead(replay.phase, *g) || replay.gate(*g).approval.is_some())
        .collect();
    (gates, replay)
}

fn is_ahead(phase: Phase, gate: GateId) -> bool {
    match gate {
        GateId::One => phase == Phase::Requirements,
        GateId::Two => phase == Phase::Design,
    }
}

/// The queue's path for one engagement: `None` when it holds no gate `who` may decide (decided
/// from as little as possible), otherwise what [`load_full`] would give for the queue.
pub fn load_for(
    root: PathBuf,
    who: &str,
    catalog: &SharedCatalog,
) -> Result<Option<QueueLoaded>, StoreError> {
    let mut engagement = load_head(&root)?;
    let (gates, replay) = candidate_gates(&engagement, who);
    if gates.is_empty() {
        return Ok(None);
    }
    let mut issues = Vec::new();
    engagement.texts = read_artifacts(&root, &mut issues);
    // No gate ahead: only a stale approval can wait, and its evidence says whether one is.
    if issues.is_empty() && !gates.iter().any(|g| is_ahead(replay.phase, *g)) {
        let mut hashes = BTreeMap::new();
        for artifact in gates.iter().flat_map(|g| gate_evidence(*g)) {
            if let Some(text) = engagement.texts.get(artifact)
                && !hashes.contains_key(artifact)
            {
                hashes.insert(*artifact, ArtifactHashes::of(*artifact, text));
            }
        }
        if gates
            .iter()
            .all(|g| gate_status(*g, &replay, &hashes).state == GateState::Approved)
        {
            return Ok(None);
        }
    }
    read_snapshots(&root, &mut engagement, &mut issues);
    if needs_catalog(&engagement) {
        engagement.catalog = catalog.get(&root);
    }
    let evaluation = evaluate_gates(&engagement);
    Ok(Some(QueueLoaded::new(
        root, engagement, evaluation, &issues,
    )))
}

/// Loads every engagement of the workspace for the queue of `who` (only those that may hold a
/// gate for them); the ones that cannot be read come back apart. Engagements are independent,
/// so they load on every core.
pub fn load_workspace(
    workspace: &Path,
    who: &str,
) -> Result<(Vec<QueueLoaded>, Vec<StoreError>), StoreError> {
    let catalog = SharedCatalog::default();
    let results = in_parallel(workspace, |root| load_for(root, who, &catalog).transpose())?;
    Ok(split(results))
}

/// [`load_workspace`] along the plain path: every engagement loaded and evaluated in full.
pub fn load_workspace_full(
    workspace: &Path,
) -> Result<(Vec<QueueLoaded>, Vec<StoreError>), StoreError> {
    let results = in_parallel(workspace, |root| Some(load_full(root)))?;
    Ok(split(results))
}

fn split(results: Vec<Result<QueueLoaded, StoreError>>) -> (Vec<QueueLoaded>, Vec<StoreError>) {
    let mut loaded = Vec::new();
    let mut unreadable = Vec::new();
    for r in results {
        match r {
            Ok(l) => loaded.push(l),
            Err(e) => unreadable.push(e),
        }
    }
    (loaded, unreadable)
}

fn in_parallel<F>(
    workspace: &Path,
    one: F,
) -> Result<Vec<Result<QueueLoaded, StoreError>>, StoreError>
where
    F: Fn(PathBuf) -> Option<Result<QueueLoaded, StoreError>> + Sync,
{
    let roots = list_engagements(workspace)?;
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 8);
    let chunk = roots.len().div_ceil(threads).max(1);
    let one = &one;
    Ok(std::thread::scope(|scope| {
        let handles: Vec<_> = roots
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().cloned().filter_map(one).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![Err(StoreError::new(
                        workspace,
                        "loading an engagement failed unexpectedly (a bug: please report it)",
                    ))]
                })
            })
            .collect()
    }))
}
