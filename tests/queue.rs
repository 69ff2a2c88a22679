//! `phasegate queue`: the lead's queue over the samples plus engagements generated through the
//! real binary at pinned times.

mod common;

use common::Workspace;
use serde_json::Value;

/// The samples, plus `gen-early` (created before every sample, spec still the template) and
/// `gen-late` (created after them), both owned by erin.
fn workspace() -> Workspace {
    let ws = Workspace::with_samples();
    for (slug, at) in [
        ("gen-early", "2026-10-20T08:00:00Z"),
        ("gen-late", "2026-11-18T16:30:00Z"),
    ] {
        let o = ws.run_at(
            at,
            "erin",
            &["new", slug, "--title", slug, "--owner", "erin"],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
    }
    ws
}

fn queue(ws: &Workspace, who: &str) -> Value {
    let o = ws.run(who, &["queue", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    serde_json::from_str(&o.stdout).expect("queue --json is JSON")
}

fn keys(v: &Value) -> Vec<(String, u64)> {
    v["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .map(|g| {
            (
                g["engagement"].as_str().unwrap_or_default().to_string(),
                g["gate"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn entry<'a>(v: &'a Value, slug: &str, gate: u64) -> &'a Value {
    v["gates"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|g| g["engagement"] == slug && g["gate"].as_u64() == Some(gate))
        })
        .unwrap_or_else(|| panic!("{slug} Gate {gate} not in the queue: {v}"))
}

#[test]
fn oldest_first_and_the_owner_is_excluded() {
    let ws = workspace();
    let carol = queue(&ws, "carol");
    assert_eq!(
        keys(&carol),
        [
            ("gen-early".to_string(), 1),
            ("firewall-drift".to_string(), 1),
            ("bgp-peer-onboarding".to_string(), 2),
            ("gen-late".to_string(), 1),
        ],
        "every gate ahead, oldest first; vlan-qos (As-Built, both gates approved) waits for no one"
    );
    let since: Vec<&str> = carol["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["since"].as_str().unwrap())
        .collect();
    assert_eq!(
        since,
        [
            "2026-10-20T08:00:00Z",
            "2026-11-09T08:30:00Z",
            "2026-11-10T11:05:00Z",
            "2026-11-18T16:30:00Z"
        ]
    );
    // Age from the journal: 2026-11-20T12:00 (the pinned now) minus feasibility_completed.
    let bgp = entry(&carol, "bgp-peer-onboarding", 2);
    assert_eq!(bgp["age_seconds"], 10 * 86_400 + 55 * 60);
    assert_eq!(bgp["since_event"], 3);
    assert_eq!(bgp["auto"]["passed"], 6);
    assert_eq!(bgp["auto"]["total"], 6);
    assert_eq!(bgp["manual"], 3);
    assert_eq!(bgp["waiting"], "ahead");

    // bob owns bgp-peer-onboarding; erin owns both generated ones (distinct_approver = true).
    assert_eq!(
        keys(&queue(&ws, "bob")),
        [
            ("gen-early".to_string(), 1),
            ("firewall-drift".to_string(), 1),
            ("gen-late".to_string(), 1),
        ]
    );
    assert_eq!(
        keys(&queue(&ws, "erin")),
        [
            ("firewall-drift".to_string(), 1),
            ("bgp-peer-onboarding".to_string(), 2),
        ]
    );
}

#[test]
fn a_failing_auto_criterion_is_named_with_its_position() {
    let ws = workspace();
    let v = queue(&ws, "carol");
    let early = entry(&v, "gen-early", 1);
    let failure = &early["auto"]["first_failure"];
    assert!(
        failure.is_object(),
        "the template spec fails a criterion: {early}"
    );
    assert_eq!(failure["finding"]["position"]["file"], "customer-spec.md");
    assert!(failure["finding"]["position"]["line"].as_u64() > Some(0));

    let text = ws.run("carol", &["queue"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    let id = failure["id"].as_str().unwrap();
    let path = ws.engagement("gen-early").join("customer-spec.md");
    let at = format!(
        "{id} (hard) fails at {}:{}:{}",
        path.display(),
        failure["finding"]["position"]["line"],
        failure["finding"]["position"]["column"]
    );
    assert!(
        text.stdout.contains(&at) || text.stdout.contains(&at.replace(" (hard)", "")),
        "text output names `{at}`:\n{}",
        text.stdout
    );
    assert!(text.stdout.contains("6/6 auto pass"), "{}", text.stdout);
}

#[test]
fn a_stale_gate_is_flagged_and_waits_since_its_approval() {
    let ws = workspace();
    // An outside edit of the spec's governed text after both gates: both are stale.
    let spec = ws.read("vlan-qos", "customer-spec.md");
    ws.write(
        "vlan-qos",
        "customer-spec.md",
        &spec.replacen("## Constraints", "## Constraints\n\nA late edit.\n", 1),
    );
    let v = queue(&ws, "carol");
    let g1 = entry(&v, "vlan-qos", 1);
    assert_eq!(g1["waiting"], "stale");
    assert_eq!(g1["state"], "stale");
    assert_eq!(g1["stale"], serde_json::json!(["customer-spec.md"]));
    assert_eq!(g1["since"], "2026-11-04T14:02:00Z", "the approval in force");
    let g2 = entry(&v, "vlan-qos", 2);
    assert_eq!(g2["waiting"], "stale");
    assert_eq!(g2["blocked_by_stale_gate1"], true);
    assert_eq!(
        g1["conflicts"],
        serde_json::json!([]),
        "staleness is its own flag, not repeated as a conflict"
    );
    // alice owns vlan-qos: her queue does not show it.
    assert!(
        !keys(&queue(&ws, "alice"))
            .iter()
            .any(|(slug, _)| slug == "vlan-qos")
    );
    let text = ws.run("carol", &["queue"]);
    assert!(
        text.stdout
            .contains("stale: customer-spec.md changed after the approval"),
        "{}",
        text.stdout
    );
}

#[test]
fn open_conflicts_are_listed() {
    let ws = workspace();
    let recovery = ws.engagement("firewall-drift").join(".phasegate/recovery");
    std::fs::create_dir_all(&recovery).unwrap();
    std::fs::write(recovery.join("customer-spec.md"), "unsaved text\n").unwrap();
    let design = ws.read("bgp-peer-onboarding", "solution-design.md");
    ws.write(
        "bgp-peer-onboarding",
        "solution-design.md",
        &format!("{design}\n<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> theirs\n"),
    );
    let v = queue(&ws, "carol");
    let fw = entry(&v, "firewall-drift", 1);
    assert_eq!(fw["conflicts"][0]["kind"], "recovery");
    assert_eq!(
        fw["conflicts"][0]["finding"]["position"]["file"],
        ".phasegate/recovery/customer-spec.md"
    );
    let bgp = entry(&v, "bgp-peer-onboarding", 2);
    let markers: Vec<&Value> = bgp["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "merge-marker")
        .collect();
    assert_eq!(markers.len(), 2, "{bgp}");
    let line = design.lines().count() + 2;
    assert_eq!(markers[0]["finding"]["position"]["line"], line);
    let text = ws.run("carol", &["queue"]);
    assert!(
        text.stdout.contains(&format!(
            "merge-marker: {}:{line}:1",
            ws.engagement("bgp-peer-onboarding")
                .join("solution-design.md")
                .display()
        )),
        "{}",
        text.stdout
    );
}

#[test]
fn an_unreadable_engagement_is_reported_and_the_rest_still_listed() {
    let ws = workspace();
    std::fs::write(
        ws.engagement("gen-late").join("engagement.toml"),
        "schema = [",
    )
    .unwrap();
    let o = ws.run("carol", &["queue", "--json"]);
    assert_eq!(o.code, 2, "a file that cannot be read: exit 2");
    assert!(
        o.stderr.contains("gen-late/engagement.toml:1"),
        "{}",
        o.stderr
    );
    let v: Value = serde_json::from_str(&o.stdout).expect("JSON still printed");
    assert_eq!(v["gates"].as_array().map(Vec::len), Some(3));
    assert_eq!(v["unreadable"].as_array().map(Vec::len), Some(1));
}
