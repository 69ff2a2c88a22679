//! Attacks on the integrity of an engagement (issue 16), each reproduced through the real CLI:
//! a hostile teammate who edits files, rewrites the whole journal with recomputed hashes, kills
//! writers mid-transaction or plants symlink cycles. Every test failed before its fix.

mod common;

use std::time::Duration;

use common::Workspace;

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
