//! Day 2 and the reuse catalog (DESIGN §7): `new --from` a closed engagement, the delta against
//! the baseline in `status --json`, catalog resolution, dangling and superseded references.

mod common;

use common::{Workspace, assert_refused, position_of};
use serde_json::Value;

fn gate_checks(gate: &str) -> Vec<&'static str> {
    match gate {
        "1" => vec![
            "--check", "G1-5", "--check", "G1-6", "--check", "G1-7", "--check", "G1-8",
        ],
        _ => vec!["--check", "G2-7", "--check", "G2-8", "--check", "G2-9"],
    }
}

#[track_caller]
fn ok(ws: &Workspace, actor: &str, args: &[&str]) -> String {
    let o = ws.run(actor, args);
    assert_eq!(
        o.code, 0,
        "{args:?}\nstdout: {}\nstderr: {}",
        o.stdout, o.stderr
    );
    o.stdout
}

/// The samples with vlan-qos closed (its design-change accepted at close).
fn closed_vlan_qos() -> (Workspace, String) {
    let ws = Workspace::with_samples();
    ok(
        &ws,
        "bob",
        &["close", "vlan-qos", "--reason", "accepted by the CAB"],
    );
    let s = ws.status("vlan-qos");
    assert_eq!(s["phase"], "closed");
    let head = s["head"].as_str().unwrap().to_string();
    (ws, head)
}

