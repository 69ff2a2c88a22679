//! The engagement as the tool sees it: journal replay + current texts → phase, gate states,
//! criteria, build progress, reconciliation, problems and warnings, and the next action.

use std::collections::{BTreeMap, BTreeSet};

use super::allowed_signers::fold;
use super::artifact::{Artifact, ArtifactHashes};
use super::baseline::{BaselineDelta, BaselineRef};
use super::catalog::{ClosedEngagement, ReuseCheck, check_reuse};
use super::criteria::{self, CriteriaInput, CriterionEval};
use super::design::{self, Component};
use super::engagement::Engagement;
use super::ids::{IdPrefix, ItemId};
use super::journal::{ArtifactRecord, ComponentStatus, CriterionResult, GateId};
use super::markdown::{self, Document};
use super::phase::{Approval, ClosedRecord, LastDecision, Phase, Replay, ReviewRequest};
use super::position::{Finding, Position};
use super::quorum::{GateQuorum, on_current_text, tally};
use super::reconcile::{self, Reconciliation};
use super::records::{self, Amendment, Deviation, DeviationTarget, Impact};
use super::trace::{self, BuildOrder};

// The paths the rest of the crate names these by; both live below the evaluation.
pub use super::artifact::gate_evidence;
pub use super::build_file::BuildFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GateState {
    Pending,
    Approved,
    Rejected,
    Stale,
}

impl GateState {
    pub fn as_str(self) -> &'static str {
        match self {
            GateState::Pending => "pending",
            GateState::Approved => "approved",
            GateState::Rejected => "rejected",
            GateState::Stale => "stale",
        }
    }
}

/// An artifact whose governed text differs from what a gate approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleEvidence {
    pub file: String,
    pub approved_governed_sha256: String,
    pub current_governed_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateStatus {
    pub gate: GateId,
    pub state: GateState,
    pub approval: Option<Approval>,
    pub stale: Vec<StaleEvidence>,
    /// A review asked for since the last decision (not a decision itself).
    pub review_requested: Option<ReviewRequest>,
}

impl GateStatus {
    /// Whether the gate lets transitions after it go forward.
    pub fn holds(&self) -> bool {
        self.state == GateState::Approved
    }
}

/// A component of the execution contract with its build status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentRow {
    pub id: ItemId,
    pub title: String,
    pub status: ComponentStatus,
    pub depends_on: Vec<ItemId>,
    pub satisfies: Vec<ItemId>,
    pub reuse: Option<String>,
    pub acceptance: Option<String>,
    pub position: Position,
    /// Added in the as-built (not in the approved design).
    pub added: bool,
    /// Removed in the as-built with a deviation naming it.
    pub removed: bool,
}

#[derive(Debug, Clone)]
pub struct Evaluation {
    pub phase: Phase,
    pub replay: Replay,
    pub docs: BTreeMap<Artifact, Document>,
    pub hashes: BTreeMap<Artifact, ArtifactHashes>,
    pub known_ids: BTreeSet<ItemId>,
    /// Components of the current design text.
    pub design_components: Vec<Component>,
    /// The execution contract: the approved design's components once Gate 2 holds an
    /// approval, otherwise the current design's.
    pub components: Vec<ComponentRow>,
    pub build_order: BuildOrder,
    pub gates: [GateStatus; 2],
    pub criteria: Vec<CriterionEval>,
    pub deviations: Vec<Deviation>,
    pub amendments: Vec<Amendment>,
    pub reconciliation: Option<Reconciliation>,
    /// What this engagement changes against its Day-2 baseline, when that is in the catalog.
    pub baseline: Option<BaselineDelta>,
    /// The design's catalog reuses: dangling (G2-3) and suspect (warnings).
    pub reuse: ReuseCheck,
    /// What `check` fails on.
    pub problems: Vec<Finding>,
    /// What `check` reports without failing (unless `--strict`).
    pub warnings: Vec<Finding>,
}

impl Evaluation {
    pub fn gate(&self, gate: GateId) -> &GateStatus {
        &self.gates[usize::from(gate.number() - 1)]
    }

    pub fn criteria_of(&self, gate: GateId) -> impl Iterator<Item = &CriterionEval> {
        self.criteria.iter().filter(move |c| c.def.gate == gate)
    }

    pub fn doc(&self, artifact: Artifact) -> Option<&Document> {
        self.docs.get(&artifact)
    }

