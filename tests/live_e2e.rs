//! End to end, in real pseudo-terminals: two phasegate processes on one engagement (a conflict on
//! the spec, then one approves Gate 1 and the other shows it), and a `kill -9` in the middle of
//! typing after which the typed text is offered back. Every wait polls with a 10 s deadline.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::Workspace;
use common::pty::{DEADLINE, Pty, Spawn, keys, last_row, text_of};

const SLUG: &str = "firewall-drift";
const SPEC: &str = "customer-spec.md";

fn open(ws: &Workspace) -> Pty {
    let pty = Spawn::phasegate(env!("CARGO_BIN_EXE_phasegate"), ws.path(), &["open", SLUG])
        .size(120, 40)
        .start();
    pty.wait_for_text(&["customer-spec.md [VIEW]", " VIEW ", SLUG]);
    pty
}

/// Polls a file until `pred` holds for its text (10 s).
#[track_caller]
fn wait_file(path: &Path, what: &str, pred: impl Fn(Option<&str>) -> bool) -> Option<String> {
    let until = Instant::now() + DEADLINE;
    loop {
        let text = std::fs::read_to_string(path).ok();
        if pred(text.as_deref()) {
            return text;
        }
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A and B both type a line into the spec (Requirements: it is editable), then A saves: B's
/// buffer is dirty, so B shows the conflict. Returns B's screen then.
fn both_type_then_a_saves(a: &mut Pty, b: &mut Pty) -> vt100::Screen {
    for (pty, line) in [(&mut *a, "typed by A"), (&mut *b, "typed by B")] {
        pty.send("e");
        pty.wait_for_text(&["customer-spec.md [EDIT]"]);
        pty.send(keys::DOWN);
        pty.send(line);
        pty.wait_for_text(&[line, "[+] modified"]);
    }
    a.send(keys::CTRL_S);
    a.wait_for("A's save", |s| {
        last_row(s).contains("saved customer-spec.md")
    });
    b.wait_for("the conflict in B", |s| {
        text_of(s).contains("CONFLICT customer-spec.md")
    })
}

#[test]
fn two_instances_conflict_then_one_approves_and_the_other_sees_it() {
    let ws = Workspace::with_samples();
    let mut a = open(&ws);
    let mut b = open(&ws);

    // Both edit the spec; A saves; B's buffer is dirty: B gets the conflict, its text kept.
    let screen = both_type_then_a_saves(&mut a, &mut b);
    assert!(text_of(&screen).contains("typed by B"));
    // B tries to save (out of edit mode): refused, the conflict view shows both sides and the
    // choices.
    b.send(keys::ESC);
    b.wait_for_text(&["modified [VIEW]"]);
    b.send(keys::CTRL_S);
    b.wait_for_text(&[
        "keep mine",
        "take disk",
        "merge by editing",
        "typed by A",
        "typed by B",
    ]);
    assert!(ws.read(SLUG, SPEC).contains("typed by A"));
    assert!(!ws.read(SLUG, SPEC).contains("typed by B"));
    // B takes the disk version: A's text on screen, B's kept in a recovery file.
    b.send("t");
    let screen = b.wait_for("B to take the disk version", |s| {
        last_row(s).contains("took the disk version of customer-spec.md")
    });
    assert!(text_of(&screen).contains("typed by A"));
    let recovery = ws.engagement(SLUG).join(".phasegate/recovery");
    let kept: Vec<String> = std::fs::read_dir(&recovery)
        .expect("recovery dir")
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    assert!(kept.iter().any(|t| t.contains("typed by B")), "{kept:?}");

    // A approves Gate 1 in its gate pane: tick G1-5..G1-8, approve, confirm.
    a.send(keys::ESC);
    a.wait_for_text(&["customer-spec.md [VIEW]"]);
    a.send("g");
    a.wait_for("the gate pane", |s| last_row(s).contains("Space tick"));
    a.send("jjjj");
    for _ in 0..4 {
        a.send(" j");
    }
    a.send("a");
    a.wait_for_text(&["Approve Gate 1?"]);
    a.send("y");
    a.wait_for("A's approval", |s| {
        last_row(s).contains("Gate 1 approved by reviewer")
    });
    // B, which did nothing, shows it: announced, and the pipeline moved on.
    let screen = b.wait_for("B to show the approval", |s| {
        last_row(s).contains("Gate 1 approved by reviewer")
    });
    assert!(
        text_of(&screen).contains("Feasibility"),
        "{}",
        text_of(&screen)
    );
    let journal = ws.read(SLUG, ".phasegate/journal.toml");
    assert_eq!(journal.matches("kind = \"gate_approved\"").count(), 1);

    for pty in [&mut a, &mut b] {
        pty.send("q");
        assert!(pty.wait_exit().success());
    }
}

/// Issue 9, item 1: B's Ctrl-S is refused while B types; the letters B goes on typing are text
/// (a word starting with `o` used to run "keep mine"), and keeping B's version later keeps A's
/// saved version in a recovery file the toast names.
#[test]
fn typing_after_a_refused_save_is_text_and_keep_mine_keeps_the_other_version() {
    let ws = Workspace::with_samples();
    let mut a = open(&ws);
    let mut b = open(&ws);
    both_type_then_a_saves(&mut a, &mut b);
    b.send(keys::CTRL_S);
    b.wait_for("the refusal", |s| last_row(s).contains("not saved"));
    b.send(" ok then");
    let screen = b.wait_for_text(&["typed by B ok then", "modified [EDIT]"]);
    assert!(
        !text_of(&screen).contains("keep mine"),
        "no conflict view while typing"
    );
    let disk = ws.read(SLUG, SPEC);
    assert!(
        disk.contains("typed by A") && !disk.contains("ok then"),
        "{disk}"
    );

    // The choice is made in the conflict view: keep mine.
    b.send(keys::ESC);
    b.wait_for_text(&["modified [VIEW]"]);
    b.send("C");
    b.wait_for_text(&["keep mine", "typed by A"]);
    b.send("o");
    b.wait_for_text(&[
        "the disk version it replaced is kept in .phasegate/recovery/customer-spec.md.disk-",
    ]);
    let disk = ws.read(SLUG, SPEC);
    assert!(
        disk.contains("typed by B ok then") && !disk.contains("typed by A"),
        "{disk}"
    );
    let recovery = ws.engagement(SLUG).join(".phasegate/recovery");
    let kept: Vec<String> = std::fs::read_dir(&recovery)
        .expect("recovery dir")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("customer-spec.md.disk-")
        })
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    assert!(kept.iter().any(|t| t.contains("typed by A")), "{kept:?}");

    a.send(keys::ESC);
    a.wait_for_text(&["[VIEW]"]);
    for pty in [&mut a, &mut b] {
        pty.send("q");
        assert!(pty.wait_exit().success());
    }
}

