//! IO, and only IO: performs the effects `update` asks for against the store and reports each
//! outcome as actions. `app::driver` calls [`run_effect`]; nothing here decides what the app
//! does next. Journal writes are in [`journal`], files and reads in [`files`].

pub mod context;
pub mod files;
pub mod journal;
pub mod worker;
pub mod workspace;

pub use self::context::EffectContext;
pub use self::workspace::{sync_rows, waiting_rows, workspace_rows};

use std::path::Path;

use super::GitLine;
use super::action::Action;
use super::effect::Effect;
use crate::store::engagement;

/// What git says about the engagement at `root`, or `None` outside a git work tree.
pub fn git_line(root: &Path) -> Option<GitLine> {
    // Most workspaces are not in git: no process is started for them.
    if !root.ancestors().any(|d| d.join(".git").exists()) {
        return None;
    }
    let journal = engagement::load_head(root).ok()?.journal;
    crate::store::git::engagement_status(root, &journal).map(|s| GitLine::of(&s))
}

/// Performs one effect against the store; returns the actions that report its outcome.
/// `SpawnEditor`, `Quit` and `Suspend` belong to the event loop and return nothing here.
/// `tui.rs` calls it on its IO worker ([`worker`]), the driver in place (tests, benches).
pub fn run_effect(effect: Effect, ctx: &EffectContext) -> Vec<Action> {
    let effect = match effect {
        Effect::Evaluate(job) => return vec![Action::LiveEvaluated(Box::new(job.evaluate()))],
        other => other,
    };
    match &effect {
        Effect::LoadQueue { workspace } => {
            let (waiting, error) = waiting_rows(workspace, &ctx.actor, (ctx.clock)());
            vec![Action::QueueLoaded {
                workspace: workspace.clone(),
                waiting,
                error,
            }]
        }
        Effect::GitStatus { root } => vec![Action::GitRead {
            root: root.clone(),
            line: git_line(root),
        }],
        Effect::LoadWorkspace { workspace } => {
            let (rows, error) = workspace_rows(workspace);
            vec![Action::WorkspaceLoaded { rows, error }]
        }
        Effect::SyncWorkspace {
            workspace,
            known,
            reread,
        } => {
            let (added, removed, error) = match sync_rows(workspace, known, reread) {
                Ok((added, removed)) => (added, removed, None),
                Err(e) => (Vec::new(), Vec::new(), Some(e)),
            };
            vec![Action::WorkspaceSynced {
                workspace: workspace.clone(),
                added,
                removed,
                error,
            }]
        }
        Effect::LoadMetrics { workspace } => vec![Action::MetricsLoaded(Box::new(
            crate::store::metrics::workspace_metrics(workspace),
        ))],
        Effect::Load { root } => match engagement::load(root) {
            Ok(loaded) => vec![Action::EngagementLoaded(Box::new(loaded))],
            Err(e) => vec![Action::LoadFailed(e.to_string())],
        },
        Effect::ApproveGate {
            root,
            gate,
            review,
            reviewed,
        } => journal::approve(root, *gate, review, reviewed, ctx),
        Effect::RejectGate {
            root,
            gate,
            review,
            reason,
            reviewed,
        } => journal::reject(root, *gate, review, reason, reviewed, ctx),
        Effect::RestoreApproved {
            root,
            gate,
            artifacts,
        } => files::restore(root, *gate, artifacts),
        Effect::Build(b) => journal::build(b, ctx),
        Effect::Live(l) => files::live(l),
        Effect::Lifecycle(l) => journal::lifecycle(l, ctx),

        Effect::LoadCatalog { near } => {
            let workspace = if crate::store::workspace::is_engagement(near) {
                crate::store::catalog::workspace_of(near)
            } else {
                near.clone()
            };
            let (catalog, _unreadable) = crate::store::catalog::load_catalog(&workspace);
            vec![Action::CatalogLoaded(std::sync::Arc::new(catalog))]
        }
        Effect::Review(r) => files::review(r),
        Effect::SpawnEditor { .. } | Effect::Quit | Effect::Suspend | Effect::Evaluate(_) => {
            Vec::new()
        }
    }
}
