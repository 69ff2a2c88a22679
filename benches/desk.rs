//! The lead's desk:
//!
//! - `queue/500`: `phasegate queue`'s whole computation — list the workspace, load and evaluate
//!   500 engagements (copies of the three samples: one in Requirements, one in Design, one in
//!   As-Built) along the queue's path (`store::queue`), read their recovery dirs, build the
//!   queue. Bar: ≤ 150 ms. `queue/500-full-load` is the same over the plain path (`load` +
//!   `evaluate` of every engagement), for comparison.
//! - `export/html`: the As-Built sample's audit packet — load, evaluate, build the packet, render
//!   the HTML and write it atomically. Bar: ≤ 50 ms.
//!
//! Run with `cargo bench --bench desk` (add `-- --quick` for a short run).

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use phasegate::domain::evaluate::evaluate;
use phasegate::domain::packet::packet;
use phasegate::domain::packet_html;
use phasegate::domain::queue::{QueueInput, queue};
use phasegate::domain::time::Timestamp;
use phasegate::store::atomic::write_atomic;
use phasegate::store::engagement::load_strict;
use phasegate::store::queue::{QueueLoaded, load_workspace, load_workspace_full};

const SAMPLES: [&str; 3] = ["firewall-drift", "bgp-peer-onboarding", "vlan-qos"];

fn samples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements")
}

fn bench_queue(c: &mut Criterion) {
    let ws = tempfile::tempdir().expect("tempdir");
    for i in 0..500 {
        let sample = SAMPLES[i % SAMPLES.len()];
        common::copy_dir(
            &samples().join(sample),
            &ws.path().join(format!("gen-{i:03}-{sample}")),
        );
    }
    let now = Timestamp::parse("2026-11-20T12:00:00Z").expect("time");
    c.bench_function("queue/500", |b| {
        b.iter(|| {
            let (loaded, unreadable) = load_workspace(ws.path(), "carol").expect("workspace");
            assert!(unreadable.is_empty());
            let inputs: Vec<QueueInput<'_>> = loaded.iter().map(QueueLoaded::input).collect();
            let entries = queue(&inputs, "carol", now);
            assert_eq!(entries.len(), 334);
            black_box(entries)
        })
    });
    // The plain path (every engagement loaded and evaluated in full), for comparison: what the
    // queue did before it had a path of its own.
    c.bench_function("queue/500-full-load", |b| {
        b.iter(|| {
            let (loaded, unreadable) = load_workspace_full(ws.path()).expect("workspace");
            assert!(unreadable.is_empty());
            let inputs: Vec<QueueInput<'_>> = loaded.iter().map(QueueLoaded::input).collect();
            let entries = queue(&inputs, "carol", now);
            assert_eq!(entries.len(), 334);
            black_box(entries)
        })
    });
}

fn bench_export(c: &mut Criterion) {
    let ws = tempfile::tempdir().expect("tempdir");
    let root = ws.path().join("vlan-qos");
    common::copy_dir(&samples().join("vlan-qos"), &root);
    let out = ws.path().join("packet.html");
    c.bench_function("export/html", |b| {
        b.iter(|| {
            let loaded = load_strict(&root).expect("load");
            let ev = evaluate(&loaded.engagement);
            let html = packet_html::render(&packet(&loaded.engagement, &ev));
            write_atomic(&out, html.as_bytes()).expect("write");
            black_box(html.len())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_queue, bench_export
}
criterion_main!(benches);
