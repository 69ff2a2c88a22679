//! Attacks on the integrity of an engagement (issue 16), each reproduced through the real CLI:
//! a hostile teammate who edits files, rewrites the whole journal with recomputed hashes, kills
//! writers mid-transaction or plants symlink cycles. Every test failed before its fix.

mod common;

use std::time::Duration;

use common::{Workspace, gate2_approve};
use sha2::Digest;

/// A hang is a failure, not a stuck suite.
const DEADLINE: Duration = Duration::from_secs(10);

#[test]
fn symlink_cycles_in_build_do_not_hang_check_or_status() {
    let ws = Workspace::with_samples();
    let build = ws.engagement("vlan-qos").join("build");
    std::os::unix::fs::symlink(".", build.join("a")).expect("symlink a");
    std::os::unix::fs::symlink(".", build.join("b")).expect("symlink b");
    std::os::unix::fs::symlink("..", build.join("COMP-1").join("up")).expect("symlink up");

    let check = ws
        .run_within(DEADLINE, "reader", &["check", "vlan-qos", "--strict"])
        .expect("`check` hung on a symlink cycle in build/");
    assert_eq!(check.code, 1, "{}\n{}", check.stdout, check.stderr);
    for cycle in ["build/a: is a symlink cycle", "build/b: is a symlink cycle"] {
        assert!(check.stdout.contains(cycle), "{}", check.stdout);
    }
    assert!(
        check
            .stdout
            .contains("build/COMP-1/up: is a symlink cycle: it leads back to build/"),
        "{}",
        check.stdout
    );
    let status = ws
        .run_within(DEADLINE, "reader", &["status", "vlan-qos"])
        .expect("`status` hung on a symlink cycle in build/");
    assert_eq!(status.code, 0, "{}", status.stderr);
}

const JOURNAL: &str = ".phasegate/journal.toml";

