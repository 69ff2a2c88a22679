//! Merging two clones' journals (DESIGN §7, the git merge driver): keep the common history,
//! append both sides' later events in `at` order (ties: ours first), re-chain them (`seq`,
//! `prev`, `hash`), and prove the result: the chain holds, every event's body is byte for byte
//! what its side wrote, every signature still verifies, and the merged order breaks no rule.
//! A merged order that breaks one is refused, naming the events on both sides; nothing is ever
//! dropped, rewritten or resolved by taking one side.

use std::collections::HashSet;
use std::fmt;

use ssh_key::SshSig;

use super::allowed_signers::AllowedSigners;
use super::engagement::Engagement;
use super::evaluate::{evaluate, gate_evidence};
use super::journal::{
    self, ArtifactRecord, Event, EventBody, GENESIS, GateId, JOURNAL_FILE, Journal, parse_journal,
};
use super::lawful::unlawful;
use super::position::Finding;
use super::signature::{self, Governance};

/// Which clone an event of the merged journal came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeSide {
    /// In both: the history the two clones share.
    Common,
    /// The checked-out branch (git's `%A`).
    Ours,
    /// The branch being merged in (git's `%B`).
    Theirs,
}

impl MergeSide {
    fn name(self) -> &'static str {
        match self {
            MergeSide::Common => "common",
            MergeSide::Ours => "ours",
            MergeSide::Theirs => "theirs",
        }
    }
}

/// Where a merged event came from: its side and its `seq` there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub side: MergeSide,
    pub seq: u64,
}

/// A merged journal, its text and where each of its events came from (`origins[i]` is event
/// `i + 1`).
#[derive(Debug, Clone)]
pub struct MergedJournal {
    pub text: String,
    pub journal: Journal,
    pub origins: Vec<Origin>,
}

/// Why two journals do not merge; `events` names each event concerned
/// (`theirs event 5 (gate_reopened by bob at …)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRefusal {
    pub reason: String,
    pub events: Vec<String>,
}

