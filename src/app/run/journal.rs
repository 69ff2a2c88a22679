//! Journal writes: every decision and transition through `store::engagement::transact`, each
//! reported the same way by [`finish`] (the committed message, then the engagement as it is now;
//! a refusal, then a reload so the screen shows what is on disk).

use std::path::Path;

use super::context::EffectContext;
use crate::app::action::{Action, BuildAction, LifecycleAction};
use crate::app::effect::{BuildEffect, LifecycleEffect};
use crate::app::model::overlay::{NewEngagementForm, NewField};
use crate::domain::artifact::Artifact;
use crate::domain::journal::{ArtifactRecord, EventBody, GateId};
use crate::domain::records::Impact;
use crate::domain::rules::{self, GateReview, approve_gate, reject_gate};
use crate::store::engagement::{self as store, Change, Committed, TxError, transact_signed};
use crate::store::git::CommitOutcome;

pub fn tx_message(root: &Path, err: TxError) -> String {
    match err {
        TxError::Store(e) => format!("error: {e}"),
        TxError::Refused(r) => {
            let mut out = r.headline();
            for f in &r.findings {
                out.push_str(&format!(" — {}", crate::domain::position::locate(root, f)));
            }
            out
        }
    }
}

/// A failure followed by a reload, so the screen shows what is on disk now.
fn reload_after(root: &Path, failure: Action) -> Vec<Action> {
    let mut out = vec![failure];
    if let Ok(loaded) = store::load(root) {
        out.push(Action::EngagementLoaded(Box::new(loaded)));
    }
    out
}

/// Approves `gate` with the compare-and-swap on the hashes the reviewer saw.
pub fn approve(
    root: &Path,
    gate: GateId,
    review: &GateReview,
    reviewed: &[ArtifactRecord],
    ctx: &EffectContext,
) -> Vec<Action> {
    let (stamp, signing) = ctx.acting(root);
    let approver = stamp.actor.clone();
    let n = gate.number();
    finish(
        root,
        transact_signed(root, &stamp, Some(reviewed), &signing, |e, ev| {
            if let Ok(signer) = &signing {
                signer.require_not_owner(e, &format!("approve Gate {n}"))?;
            }
            // The gate's own rules first ("already approved" says more than the quorum).
            let event = approve_gate(e, ev, gate, review, &approver)?;
            crate::domain::evaluate::require_new_approver(e, ev, gate, &approver)
                .map_err(rules::Refusal::rule)?;
            Ok(event.into())
        }),
        |done| {
            let mut extra = match (&done.deferred, done.created_as_built) {
                (Some(e), _) => {
                    format!("; as-built.md not created yet ({e}): the next write creates it")
                }
                (None, true) => "; as-built.md created from the approved design".into(),
                (None, false) => String::new(),
            };
            if let Some(fp) = &done.signer {
                extra.push_str(&format!("; signed with {fp}"));
            }
            format!(
                "Gate {n} approved by {approver} (event {}){extra}",
                done.seq
            )
        },
        |_| None,
    )
}

/// Rejects `gate` with a reason, compare-and-swap on the hashes the reviewer saw.
pub fn reject(
    root: &Path,
    gate: GateId,
    review: &GateReview,
    reason: &str,
    reviewed: &[ArtifactRecord],
    ctx: &EffectContext,
) -> Vec<Action> {
    let (stamp, signing) = ctx.acting(root);
    let n = gate.number();
    finish(
        root,
        transact_signed(root, &stamp, Some(reviewed), &signing, |e, ev| {
            reject_gate(e, ev, gate, review, reason).map(Into::into)
        }),
        |done| format!("Gate {n} rejected (event {})", done.seq),
        |_| None,
    )
}

/// How every journal write is reported: what was committed and the engagement as it is now
/// (a reload that fails is told after the commit, which stands), or why it was refused and a
/// reload.
fn finish(
    root: &Path,
    result: Result<Committed, TxError>,
    message: impl FnOnce(&Committed) -> String,
    follow: impl FnOnce(&Committed) -> Option<BuildAction>,
) -> Vec<Action> {
    match result {
        Ok(done) => {
            // What became of the git commit config `[git] commit` asked for: said with the
            // event when it was made, and as a failure after it when it was not.
            let mut said = message(&done);
            let mut not_committed = None;
            match (&done.git, done.git.note()) {
                (CommitOutcome::Committed { .. }, Some(note)) => {
                    said.push_str(&format!("; {note}"))
                }
                (_, Some(note)) => not_committed = Some(format!("git: {note}")),
                (_, None) => {}
            }
            let mut out = vec![Action::Committed(said)];
            match store::load(root) {
                Ok(l) => out.push(Action::EngagementLoaded(Box::new(l))),
                Err(e) => out.push(Action::Failed(e.to_string())),
            }
            out.extend(not_committed.map(Action::Failed));
            out.extend(follow(&done).map(Action::Build));
            out
        }
        Err(e) => reload_after(root, Action::Failed(tx_message(root, e))),
    }
}

