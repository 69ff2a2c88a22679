//! The lead's queue (DESIGN §7): every gate across a workspace that the acting identity may
//! decide now, with what a reviewer wants to know before opening it — auto-criteria state, how
//! long it has waited (from the journal, never file times), staleness and open conflicts —
//! oldest first.

use super::criteria::CriterionKind;
use super::engagement::Engagement;
use super::evaluate::{Evaluation, GateState, gate_quorum};
use super::journal::{CriterionResult, EventBody, GateId};
use super::phase::Phase;
use super::position::{Finding, Position};
use super::quorum;
use super::rules;
use super::time::Timestamp;

/// One engagement as the queue reads it: the store supplies what is not in the domain's
/// `Engagement` (recovery files are per-machine state on disk).
pub struct QueueInput<'a> {
    pub engagement: &'a Engagement,
    pub evaluation: &'a Evaluation,
    /// Names of the files in `.phasegate/recovery/` (unsaved or displaced editor text).
    pub recovery_files: Vec<String>,
    /// Bad input found while loading (a missing artifact, a corrupt object…).
    pub load_problems: Vec<Finding>,
}

/// The auto criteria of a gate, as they evaluate on the current text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AutoState {
    pub passed: usize,
    pub total: usize,
    /// The first failing auto criterion: its ID and where the failure is.
    pub first_failure: Option<CriterionFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CriterionFailure {
    pub id: String,
    pub hard: bool,
    pub finding: Finding,
}

impl AutoState {
    /// `7/7 auto pass`, or `5/6 auto pass; G2-3 fails at FILE:LINE:COL: …`.
    pub fn summary(&self) -> String {
        match &self.first_failure {
            None => format!("{}/{} auto pass", self.passed, self.total),
            Some(f) => format!(
                "{}/{} auto pass; {} fails at {}",
                self.passed, self.total, f.id, f.finding
            ),
        }
    }
}

/// Why the gate is waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Waiting {
    /// The gate ahead, never decided since it became reviewable.
    Ahead,
    /// The gate ahead, rejected since it became reviewable (a revision is expected).
    Rejected,
    /// Approved, but the approved evidence changed: re-approve or restore.
    Stale,
}

impl Waiting {
    pub fn as_str(self) -> &'static str {
        match self {
            Waiting::Ahead => "ahead",
            Waiting::Rejected => "rejected",
            Waiting::Stale => "stale",
        }
    }
}

/// Something open that a reviewer should know before deciding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conflict {
    /// `recovery` (unsaved editor text), `merge-marker` (an unresolved git merge in an
    /// artifact), `problem` (what `check` fails on, bad input included).
    pub kind: &'static str,
    pub finding: Finding,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QueueEntry {
    pub engagement: String,
    pub title: String,
    pub owner: String,
    pub phase: Phase,
    pub gate: u8,
    pub waiting: Waiting,
    pub state: GateState,
    /// When the gate became reviewable: the journal event that put it ahead (`created`,
    /// `feasibility_completed`, a reopen) or, for a stale gate, the approval its evidence
    /// changed under (the edit itself is not journalled).
    pub since: Timestamp,
    pub since_event: u64,
    pub age_seconds: i64,
    pub auto: AutoState,
    /// Manual criteria the reviewer still has to tick.
    pub manual: usize,
    /// Evidence files whose governed text changed after the approval (a stale gate).
    pub stale: Vec<String>,
    /// Gate 1 is stale while Gate 2 waits: Gate 2 cannot be approved before it is fixed.
    pub blocked_by_stale_gate1: bool,
    pub conflicts: Vec<Conflict>,
    /// Where the approvals on the current text stand against the gate's quorum.
    pub quorum: QueueQuorum,
}

/// A gate's quorum as the queue shows it (`approved 1/2: bob (network); waiting for: security`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QueueQuorum {
    pub needed: usize,
    pub have: usize,
    /// Who approved the current text, in order.
    pub approvers: Vec<String>,
    pub missing_roles: Vec<String>,
    /// Whether the engagement asks for more than one plain approval (then the row says so).
    pub asked: bool,
    /// `approved 1/2: bob (network); waiting for: security`.
    pub summary: String,
}

/// The journal event from which the gate has been waiting, and why it waits.
fn waiting_since(
    e: &Engagement,
    ev: &Evaluation,
    gate: GateId,
) -> Option<(Waiting, u64, Timestamp)> {
    let status = ev.gate(gate);
    if let Some(approval) = &status.approval
        && status.state != GateState::Approved
    {
        return Some((Waiting::Stale, approval.seq, approval.at));
    }
    let ahead = match gate {
        GateId::One => ev.phase == Phase::Requirements,
        GateId::Two => ev.phase == Phase::Design,
    };
    if !ahead {
        return None;
    }
    let entered = e
        .journal
        .events
        .iter()
        .rev()
        .find(|event| match (&event.body, gate) {
            (EventBody::Created { .. }, GateId::One) => true,
            (EventBody::FeasibilityCompleted { .. }, GateId::Two) => true,
            (EventBody::GateReopened { gate: g, .. }, _) => *g == gate,
            _ => false,
        })?;
    let rejected = ev
        .replay
        .gate(gate)
        .last
        .is_some_and(|(seq, d)| seq > entered.seq && d == super::phase::LastDecision::Rejected);
    let why = if rejected {
        Waiting::Rejected
    } else {
        Waiting::Ahead
    };
    Some((why, entered.seq, entered.at))
}

