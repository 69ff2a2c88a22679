//! Benchmarks of the pure domain core on generated, realistic engagements:
//!
//! - `evaluate/*`: parse + evaluate both gates on a 5,000-line spec and a 5,000-line design (with
//!   a matching feasibility), plus the bare Markdown parse of each and one build order;
//! - `journal/append`: one append to a 1,000-event journal (tail-link verification + copy);
//! - `journal/parse_journal`: full parse and chain verification of that journal;
//! - `reconcile/*`: the approved design against an as-built, 20,000 lines each, ~3% of lines
//!   changed;
//! - `scale/*`: sizes that once took minutes (issue 16): 8,000 and 100,000 `[[criteria]]` in
//!   engagement.toml, one line holding 1,000,000 references, and `status` (evaluate + the
//!   human text) on an engagement of 100,000 requirements (bar: 500 ms); timed in thread CPU
//!   time, which a busy shared machine does not inflate.
//!
//! - `sample/*`: what opening the `vlan-qos` sample costs before its first frame (issue 17):
//!   loading it from disk, parsing its journal, evaluating it.
//!
//! Run with `cargo bench --bench domain` (add `-- --quick` for a short run).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use phasegate::cli::status;
use phasegate::domain::artifact::{Artifact, GovernedText};
use phasegate::domain::criteria;
use phasegate::domain::digest::sha256_hex;
use phasegate::domain::engagement::Engagement;
use phasegate::domain::evaluate;
use phasegate::domain::ids::{IdPrefix, ItemId};
use phasegate::domain::journal::{
    self, ArtifactRecord, ComponentStatus, CriterionRecord, CriterionResult, EventBody, GateId,
    GateRecord, Stamp,
};
use phasegate::domain::markdown;
use phasegate::domain::meta::{EngagementMeta, Policy, parse_engagement};
use phasegate::domain::reconcile;
use phasegate::domain::records::{self, DeviationTarget, Impact};
use phasegate::domain::time::Timestamp;
use phasegate::domain::trace;

// ---------------------------------------------------------------------------------------------
// Deterministic generation

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const SYSTEMS: [&str; 8] = [
    "NetBox",
    "ServiceNow",
    "Ansible AWX",
    "Nautobot",
    "Infoblox",
    "Arista CloudVision",
    "GitLab CI",
    "Splunk",
];
const VERBS: [&str; 8] = [
    "provision",
    "tag",
    "validate",
    "roll back",
    "audit",
    "render",
    "push",
    "reconcile",
];
const OBJECTS: [&str; 8] = [
    "access VLANs on leaf switches",
    "QoS policies on uplinks",
    "trunk allowed-lists",
    "DSCP markings per tenant",
    "SVI gateways in the VRF",
    "port-channel members",
    "LLDP neighbour expectations",
    "change tickets for every push",
];
const WORDS: [&str; 16] = [
    "the",
    "automation",
    "must",
    "within",
    "change",
    "window",
    "site",
    "tenant",
    "fabric",
    "device",
    "intent",
    "config",
    "drift",
    "operator",
    "rollback",
    "ticket",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(&WORDS));
    }
    s.push('.');
    s
}

fn requirement_text(rng: &mut Rng) -> String {
    format!(
        "The automation must {} {} through {}.",
        rng.pick(&VERBS),
        rng.pick(&OBJECTS),
        rng.pick(&SYSTEMS)
    )
}

/// Lines pushed so far, to stop a section at its share of the budget.
fn lines_in(text: &str) -> usize {
    text.bytes().filter(|b| *b == b'\n').count()
}

