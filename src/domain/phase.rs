//! Phases and the replay of the journal into governance state (DESIGN §3 Phases).
//! State is derived, never stored: this is a pure function of the events.

use std::collections::BTreeMap;

use super::gate::GateId;
use super::ids::ItemId;
use super::journal::{ArtifactRecord, BuildRecord, ComponentStatus, Event, EventBody};
use super::meta::Policy;
use super::position::{Finding, Position};
use super::quorum::{self, Roles};

// Paths the rest of the crate names these by; both live below the replay.
pub use super::gate::Phase;
pub use super::quorum::Approval;
use super::records::{DeviationTarget, Impact};
use super::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastDecision {
    Approved,
    Rejected,
    Reopened,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateHistory {
    /// The approval in force; `None` once voided by a reopen.
    pub approval: Option<Approval>,
    pub last: Option<(u64, LastDecision)>,
    pub first_approved_at: Option<Timestamp>,
    pub rejections: u32,
    pub reopens: u32,
    /// Sequence numbers of every approval, voided or not.
    pub approval_seqs: Vec<u64>,
    /// Approvals on the latest reviewed text, counting toward the quorum (DESIGN §7); cleared
    /// by a rejection or reopen, and by an approval of another text.
    pub pending: Vec<Approval>,
    /// A review asked for since the gate's last decision (`review_requested`), still open.
    pub review_requested: Option<ReviewRequest>,
}

/// An open request for a gate's review: who asked, when, and on which texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    pub seq: u64,
    pub at: Timestamp,
    pub actor: String,
    pub note: String,
    pub artifacts: Vec<ArtifactRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedItem {
    pub seq: u64,
    pub at: Timestamp,
    pub text_sha256: String,
    pub target: Option<DeviationTarget>,
    pub impact: Option<Impact>,
    pub deviation: Option<ItemId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedRecord {
    pub seq: u64,
    pub at: Timestamp,
    pub accepted: Vec<ItemId>,
    pub items: BTreeMap<ItemId, String>,
    /// The artifacts and `build/` files as closed (`build` is `None` in older journals).
    pub artifacts: Vec<ArtifactRecord>,
    pub build: Option<Vec<BuildRecord>>,
}

/// Everything the journal says, replayed in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    pub phase: Phase,
    pub created_at: Option<Timestamp>,
    pub created_policy: Option<Policy>,
    /// The owner and policy in force: set by `created` and each `policy_changed`, with the seq
    /// of the event that recorded them. The owner is `None` in a journal written before
    /// phasegate recorded it (until a `policy_changed`).
    pub owner: Option<String>,
    pub policy: Option<Policy>,
    pub policy_seq: u64,
    /// Every owner recorded so far, in order of first appearance.
    pub owners: Vec<String>,
    pub templates: Vec<ArtifactRecord>,
    pub gate1: GateHistory,
    pub gate2: GateHistory,
    pub feasibility_completed: Option<(u64, Vec<ArtifactRecord>)>,
    pub components: BTreeMap<ItemId, ComponentStatus>,
    pub build_completed: Option<u64>,
    pub closed: Option<ClosedRecord>,
    pub deviations: BTreeMap<ItemId, RecordedItem>,
    pub amendments: BTreeMap<ItemId, RecordedItem>,
    /// Events that stand where the rules would not have allowed them (hand-made journals).
    pub anomalies: Vec<Finding>,
    pub last_event_at: Option<Timestamp>,
}

impl Replay {
    pub fn gate(&self, gate: GateId) -> &GateHistory {
        match gate {
            GateId::One => &self.gate1,
            GateId::Two => &self.gate2,
        }
    }

    fn gate_mut(&mut self, gate: GateId) -> &mut GateHistory {
        match gate {
            GateId::One => &mut self.gate1,
            GateId::Two => &mut self.gate2,
        }
    }

    pub fn component_status(&self, id: ItemId) -> ComponentStatus {
        self.components
            .get(&id)
            .copied()
            .unwrap_or(ComponentStatus::Pending)
    }
}

/// Replays events in order. Never fails and never panics: an event out of place is applied as
/// far as it makes sense and reported in `anomalies`.
pub fn replay(events: &[Event]) -> Replay {
    replay_with(events, &Roles::default())
}

/// [`replay`] with the engagement's roles, for gates whose quorum requires some.
pub fn replay_with(events: &[Event], roles: &Roles) -> Replay {
    let mut r = Replay::start();
    for event in events {
        r.step(event, roles);
    }
    r
}

impl Replay {
    /// The state before the first event.
    pub fn start() -> Replay {
        Replay {
            phase: Phase::Requirements,
            created_at: None,
            created_policy: None,
            owner: None,
            policy: None,
            policy_seq: 0,
            owners: Vec::new(),
            templates: Vec::new(),
            gate1: GateHistory::default(),
            gate2: GateHistory::default(),
            feasibility_completed: None,
            components: BTreeMap::new(),
            build_completed: None,
            closed: None,
            deviations: BTreeMap::new(),
            amendments: BTreeMap::new(),
            anomalies: Vec::new(),
            last_event_at: None,
        }
    }

    /// Applies one more event (the journal's next); `roles` decide which quorums are met.
    pub fn step(&mut self, event: &Event, roles: &Roles) {
        apply(self, event, roles);
        self.last_event_at = Some(event.at);
    }
}

fn anomaly(r: &mut Replay, e: &Event, why: &str) {
    r.anomalies.push(Finding::new(
        Position::new(super::journal::JOURNAL_FILE, e.line, 1),
        format!(
            "event {} ({}) {why} (phase was {})",
            e.seq,
            e.body.kind(),
            r.phase.as_str()
        ),
    ));
}

fn apply(r: &mut Replay, e: &Event, roles: &Roles) {
    if r.phase == Phase::Closed && !matches!(e.body, EventBody::Created { .. }) {
        anomaly(r, e, "follows the close");
    }
    match &e.body {
        EventBody::Created {
            owner,
            policy,
            templates,
            ..
        } => {
            if e.seq != 1 {
                anomaly(r, e, "is not the first event");
                return;
            }
            r.created_at = Some(e.at);
            r.created_policy = Some(*policy);
            r.owner = owner.clone();
            r.owners.extend(owner.iter().cloned());
            r.policy = Some(*policy);
            r.policy_seq = e.seq;
            r.templates = templates.clone();
        }
        EventBody::PolicyChanged { owner, policy, .. } => {
            if !r.owners.contains(owner) {
                r.owners.push(owner.clone());
            }
            r.owner = Some(owner.clone());
            r.policy = Some(*policy);
            r.policy_seq = e.seq;
        }
        EventBody::GateApproved(g) => {
            let ahead = match g.gate {
                GateId::One => Phase::Requirements,
                GateId::Two => Phase::Design,
            };
            let history = r.gate(g.gate);
            let reapproval = history.approval.is_some();
            if r.phase != ahead && !reapproval {
                anomaly(r, e, "approves a gate that was not ahead");
            }
            let history = r.gate_mut(g.gate);
            let approval = Approval {
                seq: e.seq,
                at: e.at,
                actor: e.actor.clone(),
                policy: g.policy,
                artifacts: g.artifacts.clone(),
            };
            history
                .pending
                .retain(|p| quorum::same_text(g.gate, &p.artifacts, &approval.artifacts));
            history.pending.push(approval.clone());
            history.approval_seqs.push(e.seq);
            let needed = g.policy.approvals.of(g.gate);
            if !quorum::tally(roles, g.gate, needed, &history.pending).met() {
                // A partial approval: the gate waits for the rest of its quorum.
                return;
            }
            history.approval = Some(approval);
            history.last = Some((e.seq, LastDecision::Approved));
            history.review_requested = None;
            history.first_approved_at.get_or_insert(e.at);
            if r.phase == ahead {
                r.phase = match g.gate {
                    GateId::One => Phase::Feasibility,
                    GateId::Two => Phase::Build,
                };
            }
        }
        EventBody::GateRejected(g) => {
            let history = r.gate_mut(g.gate);
            history.pending.clear();
            history.last = Some((e.seq, LastDecision::Rejected));
            history.review_requested = None;
            history.rejections += 1;
        }
        EventBody::GateReopened { gate, .. } => {
            if r.gate(*gate).approval.is_none() {
                anomaly(r, e, "reopens a gate that was not approved");
            }
            let history = r.gate_mut(*gate);
            history.approval = None;
            history.pending.clear();
            history.last = Some((e.seq, LastDecision::Reopened));
            history.review_requested = None;
            history.reopens += 1;
            r.components.clear();
            r.build_completed = None;
            match gate {
                GateId::One => {
                    r.phase = Phase::Requirements;
                    r.feasibility_completed = None;
                    r.gate2.pending.clear();
                    if r.gate2.approval.take().is_some() {
                        r.gate2.last = Some((e.seq, LastDecision::Reopened));
                    }
                    r.gate2.review_requested = None;
                }
                GateId::Two => r.phase = Phase::Design,
            }
        }
        EventBody::FeasibilityCompleted { artifacts, .. } => {
            if r.phase != Phase::Feasibility {
                anomaly(r, e, "completes feasibility outside the Feasibility phase");
            } else {
                r.phase = Phase::Design;
            }
            r.feasibility_completed = Some((e.seq, artifacts.clone()));
        }
        EventBody::ComponentStatus {
            component, status, ..
        } => {
            if !matches!(r.phase, Phase::Build | Phase::AsBuilt) {
                anomaly(r, e, "changes a component outside Build and As-Built");
            }
            r.components.insert(*component, *status);
        }
        EventBody::BuildCompleted { .. } => {
            if r.phase != Phase::Build {
                anomaly(r, e, "completes the build outside the Build phase");
            } else {
                r.phase = Phase::AsBuilt;
            }
            r.build_completed = Some(e.seq);
        }
        EventBody::DeviationRecorded {
            id,
            target,
            impact,
            text_sha256,
        } => {
            r.deviations.insert(
                *id,
                RecordedItem {
                    seq: e.seq,
                    at: e.at,
                    text_sha256: text_sha256.clone(),
                    target: Some(*target),
                    impact: Some(*impact),
                    deviation: None,
                },
            );
        }
        EventBody::AmendmentRecorded {
            id,
            deviation,
            text_sha256,
        } => {
            r.amendments.insert(
                *id,
                RecordedItem {
                    seq: e.seq,
                    at: e.at,
                    text_sha256: text_sha256.clone(),
                    target: None,
                    impact: None,
                    deviation: Some(*deviation),
                },
            );
        }
        EventBody::ReviewRequested {
            gate,
            note,
            artifacts,
        } => {
            r.gate_mut(*gate).review_requested = Some(ReviewRequest {
                seq: e.seq,
                at: e.at,
                actor: e.actor.clone(),
                note: note.clone(),
                artifacts: artifacts.clone(),
            });
        }
        EventBody::Closed {
            accepted,
            items,
            artifacts,
            build,
            ..
        } => {
            if r.phase != Phase::AsBuilt {
                anomaly(r, e, "closes outside the As-Built phase");
            }
            r.phase = Phase::Closed;
            r.closed = Some(ClosedRecord {
                seq: e.seq,
                at: e.at,
                accepted: accepted.clone(),
                items: items.iter().map(|i| (i.id, i.sha256.clone())).collect(),
                artifacts: artifacts.clone(),
                build: build.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::journal::{CriterionRecord, GateRecord};

    fn ev(seq: u64, body: EventBody) -> Event {
        Event {
            seq,
            at: Timestamp::from_unix(seq as i64 * 3600),
            actor: "bob".into(),
            os_user: "bob@h".into(),
            body,
            clock_override: false,
            seal: None,
            prev: String::new(),
            hash: String::new(),
            line: seq as usize,
        }
    }

    fn gate(gate: GateId, approve: bool) -> EventBody {
        let record = GateRecord {
            gate,
            reason: (!approve).then(|| "no".into()),
            note: String::new(),
            policy: Policy::default(),
            artifacts: vec![],
            criteria: Vec::<CriterionRecord>::new(),
        };
        if approve {
            EventBody::GateApproved(record)
        } else {
            EventBody::GateRejected(record)
        }
    }

    fn policy_body() -> (Policy, Vec<ArtifactRecord>) {
        (Policy::default(), vec![])
    }

    #[test]
    fn phases_advance_and_reopen_voids() {
        let (policy, artifacts) = policy_body();
        let mut events = vec![
            ev(
                1,
                EventBody::Created {
                    owner: None,
                    policy,
                    templates: vec![],
                    baseline: None,
                },
            ),
            ev(2, gate(GateId::One, false)),
            ev(3, gate(GateId::One, true)),
            ev(
                4,
                EventBody::FeasibilityCompleted {
                    policy,
                    artifacts: artifacts.clone(),
                },
            ),
            ev(5, gate(GateId::Two, true)),
            ev(
                6,
                EventBody::ComponentStatus {
                    component: "COMP-1".parse().unwrap(),
                    status: ComponentStatus::Built,
                    policy,
                    artifacts: artifacts.clone(),
                },
            ),
        ];
        let r = replay(&events);
        assert_eq!(r.phase, Phase::Build);
        assert_eq!(r.gate1.rejections, 1);
        assert_eq!(
            r.component_status("COMP-1".parse().unwrap()),
            ComponentStatus::Built
        );
        assert!(r.anomalies.is_empty(), "{:?}", r.anomalies);

        events.push(ev(
            7,
            EventBody::GateReopened {
                gate: GateId::One,
                reason: "scope".into(),
                policy,
                artifacts,
            },
        ));
        let r = replay(&events);
        assert_eq!(r.phase, Phase::Requirements);
        assert!(r.gate1.approval.is_none() && r.gate2.approval.is_none());
        assert!(r.feasibility_completed.is_none());
        assert!(r.components.is_empty());
        assert_eq!(r.gate1.reopens, 1);
    }

    #[test]
    fn out_of_place_events_are_anomalies() {
        let (policy, _) = policy_body();
        let r = replay(&[
            ev(
                1,
                EventBody::Created {
                    owner: None,
                    policy,
                    templates: vec![],
                    baseline: None,
                },
            ),
            ev(2, gate(GateId::Two, true)),
        ]);
        assert_eq!(r.phase, Phase::Requirements);
        assert_eq!(r.anomalies.len(), 1);
    }
}