/// Runs one Build effect against the store.
pub fn build(effect: &BuildEffect, ctx: &EffectContext) -> Vec<Action> {
    // Signed like the CLI's when the engagement's policy asks (close and reopen are decisions).
    let (stamp, signing) = ctx.acting(effect.root());
    let none = |_: &Committed| None;
    match effect {
        BuildEffect::SetStatus {
            root,
            component,
            status,
        } => finish(
            root,
            transact_signed(root, &stamp, None, &signing, |e, ev| {
                rules::set_component_status(e, ev, *component, *status).map(Into::into)
            }),
            |c| format!("{component} marked {} (event {})", status.as_str(), c.seq),
            none,
        ),
        BuildEffect::CompleteBuild { root } => finish(
            root,
            transact_signed(root, &stamp, None, &signing, |e, ev| {
                rules::complete_build(e, ev).map(Into::into)
            }),
            |c| {
                format!(
                    "build completed: the engagement is in As-Built (event {})",
                    c.seq
                )
            },
            none,
        ),
        BuildEffect::RecordDeviation {
            root,
            target,
            impact,
            what,
            why,
        } => finish(
            root,
            transact_signed(root, &stamp, None, &signing, |e, ev| {
                let (text, event) = rules::add_deviation(e, ev, *target, *impact, what, why)?;
                Ok(Change {
                    writes: vec![(Artifact::AsBuilt, text)],
                    event,
                })
            }),
            |c| match &c.event {
                EventBody::DeviationRecorded { id, .. } => {
                    format!(
                        "{id} ({target}, {impact}) written to as-built.md and recorded (event {})",
                        c.seq
                    )
                }
                _ => format!("deviation recorded (event {})", c.seq),
            },
            |c| match &c.event {
                EventBody::DeviationRecorded {
                    id,
                    impact: Impact::DesignChange,
                    ..
                } => Some(BuildAction::DesignChangeRecorded {
                    deviation: *id,
                    what: what.trim().to_string(),
                }),
                _ => None,
            },
        ),
        BuildEffect::Amend {
            root,
            deviation,
            text,
        } => finish(
            root,
            transact_signed(root, &stamp, None, &signing, |e, ev| {
                let (spec, event) = rules::add_amendment(e, ev, *deviation, text)?;
                Ok(Change {
                    writes: vec![(Artifact::Spec, spec)],
                    event,
                })
            }),
            |c| match &c.event {
                EventBody::AmendmentRecorded { id, .. } => {
                    format!(
                        "{id} ({deviation}) appended to customer-spec.md and recorded (event {})",
                        c.seq
                    )
                }
                _ => format!("amendment recorded (event {})", c.seq),
            },
            none,
        ),
        BuildEffect::Close {
            root,
            reason,
            reviewed,
        } => {
            let closer = stamp.actor.clone();
            finish(
                root,
                transact_signed(root, &stamp, Some(reviewed), &signing, |e, ev| {
                    if let Ok(signer) = &signing {
                        signer.require_not_owner(e, "close the engagement")?;
                    }
                    rules::close(e, ev, &closer, reason.as_deref()).map(Into::into)
                }),
                |c| format!("engagement closed by {closer} (event {})", c.seq),
                none,
            )
        }
    }
}

/// Runs one lifecycle effect against the store.
pub fn lifecycle(effect: &LifecycleEffect, ctx: &EffectContext) -> Vec<Action> {
    match effect {
        LifecycleEffect::CompleteFeasibility { root, reviewed } => {
            // Signed like the CLI's when the engagement's policy asks (`signatures = "all"`).
            let (stamp, signing) = ctx.acting(root);
            finish(
                root,
                store::transact_signed(root, &stamp, Some(reviewed), &signing, |e, ev| {
                    rules::complete_feasibility(e, ev).map(Into::into)
                }),
                |c| {
                    format!(
                        "feasibility completed: the engagement is in Design (event {})",
                        c.seq
                    )
                },
                |_| None,
            )
        }
        LifecycleEffect::ReopenGate { root, gate, reason } => {
            // A reopen is a decision: signed like the CLI's under a signing policy.
            let (stamp, signing) = ctx.acting(root);
            let n = gate.number();
            let back = if *gate == GateId::One {
                "Requirements"
            } else {
                "Design"
            };
            finish(
                root,
                store::transact_signed(root, &stamp, None, &signing, |e, ev| {
                    rules::reopen_gate(e, ev, *gate, reason).map(Into::into)
                }),
                |c| {
                    format!(
                        "Gate {n} reopened: the engagement is back in {back}; later decisions are void (event {})",
                        c.seq
                    )
                },
                |_| None,
            )
        }
        LifecycleEffect::CreateEngagement {
            workspace,
            slug,
            title,
            owner,
        } => match store::create_with(
            workspace,
            slug,
            title,
            owner,
            None,
            &ctx.stamp(),
            ctx.new_signature_policy(),
        ) {
            Ok(root) => {
                let (rows, error) = super::workspace::workspace_rows(workspace);
                let mut out = vec![
                    Action::Committed(format!(
                        "created {slug} (owner {owner}; distinct_approver = true): write the requirements in customer-spec.md"
                    )),
                    Action::WorkspaceLoaded { rows, error },
                ];
                match store::load(&root) {
                    Ok(l) => out.push(Action::EngagementLoaded(Box::new(l))),
                    Err(e) => out.push(Action::Failed(e.to_string())),
                }
                out
            }
            Err(e) => vec![Action::Lifecycle(LifecycleAction::CreateFailed(
                NewEngagementForm {
                    slug: slug.clone(),
                    title: title.clone(),
                    owner: owner.clone(),
                    field: NewField::Slug,
                    error: Some(e.to_string()),
                },
            ))],
        },
    }
}
