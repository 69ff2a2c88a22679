//! Where an engagement stands, as the screens show it: the artifact a phase shows, the gate
//! ahead, the build board's order and gauge (DESIGN §3 Closing), and what "restore approved"
//! would put back. Pure derivations of the evaluation; the TUI and the CLI show them.

use std::collections::BTreeMap;

use super::artifact::Artifact;
use super::evaluate::{
    ComponentRow, Evaluation, GateState, unfollowed_design_changes, unmet_close_conditions,
};
use super::ids::ItemId;
use super::journal::{ComponentStatus, GateId};
use super::phase::Phase;
use super::position::Finding;
use super::records::Impact;
use super::rules::Refusal;

/// The artifact a pipeline phase shows (Build shows the `build/` listing, not an artifact).
pub fn artifact_of(phase: Phase) -> Option<Artifact> {
    match phase {
        Phase::Requirements => Some(Artifact::Spec),
        Phase::Feasibility => Some(Artifact::Feasibility),
        Phase::Design => Some(Artifact::Design),
        Phase::Build => None,
        Phase::AsBuilt | Phase::Closed => Some(Artifact::AsBuilt),
    }
}

/// The gate the review pane shows: a stale gate first, else the one ahead of the phase.
pub fn gate_ahead(ev: &Evaluation) -> GateId {
    if ev.gate(GateId::One).state == GateState::Stale {
        return GateId::One;
    }
    if ev.gate(GateId::Two).state == GateState::Stale {
        return GateId::Two;
    }
    match ev.phase {
        Phase::Requirements => GateId::One,
        _ => GateId::Two,
    }
}

/// "Restore approved" (DESIGN §3 Staleness) for a stale `gate`: each artifact whose governed
/// text no longer matches the approval, with the full-text sha256 of the approved snapshot in
/// `objects/` to take it from.
pub fn restorable(ev: &Evaluation, gate: GateId) -> Result<Vec<(Artifact, String)>, Refusal> {
    let status = ev.gate(gate);
    if status.state != GateState::Stale {
        return Err(Refusal::rule(format!(
            "Gate {} is not stale: its approved text is the current one, nothing to restore",
            gate.number()
        )));
    }
    let approval = status.approval.as_ref().ok_or_else(|| {
        Refusal::rule(format!("Gate {} has no approval to restore", gate.number()))
    })?;
    status
        .stale
        .iter()
        .map(|s| {
            let artifact = Artifact::from_file_name(&s.file).ok_or_else(|| {
                Refusal::rule(format!("{} is not an artifact phasegate restores", s.file))
            })?;
            let record = approval.artifact(&s.file).ok_or_else(|| {
                Refusal::rule(format!(
                    "the Gate {} approval recorded no hash of {}",
                    gate.number(),
                    s.file
                ))
            })?;
            Ok((artifact, record.sha256.clone()))
        })
        .collect()
}

/// The next component to work on (the first in build order not validated), else the first.
pub fn first_to_do(ev: &Evaluation) -> Option<ItemId> {
    ev.build_order
        .order
        .iter()
        .find(|id| {
            ev.component(**id)
                .is_some_and(|c| !c.removed && c.status != ComponentStatus::Validated)
        })
        .or_else(|| ev.build_order.order.first())
        .copied()
        .or_else(|| ev.components.first().map(|c| c.id))
}

/// The board's columns: components by dependency depth (leaves first), each column in build
/// order; components on a dependency cycle (no build order) last.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Board {
    pub levels: Vec<Vec<ItemId>>,
    pub blocked: Vec<ItemId>,
}

impl Board {
    pub fn columns(&self) -> impl Iterator<Item = &Vec<ItemId>> {
        self.levels
            .iter()
            .chain(std::iter::once(&self.blocked).filter(|b| !b.is_empty()))
    }

    /// Column and row of a component.
    pub fn locate(&self, id: ItemId) -> Option<(usize, usize)> {
        self.columns()
            .enumerate()
            .find_map(|(c, col)| col.iter().position(|x| *x == id).map(|r| (c, r)))
    }

    pub fn column(&self, c: usize) -> Option<&Vec<ItemId>> {
        self.columns().nth(c)
    }

    pub fn column_count(&self) -> usize {
        self.columns().count()
    }
}

pub fn board(ev: &Evaluation) -> Board {
    let mut level: BTreeMap<ItemId, usize> = BTreeMap::new();
    for id in &ev.build_order.order {
        let l = ev
            .component(*id)
            .and_then(|c| {
                c.depends_on
                    .iter()
                    .filter_map(|d| level.get(d))
                    .max()
                    .map(|l| l + 1)
            })
            .unwrap_or(0);
        level.insert(*id, l);
    }
    let depth = level.values().max().map_or(0, |m| m + 1);
    let mut levels = vec![Vec::new(); depth];
    for id in &ev.build_order.order {
        if let Some(col) = level.get(id).and_then(|l| levels.get_mut(*l)) {
            col.push(*id);
        }
    }
    let blocked = ev
        .components
        .iter()
        .map(|c| c.id)
        .filter(|id| !level.contains_key(id))
        .collect();
    Board { levels, blocked }
}

