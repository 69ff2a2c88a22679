//! End-to-end: Build and As-Built in the real TUI, in a pseudo-terminal (tests/common/pty.rs).
//! A fresh engagement is brought to Build with the CLI (spec, Gate 1, feasibility, a
//! three-component design, Gate 2). Then, as the owner, in the TUI: building out of order is
//! refused, the three components are built and validated in order, the build is completed, a
//! deviation is recorded from an unexplained hunk of the diff pane, the spec amendment is
//! appended, and the owner's close is refused; as a second person, the engagement is closed.
//! `phasegate check` passes afterwards and the journal shows every step, in order.

mod common;

use common::Workspace;
use common::pty::{NOW, Pty, Spawn, keys};

const SLUG: &str = "vlan";

const DESIGN: &str = "# Solution Design — QoS tagging in three components

## Overview

Three components, built leaves first.

## Components

### COMP-1: NetBox QoS data model
- satisfies: REQ-1, REQ-5
- depends-on: none
- reuse: netbox-client v2.3
- acceptance: AC-1, AC-5 — the custom field round-trips from ServiceNow.

### COMP-2: QoS policy renderer
- satisfies: REQ-2, REQ-3
- depends-on: COMP-1
- reuse: vlan-templates v1.4
- acceptance: AC-2, AC-3 — golden files per platform and class.

### COMP-3: Push, rollback and workflow
- satisfies: REQ-3, REQ-4, REQ-5
- depends-on: COMP-2
- reuse: nornir-push v3.1
- acceptance: AC-4, AC-5 — a lab class change with a forced rollback.

## Testing Approach

- Leaves first: COMP-1 in CI, COMP-2 golden files, COMP-3 in lab pod 2.
";

fn sources(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-engagements/.sources/vlan-qos")
        .join(file);
    std::fs::read_to_string(path).expect("sample source")
}

#[track_caller]
fn ok(o: &common::Output) {
    assert_eq!(o.code, 0, "stdout: {}\nstderr: {}", o.stdout, o.stderr);
}

/// A fresh engagement in Build: created by alice, Gate 1 and Gate 2 approved by bob.
fn engagement_in_build() -> Workspace {
    let ws = Workspace::new();
    ok(&ws.run(
        "alice",
        &["new", SLUG, "--title", "QoS tagging", "--owner", "alice"],
    ));
    ws.write(SLUG, "customer-spec.md", &sources("customer-spec.md"));
    ok(&ws.run(
        "bob",
        &[
            "gate", "1", "approve", SLUG, "--check", "G1-5", "--check", "G1-6", "--check", "G1-7",
            "--check", "G1-8",
        ],
    ));
    ws.write(SLUG, "feasibility.md", &sources("feasibility.md"));
    ok(&ws.run("alice", &["feasibility-complete", SLUG]));
    ws.write(SLUG, "solution-design.md", DESIGN);
    ok(&ws.run(
        "bob",
        &[
            "gate", "2", "approve", SLUG, "--check", "G2-7", "--check", "G2-8", "--check", "G2-9",
        ],
    ));
    let status = ws.status(SLUG);
    assert_eq!(status["phase"], "build", "{status}");
    // What the build produced, and the as-built as the engineer edited it: COMP-2 skips
    // ports that already carry a policy (the design did not foresee that).
    for (dir, file) in [
        ("COMP-1", "model.py"),
        ("COMP-2", "render.py"),
        ("COMP-3", "push.py"),
    ] {
        let d = ws.engagement(SLUG).join("build").join(dir);
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join(file), "# asset\n").expect("write asset");
    }
    let as_built = ws.read(SLUG, "as-built.md");
    assert!(
        as_built.contains("- reuse: vlan-templates v1.4"),
        "{as_built}"
    );
    ws.write(
        SLUG,
        "as-built.md",
        &as_built.replace(
            "- reuse: vlan-templates v1.4",
            "- reuse: vlan-templates v1.4, ports with a policy skipped",
        ),
    );
    ws
}

