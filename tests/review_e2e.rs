//! End-to-end: a reviewer's gate review survives quitting (a draft per reviewer under
//! `.phasegate/reviews/`), is discarded with a message when the reviewed text changes, and is
//! removed once the gate is decided. The real binary in a pty, as the identity `reviewer`.

mod common;

use common::Workspace;
use common::pty::{Pty, Spawn, keys, last_row, text_of};

const SLUG: &str = "firewall-drift";

fn open(ws: &Workspace) -> Pty {
    let pty = Spawn::phasegate(env!("CARGO_BIN_EXE_phasegate"), ws.path(), &["open", SLUG])
        .size(120, 40)
        .start();
    pty.wait_for_text(&["customer-spec.md [VIEW]", " VIEW "]);
    pty
}

fn draft_path(ws: &Workspace) -> std::path::PathBuf {
    ws.engagement(SLUG).join(".phasegate/reviews/reviewer.toml")
}

fn ticked(s: &vt100::Screen, id: &str) -> bool {
    text_of(s).contains(&format!("☑ {id}"))
}

#[test]
fn a_review_draft_survives_quit_and_goes_with_a_change_or_a_decision() {
    let ws = Workspace::with_samples();
    let journal_before = ws.read(SLUG, ".phasegate/journal.toml");

    // Tick G1-5 and G1-6 (manual), then quit: the quit asks, Enter does not confirm, y does.
    let mut pty = open(&ws);
    pty.send("g");
    pty.wait_for("the gate pane", |s| last_row(s).contains("Space tick"));
    pty.send("jjjj j ");
    pty.wait_for("two ticks", |s| ticked(s, "G1-5") && ticked(s, "G1-6"));
    pty.send("q");
    pty.wait_for_text(&["Your review of Gate 1 is not sent: 2 ticked, 0 waived."]);
    pty.send(keys::ENTER);
    pty.send("y");
    assert!(pty.wait_exit().success());
    let draft = std::fs::read_to_string(draft_path(&ws)).expect("the draft is kept");
    assert!(draft.contains("G1-5") && draft.contains("G1-6"), "{draft}");
    assert_eq!(
        ws.read(SLUG, ".phasegate/journal.toml"),
        journal_before,
        "a draft is never a journal event"
    );

    // Reopen: still ticked, and it says so.
    let mut pty = open(&ws);
    pty.wait_for_text(&["review draft of Gate 1 restored: 2 ticked, 0 waived"]);
    pty.send("g");
    pty.wait_for("ticks restored", |s| ticked(s, "G1-5") && ticked(s, "G1-6"));

    // The spec changes outside: the ticks were made on another text, so the draft goes.
    let spec = ws.read(SLUG, "customer-spec.md");
    ws.write(
        SLUG,
        "customer-spec.md",
        &format!("{spec}\nOne more line.\n"),
    );
    pty.wait_for("the draft discarded with a message", |s| {
        last_row(s).contains("review draft of Gate 1 discarded: customer-spec.md changed since")
            && !ticked(s, "G1-5")
            && !ticked(s, "G1-6")
    });
    assert!(!draft_path(&ws).exists(), "the discarded draft is removed");

    // Tick again (the draft comes back), then decide: the draft is removed.
    pty.send("jjjj ");
    pty.wait_for("a tick", |s| ticked(s, "G1-5"));
    let deadline = std::time::Instant::now() + common::pty::DEADLINE;
    while !draft_path(&ws).exists() {
        assert!(std::time::Instant::now() < deadline, "the draft is written");
        std::thread::yield_now();
    }
    pty.send("r");
    pty.wait_for_text(&[" Reject Gate 1: reason "]);
    pty.send("needs the change window");
    pty.send(keys::ENTER);
    pty.wait_for_text(&[" Reject Gate 1? "]);
    pty.send("y");
    pty.wait_for("the rejection", |s| {
        last_row(s).contains("Gate 1 rejected (event 2)")
    });
    assert!(!draft_path(&ws).exists(), "a decided gate leaves no draft");
    pty.send("q");
    assert!(pty.wait_exit().success(), "nothing unsent: q quits");
}
