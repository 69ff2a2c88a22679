//! Benchmarks of the reuse catalog (DESIGN §7) on a workspace of 200 closed engagements × 20
//! components (each with fields, a deviation on every fifth component and two build files):
//!
//! - `catalog/build_200x20`: `domain::catalog::build` from the closed engagements as the store
//!   gathers them (parse every as-built, entries, search text) (bar: ≤ 100 ms);
//! - `catalog/filter_keystroke`: one keystroke of the overlay's type-to-filter — the query grows
//!   by a character and every entry is matched again (bar: ≤ 2 ms).
//!
//! Run with `cargo bench --bench catalog` (add `-- --quick` for a short run).

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use phasegate::domain::catalog::{self, ClosedEngagement};
use phasegate::domain::evaluate::BuildFile;
use phasegate::domain::time::Timestamp;

const ENGAGEMENTS: usize = 200;
const COMPONENTS: usize = 20;

fn as_built(e: usize) -> String {
    let mut out = format!(
        "# Solution Design — engagement {e}\n\n## Overview\nRenders and pushes.\n\n## Components\n\n"
    );
    for c in 1..=COMPONENTS {
        let _ = write!(
            out,
            "### COMP-{c}: {} {} for site group {e}\n- satisfies: REQ-{c}\n- depends-on: {}\n- reuse: {}\n- acceptance: AC-{c} — the lab router {c} receives the rendered configuration and the drift report is empty\n\n",
            [
                "NetBox model",
                "QoS renderer",
                "Push task",
                "ServiceNow workflow",
                "Drift audit"
            ][c % 5],
            ["IOS-XE", "EOS", "Junos", "NX-OS"][c % 4],
            if c == 1 {
                "none".to_string()
            } else {
                format!("COMP-{}", c - 1)
            },
            if c % 3 == 0 {
                "new".to_string()
            } else {
                format!("catalog eng-{}/COMP-{c}", e.saturating_sub(1))
            },
        );
    }
    out.push_str("## Testing Approach\nLeaves first.\n\n## Deviations\n");
    for c in (5..=COMPONENTS).step_by(5) {
        let _ = writeln!(
            out,
            "- DEV-{} (COMP-{c}, minor): the vendor API paginates at 500 items — the renderer pages",
            c / 5
        );
    }
    out.push_str("\n## As-Built Notes\n");
    out
}

fn workspace() -> Vec<ClosedEngagement> {
    (0..ENGAGEMENTS)
        .map(|e| ClosedEngagement {
            slug: format!("eng-{e}"),
            title: format!("Engagement {e}"),
            closing_hash: format!("{e:064x}"),
            closed_at: Timestamp::from_unix(1_793_610_840 + e as i64),
            baseline: (e > 0).then(|| format!("eng-{}@{:064x}", e - 1, e - 1)),
            spec: String::new(),
            as_built: as_built(e),
            build_files: (1..=COMPONENTS)
                .flat_map(|c| {
                    ["render.py", "template.j2"].map(|f| BuildFile {
                        path: format!("COMP-{c}/{f}"),
                        sha256: Some(format!("{:064x}", e * 100 + c)),
                        problem: None,
                    })
                })
                .collect(),
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let closed = workspace();
    let built = catalog::build(closed.clone());
    assert_eq!(built.entries.len(), ENGAGEMENTS * COMPONENTS);
    c.bench_function("catalog/build_200x20", |b| {
        b.iter(|| black_box(catalog::build(black_box(closed.clone()))))
    });
    // Typing `qos renderer eos` one key at a time: each keystroke filters the whole catalog.
    let query = "qos renderer eos";
    let mut n = 0usize;
    c.bench_function("catalog/filter_keystroke", |b| {
        b.iter(|| {
            n = n % query.len() + 1;
            black_box(built.filter(black_box(&query[..n])))
        })
    });
}

criterion_group!(catalog_benches, benches);
criterion_main!(catalog_benches);