    /// The current hashes of every present artifact, as events record them.
    pub fn artifact_records(&self) -> Vec<ArtifactRecord> {
        self.hashes
            .iter()
            .map(|(a, h)| ArtifactRecord {
                file: a.file_name().to_string(),
                sha256: h.sha256.clone(),
                governed_sha256: h.governed_sha256.clone(),
            })
            .collect()
    }

    pub fn component(&self, id: ItemId) -> Option<&ComponentRow> {
        self.components.iter().find(|c| c.id == id)
    }

    /// Components that must be validated before build completion and close.
    pub fn required_components(&self) -> impl Iterator<Item = &ComponentRow> {
        self.components.iter().filter(|c| !c.removed)
    }
}

fn current_governed(hashes: &BTreeMap<Artifact, ArtifactHashes>, file: &str) -> Option<String> {
    Artifact::from_file_name(file)
        .and_then(|a| hashes.get(&a))
        .map(|h| h.governed_sha256.clone())
}

/// A gate's state against the given governed hashes: the current ones, or those an event
/// recorded when `check` replays it.
pub fn gate_status(
    gate: GateId,
    replay: &Replay,
    hashes: &BTreeMap<Artifact, ArtifactHashes>,
) -> GateStatus {
    let history = replay.gate(gate);
    let mut stale = Vec::new();
    if let Some(approval) = &history.approval {
        for artifact in gate_evidence(gate) {
            let Some(record) = approval.artifact(artifact.file_name()) else {
                continue;
            };
            let current = current_governed(hashes, artifact.file_name());
            if current.as_deref() != Some(record.governed_sha256.as_str()) {
                stale.push(StaleEvidence {
                    file: record.file.clone(),
                    approved_governed_sha256: record.governed_sha256.clone(),
                    current_governed_sha256: current,
                });
            }
        }
    }
    let state = match (&history.approval, history.last) {
        (_, Some((_, LastDecision::Rejected))) => GateState::Rejected,
        (Some(_), _) if !stale.is_empty() => GateState::Stale,
        (Some(_), _) => GateState::Approved,
        (None, _) => GateState::Pending,
    };
    GateStatus {
        gate,
        state,
        approval: history.approval.clone(),
        stale,
        review_requested: history.review_requested.clone(),
    }
}

pub fn evaluate(e: &Engagement) -> Evaluation {
    evaluate_with(e, true)
}

/// [`evaluate`] without the design-vs-as-built reconciliation (`reconciliation` is `None`):
/// the diff is the costliest part and nothing a gate decides reads it (the lead's queue).
pub fn evaluate_gates(e: &Engagement) -> Evaluation {
    evaluate_with(e, false)
}