/// The TUI on the engagement as `actor`, 120×40.
fn tui(ws: &Workspace, actor: &str) -> Pty {
    let pty = Spawn::new(env!("CARGO_BIN_EXE_phasegate"))
        .arg("--workspace")
        .arg(ws.path())
        .args(["--as", actor, "open", SLUG])
        .env("PHASEGATE_WORKSPACE", ws.path())
        .env("PHASEGATE_CONFIG", ws.path().join("no-config.toml"))
        .env("PHASEGATE_NOW", NOW)
        .cwd(ws.path())
        .size(120, 40)
        .start();
    pty.wait_for_text(&[" VIEW ", SLUG]);
    pty
}

/// Sends `keys` and waits for every needle.
#[track_caller]
fn step(pty: &mut Pty, keys: &str, needles: &[&str]) -> vt100::Screen {
    pty.send(keys);
    pty.wait_for_text(needles)
}

#[track_caller]
fn quit(pty: &mut Pty) {
    // Ctrl-Q quits from any pane; `q` in the diff pane closes the pane (issue 9).
    pty.send("\x11");
    let status = pty.wait_exit();
    assert!(status.success(), "exit {status}");
}

fn journal_kinds(ws: &Workspace) -> Vec<String> {
    ws.read(SLUG, ".phasegate/journal.toml")
        .lines()
        .filter_map(|l| l.strip_prefix("kind = \""))
        .map(|k| k.trim_end_matches('"').to_string())
        .collect()
}

