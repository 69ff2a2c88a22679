//! The git-facing commands on their own (issue 11): `merge-journal` as git calls it (exit
//! codes, `%A` written atomically or left untouched, the events named) and `check --format
//! json` for tools. The end-to-end flows through real clones are in `git_e2e.rs`.

mod common;

use std::path::Path;

use common::{Output, Workspace};

const SLUG: &str = "bgp-onboard";
const JOURNAL: &str = ".phasegate/journal.toml";
const GATE2: [&str; 6] = ["--check", "G2-7", "--check", "G2-8", "--check", "G2-9"];

fn ok(o: &Output) {
    assert_eq!(o.code, 0, "stdout: {}\nstderr: {}", o.stdout, o.stderr);
}

fn gate2_approve(ws: &Workspace, at: &str) {
    let mut args = vec!["gate", "2", "approve", SLUG];
    args.extend(GATE2);
    ok(&ws.run_at(at, "bob", &args));
}

/// `phasegate merge-journal BASE OURS THEIRS [SLUG/.phasegate/journal.toml]` run in the
/// workspace, as git runs the driver at the work tree's top.
fn merge_journal(ws: &Workspace, files: [&Path; 3], with_path: bool) -> Output {
    let mut cmd = ws.command("reader", &["merge-journal"]);
    cmd.args(files).current_dir(ws.path());
    if with_path {
        cmd.arg(format!("{SLUG}/{JOURNAL}"));
    }
    let out = cmd.output().expect("run merge-journal");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Three journals of one engagement in Build (bgp sample design: COMP-3 depends on COMP-2):
/// the base at Gate 2's approval, ours building COMP-2 (13:10) then COMP-3 (13:40), theirs
/// reopening Gate 2 (13:20) and approving it again (13:30), which voids COMP-2's status.
fn build_fork(ws: &Workspace) -> (String, String, String) {
    ws.engagement_in_design(SLUG);
    gate2_approve(ws, "2026-11-20T13:00:00Z");
    let base = ws.read(SLUG, JOURNAL);
    ok(&ws.run_at(
        "2026-11-20T13:10:00Z",
        "alice",
        &["component", "COMP-2", "built", SLUG],
    ));
    ok(&ws.run_at(
        "2026-11-20T13:40:00Z",
        "alice",
        &["component", "COMP-3", "built", SLUG],
    ));
    let ours = ws.read(SLUG, JOURNAL);
    ws.write(SLUG, JOURNAL, &base);
    ok(&ws.run_at(
        "2026-11-20T13:20:00Z",
        "bob",
        &[
            "gate",
            "2",
            "reopen",
            SLUG,
            "--reason",
            "the peer count doubled",
        ],
    ));
    gate2_approve(ws, "2026-11-20T13:30:00Z");
    let theirs = ws.read(SLUG, JOURNAL);
    // The work tree holds ours, as during `git merge`.
    ws.write(SLUG, JOURNAL, &ours);
    (base, ours, theirs)
}

fn write_sides(dir: &Path, base: &str, ours: &str, theirs: &str) -> [std::path::PathBuf; 3] {
    let paths = [dir.join("O"), dir.join("A"), dir.join("B")];
    for (p, t) in paths.iter().zip([base, ours, theirs]) {
        std::fs::write(p, t).expect("side");
    }
    paths
}

#[test]
fn a_component_built_before_its_dependency_in_the_merged_order_is_refused() {
    let ws = Workspace::new();
    let (base, ours, theirs) = build_fork(&ws);
    let sides = tempfile::tempdir().expect("tempdir");
    let [o, a, b] = write_sides(sides.path(), &base, &ours, &theirs);
    let out = merge_journal(&ws, [&o, &a, &b], true);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let said = &out.stderr;
    assert!(said.contains("refused to merge the journals"), "{said}");
    assert!(
        said.contains("COMP-3 cannot be built before its dependencies: COMP-2 not built yet"),
        "{said}"
    );
    assert!(
        said.contains("ours event 6 (component_status by alice at 2026-11-20T13:40:00Z)"),
        "{said}"
    );
    assert!(
        said.contains("before it in the merged order: theirs event 5 (gate_reopened by bob"),
        "{said}"
    );
    // %A untouched: git keeps ours and reports the conflict.
    assert_eq!(std::fs::read_to_string(&a).unwrap(), ours);
}

#[test]
fn the_driver_writes_the_merged_journal_to_ours_and_check_accepts_it() {
    let ws = Workspace::new();
    ws.engagement_in_design(SLUG);
    let base = ws.read(SLUG, JOURNAL);
    // Theirs approves Gate 2; ours has nothing new.
    gate2_approve(&ws, "2026-11-20T13:00:00Z");
    let theirs = ws.read(SLUG, JOURNAL);
    ws.write(SLUG, JOURNAL, &base);
    let sides = tempfile::tempdir().expect("tempdir");
    let [o, a, b] = write_sides(sides.path(), &base, &base, &theirs);
    let out = merge_journal(&ws, [&o, &a, &b], true);
    ok(&out);
    let merged = std::fs::read_to_string(&a).unwrap();
    assert_eq!(merged, theirs, "one side's extension merges to itself");

    // Both sides new: two independent components built on each side after the approval.
    ws.write(SLUG, JOURNAL, &theirs);
    ok(&ws.run_at(
        "2026-11-20T13:10:00Z",
        "alice",
        &["component", "COMP-2", "built", SLUG],
    ));
    let ours = ws.read(SLUG, JOURNAL);
    ws.write(SLUG, JOURNAL, &theirs);
    ok(&ws.run_at(
        "2026-11-20T13:20:00Z",
        "alice",
        &["component", "COMP-1", "built", SLUG],
    ));
    let theirs2 = ws.read(SLUG, JOURNAL);
    ws.write(SLUG, JOURNAL, &ours);
    let [o, a, b] = write_sides(sides.path(), &theirs, &ours, &theirs2);
    ok(&merge_journal(&ws, [&o, &a, &b], true));
    let merged = std::fs::read_to_string(&a).unwrap();
    let j = phasegate::domain::journal::parse_journal(&merged).unwrap();
    assert_eq!(j.broken, None);
    let last: Vec<String> = j
        .events
        .iter()
        .rev()
        .take(2)
        .map(|e| e.body.summary())
        .collect();
    assert_eq!(last, ["COMP-1 built", "COMP-2 built"]);
    ws.write(SLUG, JOURNAL, &merged);
    let check = ws.run("reader", &["check", SLUG]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    // Without %P the journals alone are judged (no engagement to replay with).
    let [o, a, b] = write_sides(sides.path(), &theirs, &ours, &theirs2);
    ok(&merge_journal(&ws, [&o, &a, &b], false));
    assert_eq!(std::fs::read_to_string(&a).unwrap(), merged);
}

#[test]
fn unreadable_sides_are_usage_errors_and_leave_ours_alone() {
    let ws = Workspace::new();
    ws.engagement_in_design(SLUG);
    let journal = ws.read(SLUG, JOURNAL);
    let sides = tempfile::tempdir().expect("tempdir");
    let [o, a, b] = write_sides(sides.path(), &journal, &journal, "not a journal\n");
    let out = merge_journal(&ws, [&o, &a, &b], true);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("the theirs journal cannot be read"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&a).unwrap(), journal);
    std::fs::remove_file(&b).unwrap();
    let out = merge_journal(&ws, [&o, &a, &b], true);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("cannot read"), "{}", out.stderr);
}