/// Issue 9, item 2: instance A listed B's live autosave "from an earlier session" and `x x`
/// deleted it; B then died and its text was gone. Now A says who is editing and offers nothing
/// while B runs; once B is dead (kill -9) the text is offered.
#[test]
fn a_live_instances_recovery_file_is_not_offered_until_it_dies() {
    let ws = Workspace::with_samples();
    let mut b = open(&ws);
    let typed = "B's unsaved words";
    b.send("e");
    b.wait_for_text(&["[EDIT]"]);
    b.send(keys::DOWN);
    b.send(typed);
    b.wait_for_text(&[typed, "[+] modified"]);
    let autosave = ws.engagement(SLUG).join(".phasegate/recovery").join(SPEC);
    wait_file(&autosave, "B's recovery file", |t| {
        t.is_some_and(|t| t.contains(typed))
    });
    let pid = b.pid().expect("pid");
    let who = format!(
        "being edited by {} (pid {pid})",
        phasegate::store::instance::InstanceOwner::current().user_at_host()
    );

    // A opens while B edits: told who is editing, no recovery dialog, nothing to discard.
    let mut a = open(&ws);
    let screen = a.wait_for_text(&[&who]);
    assert!(
        !text_of(&screen).contains("Recovery:"),
        "{}",
        text_of(&screen)
    );
    a.send("R");
    a.wait_for("R to say who is editing", |s| last_row(s).contains(&who));
    a.send("xx");
    a.send("R");
    a.wait_for("R again", |s| last_row(s).contains(&who));
    assert!(
        std::fs::read_to_string(&autosave).is_ok_and(|t| t.contains(typed)),
        "B's text is still there"
    );

    // B dies: now it is a recovery file from an earlier session.
    // SAFETY: signalling a child process we started.
    let rc = unsafe { libc::kill(i32::try_from(pid).expect("pid fits"), libc::SIGKILL) };
    assert_eq!(rc, 0, "kill -9");
    assert!(!b.wait_exit().success());
    a.send("R");
    a.wait_for_text(&["Recovery: unsaved text from earlier sessions", typed]);
    a.send("r");
    a.wait_for("the restored buffer", |s| {
        let t = text_of(s);
        t.contains(typed) && t.contains("[+] modified") && !t.contains("Recovery:")
    });
    a.send(keys::CTRL_S);
    a.wait_for("the save", |s| {
        last_row(s).contains("saved customer-spec.md")
    });
    assert!(ws.read(SLUG, SPEC).contains(typed));
    a.send("q");
    assert!(a.wait_exit().success());
}

