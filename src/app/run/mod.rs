//! IO, and only IO: performs the effects `update` asks for against the store and reports each
//! outcome as actions. `app::driver` calls [`run_effect`]; nothing here decides what the app
//! does next. Journal writes are in [`journal`], files and reads in [`files`].

pub mod files;
pub mod journal;
pub mod worker;

use std::path::Path;

use super::action::Action;
use super::effect::Effect;
use super::{GitLine, WaitingRow, WorkspaceRow};
use crate::config::signing::SigningSetup;
use crate::domain::evaluate::evaluate;
use crate::domain::journal::{GateId, Stamp};
use crate::domain::time::Timestamp;
use crate::store::engagement;
use crate::store::sign::Signing;
use crate::store::workspace;

/// Who acts and when: injected so tests get a fixed clock and identity.
pub struct EffectContext {
    pub actor: String,
    pub os_user: String,
    pub clock: Box<dyn Fn() -> Timestamp + Send>,
    /// How decisions find their signing key (`None`: they are never signed).
    pub signing: Option<SigningSetup>,
}

impl EffectContext {
    pub fn system(actor: String, signing: Option<SigningSetup>) -> EffectContext {
        EffectContext {
            actor,
            os_user: crate::config::os_user(),
            clock: Box::new(engagement::now),
            signing,
        }
    }

    /// Whether running `effect` may prompt on the terminal: an event the engagement asks to be
    /// signed (a decision, or any event under `signatures = "all"`), with a key file (not an
    /// agent) whose passphrase ssh-keygen may ask for.
    pub fn may_prompt(&self, effect: &Effect) -> bool {
        use super::effect::BuildEffect;
        use super::effect::LifecycleEffect;
        use crate::domain::meta::SignaturePolicy;
        let (root, decision) = match effect {
            Effect::ApproveGate { root, .. } | Effect::RejectGate { root, .. } => {
                (root.as_path(), true)
            }
            Effect::Build(b) => (b.root(), matches!(b, BuildEffect::Close { .. })),
            Effect::Lifecycle(LifecycleEffect::ReopenGate { root, .. }) => (root.as_path(), true),
            Effect::Lifecycle(LifecycleEffect::CompleteFeasibility { root, .. }) => {
                (root.as_path(), false)
            }
            _ => return false,
        };
        let Some(setup) = &self.signing else {
            return false;
        };
        let signed = crate::store::sign::peek_policy(root).is_some_and(|p| match p.signatures {
            SignaturePolicy::Off => false,
            SignaturePolicy::Decisions => decision,
            SignaturePolicy::All => true,
        });
        signed
            && crate::config::signing::configured_key_path(&setup.config)
                .is_ok_and(|p| p.extension().is_none_or(|e| e != "pub"))
    }

    /// `[policy] signatures` of an engagement created here: signed decisions from the start
    /// when this user has said which key signs (as `phasegate new`).
    pub fn new_signature_policy(&self) -> crate::domain::meta::SignaturePolicy {
        use crate::domain::meta::SignaturePolicy;
        match &self.signing {
            Some(setup) if setup.config.signing_key.is_some() => SignaturePolicy::Decisions,
            _ => SignaturePolicy::Off,
        }
    }

    /// The stamp and signer of a decision on the engagement at `root` (as the CLI's).
    pub fn acting(&self, root: &Path) -> (Stamp, Signing) {
        let mut stamp = self.stamp();
        let signing = match &self.signing {
            Some(setup) => setup.acting(root, &mut stamp),
            None => Err("this session was started without a signing set-up".into()),
        };
        (stamp, signing)
    }

    pub fn stamp(&self) -> Stamp {
        Stamp {
            at: (self.clock)(),
            actor: self.actor.clone(),
            os_user: self.os_user.clone(),
        }
    }
}

/// The workspace rows: every engagement with its phase and gates, or why it did not load.
pub fn workspace_rows(ws: &Path) -> (Vec<WorkspaceRow>, Option<String>) {
    match workspace::list_engagements(ws) {
        Ok(dirs) => (dirs.into_iter().map(workspace_row).collect(), None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    }
}

/// The rows the list lacks and the slugs it shows that are gone: the directory is listed, and
/// only engagements not in `known`, or in `reread`, are read (what the workspace watch reports
/// is a hint; the listing is the truth).
pub fn sync_rows(
    ws: &Path,
    known: &[String],
    reread: &[String],
) -> Result<(Vec<WorkspaceRow>, Vec<String>), String> {
    let dirs = workspace::list_engagements(ws).map_err(|e| e.to_string())?;
    let slug = |root: &Path| {
        root.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let on_disk: Vec<String> = dirs.iter().map(|d| slug(d)).collect();
    let removed = known
        .iter()
        .filter(|k| !on_disk.contains(k))
        .cloned()
        .collect();
    let added = dirs
        .into_iter()
        .filter(|d| !known.contains(&slug(d)) || reread.contains(&slug(d)))
        .map(workspace_row)
        .collect();
    Ok((added, removed))
}

/// One engagement as the list shows it, or why it did not load.
fn workspace_row(root: std::path::PathBuf) -> WorkspaceRow {
    let slug = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match engagement::load(&root) {
        Ok(loaded) => {
            let ev = evaluate(&loaded.engagement);
            let quorum = [GateId::One, GateId::Two].map(|g| {
                let q = crate::domain::evaluate::gate_quorum(&loaded.engagement, &ev, g);
                (q.asked && q.tally.have > 0 && !q.tally.met())
                    .then_some((q.tally.have, q.tally.needed))
            });
            WorkspaceRow {
                slug,
                title: loaded.engagement.meta.title.clone(),
                owner: loaded.engagement.meta.owner.clone(),
                phase: Some(ev.phase),
                gates: [Some(ev.gates[0].state), Some(ev.gates[1].state)],
                quorum,
                last_change: ev.replay.last_event_at.map(|t| t.to_string()),
                problem: loaded.issues.first().map(ToString::to_string),
                sample: crate::store::seed::is_sample(&root),
                root,
            }
        }
        Err(e) => WorkspaceRow {
            slug,
            title: String::new(),
            owner: String::new(),
            phase: None,
            gates: [None, None],
            quorum: [None, None],
            last_change: None,
            problem: Some(e.to_string()),
            sample: false,
            root,
        },
    }
}

/// The gates of the workspace `who` may decide at `now`, oldest first: what `phasegate queue`
/// lists, read along the queue's own path (`store::queue::load_workspace`). Engagements that
/// cannot be read are the rows' business (they show their problem there).
pub fn waiting_rows(ws: &Path, who: &str, now: Timestamp) -> (Vec<WaitingRow>, Option<String>) {
    let (loaded, _unreadable) = match crate::store::queue::load_workspace(ws, who) {
        Ok(x) => x,
        Err(e) => return (Vec::new(), Some(e.to_string())),
    };
    let inputs: Vec<_> = loaded
        .iter()
        .map(crate::store::queue::QueueLoaded::input)
        .collect();
    let rows = crate::domain::queue::queue(&inputs, who, now)
        .into_iter()
        .filter_map(|entry| {
            let root = loaded
                .iter()
                .find(|l| l.engagement.slug == entry.engagement)?
                .root
                .clone();
            Some(WaitingRow { root, entry })
        })
        .collect();
    (rows, None)
}

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
            let workspace = if workspace::is_engagement(near) {
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
