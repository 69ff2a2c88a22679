//! Effects: the IO `update` asks for. They run here, in one place, so tests can run `update`
//! with a sandboxed runner instead.

use std::path::{Path, PathBuf};

use super::WorkspaceRow;
use super::action::Action;
use crate::domain::artifact::Artifact;
use crate::domain::evaluate::evaluate;
use crate::domain::journal::{ArtifactRecord, GateId, Stamp};
use crate::domain::rules::{GateReview, approve_gate, reject_gate};
use crate::domain::time::Timestamp;
use crate::store::engagement::{self, TxError};
use crate::store::sign::{Signing, SigningSetup};
use crate::store::workspace;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    LoadWorkspace {
        workspace: PathBuf,
    },
    /// Read every engagement of the workspace for the metrics view.
    LoadMetrics {
        workspace: PathBuf,
    },
    /// Load (or reload) an engagement.
    Load {
        root: PathBuf,
    },
    /// Save an artifact atomically under the lock.
    Save {
        root: PathBuf,
        artifact: Artifact,
        text: String,
    },
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
    /// A Build/As-Built transition through `transact` (`app::build`).
    Build(super::build::BuildEffect),
    /// Reload, guarded save, recovery files (`app::live`).
    Live(super::live::LiveEffect),
    /// Complete feasibility, reopen a gate, create an engagement (`app::lifecycle`).
    Lifecycle(super::lifecycle::LifecycleEffect),

    /// Read the reuse catalog of the workspace `near` sits in (an engagement) or is (the
    /// workspace, when no engagement is open). Reads only.
    LoadCatalog {
        near: PathBuf,
    },
    /// The reviewer's draft (`app::review`).
    Review(super::review::ReviewEffect),
}

