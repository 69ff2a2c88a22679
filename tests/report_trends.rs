//! `phasegate report`: per-month trends across the workspace, from the journal.

mod common;

use common::Workspace;

/// The samples, vlan-qos closed on 2 December, and one engagement created in October.
fn workspace() -> Workspace {
    let ws = Workspace::with_samples();
    let o = ws.run_at(
        "2026-10-20T08:00:00Z",
        "erin",
        &["new", "gen-early", "--owner", "erin"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = ws.run_at(
        "2026-12-02T10:00:00Z",
        "bob",
        &[
            "close",
            "vlan-qos",
            "--reason",
            "RESTCONF path for IOS-XE accepted by the NOC",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    ws
}

#[test]
fn json_trends_per_month_with_unfinished_kept_apart() {
    let ws = workspace();
    let o = ws.run("reader", &["report", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("JSON");
    let months = v["trends"]["months"].as_array().expect("months");
    let names: Vec<&str> = months
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["2026-10", "2026-11", "2026-12"],
        "contiguous months"
    );
    // October: only a creation; nothing approved or closed — no figure, never a zero rate.
    assert_eq!(months[0]["closed"], 0);
    assert!(months[0]["median_days_to_approved_spec"].is_null());
    assert!(months[0]["deviation_rate"].is_null());
    // November: Gate 1 of bgp (2d 6h 20m) and vlan-qos (2d 4h 48m); Gate 2 of vlan-qos.
    assert_eq!(months[1]["approved_specs"], 2);
    let spec = months[1]["median_days_to_approved_spec"].as_f64().unwrap();
    let expected = ((2.0 * 86_400.0 + 6.0 * 3600.0 + 20.0 * 60.0)
        + (2.0 * 86_400.0 + 4.0 * 3600.0 + 48.0 * 60.0))
        / 2.0
        / 86_400.0;
    assert!((spec - expected).abs() < 1e-9, "{spec} vs {expected}");
    assert_eq!(months[1]["approved_designs"], 1);
    // December: vlan-qos closed: 2 deviations over 4 components.
    assert_eq!(months[2]["closed"], 1);
    assert_eq!(months[2]["deviation_rate"], 0.5);
    let open = &v["trends"]["open"];
    assert_eq!(open["engagements"], 3);
    assert_eq!(open["provisional"], true);
    let rows = v["engagements"].as_array().unwrap();
    let vlan = rows.iter().find(|r| r["engagement"] == "vlan-qos").unwrap();
    assert_eq!(vlan["finished"], true);
    assert!(vlan["metrics"]["time_to_value"].as_i64() > Some(0));
    let fw = rows
        .iter()
        .find(|r| r["engagement"] == "firewall-drift")
        .unwrap();
    assert_eq!(fw["finished"], false);
    assert!(fw["metrics"]["time_to_approved_spec"].is_null());
}

#[test]
fn text_tables_mark_unfinished_figures() {
    let ws = workspace();
    let o = ws.run("reader", &["report"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let line = |start: &str| {
        o.stdout
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no `{start}` line:\n{}", o.stdout))
            .to_string()
    };
    assert!(line("bgp-peer-onboarding").contains("0%*"), "{}", o.stdout);
    assert!(!line("vlan-qos").contains('*'), "closed: final figures");
    assert!(line("2026-12").contains("50%"));
    assert!(line("2026-10").contains('—'));
    assert!(line("not closed: 3 engagements").contains("provisional"));
}