fn evaluate_with(e: &Engagement, with_reconciliation: bool) -> Evaluation {
    let replay = super::phase::replay_with(&e.journal.events, &e.meta.roles);
    let docs: BTreeMap<Artifact, Document> = e
        .texts
        .iter()
        .map(|(a, t)| (*a, markdown::parse(t)))
        .collect();
    let hashes: BTreeMap<Artifact, ArtifactHashes> = e
        .texts
        .iter()
        .map(|(a, t)| {
            let doc = &docs[a];
            let governed = super::artifact::GovernedText::from_parsed(*a, t, doc);
            (
                *a,
                ArtifactHashes {
                    sha256: super::digest::sha256_hex(t.as_bytes()),
                    governed_sha256: governed.sha256(),
                },
            )
        })
        .collect();
    let base = baseline_engagement(e);
    // A Day-2 spec keeps the baseline's amendments, which name the baseline's deviations.
    let base_records = base.map(|b| {
        let spec = markdown::parse(&b.spec);
        let as_built = markdown::parse(&b.as_built);
        (records::amendments(&spec), records::deviations(&as_built))
    });
    let known_ids: BTreeSet<ItemId> = docs
        .values()
        .flat_map(|d| d.items.iter().map(|i| i.id))
        .chain(
            base_records
                .iter()
                .flat_map(|(a, d)| a.iter().map(|x| x.id).chain(d.iter().map(|x| x.id))),
        )
        .collect();
    let design_components = match (docs.get(&Artifact::Design), e.texts.get(&Artifact::Design)) {
        (Some(d), Some(t)) => design::components(d, t),
        _ => Vec::new(),
    };
    let gates = [
        gate_status(GateId::One, &replay, &hashes),
        gate_status(GateId::Two, &replay, &hashes),
    ];

    let reuse = check_reuse(&design_components, &e.catalog);
    let input = CriteriaInput {
        spec: docs.get(&Artifact::Spec),
        feasibility: docs.get(&Artifact::Feasibility),
        design: docs.get(&Artifact::Design),
        components: &design_components,
        known_ids: &known_ids,
        dangling_reuse: &reuse.dangling,
    };
    let mut criteria = criteria::evaluate(GateId::One, &e.meta.criteria, &input);
    criteria.extend(criteria::evaluate(GateId::Two, &e.meta.criteria, &input));

    let deviations = docs
        .get(&Artifact::AsBuilt)
        .map(records::deviations)
        .unwrap_or_default();
    let amendments = docs
        .get(&Artifact::Spec)
        .map(records::amendments)
        .unwrap_or_default();

    let mut problems = Vec::new();
    let mut warnings = Vec::new();

    // The approved design is the contract; the snapshot must be there to reconcile against.
    let approved_design_text = gates[1]
        .approval
        .as_ref()
        .and_then(|a| a.artifact(Artifact::Design.file_name()))
        .and_then(|r| e.snapshots.get(&r.sha256));
    let reconciliation = match (approved_design_text, e.texts.get(&Artifact::AsBuilt)) {
        (Some(design), Some(as_built)) if with_reconciliation => {
            Some(reconcile::reconcile(design, as_built, &deviations))
        }
        _ => None,
    };
    let contract: Vec<Component> = match approved_design_text {
        Some(text) => design::components(&markdown::parse(text), text),
        None => design_components.clone(),
    };
    let contract_position = |line, column| match approved_design_text {
        Some(_) => Position::approved_design(line, column),
        None => Position::new(Artifact::Design.file_name(), line, column),
    };
    let as_built_components = match (
        docs.get(&Artifact::AsBuilt),
        e.texts.get(&Artifact::AsBuilt),
    ) {
        (Some(d), Some(t)) => design::components(d, t),
        _ => Vec::new(),
    };
    let deviation_targets: BTreeSet<DeviationTarget> =
        deviations.iter().filter_map(|d| d.target).collect();
    // Membership by set, not by scan: designs of thousands of components stay linear.
    let as_built_ids: BTreeSet<ItemId> = as_built_components.iter().map(|c| c.id).collect();
    let contract_ids: BTreeSet<ItemId> = contract.iter().map(|c| c.id).collect();
    let mut components: Vec<ComponentRow> = contract
        .iter()
        .map(|c| {
            let in_as_built = as_built_components.is_empty() || as_built_ids.contains(&c.id);
            row(
                c,
                &replay,
                contract_position(c.line, c.column),
                false,
                !in_as_built && deviation_targets.contains(&DeviationTarget::Component(c.id)),
            )
        })
        .collect();
    if approved_design_text.is_some() {
        for c in as_built_components
            .iter()
            .filter(|a| !contract_ids.contains(&a.id))
        {
            components.push(row(
                c,
                &replay,
                Position::new(Artifact::AsBuilt.file_name(), c.line, c.column),
                true,
                false,
            ));
        }
    }
    let mut order_input: Vec<Component> = contract.clone();
    if approved_design_text.is_some() {
        order_input.extend(
            as_built_components
                .iter()
                .filter(|a| !contract_ids.contains(&a.id))
                .cloned(),
        );
    }
    let build_order = trace::build_order(&order_input);

    // Problems: what check fails on.
    if let Some(broken) = &e.journal.broken {
        problems.push(broken.clone());
    }
    problems.extend(replay.anomalies.iter().cloned());
    for g in &gates {
        if g.state == GateState::Stale {
            for s in &g.stale {
                problems.push(Finding::new(
                    Position::file(s.file.clone()),
                    format!(
                        "Gate {} is stale: {} changed after approval (re-approve it or restore the approved text)",
                        g.gate.number(),
                        s.file
                    ),
                ));
            }
        }
        if let Some(approval) = &g.approval {
            for record in &approval.artifacts {
                if gate_evidence(g.gate)
                    .iter()
                    .any(|a| a.file_name() == record.file)
                    && !e.snapshots.contains_key(&record.sha256)
                {
                    problems.push(Finding::new(
                        Position::file(format!(".phasegate/objects/{}", record.sha256)),
                        format!(
                            "the snapshot of {} approved at Gate {} is missing or corrupt",
                            record.file,
                            g.gate.number()
                        ),
                    ));
                }
            }
        }
    }
    if let Some(approval) = &gates[0].approval
        && approval.policy != e.meta.policy
    {
        problems.push(Finding::new(
            Position::file(super::meta::ENGAGEMENT_FILE),
            format!(
                "[policy] changed after Gate 1 was approved (distinct_approver was {}, is {})",
                approval.policy.distinct_approver, e.meta.policy.distinct_approver
            ),
        ));
    }
    let closed = replay.closed.is_some();
    // The first item written with each ID, looked up per recorded event.
    let mut written: BTreeMap<ItemId, (&str, usize, usize)> = BTreeMap::new();
    for (id, sha, line, column) in deviations
        .iter()
        .map(|d| (d.id, &d.text_sha256, d.line, d.column))
        .chain(
            amendments
                .iter()
                .map(|a| (a.id, &a.text_sha256, a.line, a.column)),
        )
    {
        written.entry(id).or_insert((sha.as_str(), line, column));
    }
    for (id, recorded) in &replay.deviations {
        recorded_item_check(
            *id,
            &recorded.text_sha256,
            written.get(id).copied(),
            Artifact::AsBuilt,
            closed,
            &mut problems,
            &mut warnings,
        );
    }
    for (id, recorded) in &replay.amendments {
        recorded_item_check(
            *id,
            &recorded.text_sha256,
            written.get(id).copied(),
            Artifact::Spec,
            closed,
            &mut problems,
            &mut warnings,
        );
    }
    if let Some(close) = &replay.closed {
        for (id, sha) in &close.items {
            let current = written.get(id).map(|w| w.0);
            if current != Some(sha.as_str())
                && !replay.deviations.contains_key(id)
                && !replay.amendments.contains_key(id)
            {
                let file = if id.prefix == IdPrefix::Dev {
                    Artifact::AsBuilt
                } else {
                    Artifact::Spec
                };
                problems.push(Finding::new(
                    Position::file(file.file_name()),
                    format!(
                        "{id} was {} after the engagement was closed",
                        if current.is_some() {
                            "changed"
                        } else {
                            "deleted"
                        }
                    ),
                ));
            }
        }
    }

    if let Some(close) = &replay.closed {
        closed_drift(close, &hashes, &e.build_files, &mut problems);
    }

    // Warnings.
    if let (Some((_, recorded)), None) = (&replay.feasibility_completed, &gates[1].approval)
        && let Some(record) = recorded
            .iter()
            .find(|r| r.file == Artifact::Feasibility.file_name())
        && current_governed(&hashes, &record.file).as_deref()
            != Some(record.governed_sha256.as_str())
    {
        warnings.push(Finding::new(
            Position::file(Artifact::Feasibility.file_name()),
            "feasibility.md changed after feasibility was completed",
        ));
    }
    for artifact in [Artifact::Feasibility, Artifact::Design, Artifact::AsBuilt] {
        let reached = match artifact {
            Artifact::Feasibility | Artifact::Design => replay.phase >= Phase::Feasibility,
            _ => replay.phase >= Phase::Build,
        };
        if reached {
            continue;
        }
        let Some(current) = hashes.get(&artifact) else {
            continue;
        };
        if artifact == Artifact::AsBuilt
            && replay.gate2.approval_seqs.is_empty()
            && hashes
                .get(&Artifact::Design)
                .is_some_and(|d| d.governed_sha256 == current.governed_sha256)
        {
            warnings.push(Finding::new(
                Position::file(artifact.file_name()),
                "as-built.md was left by a Gate 2 approval that did not complete (none is recorded); the next Gate 2 approval regenerates it",
            ));
            continue;
        }
        let template = replay
            .templates
            .iter()
            .find(|t| t.file == artifact.file_name());
        if template.is_none_or(|t| t.sha256 != current.sha256) {
            warnings.push(Finding::new(
                Position::file(artifact.file_name()),
                format!(
                    "{} was edited before its phase ({}) was reached",
                    artifact.file_name(),
                    artifact.phase().title()
                ),
            ));
        }
    }
    if let Some(approval) = &gates[1].approval
        && !e.texts.contains_key(&Artifact::AsBuilt)
    {
        warnings.push(Finding::new(
            Position::file(Artifact::AsBuilt.file_name()),
            format!(
                "as-built.md is missing although Gate 2 was approved at event {}: the next phasegate write re-creates it from the approved design",
                approval.seq
            ),
        ));
    }
    for d in &deviations {
        if let Some(problem) = &d.problem {
            warnings.push(Finding::new(
                Position::new(Artifact::AsBuilt.file_name(), d.line, d.column),
                problem.clone(),
            ));
        }
        if !replay.deviations.contains_key(&d.id) {
            warnings.push(Finding::new(
                Position::new(Artifact::AsBuilt.file_name(), d.line, d.column),
                format!("{} is written but not yet recorded in the journal (`phasegate deviation record {}`)", d.id, d.id),
            ));
        }
    }
    for a in &amendments {
        let inherited = base_records.as_ref().is_some_and(|(base, _)| {
            base.iter()
                .any(|b| b.id == a.id && b.text_sha256 == a.text_sha256)
        });
        if !replay.amendments.contains_key(&a.id) && !inherited {
            warnings.push(Finding::new(
                Position::new(Artifact::Spec.file_name(), a.line, a.column),
                format!("{} is written but not yet recorded in the journal", a.id),
            ));
        }
    }
    // No gate reads the as-built's items: a look-alike deviation there is a warning.
    if let Some(doc) = docs.get(&Artifact::AsBuilt) {
        for l in &doc.lookalikes {
            warnings.push(Finding::new(
                Position::new(Artifact::AsBuilt.file_name(), l.line, l.column),
                l.message.clone(),
            ));
        }
    }
    warnings.extend(reuse.suspect.iter().cloned());
    let baseline = base.map(|b| baseline_delta(e, b));
    for f in e.build_files.iter().filter(|f| f.problem.is_some()) {
        warnings.push(Finding::new(
            Position::file(format!("build/{}", f.path)),
            f.problem.clone().unwrap_or_default(),
        ));
    }

    Evaluation {
        phase: replay.phase,
        replay,
        docs,
        hashes,
        known_ids,
        design_components,
        components,
        build_order,
        gates,
        criteria,
        deviations,
        amendments,
        reconciliation,
        baseline,
        reuse,
        problems,
        warnings,
    }
}