/// A customer spec of about `target` lines; returns it with its number of requirements.
fn generate_spec(target: usize, rng: &mut Rng) -> (String, usize) {
    let mut t = String::from(
        "# Customer spec: VLAN provisioning with QoS tagging\n\n## Business Context\n",
    );
    let share = |pct: usize| target * pct / 100;
    while lines_in(&t) < share(8) {
        let _ = writeln!(t, "{}", sentence(rng, 12));
        if rng.chance(20) {
            t.push('\n');
        }
    }
    t.push_str("\n## Requirements\n<!-- One `- REQ-n: …` per requirement. -->\n");
    let mut reqs = 0;
    while lines_in(&t) < share(35) {
        reqs += 1;
        let _ = writeln!(t, "- REQ-{reqs}: {}", requirement_text(rng));
        if rng.chance(60) {
            let _ = writeln!(t, "  {}", sentence(rng, 10));
        }
        if rng.chance(15) {
            t.push('\n');
        }
    }
    t.push_str("\n## Integrations\n");
    for s in SYSTEMS {
        let _ = writeln!(t, "- {s}: REST API, service account, read-write");
    }
    while lines_in(&t) < share(40) {
        let _ = writeln!(t, "- {}: {}", rng.pick(&SYSTEMS), sentence(rng, 6));
    }
    t.push_str("\n## Acceptance Criteria\n");
    let mut ac = 0;
    let mut covered = 0;
    while lines_in(&t) < share(90) || covered < reqs {
        ac += 1;
        // Walk the requirements so every one gets a criterion, plus some random extra links.
        covered = (covered % reqs) + 1;
        let extra = 1 + rng.below(reqs);
        if rng.chance(30) {
            let _ = writeln!(
                t,
                "- AC-{ac} (REQ-{covered}, REQ-{extra}): {}",
                sentence(rng, 8)
            );
        } else {
            let _ = writeln!(t, "- **AC-{ac}** (REQ-{covered}) — {}", sentence(rng, 9));
        }
        if rng.chance(25) {
            let _ = writeln!(
                t,
                "  Verified by `show vlan brief` on REQ-{covered}'s sites."
            );
        }
    }
    t.push_str("\n## Constraints\n");
    while lines_in(&t) < share(96) {
        let _ = writeln!(t, "- {}", sentence(rng, 10));
    }
    t.push_str("\n## Out of Scope\n");
    while lines_in(&t) < target {
        let _ = writeln!(t, "- {}", sentence(rng, 7));
    }
    (t, reqs)
}

fn generate_feasibility(reqs: usize, rng: &mut Rng) -> String {
    let mut t = String::from("# Feasibility\n\n## Platform Inventory\n");
    for s in SYSTEMS {
        let _ = writeln!(t, "- {s} 4.x, reachable from the jump host");
    }
    t.push_str("\n## Requirement Assessment\n");
    for r in 1..=reqs {
        let verdict = if rng.chance(85) {
            "feasible"
        } else {
            "constrained"
        };
        let _ = writeln!(t, "- REQ-{r}: {verdict} — {}", sentence(rng, 6));
    }
    t.push_str("\n## Reuse Candidates\n- netbox-client v2\n- qos-templates 1.4\n\n## Constraints\n- Change windows are Tuesday nights.\n");
    t
}

/// A solution design of about `target` lines whose components satisfy every requirement.
fn generate_design(target: usize, reqs: usize, rng: &mut Rng) -> String {
    let mut t = String::from("# Solution design\n\n## Overview\n");
    for _ in 0..target / 50 {
        let _ = writeln!(t, "{}", sentence(rng, 14));
    }
    t.push_str("\n## Components\n");
    // Estimate ~9 lines per component to spread requirements over all of them.
    let estimated = (target * 88 / 100 / 9).max(1);
    let mut n = 0;
    while lines_in(&t) < target * 92 / 100 {
        n += 1;
        let _ = writeln!(
            t,
            "### COMP-{n}: {} {}",
            rng.pick(&VERBS),
            rng.pick(&OBJECTS)
        );
        let satisfied: Vec<String> = (1..=reqs)
            .filter(|r| r % estimated == n % estimated)
            .map(|r| format!("REQ-{r}"))
            .collect();
        let satisfied = if satisfied.is_empty() {
            format!("REQ-{}", 1 + rng.below(reqs))
        } else {
            satisfied.join(", ")
        };
        let _ = writeln!(t, "- satisfies: {satisfied}");
        let deps: Vec<String> = if n == 1 || rng.chance(25) {
            Vec::new()
        } else {
            let mut d: Vec<usize> = (0..1 + rng.below(3))
                .map(|_| 1 + rng.below(n - 1))
                .collect();
            d.sort_unstable();
            d.dedup();
            d.iter().map(|x| format!("COMP-{x}")).collect()
        };
        let _ = writeln!(
            t,
            "- depends-on: {}",
            if deps.is_empty() {
                "none".to_string()
            } else {
                deps.join(", ")
            }
        );
        let reuse = if rng.chance(40) {
            rng.pick(&["netbox-client v2", "qos-templates 1.4", "awx-job-runner"])
        } else {
            "new"
        };
        let _ = writeln!(t, "- reuse: {reuse}");
        let _ = writeln!(
            t,
            "- acceptance: AC-{} and AC-{}",
            1 + rng.below(reqs),
            1 + rng.below(reqs)
        );
        let _ = writeln!(t, "{}", sentence(rng, 12));
        if rng.chance(15) {
            t.push_str(
                "```jinja\ninterface {{ port }}\n  switchport access vlan {{ vlan }}\n```\n",
            );
        }
        t.push('\n');
    }
    t.push_str("## Testing Approach\n");
    while lines_in(&t) < target {
        let _ = writeln!(t, "- {}", sentence(rng, 9));
    }
    t
}

