//! The rules of DESIGN §3 as transitions: each checks the engagement and either returns the
//! event to append or refuses with the rule and the positions that break it. The CLI and the TUI
//! both go through these functions.

use std::fmt;

use super::allowed_signers::fold;
use super::artifact::Artifact;
use super::criteria::{CriterionDef, CriterionKind};
use super::engagement::Engagement;
use super::evaluate::{
    Evaluation, GateState, GateStatus, gate_evidence, unfollowed_design_changes,
    unmet_close_conditions,
};
use super::ids::{IdPrefix, ItemId};
use super::journal::{
    BoundItem, BuildRecord, ComponentStatus, CriterionRecord, CriterionResult, EventBody, GateId,
    GateRecord,
};
use super::markdown;
use super::meta::Policy;
use super::phase::{Phase, Replay};
use super::position::{Finding, Position};
use super::records::{self, DeviationTarget, Impact};

/// Why an action was not taken. `usage` marks a malformed request (CLI exit 2) rather than a
/// rule that does not hold (exit 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule: String,
    pub findings: Vec<Finding>,
    pub usage: bool,
}

impl Refusal {
    pub fn rule(rule: impl Into<String>) -> Refusal {
        Refusal {
            rule: rule.into(),
            findings: Vec::new(),
            usage: false,
        }
    }
    pub fn usage(message: impl Into<String>) -> Refusal {
        Refusal {
            rule: message.into(),
            findings: Vec::new(),
            usage: true,
        }
    }
    pub fn with(mut self, findings: impl IntoIterator<Item = Finding>) -> Refusal {
        self.findings.extend(findings);
        self
    }
}

impl Refusal {
    /// The rule, saying "refused:" once (store refusals carry it in their text already).
    pub fn headline(&self) -> String {
        let rule = self.rule.strip_prefix("refused: ").unwrap_or(&self.rule);
        format!("refused: {rule}")
    }

    /// The headline and every finding on its own indented line, each finding shown by `show`
    /// (the CLI names it under the engagement directory, the MCP server as it is): what a
    /// refusal prints where there is room for all of it.
    pub fn block(&self, show: impl Fn(&Finding) -> String) -> String {
        let mut out = self.headline();
        for f in &self.findings {
            out.push_str("\n  ");
            out.push_str(&show(f));
        }
        out
    }

    /// One line, as a toast or a form shows it: the headline, the first finding and how many
    /// more there are.
    pub fn line(&self) -> String {
        let mut out = self.headline();
        if let Some(f) = self.findings.first() {
            out.push_str(&format!(" — {f}"));
            if self.findings.len() > 1 {
                out.push_str(&format!(" (+{} more)", self.findings.len() - 1));
            }
        }
        out
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.rule)?;
        for finding in &self.findings {
            write!(f, "\n  {finding}")?;
        }
        Ok(())
    }
}

/// A reviewer's input for a gate decision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateReview {
    /// Manual criteria the reviewer ticked.
    pub checks: Vec<String>,
    /// Criteria waived, with the reason.
    pub waivers: Vec<(String, String)>,
    pub note: String,
}

fn engagement_file() -> Position {
    Position::file(super::meta::ENGAGEMENT_FILE)
}

/// A gate that does not hold blocks every forward transition after it.
fn require_gates_hold(ev: &Evaluation, gates: &[GateId], action: &str) -> Result<(), Refusal> {
    require_gates_hold_in(&ev.gates, gates, action)
}

/// `require_gates_hold` on given gate states (`check` replays it on the hashes an event
/// recorded).
pub fn require_gates_hold_in(
    states: &[GateStatus],
    gates: &[GateId],
    action: &str,
) -> Result<(), Refusal> {
    for gate in gates {
        let Some(status) = states.iter().find(|s| s.gate == *gate) else {
            continue;
        };
        if !status.holds() {
            let findings: Vec<Finding> = status
                .stale
                .iter()
                .map(|s| Finding::new(Position::file(s.file.clone()), "changed after approval"))
                .collect();
            return Err(Refusal::rule(format!(
                "cannot {action}: Gate {} is {}",
                gate.number(),
                status.state.as_str()
            ))
            .with(findings));
        }
    }
    Ok(())
}

fn require_phase(ev: &Evaluation, phases: &[Phase], action: &str) -> Result<(), Refusal> {
    if phases.contains(&ev.phase) {
        Ok(())
    } else {
        let names: Vec<&str> = phases.iter().map(|p| p.title()).collect();
        Err(Refusal::rule(format!(
            "cannot {action} in the {} phase (only in {})",
            ev.phase.title(),
            names.join(" or ")
        )))
    }
}

/// Every owner the engagement has had up to now (the current one last) and the policy in
/// force, as the journal records them. A journal written before phasegate recorded the owner
/// falls back on `engagement.toml`'s.
pub fn owners_and_policy(e: &Engagement, replay: &Replay) -> (Vec<String>, Policy) {
    let mut owners = replay.owners.clone();
    if replay.owner.is_none() && !owners.contains(&e.meta.owner) {
        owners.push(e.meta.owner.clone());
    }
    (owners, replay.policy.unwrap_or(e.meta.policy))
}