/// A closed engagement is a baseline: its as-built's governed text and every `build/` file must
/// stay as the close recorded them.
fn closed_drift(
    close: &ClosedRecord,
    hashes: &BTreeMap<Artifact, ArtifactHashes>,
    build_files: &[BuildFile],
    problems: &mut Vec<Finding>,
) {
    let as_built = Artifact::AsBuilt.file_name();
    if let Some(record) = close.artifacts.iter().find(|a| a.file == as_built)
        && current_governed(hashes, as_built).as_deref() != Some(record.governed_sha256.as_str())
    {
        problems.push(Finding::new(
            Position::file(as_built),
            format!(
                "{as_built} changed after the engagement was closed at event {} (its governed text differs from the one closed)",
                close.seq
            ),
        ));
    }
    let Some(recorded) = &close.build else {
        return;
    };
    for r in recorded {
        let now = build_files.iter().find(|f| f.path == r.path);
        let what = match now.and_then(|f| f.sha256.as_deref()) {
            Some(sha) if sha == r.sha256 => continue,
            Some(_) => "changed",
            None => "removed",
        };
        problems.push(Finding::new(
            Position::file(format!("build/{}", r.path)),
            format!(
                "{what} after the engagement was closed at event {}",
                close.seq
            ),
        ));
    }
    for f in build_files
        .iter()
        .filter(|f| f.sha256.is_some() && !recorded.iter().any(|r| r.path == f.path))
    {
        problems.push(Finding::new(
            Position::file(format!("build/{}", f.path)),
            format!(
                "added after the engagement was closed at event {}",
                close.seq
            ),
        ));
    }
}