impl fmt::Display for MergeRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.reason)?;
        for e in &self.events {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

fn refuse(reason: impl Into<String>, events: Vec<String>) -> MergeRefusal {
    MergeRefusal {
        reason: reason.into(),
        events,
    }
}

/// What makes an event the same event in two clones: its bytes without the chain fields
/// (`seq`, `prev`, `hash`), signature included.
fn identity(block: &str) -> String {
    block
        .split_inclusive('\n')
        .filter(|l| {
            let t = l.trim_start();
            !["seq", "prev", "hash"].iter().any(|k| {
                t.strip_prefix(k)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
        })
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// `ours event 4 (feasibility_completed by alice at 2026-11-20T12:00:00Z)`.
fn describe(side: MergeSide, e: &Event) -> String {
    format!(
        "{} event {} ({} by {} at {}): {}",
        side.name(),
        e.seq,
        e.body.kind(),
        e.actor,
        e.at,
        e.body.summary()
    )
}

fn parse_side(side: &str, text: &str) -> Result<Journal, MergeRefusal> {
    let j = parse_journal(text).map_err(|f| {
        refuse(
            format!("the {side} journal cannot be read: {f}"),
            Vec::new(),
        )
    })?;
    if let Some(broken) = &j.broken {
        return Err(refuse(
            format!("the {side} journal's chain is broken: {broken}"),
            Vec::new(),
        ));
    }
    Ok(j)
}

/// Merges `ours` and `theirs`, two extensions of `base` (git's `%O`, `%A`, `%B`). An empty or
/// unreadable base (the file was added on both sides) is judged by the common prefix alone.
pub fn merge(base: &str, ours: &str, theirs: &str) -> Result<MergedJournal, MergeRefusal> {
    let o = parse_side("ours", ours)?;
    let t = parse_side("theirs", theirs)?;
    let common = o
        .events
        .iter()
        .zip(&t.events)
        .take_while(|(a, b)| a.hash == b.hash)
        .count();
    if common == 0 {
        return Err(refuse(
            "the two journals do not share their `created` event: they belong to different engagements",
            vec![
                describe(MergeSide::Ours, &o.events[0]),
                describe(MergeSide::Theirs, &t.events[0]),
            ],
        ));
    }
    let (preamble, ours_blocks) = journal::raw_blocks(ours);
    let (_, theirs_blocks) = journal::raw_blocks(theirs);
    let ours_ids: Vec<String> = ours_blocks.iter().map(|b| identity(b)).collect();
    let theirs_ids: Vec<String> = theirs_blocks.iter().map(|b| identity(b)).collect();
    // Sets, so a journal of thousands of events merges in linear time.
    let in_ours: HashSet<&str> = ours_ids.iter().map(String::as_str).collect();
    let in_theirs: HashSet<&str> = theirs_ids.iter().map(String::as_str).collect();
    // Neither side may have cut or rewritten the history both started from. Compared by
    // content, not hash: a side that already merged holds base events re-chained.
    if let Ok(b) = parse_journal(base) {
        let (_, base_blocks) = journal::raw_blocks(base);
        for (side, ids) in [(MergeSide::Ours, &in_ours), (MergeSide::Theirs, &in_theirs)] {
            if let Some((event, _)) = b
                .events
                .iter()
                .zip(&base_blocks)
                .find(|(_, block)| !ids.contains(identity(block).as_str()))
            {
                return Err(refuse(
                    format!(
                        "the {} journal no longer holds event {} of the common history: it was cut or rewritten",
                        side.name(),
                        event.seq
                    ),
                    vec![describe(MergeSide::Common, event)],
                ));
            }
        }
    }

    let mut text = String::with_capacity(ours.len() + theirs.len());
    text.push_str(preamble);
    let mut origins = Vec::new();
    let mut prev = GENESIS.to_string();
    let mut push = |text: &mut String, block: &str, origin: Origin, prev: &mut String| {
        let seq = origins.len() as u64 + 1;
        if seq > 1 {
            text.push('\n');
        }
        let (bytes, hash) = journal::rechained(block, seq, prev);
        text.push_str(&bytes);
        *prev = hash;
        origins.push(origin);
    };
    for (i, block) in ours_blocks.iter().enumerate().take(common) {
        push(
            &mut text,
            block,
            Origin {
                side: MergeSide::Common,
                seq: i as u64 + 1,
            },
            &mut prev,
        );
    }
    // An event of theirs that ours already holds (re-chained by an earlier merge: the same
    // bytes but for `seq`, `prev` and `hash`) is the same event, kept once where ours has it.
    let ours_added: HashSet<&str> = ours_ids[common..].iter().map(String::as_str).collect();
    let theirs_rest: Vec<usize> = (common..t.events.len())
        .filter(|k| !ours_added.contains(theirs_ids[*k].as_str()))
        .collect();
    // Each side's own events are already in `at` order (`check` refuses one going back), so a
    // merge of the two runs keeps both orders.
    let (mut i, mut k) = (common, 0);
    while i < o.events.len() || k < theirs_rest.len() {
        let take_ours = match (o.events.get(i), theirs_rest.get(k)) {
            (Some(a), Some(b)) => a.at <= t.events[*b].at,
            (Some(_), None) => true,
            _ => false,
        };
        if take_ours {
            let origin = Origin {
                side: MergeSide::Ours,
                seq: o.events[i].seq,
            };
            push(&mut text, ours_blocks[i], origin, &mut prev);
            i += 1;
        } else {
            let at = theirs_rest[k];
            let origin = Origin {
                side: MergeSide::Theirs,
                seq: t.events[at].seq,
            };
            push(&mut text, theirs_blocks[at], origin, &mut prev);
            k += 1;
        }
    }

    let merged = parse_journal(&text).map_err(|f| {
        refuse(
            format!("the merged journal does not read back: {f}"),
            vec![],
        )
    })?;
    if let Some(broken) = &merged.broken {
        return Err(refuse(
            format!("the merged journal's chain does not hold: {broken}"),
            vec![],
        ));
    }
    let result = MergedJournal {
        text,
        journal: merged,
        origins,
    };
    // The body and signed bytes of every event are what its side wrote.
    for (e, origin) in result.journal.events.iter().zip(&result.origins) {
        let original = match origin.side {
            MergeSide::Common | MergeSide::Ours => &o.events[origin.seq as usize - 1],
            MergeSide::Theirs => &t.events[origin.seq as usize - 1],
        };
        let same = e.body == original.body
            && e.at == original.at
            && e.actor == original.actor
            && e.os_user == original.os_user
            && e.clock_override == original.clock_override
            && e.seal
                .as_ref()
                .map(|s| (&s.signer, &s.signature, &s.signed_bytes))
                == original
                    .seal
                    .as_ref()
                    .map(|s| (&s.signer, &s.signature, &s.signed_bytes));
        if !same {
            return Err(refuse(
                "re-chaining changed an event's body (a bug in phasegate: nothing was written)",
                vec![result.describe(e)],
            ));
        }
    }
    result.verify_seals()?;
    result.concurrent_decisions()?;
    Ok(result)
}

impl MergedJournal {
    /// An event of the merged journal named by its side and its `seq` there.
    pub fn describe(&self, e: &Event) -> String {
        let origin = self.origin(e.seq);
        let mut named = e.clone();
        named.seq = origin.seq;
        describe(origin.side, &named)
    }

    fn origin(&self, seq: u64) -> Origin {
        self.origins
            .get(seq.saturating_sub(1) as usize)
            .copied()
            .unwrap_or(Origin {
                side: MergeSide::Common,
                seq,
            })
    }

    /// Events one side added since the common history.
    fn added(&self, side: MergeSide) -> impl Iterator<Item = &Event> {
        self.journal
            .events
            .iter()
            .zip(&self.origins)
            .filter(move |(_, o)| o.side == side)
            .map(|(e, _)| e)
    }

    /// Every added signature verifies, on the merged journal, against the key it carries: the
    /// signed message (genesis hash + the event without its chain fields) survived the merge.
    /// Whose key it is, is the allowed signers' question ([`MergedJournal::judge`], `check`).
    fn verify_seals(&self) -> Result<(), MergeRefusal> {
        let genesis = self.journal.events.first().map_or("", |e| e.hash.as_str());
        // The common history is byte for byte what both sides had; `check` judges it.
        for (e, origin) in self.journal.events.iter().zip(&self.origins) {
            let Some(seal) = &e.seal else { continue };
            if origin.side == MergeSide::Common {
                continue;
            }
            let outcome = SshSig::from_pem(&seal.signature)
                .map_err(|err| format!("the signature does not parse: {err}"))
                .and_then(|sig| signature::verify_sound(genesis, seal, &sig));
            if let Err(why) = outcome {
                return Err(refuse(
                    format!("a signature does not hold after the merge: {why}"),
                    vec![self.describe(e)],
                ));
            }
        }
        Ok(())
    }

    /// Decisions both sides took on their own: two decisions on one gate, and an approval of a
    /// text the other side recorded differently.
    fn concurrent_decisions(&self) -> Result<(), MergeRefusal> {
        let policy = self
            .journal
            .events
            .iter()
            .rev()
            .find_map(|e| match &e.body {
                EventBody::Created { policy, .. } | EventBody::PolicyChanged { policy, .. } => {
                    Some(*policy)
                }
                _ => None,
            })
            .unwrap_or_default();
        for ours in self.added(MergeSide::Ours) {
            for theirs in self.added(MergeSide::Theirs) {
                for (a, b) in [(ours, theirs), (theirs, ours)] {
                    if let (Some(gate), Some(other)) =
                        (decided_gate(&a.body), decided_gate(&b.body))
                        && gate == other
                        && !quorum_compatible(gate, policy, a, b)
                    {
                        return Err(self.conflict(
                            format!(
                                "both sides decided Gate {} on their own: the merged order would be an accident of the clocks",
                                gate.number()
                            ),
                            a,
                            b,
                        ));
                    }
                    if let EventBody::GateApproved(g) = &a.body
                        && let Some(file) =
                            changed_evidence(g.gate, &g.artifacts, recorded(&b.body))
                    {
                        return Err(self.conflict(
                            format!(
                                "Gate {} was approved on a {file} the other side recorded with different text",
                                g.gate.number()
                            ),
                            a,
                            b,
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    fn conflict(&self, reason: String, a: &Event, b: &Event) -> MergeRefusal {
        let (first, second) = if a.seq <= b.seq { (a, b) } else { (b, a) };
        refuse(
            format!("refused to merge the journals: {reason}; decide again on the merged branch"),
            vec![self.describe(first), self.describe(second)],
        )
    }

    /// Replays the merged journal with the engagement's files and signers: every rule the
    /// events were admitted by, the signature and replay checks, in the merged order. A
    /// problem at an added event refuses the merge, naming it and the other side's events
    /// before it. `engagement` is the engagement as the work tree holds it; its journal is
    /// replaced by the merged one.
    pub fn judge(
        &self,
        engagement: &Engagement,
        signers: Option<&AllowedSigners>,
    ) -> Result<(), MergeRefusal> {
        let mut e = engagement.clone();
        e.journal = self.journal.clone();
        let ev = evaluate(&e);
        let owner = ev.replay.owner.clone().unwrap_or_default();
        let policy = ev.replay.policy.unwrap_or(e.meta.policy);
        let mut findings: Vec<Finding> = unlawful(&e, &ev);
        findings.extend(ev.replay.anomalies.iter().cloned());
        if signers.is_some() {
            let report = signature::verify_journal(
                &e.journal,
                Governance {
                    policy: policy.signatures,
                    owner: &owner,
                    distinct_approver: policy.distinct_approver,
                },
                signers,
            );
            findings.extend(report.problems);
        }
        for f in findings {
            if f.position.file != JOURNAL_FILE {
                continue;
            }
            let Some(event) = self
                .journal
                .events
                .iter()
                .find(|x| x.line == f.position.line)
            else {
                continue;
            };
            let side = self.origin(event.seq).side;
            if side == MergeSide::Common {
                // Already in both histories: `check` reports it; the merge adds nothing to it.
                continue;
            }
            let other = if side == MergeSide::Ours {
                MergeSide::Theirs
            } else {
                MergeSide::Ours
            };
            let mut events = vec![self.describe(event)];
            events.extend(
                self.added(other)
                    .filter(|x| x.seq < event.seq)
                    .map(|x| format!("before it in the merged order: {}", self.describe(x))),
            );
            return Err(refuse(
                format!(
                    "refused to merge the journals: in the merged order, event {} {}",
                    event.seq,
                    strip_event_prefix(&f.message)
                ),
                events,
            ));
        }
        Ok(())
    }
}

/// `event 7 (gate_approved) by bob breaks …` → `breaks …`: the merge names the event itself.
fn strip_event_prefix(message: &str) -> &str {
    if let Some(rest) = message.strip_prefix("event ")
        && let Some(i) = rest.find("): ")
    {
        let after = &rest[i + 3..];
        return after;
    }
    if let Some(i) = message.find(" by ")
        && message.starts_with("event ")
        && let Some(j) = message[i..].find(" breaks ")
    {
        return &message[i + j + 1..];
    }
    message
}

fn decided_gate(body: &EventBody) -> Option<GateId> {
    match body {
        EventBody::GateApproved(g) | EventBody::GateRejected(g) => Some(g.gate),
        EventBody::GateReopened { gate, .. } => Some(*gate),
        _ => None,
    }
}

/// Two approvals by different people on the same text of a gate that needs several: each is
/// one vote of the quorum, whatever their order.
fn quorum_compatible(gate: GateId, policy: super::meta::Policy, a: &Event, b: &Event) -> bool {
    let needed = match gate {
        GateId::One => policy.approvals.gate1,
        GateId::Two => policy.approvals.gate2,
    };
    match (&a.body, &b.body) {
        (EventBody::GateApproved(x), EventBody::GateApproved(y)) => {
            needed > 1
                && super::allowed_signers::fold(&a.actor) != super::allowed_signers::fold(&b.actor)
                && super::quorum::same_text(gate, &x.artifacts, &y.artifacts)
        }
        _ => false,
    }
}

/// The artifact hashes an event recorded.
fn recorded(body: &EventBody) -> &[ArtifactRecord] {
    match body {
        EventBody::GateApproved(g) | EventBody::GateRejected(g) => &g.artifacts,
        EventBody::GateReopened { artifacts, .. }
        | EventBody::FeasibilityCompleted { artifacts, .. }
        | EventBody::ComponentStatus { artifacts, .. }
        | EventBody::BuildCompleted { artifacts, .. }
        | EventBody::ReviewRequested { artifacts, .. }
        | EventBody::Closed { artifacts, .. } => artifacts,
        EventBody::Created { .. }
        | EventBody::PolicyChanged { .. }
        | EventBody::DeviationRecorded { .. }
        | EventBody::AmendmentRecorded { .. } => &[],
    }
}

/// A piece of a gate's evidence `other` recorded with a different governed text.
fn changed_evidence(
    gate: GateId,
    approved: &[ArtifactRecord],
    other: &[ArtifactRecord],
) -> Option<String> {
    gate_evidence(gate).iter().find_map(|artifact| {
        let file = artifact.file_name();
        let a = approved.iter().find(|r| r.file == file)?;
        let b = other.iter().find(|r| r.file == file)?;
        (a.governed_sha256 != b.governed_sha256).then(|| file.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::journal::{GateRecord, Stamp, append, new_journal};
    use crate::domain::meta::Policy;
    use crate::domain::records::{DeviationTarget, Impact};
    use crate::domain::time::Timestamp;
    use proptest::prelude::*;

    fn stamp(actor: &str, minute: u32) -> Stamp {
        Stamp {
            at: Timestamp::parse(&format!("2026-11-20T12:{minute:02}:00Z")).unwrap(),
            actor: actor.into(),
            os_user: format!("{actor}@host"),
        }
    }

    fn created() -> String {
        new_journal(
            &stamp("alice", 0),
            &EventBody::Created {
                owner: Some("alice".into()),
                policy: Policy::default(),
                templates: vec![],
                baseline: None,
            },
        )
    }

    fn deviation(n: u32) -> EventBody {
        EventBody::DeviationRecorded {
            id: format!("DEV-{n}").parse().unwrap(),
            target: DeviationTarget::General,
            impact: Impact::Minor,
            text_sha256: format!("{n:064}"),
        }
    }

    fn spec(governed: char) -> Vec<ArtifactRecord> {
        vec![ArtifactRecord {
            file: "customer-spec.md".into(),
            sha256: governed.to_string().repeat(64),
            governed_sha256: governed.to_string().repeat(64),
        }]
    }

    fn gate1(approve: bool, governed: char) -> EventBody {
        let g = GateRecord {
            gate: GateId::One,
            reason: (!approve).then(|| "no".to_string()),
            note: String::new(),
            policy: Policy::default(),
            artifacts: spec(governed),
            criteria: vec![],
        };
        if approve {
            EventBody::GateApproved(g)
        } else {
            EventBody::GateRejected(g)
        }
    }

    fn add(j: &str, actor: &str, minute: u32, body: &EventBody) -> String {
        append(j, &stamp(actor, minute), body).unwrap().0
    }

    #[test]
    fn interleaves_by_time_and_rechains() {
        let base = add(&created(), "alice", 1, &deviation(1));
        let ours = add(
            &add(&base, "alice", 2, &deviation(2)),
            "alice",
            5,
            &deviation(3),
        );
        let theirs = add(&base, "bob", 3, &deviation(4));
        let m = merge(&base, &ours, &theirs).unwrap();
        let kinds: Vec<String> = m
            .journal
            .events
            .iter()
            .map(|e| format!("{}:{}", e.seq, e.body.summary()))
            .collect();
        assert_eq!(
            kinds,
            [
                "1:engagement created",
                "2:DEV-1 recorded (general, minor)",
                "3:DEV-2 recorded (general, minor)",
                "4:DEV-4 recorded (general, minor)",
                "5:DEV-3 recorded (general, minor)",
            ]
        );
        assert_eq!(m.journal.broken, None);
        // The common history is kept byte for byte.
        assert!(m.text.starts_with(&base));
        assert_eq!(
            m.origins[3],
            Origin {
                side: MergeSide::Theirs,
                seq: 3
            }
        );
    }

    #[test]
    fn a_tie_puts_ours_first() {
        let base = created();
        let ours = add(&base, "alice", 4, &deviation(1));
        let theirs = add(&base, "bob", 4, &deviation(2));
        let m = merge(&base, &ours, &theirs).unwrap();
        assert_eq!(m.journal.events[1].actor, "alice");
        assert_eq!(m.journal.events[2].actor, "bob");
    }

    #[test]
    fn two_decisions_on_one_gate_are_named() {
        let base = created();
        let ours = add(&base, "bob", 3, &gate1(true, 'a'));
        let theirs = add(&base, "carol", 2, &gate1(false, 'a'));
        let err = merge(&base, &ours, &theirs).unwrap_err();
        assert!(err.reason.contains("both sides decided Gate 1"), "{err}");
        assert_eq!(err.events.len(), 2);
        assert!(
            err.events[0].starts_with("theirs event 2 (gate_rejected by carol"),
            "{err}"
        );
        assert!(
            err.events[1].starts_with("ours event 2 (gate_approved by bob"),
            "{err}"
        );
    }

    #[test]
    fn two_approvals_of_one_text_toward_a_quorum_merge() {
        let policy = Policy {
            approvals: crate::domain::quorum::Approvals { gate1: 2, gate2: 1 },
            ..Policy::default()
        };
        let base = new_journal(
            &stamp("alice", 0),
            &EventBody::Created {
                owner: Some("alice".into()),
                policy,
                templates: vec![],
                baseline: None,
            },
        );
        let ours = add(&base, "bob", 3, &gate1(true, 'a'));
        let theirs = add(&base, "carol", 2, &gate1(true, 'a'));
        let m = merge(&base, &ours, &theirs).unwrap();
        assert_eq!(m.journal.events.len(), 3);
        // The same person twice, or different texts, are still two decisions.
        let again = add(&base, "bob", 2, &gate1(true, 'a'));
        assert!(merge(&base, &ours, &again).is_err());
        let other_text = add(&base, "carol", 2, &gate1(true, 'b'));
        assert!(merge(&base, &ours, &other_text).is_err());
    }

    #[test]
    fn an_approval_of_a_text_the_other_side_changed_is_refused() {
        let base = created();
        let ours = add(&base, "bob", 3, &gate1(true, 'a'));
        let theirs = add(
            &base,
            "alice",
            2,
            &EventBody::ReviewRequested {
                gate: GateId::One,
                note: String::new(),
                artifacts: spec('b'),
            },
        );
        let err = merge(&base, &ours, &theirs).unwrap_err();
        assert!(
            err.reason
                .contains("approved on a customer-spec.md the other side recorded"),
            "{err}"
        );
    }

    #[test]
    fn different_engagements_and_cut_history_are_refused() {
        let other = new_journal(
            &stamp("zed", 0),
            &EventBody::Created {
                owner: Some("zed".into()),
                policy: Policy::default(),
                templates: vec![],
                baseline: None,
            },
        );
        let base = add(&created(), "alice", 1, &deviation(1));
        let err = merge(&base, &base, &other).unwrap_err();
        assert!(err.reason.contains("different engagements"), "{err}");
        let cut = created();
        let err = merge(&base, &add(&base, "a", 2, &deviation(2)), &cut).unwrap_err();
        assert!(
            err.reason.contains("the theirs journal no longer holds"),
            "{err}"
        );
    }

    #[test]
    fn an_added_signature_that_does_not_hold_is_refused() {
        let base = created();
        let trailer = crate::domain::journal::Trailer {
            clock_override: false,
            signer: Some("SHA256:nobody".into()),
            signature: Some("not an SSH signature".into()),
        };
        let ours =
            crate::domain::journal::append_with(&base, &stamp("alice", 1), &deviation(1), &trailer)
                .unwrap()
                .0;
        let theirs = add(&base, "bob", 2, &deviation(2));
        let err = merge(&base, &ours, &theirs).unwrap_err();
        assert!(
            err.reason.starts_with(
                "a signature does not hold after the merge: the signature does not parse"
            ),
            "{err}"
        );
        assert!(
            err.events[0].starts_with("ours event 2 (deviation_recorded by alice"),
            "{err}"
        );
    }

    #[test]
    fn a_tampered_side_is_refused() {
        let base = created();
        let ours = add(&base, "alice", 1, &deviation(1)).replace("DEV-1", "DEV-9");
        let err = merge(&base, &ours, &base).unwrap_err();
        assert!(
            err.reason.contains("ours journal's chain is broken"),
            "{err}"
        );
    }

    proptest! {
        /// Two valid extensions of a common prefix: every event of both sides is in the merge
        /// exactly once with its body unchanged, in `at` order, and the chain holds.
        #[test]
        fn every_event_of_both_sides_once(
            prefix in proptest::collection::vec(0u32..3, 0..4),
            ours in proptest::collection::vec(0u32..3, 0..6),
            theirs in proptest::collection::vec(0u32..3, 0..6),
        ) {
            // Unique deviation IDs across both sides; each side's clock runs on from the
            // prefix's last minute.
            let mut n = 0;
            let mut minute = 0;
            let mut base = created();
            for step in &prefix {
                n += 1;
                minute += step;
                base = add(&base, "alice", minute, &deviation(n));
            }
            let start = minute;
            let mut o = base.clone();
            for step in &ours {
                n += 1;
                minute += step;
                o = add(&o, "alice", minute, &deviation(n));
            }
            minute = start;
            let mut t = base.clone();
            for step in &theirs {
                n += 1;
                minute += step;
                t = add(&t, "bob", minute, &deviation(n));
            }
            let m = merge(&base, &o, &t).unwrap();
            prop_assert_eq!(m.journal.broken.clone(), None);
            let of = |text: &str| parse_journal(text).unwrap().events;
            let mut expected: Vec<EventBody> = of(&o).into_iter().map(|e| e.body).collect();
            expected.extend(of(&t).into_iter().skip(1 + prefix.len()).map(|e| e.body));
            let mut got: Vec<EventBody> = m.journal.events.iter().map(|e| e.body.clone()).collect();
            let key = |b: &EventBody| b.summary();
            expected.sort_by_key(key);
            got.sort_by_key(key);
            prop_assert_eq!(got, expected);
            for pair in m.journal.events.windows(2) {
                prop_assert!(pair[0].at <= pair[1].at);
            }
            // Merging is idempotent on what it already merged.
            let again = merge(&base, &m.text, &t).unwrap();
            prop_assert_eq!(again.text, m.text);
        }
    }
}
