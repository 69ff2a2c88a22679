//! Engagement metrics (DESIGN §3): durations from the journal, rates from the texts.

use super::evaluate::Evaluation;
use super::journal::{Event, EventBody, GateId};

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Metrics {
    /// Seconds from `created` to the first Gate 1 approval.
    pub time_to_approved_spec: Option<i64>,
    /// Seconds from `created` to the first Gate 2 approval.
    pub time_to_approved_design: Option<i64>,
    /// Seconds from `created` to `closed`.
    pub time_to_value: Option<i64>,
    pub components: usize,
    pub deviations: usize,
    pub deviation_rate: Option<f64>,
    /// Components reusing an existing asset, catalog entries included (a catalog reference
    /// that does not resolve reuses nothing).
    pub reused_components: usize,
    /// Of those, the ones reusing a catalog entry.
    pub catalog_reused_components: usize,
    pub reuse_rate: Option<f64>,
    /// Explained hunks / hunks (1.0 when nothing differs).
    pub reconciliation_completeness: Option<f64>,
    /// Rejections plus reopens, both gates.
    pub gate_rework: u32,
}

pub fn metrics(events: &[Event], ev: &Evaluation) -> Metrics {
    let created = events.first().map(|e| e.at);
    let first =
        |pred: &dyn Fn(&EventBody) -> bool| events.iter().find(|e| pred(&e.body)).map(|e| e.at);
    let since = |t: Option<super::time::Timestamp>| match (created, t) {
        (Some(c), Some(t)) => Some(t.unix() - c.unix()),
        _ => None,
    };
    let approved = |gate: GateId| move |b: &EventBody| matches!(b, EventBody::GateApproved(g) if g.gate == gate);
    let components = ev.required_components().count();
    let from_catalog = |c: &&super::evaluate::ComponentRow| {
        c.reuse
            .as_deref()
            .and_then(super::catalog::parse_reference)
            .is_some()
    };
    let reused = ev
        .required_components()
        .filter(|c| {
            c.reuse
                .as_deref()
                .is_some_and(|r| !r.eq_ignore_ascii_case("new"))
                && (!from_catalog(c) || ev.reuse.resolved.contains(&c.id))
        })
        .count();
    let catalog_reused = ev
        .required_components()
        .filter(|c| from_catalog(c) && ev.reuse.resolved.contains(&c.id))
        .count();
    let deviations = ev.deviations.len();
    let ratio = |n: usize, d: usize| (d > 0).then(|| n as f64 / d as f64);
    Metrics {
        time_to_approved_spec: since(first(&approved(GateId::One))),
        time_to_approved_design: since(first(&approved(GateId::Two))),
        time_to_value: since(first(&|b| matches!(b, EventBody::Closed { .. }))),
        components,
        deviations,
        deviation_rate: ratio(deviations, components),
        reused_components: reused,
        catalog_reused_components: catalog_reused,
        reuse_rate: ratio(reused, components),
        reconciliation_completeness: ev.reconciliation.as_ref().map(|r| {
            if r.hunks.is_empty() {
                1.0
            } else {
                r.explained() as f64 / r.hunks.len() as f64
            }
        }),
        gate_rework: ev.replay.gate1.rejections
            + ev.replay.gate1.reopens
            + ev.replay.gate2.rejections
            + ev.replay.gate2.reopens,
    }
}