/// The baseline `engagement.toml` names, when it is a closed engagement of the catalog (a
/// hand-written baseline from elsewhere has nothing to compare with).
pub fn baseline_engagement(e: &Engagement) -> Option<&ClosedEngagement> {
    let parsed = BaselineRef::parse(e.meta.baseline.as_deref()?)?;
    e.catalog
        .engagements
        .iter()
        .find(|b| parsed.names(&b.slug, &b.closing_hash))
}

/// What the engagement changes against its baseline.
fn baseline_delta(e: &Engagement, base: &ClosedEngagement) -> BaselineDelta {
    let text = |a: Artifact| e.texts.get(&a).map(String::as_str).unwrap_or("");
    super::baseline::delta(
        e.meta.baseline.as_deref().unwrap_or(""),
        &base.spec,
        &base.reconciled_design(),
        text(Artifact::Spec),
        text(Artifact::Design),
    )
}

fn row(
    c: &Component,
    replay: &Replay,
    position: Position,
    added: bool,
    removed: bool,
) -> ComponentRow {
    ComponentRow {
        id: c.id,
        title: c.title.clone(),
        status: replay.component_status(c.id),
        depends_on: c.dependencies().iter().map(|d| d.id).collect(),
        satisfies: c.satisfied_requirements().iter().map(|d| d.id).collect(),
        reuse: c.reuse_decision().map(str::to_string),
        acceptance: c.acceptance.as_ref().map(|f| f.value.clone()),
        position,
        added,
        removed,
    }
}

