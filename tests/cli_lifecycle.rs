//! Walks a new engagement through every phase to `closed` with the CLI alone, asserting
//! `status --json` at each step, and every refusal DESIGN §3 names along the way.

mod common;

use common::{Workspace, assert_refused, position_of};

const SLUG: &str = "edge-acl";

const SPEC: &str = "# Customer Specification — Edge ACL rollout

## Business Context
The NOC pushes edge ACLs by hand; audits find drift every quarter.

## Requirements
- REQ-1: Render the edge ACL for every border router from NetBox prefixes.
- REQ-2: Push the ACL in the change window with a diff attached to the change.

## Integrations
- NetBox (prefixes, devices)
- ServiceNow (change requests)

## Acceptance Criteria
- AC-1 (REQ-1): a lab router receives the ACL rendered from NetBox.
- AC-2 (REQ-2): the change request carries the diff of every pushed router.

## Constraints
Changes only in the Tuesday window.

## Out of Scope
Firewall policy on the data-centre fabric.
";

const FEASIBILITY: &str = "# Feasibility

## Platform Inventory
- 14 border routers, IOS-XR 7.9

## Requirement Assessment
- REQ-1: feasible — NetBox holds every prefix with its role.
- REQ-2: constrained — the change API accepts attachments up to 5 MB.

## Reuse Candidates
- netbox-client v2.3

## Constraints
Commit-confirmed is available on every router.
";

const DESIGN: &str = "# Solution Design

## Overview
Render, then push with commit-confirmed.

## Components

### COMP-1: ACL renderer
- satisfies: REQ-1
- depends-on: none
- reuse: netbox-client v2.3
- acceptance: AC-1 — golden files per router role.

### COMP-2: Window push
- satisfies: REQ-2
- depends-on: COMP-1
- reuse: new
- acceptance: AC-2 — the lab change carries the diff.

## Testing Approach
Golden files for COMP-1, then a lab push for COMP-2.
";

fn gate1_checks() -> Vec<&'static str> {
    vec![
        "--check", "G1-5", "--check", "G1-6", "--check", "G1-7", "--check", "G1-8",
    ]
}

fn gate2_checks() -> Vec<&'static str> {
    vec!["--check", "G2-7", "--check", "G2-8", "--check", "G2-9"]
}