fn stamp(secs: i64, actor: &str) -> Stamp {
    Stamp {
        at: Timestamp::from_unix(secs),
        actor: actor.into(),
        os_user: format!("{actor}@jump1"),
    }
}

fn record(artifact: Artifact, text: &str) -> ArtifactRecord {
    ArtifactRecord {
        file: artifact.file_name().into(),
        sha256: sha256_hex(text.as_bytes()),
        governed_sha256: GovernedText::of(artifact, text).sha256(),
    }
}

fn meta() -> EngagementMeta {
    EngagementMeta::new(
        "Extend VLAN provisioning with QoS tagging",
        "alice",
        Timestamp::from_unix(1_793_610_840),
    )
}

// ---------------------------------------------------------------------------------------------
// (a) parse + evaluate both gates

fn bench_evaluate(c: &mut Criterion) {
    let mut rng = Rng(0x5eed_0001);
    let (spec, reqs) = generate_spec(5_000, &mut rng);
    let design = generate_design(5_000, reqs, &mut rng);
    let feasibility = generate_feasibility(reqs, &mut rng);
    let created = EventBody::Created {
        owner: Some("alice".into()),
        policy: Policy::default(),
        templates: vec![],
        baseline: None,
    };
    let engagement = Engagement {
        texts: BTreeMap::from([
            (Artifact::Spec, spec.clone()),
            (Artifact::Feasibility, feasibility),
            (Artifact::Design, design.clone()),
        ]),
        ..Engagement::new(
            "vlan-qos",
            meta(),
            journal::parse_journal(&journal::new_journal(
                &stamp(1_793_610_840, "alice"),
                &created,
            ))
            .unwrap(),
        )
    };
    // Sanity: the generated engagement is realistic (gates evaluate with real items).
    let ev = evaluate::evaluate(&engagement);
    assert_eq!(markdown::lines(&spec).count(), 5_001);
    assert!(
        ev.design_components.len() > 400,
        "{} components",
        ev.design_components.len()
    );
    assert!(ev.build_order.cycles.is_empty());

    let mut g = c.benchmark_group("evaluate");
    g.throughput(Throughput::Bytes((spec.len() + design.len()) as u64));
    g.bench_function("spec_5k_design_5k_both_gates", |b| {
        b.iter(|| evaluate::evaluate(black_box(&engagement)))
    });
    g.bench_function("parse_spec_5k", |b| {
        b.iter(|| markdown::parse(black_box(&spec)))
    });
    g.bench_function("parse_design_5k", |b| {
        b.iter(|| markdown::parse(black_box(&design)))
    });
    // evaluate computes the build order twice (the contract's and G2-5's); isolate one.
    g.bench_function("build_order_design_5k", |b| {
        b.iter(|| trace::build_order(black_box(&ev.design_components)))
    });
    g.finish();
}

// ---------------------------------------------------------------------------------------------
// (b), (c) the journal

fn gate_body(gate: GateId, texts: &[(Artifact, &str)], approve: bool) -> EventBody {
    let ids: &[&str] = match gate {
        GateId::One => &[
            "G1-1", "G1-2", "G1-3", "G1-4", "G1-5", "G1-6", "G1-7", "G1-8",
        ],
        GateId::Two => &[
            "G2-1", "G2-2", "G2-3", "G2-4", "G2-5", "G2-6", "G2-7", "G2-8", "G2-9",
        ],
    };
    let record = GateRecord {
        gate,
        reason: (!approve).then(|| "acceptance criteria for REQ-4 are not testable".into()),
        note: "Reviewed with the NOC on the bridge; \"rollback\" steps confirmed.".into(),
        policy: Policy::default(),
        artifacts: texts.iter().map(|(a, t)| record(*a, t)).collect(),
        criteria: ids
            .iter()
            .map(|id| CriterionRecord {
                id: (*id).into(),
                result: if id.ends_with('4') {
                    CriterionResult::Waived
                } else {
                    CriterionResult::Pass
                },
                reason: id
                    .ends_with('4')
                    .then(|| "covered by the NOC runbook".into()),
            })
            .collect(),
    };
    if approve {
        EventBody::GateApproved(record)
    } else {
        EventBody::GateRejected(record)
    }
}