#[allow(clippy::too_many_arguments)]
fn recorded_item_check(
    id: ItemId,
    recorded: &str,
    current: Option<(&str, usize, usize)>,
    artifact: Artifact,
    closed: bool,
    problems: &mut Vec<Finding>,
    warnings: &mut Vec<Finding>,
) {
    let (finding, changed) = match current {
        Some((sha, line, column)) if sha != recorded => (
            Finding::new(
                Position::new(artifact.file_name(), line, column),
                format!("{id} was changed after it was recorded"),
            ),
            true,
        ),
        None => (
            Finding::new(
                Position::file(artifact.file_name()),
                format!("{id} was recorded but has been deleted"),
            ),
            true,
        ),
        _ => (Finding::new(Position::file(""), ""), false),
    };
    if changed {
        if closed {
            problems.push(finding)
        } else {
            warnings.push(finding)
        }
    }
}

/// The text of the design the latest Gate 2 approval holds (from `objects/`): the left side of
/// reconciliation and of every design-vs-as-built diff.
pub fn approved_design_text<'a>(e: &'a Engagement, ev: &Evaluation) -> Option<&'a str> {
    ev.gates[1]
        .approval
        .as_ref()
        .and_then(|a| a.artifact(Artifact::Design.file_name()))
        .and_then(|r| e.snapshots.get(&r.sha256))
        .map(String::as_str)
}

