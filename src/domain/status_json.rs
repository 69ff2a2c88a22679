//! The status object of DESIGN §3 (`status --json`, the MCP `status` tool): the evaluation as
//! JSON, with every criterion's position. A pure rendering, as the packet's are.

use serde_json::{Value, json};

use super::criteria::CriterionEval;
use super::engagement::Engagement;
use super::evaluate::{Evaluation, gate_quorum, next_action, shown_result};
use super::gate::GateId;
use super::position::Finding;

fn finding_json(f: &Finding) -> Value {
    json!({"file": f.position.file, "line": f.position.line, "column": f.position.column, "message": f.message})
}

fn gate_json(e: &Engagement, ev: &Evaluation, gate: GateId) -> Value {
    let g = ev.gate(gate);
    let mut v = json!({"state": g.state.as_str()});
    let q = gate_quorum(e, ev, gate);
    v["approvals"] = json!(
        q.approvals
            .iter()
            .map(|a| json!({
                "by": a.actor,
                "at": a.at.to_string(),
                "event": a.seq,
                "roles": e.meta.roles.of(&a.actor),
            }))
            .collect::<Vec<_>>()
    );
    v["quorum"] = json!({
        "needed": q.tally.needed,
        "have": q.tally.have,
        "missing_roles": q.tally.missing_roles,
    });
    if let Some(a) = &g.approval {
        v["approved_by"] = json!(a.actor);
        v["approved_at"] = json!(a.at.to_string());
        v["event"] = json!(a.seq);
    }
    if !g.stale.is_empty() {
        v["stale"] = json!(g.stale.iter().map(|s| s.file.clone()).collect::<Vec<_>>());
    }
    if let Some(r) = &g.review_requested {
        v["review_requested"] = json!({
            "by": r.actor,
            "at": r.at.to_string(),
            "event": r.seq,
            "note": r.note,
        });
    }
    v
}

/// One criterion as `status --json` lists it, with its position.
pub fn criterion_json(e: &Engagement, ev: &Evaluation, c: &CriterionEval) -> Value {
    let pos = c.position();
    json!({
        "gate": c.def.gate.number(),
        "id": c.def.id,
        "kind": c.def.kind,
        "hard": c.def.hard,
        "result": shown_result(e, ev.gate(c.def.gate), c).as_str(),
        "message": c.message(),
        "file": pos.map(|p| p.file.clone()),
        "line": pos.map(|p| p.line),
        "column": pos.map(|p| p.column),
    })
}

pub fn status_json(e: &Engagement, ev: &Evaluation) -> Value {
    let criteria: Vec<Value> = ev
        .criteria
        .iter()
        .map(|c| criterion_json(e, ev, c))
        .collect();
    let components: Vec<Value> = ev
        .components
        .iter()
        .map(|c| {
            json!({
                "id": c.id.to_string(),
                "title": c.title,
                "status": c.status.as_str(),
                "depends_on": c.depends_on.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "added": c.added,
                "removed": c.removed,
            })
        })
        .collect();
    let reconciliation = ev.reconciliation.as_ref().map(|r| {
        json!({
            "hunks": r.hunks.len(),
            "explained": r.explained(),
            "unexplained": r.hunks.iter().filter(|h| !h.is_explained()).map(|h| json!({
                "file": h.position.file, "line": h.position.line, "column": h.position.column,
                "components": h.components.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "outside_components": h.outside,
            })).collect::<Vec<_>>(),
            "added_components": r.added_components().iter().map(ToString::to_string).collect::<Vec<_>>(),
            "removed_components": r.removed_components().iter().map(ToString::to_string).collect::<Vec<_>>(),
        })
    });
    json!({
        "engagement": e.slug,
        "title": e.meta.title,
        "owner": e.meta.owner,
        "phase": ev.phase.as_str(),
        "gates": {"1": gate_json(e, ev, GateId::One), "2": gate_json(e, ev, GateId::Two)},
        "criteria": criteria,
        "components": components,
        "build_order": ev.build_order.order.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "deviations": ev.deviations.iter().map(|d| json!({
            "id": d.id.to_string(),
            "component": d.target.map(|t| t.to_string()),
            "impact": d.impact.map(|i| i.as_str()),
            "recorded": ev.replay.deviations.contains_key(&d.id),
        })).collect::<Vec<_>>(),
        "amendments": ev.amendments.iter().map(|a| json!({
            "id": a.id.to_string(),
            "deviation": a.deviation.map(|d| d.to_string()),
            "recorded": ev.replay.amendments.contains_key(&a.id),
        })).collect::<Vec<_>>(),
        "reconciliation": reconciliation,
        "baseline": baseline_json(e, ev),
        "warnings": ev.warnings.iter().map(finding_json).collect::<Vec<_>>(),
        "problems": ev.problems.iter().map(finding_json).collect::<Vec<_>>(),
        "events": e.journal.events.len(),
        "head": e.journal.head(),
        "next": next_action(ev),
    })
}

/// `{"ref", "requirements": {"added", "changed", "removed"}, "components": {…}}`; the deltas are
/// null when the baseline is not a closed engagement of this workspace; null without a baseline.
fn baseline_json(e: &Engagement, ev: &Evaluation) -> Value {
    let ids =
        |v: &[crate::domain::ids::ItemId]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let delta = |d: &crate::domain::baseline::Delta| json!({"added": ids(&d.added), "changed": ids(&d.changed), "removed": ids(&d.removed)});
    match (&e.meta.baseline, &ev.baseline) {
        (None, _) => Value::Null,
        (Some(r), None) => json!({"ref": r, "requirements": null, "components": null}),
        (Some(_), Some(b)) => json!({
            "ref": b.reference,
            "requirements": delta(&b.requirements),
            "components": delta(&b.components),
        }),
    }
}
