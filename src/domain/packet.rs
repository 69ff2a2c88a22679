//! The audit packet (DESIGN §7): everything an auditor or a change board needs about one
//! engagement, as data — the phase timeline, every decision, the approved texts at their hashes,
//! the design/as-built diff with what explains each hunk, the traceability matrix, deviations and
//! amendments, metrics and the journal head. `packet_html` and `packet_md` render it; `--json`
//! serializes it as is; `to_csv` writes the traceability matrix.

use std::collections::BTreeMap;

use serde::Serialize;

use super::artifact::Artifact;
use super::engagement::Engagement;
use super::evaluate::{Evaluation, approved_design_text, gate_evidence};
use super::ids::{IdPrefix, ItemId};
use super::journal::{ComponentStatus, CriterionResult, EventBody, GENESIS, GateId};
use super::metrics::{Metrics, metrics};
use super::phase::{Phase, replay};
use super::position::Position;
use super::sidebyside::{RowKind, compare};
use super::time::Timestamp;
use super::trace;

#[derive(Debug, Clone, Serialize)]
pub struct Packet {
    pub engagement: String,
    pub title: String,
    pub owner: String,
    pub created: Timestamp,
    pub baseline: Option<String>,
    pub distinct_approver: bool,
    pub phase: Phase,
    /// When the engagement entered each phase it reached (the latest entry after a reopen).
    pub timeline: Vec<PhaseEntry>,
    /// Every event of the journal, in order, for the full picture.
    pub events: Vec<EventLine>,
    pub decisions: Vec<RecordedDecision>,
    pub approved_texts: Vec<ApprovedText>,
    pub diff: Option<Diff>,
    pub traceability: Vec<TraceRow>,
    pub deviations: Vec<DeviationRow>,
    pub amendments: Vec<AmendmentRow>,
    pub metrics: Metrics,
    pub journal: JournalHead,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseEntry {
    pub phase: Phase,
    pub at: Timestamp,
    pub event: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventLine {
    pub seq: u64,
    pub at: Timestamp,
    pub actor: String,
    pub kind: &'static str,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionLine {
    pub id: String,
    pub text: String,
    pub result: CriterionResult,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HashLine {
    pub file: String,
    pub sha256: String,
    pub governed_sha256: String,
}

/// A signature as a later event format records it; absent (`null`) on unsigned events.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureStatus {
    pub signer: String,
    /// `verified`, `unverified` (no allowed-signers entry) or `invalid`.
    pub status: String,
}

/// A gate decision or the close: who, on which hashes, with which results.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedDecision {
    pub seq: u64,
    pub at: Timestamp,
    /// `gate_approved`, `gate_rejected`, `gate_reopened`, `closed`.
    pub kind: &'static str,
    pub gate: Option<u8>,
    pub approver: String,
    pub os_user: String,
    pub note: String,
    pub reason: Option<String>,
    pub criteria: Vec<CriterionLine>,
    pub artifacts: Vec<HashLine>,
    pub signature: Option<SignatureStatus>,
}

impl RecordedDecision {
    /// `Gate 2 approved`, `Engagement closed`: the decision's heading in either format.
    pub fn title(&self) -> String {
        match (self.kind, self.gate) {
            ("gate_approved", Some(g)) => format!("Gate {g} approved"),
            ("gate_rejected", Some(g)) => format!("Gate {g} rejected"),
            ("gate_reopened", Some(g)) => format!("Gate {g} reopened"),
            ("closed", _) => "Engagement closed".into(),
            (k, _) => k.to_string(),
        }
    }
}

/// The packet's sections in order, `(anchor, title)`: both formats head their sections so.
pub const SECTIONS: [(&str, &str); 9] = [
    ("summary", "Summary"),
    ("timeline", "Phase timeline"),
    ("decisions", "Decisions"),
    ("approved-texts", "Approved texts"),
    ("diff", "Design against as-built"),
    ("traceability", "Traceability"),
    ("deviations", "Deviations and amendments"),
    ("metrics", "Metrics"),
    ("journal", "Journal head"),
];

/// The title of the section anchored `id`.
pub fn section_title(id: &str) -> &str {
    SECTIONS
        .iter()
        .find(|(i, _)| *i == id)
        .map_or(id, |(_, t)| t)
}

/// What a section says when it has nothing to show, and the packet's other fixed sentences:
/// the same words in the HTML and the Markdown packet.
pub mod says {
    pub const NO_DECISION: &str = "No gate has been decided yet.";
    pub const NO_APPROVED_TEXT: &str = "No text has been approved yet.";
    pub const SNAPSHOT_MISSING: &str =
        "The snapshot is missing from objects/ (`phasegate check` reports it).";
    pub const NO_RECONCILIATION: &str =
        "No reconciliation yet: it starts once Gate 2 is approved and as-built.md exists.";
    pub const NO_REQUIREMENT: &str = "The spec has no requirement yet.";
    pub const NO_DEVIATION: &str = "No deviation.";
    pub const NO_AMENDMENT: &str = "No amendment.";
    pub const NOT_REACHED: &str = "— : not reached yet.";
    pub const NOT_RECORDED: &str = "not recorded";
    pub const CHAIN_VERIFIED: &str = "The chain verified when this packet was written.";
}

#[derive(Debug, Clone, Serialize)]
pub struct ApprovedText {
    pub gate: u8,
    pub event: u64,
    pub file: String,
    pub sha256: String,
    /// The snapshot from `objects/`; `None` when it is missing (reported by `check`).
    pub text: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffLine {
    /// `changed`, `deleted`, `inserted`.
    pub kind: &'static str,
    /// 1-based lines in the governed texts.
    pub design_line: Option<usize>,
    pub design: Option<String>,
    pub as_built_line: Option<usize>,
    pub as_built: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffHunk {
    pub position: Position,
    pub components: Vec<String>,
    pub outside_components: bool,
    pub explained: bool,
    /// `explained by DEV-1` or `UNEXPLAINED: no deviation names COMP-3`.
    pub verdict: String,
    pub explained_by: Vec<String>,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub design_sha256: String,
    pub hunks: Vec<DiffHunk>,
    pub explained: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TraceComponent {
    pub id: String,
    pub title: String,
    pub status: ComponentStatus,
}

/// One requirement through acceptance, components and build.
#[derive(Debug, Clone, Serialize)]
pub struct TraceRow {
    pub requirement: String,
    pub text: String,
    pub acceptance: Vec<String>,
    pub components: Vec<TraceComponent>,
    /// The least advanced status of its components, or `unassigned` when none satisfies it.
    pub build_status: &'static str,
    /// Deviations naming one of its components.
    pub deviations: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeviationRow {
    pub id: String,
    pub target: Option<String>,
    pub impact: Option<&'static str>,
    pub description: String,
    pub position: Position,
    /// When it was recorded in the journal (`None`: written by hand, not yet recorded).
    pub recorded_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AmendmentRow {
    pub id: String,
    pub deviation: Option<String>,
    pub text: String,
    pub position: Position,
    pub recorded_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JournalHead {
    pub head: String,
    pub events: usize,
    /// The first broken link, when the chain does not verify.
    pub broken: Option<String>,
    pub verify: String,
}

fn hashes(records: &[super::journal::ArtifactRecord]) -> Vec<HashLine> {
    records
        .iter()
        .map(|a| HashLine {
            file: a.file.clone(),
            sha256: a.sha256.clone(),
            governed_sha256: a.governed_sha256.clone(),
        })
        .collect()
}

fn criterion_text(ev: &Evaluation, gate: GateId, id: &str) -> String {
    ev.criteria_of(gate)
        .find(|c| c.def.id == id)
        .map(|c| c.def.text.clone())
        .unwrap_or_default()
}

fn decisions(e: &Engagement, ev: &Evaluation) -> Vec<RecordedDecision> {
    e.journal
        .events
        .iter()
        .filter_map(|event| {
            let base =
                |gate: Option<GateId>, note: String, reason: Option<String>| RecordedDecision {
                    seq: event.seq,
                    at: event.at,
                    kind: event.body.kind(),
                    gate: gate.map(GateId::number),
                    approver: event.actor.clone(),
                    os_user: event.os_user.clone(),
                    note,
                    reason,
                    criteria: Vec::new(),
                    artifacts: Vec::new(),
                    signature: None,
                };
            match &event.body {
                EventBody::GateApproved(g) | EventBody::GateRejected(g) => {
                    let mut d = base(Some(g.gate), g.note.clone(), g.reason.clone());
                    d.criteria = g
                        .criteria
                        .iter()
                        .map(|c| CriterionLine {
                            id: c.id.clone(),
                            text: criterion_text(ev, g.gate, &c.id),
                            result: c.result,
                            reason: c.reason.clone(),
                        })
                        .collect();
                    d.artifacts = hashes(&g.artifacts);
                    Some(d)
                }
                EventBody::GateReopened {
                    gate,
                    reason,
                    artifacts,
                    ..
                } => {
                    let mut d = base(Some(*gate), String::new(), Some(reason.clone()));
                    d.artifacts = hashes(artifacts);
                    Some(d)
                }
                EventBody::Closed {
                    reason,
                    artifacts,
                    accepted,
                    ..
                } => {
                    let accepted: Vec<String> = accepted.iter().map(ToString::to_string).collect();
                    let note = if accepted.is_empty() {
                        String::new()
                    } else {
                        format!("design changes accepted at close: {}", accepted.join(", "))
                    };
                    let mut d = base(None, note, reason.clone());
                    d.artifacts = hashes(artifacts);
                    Some(d)
                }
                _ => None,
            }
        })
        .collect()
}

fn timeline(e: &Engagement) -> Vec<PhaseEntry> {
    let events = &e.journal.events;
    let mut out: Vec<PhaseEntry> = Vec::new();
    let mut phase = None;
    for i in 0..events.len() {
        let now = replay(&events[..=i]).phase;
        if phase != Some(now) {
            // A reopen goes back: the later entry replaces the earlier one of that phase.
            out.retain(|p| p.phase < now);
            out.push(PhaseEntry {
                phase: now,
                at: events[i].at,
                event: events[i].seq,
            });
            phase = Some(now);
        }
    }
    out
}

fn approved_texts(e: &Engagement, ev: &Evaluation) -> Vec<ApprovedText> {
    let mut out = Vec::new();
    for g in &ev.gates {
        let Some(a) = &g.approval else { continue };
        for artifact in gate_evidence(g.gate) {
            if let Some(r) = a.artifact(artifact.file_name()) {
                // Gate 2 re-approves the spec Gate 1 already holds: show each text once.
                if out.iter().any(|t: &ApprovedText| t.sha256 == r.sha256) {
                    continue;
                }
                out.push(ApprovedText {
                    gate: g.gate.number(),
                    event: a.seq,
                    file: r.file.clone(),
                    sha256: r.sha256.clone(),
                    text: e.snapshots.get(&r.sha256).cloned(),
                });
            }
        }
    }
    out
}

fn diff(e: &Engagement, ev: &Evaluation) -> Option<Diff> {
    let design = approved_design_text(e, ev)?;
    let as_built = e.texts.get(&Artifact::AsBuilt)?;
    let c = compare(design, as_built, &ev.deviations);
    let hunks = c
        .reconciliation
        .hunks
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let rows = c.rows.hunks.get(i).cloned().unwrap_or(0..0);
            let lines = c.rows.rows
                [rows.start.min(c.rows.rows.len())..rows.end.min(c.rows.rows.len())]
                .iter()
                .filter(|r| r.kind != RowKind::Equal)
                .map(|r| DiffLine {
                    kind: match r.kind {
                        RowKind::Changed => "changed",
                        RowKind::Deleted => "deleted",
                        RowKind::Inserted | RowKind::Equal => "inserted",
                    },
                    design_line: r.left.as_ref().map(|c| c.line + 1),
                    design: r.left.as_ref().map(super::sidebyside::Cell::text),
                    as_built_line: r.right.as_ref().map(|c| c.line + 1),
                    as_built: r.right.as_ref().map(super::sidebyside::Cell::text),
                })
                .collect();
            DiffHunk {
                position: h.position.clone(),
                components: h.components.iter().map(ToString::to_string).collect(),
                outside_components: h.outside,
                explained: h.is_explained(),
                verdict: h.verdict(),
                explained_by: h.explained_by.iter().map(ToString::to_string).collect(),
                lines,
            }
        })
        .collect();
    Some(Diff {
        design_sha256: ev.gates[1]
            .approval
            .as_ref()
            .and_then(|a| a.artifact(Artifact::Design.file_name()))
            .map(|r| r.sha256.clone())
            .unwrap_or_default(),
        explained: c.reconciliation.explained(),
        hunks,
    })
}

fn traceability(ev: &Evaluation) -> Vec<TraceRow> {
    let Some(spec) = ev.doc(Artifact::Spec) else {
        return Vec::new();
    };
    let acceptance = trace::acceptance_by_requirement(spec);
    let mut by_requirement: BTreeMap<ItemId, Vec<&super::evaluate::ComponentRow>> = BTreeMap::new();
    for c in &ev.components {
        for r in &c.satisfies {
            by_requirement.entry(*r).or_default().push(c);
        }
    }
    spec.items
        .iter()
        .filter(|i| i.id.prefix == IdPrefix::Req)
        .map(|req| {
            let comps = by_requirement.get(&req.id).cloned().unwrap_or_default();
            let build_status = comps
                .iter()
                .filter(|c| !c.removed)
                .map(|c| c.status)
                .min()
                .map_or("unassigned", ComponentStatus::as_str);
            let deviations = ev
                .deviations
                .iter()
                .filter(|d| {
                    d.target.is_some_and(|t| {
                        comps
                            .iter()
                            .any(|c| t == super::records::DeviationTarget::Component(c.id))
                    })
                })
                .map(|d| d.id.to_string())
                .collect();
            TraceRow {
                requirement: req.id.to_string(),
                text: req.text.clone(),
                acceptance: acceptance
                    .get(&req.id)
                    .map(|v| v.iter().map(ToString::to_string).collect())
                    .unwrap_or_default(),
                components: comps
                    .iter()
                    .map(|c| TraceComponent {
                        id: c.id.to_string(),
                        title: c.title.clone(),
                        status: c.status,
                    })
                    .collect(),
                build_status,
                deviations,
            }
        })
        .collect()
}

/// The packet of one engagement: a pure function of what was loaded.
pub fn packet(e: &Engagement, ev: &Evaluation) -> Packet {
    let events = &e.journal.events;
    let head = events
        .last()
        .map_or_else(|| GENESIS.to_string(), |l| l.hash.clone());
    Packet {
        engagement: e.slug.clone(),
        title: e.meta.title.clone(),
        owner: e.meta.owner.clone(),
        created: e.meta.created,
        baseline: e.meta.baseline.clone(),
        distinct_approver: e.meta.policy.distinct_approver,
        phase: ev.phase,
        timeline: timeline(e),
        events: events
            .iter()
            .map(|ev| EventLine {
                seq: ev.seq,
                at: ev.at,
                actor: ev.actor.clone(),
                kind: ev.body.kind(),
                summary: ev.body.summary(),
            })
            .collect(),
        decisions: decisions(e, ev),
        approved_texts: approved_texts(e, ev),
        diff: diff(e, ev),
        traceability: traceability(ev),
        deviations: ev
            .deviations
            .iter()
            .map(|d| DeviationRow {
                id: d.id.to_string(),
                target: d.target.map(|t| t.to_string()),
                impact: d.impact.map(|i| i.as_str()),
                description: d.description.clone(),
                position: Position::new(Artifact::AsBuilt.file_name(), d.line, d.column),
                recorded_at: ev.replay.deviations.get(&d.id).map(|r| r.at),
            })
            .collect(),
        amendments: ev
            .amendments
            .iter()
            .map(|a| AmendmentRow {
                id: a.id.to_string(),
                deviation: a.deviation.map(|d| d.to_string()),
                text: a.text.clone(),
                position: Position::new(Artifact::Spec.file_name(), a.line, a.column),
                recorded_at: ev.replay.amendments.get(&a.id).map(|r| r.at),
            })
            .collect(),
        metrics: metrics(events, ev),
        journal: JournalHead {
            head,
            events: events.len(),
            broken: e.journal.broken.as_ref().map(ToString::to_string),
            verify: format!("phasegate check {}", e.slug),
        },
    }
}

/// A CSV field, quoted when it must be (RFC 4180: comma, quote, CR or LF inside; and a leading
/// byte-order mark, which readers strip from the start of a file).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with('\u{feff}') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One CSV record (with its CRLF).
pub fn csv_row(fields: &[String]) -> String {
    let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    let mut out = row.join(",");
    out.push_str("\r\n");
    out
}

/// The traceability matrix, one row per requirement, as a change board opens it in a
/// spreadsheet. Lists inside a cell are separated by `; `.
pub fn to_csv(p: &Packet) -> String {
    let mut out =
        String::from("requirement,text,acceptance_criteria,components,build_status,deviations\r\n");
    for r in &p.traceability {
        let comps: Vec<String> = r
            .components
            .iter()
            .map(|c| format!("{} ({})", c.id, c.status.as_str()))
            .collect();
        let fields = [
            r.requirement.clone(),
            r.text.clone(),
            r.acceptance.join("; "),
            comps.join("; "),
            r.build_status.to_string(),
            r.deviations.join("; "),
        ];
        out.push_str(&csv_row(&fields));
    }
    out
}

/// `3.4 d` or `—` (not reached yet: never a zero).
pub fn days(secs: Option<i64>) -> String {
    secs.map_or_else(|| "—".into(), |s| format!("{:.1} d", s as f64 / 86_400.0))
}

/// `25%` or `—`.
pub fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{:.0}%", v * 100.0))
}

/// The metrics as (label, value) rows, shared by the HTML and Markdown packets.
pub fn metric_rows(m: &Metrics) -> Vec<(&'static str, String)> {
    vec![
        ("time to approved spec", days(m.time_to_approved_spec)),
        ("time to approved design", days(m.time_to_approved_design)),
        ("time to value (created → closed)", days(m.time_to_value)),
        ("components", m.components.to_string()),
        ("deviations", m.deviations.to_string()),
        ("deviation rate", percent(m.deviation_rate)),
        ("reuse rate", percent(m.reuse_rate)),
        (
            "reconciliation completeness",
            percent(m.reconciliation_completeness),
        ),
        (
            "gate rework (rejections + reopens)",
            m.gate_rework.to_string(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
