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

/// The workspace's figures as the metrics view shows them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WorkspaceMetrics {
    /// (slug, phase, metrics), by slug.
    pub engagements: Vec<(String, super::phase::Phase, Metrics)>,
    pub trends: Trends,
    /// Engagements that could not be read, as `FILE: message`.
    pub unreadable: Vec<String>,
}

// The figures are finite ratios and medians (never NaN), so equality is total: the app's overlay
// state, which holds them, compares with `Eq`.
impl Eq for WorkspaceMetrics {}

/// One engagement as the workspace trends read it.
pub struct TrendInput<'a> {
    pub events: &'a [Event],
    pub metrics: &'a Metrics,
}

/// One calendar month (UTC) of the workspace.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MonthTrend {
    /// `YYYY-MM`.
    pub month: String,
    /// Engagements closed this month.
    pub closed: usize,
    /// Specs first approved this month, and the median days from `created` to that approval.
    pub approved_specs: usize,
    pub median_days_to_approved_spec: Option<f64>,
    pub approved_designs: usize,
    pub median_days_to_approved_design: Option<f64>,
    /// Deviations / components over the engagements closed this month (`None`: none closed).
    pub deviation_rate: Option<f64>,
    pub reuse_rate: Option<f64>,
}

/// Engagements not closed yet: their rates can still move, so they are kept apart and marked
/// provisional rather than folded into a month.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OpenFigures {
    pub engagements: usize,
    pub deviation_rate: Option<f64>,
    pub reuse_rate: Option<f64>,
    pub provisional: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Trends {
    pub months: Vec<MonthTrend>,
    pub open: OpenFigures,
}

fn month_of(t: super::time::Timestamp) -> String {
    t.to_string()[..7].to_string()
}

/// The month after `YYYY-MM`.
fn next_month(m: &str) -> String {
    let (y, mo) = (
        m[..4].parse::<i64>().unwrap_or(1970),
        m[5..7].parse::<u32>().unwrap_or(1),
    );
    if mo >= 12 {
        format!("{:04}-01", y + 1)
    } else {
        format!("{y:04}-{:02}", mo + 1)
    }
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn pooled(rows: &[&Metrics], part: impl Fn(&Metrics) -> usize) -> Option<f64> {
    let total: usize = rows.iter().map(|m| m.components).sum();
    (total > 0).then(|| rows.iter().map(|m| part(m)).sum::<usize>() as f64 / total as f64)
}

/// Per-month trends across the workspace, every month from the first `created` to the last
/// event (a month with nothing in it is listed, so a chart's gaps are real).
pub fn trends(inputs: &[TrendInput<'_>]) -> Trends {
    let first = |pred: &dyn Fn(&EventBody) -> bool, events: &[Event]| {
        events.iter().find(|e| pred(&e.body)).map(|e| e.at)
    };
    let closed_at =
        |i: &TrendInput<'_>| first(&|b| matches!(b, EventBody::Closed { .. }), i.events);
    let start = inputs
        .iter()
        .filter_map(|i| i.events.first())
        .map(|e| e.at)
        .min();
    let end = inputs
        .iter()
        .filter_map(|i| i.events.last())
        .map(|e| e.at)
        .max();
    let mut months = Vec::new();
    if let (Some(start), Some(end)) = (start, end) {
        let (mut m, last) = (month_of(start), month_of(end));
        while m <= last {
            let approved = |gate: GateId| {
                inputs
                    .iter()
                    .filter_map(|i| {
                        let at = first(
                            &|b| matches!(b, EventBody::GateApproved(g) if g.gate == gate),
                            i.events,
                        )?;
                        let secs = match gate {
                            GateId::One => i.metrics.time_to_approved_spec,
                            GateId::Two => i.metrics.time_to_approved_design,
                        }?;
                        (month_of(at) == m).then_some(secs as f64 / 86_400.0)
                    })
                    .collect::<Vec<f64>>()
            };
            let closed: Vec<&Metrics> = inputs
                .iter()
                .filter(|i| closed_at(i).is_some_and(|t| month_of(t) == m))
                .map(|i| i.metrics)
                .collect();
            let (specs, designs) = (approved(GateId::One), approved(GateId::Two));
            months.push(MonthTrend {
                month: m.clone(),
                closed: closed.len(),
                approved_specs: specs.len(),
                median_days_to_approved_spec: median(specs),
                approved_designs: designs.len(),
                median_days_to_approved_design: median(designs),
                deviation_rate: pooled(&closed, |x| x.deviations),
                reuse_rate: pooled(&closed, |x| x.reused_components),
            });
            m = next_month(&m);
        }
    }
    let open: Vec<&Metrics> = inputs
        .iter()
        .filter(|i| closed_at(i).is_none())
        .map(|i| i.metrics)
        .collect();
    Trends {
        months,
        open: OpenFigures {
            engagements: open.len(),
            deviation_rate: pooled(&open, |x| x.deviations),
            reuse_rate: pooled(&open, |x| x.reused_components),
            provisional: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_roll_over_and_medians_take_the_middle() {
        assert_eq!(next_month("2026-11"), "2026-12");
        assert_eq!(next_month("2026-12"), "2027-01");
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }

    #[test]
    fn no_engagement_no_month_and_no_zero_rates() {
        let t = trends(&[]);
        assert!(t.months.is_empty());
        assert_eq!(t.open.engagements, 0);
        assert_eq!(t.open.deviation_rate, None, "never zero-filled");
    }
}