fn args<'a>(head: &[&'a str], tail: &[&'a str]) -> Vec<&'a str> {
    head.iter().chain(tail).copied().collect()
}

#[test]
fn full_lifecycle_with_every_refusal() {
    let ws = Workspace::new();
    let o = ws.run(
        "alice",
        &[
            "new",
            SLUG,
            "--title",
            "Edge ACL rollout",
            "--owner",
            "alice",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let s = ws.status(SLUG);
    assert_eq!(s["phase"], "requirements");
    assert_eq!(s["gates"]["1"]["state"], "pending");
    assert_eq!(s["title"], "Edge ACL rollout");
    assert_eq!(s["criteria"].as_array().map(Vec::len), Some(17));

    // A requirement without an acceptance criterion.
    let missing_ac = SPEC.replace(
        "## Integrations",
        "- REQ-3: Report drift nightly.\n\n## Integrations",
    );
    ws.write(SLUG, "customer-spec.md", &missing_ac);
    let (line, col) = position_of(&missing_ac, "REQ-3");
    let o = ws.run(
        "bob",
        &args(&["gate", "1", "approve", SLUG], &gate1_checks()),
    );
    assert_refused(
        &o,
        &[
            &format!("customer-spec.md:{line}:{col}"),
            "REQ-3 has no acceptance criterion",
        ],
    );
    let s = ws.status(SLUG);
    let g13 = s["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "G1-3")
        .unwrap()
        .clone();
    assert_eq!(g13["result"], "fail");
    assert_eq!(g13["line"], line);
    assert_eq!(g13["column"], col);

    // Waiving a hard criterion.
    let o = ws.run(
        "bob",
        &args(
            &["gate", "1", "approve", SLUG, "--waive", "G1-3=later"],
            &gate1_checks(),
        ),
    );
    assert_refused(&o, &["G1-3 is a hard criterion"]);

    // A dangling reference.
    let dangling = SPEC.replace("- AC-2 (REQ-2)", "- AC-2 (REQ-2, REQ-9)");
    ws.write(SLUG, "customer-spec.md", &dangling);
    let (line, col) = position_of(&dangling, "REQ-9");
    let o = ws.run(
        "bob",
        &args(&["gate", "1", "approve", SLUG], &gate1_checks()),
    );
    assert_refused(
        &o,
        &[
            &format!("customer-spec.md:{line}:{col}"),
            "REQ-9 is referenced",
        ],
    );

    // Checking an auto criterion is a usage error.
    ws.write(SLUG, "customer-spec.md", SPEC);
    let o = ws.run("bob", &["gate", "1", "approve", SLUG, "--check", "G1-1"]);
    assert_eq!(o.code, 2, "{}", o.stderr);

    // Manual criteria left unchecked.
    let o = ws.run("bob", &["gate", "1", "approve", SLUG]);
    assert_refused(&o, &["G1-5 not checked"]);

    // Self-approval under distinct_approver.
    let o = ws.run(
        "alice",
        &args(&["gate", "1", "approve", SLUG], &gate1_checks()),
    );
    assert_refused(&o, &["alice owns this engagement", "engagement.toml"]);

    let o = ws.run(
        "bob",
        &args(&["gate", "1", "approve", SLUG], &gate1_checks()),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let s = ws.status(SLUG);
    assert_eq!(s["phase"], "feasibility");
    assert_eq!(s["gates"]["1"]["state"], "approved");
    assert_eq!(s["gates"]["1"]["approved_by"], "bob");
    let g15 = s["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "G1-5")
        .unwrap()
        .clone();
    assert_eq!(g15["result"], "checked");

    // A conflict verdict blocks feasibility completion.
    let conflict = FEASIBILITY.replace("REQ-2: constrained", "REQ-2: conflict");
    ws.write(SLUG, "feasibility.md", &conflict);
    let (line, col) = position_of(&conflict, "REQ-2: conflict");
    let o = ws.run("alice", &["feasibility-complete", SLUG]);
    assert_refused(&o, &[&format!("feasibility.md:{line}:{col}"), "conflict"]);
    ws.write(SLUG, "feasibility.md", FEASIBILITY);

    // A stale spec blocks every forward transition after Gate 1.
    let edited = SPEC.replace("every border router", "every border and peering router");
    ws.write(SLUG, "customer-spec.md", &edited);
    assert_eq!(ws.status(SLUG)["gates"]["1"]["state"], "stale");
    let o = ws.run("alice", &["feasibility-complete", SLUG]);
    assert_refused(&o, &["Gate 1 is stale"]);
    ws.write(SLUG, "customer-spec.md", SPEC);
    assert_eq!(ws.status(SLUG)["gates"]["1"]["state"], "approved");

    let o = ws.run("alice", &["feasibility-complete", SLUG]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(ws.status(SLUG)["phase"], "design");

    // A dependency cycle.
    let cycle = DESIGN.replace("- depends-on: none", "- depends-on: COMP-2");
    ws.write(SLUG, "solution-design.md", &cycle);
    let (line, col) = position_of(&cycle, "depends-on: COMP-2");
    let col = col + "depends-on: ".len();
    let o = ws.run(
        "carol",
        &args(&["gate", "2", "approve", SLUG], &gate2_checks()),
    );
    assert_refused(
        &o,
        &[
            &format!("solution-design.md:{line}:{col}"),
            "dependency cycle: COMP-1 → COMP-2 → COMP-1",
        ],
    );

    ws.write(SLUG, "solution-design.md", DESIGN);
    let o = ws.run(
        "carol",
        &args(&["gate", "2", "approve", SLUG], &gate2_checks()),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("as-built.md created"), "{}", o.stdout);
    let s = ws.status(SLUG);
    assert_eq!(s["phase"], "build");
    assert_eq!(s["gates"]["2"]["state"], "approved");
    assert_eq!(s["reconciliation"]["hunks"], 0);
    assert_eq!(s["components"][0]["status"], "pending");

    // A component built before its dependency.
    let (line, col) = position_of(DESIGN, "depends-on: COMP-1");
    let col = col + "depends-on: ".len();
    let o = ws.run("alice", &["component", "COMP-2", "built", SLUG]);
    assert_refused(
        &o,
        &[
            &format!("solution-design.md:{line}:{col}"),
            "COMP-1 not built yet",
        ],
    );
    let o = ws.run("alice", &["component", "COMP-1", "validated", SLUG]);
    assert_refused(&o, &["must be built before it is validated"]);
    for (comp, status) in [
        ("COMP-1", "built"),
        ("COMP-1", "validated"),
        ("COMP-2", "built"),
        ("COMP-2", "validated"),
    ] {
        let o = ws.run("alice", &["component", comp, status, SLUG]);
        assert_eq!(o.code, 0, "{comp} {status}: {}", o.stderr);
    }
    let s = ws.status(SLUG);
    assert_eq!(s["components"][1]["status"], "validated");
    assert_eq!(s["components"][1]["depends_on"][0], "COMP-1");
    let o = ws.run("alice", &["build-complete", SLUG]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(ws.status(SLUG)["phase"], "as-built");

    // Reality differs in COMP-2; no deviation names it yet.
    let as_built = ws
        .read(SLUG, "as-built.md")
        .replace("- reuse: new", "- reuse: new (NETCONF on IOS-XR 7.9)");
    ws.write(SLUG, "as-built.md", &as_built);
    let (line, _) = position_of(&as_built, "(NETCONF");
    let s = ws.status(SLUG);
    assert_eq!(s["reconciliation"]["hunks"], 1);
    assert_eq!(s["reconciliation"]["explained"], 0);
    let o = ws.run("bob", &["close", SLUG]);
    assert_refused(
        &o,
        &[
            &format!("as-built.md:{line}:1"),
            "no deviation names COMP-2",
        ],
    );

    // A general deviation does not explain a component's hunk.
    let o = ws.run(
        "alice",
        &[
            "deviation",
            "add",
            "--component",
            "general",
            "--impact",
            "minor",
            "--what",
            "wording",
            "--why",
            "typo",
            SLUG,
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(ws.status(SLUG)["reconciliation"]["explained"], 0);

    let o = ws.run(
        "alice",
        &[
            "deviation",
            "add",
            "--component",
            "COMP-2",
            "--impact",
            "minor",
            "--what",
            "push over NETCONF",
            "--why",
            "the CLI session times out on large ACLs",
            SLUG,
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(ws.read(SLUG, "as-built.md").contains(
        "- DEV-2 (COMP-2, minor): push over NETCONF — the CLI session times out on large ACLs"
    ));
    let s = ws.status(SLUG);
    assert_eq!(s["reconciliation"]["explained"], 1);
    assert_eq!(s["deviations"][1]["recorded"], true);

    // The owner cannot close under distinct_approver.
    let o = ws.run("alice", &["close", SLUG]);
    assert_refused(&o, &["alice owns this engagement"]);
    let o = ws.run("bob", &["close", SLUG]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let s = ws.status(SLUG);
    assert_eq!(s["phase"], "closed");
    assert_eq!(
        s["events"], 12,
        "created, 2 gates, feasibility, 4 component steps, build, 2 deviations, close"
    );
    let o = ws.run("bob", &["check", SLUG]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
}

#[test]
fn scope_change_needs_an_amendment_and_design_change_a_reapproval_or_acceptance() {
    let ws = Workspace::with_samples();
    let s = ws.status("vlan-qos");
    assert_eq!(s["phase"], "as-built");
    assert_eq!(s["reconciliation"]["hunks"], 3);
    assert_eq!(s["reconciliation"]["explained"], 3);
    // DEV-1 is a design-change not followed by a Gate 2 re-approval.
    let o = ws.run("bob", &["close", "vlan-qos"]);
    assert_refused(&o, &["DEV-1 is a design-change"]);
    // Remove the amendment: the scope-change deviation is uncovered.
    let spec = ws.read("vlan-qos", "customer-spec.md");
    let without: String = spec
        .lines()
        .filter(|l| !l.starts_with("- AMD-1"))
        .map(|l| format!("{l}\n"))
        .collect();
    ws.write("vlan-qos", "customer-spec.md", &without);
    let o = ws.run(
        "bob",
        &["close", "vlan-qos", "--reason", "accepted by the CAB"],
    );
    assert_refused(&o, &["DEV-2 is a scope-change with no amendment"]);
    // Removing a recorded amendment is reported, and the spec's Gate 1 stays approved.
    assert_eq!(ws.status("vlan-qos")["gates"]["1"]["state"], "approved");
    ws.write("vlan-qos", "customer-spec.md", &spec);
    let o = ws.run(
        "bob",
        &["close", "vlan-qos", "--reason", "accepted by the CAB"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(ws.status("vlan-qos")["phase"], "closed");
    // A recorded deviation edited after the close is a problem.
    let as_built = ws.read("vlan-qos", "as-built.md").replace(
        "- DEV-2 (COMP-2, scope-change):",
        "- DEV-2 (COMP-2, minor):",
    );
    ws.write("vlan-qos", "as-built.md", &as_built);
    let o = ws.run("bob", &["check", "vlan-qos"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout.contains("DEV-2 was changed after it was recorded"),
        "{}",
        o.stdout
    );
}

#[test]
fn editing_an_approved_spec_makes_gate1_stale_but_an_amendment_does_not() {
    let ws = Workspace::with_samples();
    let slug = "bgp-peer-onboarding";
    let o = ws.run("ci", &["check", slug]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    let spec = ws.read(slug, "customer-spec.md");
    ws.write(
        slug,
        "customer-spec.md",
        &format!("{spec}\n## Amendments\n- AMD-1 (DEV-1): hand-written note\n"),
    );
    assert_eq!(ws.status(slug)["gates"]["1"]["state"], "approved");
    let o = ws.run("ci", &["check", slug]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    let o = ws.run("ci", &["check", slug, "--strict"]);
    assert_eq!(o.code, 1, "warnings fail under --strict: {}", o.stdout);

    ws.write(
        slug,
        "customer-spec.md",
        &spec.replacen(
            "## Requirements\n",
            "## Requirements\n- REQ-99: sneaked in\n",
            1,
        ),
    );
    let s = ws.status(slug);
    assert_eq!(s["gates"]["1"]["state"], "stale");
    let o = ws.run("ci", &["check", slug]);
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("Gate 1 is stale"), "{}", o.stdout);
}

#[test]
fn feasibility_change_after_gate2_makes_it_stale() {
    let ws = Workspace::with_samples();
    let feas = ws.read("vlan-qos", "feasibility.md");
    ws.write(
        "vlan-qos",
        "feasibility.md",
        &format!("{feas}\nOne more constraint.\n"),
    );
    let s = ws.status("vlan-qos");
    assert_eq!(s["gates"]["2"]["state"], "stale");
    assert_eq!(s["gates"]["1"]["state"], "approved");
    let o = ws.run("bob", &["component", "COMP-1", "built", "vlan-qos"]);
    assert_refused(&o, &["Gate 2 is stale"]);
    let o = ws.run("ci", &["check", "vlan-qos"]);
    assert_eq!(o.code, 1);
}

#[test]
fn reopening_gate1_from_build_returns_to_requirements_and_voids_later_events() {
    let ws = Workspace::with_samples();
    let slug = "bgp-peer-onboarding";
    let o = ws.run(
        "carol",
        &[
            "gate", "2", "approve", slug, "--check", "G2-7", "--check", "G2-8", "--check", "G2-9",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = ws.run("bob", &["component", "COMP-1", "built", slug]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(ws.status(slug)["phase"], "build");
    let o = ws.run("bob", &["gate", "1", "reopen", slug]);
    assert_eq!(o.code, 2, "reopen needs a reason");
    let o = ws.run(
        "bob",
        &[
            "gate",
            "1",
            "reopen",
            slug,
            "--reason",
            "peering policy changed",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let s = ws.status(slug);
    assert_eq!(s["phase"], "requirements");
    assert_eq!(s["gates"]["1"]["state"], "pending");
    assert_eq!(s["gates"]["2"]["state"], "pending");
    assert!(
        s["components"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "pending")
    );
    let o = ws.run("bob", &["feasibility-complete", slug]);
    assert_refused(&o, &["Requirements phase"]);
    let journal = ws.read(slug, ".phasegate/journal.toml");
    assert_eq!(
        journal.matches("[[event]]").count(),
        6,
        "voided events stay in the journal"
    );
}

#[test]
fn changing_one_byte_of_any_event_makes_check_name_it() {
    let ws = Workspace::with_samples();
    let path = ws.engagement("vlan-qos").join(".phasegate/journal.toml");
    let original = std::fs::read_to_string(&path).unwrap();
    let events = original.matches("[[event]]").count();
    assert!(events >= 10);
    for seq in 1..=events {
        // Change one character of this event's actor or its recorded hash.
        let needle = format!("seq = {seq}\n");
        let start = original.find(&needle).unwrap();
        let hash_at = start + original[start..].find("hash = \"").unwrap() + 8;
        let mut bytes = original.clone().into_bytes();
        bytes[hash_at] = if bytes[hash_at] == b'a' { b'b' } else { b'a' };
        std::fs::write(&path, &bytes).unwrap();
        let o = ws.run("ci", &["check", "vlan-qos"]);
        assert_eq!(o.code, 1, "event {seq}: {}", o.stdout);
        assert!(
            o.stdout.contains(&format!("event {seq} ")),
            "event {seq} not named: {}",
            o.stdout
        );

        let actor_at = start + original[start..].find("actor = \"").unwrap() + 9;
        let mut bytes = original.clone().into_bytes();
        bytes[actor_at] = if bytes[actor_at] == b'x' { b'y' } else { b'x' };
        std::fs::write(&path, &bytes).unwrap();
        let o = ws.run("ci", &["check", "vlan-qos"]);
        assert_eq!(o.code, 1, "event {seq}: {}", o.stdout);
        assert!(
            o.stdout.contains(&format!("event {seq} ")),
            "event {seq} not named: {}",
            o.stdout
        );
    }
    std::fs::write(&path, &original).unwrap();
    assert_eq!(ws.run("ci", &["check", "vlan-qos"]).code, 0);
}

#[test]
fn out_of_phase_edits_warn_and_policy_edits_after_gate1_fail_check() {
    let ws = Workspace::with_samples();
    let o = ws.run("ci", &["check", "--all"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(
        o.stdout.contains("3 engagement(s): 0 problem(s)"),
        "{}",
        o.stdout
    );

    // firewall-drift is in Requirements: drafting the design early only warns.
    let design = ws.read("firewall-drift", "solution-design.md");
    ws.write(
        "firewall-drift",
        "solution-design.md",
        &format!("{design}\nEarly idea.\n"),
    );
    let o = ws.run("ci", &["check", "firewall-drift"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(
        o.stdout
            .contains("solution-design.md was edited before its phase (Design) was reached"),
        "{}",
        o.stdout
    );
    assert_eq!(
        ws.run("ci", &["check", "firewall-drift", "--strict"]).code,
        1
    );

    // Turning four eyes off after Gate 1 is a problem.
    let toml = ws
        .read("bgp-peer-onboarding", "engagement.toml")
        .replace("distinct_approver = true", "distinct_approver = false");
    ws.write("bgp-peer-onboarding", "engagement.toml", &toml);
    let o = ws.run("ci", &["check", "bgp-peer-onboarding"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout
            .contains("[policy] changed after Gate 1 was approved"),
        "{}",
        o.stdout
    );
}

#[test]
fn approval_is_a_compare_and_swap_on_the_reviewed_hashes() {
    use phasegate::domain::journal::{GateId, Stamp};
    use phasegate::domain::rules::{GateReview, approve_gate};
    use phasegate::store::engagement::{TxError, load_strict, transact};

    let ws = Workspace::with_samples();
    let root = ws.engagement("bgp-peer-onboarding");
    let loaded = load_strict(&root).unwrap();
    let reviewed = phasegate::domain::evaluate::evaluate(&loaded.engagement).artifact_records();
    // Someone edits the design between the review and the decision.
    let design = ws.read("bgp-peer-onboarding", "solution-design.md");
    ws.write(
        "bgp-peer-onboarding",
        "solution-design.md",
        &format!("{design}\nLate edit.\n"),
    );
    let stamp = Stamp {
        at: phasegate::domain::time::Timestamp::from_unix(1_800_000_000),
        actor: "carol".into(),
        os_user: "carol@h".into(),
    };
    let review = GateReview {
        checks: vec!["G2-7".into(), "G2-8".into(), "G2-9".into()],
        ..GateReview::default()
    };
    let result = transact(&root, &stamp, Some(&reviewed), |e, ev| {
        approve_gate(e, ev, GateId::Two, &review, "carol").map(Into::into)
    });
    match result {
        Err(TxError::Refused(r)) => assert!(
            r.rule.contains("solution-design.md changed on disk"),
            "{}",
            r.rule
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        ws.status("bgp-peer-onboarding")["gates"]["2"]["state"],
        "pending"
    );
}
