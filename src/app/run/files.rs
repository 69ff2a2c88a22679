//! Files and reads: reloads, guarded saves, recovery files, the reviewer's draft.

use crate::app::action::{Action, LiveAction, ReviewAction};
use crate::app::effect::{Cleanup, LiveEffect, ReviewEffect};
use crate::domain::digest::sha256_hex;
use crate::store::engagement;
use crate::store::instance;
use crate::store::recovery::{self, SaveRefused};
use crate::store::review;

/// "Restore approved" of each artifact, then the engagement as it is now (a failure stops at
/// the artifact it happened on; what was restored before it stays restored).
pub fn restore(
    root: &std::path::Path,
    gate: crate::domain::journal::GateId,
    artifacts: &[(crate::domain::artifact::Artifact, String)],
) -> Vec<Action> {
    let mut files = Vec::new();
    let mut out = Vec::new();
    for (artifact, sha256) in artifacts {
        match engagement::restore_approved(root, *artifact, sha256) {
            Ok(_) => files.push(artifact.file_name().to_string()),
            Err(e) => {
                out.push(Action::Failed(format!(
                    "restore approved: {} not restored: {e}",
                    artifact.file_name()
                )));
                break;
            }
        }
    }
    if !files.is_empty() {
        out.insert(0, Action::Restored { gate, files });
    }
    match engagement::load(root) {
        Ok(l) => out.push(Action::EngagementLoaded(Box::new(l))),
        Err(e) => out.push(Action::Failed(e.to_string())),
    }
    out
}

fn act(action: LiveAction) -> Action {
    Action::Live(action)
}

fn clean_up(cleanup: &Cleanup) -> Vec<Action> {
    let mut out = Vec::new();
    for (path, sha) in cleanup {
        if let Err(e) = recovery::remove(path, sha.as_deref()) {
            out.push(act(LiveAction::Failed(format!(
                "could not remove a recovery file: {e}"
            ))));
        }
    }
    out
}

/// Performs one live effect against the store.
pub fn live(effect: &LiveEffect) -> Vec<Action> {
    match effect {
        LiveEffect::Reload { root } => match engagement::load(root) {
            Ok(loaded) => vec![act(LiveAction::Reloaded(Box::new(loaded)))],
            Err(e) => vec![act(LiveAction::ReloadFailed(e.to_string()))],
        },
        LiveEffect::ScanRecovery { root, open_view } => {
            let (files, problems) = recovery::list(root);
            vec![act(LiveAction::RecoveryFound {
                files,
                problems: problems.iter().map(ToString::to_string).collect(),
                open_view: *open_view,
            })]
        }
        LiveEffect::ScanPresence { root } => vec![act(LiveAction::PresenceFound {
            root: root.clone(),
            others: instance::others_present(root),
            agents: crate::store::agents::live_sessions(root),
        })],
        LiveEffect::Autosave {
            root,
            artifact,
            text,
            previous,
        } => {
            let prev = previous.as_ref().map(|(p, s)| (p.as_path(), s.as_str()));
            let path = recovery::autosave_target(root, *artifact, prev);
            match recovery::write(&path, text) {
                Ok(()) => vec![act(LiveAction::AutosaveWritten {
                    artifact: *artifact,
                    path,
                    sha256: sha256_hex(text.as_bytes()),
                })],
                Err(e) => vec![act(LiveAction::Failed(format!(
                    "recovery file not written: {e}"
                )))],
            }
        }
        LiveEffect::Save {
            root,
            artifact,
            text,
            expected,
            keep_disk,
            cleanup,
        } => match recovery::save_if_unchanged(
            root,
            *artifact,
            text,
            expected.as_deref(),
            *keep_disk,
        ) {
            Ok(kept) => {
                let mut out = vec![act(LiveAction::Saved {
                    artifact: *artifact,
                    text: text.clone(),
                    kept,
                })];
                out.extend(clean_up(cleanup));
                out
            }
            Err(SaveRefused::ChangedOnDisk { disk }) => {
                vec![act(LiveAction::SaveRefused {
                    artifact: *artifact,
                    disk,
                })]
            }
            Err(SaveRefused::Store(e)) => vec![Action::Failed(format!("save failed: {e}"))],
        },
        LiveEffect::TakeDisk {
            root,
            artifact,
            mine,
            cleanup,
        } => {
            match recovery::set_aside(root, *artifact, mine) {
                Ok(path) => {
                    let mut out = vec![act(LiveAction::TookDisk {
                        artifact: *artifact,
                        set_aside: path,
                    })];
                    out.extend(clean_up(cleanup));
                    out
                }
                // The buffer stays as it is: nothing is lost.
                Err(e) => vec![act(LiveAction::Failed(format!(
                    "your text could not be set aside, so the disk version was not taken: {e}"
                )))],
            }
        }
        LiveEffect::Forget { cleanup, .. } => clean_up(cleanup),
        LiveEffect::Discard { path, quiet, .. } => match recovery::discard(path) {
            Ok(_) => vec![act(LiveAction::Discarded {
                path: path.clone(),
                quiet: *quiet,
            })],
            Err(e) => vec![act(LiveAction::Failed(format!("could not discard: {e}")))],
        },
    }
}

/// Performs one draft effect against the store.
pub fn review(effect: &ReviewEffect) -> Vec<Action> {
    match effect {
        ReviewEffect::Load { root, identity } => vec![Action::Review(ReviewAction::Loaded {
            root: root.clone(),
            draft: review::load(root, identity).map_err(|e| e.to_string()),
        })],
        ReviewEffect::Save { root, draft } => match review::save(root, draft) {
            Ok(()) => Vec::new(),
            Err(e) => vec![Action::Failed(format!("review draft not kept: {e}"))],
        },
        ReviewEffect::Remove { root, identity } => match review::remove(root, identity) {
            Ok(()) => Vec::new(),
            Err(e) => vec![Action::Failed(format!("review draft not removed: {e}"))],
        },
    }
}