/// A 1,000-event journal with a realistic mix of kinds.
fn generate_journal(events: usize) -> String {
    let spec = "# Spec\n## Requirements\n- REQ-1: x\n";
    let feas = "# Feasibility\n## Requirement Assessment\n- REQ-1: feasible — ok\n";
    let design = "# Design\n## Components\n### COMP-1: x\n";
    let created = EventBody::Created {
        owner: Some("alice".into()),
        policy: Policy::default(),
        templates: vec![
            record(Artifact::Spec, ""),
            record(Artifact::Feasibility, ""),
            record(Artifact::Design, ""),
        ],
        baseline: None,
    };
    let mut text = journal::new_journal(&stamp(1_793_610_840, "alice"), &created);
    let mut rng = Rng(0x5eed_0002);
    for i in 1..events {
        let all = [
            (Artifact::Spec, spec),
            (Artifact::Feasibility, feas),
            (Artifact::Design, design),
        ];
        let body = match i % 10 {
            0 => gate_body(GateId::One, &all[..1], rng.chance(80)),
            1 => EventBody::FeasibilityCompleted {
                policy: Policy::default(),
                artifacts: all.iter().map(|(a, t)| record(*a, t)).collect(),
            },
            2 => gate_body(GateId::Two, &all, true),
            3..=6 => EventBody::ComponentStatus {
                component: ItemId::new(IdPrefix::Comp, 1 + rng.below(60) as u32),
                status: if rng.chance(50) {
                    ComponentStatus::Built
                } else {
                    ComponentStatus::Validated
                },
                policy: Policy::default(),
                artifacts: all.iter().map(|(a, t)| record(*a, t)).collect(),
            },
            7 => EventBody::DeviationRecorded {
                id: ItemId::new(IdPrefix::Dev, i as u32),
                target: DeviationTarget::Component(ItemId::new(IdPrefix::Comp, 3)),
                impact: Impact::Minor,
                text_sha256: sha256_hex(format!("dev {i}").as_bytes()),
            },
            8 => EventBody::GateReopened {
                gate: GateId::Two,
                reason: "design-change deviation DEV-3".into(),
                policy: Policy::default(),
                artifacts: all.iter().map(|(a, t)| record(*a, t)).collect(),
            },
            _ => EventBody::AmendmentRecorded {
                id: ItemId::new(IdPrefix::Amd, i as u32),
                deviation: ItemId::new(IdPrefix::Dev, 3),
                text_sha256: sha256_hex(format!("amd {i}").as_bytes()),
            },
        };
        text = journal::append(&text, &stamp(1_793_610_840 + i as i64 * 60, "bob"), &body)
            .unwrap()
            .0;
    }
    text
}

fn bench_journal(c: &mut Criterion) {
    let text = generate_journal(1_000);
    let parsed = journal::parse_journal(&text).unwrap();
    assert_eq!(parsed.events.len(), 1_000);
    assert!(parsed.broken.is_none());
    let body = EventBody::ComponentStatus {
        component: ItemId::new(IdPrefix::Comp, 7),
        status: ComponentStatus::Validated,
        policy: Policy::default(),
        artifacts: vec![],
    };
    let next = stamp(1_800_000_000, "carol");

    let mut g = c.benchmark_group("journal");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("append_to_1000_events", |b| {
        b.iter(|| journal::append(black_box(&text), black_box(&next), black_box(&body)).unwrap())
    });
    g.sample_size(20);
    g.bench_function("parse_journal_1000_events", |b| {
        b.iter(|| journal::parse_journal(black_box(&text)).unwrap())
    });
    g.finish();
}

// ---------------------------------------------------------------------------------------------
// (d) reconciliation

