//! `phasegate diff` prints the reconciliation's hunks, side by side or unified, never truncating.

mod common;

use common::Workspace;

#[test]
fn diff_from_gate2_on_with_exit_code() {
    let ws = Workspace::with_samples();
    let o = ws.run("ci", &["diff", "bgp-peer-onboarding"]);
    assert_eq!(o.code, 1, "no approved design yet: {}", o.stderr);
    assert!(o.stderr.contains("from Gate 2 on"));

    let o = ws.run(
        "ci",
        &[
            "diff",
            "vlan-qos",
            "--width",
            "100",
            "--color",
            "never",
            "--exit-code",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.starts_with("approved design (Gate 2, event 4)"),
        "{}",
        o.stdout
    );
    assert_eq!(o.stdout.matches("hunk ").count(), 3, "{}", o.stdout);
    assert!(
        o.stdout.contains("COMP-3 · explained by DEV-1"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.lines().all(|l| l.chars().count() <= 100),
        "a line exceeds the width"
    );
    assert!(!o.stdout.contains('\x1b'), "no color when asked for none");

    // Nothing is truncated: every word of the as-built's changed line appears.
    let as_built = ws.read("vlan-qos", "as-built.md");
    let changed = as_built
        .lines()
        .find(|l| l.contains("RESTCONF task for IOS-XE"))
        .unwrap();
    let flat: String = o
        .stdout
        .lines()
        .map(|l| l.rsplit(" │ ").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("");
    let flat: String = flat.replace("↪", "").split_whitespace().collect();
    let want: String = changed.split_whitespace().collect();
    assert!(
        flat.contains(&want[..want.len().min(40)]),
        "changed line lost"
    );

    // An unexplained change fails --exit-code, and unified output names the component.
    let edited = as_built.replace("- reuse: netbox-client v2.3", "- reuse: netbox-client v2.4");
    ws.write("vlan-qos", "as-built.md", &edited);
    let o = ws.run(
        "ci",
        &[
            "diff",
            "vlan-qos",
            "--unified",
            "--color",
            "always",
            "--exit-code",
        ],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stdout.contains("UNEXPLAINED: no deviation names COMP-1"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("\x1b[31m- \x1b[0m"),
        "colored removal marker"
    );
    assert!(
        o.stdout.contains("netbox-client v2.\x1b[0m\x1b[32;1;7m4"),
        "word-level emphasis: {}",
        o.stdout
    );
}
