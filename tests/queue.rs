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

/// The queue's own load path (`store::queue::load_workspace`: journal first, artifacts only
/// where a gate may wait, no `build/` hashing, no reconciliation) gives exactly the queue of the
/// plain path (`load` + `evaluate` of every engagement), for every identity, over every sample
/// (a closed one, a Day-2 one reading the catalog, a signed one) plus generated engagements with
/// a stale gate, unsaved editor text, merge markers, a missing artifact, a rejection and one that
/// cannot be read.
#[test]
fn the_queue_path_gives_the_same_queue_as_the_full_load() {
    use phasegate::domain::queue::{QueueInput, queue};
    use phasegate::domain::time::Timestamp;
    use phasegate::store::queue::{QueueLoaded, load_workspace, load_workspace_full};

    let ws = workspace();
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
    for slug in [
        "campus-time-baseline",
        "campus-time-nts",
        "bgp-peer-onboarding-signed",
    ] {
        common::copy_dir(&samples.join(slug), &ws.engagement(slug));
    }
    // vlan-qos twice: one stale at both gates, one intact (skipped before its texts are parsed).
    common::copy_dir(&samples.join("vlan-qos"), &ws.engagement("vlan-qos-intact"));
    let spec = ws.read("vlan-qos", "customer-spec.md");
    ws.write(
        "vlan-qos",
        "customer-spec.md",
        &spec.replacen("## Constraints", "## Constraints\n\nA late edit.\n", 1),
    );
    let recovery = ws.engagement("firewall-drift").join(".phasegate/recovery");
    std::fs::create_dir_all(&recovery).unwrap();
    std::fs::write(recovery.join("customer-spec.md"), "unsaved text\n").unwrap();
    let design = ws.read("bgp-peer-onboarding", "solution-design.md");
    ws.write(
        "bgp-peer-onboarding",
        "solution-design.md",
        &format!("{design}\n<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> theirs\n"),
    );
    std::fs::remove_file(ws.engagement("gen-late").join("feasibility.md")).unwrap();
    ws.engagement_in_design("gen-design");
    let o = ws.run(
        "carol",
        &[
            "gate",
            "2",
            "reject",
            "gen-design",
            "--reason",
            "needs work",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    common::copy_dir(
        &samples.join("firewall-drift"),
        &ws.engagement("gen-broken"),
    );
    ws.write("gen-broken", "engagement.toml", "schema = [");

    let now = Timestamp::parse("2026-11-20T12:00:00Z").expect("time");
    let mut seen = 0;
    for who in ["carol", "bob", "alice", "erin", "dana", "lead"] {
        let (fast, fast_bad) = load_workspace(ws.path(), who).expect("queue path");
        let (full, full_bad) = load_workspace_full(ws.path()).expect("full path");
        let entries = |loaded: &[QueueLoaded]| {
            let inputs: Vec<QueueInput<'_>> = loaded.iter().map(QueueLoaded::input).collect();
            queue(&inputs, who, now)
        };
        let (a, b) = (entries(&fast), entries(&full));
        assert_eq!(a, b, "the queue of {who}");
        assert_eq!(fast_bad, full_bad, "the unreadable ones for {who}");
        assert!(
            fast.len() < full.len(),
            "{who}: the queue path skips engagements that hold nothing for them"
        );
        seen += a.len();
    }
    assert!(seen > 10, "the comparison covers real entries ({seen})");
}

/// Quorum and roles (DESIGN §7): a Gate 2 that needs two signed approvals, one of them from
/// security, waits after bob's (network) approval for security only — not for bob again, not
/// for someone holding no missing role — and the row says how far the quorum is.
#[test]
fn a_partial_quorum_waits_only_for_an_approver_it_still_needs() {
    use common::signing::{Keys, edit_policy, record_policy};

    let ws = workspace();
    let o = ws.run(
        "alice",
        &["new", "quorum", "--title", "Quorum", "--owner", "alice"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let signers = Keys::new();
    let mut allowed = String::new();
    for name in ["bob", "carol", "dan", "erin"] {
        signers.generate(name, "ed25519");
        allowed.push_str(&format!("{name} {}\n", signers.public(name)));
    }
    std::fs::write(ws.path().join("allowed_signers"), allowed).unwrap();
    // The policy is set before Gate 1 (it cannot change after): signed decisions, two approvers
    // of Gate 2, one of them network and one security.
    let root = ws.engagement("quorum");
    edit_policy(
        &root,
        "signatures = \"decisions\"\napprovals = { gate1 = 1, gate2 = 2 }\nrequired_roles = { gate2 = [\"network\", \"security\"] }",
    );
    let meta = root.join("engagement.toml");
    let text = std::fs::read_to_string(&meta).unwrap()
        + "\n[roles]\nnetwork = [\"bob\"]\nsecurity = [\"carol\", \"dan\"]\n";
    std::fs::write(&meta, text).unwrap();
    record_policy(&root);
    let signed = |who: &str, args: &[&str]| {
        let config = ws.path().join(format!("{who}.toml"));
        let key = signers.dir.path().join(who);
        std::fs::write(
            &config,
            format!("signing_key = {:?}\n", key.display().to_string()),
        )
        .unwrap();
        let out = ws
            .command(who, args)
            .env("PHASEGATE_CONFIG", &config)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("SSH_AUTH_SOCK")
            .output()
            .expect("run phasegate");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-engagements/bgp-peer-onboarding");
    for file in ["customer-spec.md", "feasibility.md"] {
        std::fs::copy(samples.join(file), root.join(file)).unwrap();
    }
    let (code, _, err) = signed(
        "bob",
        &[
            "gate", "1", "approve", "quorum", "--check", "G1-5", "--check", "G1-6", "--check",
            "G1-7", "--check", "G1-8",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let o = ws.run("alice", &["feasibility-complete", "quorum"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    std::fs::copy(
        samples.join("solution-design.md"),
        root.join("solution-design.md"),
    )
    .unwrap();
    let (code, _, err) = signed("bob", &common::gate2_approve("quorum"));
    assert_eq!(code, 0, "{err}");
    let listed = |who: &str| keys(&queue(&ws, who)).contains(&("quorum".to_string(), 2));

    assert!(!listed("bob"), "bob approved this text already");
    assert!(
        !listed("erin"),
        "erin holds no missing role and the only seat left is security's"
    );
    assert!(listed("dan"), "dan is security");
    let carol = queue(&ws, "carol");
    let row = entry(&carol, "quorum", 2);
    assert_eq!(row["quorum"]["have"], 1);
    assert_eq!(row["quorum"]["needed"], 2);
    assert_eq!(row["quorum"]["approvers"], serde_json::json!(["bob"]));
    assert_eq!(
        row["quorum"]["missing_roles"],
        serde_json::json!(["security"])
    );
    assert_eq!(row["state"], "pending");
    let text = ws.run("carol", &["queue"]);
    assert!(
        text.stdout
            .contains("approved 1/2: bob (network); waiting for: security"),
        "{}",
        text.stdout
    );

    // carol's approval meets the quorum: the gate waits for no one any more.
    let (code, _, err) = signed("carol", &common::gate2_approve("quorum"));
    assert_eq!(code, 0, "{err}");
    for who in ["carol", "dan", "erin"] {
        assert!(!listed(who), "{who}: Gate 2 is approved");
    }
}