/// Presence: each running instance keeps a file in `.phasegate/presence/`; the others show
/// "also open here: user@host" while it runs, a killed one's file is ignored, and quitting removes
/// it.
#[test]
fn also_open_here_follows_the_other_instances() {
    let ws = Workspace::with_samples();
    let presence = ws.engagement(SLUG).join(".phasegate/presence");
    let files = |dir: &Path| -> usize {
        std::fs::read_dir(dir).map_or(0, |d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".toml"))
                .count()
        })
    };
    let here = format!(
        "also open here: {}",
        phasegate::store::instance::InstanceOwner::current().user_at_host()
    );
    // B opens and is killed: its presence file stays behind, stale. (It is written once the
    // first frame is out: the screen does not wait for that fsync.)
    let mut b = open(&ws);
    let until = Instant::now() + DEADLINE;
    while files(&presence) != 1 {
        assert!(Instant::now() < until, "B's presence file");
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = b.pid().expect("pid");
    // SAFETY: signalling a child process we started.
    let rc = unsafe { libc::kill(i32::try_from(pid).expect("pid fits"), libc::SIGKILL) };
    assert_eq!(rc, 0, "kill -9");
    assert!(!b.wait_exit().success());
    assert_eq!(files(&presence), 1, "a killed instance leaves its file");

    // A opens: the stale file is ignored.
    let mut a = open(&ws);
    let screen = a.screen();
    assert!(
        !text_of(&screen).contains("also open here"),
        "{}",
        text_of(&screen)
    );

    // C opens: each shows the other.
    let mut c = open(&ws);
    c.wait_for_text(&[&here]);
    a.wait_for_text(&[&here]);

    // C quits: A no longer shows it, and C's file is gone.
    c.send("q");
    assert!(c.wait_exit().success());
    a.wait_for("the flag to go", |s| !text_of(s).contains("also open here"));
    a.send("q");
    assert!(a.wait_exit().success());
    assert_eq!(
        files(&presence),
        0,
        "every file is gone, the killed instance's swept as stale"
    );
}

#[test]
fn kill_9_while_typing_then_the_text_is_offered_back() {
    let ws = Workspace::with_samples();
    let mut a = open(&ws);
    let typed = "unsaved words before the crash";
    a.send("e");
    a.wait_for_text(&["customer-spec.md [EDIT]"]);
    a.send(keys::DOWN);
    a.send(typed);
    a.wait_for_text(&[typed, "[+] modified"]);
    let autosave = ws.engagement(SLUG).join(".phasegate/recovery").join(SPEC);
    wait_file(&autosave, "the recovery file", |t| {
        t.is_some_and(|t| t.contains(typed))
    });

    let pid = a.pid().expect("pid");
    // SAFETY: signalling a child process we started.
    let rc = unsafe { libc::kill(i32::try_from(pid).expect("pid fits"), libc::SIGKILL) };
    assert_eq!(rc, 0, "kill -9");
    let status = a.wait_exit();
    assert!(!status.success(), "killed, not exited: {status}");
    assert!(!ws.read(SLUG, SPEC).contains(typed), "never saved");

    // Restart: the recovery list offers it, with the text in the comparison.
    let mut b = open(&ws);
    b.wait_for_text(&["Recovery: unsaved text from earlier sessions", typed]);
    b.send("r");
    b.wait_for("the restored buffer", |s| {
        let t = text_of(s);
        t.contains(typed) && t.contains("[+] modified") && !t.contains("Recovery:")
    });
    b.send(keys::CTRL_S);
    b.wait_for("the save", |s| {
        last_row(s).contains("saved customer-spec.md")
    });
    assert!(ws.read(SLUG, SPEC).contains(typed));
    wait_file(&autosave, "the recovery file to go", |t| t.is_none());
    b.send("q");
    assert!(b.wait_exit().success());
}
