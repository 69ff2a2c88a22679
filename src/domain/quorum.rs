//! Quorum and roles (DESIGN §7): `[policy] approvals = { gate1 = N, gate2 = M }` distinct
//! approvers, `[roles]` mapping a role to principals and `[policy] required_roles` asking for one
//! approver of each role. Each approval is its own event on the same text; the gate is approved
//! when the quorum is met, and a text change voids the approvals made before it.

use super::allowed_signers::fold;
use super::artifact::gate_evidence;
use super::gate::GateId;
use super::journal::ArtifactRecord;
use super::meta::Policy;
use super::time::Timestamp;

// The settings live in the leaf `gate` (the policy parses them); this is their old path.
pub use super::gate::{Approvals, Roles};

/// The approval currently in force for a gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub seq: u64,
    pub at: Timestamp,
    pub actor: String,
    pub policy: Policy,
    pub artifacts: Vec<ArtifactRecord>,
}

impl Approval {
    pub fn artifact(&self, file: &str) -> Option<&ArtifactRecord> {
        self.artifacts.iter().find(|a| a.file == file)
    }
}

/// Where a gate's approvals stand against its quorum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub needed: usize,
    /// Distinct approvers on the current text.
    pub have: usize,
    pub missing_roles: Vec<String>,
}

impl Tally {
    pub fn met(&self) -> bool {
        self.have >= self.needed && self.missing_roles.is_empty()
    }
}

/// Distinct approvers (first approval of each) among `approvals`.
pub fn distinct(approvals: &[Approval]) -> Vec<&Approval> {
    let mut out: Vec<&Approval> = Vec::new();
    for a in approvals {
        if !out.iter().any(|o| fold(&o.actor) == fold(&a.actor)) {
            out.push(a);
        }
    }
    out
}

pub fn tally(roles: &Roles, gate: GateId, needed: u8, approvals: &[Approval]) -> Tally {
    let approvers = distinct(approvals);
    let missing_roles = roles
        .required(gate)
        .iter()
        .filter(|role| {
            !approvers
                .iter()
                .any(|a| roles.of(&a.actor).contains(&role.as_str()))
        })
        .cloned()
        .collect();
    Tally {
        needed: usize::from(needed.max(1)),
        have: approvers.len(),
        missing_roles,
    }
}

/// Whether two records hold the same governed text of the gate's evidence.
pub fn same_text(gate: GateId, a: &[ArtifactRecord], b: &[ArtifactRecord]) -> bool {
    gate_evidence(gate).iter().all(|artifact| {
        let of = |records: &[ArtifactRecord]| {
            records
                .iter()
                .find(|r| r.file == artifact.file_name())
                .map(|r| r.governed_sha256.clone())
        };
        of(a) == of(b)
    })
}

/// The approvals that still count: those made on the text as it is now.
pub fn on_current_text(
    gate: GateId,
    approvals: &[Approval],
    current: &[ArtifactRecord],
) -> Vec<Approval> {
    approvals
        .iter()
        .filter(|a| same_text(gate, &a.artifacts, current))
        .cloned()
        .collect()
}

/// `approved 1/2: bob (network); waiting for: security`.
pub fn describe(roles: &Roles, tally: &Tally, approvals: &[Approval]) -> String {
    let names: Vec<String> = distinct(approvals)
        .iter()
        .map(|a| {
            let held = roles.of(&a.actor);
            if held.is_empty() {
                a.actor.clone()
            } else {
                format!("{} ({})", a.actor, held.join(", "))
            }
        })
        .collect();
    let mut out = format!("approved {}/{}", tally.have, tally.needed);
    if !names.is_empty() {
        out.push_str(&format!(": {}", names.join(", ")));
    }
    let mut waiting: Vec<String> = tally.missing_roles.clone();
    if waiting.is_empty() && tally.have < tally.needed {
        waiting.push(format!("{} more approver(s)", tally.needed - tally.have));
    }
    if !waiting.is_empty() {
        out.push_str(&format!("; waiting for: {}", waiting.join(", ")));
    }
    out
}

/// A gate's approvals on the current text and where they stand against its quorum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateQuorum {
    pub approvals: Vec<Approval>,
    pub tally: Tally,
    /// Whether the engagement asks for more than one plain approval (worth showing).
    pub asked: bool,
}