/// The as-built: the design with ~`percent`% of its lines changed (mostly edited in place, some
/// inserted or removed), plus Deviations naming most touched components.
fn edit_design(design: &str, percent: usize, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(design.len() + 64 * 1024);
    let mut current: Option<String> = None;
    let mut touched: Vec<String> = Vec::new();
    for line in markdown::lines(design) {
        if let Some(id) = line.strip_prefix("### ").and_then(|h| h.split(':').next()) {
            current = Some(id.to_string());
        }
        if !line.starts_with('#') && rng.below(1000) < percent * 10 {
            if let Some(c) = &current {
                touched.push(c.clone());
            }
            match rng.below(10) {
                0 => {} // removed
                1 => {
                    out.push_str(line);
                    out.push_str("\n- note: added during the build\n");
                }
                _ if line.starts_with("- reuse:") => out.push_str("- reuse: gnmi-client 0.3\n"),
                _ => {
                    out.push_str(line);
                    out.push_str(" (as built)\n");
                }
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    touched.sort();
    touched.dedup();
    out.push_str("\n## Deviations\n");
    for (i, comp) in touched.iter().enumerate().filter(|(i, _)| i % 5 != 0) {
        let _ = writeln!(
            out,
            "- DEV-{} ({comp}, minor): changed on site — vendor quirk",
            i + 1
        );
    }
    out.push_str("- DEV-9999 (general, minor): wording — reviewed\n\n## As-Built Notes\nBuilt in two change windows.\n");
    out
}

fn bench_reconcile(c: &mut Criterion) {
    let mut rng = Rng(0x5eed_0003);
    let design = generate_design(20_000, 2_000, &mut rng);
    let as_built = edit_design(&design, 3, &mut rng);
    let deviations = records::deviations(&markdown::parse(&as_built));
    let r = reconcile::reconcile(&design, &as_built, &deviations);
    assert!(markdown::lines(&design).count() > 20_000);
    assert!(r.hunks.len() > 100, "{} hunks", r.hunks.len());
    assert!(r.explained() > 0 && r.explained() < r.hunks.len());

    let mut g = c.benchmark_group("reconcile");
    g.sample_size(10);
    g.throughput(Throughput::Bytes((design.len() + as_built.len()) as u64));
    g.bench_function("design_20k_3pct_changed", |b| {
        b.iter(|| {
            reconcile::reconcile(
                black_box(&design),
                black_box(&as_built),
                black_box(&deviations),
            )
        })
    });
    g.finish();
}

// ---------------------------------------------------------------------------------------------
// (e) sizes that were quadratic, timed in CPU time of the benchmarking thread: on a shared
// machine wall time also measures the neighbours.

struct ThreadCpu;

fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec to write into for the duration of the call.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

impl Measurement for ThreadCpu {
    type Intermediate = Duration;
    type Value = Duration;
    fn start(&self) -> Duration {
        thread_cpu()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self
    }
}

impl ValueFormatter for ThreadCpu {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical < 1e3 {
            (1.0, "ns (cpu)")
        } else if typical < 1e6 {
            (1e-3, "µs (cpu)")
        } else if typical < 1e9 {
            (1e-6, "ms (cpu)")
        } else {
            (1e-9, "s (cpu)")
        };
        for v in values {
            *v *= factor;
        }
        unit
    }
    fn scale_throughputs(&self, _: f64, _: &Throughput, values: &mut [f64]) -> &'static str {
        self.scale_values(1e6, values)
    }
    fn scale_for_machines(&self, _: &mut [f64]) -> &'static str {
        "ns"
    }
}

/// engagement.toml with `n` extra criteria.
fn engagement_toml_with_criteria(n: usize) -> String {
    let mut t = String::from(
        "schema = 1\ntitle = \"Scale\"\nowner = \"alice\"\ncreated = 2026-11-02T09:14:00Z\n\n[policy]\ndistinct_approver = true\n",
    );
    for i in 0..n {
        let _ = write!(
            t,
            "\n[[criteria]]\ngate = {}\nid = \"G-X{i}\"\ntext = \"Reviewed by team {i}\"\n",
            1 + i % 2
        );
    }
    t
}