fn criterion(s: &Value, id: &str) -> Value {
    s["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
        .clone()
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn new_from_a_closed_engagement_links_it_and_status_shows_the_delta() {
    let (ws, head) = closed_vlan_qos();

    // Only a closed engagement can be a baseline.
    let o = ws.run("alice", &["new", "bgp-2", "--from", "bgp-peer-onboarding"]);
    assert_refused(&o, &["bgp-peer-onboarding is in Design, not closed"]);
    assert!(!ws.engagement("bgp-2").exists());

    ok(&ws, "alice", &["new", "vlan-qos-2", "--from", "vlan-qos"]);
    let reference = format!("vlan-qos@{head}");
    let toml = ws.read("vlan-qos-2", "engagement.toml");
    assert!(
        toml.contains(&format!("baseline = \"{reference}\"")),
        "{toml}"
    );
    let journal = ws.read("vlan-qos-2", ".phasegate/journal.toml");
    assert!(
        journal.contains(&format!(
            "kind = \"created\"\nowner = \"alice\"\nbaseline = \"{reference}\""
        )),
        "{journal}"
    );
    // The spec is the baseline's, amendments kept; the design is its reconciled record.
    assert_eq!(
        ws.read("vlan-qos-2", "customer-spec.md"),
        ws.read("vlan-qos", "customer-spec.md")
    );
    let design = ws.read("vlan-qos-2", "solution-design.md");
    assert!(design.contains("RESTCONF task for IOS-XE") || design.contains("### COMP-3"));
    assert!(!design.contains("## Deviations"), "{design}");
    let feasibility = ws.read("vlan-qos-2", "feasibility.md");
    for req in ["REQ-1", "REQ-2", "REQ-3", "REQ-4", "REQ-5"] {
        assert!(
            feasibility.contains(&format!("- {req}: reassess — inherited from {reference}")),
            "{feasibility}"
        );
    }

    let s = ws.status("vlan-qos-2");
    assert_eq!(s["phase"], "requirements");
    assert_eq!(s["baseline"]["ref"], reference.as_str());
    for part in ["requirements", "components"] {
        for k in ["added", "changed", "removed"] {
            assert!(ids(&s["baseline"][part][k]).is_empty(), "{part}.{k}: {s}");
        }
    }
    // The inherited amendment names the baseline's DEV-2: that reference resolves.
    assert_eq!(criterion(&s, "G1-2")["result"], "pass", "{s}");
    assert!(
        !s["warnings"]
            .to_string()
            .contains("AMD-1 is written but not yet recorded"),
        "{}",
        s["warnings"]
    );

    // Change one requirement and add one (with its acceptance criterion).
    let spec = ws.read("vlan-qos-2", "customer-spec.md");
    let spec = spec
        .replace(
            "any device where applying or verifying the change fails",
            "any device where applying, verifying or auditing the change fails",
        )
        .replace(
            "\n## Integrations",
            "- REQ-6: The class of every VLAN is audited weekly against the devices.\n\n## Integrations",
        )
        .replace(
            "\n## Constraints",
            "- AC-6 (REQ-6): the weekly audit lists lab VLAN 2140 with its class.\n\n## Constraints",
        );
    ws.write("vlan-qos-2", "customer-spec.md", &spec);
    let s = ws.status("vlan-qos-2");
    let b = &s["baseline"];
    assert_eq!(ids(&b["requirements"]["added"]), ["REQ-6"]);
    assert_eq!(ids(&b["requirements"]["changed"]), ["REQ-5"]);
    assert!(ids(&b["requirements"]["removed"]).is_empty());
    assert!(ids(&b["components"]["changed"]).is_empty());
    let text = ok(&ws, "reader", &["status", "vlan-qos-2"]);
    assert!(
        text.contains("requirements  added REQ-6; changed REQ-5; removed none"),
        "{text}"
    );

    // `--baseline` is the old spelling of `--from`, with the same rule.
    let o = ws.run("alice", &["new", "x", "--baseline", "firewall-drift"]);
    assert_refused(&o, &["firewall-drift is in Requirements, not closed"]);
}

/// Walks a fresh Day-2 engagement (no scope change) from Requirements to closed.
fn close_day_two(ws: &Workspace, slug: &str) {
    let mut gate1 = vec!["gate", "1", "approve", slug];
    gate1.extend(gate_checks("1"));
    ok(ws, "bob", &gate1);
    let feasibility: String = ws
        .read(slug, "feasibility.md")
        .replace(": reassess — ", ": feasible — unchanged since ")
        .lines()
        .map(|l| {
            if l.starts_with("<!--") {
                "Unchanged since the baseline.\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    ws.write(slug, "feasibility.md", &feasibility);
    ok(ws, "alice", &["feasibility-complete", slug]);
    let mut gate2 = vec!["gate", "2", "approve", slug];
    gate2.extend(gate_checks("2"));
    ok(ws, "bob", &gate2);
    let order = ids(&ws.status(slug)["build_order"]);
    for c in &order {
        ok(ws, "alice", &["component", c, "built", slug]);
        ok(ws, "alice", &["component", c, "validated", slug]);
    }
    ok(ws, "alice", &["build-complete", slug]);
    ok(ws, "bob", &["close", slug]);
    assert_eq!(ws.status(slug)["phase"], "closed");
}

#[test]
fn catalog_resolves_by_slug_and_version_fails_dangling_and_flags_superseded() {
    let (ws, v1) = closed_vlan_qos();
    let v1 = &v1[..12];

    let cat: Value = serde_json::from_str(&ok(&ws, "reader", &["catalog", "--json"])).unwrap();
    let entries = cat["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 4, "{cat}");
    let comp3 = &entries[2];
    assert_eq!(comp3["ref"], format!("vlan-qos/COMP-3@{v1}"));
    assert_eq!(comp3["name"], "Device push and rollback");
    assert_eq!(comp3["deviations"][0]["id"], "DEV-1");
    assert_eq!(comp3["deviations"][0]["impact"], "design-change");
    assert_eq!(comp3["superseded_by"], Value::Null);
    let files = comp3["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert!(
        files
            .iter()
            .all(|f| f["path"].as_str().unwrap().starts_with("build/COMP-3/")
                && f["sha256"].as_str().unwrap().len() == 64)
    );
    let found = ok(&ws, "reader", &["catalog", "renderer"]);
    assert!(
        found.starts_with(&format!("vlan-qos/COMP-2@{v1}")),
        "{found}"
    );
    assert_eq!(
        found.lines().filter(|l| l.starts_with("vlan-qos/")).count(),
        1,
        "{found}"
    );

    // vlan-qos-2 supersedes vlan-qos once it closes.
    ok(&ws, "alice", &["new", "vlan-qos-2", "--from", "vlan-qos"]);
    close_day_two(&ws, "vlan-qos-2");
    let v2 = ws.status("vlan-qos-2")["head"].as_str().unwrap()[..12].to_string();

    ok(&ws, "alice", &["new", "vlan-qos-3", "--from", "vlan-qos-2"]);
    let design = ws.read("vlan-qos-3", "solution-design.md");
    let mut reuse_lines = design.lines().filter(|l| l.starts_with("- reuse:"));
    let (r1, r2, r3, r4) = (
        reuse_lines.next().unwrap().to_string(),
        reuse_lines.next().unwrap().to_string(),
        reuse_lines.next().unwrap().to_string(),
        reuse_lines.next().unwrap().to_string(),
    );
    let design = design
        .replacen(&r1, &format!("- reuse: catalog vlan-qos/COMP-1@{v1}"), 1)
        .replacen(&r2, "- reuse: catalog vlan-qos-2/COMP-2", 1)
        .replacen(&r3, &format!("- reuse: catalog vlan-qos-2/COMP-3@{v2}"), 1)
        .replacen(&r4, "- reuse: catalog vlan-qos/COMP-9", 1);
    ws.write("vlan-qos-3", "solution-design.md", &design);

    let s = ws.status("vlan-qos-3");
    let g23 = criterion(&s, "G2-3");
    assert_eq!(g23["result"], "fail", "{g23}");
    let (line, col) = position_of(&design, "vlan-qos/COMP-9");
    assert_eq!(
        (
            g23["file"].as_str(),
            g23["line"].as_u64(),
            g23["column"].as_u64()
        ),
        (
            Some("solution-design.md"),
            Some(line as u64),
            Some(col as u64)
        ),
        "{g23}"
    );
    assert!(
        g23["message"]
            .as_str()
            .unwrap()
            .contains("vlan-qos has no COMP-9"),
        "{g23}"
    );
    let suspect =
        format!("COMP-1 reuses vlan-qos/COMP-1@{v1}, superseded by vlan-qos-2/COMP-1@{v2}");
    assert!(
        s["warnings"].to_string().contains(&suspect),
        "{}",
        s["warnings"]
    );
    assert!(
        !s["warnings"].to_string().contains("COMP-3 reuses"),
        "{}",
        s["warnings"]
    );

    // `check` warns; `--strict` makes the suspect reuse an error.
    let o = ws.run("reader", &["check", "vlan-qos-3", "--strict"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.contains(&suspect), "{}", o.stdout);

    // Fixed: every catalog reference resolves and G2-3 passes.
    let fixed = design.replace("catalog vlan-qos/COMP-9", "catalog vlan-qos-2/COMP-4");
    ws.write("vlan-qos-3", "solution-design.md", &fixed);
    assert_eq!(
        criterion(&ws.status("vlan-qos-3"), "G2-3")["result"],
        "pass"
    );

    // The catalog names the newer version on the older entries.
    let cat: Value = serde_json::from_str(&ok(
        &ws,
        "reader",
        &["catalog", "--json", "vlan-qos/COMP-1"],
    ))
    .unwrap();
    let e = &cat["entries"][0];
    assert_eq!(e["ref"], format!("vlan-qos/COMP-1@{v1}"));
    assert_eq!(e["superseded_by"], format!("vlan-qos-2/COMP-1@{v2}"));

    // The workspace report counts catalog reuse and lists the most reused entries.
    let report: Value = serde_json::from_str(&ok(&ws, "reader", &["report", "--json"])).unwrap();
    let v3 = report["engagements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["engagement"] == "vlan-qos-3")
        .unwrap();
    assert_eq!(v3["metrics"]["catalog_reused_components"], 4, "{v3}");
    assert_eq!(
        report["workspace"]["most_reused"].as_array().unwrap().len(),
        4
    );
}

#[test]
fn the_day_two_sample_reuses_two_baseline_components_through_the_catalog() {
    let ws = Workspace::new();
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
    for slug in ["campus-time-baseline", "campus-time-nts"] {
        common::copy_dir(&samples.join(slug), &ws.engagement(slug));
    }
    let base = ws.status("campus-time-baseline");
    assert_eq!(base["phase"], "closed");
    let head = base["head"].as_str().unwrap();
    let s = ws.status("campus-time-nts");
    assert_eq!(s["phase"], "design");
    let b = &s["baseline"];
    assert_eq!(b["ref"], format!("campus-time-baseline@{head}"));
    assert_eq!(ids(&b["requirements"]["added"]), ["REQ-4"]);
    assert_eq!(ids(&b["requirements"]["changed"]), ["REQ-1"]);
    assert_eq!(ids(&b["components"]["added"]), ["COMP-4"]);
    assert_eq!(criterion(&s, "G2-3")["result"], "pass");
    assert!(
        s["warnings"].as_array().unwrap().is_empty(),
        "{}",
        s["warnings"]
    );
    let design = ws.read("campus-time-nts", "solution-design.md");
    for comp in ["COMP-1", "COMP-3"] {
        assert!(
            design.contains(&format!(
                "- reuse: catalog campus-time-baseline/{comp}@{}",
                &head[..12]
            )),
            "{design}"
        );
    }
    let report: Value = serde_json::from_str(&ok(&ws, "reader", &["report", "--json"])).unwrap();
    let nts = report["engagements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["engagement"] == "campus-time-nts")
        .unwrap();
    assert_eq!(nts["metrics"]["catalog_reused_components"], 2);
    let check = ok(&ws, "reader", &["check", "--all", "--strict"]);
    assert!(check.contains("0 problem(s), 0 warning(s)"), "{check}");
}