#[test]
fn build_reconcile_amend_and_close_in_the_tui() {
    let ws = engagement_in_build();

    // The owner builds.
    let mut pty = tui(&ws, "alice");
    step(
        &mut pty,
        "4",
        &[
            "Build board",
            "#1 COMP-1",
            "#3 COMP-3",
            "ready to build",
            "waits on COMP-1",
        ],
    );
    // Out of order: COMP-2 before COMP-1 is refused, on the board and in the status line.
    step(
        &mut pty,
        keys::RIGHT,
        &["COMP-2 QoS policy renderer", "status     ○ pending"],
    );
    step(
        &mut pty,
        "b",
        &["COMP-2 cannot be built before its dependencies: COMP-1 not built yet"],
    );
    assert_eq!(journal_kinds(&ws).len(), 4, "nothing appended by a refusal");
    step(&mut pty, keys::LEFT, &["COMP-1 NetBox QoS data model"]);
    step(
        &mut pty,
        "v",
        &["COMP-1 must be built before it is validated"],
    );
    for (i, comp) in ["COMP-1", "COMP-2", "COMP-3"].iter().enumerate() {
        if i > 0 {
            step(&mut pty, keys::RIGHT, &[&format!("{comp} ")]);
        }
        step(&mut pty, "b", &[&format!("Mark {comp} built?")]);
        step(&mut pty, "y", &[&format!("{comp} marked built")]);
        step(&mut pty, "v", &[&format!("Mark {comp} validated?")]);
        step(&mut pty, "y", &[&format!("{comp} marked validated")]);
    }
    step(
        &mut pty,
        "c",
        &["Complete the build?", "All 3 components are validated"],
    );
    step(
        &mut pty,
        "y",
        &["build completed: the engagement is in As-Built"],
    );

    // The diff: one hunk, in COMP-2's section, that no deviation explains yet.
    let screen = step(
        &mut pty,
        "d",
        &[
            "Approved design",
            "hunk 1/1",
            "UNEXPLAINED: no deviation names COMP-2",
        ],
    );
    assert!(
        common::pty::text_of(&screen).contains("vlan-templates v1.4, ports"),
        "{}",
        common::pty::text_of(&screen)
    );
    // One key from the hunk: the form, prefilled with COMP-2.
    step(
        &mut pty,
        "D",
        &["Record DEV-1 — from hunk 1/1, unexplained", "COMP-2"],
    );
    step(&mut pty, "s", &["scope-change"]);
    pty.send(keys::TAB);
    step(
        &mut pty,
        "ports with a policy are skipped",
        &["ports with a policy are skipped"],
    );
    pty.send(keys::ENTER);
    step(
        &mut pty,
        "camera policing must stay",
        &[
            "why         camera policing must stay",
            "- DEV-1 (COMP-2, scope-change): ports with a policy are skipped",
        ],
    );
    step(&mut pty, keys::ENTER, &["Record DEV-1?"]);
    step(
        &mut pty,
        "y",
        &[
            "DEV-1 (COMP-2, scope-change) written to as-built.md and recorded",
            "✔ explained by DEV-1",
        ],
    );
    // The scope change gets its amendment from the same pane.
    step(&mut pty, "A", &["Spec amendment AMD-1", "DEV-1"]);
    step(
        &mut pty,
        "REQ-3 excludes ports that already carry an input policy",
        &["- AMD-1 (DEV-1): REQ-3 excludes"],
    );
    step(&mut pty, keys::ENTER, &["Record AMD-1?"]);
    step(
        &mut pty,
        "y",
        &["AMD-1 (DEV-1) appended to customer-spec.md and recorded"],
    );
    // Every condition holds, but not for the owner.
    step(
        &mut pty,
        "C",
        &["alice owns this engagement and cannot close the engagement"],
    );
    quit(&mut pty);

    // A second person closes.
    let mut pty = tui(&ws, "reviewer");
    step(&mut pty, "d", &["close: every condition holds"]);
    step(
        &mut pty,
        "C",
        &[
            "Close the engagement?",
            "closer:   reviewer",
            "binds:    DEV-1, AMD-1",
        ],
    );
    step(&mut pty, "y", &["engagement closed by reviewer"]);
    quit(&mut pty);

    let check = ws.run("reader", &["check", SLUG]);
    assert_eq!(
        check.code, 0,
        "check after the close:\n{}\n{}",
        check.stdout, check.stderr
    );
    assert_eq!(
        journal_kinds(&ws),
        [
            "created",
            "gate_approved",
            "feasibility_completed",
            "gate_approved",
            "component_status",
            "component_status",
            "component_status",
            "component_status",
            "component_status",
            "component_status",
            "build_completed",
            "deviation_recorded",
            "amendment_recorded",
            "closed",
        ]
    );
    let journal = ws.read(SLUG, ".phasegate/journal.toml");
    let order: Vec<&str> = journal
        .split("[[event]]")
        .filter(|e| e.contains("kind = \"component_status\""))
        .flat_map(|e| {
            e.lines()
                .filter(|l| l.starts_with("component = ") || l.starts_with("status = "))
        })
        .collect();
    assert_eq!(
        order,
        [
            "component = \"COMP-1\"",
            "status = \"built\"",
            "component = \"COMP-1\"",
            "status = \"validated\"",
            "component = \"COMP-2\"",
            "status = \"built\"",
            "component = \"COMP-2\"",
            "status = \"validated\"",
            "component = \"COMP-3\"",
            "status = \"built\"",
            "component = \"COMP-3\"",
            "status = \"validated\"",
        ]
    );
    assert!(journal.contains("actor = \"reviewer\"") && journal.contains("kind = \"closed\""));
    let as_built = ws.read(SLUG, "as-built.md");
    assert!(as_built.contains("- DEV-1 (COMP-2, scope-change): ports with a policy are skipped — camera policing must stay\n"));
    let spec = ws.read(SLUG, "customer-spec.md");
    assert!(spec.contains("## Amendments\n- AMD-1 (DEV-1): REQ-3 excludes ports that already carry an input policy\n"), "{spec}");
    let status = ws.status(SLUG);
    assert_eq!(status["phase"], "closed", "{status}");
    assert_eq!(
        status["gates"]["1"]["state"], "approved",
        "the amendment left Gate 1 approved"
    );
}