/// An engagement of `n` requirements, each with an acceptance criterion, a feasibility verdict
/// and a component (ten requirements per component) that satisfies it.
fn engagement_with_requirements(n: usize) -> Engagement {
    let mut spec = String::from("# Spec\n\n## Business Context\nScale.\n\n## Requirements\n");
    for r in 1..=n {
        let _ = writeln!(spec, "- REQ-{r}: The automation must provision VLAN {r}.");
    }
    spec.push_str("\n## Integrations\n- NetBox\n\n## Acceptance Criteria\n");
    for r in 1..=n {
        let _ = writeln!(spec, "- AC-{r} (REQ-{r}): VLAN {r} appears in NetBox.");
    }
    spec.push_str("\n## Constraints\n- Windows.\n\n## Out of Scope\n- Wireless.\n");
    let mut feasibility = String::from(
        "# Feasibility\n\n## Platform Inventory\n- NetBox 4.1\n\n## Requirement Assessment\n",
    );
    for r in 1..=n {
        let _ = writeln!(feasibility, "- REQ-{r}: feasible — the API allows it");
    }
    feasibility.push_str("\n## Reuse Candidates\n- netbox-client\n\n## Constraints\n- none\n");
    let mut design = String::from("# Design\n\n## Overview\nScale.\n\n## Components\n");
    for c in 1..=n.div_ceil(10) {
        let reqs: Vec<String> = (1 + (c - 1) * 10..=(c * 10).min(n))
            .map(|r| format!("REQ-{r}"))
            .collect();
        let _ = writeln!(
            design,
            "### COMP-{c}: part {c}\n- satisfies: {}\n- depends-on: {}\n- reuse: new\n- acceptance: AC-{}\n",
            reqs.join(", "),
            if c == 1 {
                "none".to_string()
            } else {
                format!("COMP-{}", c - 1)
            },
            1 + (c - 1) * 10
        );
    }
    design.push_str("## Testing Approach\n- unit first\n");
    let created = EventBody::Created {
        owner: Some("alice".into()),
        policy: Policy::default(),
        templates: vec![],
        baseline: None,
    };
    Engagement {
        texts: BTreeMap::from([
            (Artifact::Spec, spec),
            (Artifact::Feasibility, feasibility),
            (Artifact::Design, design),
        ]),
        ..Engagement::new(
            "scale",
            meta(),
            journal::parse_journal(&journal::new_journal(
                &stamp(1_793_610_840, "alice"),
                &created,
            ))
            .unwrap(),
        )
    }
}

fn bench_scale(c: &mut Criterion<ThreadCpu>) {
    let predefined = criteria::predefined_ids();
    let mut g = c.benchmark_group("scale");
    g.sample_size(10);
    for n in [8_000, 100_000] {
        let toml = engagement_toml_with_criteria(n);
        assert_eq!(
            parse_engagement(&toml, &predefined).unwrap().criteria.len(),
            n
        );
        g.bench_function(format!("engagement_toml_{n}_criteria"), |b| {
            b.iter(|| parse_engagement(black_box(&toml), &predefined).unwrap())
        });
    }

    let mut line = String::from("- REQ-1: ");
    for i in 0..1_000_000 {
        line.push_str(if i % 2 == 0 { "REQ-1 " } else { "AC-1, " });
    }
    line.push('\n');
    assert_eq!(markdown::parse(&line).references.len(), 1_000_000);
    g.bench_function("parse_one_line_1m_references", |b| {
        b.iter(|| markdown::parse(black_box(&line)))
    });

    let engagement = engagement_with_requirements(100_000);
    let ev = evaluate::evaluate(&engagement);
    assert!(
        ev.criteria.iter().all(|c| c.failures.is_empty()),
        "the generated engagement passes every auto criterion"
    );
    let root = std::path::Path::new("/work/scale");
    g.bench_function("status_100k_requirements", |b| {
        b.iter(|| {
            let ev = evaluate::evaluate(black_box(&engagement));
            status::status_text(root, &engagement, &ev)
        })
    });
    g.finish();
}

/// The shipped sample, read in place (nothing is written).
fn bench_sample(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements/vlan-qos");
    let loaded = phasegate::store::engagement::load(&root).expect("the sample loads");
    let journal_text =
        std::fs::read_to_string(root.join(journal::JOURNAL_FILE)).expect("the sample's journal");
    let mut g = c.benchmark_group("sample");
    g.bench_function("load_vlan_qos", |b| {
        b.iter(|| phasegate::store::engagement::load(black_box(&root)))
    });
    g.bench_function("parse_journal_vlan_qos", |b| {
        b.iter(|| journal::parse_journal(black_box(&journal_text)))
    });
    g.bench_function("evaluate_vlan_qos", |b| {
        b.iter(|| evaluate::evaluate(black_box(&loaded.engagement)))
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_evaluate,
    bench_journal,
    bench_reconcile,
    bench_sample
);
criterion_group! {
    name = scale;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = bench_scale
}
criterion_main!(benches, scale);
