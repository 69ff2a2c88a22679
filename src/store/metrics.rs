//! The workspace's metrics read from disk: every readable engagement with its figures, and the
//! trends (the TUI's metrics view; `report` prints the same figures).

use std::path::Path;

use crate::domain::evaluate::evaluate;
use crate::domain::metrics::{TrendInput, WorkspaceMetrics, metrics, trends};
use crate::store::engagement::load_strict;
use crate::store::workspace::list_engagements;

/// Every readable engagement of the workspace with its metrics, and the trends: what the TUI's
/// metrics view shows.
pub fn workspace_metrics(workspace: &Path) -> WorkspaceMetrics {
    let roots = match list_engagements(workspace) {
        Ok(r) => r,
        Err(e) => {
            return WorkspaceMetrics {
                engagements: Vec::new(),
                trends: trends(&[]),
                unreadable: vec![e.to_string()],
            };
        }
    };
    let mut engagements = Vec::new();
    let mut events = Vec::new();
    let mut unreadable = Vec::new();
    for root in &roots {
        match load_strict(root) {
            Ok(l) => {
                let ev = evaluate(&l.engagement);
                engagements.push((
                    l.engagement.slug.clone(),
                    ev.phase,
                    metrics(&l.engagement.journal.events, &ev),
                ));
                events.push(l.engagement.journal.events);
            }
            Err(e) => unreadable.push(e.to_string()),
        }
    }
    let inputs: Vec<TrendInput<'_>> = engagements
        .iter()
        .zip(&events)
        .map(|(r, e)| TrendInput {
            events: e,
            metrics: &r.2,
        })
        .collect();
    let trends = trends(&inputs);
    WorkspaceMetrics {
        engagements,
        trends,
        unreadable,
    }
}