/// Four eyes: under `distinct_approver`, nobody who owns or has owned the engagement may
/// approve a gate or close it, so handing ownership to someone else for a moment frees no one.
pub fn require_distinct(
    owners: &[String],
    policy: Policy,
    who: &str,
    action: &str,
) -> Result<(), Refusal> {
    // Trimmed and case-folded: `Alice` and `alice ` are the owner `alice`.
    if !policy.distinct_approver || !owners.iter().any(|o| fold(o) == fold(who)) {
        return Ok(());
    }
    let verb = if owners.last().is_some_and(|o| fold(o) == fold(who)) {
        "owns"
    } else {
        "has owned"
    };
    Err(Refusal::rule(format!(
        "{who} {verb} this engagement and cannot {action}: [policy] distinct_approver = true asks for a second person"
    ))
    .with(
        owners
            .last()
            .map(|o| Finding::new(engagement_file(), format!("owner = \"{o}\""))),
    ))
}

/// Nothing is appended while `engagement.toml`'s owner or `[policy]` differs from what the
/// journal records: a decision is always judged by a recorded owner and policy.
pub fn require_policy_recorded(e: &Engagement, replay: &Replay) -> Result<(), Refusal> {
    let mut changes = Vec::new();
    if let Some(owner) = &replay.owner
        && *owner != e.meta.owner
    {
        changes.push(format!("owner {owner} → {}", e.meta.owner));
    }
    if let Some(policy) = replay.policy {
        changes.extend(
            policy_changes(policy, e.meta.policy)
                .into_iter()
                .map(|(name, was, now)| format!("{name} {was} → {now}")),
        );
    }
    if changes.is_empty() {
        return Ok(());
    }
    Err(Refusal::rule(format!(
        "engagement.toml changes what the journal records ({}, recorded at event {}): record the change first (`phasegate record-policy --reason …`) or restore engagement.toml",
        changes.join(", "),
        replay.policy_seq
    ))
    .with([Finding::new(engagement_file(), "differs from the journal")]))
}

/// What differs between two policies: each field's name, old and new value.
pub fn policy_changes(was: Policy, now: Policy) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if was.distinct_approver != now.distinct_approver {
        out.push((
            "distinct_approver".to_string(),
            was.distinct_approver.to_string(),
            now.distinct_approver.to_string(),
        ));
    }
    if was.signatures != now.signatures {
        out.push((
            "signatures".to_string(),
            format!("\"{}\"", was.signatures.as_str()),
            format!("\"{}\"", now.signatures.as_str()),
        ));
    }
    for gate in [GateId::One, GateId::Two] {
        let (a, b) = (was.approvals.of(gate), now.approvals.of(gate));
        if a != b {
            out.push((
                format!("approvals.gate{}", gate.number()),
                a.to_string(),
                b.to_string(),
            ));
        }
    }
    out
}