/// `check` on a rewritten vlan-qos: exit 1, naming event `seq` and `why`.
#[track_caller]
fn assert_unlawful(ws: &Workspace, seq: usize, why: &str) {
    let o = ws.run("ci", &["check", "vlan-qos"]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    let line = o
        .stdout
        .lines()
        .find(|l| l.contains("breaks the rules"))
        .unwrap_or_else(|| panic!("no unlawful event named:\n{}", o.stdout));
    assert!(line.contains(&format!("event {seq} (")), "{line}");
    assert!(line.contains(why), "{line}");
    assert!(
        !o.stdout.contains("chain of"),
        "the chain itself verifies: {}",
        o.stdout
    );
}

#[test]
fn a_rewritten_chain_with_the_owner_approving_fails_check() {
    let ws = Workspace::with_samples();
    let journal = ws.engagement("vlan-qos").join(JOURNAL);
    assert_eq!(ws.run("ci", &["check", "vlan-qos"]).code, 0);
    common::chain::rewrite(&journal, |events| {
        let i = common::chain::find(events, &["kind = \"gate_approved\"", "gate = 1"]);
        events[i] = events[i].replace("actor = \"bob\"", "actor = \"alice\"");
    });
    assert_unlawful(
        &ws,
        2,
        "alice owns this engagement and cannot approve Gate 1",
    );
}

#[test]
fn a_rewritten_chain_with_a_failed_criterion_approved_fails_check() {
    let ws = Workspace::with_samples();
    let journal = ws.engagement("vlan-qos").join(JOURNAL);
    common::chain::rewrite(&journal, |events| {
        let i = common::chain::find(events, &["kind = \"gate_approved\"", "gate = 2"]);
        events[i] = events[i].replace(
            "{ id = \"G2-3\", result = \"pass\" }",
            "{ id = \"G2-3\", result = \"fail\" }",
        );
    });
    assert_unlawful(&ws, 4, "G2-3 is fail");

    // A hard criterion waived, or a criterion left out, is as unlawful.
    let ws = Workspace::with_samples();
    let journal = ws.engagement("vlan-qos").join(JOURNAL);
    common::chain::rewrite(&journal, |events| {
        let i = common::chain::find(events, &["kind = \"gate_approved\"", "gate = 1"]);
        events[i] = events[i]
            .replace(
                "{ id = \"G1-3\", result = \"pass\" }",
                "{ id = \"G1-3\", result = \"waived\", reason = \"later\" }",
            )
            .replace("  { id = \"G1-8\", result = \"checked\" },\n", "");
    });
    assert_unlawful(&ws, 2, "G1-8 has no recorded result");
    let o = ws.run("ci", &["check", "vlan-qos"]);
    assert!(
        o.stdout
            .contains("G1-3 is a hard criterion and cannot be waived"),
        "{}",
        o.stdout
    );
}

#[test]
fn a_rewritten_chain_without_a_validation_before_build_completed_fails_check() {
    let ws = Workspace::with_samples();
    let journal = ws.engagement("vlan-qos").join(JOURNAL);
    let mut build_completed = 0;
    common::chain::rewrite(&journal, |events| {
        let i = common::chain::find(
            events,
            &["component = \"COMP-4\"", "status = \"validated\""],
        );
        events.remove(i);
        build_completed = common::chain::find(events, &["kind = \"build_completed\""]) + 1;
    });
    assert_unlawful(
        &ws,
        build_completed,
        "the build is not complete: every component must be validated; COMP-4 is built",
    );
}

#[test]
fn a_rewritten_chain_out_of_build_order_fails_check() {
    let ws = Workspace::with_samples();
    let journal = ws.engagement("vlan-qos").join(JOURNAL);
    // COMP-2 depends on COMP-1: move COMP-2's `built` before COMP-1's.
    let mut moved = 0;
    common::chain::rewrite(&journal, |events| {
        let first = common::chain::find(events, &["component = \"COMP-1\"", "status = \"built\""]);
        let second = common::chain::find(events, &["component = \"COMP-2\"", "status = \"built\""]);
        let event = events.remove(second);
        events.insert(first, event);
        moved = first + 1;
    });
    assert_unlawful(&ws, moved, "COMP-2 cannot be built before its dependencies");
}

#[test]
fn a_rewritten_chain_recording_a_deviation_twice_fails_check() {
    let ws = Workspace::with_samples();
    let journal = ws.engagement("vlan-qos").join(JOURNAL);
    let mut twice = 0;
    common::chain::rewrite(&journal, |events| {
        let i = common::chain::find(events, &["kind = \"deviation_recorded\"", "DEV-1"]);
        let copy = events[i].clone();
        events.insert(i + 1, copy);
        twice = i + 2;
    });
    assert_unlawful(&ws, twice, "DEV-1 is already recorded at event");
}

#[test]
fn the_owner_cannot_approve_by_editing_owner_for_a_moment() {
    let ws = Workspace::new();
    ws.engagement_in_design("edge");
    assert!(
        ws.read("edge", JOURNAL).contains("owner = \"alice\""),
        "created records the owner"
    );
    let toml = ws.read("edge", "engagement.toml");
    ws.write(
        "edge",
        "engagement.toml",
        &toml.replace("owner = \"alice\"", "owner = \"mallory\""),
    );

    // Unrecorded, the new owner decides nothing.
    let o = ws.run("alice", &gate2_approve("edge"));
    common::assert_refused(&o, &["owner alice → mallory", "phasegate record-policy"]);
    let o = ws.run("ci", &["check", "edge"]);
    assert_eq!(
        o.code, 1,
        "an unrecorded owner change is a problem: {}",
        o.stdout
    );

    // Recorded, it is evident, and still frees no one: alice has owned the engagement.
    let o = ws.run("alice", &["record-policy", "edge", "--reason", "handover"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = ws.run("alice", &gate2_approve("edge"));
    common::assert_refused(
        &o,
        &["alice has owned this engagement and cannot approve Gate 2"],
    );
    let o = ws.run("bob", &gate2_approve("edge"));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(ws.run("ci", &["check", "edge"]).code, 0);
}

#[test]
fn distinct_approver_cannot_be_flipped_off_after_gate_1() {
    let ws = Workspace::new();
    ws.engagement_in_design("edge");
    let toml = ws.read("edge", "engagement.toml");
    let off = toml.replace("distinct_approver = true", "distinct_approver = false");
    ws.write("edge", "engagement.toml", &off);
    let o = ws.run("alice", &gate2_approve("edge"));
    common::assert_refused(&o, &["distinct_approver true → false"]);
    let o = ws.run(
        "alice",
        &["record-policy", "edge", "--reason", "one person team"],
    );
    common::assert_refused(
        &o,
        &["[policy] cannot change after Gate 1 was approved (event 2)"],
    );
    ws.write("edge", "engagement.toml", &toml);
    let o = ws.run("alice", &gate2_approve("edge"));
    common::assert_refused(&o, &["alice owns this engagement"]);
}

#[test]
fn a_rewritten_chain_that_flips_the_policy_for_one_approval_fails_check() {
    let ws = Workspace::new();
    ws.engagement_in_design("edge");
    let o = ws.run("bob", &gate2_approve("edge"));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let journal = ws.engagement("edge").join(JOURNAL);
    let original = std::fs::read_to_string(&journal).expect("journal");

    // Approval rewritten to alice under a policy recorded as off: the recorded policy is not
    // the one in force.
    common::chain::rewrite(&journal, |events| {
        let i = common::chain::find(events, &["kind = \"gate_approved\"", "gate = 2"]);
        events[i] = events[i]
            .replace("actor = \"bob\"", "actor = \"alice\"")
            .replace("distinct_approver = true", "distinct_approver = false");
    });
    let o = ws.run("ci", &["check", "edge"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout
            .contains("event 4 (gate_approved) by alice breaks the rules"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("while true was in force"), "{}", o.stdout);

    // With a forged policy_changed turning it off first: that change is itself unlawful.
    std::fs::write(&journal, &original).expect("restore");
    common::chain::rewrite(&journal, |events| {
        let i = common::chain::find(events, &["kind = \"gate_approved\"", "gate = 2"]);
        events[i] = events[i]
            .replace("actor = \"bob\"", "actor = \"alice\"")
            .replace("distinct_approver = true", "distinct_approver = false");
        let flip = "[[event]]\nseq = 0\nat = 2026-11-20T12:00:00Z\nactor = \"alice\"\nos_user = \"alice@vm\"\nkind = \"policy_changed\"\nowner = \"alice\"\npolicy = { distinct_approver = false }\nreason = \"x\"\nprev = \"\"\nhash = \"\"\n";
        events.insert(i, flip.to_string());
    });
    let o = ws.run("ci", &["check", "edge"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout
            .contains("event 4 (policy_changed) by alice breaks the rules")
            && o.stdout
                .contains("[policy] cannot change after Gate 1 was approved"),
        "{}",
        o.stdout
    );
}

#[test]
fn a_closed_engagement_cannot_drift() {
    let ws = Workspace::with_samples();
    let o = ws.run(
        "bob",
        &["close", "vlan-qos", "--reason", "accepted by the CAB"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        ws.read("vlan-qos", JOURNAL)
            .contains("build = [\n  { path = \"COMP-1/")
    );
    common::assert_strict_clean_but_the_clock(&ws.run("ci", &["check", "vlan-qos", "--strict"]));

    // A line added under a component of the as-built.
    let as_built = ws.read("vlan-qos", "as-built.md");
    let (line, _) = common::position_of(&as_built, "### COMP-1");
    let mut lines: Vec<&str> = as_built.lines().collect();
    lines.insert(line, "- note: also pushes to the lab switches");
    ws.write("vlan-qos", "as-built.md", &(lines.join("\n") + "\n"));
    let o = ws.run("ci", &["check", "vlan-qos"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout
            .contains("as-built.md: as-built.md changed after the engagement was closed"),
        "{}",
        o.stdout
    );
    ws.write("vlan-qos", "as-built.md", &as_built);
    assert_eq!(ws.run("ci", &["check", "vlan-qos"]).code, 0);

    // Build files changed, added and removed.
    let build = ws.engagement("vlan-qos").join("build");
    let changed = std::fs::read_dir(build.join("COMP-1"))
        .expect("build/COMP-1")
        .filter_map(Result::ok)
        .find(|e| e.path().is_file())
        .expect("a file in build/COMP-1")
        .path();
    let name = changed
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let mut text = std::fs::read(&changed).expect("read");
    text.extend_from_slice(b"\n# hotfix\n");
    std::fs::write(&changed, &text).expect("write");
    std::fs::write(build.join("COMP-2").join("extra.j2"), "x").expect("add");
    let o = ws.run("ci", &["check", "vlan-qos"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    for needle in [
        format!("build/COMP-1/{name}: changed after the engagement was closed"),
        "build/COMP-2/extra.j2: added after the engagement was closed".to_string(),
    ] {
        assert!(o.stdout.contains(&needle), "{needle}: {}", o.stdout);
    }
    std::fs::remove_file(&changed).expect("remove");
    let o = ws.run("ci", &["check", "vlan-qos"]);
    assert!(
        o.stdout.contains(&format!(
            "build/COMP-1/{name}: removed after the engagement was closed"
        )),
        "{}",
        o.stdout
    );
}

#[test]
fn a_tampered_or_missing_snapshot_is_a_check_problem_and_exit_2_prints_no_clean_count() {
    let ws = Workspace::with_samples();
    let objects = ws.engagement("vlan-qos").join(".phasegate/objects");
    let mut snapshots: Vec<_> = std::fs::read_dir(&objects)
        .expect("objects")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    snapshots.sort();
    let victim = snapshots[0].clone();
    let original = std::fs::read_to_string(&victim).expect("object");
    std::fs::write(&victim, format!("{original}- REQ-99: slipped in later\n")).expect("tamper");
    let o = ws.run("ci", &["check", "vlan-qos"]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains(&format!(
            "{}: snapshot content does not match its hash",
            victim.display()
        )),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("1 engagement(s): 1 problem(s)"),
        "{}",
        o.stdout
    );

    std::fs::remove_file(&victim).expect("remove");
    let o = ws.run("ci", &["check", "vlan-qos"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.contains("is missing or corrupt"), "{}", o.stdout);

    // Unreadable input exits 2, and the summary never reads as a clean count.
    ws.write("vlan-qos", "engagement.toml", "schema = \"one\"\n");
    let o = ws.run("ci", &["check", "--all"]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(!o.stdout.contains("0 problem(s)"), "{}", o.stdout);
    assert!(
        o.stdout.contains("3 engagement(s): 1 could not be read"),
        "{}",
        o.stdout
    );
}

#[test]
fn recording_an_unchanged_item_again_is_refused() {
    let ws = Workspace::with_samples();
    let o = ws.run("alice", &["deviation", "record", "DEV-1", "vlan-qos"]);
    common::assert_refused(&o, &["DEV-1 is already recorded at event 14, unchanged"]);
    let o = ws.run("alice", &["deviation", "record", "AMD-1", "vlan-qos"]);
    common::assert_refused(&o, &["AMD-1 is already recorded at event"]);
}

#[test]
fn an_append_past_the_journal_read_limit_is_refused_before_it_crosses_it() {
    let ws = Workspace::with_samples();
    let journal = ws.engagement("bgp-peer-onboarding").join(JOURNAL);
    let text = std::fs::read_to_string(&journal).expect("journal");
    // Comments pad the journal to just under 16 MiB: it still reads, one more event would not fit.
    let limit = 16 * 1024 * 1024;
    let pad = limit - text.len() - 200;
    let comment: String = "# padding\n".repeat(pad / 10);
    std::fs::write(&journal, format!("{comment}{text}")).expect("pad");
    assert_eq!(ws.run("ci", &["check", "bgp-peer-onboarding"]).code, 0);
    let o = ws.run("carol", &gate2_approve("bgp-peer-onboarding"));
    common::assert_refused(
        &o,
        &[
            "past the 16 MiB every command reads; nothing was written",
            "phasegate new",
        ],
    );
    assert_eq!(
        std::fs::metadata(&journal).expect("journal").len() as usize,
        comment.len() + text.len(),
        "nothing appended"
    );
    assert!(
        !ws.engagement("bgp-peer-onboarding")
            .join("as-built.md")
            .exists()
    );
    assert_eq!(ws.run("ci", &["check", "bgp-peer-onboarding"]).code, 0);
}

/// Temp files an interrupted atomic write left anywhere in the engagement.
fn temps(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for dir in [
        root.to_path_buf(),
        root.join(".phasegate"),
        root.join(".phasegate/objects"),
    ] {
        for entry in std::fs::read_dir(&dir)
            .expect("read_dir")
            .filter_map(Result::ok)
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn gate_2_approval_stopped_after_any_write_leaves_no_orphan_and_completes_on_rerun() {
    let mut writes_seen = 0;
    for n in 0.. {
        let ws = Workspace::new();
        ws.engagement_in_design("edge");
        let root = ws.engagement("edge");
        let before = ws.read("edge", JOURNAL);
        let o = ws
            .command("bob", &gate2_approve("edge"))
            .env("PHASEGATE_TEST_FAIL_AFTER_WRITES", n.to_string())
            .output()
            .expect("run phasegate");
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{stderr}");
        let injected = stderr.contains("PHASEGATE_TEST_FAIL_AFTER_WRITES");
        let committed = ws.read("edge", JOURNAL) != before;

        // Whatever was written, the engagement is lawful and holds no orphan.
        let check = ws.run("ci", &["check", "edge"]);
        assert_eq!(check.code, 0, "after {n} writes: {}", check.stdout);
        assert!(
            !check.stdout.contains("edited before its phase"),
            "{}",
            check.stdout
        );
        if !committed {
            assert!(
                !root.join("as-built.md").exists(),
                "after {n} writes: orphan as-built.md"
            );
            assert_eq!(o.status.code(), Some(2), "after {n} writes: {stderr}");
        }
        assert!(
            temps(&root).is_empty(),
            "after {n} writes: {:?}",
            temps(&root)
        );

        // Run again: it completes (or is already approved), as-built.md is the approved design's.
        let again = ws.run("bob", &gate2_approve("edge"));
        if committed {
            common::assert_refused(&again, &["Gate 2 is already approved"]);
        } else {
            assert_eq!(again.code, 0, "after {n} writes: {}", again.stderr);
        }
        let design = ws.read("edge", "solution-design.md");
        let as_built = ws.read("edge", "as-built.md");
        assert!(
            as_built.starts_with(design.trim_end()),
            "after {n} writes:\n{as_built}"
        );
        let check = ws.run("ci", &["check", "edge", "--strict"]);
        eprintln!("after {n} writes");
        common::assert_strict_clean_but_the_clock(&check);
        if !injected {
            assert_eq!(o.status.code(), Some(0), "{stderr}");
            writes_seen = n;
            break;
        }
    }
    // Two snapshots (feasibility, design; the spec's is Gate 1's), the journal, as-built.md.
    assert_eq!(writes_seen, 4, "gate 2 approve makes four writes");
}

#[test]
fn an_orphan_as_built_from_an_older_phasegate_is_named_and_regenerated() {
    let ws = Workspace::new();
    ws.engagement_in_design("edge");
    // What a crash between as-built.md and the journal left before the journal became the
    // commit point: the design's snapshot, as-built.md made from the design, no approval.
    let design = ws.read("edge", "solution-design.md");
    let sha: String = sha2::Sha256::digest(design.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(
        ws.engagement("edge").join(".phasegate/objects").join(sha),
        &design,
    )
    .expect("snapshot");
    ws.write(
        "edge",
        "as-built.md",
        &format!("{design}\n## Deviations\n\n## As-Built Notes\n"),
    );
    let o = ws.run("ci", &["check", "edge"]);
    assert!(
        o.stdout
            .contains("as-built.md was left by a Gate 2 approval that did not complete"),
        "{}",
        o.stdout
    );
    assert!(
        !o.stdout.contains("edited before its phase"),
        "{}",
        o.stdout
    );
    // The design is fixed before the approval runs again: the orphan holds the older text.
    let fixed = design.replace("## Testing Approach\n", "## Testing Approach\nLab first.\n");
    ws.write("edge", "solution-design.md", &fixed);
    let o = ws.run("bob", &gate2_approve("edge"));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(ws.read("edge", "as-built.md").starts_with(fixed.trim_end()));
    let o = ws.run("ci", &["check", "edge", "--strict"]);
    common::assert_strict_clean_but_the_clock(&o);
}

#[test]
fn a_rewritten_chain_building_against_a_stale_design_fails_check() {
    let ws = Workspace::with_samples();
    let journal = ws.engagement("vlan-qos").join(JOURNAL);
    let mut at = 0;
    common::chain::rewrite(&journal, |events| {
        let i = common::chain::find(events, &["component = \"COMP-1\"", "status = \"built\""]);
        // The design this component was built against is not the one Gate 2 approved.
        let line = events[i]
            .lines()
            .find(|l| l.contains("file = \"solution-design.md\""))
            .expect("design record")
            .to_string();
        let governed = line.rfind("governed_sha256 = \"").expect("governed") + 19;
        let mut forged = line.clone();
        forged.replace_range(governed..governed + 64, &"e".repeat(64));
        events[i] = events[i].replace(&line, &forged);
        at = i + 1;
    });
    assert_unlawful(
        &ws,
        at,
        "cannot change a component's status: Gate 2 is stale",
    );
}

#[test]
fn a_journal_without_a_recorded_owner_can_record_it_once() {
    let ws = Workspace::with_samples();
    // bgp-peer-onboarding's `created` predates recording the owner.
    assert!(!ws.read("bgp-peer-onboarding", JOURNAL).contains("owner = "));
    let o = ws.run(
        "bob",
        &[
            "record-policy",
            "bgp-peer-onboarding",
            "--reason",
            "record the owner",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        ws.read("bgp-peer-onboarding", JOURNAL)
            .contains("kind = \"policy_changed\"\nowner = \"bob\"")
    );
    let o = ws.run(
        "bob",
        &["record-policy", "bgp-peer-onboarding", "--reason", "again"],
    );
    common::assert_refused(
        &o,
        &["already recorded as engagement.toml has them (event 4)"],
    );
    let o = ws.run(
        "bob",
        &["record-policy", "bgp-peer-onboarding", "--reason", ""],
    );
    assert_eq!(o.code, 2, "a reason is required: {}", o.stderr);
    common::assert_strict_clean_but_the_clock(
        &ws.run("ci", &["check", "bgp-peer-onboarding", "--strict"]),
    );
}
