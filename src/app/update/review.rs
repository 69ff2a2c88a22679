//! The reviewer's draft: the gate review in progress kept on disk per reviewer
//! (`store::review`), so ticks, waivers and the note survive a quit or a crash.
//!
//! - **Restore.** When an engagement opens, [`follow`] asks for the reviewer's draft once
//!   ([`ReviewEffect::Load`]); [`update`] puts it back into the review unless it no longer
//!   applies (the gate was decided since, or an artifact it was made against changed), in which
//!   case it is discarded with a toast saying why.
//! - **Keep.** After every update, [`follow`] compares the review with what is on disk and writes
//!   or removes the draft; a decision, or a change of the reviewed text, clears the review (and
//!   so the draft), saying so.

use crate::app::action::ReviewAction;
use crate::app::effect::{Effect, ReviewEffect};
use crate::app::model::review::ReviewBasis;
use crate::app::{EngagementState, State};
use crate::domain::journal::{EventBody, GateId};
use crate::store::review::{ReviewDraft, ReviewedFile};

/// The basis a review of `gate` has now.
pub fn basis_now(e: &EngagementState, gate: GateId) -> ReviewBasis {
    let decided_through = e
        .engagement
        .journal
        .events
        .iter()
        .filter(|ev| match &ev.body {
            EventBody::GateApproved(g) | EventBody::GateRejected(g) => g.gate == gate,
            EventBody::GateReopened { gate: g, .. } => *g == gate,
            _ => false,
        })
        .map(|ev| ev.seq)
        .max()
        .unwrap_or(0);
    let evidence = crate::domain::evaluate::gate_evidence(gate);
    let reviewed = e
        .disk
        .artifact_records()
        .into_iter()
        .filter(|r| evidence.iter().any(|a| a.file_name() == r.file))
        .map(|r| ReviewedFile {
            file: r.file,
            sha256: r.sha256,
        })
        .collect();
    ReviewBasis {
        decided_through,
        reviewed,
    }
}

/// Why a review made against `then` no longer applies now (`None` when it still does).
fn outdated(gate: GateId, then: &ReviewBasis, now: &ReviewBasis) -> Option<String> {
    let n = gate.number();
    if then.decided_through != now.decided_through {
        return Some(format!(
            "review draft of Gate {n} discarded: the gate was decided (event {})",
            now.decided_through
        ));
    }
    let changed: Vec<&str> = now
        .reviewed
        .iter()
        .filter(|f| !then.reviewed.contains(f))
        .map(|f| f.file.as_str())
        .chain(
            then.reviewed
                .iter()
                .filter(|f| !now.reviewed.iter().any(|g| g.file == f.file))
                .map(|f| f.file.as_str()),
        )
        .collect();
    (then != now).then(|| {
        format!(
            "review draft of Gate {n} discarded: {} changed since your review",
            if changed.is_empty() {
                "the reviewed text".to_string()
            } else {
                changed.join(", ")
            }
        )
    })
}

fn draft_of(e: &EngagementState, identity: &str) -> Option<ReviewDraft> {
    let r = &e.review;
    if r.is_empty() {
        return None;
    }
    let basis = r.basis.clone().unwrap_or_else(|| basis_now(e, r.gate));
    Some(ReviewDraft {
        identity: identity.to_string(),
        gate: r.gate.number(),
        decided_through: basis.decided_through,
        note: r.note.clone(),
        checks: r.checks.iter().cloned().collect(),
        waivers: r.waivers.clone(),
        reviewed: basis.reviewed,
    })
}

/// Tells `text` without hiding a toast already shown (a decision's outcome, say). It leads: the
/// reviewer's ticks coming back or going matters more than the reload notice it may join, and
/// the toast is cut at the screen's width.
fn tell(state: &mut State, text: String) {
    state.info_beside(text, true);
}

/// Applies a draft effect's result.
pub fn update(state: &mut State, action: ReviewAction) -> Vec<Effect> {
    match action {
        ReviewAction::Loaded { root, draft } => {
            let Some(e) = state.engagement.as_mut().filter(|e| e.root == root) else {
                return Vec::new();
            };
            e.draft.read = true;
            let draft = match draft {
                Ok(Some(d)) => d,
                Ok(None) => return Vec::new(),
                Err(m) => {
                    state.error(m);
                    return Vec::new();
                }
            };
            e.draft.on_disk = Some(draft.clone());
            let Some(gate) = GateId::from_number(i64::from(draft.gate)) else {
                tell(state, "review draft discarded: it names no gate".into());
                return Vec::new();
            };
            let then = ReviewBasis {
                decided_through: draft.decided_through,
                reviewed: draft.reviewed.clone(),
            };
            let now = basis_now(e, gate);
            if let Some(why) = outdated(gate, &then, &now) {
                tell(state, why);
                return Vec::new();
            }
            if gate != e.review.gate {
                let n = gate.number();
                tell(
                    state,
                    format!("review draft discarded: Gate {n} is no longer under review"),
                );
                return Vec::new();
            }
            e.review.checks = draft.checks.iter().cloned().collect();
            e.review.waivers = draft.waivers.clone();
            e.review.note = draft.note.clone();
            e.review.basis = Some(then);
            let (checks, waivers) = (e.review.checks.len(), e.review.waivers.len());
            tell(
                state,
                format!(
                    "review draft of Gate {} restored: {checks} ticked, {waivers} waived",
                    gate.number()
                ),
            );
            Vec::new()
        }
    }
}

/// Keeps the draft on disk in step with the review (called after every update).
pub fn follow(state: &mut State) -> Vec<Effect> {
    let identity = state.identity.clone();
    let Some(e) = state.engagement.as_mut() else {
        return Vec::new();
    };
    let root = e.root.clone();
    if !e.draft.read {
        if e.draft.requested {
            return Vec::new();
        }
        e.draft.requested = true;
        return vec![Effect::Review(ReviewEffect::Load { root, identity })];
    }
    let mut message = None;
    if e.review.is_empty() {
        e.review.basis = None;
    } else {
        let now = basis_now(e, e.review.gate);
        match &e.review.basis {
            None => e.review.basis = Some(now),
            Some(then) => {
                if let Some(why) = outdated(e.review.gate, then, &now) {
                    // A decision made here already says so in its own toast.
                    let decided = then.decided_through != now.decided_through;
                    if !(decided && state.toast.is_some()) {
                        message = Some(why);
                    }
                    e.review.clear();
                }
            }
        }
    }
    let want = draft_of(e, &identity);
    let mut effects = Vec::new();
    if want != e.draft.on_disk {
        e.draft.on_disk = want.clone();
        effects.push(Effect::Review(match want {
            Some(draft) => ReviewEffect::Save { root, draft },
            None => ReviewEffect::Remove { root, identity },
        }));
    }
    if let Some(m) = message {
        tell(state, m);
    }
    effects
}
