//! The workspace list in a real terminal (the real binary in a pty): the "waiting for you" group
//! and Enter straight to a gate's review (issue 13); the list following engagements added and
//! removed from outside while it is open (issue 15). Deadline-based waits only.

mod common;

use common::Workspace;
use common::pty::{Pty, Spawn, keys, last_row, text_of};

fn list(ws: &Workspace) -> Pty {
    let pty = Spawn::phasegate(env!("CARGO_BIN_EXE_phasegate"), ws.path(), &[])
        .size(120, 40)
        .start();
    pty.wait_for_text(&["Workspace", "engagement", "phase"]);
    pty
}

#[test]
fn a_waiting_gate_opens_on_its_review() {
    let ws = Workspace::with_samples();
    let mut pty = list(&ws);
    // reviewer owns none of the samples: firewall-drift's Gate 1 (oldest) and
    // bgp-peer-onboarding's Gate 2 wait for them, read off the input path.
    let screen = pty.wait_for_text(&["waiting for you (reviewer): 2 gates", "4/4 auto pass"]);
    let text = text_of(&screen);
    let first = text
        .lines()
        .position(|l| l.contains("firewall-drift") && l.contains("G1 ahead"))
        .unwrap_or_else(|| panic!("firewall-drift's Gate 1 is not listed:\n{text}"));
    let second = text
        .lines()
        .position(|l| l.contains("bgp-peer-onboarding") && l.contains("G2 ahead"))
        .unwrap_or_else(|| panic!("bgp-peer-onboarding's Gate 2 is not listed:\n{text}"));
    assert!(first < second, "oldest first:\n{text}");
    assert!(last_row(&screen).contains("open"), "{}", last_row(&screen));

    // The cursor starts on the oldest: Enter opens firewall-drift on its Gate 1 review.
    pty.send(keys::ENTER);
    let screen = pty.wait_for("the Gate 1 review", |s| {
        let t = text_of(s);
        t.contains("Gate 1 — ") && t.contains("firewall-drift") && last_row(s).contains("approve")
    });
    assert!(text_of(&screen).contains("G1-1"), "{}", text_of(&screen));
    pty.send("q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status}");
}

/// Issue 15: engagements created and removed from outside appear and disappear while the list
/// is open, and the count agrees with the filter.
#[test]
fn the_list_follows_engagements_added_and_removed() {
    let ws = Workspace::with_samples();
    let mut pty = list(&ws);
    pty.wait_for_text(&[" 3 engagements "]);
    let o = ws.run(
        "olivia",
        &["new", "edge-acl", "--title", "Edge ACL refresh"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    pty.wait_for("the new engagement's row", |s| {
        let t = text_of(s);
        t.contains("edge-acl") && t.contains("Edge ACL refresh") && t.contains(" 4 engagements ")
    });
    // Its Gate 1 waits for reviewer (olivia owns it).
    pty.wait_for("its gate in the waiting group", |s| {
        text_of(s).contains("waiting for you (reviewer): 3 gates")
    });

    // The filter: the count says how many of them the list shows, and follows a removal.
    pty.send("f");
    pty.send("fire");
    pty.wait_for_text(&[" 1 of 4 engagements "]);
    std::fs::remove_dir_all(ws.engagement("firewall-drift")).expect("remove");
    let screen = pty.wait_for("the removed engagement gone", |s| {
        text_of(s).contains(" 0 of 3 engagements ")
    });
    assert!(
        !text_of(&screen).contains("firewall-drift"),
        "{}",
        text_of(&screen)
    );
    pty.send(keys::ESC);
    let screen = pty.wait_for_text(&[" 3 engagements ", "edge-acl"]);
    assert!(
        !text_of(&screen).contains("firewall-drift"),
        "{}",
        text_of(&screen)
    );
    pty.send("q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status}");
}