impl GateQuorum {
    pub fn describe(&self, roles: &Roles) -> String {
        describe(roles, &self.tally, &self.approvals)
    }
}

impl GateQuorum {
    /// Whether an approval by `who` would still count toward the quorum: `who` has not approved
    /// this text, and holds a role still missing or finds a seat open to anyone (more approvers
    /// needed than missing roles left to fill).
    pub fn needs(&self, roles: &Roles, who: &str) -> bool {
        if self.approvals.iter().any(|a| fold(&a.actor) == fold(who)) {
            return false;
        }
        let held = roles.of(who);
        let fills_role = self
            .tally
            .missing_roles
            .iter()
            .any(|r| held.contains(&r.as_str()));
        let open_seats = self.tally.needed.saturating_sub(self.tally.have);
        fills_role || open_seats > self.tally.missing_roles.len()
    }
}

/// One principal approves a text once: the quorum counts people, not events.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::meta::Policy;
    use crate::domain::time::Timestamp;

    fn approval(actor: &str, governed: &str) -> Approval {
        Approval {
            seq: 1,
            at: Timestamp::from_unix(0),
            actor: actor.into(),
            policy: Policy::default(),
            artifacts: vec![ArtifactRecord {
                file: "solution-design.md".into(),
                sha256: governed.into(),
                governed_sha256: governed.into(),
            }],
        }
    }

    fn roles() -> Roles {
        Roles {
            members: [
                ("network".to_string(), vec!["bob".to_string()]),
                ("security".to_string(), vec!["carol".into(), "dan".into()]),
            ]
            .into_iter()
            .collect(),
            required_gate1: vec![],
            required_gate2: vec!["network".into(), "security".into()],
        }
    }

    #[test]
    fn quorum_counts_distinct_approvers_and_required_roles() {
        let r = roles();
        let one = [approval("bob", "a"), approval("Bob ", "a")];
        let t = tally(&r, GateId::Two, 2, &one);
        assert_eq!((t.have, t.met()), (1, false));
        assert_eq!(t.missing_roles, ["security"]);
        assert_eq!(
            describe(&r, &t, &one),
            "approved 1/2: bob (network); waiting for: security"
        );
        let two = [approval("bob", "a"), approval("carol", "a")];
        assert!(tally(&r, GateId::Two, 2, &two).met());
        let wrong_roles = [approval("bob", "a"), approval("erin", "a")];
        assert!(!tally(&r, GateId::Two, 2, &wrong_roles).met());
    }

    #[test]
    fn a_partial_quorum_needs_only_new_approvers_who_help() {
        let r = roles();
        let quorum = |needed: u8, approvals: Vec<Approval>| GateQuorum {
            tally: tally(&r, GateId::Two, needed, &approvals),
            asked: true,
            approvals,
        };
        // bob (network) approved; 2 needed: the last seat is security's.
        let q = quorum(2, vec![approval("bob", "a")]);
        assert!(!q.needs(&r, "Bob"), "bob already approved this text");
        assert!(
            q.needs(&r, "carol") && q.needs(&r, "dan"),
            "security is missing"
        );
        assert!(!q.needs(&r, "erin"), "no role and no open seat");
        // 3 needed: one seat is open to anyone besides security's.
        let q = quorum(3, vec![approval("bob", "a")]);
        assert!(q.needs(&r, "erin") && q.needs(&r, "carol"));
        // Nothing asked (one approver, no roles): anyone who has not approved.
        let plain = Roles::default();
        let q = GateQuorum {
            tally: tally(&plain, GateId::One, 1, &[]),
            asked: false,
            approvals: vec![],
        };
        assert!(q.needs(&plain, "erin"));
    }

    #[test]
    fn a_text_change_voids_earlier_approvals() {
        let all = [approval("bob", "a"), approval("carol", "b")];
        let now = [ArtifactRecord {
            file: "solution-design.md".into(),
            sha256: "x".into(),
            governed_sha256: "b".into(),
        }];
        let kept = on_current_text(GateId::Two, &all, &now);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].actor, "carol");
    }
}
