//! Every recorded history must be lawful, not only unbroken. The chain shows that bytes changed
//! only to someone who kept the old head; a whole-chain rewrite with recomputed hashes passes
//! it. So `check` replays each event, in order, through the same `rules` functions that
//! admitted it — with the owner and policy in force at that event, the criteria results it
//! recorded, the build state the journal had reached and the approved design then in force —
//! and names the first event those rules refuse.

use std::collections::BTreeMap;

use super::artifact::Artifact;
use super::criteria;
use super::design::{self, Component};
use super::evaluate::{Engagement, Evaluation, unmet_close_conditions};
use super::ids::ItemId;
use super::journal::{ComponentStatus, Event, EventBody, JOURNAL_FILE};
use super::markdown;
use super::phase::Replay;
use super::position::{Finding, Position};
use super::rules::{
    self, Refusal, component_step, criteria_admit_approval, owners_and_policy,
    require_all_validated, require_distinct, require_not_recorded, require_policy_change_allowed,
};

/// The first event the rules would have refused, and an owner or policy change in
/// `engagement.toml` that the journal does not record.
pub fn unlawful(e: &Engagement, ev: &Evaluation) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut r = Replay::start();
    let mut designs = DesignCache::default();
    for event in &e.journal.events {
        if let Err(refusal) = admit(e, ev, &r, &mut designs, event) {
            out.push(refused(event, &refusal));
            break;
        }
        r.step(event);
    }
    if let Err(refusal) = rules::require_policy_recorded(e, &ev.replay) {
        out.push(Finding::new(
            Position::file(super::engagement::ENGAGEMENT_FILE),
            refusal.rule,
        ));
    }
    out
}

fn refused(event: &Event, refusal: &Refusal) -> Finding {
    let mut why = refusal.rule.clone();
    for f in &refusal.findings {
        why.push_str("; ");
        why.push_str(&f.message);
    }
    Finding::new(
        Position::new(JOURNAL_FILE, event.line, 1),
        format!(
            "event {} ({}) by {} breaks the rules that should have refused it: {why}",
            event.seq,
            event.body.kind(),
            event.actor
        ),
    )
}

/// Replays one event against the state `r` before it, through the rules that admit it.
fn admit(
    e: &Engagement,
    ev: &Evaluation,
    r: &Replay,
    designs: &mut DesignCache,
    event: &Event,
) -> Result<(), Refusal> {
    match &event.body {
        EventBody::Created { .. }
        | EventBody::GateRejected(_)
        | EventBody::GateReopened { .. }
        | EventBody::FeasibilityCompleted { .. } => Ok(()),
        EventBody::PolicyChanged { policy, .. } => require_policy_change_allowed(r, *policy),
        EventBody::GateApproved(g) => {
            let (owners, policy) = owners_and_policy(e, r);
            if g.policy != policy {
                return Err(Refusal::rule(format!(
                    "it records distinct_approver = {} while {} was in force (event {})",
                    g.policy.distinct_approver, policy.distinct_approver, r.policy_seq
                )));
            }
            require_distinct(
                &owners,
                policy,
                &event.actor,
                &format!("approve Gate {}", g.gate.number()),
            )?;
            criteria_admit_approval(g.gate, &g.criteria, &criteria::definitions(g.gate, &[]))
        }
        EventBody::ComponentStatus {
            component, status, ..
        } => {
            let contract = designs.contract(e, ev, r);
            let Some(row) = contract.iter().find(|c| c.id == *component) else {
                return Err(Refusal::rule(format!(
                    "{component} is not a component of the approved design or the as-built"
                )));
            };
            let waiting: Vec<ItemId> = row
                .depends_on
                .iter()
                .filter(|d| {
                    contract.iter().any(|c| c.id == **d && !c.removed)
                        && r.component_status(**d) == ComponentStatus::Pending
                })
                .copied()
                .collect();
            component_step(
                *component,
                *status,
                r.component_status(*component),
                &waiting,
                (&row.position, &row.position),
            )
        }
        EventBody::BuildCompleted { .. } => {
            let contract = designs.contract(e, ev, r);
            require_all_validated(
                contract
                    .iter()
                    .filter(|c| !c.removed)
                    .map(|c| (c.id, r.component_status(c.id), &c.position)),
            )
        }
        EventBody::Closed {
            reason, artifacts, ..
        } => {
            let (owners, policy) = owners_and_policy(e, r);
            require_distinct(&owners, policy, &event.actor, "close the engagement")?;
            let contract = designs.contract(e, ev, r);
            require_all_validated(
                contract
                    .iter()
                    .filter(|c| !c.removed)
                    .map(|c| (c.id, r.component_status(c.id), &c.position)),
            )?;
            // The texts are the ones the close judged only while none drifted since (a drift is
            // reported on its own); then the closing conditions are replayed on them.
            let unchanged = artifacts.iter().all(|a| {
                Artifact::from_file_name(&a.file)
                    .and_then(|x| ev.hashes.get(&x))
                    .is_some_and(|h| h.governed_sha256 == a.governed_sha256)
            });
            if unchanged
                && ev
                    .replay
                    .closed
                    .as_ref()
                    .is_some_and(|c| c.seq == event.seq)
            {
                let unmet = unmet_close_conditions(ev, reason.is_some());
                if !unmet.is_empty() {
                    return Err(Refusal::rule("the engagement could not be closed").with(unmet));
                }
            }
            Ok(())
        }
        EventBody::DeviationRecorded {
            id, text_sha256, ..
        }
        | EventBody::AmendmentRecorded {
            id, text_sha256, ..
        } => require_not_recorded(r, *id, text_sha256),
    }
}

/// A component of the contract in force at some event.
struct ContractRow {
    id: ItemId,
    depends_on: Vec<ItemId>,
    position: Position,
    removed: bool,
}

/// Approved designs parsed once per snapshot.
#[derive(Default)]
struct DesignCache {
    parsed: BTreeMap<String, Vec<Component>>,
}

impl DesignCache {
    /// The execution contract at the state `r`: the components of the design the Gate 2
    /// approval in force holds, plus those the as-built adds, marking those it removes. Without
    /// the snapshot (reported on its own) the current contract stands in.
    fn contract(&mut self, e: &Engagement, ev: &Evaluation, r: &Replay) -> Vec<ContractRow> {
        let snapshot = r
            .gate2
            .approval
            .as_ref()
            .and_then(|a| a.artifact(Artifact::Design.file_name()))
            .and_then(|d| e.snapshots.get(&d.sha256).map(|t| (d.sha256.clone(), t)));
        let removed = |id: ItemId| ev.component(id).is_some_and(|c| c.removed);
        let Some((sha, text)) = snapshot else {
            return ev
                .components
                .iter()
                .map(|c| ContractRow {
                    id: c.id,
                    depends_on: c.depends_on.clone(),
                    position: c.position.clone(),
                    removed: c.removed,
                })
                .collect();
        };
        let components = self
            .parsed
            .entry(sha)
            .or_insert_with(|| design::components(&markdown::parse(text), text));
        let mut rows: Vec<ContractRow> = components
            .iter()
            .map(|c| ContractRow {
                id: c.id,
                depends_on: c.dependencies().iter().map(|d| d.id).collect(),
                position: Position::new("objects (approved design)", c.line, c.column),
                removed: removed(c.id),
            })
            .collect();
        for c in ev.components.iter().filter(|c| c.added) {
            if !rows.iter().any(|r| r.id == c.id) {
                rows.push(ContractRow {
                    id: c.id,
                    depends_on: c.depends_on.clone(),
                    position: c.position.clone(),
                    removed: false,
                });
            }
        }
        rows
    }
}