fn auto_state(ev: &Evaluation, gate: GateId) -> AutoState {
    let auto: Vec<_> = ev
        .criteria_of(gate)
        .filter(|c| c.def.kind == CriterionKind::Auto)
        .collect();
    let first_failure = auto
        .iter()
        .find(|c| c.result != CriterionResult::Pass)
        .map(|c| CriterionFailure {
            id: c.def.id.clone(),
            hard: c.def.hard,
            finding: Finding::new(
                c.position().cloned().unwrap_or_else(|| Position::file("")),
                c.message(),
            ),
        });
    AutoState {
        passed: auto
            .iter()
            .filter(|c| c.result == CriterionResult::Pass)
            .count(),
        total: auto.len(),
        first_failure,
    }
}

/// Lines that an unresolved git merge leaves in a text (`<<<<<<< `, `>>>>>>> `).
pub fn merge_markers(file: &str, text: &str) -> Vec<Finding> {
    super::markdown::lines(text)
        .enumerate()
        .filter(|(_, l)| l.starts_with("<<<<<<< ") || l.starts_with(">>>>>>> ") || *l == "<<<<<<<")
        .map(|(i, _)| {
            Finding::new(
                Position::new(file, i + 1, 1),
                "unresolved merge conflict marker",
            )
        })
        .collect()
}

fn conflicts(input: &QueueInput<'_>) -> Vec<Conflict> {
    let mut out: Vec<Conflict> = input
        .recovery_files
        .iter()
        .map(|name| Conflict {
            kind: "recovery",
            finding: Finding::new(
                Position::file(format!(".phasegate/recovery/{name}")),
                "unsaved editor text waits to be restored or discarded (`R` in the engagement)",
            ),
        })
        .collect();
    for (artifact, text) in &input.engagement.texts {
        out.extend(
            merge_markers(artifact.file_name(), text)
                .into_iter()
                .map(|finding| Conflict {
                    kind: "merge-marker",
                    finding,
                }),
        );
    }
    // A stale gate is its own flag; its problem lines would only repeat it.
    let stale_files: Vec<Position> = input
        .evaluation
        .gates
        .iter()
        .flat_map(|g| g.stale.iter().map(|s| Position::file(s.file.clone())))
        .collect();
    let stale_gate = |f: &Finding| stale_files.contains(&f.position);
    out.extend(
        input
            .load_problems
            .iter()
            .chain(input.evaluation.problems.iter().filter(|f| !stale_gate(f)))
            .map(|f| Conflict {
                kind: "problem",
                finding: f.clone(),
            }),
    );
    out
}

/// The queue of gates `who` may decide, oldest first (ties: engagement slug, then gate). A gate
/// whose quorum is partly met stays only for those whose approval would still count: not for
/// someone who approved this text, nor for someone without a missing role when only roles are
/// left to fill.
pub fn queue(inputs: &[QueueInput<'_>], who: &str, now: Timestamp) -> Vec<QueueEntry> {
    let mut out = Vec::new();
    for input in inputs {
        let (e, ev) = (input.engagement, input.evaluation);
        for gate in [GateId::One, GateId::Two] {
            if !rules::may_decide(e, ev, gate, who) {
                continue;
            }
            let Some((waiting, since_event, since)) = waiting_since(e, ev, gate) else {
                continue;
            };
            let q = gate_quorum(e, ev, gate);
            if !q.needs(&e.meta.roles, who) {
                continue;
            }
            let status = ev.gate(gate);
            out.push(QueueEntry {
                engagement: e.slug.clone(),
                title: e.meta.title.clone(),
                owner: e.meta.owner.clone(),
                phase: ev.phase,
                gate: gate.number(),
                waiting,
                state: status.state,
                since,
                since_event,
                age_seconds: now.unix() - since.unix(),
                auto: auto_state(ev, gate),
                manual: ev
                    .criteria_of(gate)
                    .filter(|c| c.def.kind == CriterionKind::Manual)
                    .count(),
                stale: status.stale.iter().map(|s| s.file.clone()).collect(),
                blocked_by_stale_gate1: gate == GateId::Two
                    && ev.gate(GateId::One).state == GateState::Stale,
                conflicts: conflicts(input),
                quorum: QueueQuorum {
                    needed: q.tally.needed,
                    have: q.tally.have,
                    approvers: quorum::distinct(&q.approvals)
                        .iter()
                        .map(|a| a.actor.clone())
                        .collect(),
                    missing_roles: q.tally.missing_roles.clone(),
                    asked: q.asked,
                    summary: q.describe(&e.meta.roles),
                },
            });
        }
    }
    out.sort_by(|a, b| {
        a.since
            .cmp(&b.since)
            .then_with(|| a.engagement.cmp(&b.engagement))
            .then_with(|| a.gate.cmp(&b.gate))
    });
    out
}

/// `3d 4h`, `5h 10m`, `12m`: an age a lead reads at a glance.
pub fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    }
}