/// `[policy]` is fixed once Gate 1 holds an approval (DESIGN §3); the owner may change.
pub fn require_policy_change_allowed(replay: &Replay, policy: Policy) -> Result<(), Refusal> {
    if replay.phase == Phase::Closed {
        return Err(Refusal::rule("the engagement is closed"));
    }
    if let (Some(approval), Some(in_force)) = (&replay.gate1.approval, replay.policy)
        && in_force != policy
    {
        return Err(Refusal::rule(format!(
            "[policy] cannot change after Gate 1 was approved (event {}): restore {} in engagement.toml, or reopen Gate 1 first",
            approval.seq,
            policy_changes(in_force, policy)
                .into_iter()
                .map(|(name, was, _)| format!("{name} = {was}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .with([Finding::new(engagement_file(), "[policy] changed")]));
    }
    Ok(())
}

/// Records `engagement.toml`'s current owner and policy as the ones in force.
pub fn record_policy(e: &Engagement, ev: &Evaluation, reason: &str) -> Result<EventBody, Refusal> {
    let reason = one_line("--reason", reason)?;
    let r = &ev.replay;
    if r.owner.as_deref() == Some(e.meta.owner.as_str()) && r.policy == Some(e.meta.policy) {
        return Err(Refusal::rule(format!(
            "owner and [policy] are already recorded as engagement.toml has them (event {})",
            r.policy_seq
        )));
    }
    require_policy_change_allowed(r, e.meta.policy)?;
    Ok(EventBody::PolicyChanged {
        owner: e.meta.owner.clone(),
        policy: e.meta.policy,
        reason,
    })
}

/// The rule a gate approval's recorded criteria must satisfy: every required criterion is
/// recorded, each passes, is checked or is waived with a reason, and no hard one is waived.
pub fn criteria_admit_approval(
    gate: GateId,
    records: &[CriterionRecord],
    required: &[CriterionDef],
) -> Result<(), Refusal> {
    let mut blocking = Vec::new();
    let at = || Position::gate(gate.number());
    for def in required {
        if !records.iter().any(|r| r.id == def.id) {
            blocking.push(Finding::new(
                at(),
                format!("{} has no recorded result", def.id),
            ));
        }
    }
    for r in records {
        let hard = required.iter().any(|d| d.id == r.id && d.hard);
        if !r.result.admits_approval() {
            blocking.push(Finding::new(
                at(),
                format!("{} is {}", r.id, r.result.as_str()),
            ));
        } else if r.result == CriterionResult::Waived && hard {
            blocking.push(Finding::new(
                at(),
                format!("{} is a hard criterion and cannot be waived", r.id),
            ));
        } else if r.result == CriterionResult::Waived
            && r.reason.as_deref().is_none_or(|x| x.trim().is_empty())
        {
            blocking.push(Finding::new(
                at(),
                format!("{} is waived without a reason", r.id),
            ));
        }
    }
    if blocking.is_empty() {
        Ok(())
    } else {
        Err(Refusal::rule(format!(
            "Gate {} cannot be approved: criteria do not pass",
            gate.number()
        ))
        .with(blocking))
    }
}

/// Whether the gate can be decided now: it is the gate ahead, or it holds an approval that no
/// longer holds (stale or rejected on re-review).
fn require_decidable(ev: &Evaluation, gate: GateId) -> Result<(), Refusal> {
    let status = ev.gate(gate);
    let ahead = match gate {
        GateId::One => ev.phase == Phase::Requirements,
        GateId::Two => ev.phase == Phase::Design,
    };
    if ev.phase == Phase::Closed {
        return Err(Refusal::rule("the engagement is closed"));
    }
    if ahead || (status.approval.is_some() && status.state != GateState::Approved) {
        return Ok(());
    }
    if status.state == GateState::Approved {
        return Err(Refusal::rule(format!(
            "Gate {} is already approved on the current text",
            gate.number()
        )));
    }
    Err(Refusal::rule(format!(
        "Gate {} is not ahead: the engagement is in the {} phase",
        gate.number(),
        ev.phase.title()
    )))
}

/// A malformed review (unknown or auto IDs, a waiver without reason) is a usage error, reported
/// before any rule is looked at.
fn validate_review(ev: &Evaluation, gate: GateId, review: &GateReview) -> Result<(), Refusal> {
    let defs: Vec<_> = ev.criteria_of(gate).collect();
    for id in &review.checks {
        match defs.iter().find(|c| &c.def.id == id) {
            None => {
                return Err(Refusal::usage(format!(
                    "--check {id}: Gate {} has no criterion {id}",
                    gate.number()
                )));
            }
            Some(c) if c.def.kind == CriterionKind::Auto => {
                return Err(Refusal::usage(format!(
                    "--check {id}: {id} is computed automatically; only manual criteria can be checked"
                )));
            }
            Some(_) => {}
        }
    }
    for (id, reason) in &review.waivers {
        match defs.iter().find(|c| &c.def.id == id) {
            None => {
                return Err(Refusal::usage(format!(
                    "--waive {id}: Gate {} has no criterion {id}",
                    gate.number()
                )));
            }
            Some(_) if reason.trim().is_empty() => {
                return Err(Refusal::usage(format!(
                    "--waive {id}=REASON: a waiver needs a reason"
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Every criterion's result under the review, with the positions of what blocks approval.
fn criterion_results(
    ev: &Evaluation,
    gate: GateId,
    review: &GateReview,
) -> Result<(Vec<CriterionRecord>, Vec<Finding>), Refusal> {
    let defs: Vec<_> = ev.criteria_of(gate).collect();
    for (id, _) in &review.waivers {
        if let Some(c) = defs.iter().find(|c| &c.def.id == id).filter(|c| c.def.hard) {
            return Err(
                Refusal::rule(format!("{id} is a hard criterion and cannot be waived"))
                    .with(c.failures.iter().cloned()),
            );
        }
    }
    let mut records = Vec::new();
    let mut blocking: Vec<Finding> = Vec::new();
    for c in defs {
        let waiver = review.waivers.iter().find(|(id, _)| *id == c.def.id);
        let checked = review.checks.contains(&c.def.id);
        let (result, reason) = match (c.result, waiver, checked) {
            (CriterionResult::Pass, _, _) => (CriterionResult::Pass, None),
            (_, Some((_, reason)), _) => (CriterionResult::Waived, Some(reason.clone())),
            (CriterionResult::Unchecked, None, true) => (CriterionResult::Checked, None),
            (other, None, _) => (other, None),
        };
        if !result.admits_approval() {
            if c.failures.is_empty() {
                blocking.push(Finding::new(
                    Position::gate(gate.number()),
                    format!("{} not checked: {}", c.def.id, c.def.text),
                ));
            } else {
                blocking.extend(c.failures.iter().map(|f| {
                    Finding::new(f.position.clone(), format!("{}: {}", c.def.id, f.message))
                }));
            }
        }
        records.push(CriterionRecord {
            id: c.def.id.clone(),
            result,
            reason,
        });
    }
    Ok((records, blocking))
}

fn gate_prerequisites(ev: &Evaluation, gate: GateId) -> Result<(), Refusal> {
    require_decidable(ev, gate)?;
    if gate == GateId::Two {
        require_gates_hold(ev, &[GateId::One], "decide Gate 2")?;
        if ev.replay.feasibility_completed.is_none() {
            return Err(Refusal::rule(
                "cannot decide Gate 2: feasibility is not completed",
            ));
        }
    }
    for artifact in gate_evidence(gate) {
        if !ev.hashes.contains_key(artifact) {
            return Err(Refusal::rule(format!(
                "cannot decide Gate {}: {} is missing",
                gate.number(),
                artifact.file_name()
            ))
            .with([Finding::new(
                Position::file(artifact.file_name()),
                "missing",
            )]));
        }
    }
    Ok(())
}

pub fn approve_gate(
    e: &Engagement,
    ev: &Evaluation,
    gate: GateId,
    review: &GateReview,
    approver: &str,
) -> Result<EventBody, Refusal> {
    validate_review(ev, gate, review)?;
    gate_prerequisites(ev, gate)?;
    let (owners, policy) = owners_and_policy(e, &ev.replay);
    require_distinct(
        &owners,
        policy,
        approver,
        &format!("approve Gate {}", gate.number()),
    )?;
    let (criteria, blocking) = criterion_results(ev, gate, review)?;
    let defs: Vec<CriterionDef> = ev.criteria_of(gate).map(|c| c.def.clone()).collect();
    // The same rule `check` replays on the recorded results; the positions say where to look.
    criteria_admit_approval(gate, &criteria, &defs).map_err(|refusal| {
        if blocking.is_empty() {
            refusal
        } else {
            Refusal {
                findings: blocking,
                ..refusal
            }
        }
    })?;
    Ok(EventBody::GateApproved(GateRecord {
        gate,
        reason: None,
        note: review.note.clone(),
        policy: e.meta.policy,
        artifacts: ev.artifact_records(),
        criteria,
    }))
}

pub fn reject_gate(
    e: &Engagement,
    ev: &Evaluation,
    gate: GateId,
    review: &GateReview,
    reason: &str,
) -> Result<EventBody, Refusal> {
    if reason.trim().is_empty() {
        return Err(Refusal::usage("a rejection needs --reason"));
    }
    validate_review(ev, gate, review)?;
    gate_prerequisites(ev, gate)?;
    let (criteria, _) = criterion_results(ev, gate, review)?;
    Ok(EventBody::GateRejected(GateRecord {
        gate,
        reason: Some(reason.trim().to_string()),
        note: review.note.clone(),
        policy: e.meta.policy,
        artifacts: ev.artifact_records(),
        criteria,
    }))
}

pub fn reopen_gate(
    e: &Engagement,
    ev: &Evaluation,
    gate: GateId,
    reason: &str,
) -> Result<EventBody, Refusal> {
    if reason.trim().is_empty() {
        return Err(Refusal::usage("reopening a gate needs --reason"));
    }
    if ev.phase == Phase::Closed {
        return Err(Refusal::rule("the engagement is closed"));
    }
    if ev.gate(gate).approval.is_none() {
        return Err(Refusal::rule(format!(
            "Gate {} is not approved, so there is nothing to reopen",
            gate.number()
        )));
    }
    Ok(EventBody::GateReopened {
        gate,
        reason: reason.trim().to_string(),
        policy: e.meta.policy,
        artifacts: ev.artifact_records(),
    })
}

pub fn complete_feasibility(e: &Engagement, ev: &Evaluation) -> Result<EventBody, Refusal> {
    require_phase(ev, &[Phase::Feasibility], "complete feasibility")?;
    require_gates_hold(ev, &[GateId::One], "complete feasibility")?;
    let (Some(spec), Some(feas)) = (ev.doc(Artifact::Spec), ev.doc(Artifact::Feasibility)) else {
        return Err(
            Refusal::rule("cannot complete feasibility: feasibility.md is missing").with([
                Finding::new(Position::file(Artifact::Feasibility.file_name()), "missing"),
            ]),
        );
    };
    let mut findings = super::criteria::section_findings(Artifact::Feasibility, feas);
    findings.extend(super::criteria::feasibility_findings(spec, feas));
    if !findings.is_empty() {
        return Err(Refusal::rule("feasibility is not complete: every requirement needs a verdict and none may be `conflict`").with(findings));
    }
    Ok(EventBody::FeasibilityCompleted {
        policy: e.meta.policy,
        artifacts: ev.artifact_records(),
    })
}

pub fn set_component_status(
    e: &Engagement,
    ev: &Evaluation,
    id: ItemId,
    status: ComponentStatus,
) -> Result<EventBody, Refusal> {
    if id.prefix != IdPrefix::Comp {
        return Err(Refusal::usage(format!(
            "{id} is not a component ID (COMP-n)"
        )));
    }
    require_phase(
        ev,
        &[Phase::Build, Phase::AsBuilt],
        &format!("mark {id} {}", status.as_str()),
    )?;
    require_gates_hold(
        ev,
        &[GateId::One, GateId::Two],
        &format!("mark {id} {}", status.as_str()),
    )?;
    let Some(component) = ev.component(id) else {
        return Err(Refusal::rule(format!(
            "{id} is not a component of the approved design or the as-built"
        )));
    };
    let waiting: Vec<ItemId> = component
        .depends_on
        .iter()
        .filter(|d| {
            ev.component(**d)
                .is_some_and(|c| c.status == ComponentStatus::Pending && !c.removed)
        })
        .copied()
        .collect();
    let dependencies_at = depends_on_position(ev, id).unwrap_or_else(|| component.position.clone());
    component_step(
        id,
        status,
        component.status,
        &waiting,
        (&component.position, &dependencies_at),
    )?;
    Ok(EventBody::ComponentStatus {
        component: id,
        status,
        policy: e.meta.policy,
        artifacts: ev.artifact_records(),
    })
}

/// Build order: a component is built once, after every dependency (`waiting`: those still
/// pending), and validated only once built. `at` is where the component and its `depends-on:`
/// stand.
pub fn component_step(
    id: ItemId,
    status: ComponentStatus,
    current: ComponentStatus,
    waiting: &[ItemId],
    at: (&Position, &Position),
) -> Result<(), Refusal> {
    match status {
        ComponentStatus::Pending => Err(Refusal::usage("a component status is built or validated")),
        ComponentStatus::Built if current != ComponentStatus::Pending => Err(Refusal::rule(
            format!("{id} is already {}", current.as_str()),
        )),
        ComponentStatus::Built if !waiting.is_empty() => {
            let names: Vec<String> = waiting.iter().map(ToString::to_string).collect();
            Err(Refusal::rule(format!(
                "{id} cannot be built before its dependencies: {} not built yet (build order: leaves first)",
                names.join(", ")
            ))
            .with([Finding::new(at.1.clone(), format!("{id} depends-on {}", names.join(", ")))]))
        }
        ComponentStatus::Validated if current != ComponentStatus::Built => {
            Err(Refusal::rule(format!(
                "{id} must be built before it is validated (it is {})",
                current.as_str()
            ))
            .with([Finding::new(
                at.0.clone(),
                format!("{id} is {}", current.as_str()),
            )]))
        }
        _ => Ok(()),
    }
}

/// Every component of the contract must be validated before the build completes.
pub fn require_all_validated<'a>(
    components: impl IntoIterator<Item = (ItemId, ComponentStatus, &'a Position)>,
) -> Result<(), Refusal> {
    let pending: Vec<Finding> = components
        .into_iter()
        .filter(|(_, status, _)| *status != ComponentStatus::Validated)
        .map(|(id, status, at)| Finding::new(at.clone(), format!("{id} is {}", status.as_str())))
        .collect();
    if pending.is_empty() {
        Ok(())
    } else {
        Err(
            Refusal::rule("the build is not complete: every component must be validated")
                .with(pending),
        )
    }
}

/// Recording an item again is refused while its text is unchanged since it was recorded.
pub fn require_not_recorded(replay: &Replay, id: ItemId, text_sha256: &str) -> Result<(), Refusal> {
    let recorded = replay
        .deviations
        .get(&id)
        .or_else(|| replay.amendments.get(&id));
    match recorded {
        Some(r) if r.text_sha256 == text_sha256 => Err(Refusal::rule(format!(
            "{id} is already recorded at event {}, unchanged",
            r.seq
        ))),
        _ => Ok(()),
    }
}

/// Where a component's `depends-on:` line stands, in the current design when it has the same
/// component (the file an engineer would open).
fn depends_on_position(ev: &Evaluation, id: ItemId) -> Option<Position> {
    ev.design_components
        .iter()
        .find(|c| c.id == id)
        .and_then(|c| c.depends_on.as_ref())
        .map(|f| Position::new(Artifact::Design.file_name(), f.line, f.column))
}

pub fn complete_build(e: &Engagement, ev: &Evaluation) -> Result<EventBody, Refusal> {
    require_phase(ev, &[Phase::Build], "complete the build")?;
    require_gates_hold(ev, &[GateId::One, GateId::Two], "complete the build")?;
    require_all_validated(
        ev.required_components()
            .map(|c| (c.id, c.status, &c.position)),
    )?;
    Ok(EventBody::BuildCompleted {
        policy: e.meta.policy,
        artifacts: ev.artifact_records(),
    })
}

pub fn close(
    e: &Engagement,
    ev: &Evaluation,
    closer: &str,
    reason: Option<&str>,
) -> Result<EventBody, Refusal> {
    require_phase(ev, &[Phase::AsBuilt], "close the engagement")?;
    require_gates_hold(ev, &[GateId::One, GateId::Two], "close the engagement")?;
    let (owners, policy) = owners_and_policy(e, &ev.replay);
    require_distinct(&owners, policy, closer, "close the engagement")?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let unmet = unmet_close_conditions(ev, reason.is_some());
    if !unmet.is_empty() {
        return Err(Refusal::rule("the engagement cannot be closed yet").with(unmet));
    }
    let accepted: Vec<ItemId> = if reason.is_some() {
        unfollowed_design_changes(ev).iter().map(|d| d.id).collect()
    } else {
        Vec::new()
    };
    let items = ev
        .deviations
        .iter()
        .map(|d| BoundItem {
            id: d.id,
            sha256: d.text_sha256.clone(),
        })
        .chain(ev.amendments.iter().map(|a| BoundItem {
            id: a.id,
            sha256: a.text_sha256.clone(),
        }))
        .collect();
    Ok(EventBody::Closed {
        reason: reason.map(str::to_string),
        accepted,
        items,
        policy: e.meta.policy,
        artifacts: ev.artifact_records(),
        build: Some(
            e.build_files
                .iter()
                .filter_map(|f| {
                    f.sha256.as_ref().map(|sha| BuildRecord {
                        path: f.path.clone(),
                        sha256: sha.clone(),
                    })
                })
                .collect(),
        ),
    })
}

fn one_line(field: &str, value: &str) -> Result<String, Refusal> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Refusal::usage(format!("{field} is empty")));
    }
    if v.contains('\n') {
        return Err(Refusal::usage(format!("{field} must be one line")));
    }
    Ok(v.to_string())
}

/// Inserts `line` as the last item of section `name` (created at the end of the file when
/// missing), keeping the section's trailing blank lines and everything after it.
pub fn append_to_section(text: &str, name: &str, line: &str) -> String {
    let doc = markdown::parse(text);
    let mut lines: Vec<&str> = markdown::lines(text).collect();
    let had_final_newline = text.ends_with('\n');
    if had_final_newline {
        lines.pop();
    }
    match doc.section(name) {
        Some(section) => {
            let mut at = section.body.end.min(lines.len());
            while at > section.heading_line
                && lines.get(at - 1).is_some_and(|l| l.trim().is_empty())
            {
                at -= 1;
            }
            lines.insert(at, line);
        }
        None => {
            while lines.last().is_some_and(|l| l.trim().is_empty()) {
                lines.pop();
            }
            lines.push("");
            let heading = format!("## {name}");
            let mut out = lines.join("\n");
            out.push('\n');
            out.push_str(&heading);
            out.push('\n');
            out.push_str(line);
            out.push('\n');
            return out;
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// A deviation written into `as-built.md` and the event that records it.
pub fn add_deviation(
    e: &Engagement,
    ev: &Evaluation,
    target: DeviationTarget,
    impact: Impact,
    what: &str,
    why: &str,
) -> Result<(String, EventBody), Refusal> {
    require_phase(ev, &[Phase::Build, Phase::AsBuilt], "record a deviation")?;
    let what = one_line("--what", what)?;
    let why = one_line("--why", why)?;
    let Some(as_built) = e.texts.get(&Artifact::AsBuilt) else {
        return Err(Refusal::rule(
            "as-built.md is missing (it is created at the first Gate 2 approval)",
        ));
    };
    if let DeviationTarget::Component(id) = target {
        let in_as_built = ev
            .doc(Artifact::AsBuilt)
            .is_some_and(|d| d.items.iter().any(|i| i.id == id));
        if ev.component(id).is_none() && !in_as_built {
            return Err(Refusal::usage(format!(
                "{id} is not a component of the approved design or the as-built"
            )));
        }
    }
    let id = records::next_id(IdPrefix::Dev, ev.docs.values());
    let line = format!("- {id} ({target}, {impact}): {what} — {why}");
    let new_text = append_to_section(as_built, "Deviations", &line);
    let body = record_event_for(&new_text, id, Artifact::AsBuilt)?;
    Ok((new_text, body))
}

/// An amendment written into the spec's Amendments section and the event that records it.
pub fn add_amendment(
    e: &Engagement,
    ev: &Evaluation,
    deviation: ItemId,
    text: &str,
) -> Result<(String, EventBody), Refusal> {
    if ev.phase == Phase::Closed || ev.phase < Phase::Feasibility {
        return Err(Refusal::rule(
            "amendments are recorded after Gate 1 and before the close",
        ));
    }
    let text = one_line("--text", text)?;
    if !ev.deviations.iter().any(|d| d.id == deviation) {
        return Err(Refusal::usage(format!(
            "{deviation} is not a deviation in as-built.md"
        )));
    }
    let Some(spec) = e.texts.get(&Artifact::Spec) else {
        return Err(Refusal::rule("customer-spec.md is missing"));
    };
    let id = records::next_id(IdPrefix::Amd, ev.docs.values());
    let new_text = append_to_section(spec, "Amendments", &format!("- {id} ({deviation}): {text}"));
    let body = record_event_for(&new_text, id, Artifact::Spec)?;
    Ok((new_text, body))
}

/// The event that records an item already written in the Markdown (by phasegate or by hand).
pub fn record_event_for(text: &str, id: ItemId, artifact: Artifact) -> Result<EventBody, Refusal> {
    let doc = markdown::parse(text);
    match id.prefix {
        IdPrefix::Dev => {
            let d = records::deviations(&doc)
                .into_iter()
                .find(|d| d.id == id)
                .ok_or_else(|| {
                    Refusal::usage(format!(
                        "{id} is not in the Deviations section of {}",
                        artifact.file_name()
                    ))
                })?;
            let (Some(target), Some(impact)) = (d.target, d.impact) else {
                return Err(Refusal::rule(d.problem.clone().unwrap_or_default()).with([
                    Finding::new(
                        Position::new(artifact.file_name(), d.line, d.column),
                        "malformed deviation",
                    ),
                ]));
            };
            Ok(EventBody::DeviationRecorded {
                id,
                target,
                impact,
                text_sha256: d.text_sha256,
            })
        }
        IdPrefix::Amd => {
            let a = records::amendments(&doc)
                .into_iter()
                .find(|a| a.id == id)
                .ok_or_else(|| {
                    Refusal::usage(format!(
                        "{id} is not in the Amendments section of {}",
                        artifact.file_name()
                    ))
                })?;
            let deviation = a.deviation.ok_or_else(|| {
                Refusal::rule(format!(
                    "{id} names no deviation: write `- {id} (DEV-n): …`"
                ))
                .with([Finding::new(
                    Position::new(artifact.file_name(), a.line, a.column),
                    "malformed amendment",
                )])
            })?;
            Ok(EventBody::AmendmentRecorded {
                id,
                deviation,
                text_sha256: a.text_sha256,
            })
        }
        _ => Err(Refusal::usage(format!(
            "{id}: only deviations and amendments are recorded"
        ))),
    }
}

/// Records a hand-written deviation or amendment already in the Markdown.
pub fn record_written_item(
    e: &Engagement,
    ev: &Evaluation,
    id: ItemId,
) -> Result<EventBody, Refusal> {
    let artifact = if id.prefix == IdPrefix::Amd {
        Artifact::Spec
    } else {
        Artifact::AsBuilt
    };
    if ev.phase == Phase::Closed {
        return Err(Refusal::rule("the engagement is closed"));
    }
    let text = e
        .texts
        .get(&artifact)
        .ok_or_else(|| Refusal::rule(format!("{} is missing", artifact.file_name())))?;
    let event = record_event_for(text, id, artifact)?;
    if let EventBody::DeviationRecorded { text_sha256, .. }
    | EventBody::AmendmentRecorded { text_sha256, .. } = &event
    {
        require_not_recorded(&ev.replay, id, text_sha256)?;
    }
    Ok(event)
}

/// Why `artifact` may not be edited in `phase` (DESIGN §3 Editing), or `None` when it may: the
/// TUI's editor and the MCP server's `write_artifact` both ask this. `None` for `artifact` is the
/// TUI's `build/` listing.
pub fn edit_refusal(artifact: Option<Artifact>, phase: Phase) -> Option<String> {
    if phase == Phase::Closed {
        return Some("read-only: the engagement is closed".into());
    }
    let Some(artifact) = artifact else {
        return Some(
            "read-only: build/ assets are edited with your own tools; this is a listing".into(),
        );
    };
    let allowed: &[Phase] = match artifact {
        Artifact::Spec => &[Phase::Requirements],
        Artifact::Feasibility => &[Phase::Feasibility],
        Artifact::Design => &[Phase::Feasibility, Phase::Design],
        Artifact::AsBuilt => &[Phase::Build, Phase::AsBuilt],
    };
    if allowed.contains(&phase) {
        return None;
    }
    Some(match artifact {
        Artifact::Spec => format!(
            "read-only: customer-spec.md is edited in Requirements (now {}); after Gate 1 the spec changes through amendments",
            phase.title()
        ),
        Artifact::Feasibility if phase < Phase::Feasibility => {
            "read-only: feasibility.md is edited in Feasibility, after Gate 1 is approved".into()
        }
        Artifact::Design if phase < Phase::Feasibility => {
            "read-only: solution-design.md is drafted from Feasibility on, after Gate 1 is approved"
                .into()
        }
        Artifact::AsBuilt if phase < Phase::Build => {
            "read-only: as-built.md is edited in Build and As-Built, after Gate 2 is approved"
                .into()
        }
        other => format!(
            "read-only: {} is edited in {}; the engagement is in {}",
            other.file_name(),
            other.phase().title(),
            phase.title()
        ),
    })
}

/// Why files under `build/` may not be written in `phase` (DESIGN §3 Editing: `build/` and
/// `as-built.md` in Build and As-Built). The MCP server's `write_build_file` asks this; people
/// use their own tools there, which are never blocked, only detected.
pub fn build_edit_refusal(phase: Phase) -> Option<String> {
    match phase {
        Phase::Build | Phase::AsBuilt => None,
        Phase::Closed => edit_refusal(Some(Artifact::AsBuilt), phase),
        _ => Some(format!(
            "read-only: build/ is written in Build and As-Built, after Gate 2 is approved (now {})",
            phase.title()
        )),
    }
}

/// A request for a gate's review (`review_requested`): not a decision, so it moves nothing and
/// satisfies no rule. Only for a gate that does not hold, once its phase is reached, and not
/// twice on the same texts.
pub fn request_review(ev: &Evaluation, gate: GateId, note: &str) -> Result<EventBody, Refusal> {
    let n = gate.number();
    if ev.phase == Phase::Closed {
        return Err(Refusal::rule(
            "the engagement is closed; there is no gate to review",
        ));
    }
    if ev.gate(gate).holds() {
        return Err(Refusal::rule(format!(
            "Gate {n} is approved and holds; there is nothing to review"
        )));
    }
    if gate == GateId::Two {
        if ev.phase < Phase::Design {
            return Err(Refusal::rule(format!(
                "Gate 2 is reviewed once feasibility is completed, in Design (the engagement is in {})",
                ev.phase.title()
            )));
        }
        require_gates_hold(ev, &[GateId::One], "request Gate 2's review")?;
    }
    let artifacts = ev.artifact_records();
    if let Some(open) = &ev.gate(gate).review_requested
        && open.artifacts == artifacts
    {
        return Err(Refusal::rule(format!(
            "Gate {n}'s review is already requested at event {} by {} on these same texts",
            open.seq, open.actor
        )));
    }
    Ok(EventBody::ReviewRequested {
        gate,
        note: note.trim().to_string(),
        artifacts,
    })
}

/// Whether `who` may decide `gate` now (what `gate approve` checks before the criteria): the
/// gate is decidable and `who` is not the owner under `distinct_approver`. The lead's queue
/// lists exactly these.
pub fn may_decide(e: &Engagement, ev: &Evaluation, gate: GateId, who: &str) -> bool {
    let (owners, policy) = owners_and_policy(e, &ev.replay);
    require_decidable(ev, gate).is_ok() && require_distinct(&owners, policy, who, "decide").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::evaluate::evaluate;
    use crate::domain::journal::{self, Stamp, parse_journal};
    use crate::domain::meta::EngagementMeta;
    use crate::domain::time::Timestamp;
    use std::collections::BTreeMap;

    fn stamp(actor: &str) -> Stamp {
        Stamp {
            at: Timestamp::from_unix(0),
            actor: actor.into(),
            os_user: format!("{actor}@h"),
        }
    }

    /// An engagement in Requirements with `spec` as its spec and `later` appended to the journal.
    fn requirements(spec: &str, later: &[(&str, EventBody)]) -> Engagement {
        let created = EventBody::Created {
            owner: Some("alice".into()),
            policy: Policy::default(),
            templates: vec![],
            baseline: None,
        };
        let mut j = journal::new_journal(&stamp("alice"), &created);
        for (actor, body) in later {
            j = journal::append(&j, &stamp(actor), body).expect("append").0;
        }
        Engagement {
            texts: BTreeMap::from([(Artifact::Spec, spec.to_string())]),
            ..Engagement::new(
                "e",
                EngagementMeta::new("t", "alice", Timestamp::from_unix(0)),
                parse_journal(&j).expect("journal"),
            )
        }
    }

    #[test]
    fn a_review_request_is_recorded_once_per_text_and_decides_nothing() {
        let e = requirements("# S\n", &[]);
        let ev = evaluate(&e);
        let body = request_review(&ev, GateId::One, " please ").expect("gate 1 may be requested");
        let EventBody::ReviewRequested { gate, note, .. } = &body else {
            panic!("{body:?}");
        };
        assert_eq!((*gate, note.as_str()), (GateId::One, "please"));
        let refused = request_review(&ev, GateId::Two, "").unwrap_err();
        assert!(
            refused.rule.contains("once feasibility is completed"),
            "{refused}"
        );

        let e = requirements("# S\n", &[("agent:x", body.clone())]);
        let ev = evaluate(&e);
        assert_eq!(ev.phase, Phase::Requirements);
        let open = ev
            .gate(GateId::One)
            .review_requested
            .as_ref()
            .expect("open request");
        assert_eq!((open.seq, open.actor.as_str()), (2, "agent:x"));
        let again = request_review(&ev, GateId::One, "").unwrap_err();
        assert!(
            again.rule.contains("already requested at event 2"),
            "{again}"
        );

        // Another text: a new request is welcome.
        let e = requirements("# S\nchanged\n", &[("agent:x", body)]);
        assert!(request_review(&evaluate(&e), GateId::One, "").is_ok());
    }

    #[test]
    fn build_files_are_written_in_build_and_as_built_only() {
        assert_eq!(build_edit_refusal(Phase::Build), None);
        assert_eq!(build_edit_refusal(Phase::AsBuilt), None);
        let refused = build_edit_refusal(Phase::Design).unwrap_or_default();
        assert!(refused.contains("Build and As-Built"), "{refused}");
        assert_eq!(
            build_edit_refusal(Phase::Closed).as_deref(),
            Some("read-only: the engagement is closed")
        );
    }

    #[test]
    fn append_to_existing_and_new_sections() {
        let text = "# A\n## Deviations\n- DEV-1 (general, minor): a — b\n\n## As-Built Notes\nx\n";
        let out = append_to_section(text, "Deviations", "- DEV-2 (general, minor): c — d");
        assert_eq!(
            out,
            "# A\n## Deviations\n- DEV-1 (general, minor): a — b\n- DEV-2 (general, minor): c — d\n\n## As-Built Notes\nx\n"
        );
        let out = append_to_section(
            "# S\n## Constraints\nnone\n\n",
            "Amendments",
            "- AMD-1 (DEV-1): t",
        );
        assert_eq!(
            out,
            "# S\n## Constraints\nnone\n\n## Amendments\n- AMD-1 (DEV-1): t\n"
        );
        let out = append_to_section(
            "## Deviations\n<!-- guidance -->\n",
            "Deviations",
            "- DEV-1 (general, minor): a — b",
        );
        assert_eq!(
            out,
            "## Deviations\n<!-- guidance -->\n- DEV-1 (general, minor): a — b\n"
        );
    }
}
