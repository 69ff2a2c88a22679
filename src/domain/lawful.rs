//! Every recorded history must be lawful, not only unbroken. The chain shows that bytes changed
//! only to someone who kept the old head; a whole-chain rewrite with recomputed hashes passes
//! it. So `check` replays each event, in order, through the same `rules` functions that
//! admitted it — with the owner and policy in force at that event, the criteria results it
//! recorded, the build state the journal had reached and the approved design then in force —
//! and names the first event those rules refuse.

use std::collections::BTreeMap;

use super::allowed_signers::fold;
use super::artifact::{Artifact, ArtifactHashes};
use super::criteria;
use super::design::{self, Component};
use super::engagement::Engagement;
use super::evaluate::{Evaluation, GateStatus, gate_status, unmet_close_conditions};
use super::ids::ItemId;
use super::journal::{ArtifactRecord, ComponentStatus, Event, EventBody, GateId, JOURNAL_FILE};
use super::markdown;
use super::phase::Replay;
use super::position::{Finding, Position};
use super::quorum;
use super::rules::{
    self, Refusal, component_step, criteria_admit_approval, owners_and_policy,
    require_all_validated, require_distinct, require_gates_hold_in, require_not_recorded,
    require_policy_change_allowed,
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
        r.step(event, &e.meta.roles);
    }
    if let Err(refusal) = rules::require_policy_recorded(e, &ev.replay) {
        out.push(Finding::new(
            Position::file(super::meta::ENGAGEMENT_FILE),
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
    if let Some((gates, action, artifacts)) = gates_that_must_hold(&event.body) {
        let hashes: BTreeMap<Artifact, ArtifactHashes> = artifacts
            .iter()
            .filter_map(|a| {
                Artifact::from_file_name(&a.file).map(|x| {
                    (
                        x,
                        ArtifactHashes {
                            sha256: a.sha256.clone(),
                            governed_sha256: a.governed_sha256.clone(),
                        },
                    )
                })
            })
            .collect();
        let states: Vec<GateStatus> = gates.iter().map(|g| gate_status(*g, r, &hashes)).collect();
        require_gates_hold_in(&states, gates, action)?;
    }
    match &event.body {
        EventBody::Created { .. }
        | EventBody::GateRejected(_)
        | EventBody::GateReopened { .. }
        | EventBody::FeasibilityCompleted { .. } => Ok(()),
        // A request decides nothing and nothing depends on it.
        EventBody::ReviewRequested { .. } => Ok(()),
        EventBody::PolicyChanged { policy, .. } => require_policy_change_allowed(r, *policy),
        EventBody::GateApproved(g) => {
            let (owners, policy) = owners_and_policy(e, r);
            if g.policy != policy {
                let differs: Vec<String> = rules::policy_changes(policy, g.policy)
                    .into_iter()
                    .map(|(name, in_force, recorded)| {
                        format!("{name} = {recorded} while {in_force} was in force")
                    })
                    .collect();
                return Err(Refusal::rule(format!(
                    "it records {} (event {})",
                    differs.join(", "),
                    r.policy_seq
                )));
            }
            // A quorum counts distinct approvers: one person approving the same text twice
            // adds nothing (a partial approval itself is lawful).
            if let Some(earlier) = r.gate(g.gate).pending.iter().find(|p| {
                quorum::same_text(g.gate, &p.artifacts, &g.artifacts)
                    && fold(&p.actor) == fold(&event.actor)
            }) {
                return Err(Refusal::rule(format!(
                    "{} already approved Gate {} on this text (event {})",
                    event.actor,
                    g.gate.number(),
                    earlier.seq
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

/// The gates a transition needs to hold (DESIGN §3: a stale gate blocks every forward
/// transition after it), judged on the hashes the event recorded.
fn gates_that_must_hold(
    body: &EventBody,
) -> Option<(&'static [GateId], &'static str, &[ArtifactRecord])> {
    const ONE: &[GateId] = &[GateId::One];
    const BOTH: &[GateId] = &[GateId::One, GateId::Two];
    match body {
        EventBody::FeasibilityCompleted { artifacts, .. } => {
            Some((ONE, "complete feasibility", artifacts))
        }
        EventBody::GateApproved(g) if g.gate == GateId::Two => {
            Some((ONE, "decide Gate 2", &g.artifacts))
        }
        EventBody::ComponentStatus { artifacts, .. } => {
            Some((BOTH, "change a component's status", artifacts))
        }
        EventBody::BuildCompleted { artifacts, .. } => {
            Some((BOTH, "complete the build", artifacts))
        }
        EventBody::Closed { artifacts, .. } => Some((BOTH, "close the engagement", artifacts)),
        _ => None,
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
                position: Position::approved_design(c.line, c.column),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::evaluate::evaluate;
    use crate::domain::journal::{
        self, CriterionRecord, CriterionResult, GateRecord, Stamp, parse_journal,
    };
    use crate::domain::meta::{EngagementMeta, Policy};
    use crate::domain::time::Timestamp;

    fn stamp(actor: &str) -> Stamp {
        Stamp {
            at: Timestamp::from_unix(0),
            actor: actor.into(),
            os_user: format!("{actor}@h"),
        }
    }

    fn engagement(journal: &str, owner: &str) -> Engagement {
        Engagement::new(
            "e",
            EngagementMeta::new("t", owner, Timestamp::from_unix(0)),
            parse_journal(journal).expect("journal"),
        )
    }

    fn gate1(result: CriterionResult) -> EventBody {
        EventBody::GateApproved(GateRecord {
            gate: GateId::One,
            reason: None,
            note: String::new(),
            policy: Policy::default(),
            artifacts: vec![],
            criteria: criteria::definitions(GateId::One, &[])
                .into_iter()
                .map(|d| CriterionRecord {
                    id: d.id,
                    result,
                    reason: None,
                })
                .collect(),
        })
    }

    fn journal_with(approver: &str, approval: EventBody) -> String {
        let created = EventBody::Created {
            owner: Some("alice".into()),
            policy: Policy::default(),
            templates: vec![],
            baseline: None,
        };
        let j = journal::new_journal(&stamp("alice"), &created);
        journal::append(&j, &stamp(approver), &approval)
            .expect("append")
            .0
    }

    #[test]
    fn a_lawful_approval_passes_and_each_broken_rule_names_the_event() {
        let lawful = engagement(&journal_with("bob", gate1(CriterionResult::Pass)), "alice");
        assert_eq!(unlawful(&lawful, &evaluate(&lawful)), vec![]);

        let by_owner = engagement(
            &journal_with("alice", gate1(CriterionResult::Pass)),
            "alice",
        );
        let found = unlawful(&by_owner, &evaluate(&by_owner));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .message
                .starts_with("event 2 (gate_approved) by alice")
        );
        assert!(found[0].message.contains("alice owns this engagement"));

        let failed = engagement(&journal_with("bob", gate1(CriterionResult::Fail)), "alice");
        let found = unlawful(&failed, &evaluate(&failed));
        assert!(found[0].message.contains("G1-1 is fail"), "{found:?}");
    }

    /// Quorum (DESIGN §7): each approval short of the quorum is lawful; the same approver twice
    /// on the same text adds nothing and is refused; a quorum recorded other than the policy in
    /// force is named.
    #[test]
    fn partial_quorum_approvals_are_lawful_and_one_approver_counts_once() {
        use crate::domain::quorum::Approvals;
        let two = Policy {
            approvals: Approvals { gate1: 2, gate2: 1 },
            ..Policy::default()
        };
        let approval = |policy: Policy| match gate1(CriterionResult::Pass) {
            EventBody::GateApproved(g) => EventBody::GateApproved(GateRecord { policy, ..g }),
            other => other,
        };
        let created = EventBody::Created {
            owner: Some("alice".into()),
            policy: two,
            templates: vec![],
            baseline: None,
        };
        let with = |approvers: &[&str], policy: Policy| {
            let mut j = journal::new_journal(&stamp("alice"), &created);
            for who in approvers {
                j = journal::append(&j, &stamp(who), &approval(policy))
                    .expect("append")
                    .0;
            }
            let mut e = engagement(&j, "alice");
            e.meta.policy = two;
            e
        };
        for approvers in [&["bob"][..], &["bob", "carol"]] {
            let e = with(approvers, two);
            assert_eq!(unlawful(&e, &evaluate(&e)), vec![], "{approvers:?}");
        }
        let e = with(&["bob", "Bob "], two);
        let found = unlawful(&e, &evaluate(&e));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .message
                .contains("Bob  already approved Gate 1 on this text (event 2)"),
            "{found:?}"
        );
        let e = with(&["bob"], Policy::default());
        let found = unlawful(&e, &evaluate(&e));
        assert!(
            found[0]
                .message
                .contains("approvals.gate1 = 1 while 2 was in force"),
            "{found:?}"
        );
    }

    #[test]
    fn an_unrecorded_owner_in_engagement_toml_is_reported() {
        let e = engagement(
            &journal_with("bob", gate1(CriterionResult::Pass)),
            "mallory",
        );
        let found = unlawful(&e, &evaluate(&e));
        // bob's approval stays lawful: the recorded owner is alice.
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.contains("owner alice → mallory"),
            "{found:?}"
        );
    }
}