/// Closing conditions (DESIGN §3 Closing) that do not hold, each with where to look.
pub fn unmet_close_conditions(e: &Evaluation, accept_design_changes: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in e.required_components() {
        if c.status != ComponentStatus::Validated {
            out.push(Finding::new(
                c.position.clone(),
                format!("{} is {}, not validated", c.id, c.status.as_str()),
            ));
        }
    }
    match &e.reconciliation {
        None => out.push(Finding::new(
            Position::file(Artifact::AsBuilt.file_name()),
            "no reconciliation: as-built.md or the approved design snapshot is missing",
        )),
        Some(r) => {
            for h in r.hunks.iter().filter(|h| !h.is_explained()) {
                let names: Vec<String> = h.unexplained.iter().map(ToString::to_string).collect();
                out.push(Finding::new(
                    h.position.clone(),
                    format!(
                        "unexplained change: no deviation names {}",
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    for d in e
        .deviations
        .iter()
        .filter(|d| d.impact == Some(Impact::ScopeChange))
    {
        if !e.amendments.iter().any(|a| a.deviation == Some(d.id)) {
            out.push(Finding::new(
                Position::new(Artifact::AsBuilt.file_name(), d.line, d.column),
                format!("{} is a scope-change with no amendment in customer-spec.md (`- AMD-n ({}): …`)", d.id, d.id),
            ));
        }
    }
    if !accept_design_changes {
        for d in unfollowed_design_changes(e) {
            out.push(Finding::new(
                Position::new(Artifact::AsBuilt.file_name(), d.line, d.column),
                format!("{} is a design-change with no later Gate 2 re-approval (re-approve, or close with --reason to accept it)", d.id),
            ));
        }
    }
    out
}

/// Design-change deviations not followed by a Gate 2 approval.
pub fn unfollowed_design_changes(e: &Evaluation) -> Vec<&Deviation> {
    e.deviations
        .iter()
        .filter(|d| d.impact == Some(Impact::DesignChange))
        .filter(|d| {
            let recorded = e.replay.deviations.get(&d.id).map(|r| r.seq);
            !recorded.is_some_and(|seq| e.replay.gate2.approval_seqs.iter().any(|a| *a > seq))
        })
        .collect()
}

/// The next thing to do, in one line.
pub fn next_action(e: &Evaluation) -> String {
    for g in &e.gates {
        if g.state == GateState::Stale {
            return format!(
                "Gate {n} is stale ({}): re-approve it (`phasegate gate {n} approve`) or restore the approved text",
                g.stale
                    .iter()
                    .map(|s| s.file.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                n = g.gate.number()
            );
        }
    }
    let first_failure = |gate: GateId| {
        e.criteria_of(gate)
            .find(|c| c.result == CriterionResult::Fail)
            .map(|c| {
                format!(
                    "fix {} at {}: {}",
                    c.def.id,
                    c.position().map(ToString::to_string).unwrap_or_default(),
                    c.message()
                )
            })
    };
    match e.phase {
        Phase::Requirements => first_failure(GateId::One)
            .unwrap_or_else(|| "review Gate 1 (`phasegate gate 1 approve --check …`)".into()),
        Phase::Feasibility => {
            let findings = match (e.doc(Artifact::Spec), e.doc(Artifact::Feasibility)) {
                (Some(s), Some(f)) => criteria::feasibility_findings(s, f),
                _ => vec![Finding::new(
                    Position::file(Artifact::Feasibility.file_name()),
                    "feasibility.md is missing",
                )],
            };
            match findings.first() {
                Some(f) => format!("assess feasibility: {f}"),
                None => "complete feasibility (`phasegate feasibility-complete`)".into(),
            }
        }
        Phase::Design => first_failure(GateId::Two)
            .unwrap_or_else(|| "review Gate 2 (`phasegate gate 2 approve --check …`)".into()),
        Phase::Build => {
            for id in &e.build_order.order {
                if let Some(c) = e.component(*id).filter(|c| !c.removed) {
                    match c.status {
                        ComponentStatus::Pending => {
                            return format!("build {id} (`phasegate component {id} built`)");
                        }
                        ComponentStatus::Built => {
                            return format!("validate {id} (`phasegate component {id} validated`)");
                        }
                        ComponentStatus::Validated => {}
                    }
                }
            }
            "complete the build (`phasegate build-complete`)".into()
        }
        Phase::AsBuilt => match unmet_close_conditions(e, false).first() {
            Some(f) => format!("reconcile: {f}"),
            None => "close the engagement (`phasegate close`)".into(),
        },
        Phase::Closed => "nothing: the engagement is closed".into(),
    }
}

/// A criterion's result as the status shows it: the live auto result, or what the approval in
/// force recorded for manual and waived ones.
pub fn shown_result(e: &Engagement, gate: &GateStatus, c: &CriterionEval) -> CriterionResult {
    if c.result == CriterionResult::Pass {
        return c.result;
    }
    let Some(approval) = &gate.approval else {
        return c.result;
    };
    let recorded = e
        .journal
        .events
        .iter()
        .find(|ev| ev.seq == approval.seq)
        .and_then(|ev| match &ev.body {
            super::journal::EventBody::GateApproved(g) => g
                .criteria
                .iter()
                .find(|r| r.id == c.def.id)
                .map(|r| r.result),
            _ => None,
        });
    match recorded {
        Some(r @ (CriterionResult::Checked | CriterionResult::Waived)) => r,
        _ => c.result,
    }
}

/// Where a gate's approvals stand on the engagement's current text.
pub fn gate_quorum(e: &Engagement, ev: &Evaluation, gate: GateId) -> GateQuorum {
    let approvals = on_current_text(gate, &ev.replay.gate(gate).pending, &ev.artifact_records());
    let needed = e.meta.policy.approvals.of(gate);
    GateQuorum {
        tally: tally(&e.meta.roles, gate, needed, &approvals),
        asked: needed > 1 || !e.meta.roles.required(gate).is_empty(),
        approvals,
    }
}

pub fn require_new_approver(
    e: &Engagement,
    ev: &Evaluation,
    gate: GateId,
    actor: &str,
) -> Result<(), String> {
    let q = gate_quorum(e, ev, gate);
    if q.approvals.iter().any(|a| fold(&a.actor) == fold(actor)) {
        return Err(format!(
            "{actor} already approved Gate {} on this text ({}); the quorum needs another approver",
            gate.number(),
            q.describe(&e.meta.roles)
        ));
    }
    Ok(())
}