impl Effect {
    /// The files and directories the effect reads or writes (for sandbox checks).
    pub fn paths(&self) -> Vec<PathBuf> {
        match self {
            Effect::LoadWorkspace { workspace } | Effect::LoadMetrics { workspace } => {
                vec![workspace.clone()]
            }
            Effect::Load { root } => vec![root.clone()],
            Effect::Save { root, artifact, .. } => vec![root.join(artifact.file_name())],
            Effect::ApproveGate { root, .. } | Effect::RejectGate { root, .. } => {
                vec![root.clone()]
            }
            Effect::SpawnEditor { path, .. } => vec![path.clone()],
            Effect::Quit | Effect::Suspend => Vec::new(),
            Effect::Build(b) => b.paths(),
            Effect::Live(l) => l.paths(),
            Effect::Lifecycle(l) => l.paths(),

            Effect::LoadCatalog { near } => vec![near.clone()],
            Effect::Review(r) => r.paths(),
        }
    }
}

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
        use super::build::BuildEffect;
        use super::lifecycle::LifecycleEffect;
        use crate::domain::engagement::SignaturePolicy;
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
            && crate::store::sign::configured_key_path(&setup.config)
                .is_ok_and(|p| p.extension().is_none_or(|e| e != "pub"))
    }

    /// `[policy] signatures` of an engagement created here: signed decisions from the start
    /// when this user has said which key signs (as `phasegate new`).
    pub fn new_signature_policy(&self) -> crate::domain::engagement::SignaturePolicy {
        use crate::domain::engagement::SignaturePolicy;
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

pub(crate) fn tx_message(root: &Path, err: TxError) -> String {
    match err {
        TxError::Store(e) => format!("error: {e}"),
        TxError::Refused(r) => {
            let mut out = format!("refused: {}", r.rule);
            for f in &r.findings {
                out.push_str(&format!(" — {}", crate::domain::position::locate(root, f)));
            }
            out
        }
    }
}

/// The workspace rows: every engagement with its phase and gates, or why it did not load.
pub fn workspace_rows(ws: &Path) -> (Vec<WorkspaceRow>, Option<String>) {
    let dirs = match workspace::list_engagements(ws) {
        Ok(d) => d,
        Err(e) => return (Vec::new(), Some(e.to_string())),
    };
    let rows = dirs
        .into_iter()
        .map(|root| {
            let slug = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match engagement::load(&root) {
                Ok(loaded) => {
                    let ev = evaluate(&loaded.engagement);
                    let quorum = [GateId::One, GateId::Two].map(|g| {
                        let q = crate::domain::quorum::gate_quorum(&loaded.engagement, &ev, g);
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
        })
        .collect();
    (rows, None)
}

/// A failure followed by a reload, so the screen shows what is on disk now.
pub(crate) fn reload_after(root: &Path, failure: Action) -> Vec<Action> {
    let mut out = vec![failure];
    if let Ok(loaded) = engagement::load(root) {
        out.push(Action::EngagementLoaded(Box::new(loaded)));
    }
    out
}

/// Performs one effect against the store; returns the actions that report its outcome.
/// `SpawnEditor`, `Quit` and `Suspend` belong to the event loop and return nothing here.
pub fn run_effect(effect: &Effect, ctx: &EffectContext) -> Vec<Action> {
    match effect {
        Effect::LoadWorkspace { workspace } => {
            let (rows, error) = workspace_rows(workspace);
            vec![Action::WorkspaceLoaded { rows, error }]
        }
        Effect::LoadMetrics { workspace } => vec![Action::MetricsLoaded(Box::new(
            crate::store::metrics::workspace_metrics(workspace),
        ))],
        Effect::Load { root } => match engagement::load(root) {
            Ok(loaded) => vec![Action::EngagementLoaded(Box::new(loaded))],
            Err(e) => vec![Action::LoadFailed(e.to_string())],
        },
        Effect::Save {
            root,
            artifact,
            text,
        } => match engagement::save_artifact(root, *artifact, text) {
            Ok(()) => vec![Action::Saved {
                artifact: *artifact,
                text: text.clone(),
            }],
            Err(e) => vec![Action::Failed(format!("save failed: {e}"))],
        },
        Effect::ApproveGate {
            root,
            gate,
            review,
            reviewed,
        } => {
            let (stamp, signing) = ctx.acting(root);
            let approver = stamp.actor.clone();
            let n = gate.number();
            match engagement::transact_signed(root, &stamp, Some(reviewed), &signing, |e, ev| {
                if let Ok(signer) = &signing {
                    signer.require_not_owner(e, &format!("approve Gate {n}"))?;
                }
                // The gate's own rules first ("already approved" says more than the quorum).
                let event = approve_gate(e, ev, *gate, review, &approver)?;
                crate::domain::quorum::require_new_approver(e, ev, *gate, &approver)
                    .map_err(crate::domain::rules::Refusal::rule)?;
                Ok(event.into())
            }) {
                Ok(done) => {
                    let mut extra = match (&done.deferred, done.created_as_built) {
                        (Some(e), _) => format!(
                            "; as-built.md not created yet ({e}): the next write creates it"
                        ),
                        (None, true) => "; as-built.md created from the approved design".into(),
                        (None, false) => String::new(),
                    };
                    if let Some(fp) = &done.signer {
                        extra.push_str(&format!("; signed with {fp}"));
                    }
                    vec![
                        Action::Committed(format!(
                            "Gate {n} approved by {approver} (event {}){extra}",
                            done.seq
                        )),
                        Action::EngagementLoaded(Box::new(match engagement::load(root) {
                            Ok(l) => l,
                            Err(e) => return vec![Action::Failed(e.to_string())],
                        })),
                    ]
                }
                Err(e) => reload_after(root, Action::Failed(tx_message(root, e))),
            }
        }
        Effect::RejectGate {
            root,
            gate,
            review,
            reason,
            reviewed,
        } => {
            let (stamp, signing) = ctx.acting(root);
            let n = gate.number();
            match engagement::transact_signed(root, &stamp, Some(reviewed), &signing, |e, ev| {
                reject_gate(e, ev, *gate, review, reason).map(Into::into)
            }) {
                Ok(done) => {
                    let mut out = vec![Action::Committed(format!(
                        "Gate {n} rejected (event {})",
                        done.seq
                    ))];
                    match engagement::load(root) {
                        Ok(l) => out.push(Action::EngagementLoaded(Box::new(l))),
                        Err(e) => out.push(Action::Failed(e.to_string())),
                    }
                    out
                }
                Err(e) => reload_after(root, Action::Failed(tx_message(root, e))),
            }
        }
        Effect::Build(b) => super::build::run_effect(b, ctx),
        Effect::Live(l) => super::live::run(l),
        Effect::Lifecycle(l) => super::lifecycle::run_effect(l, ctx),

        Effect::LoadCatalog { near } => {
            let workspace = if workspace::is_engagement(near) {
                crate::store::catalog::workspace_of(near)
            } else {
                near.clone()
            };
            let (catalog, _unreadable) = crate::store::catalog::load_catalog(&workspace);
            vec![Action::CatalogLoaded(std::sync::Arc::new(catalog))]
        }
        Effect::Review(r) => super::review::run(r),
        Effect::SpawnEditor { .. } | Effect::Quit | Effect::Suspend => Vec::new(),
    }
}