/// 1-based position of a component in the build order.
pub fn build_position(ev: &Evaluation, id: ItemId) -> Option<usize> {
    ev.build_order
        .order
        .iter()
        .position(|x| *x == id)
        .map(|p| p + 1)
}

/// Dependencies of `c` that are not built yet (what it waits on).
pub fn waiting_on(ev: &Evaluation, c: &ComponentRow) -> Vec<ItemId> {
    c.depends_on
        .iter()
        .filter(|d| {
            ev.component(**d)
                .is_some_and(|x| !x.removed && x.status == ComponentStatus::Pending)
        })
        .copied()
        .collect()
}

/// Components that depend on `id`.
pub fn dependents(ev: &Evaluation, id: ItemId) -> Vec<ItemId> {
    ev.components
        .iter()
        .filter(|c| c.depends_on.contains(&id))
        .map(|c| c.id)
        .collect()
}

/// Whether a close is possible now and on what terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseState {
    /// Not in As-Built yet (or closed).
    NotNow(Phase),
    /// Every condition holds.
    Ready,
    /// Only design-change deviations without re-approval remain: close with a reason.
    WithReason,
    /// Conditions do not hold (listed in `Summary::unmet`).
    Blocked,
}

/// The reconciliation gauge: what DESIGN §3 Closing counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub phase: Phase,
    pub reconciled: bool,
    pub hunks: usize,
    pub explained: usize,
    pub components: usize,
    pub built: usize,
    pub validated: usize,
    pub scope_amended: Vec<ItemId>,
    pub scope_unamended: Vec<ItemId>,
    pub design_followed: Vec<ItemId>,
    pub design_unfollowed: Vec<ItemId>,
    /// Closing conditions that do not hold (without accepting design changes).
    pub unmet: Vec<Finding>,
    pub close: CloseState,
}

pub fn summary(ev: &Evaluation) -> Summary {
    let required: Vec<&ComponentRow> = ev.required_components().collect();
    let scope: Vec<ItemId> = ev
        .deviations
        .iter()
        .filter(|d| d.impact == Some(Impact::ScopeChange))
        .map(|d| d.id)
        .collect();
    let (scope_amended, scope_unamended) = scope
        .into_iter()
        .partition(|id| ev.amendments.iter().any(|a| a.deviation == Some(*id)));
    let unfollowed: Vec<ItemId> = unfollowed_design_changes(ev).iter().map(|d| d.id).collect();
    let design_followed = ev
        .deviations
        .iter()
        .filter(|d| d.impact == Some(Impact::DesignChange) && !unfollowed.contains(&d.id))
        .map(|d| d.id)
        .collect();
    let unmet = unmet_close_conditions(ev, false);
    let close = match ev.phase {
        Phase::AsBuilt if unmet.is_empty() => CloseState::Ready,
        Phase::AsBuilt if unmet_close_conditions(ev, true).is_empty() => CloseState::WithReason,
        Phase::AsBuilt => CloseState::Blocked,
        other => CloseState::NotNow(other),
    };
    Summary {
        phase: ev.phase,
        reconciled: ev.reconciliation.is_some(),
        hunks: ev.reconciliation.as_ref().map_or(0, |r| r.hunks.len()),
        explained: ev.reconciliation.as_ref().map_or(0, |r| r.explained()),
        components: required.len(),
        built: required
            .iter()
            .filter(|c| c.status != ComponentStatus::Pending)
            .count(),
        validated: required
            .iter()
            .filter(|c| c.status == ComponentStatus::Validated)
            .count(),
        scope_amended,
        scope_unamended,
        design_followed,
        design_unfollowed: unfollowed,
        unmet,
        close,
    }
}

/// The approved governed text followed by the ungoverned lines of the current text, section by
/// section (governed text smuggled into an ungoverned section is not carried over).
pub fn merge_ungoverned(artifact: Artifact, approved: &str, current: &str) -> String {
    use super::artifact::{GovernedText, ungoverned_lines};
    use super::markdown;
    let mut out = GovernedText::of(artifact, approved).text;
    let doc = markdown::parse(current);
    let ungoverned = ungoverned_lines(artifact, current, &doc);
    let lines: Vec<&str> = markdown::lines(current).collect();
    for section in doc
        .sections
        .iter()
        .filter(|s| artifact.ungoverned_sections().iter().any(|n| s.is(n)))
    {
        out.push('\n');
        for (i, line) in lines
            .iter()
            .enumerate()
            .take(section.span().end)
            .skip(section.span().start)
        {
            if ungoverned.get(i).copied().unwrap_or(false) {
                out.push_str(line);
                out.push('\n');
            }
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
    }
    out
}
