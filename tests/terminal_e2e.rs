//! End-to-end tests of how phasegate behaves as a terminal program: signals that end it, job
//! control (Ctrl-Z / `fg`), keys that arrive together in one read. The real binary in a
//! pseudo-terminal (tests/common/pty.rs), on a temp copy of `sample-engagements/`.

mod common;

use std::path::Path;

use common::Workspace;
use common::pty::{Pty, Spawn, assert_terminal_restored, keys, last_row, text_of};

const COLS: u16 = 120;
const ROWS: u16 = 40;

/// `phasegate open SLUG`, waiting for the first screen of the engagement.
fn open(ws: &Workspace, slug: &str, artifact: &str) -> Pty {
    let pty = Spawn::phasegate(env!("CARGO_BIN_EXE_phasegate"), ws.path(), &["open", slug])
        .size(COLS, ROWS)
        .start();
    pty.wait_for_text(&[&format!("{artifact} [VIEW]"), " VIEW ", slug]);
    pty
}

/// Sends `signal` to the program.
fn kill(pty: &Pty, signal: libc::c_int) {
    let pid = pty.pid().expect("the program's pid");
    let pid = libc::pid_t::try_from(pid).expect("pid fits pid_t");
    // SAFETY: kill only sends a signal to the process we spawned.
    let r = unsafe { libc::kill(pid, signal) };
    assert_eq!(r, 0, "kill({pid}, {signal}) failed");
}

/// The recovery files of `artifact` in the engagement and their text.
fn recovery_files(root: &Path, artifact: &str) -> Vec<(String, String)> {
    let dir = root.join(".phasegate/recovery");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(artifact))
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
            (name, text)
        })
        .collect()
}

/// Types unsaved text in the spec's editor, sends `signal`: the program exits with
/// 128 + `signal`, the terminal is restored, and a recovery file holds the typed text.
fn signal_ends_like_quit(signal: libc::c_int, name: &str) {
    let ws = Workspace::with_samples();
    let root = ws.engagement("firewall-drift");
    let before = ws.read("firewall-drift", "customer-spec.md");
    let mut pty = open(&ws, "firewall-drift", "customer-spec.md");

    pty.send("e");
    pty.wait_for_text(&["customer-spec.md [EDIT]"]);
    let typed = "words typed just before the kill";
    pty.send(typed);
    pty.wait_for_text(&[typed, "● modified"]);
    kill(&pty, signal);

    let status = pty.wait_exit();
    assert_eq!(
        status.exit_code(),
        128 + u32::try_from(signal).expect("signal number"),
        "exit status after {name}\n{}",
        pty.screen_text()
    );
    assert_terminal_restored(&pty);
    assert_eq!(
        ws.read("firewall-drift", "customer-spec.md"),
        before,
        "nothing saved over the artifact"
    );
    let kept = recovery_files(&root, "customer-spec.md");
    assert!(
        kept.iter().any(|(_, text)| text.contains(typed)),
        "a recovery file holds the unsaved text: {kept:?}"
    );
    let screen = text_of(&pty.screen());
    assert!(
        screen.contains(&format!("ended by {name}")) && screen.contains(".phasegate/recovery/"),
        "the restored terminal says why it ended and where the text went:\n{screen}"
    );
}

#[test]
fn sigterm_restores_the_terminal_and_keeps_unsaved_text() {
    signal_ends_like_quit(libc::SIGTERM, "SIGTERM");
}

#[test]
fn sighup_restores_the_terminal_and_keeps_unsaved_text() {
    signal_ends_like_quit(libc::SIGHUP, "SIGHUP");
}

#[test]
fn sigint_restores_the_terminal_and_keeps_unsaved_text() {
    signal_ends_like_quit(libc::SIGINT, "SIGINT");
}

/// Without unsaved text a signal still restores the terminal, and writes no recovery file.
#[test]
fn sigterm_without_unsaved_text_keeps_nothing() {
    let ws = Workspace::with_samples();
    let root = ws.engagement("firewall-drift");
    let mut pty = open(&ws, "firewall-drift", "customer-spec.md");
    pty.send("e");
    pty.wait_for_text(&["customer-spec.md [EDIT]"]);
    kill(&pty, libc::SIGTERM);
    assert_eq!(pty.wait_exit().exit_code(), 143);
    assert_terminal_restored(&pty);
    assert_eq!(recovery_files(&root, "customer-spec.md"), Vec::new());
}

/// tmux sends Esc and the next key in one write: in edit mode `Esc g` leaves edit mode and then
/// `g` opens the gate review, instead of being read as Alt+g and lost.
#[test]
fn esc_and_a_key_in_one_write_are_two_keys() {
    let ws = Workspace::with_samples();
    let mut pty = open(&ws, "firewall-drift", "customer-spec.md");
    pty.send("e");
    pty.wait_for_text(&["customer-spec.md [EDIT]"]);
    pty.send("typed");
    pty.wait_for_text(&["typed", "● modified"]);

    pty.send("\x1bg");
    let screen = pty.wait_for("view mode with the gate review open", |s| {
        let t = text_of(s);
        t.contains("customer-spec.md ● modified [VIEW]") && last_row(s).contains("Space tick")
    });
    let text = text_of(&screen);
    assert!(
        text.contains("typed") && !text.contains("typedg"),
        "the g was not typed into the buffer:\n{text}"
    );
    pty.send(keys::CTRL_Q);
    pty.wait_for_text(&["Quit and discard them?"]);
    pty.send(keys::CTRL_Q);
    assert_eq!(pty.wait_exit().exit_code(), 0);
    assert_terminal_restored(&pty);
}

/// In a prompt too: `Esc g` in one write cancels the search prompt, then opens the gate review.
#[test]
fn esc_and_a_key_in_one_write_leave_a_prompt() {
    let ws = Workspace::with_samples();
    let mut pty = open(&ws, "firewall-drift", "customer-spec.md");
    pty.send("/");
    pty.send("zqx");
    pty.wait_for_text(&["zqx"]);

    pty.send("\x1bg");
    pty.wait_for("the prompt closed and the gate review open", |s| {
        !text_of(s).contains("zqx") && last_row(s).contains("Space tick")
    });
    pty.send("q");
    assert_eq!(pty.wait_exit().exit_code(), 0);
    assert_terminal_restored(&pty);
}