#[test]
fn check_format_json_gives_one_object_per_engagement_with_positions() {
    let ws = Workspace::with_samples();
    // Tamper with one approved spec after its approval: Gate 1 is stale there.
    let spec = ws.read("vlan-qos", "customer-spec.md");
    ws.write(
        "vlan-qos",
        "customer-spec.md",
        &spec.replacen(
            "## Requirements",
            "## Requirements\n\n- REQ-99: added later",
            1,
        ),
    );
    let o = ws.run("reader", &["check", "--all", "--format", "json"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("stdout is one JSON array");
    let all = v.as_array().expect("an array");
    assert_eq!(all.len(), 3, "{v}");
    let by_slug = |slug: &str| {
        all.iter()
            .find(|e| e["slug"] == slug)
            .unwrap_or_else(|| panic!("{slug} in {v}"))
    };
    let clean = by_slug("firewall-drift");
    assert_eq!(clean["ok"], true, "{clean}");
    assert_eq!(clean["problems"].as_array().unwrap().len(), 0);
    assert!(clean["head"].as_str().unwrap().len() == 64);
    let bad = by_slug("vlan-qos");
    assert_eq!(bad["ok"], false, "{bad}");
    let problems = bad["problems"].as_array().unwrap();
    assert!(!problems.is_empty());
    for p in problems {
        assert!(
            p["file"].is_string() && p["line"].is_u64() && p["column"].is_u64(),
            "{p}"
        );
        assert!(p["message"].as_str().is_some_and(|m| !m.is_empty()), "{p}");
    }
    assert!(
        problems
            .iter()
            .any(|p| p["message"].as_str().unwrap().contains("REQ-99")
                || p["message"].as_str().unwrap().contains("stale")
                || p["message"].as_str().unwrap().contains("changed")),
        "{bad}"
    );
    // SARIF for code scanning: the same findings, located relative to the workspace.
    let o = ws.run("reader", &["check", "--all", "--format", "sarif"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let sarif: serde_json::Value = serde_json::from_str(&o.stdout).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let errors: Vec<&serde_json::Value> =
        results.iter().filter(|r| r["level"] == "error").collect();
    assert_eq!(errors.len(), problems.len(), "{sarif}");
    for r in &errors {
        let location = &r["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(
            uri.starts_with("vlan-qos/"),
            "relative to the workspace: {uri}"
        );
        if let Some(line) = location["region"]["startLine"].as_u64() {
            assert!(line >= 1);
        }
    }
    // Text output is unchanged by the flag's existence.
    let text = ws.run("reader", &["check", "--all"]);
    assert_eq!(text.code, 1);
    assert!(text.stdout.contains("3 engagement(s): "), "{}", text.stdout);
}
