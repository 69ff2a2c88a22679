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

/// Blocks (on a thread, up to the deadline) until the program stops; returns the signal that
/// stopped it. The program is this process's child (portable-pty spawns it directly).
fn wait_stopped(pty: &Pty) -> libc::c_int {
    let pid = libc::pid_t::try_from(pty.pid().expect("pid")).expect("pid fits pid_t");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut status = 0;
        // SAFETY: waitpid writes the status of our own child into `status`.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WUNTRACED) };
        let _ = tx.send((r, status));
    });
    let (r, status) = rx
        .recv_timeout(common::pty::DEADLINE)
        .unwrap_or_else(|_| panic!("the program did not stop\n{}", pty.screen_text()));
    assert_eq!(r, pid, "waitpid");
    assert!(libc::WIFSTOPPED(status), "stopped, not ended: {status:#x}");
    libc::WSTOPSIG(status)
}

/// The process state letter of /proc/PID/stat (`T`: stopped).
fn proc_state(pty: &Pty) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pty.pid()?)).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// Suspended (by `suspend`), the program has restored the terminal and is stopped; continued,
/// it takes the screen again, redraws it in full and reads keys.
fn suspend_and_continue(suspend: impl FnOnce(&mut Pty)) {
    let ws = Workspace::with_samples();
    let mut pty = open(&ws, "firewall-drift", "customer-spec.md");
    pty.send("e");
    pty.wait_for_text(&["customer-spec.md [EDIT]"]);
    pty.send("kept across the suspend");
    pty.wait_for_text(&["kept across the suspend", "● modified"]);
    pty.send(keys::ESC);
    pty.wait_for_text(&["customer-spec.md ● modified [VIEW]"]);

    suspend(&mut pty);
    assert_eq!(wait_stopped(&pty), libc::SIGSTOP);
    assert_eq!(proc_state(&pty), Some('T'), "/proc says stopped");
    // What it wrote before stopping may still be on its way through the pty.
    pty.wait_for("the main screen with the cursor shown", |s| {
        !s.alternate_screen() && !s.hide_cursor()
    });
    assert_terminal_restored(&pty);

    let before = pty.raw_len();
    kill(&pty, libc::SIGCONT);
    // A full redraw: the alternate screen again, and every part of the screen written anew.
    let title = "Firewall rule compliance drift detection";
    pty.wait_output(before, common::pty::DEADLINE, |new| {
        let has = |s: &[u8]| new.windows(s.len()).any(|w| w == s);
        has(common::pty::ALT_ON)
            && has(title.as_bytes())
            && has(b"kept across the suspend")
            && has(b"Gate 1")
            && has(b" VIEW ")
    })
    .unwrap_or_else(|| panic!("no full redraw after SIGCONT\n{}", pty.screen_text()));
    let screen = pty.wait_for("the engagement on the alternate screen", |s| {
        let t = text_of(s);
        s.alternate_screen()
            && t.contains(title)
            && t.contains("customer-spec.md ● modified [VIEW]")
    });
    assert!(
        screen.hide_cursor(),
        "the cursor is hidden again in view mode"
    );
    assert_eq!(pty.cooked(), Some(false), "raw mode again");

    // Keys are read again.
    pty.send("g");
    pty.wait_for("the gate review", |s| last_row(s).contains("Space tick"));
    pty.send(keys::CTRL_Q);
    pty.wait_for_text(&["Quit and discard them?"]);
    pty.send(keys::CTRL_Q);
    assert_eq!(pty.wait_exit().exit_code(), 0);
    assert_terminal_restored(&pty);
}

#[test]
fn ctrl_z_suspends_and_sigcont_redraws() {
    suspend_and_continue(|pty| {
        pty.send("\x1a");
    });
}

#[test]
fn sigtstp_suspends_like_ctrl_z() {
    suspend_and_continue(|pty| kill(pty, libc::SIGTSTP));
}

/// `E` hands the terminal to `$VISUAL`: while it runs, the editor alone reads the keys (a `q`
/// typed into it does not reach phasegate), what it writes is on disk, and phasegate takes the
/// screen back and answers keys again.
#[test]
fn the_outside_editor_gets_every_key_and_phasegate_comes_back() {
    use std::os::unix::fs::PermissionsExt;

    let ws = Workspace::with_samples();
    let root = ws.engagement("firewall-drift");
    let bin = tempfile::tempdir().expect("tempdir");
    let editor = bin.path().join("line-editor");
    // Reads one line from the terminal (cooked mode: phasegate restored it) and appends it.
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'EDITOR-PROMPT> '\nIFS= read -r line\nprintf '%s\\n' \"$line\" >> \"$1\"\n",
    )
    .expect("write the editor script");
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut pty = Spawn::phasegate(
        env!("CARGO_BIN_EXE_phasegate"),
        ws.path(),
        &["open", "firewall-drift"],
    )
    .env("VISUAL", editor.as_os_str())
    .env("EDITOR", editor.as_os_str())
    .size(COLS, ROWS)
    .start();
    pty.wait_for_text(&["customer-spec.md [VIEW]", " VIEW "]);
    pty.send("E");
    pty.wait_for_text(&["EDITOR-PROMPT>"]);
    let typed = "quickly queued words";
    pty.send(&format!("{typed}\r"));
    pty.wait_for("phasegate's screen back", |s| {
        let text = text_of(s);
        text.contains("customer-spec.md [VIEW]") && !text.contains("EDITOR-PROMPT>")
    });
    let spec = std::fs::read_to_string(root.join("customer-spec.md")).expect("spec");
    assert!(
        spec.ends_with(&format!("{typed}\n")),
        "the editor's line is the file's last: {:?}",
        spec.lines().last()
    );
    pty.send("q");
    assert!(pty.wait_exit().success());
    assert_terminal_restored(&pty);
}
