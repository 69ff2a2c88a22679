//! End-to-end tests of the full-screen TUI: the real `phasegate` binary in a pseudo-terminal
//! (portable-pty), its output parsed by vt100, keys sent as a terminal sends them. Every wait
//! polls the parsed screen with a 10 s deadline; nothing sleeps for a fixed time. Each test
//! works on a temp copy of `sample-engagements/`, as the identity `reviewer` (no sample's owner).

mod common;

use common::Workspace;
use common::pty::{
    IDENTITY, NOW, Pty, Spawn, assert_terminal_restored, find_from, keys, last_row, rfind_bytes,
    text_of,
};

const COLS: u16 = 120;
const ROWS: u16 = 40;

use common::pty::{ALT_OFF, ALT_ON, CURSOR_SHOW, PASTE_OFF};

fn phasegate(ws: &Workspace, args: &[&str]) -> Spawn {
    Spawn::phasegate(env!("CARGO_BIN_EXE_phasegate"), ws.path(), args).size(COLS, ROWS)
}

/// `phasegate open SLUG`, waiting for the first screen of the engagement.
fn open(ws: &Workspace, slug: &str, artifact: &str) -> Pty {
    let pty = phasegate(ws, &["open", slug]).start();
    pty.wait_for_text(&[&format!("{artifact} [VIEW]"), " VIEW ", slug]);
    pty
}

/// The rows of the screen holding `needle`.
fn rows_with(screen: &vt100::Screen, needle: &str) -> Vec<String> {
    text_of(screen)
        .lines()
        .filter(|l| l.contains(needle))
        .map(str::to_string)
        .collect()
}

/// The gate pane's row of criterion `id` (`✘ G1-4  auto   fail …`).
fn criterion_row(screen: &vt100::Screen, id: &str) -> String {
    let auto = format!("{id}  auto");
    let manual = format!("{id}  man.");
    rows_with(screen, id)
        .into_iter()
        .find(|r| r.contains(&auto) || r.contains(&manual))
        .unwrap_or_default()
}

#[track_caller]
fn assert_exit_ok(pty: &mut Pty) {
    let status = pty.wait_exit();
    assert!(
        status.success(),
        "phasegate exited with {status}\n{}",
        String::from_utf8_lossy(&pty.raw())
    );
    assert_terminal_restored(pty);
}

/// (a) Edit the spec, save with Ctrl-S, quit: the file on disk holds the typed text.
#[test]
fn edit_and_save_the_spec() {
    let ws = Workspace::with_samples();
    let before = ws.read("firewall-drift", "customer-spec.md");
    let mut pty = open(&ws, "firewall-drift", "customer-spec.md");
    assert_eq!(pty.cooked(), Some(false), "the TUI runs in raw mode");

    pty.send("e");
    pty.wait_for_text(&["customer-spec.md [EDIT]", " EDIT "]);
    // The cursor starts at line 1, column 1; line 2 is empty. `j` would be text here.
    let typed = "Typed through a pty: q j k are text.";
    pty.send(keys::DOWN);
    pty.send(typed);
    pty.wait_for_text(&[typed, "customer-spec.md ● modified [EDIT]", "[+] modified"]);

    pty.send(keys::CTRL_S);
    let screen = pty.wait_for("the save", |s| {
        let t = text_of(s);
        last_row(s).contains("saved customer-spec.md") && !t.contains("modified")
    });
    assert!(
        text_of(&screen).contains("customer-spec.md [EDIT]"),
        "still editing after the save"
    );
    let after = ws.read("firewall-drift", "customer-spec.md");
    assert_eq!(
        after,
        before.replacen("\n\n", &format!("\n{typed}\n"), 1),
        "the file on disk is the old text with the typed line 2"
    );

    pty.send(keys::ESC);
    pty.wait_for_text(&["customer-spec.md [VIEW]", " VIEW "]);
    pty.send("q");
    assert_exit_ok(&mut pty);
    assert_eq!(ws.read("firewall-drift", "customer-spec.md"), after);
}

/// (b) Before Gate 1, feasibility.md is read-only: `e` is refused with the reason, typing and
/// saving change nothing.
#[test]
fn feasibility_is_read_only_before_gate_1() {
    let ws = Workspace::with_samples();
    let before = ws.read("firewall-drift", "feasibility.md");
    let mut pty = open(&ws, "firewall-drift", "customer-spec.md");

    pty.send("2");
    pty.wait_for_text(&["feasibility.md [VIEW]", "│ feasibility.md"]);

    pty.send("e");
    let reason = "read-only: feasibility.md is edited in Feasibility, after Gate 1 is approved";
    let screen = pty.wait_for("the read-only refusal as a toast", |s| {
        last_row(s).contains(reason)
    });
    let text = text_of(&screen);
    assert!(
        text.contains("feasibility.md [VIEW]"),
        "entered edit mode:\n{text}"
    );
    assert!(!text.contains("[EDIT]"), "entered edit mode:\n{text}");

    // Keys are commands in view mode: nothing is typed, and there is nothing to save.
    pty.send("xyz");
    pty.send(keys::CTRL_S);
    let screen = pty.wait_for("the save answer", |s| {
        last_row(s).contains("feasibility.md has no unsaved changes")
    });
    assert!(!text_of(&screen).contains("modified"), "the buffer changed");
    assert_eq!(ws.read("firewall-drift", "feasibility.md"), before);

    pty.send("q");
    assert_exit_ok(&mut pty);
    assert_eq!(ws.read("firewall-drift", "feasibility.md"), before);
}

/// (c) Review Gate 1 with failing non-hard criteria: tick the manual ones, waive the failing
/// ones with reasons (a hard one cannot be waived), approve behind the confirmation; the
/// journal then holds exactly that decision, by the `--as` identity.
#[test]
fn approve_gate_1_with_a_waiver() {
    let ws = Workspace::with_samples();
    // Empty the Integrations list: G1-4 fails, and so does G1-1 (a required section is empty);
    // both are non-hard.
    let spec = ws.read("firewall-drift", "customer-spec.md");
    let start = spec.find("## Integrations\n").expect("Integrations") + "## Integrations\n".len();
    let end = spec
        .find("## Acceptance Criteria")
        .expect("Acceptance Criteria");
    let spec = format!("{}\n{}", &spec[..start], &spec[end..]);
    ws.write("firewall-drift", "customer-spec.md", &spec);
    let journal_before = ws.read("firewall-drift", ".phasegate/journal.toml");

    let mut pty = open(&ws, "firewall-drift", "customer-spec.md");
    pty.send("g");
    let screen = pty.wait_for("the gate pane focused with G1-1 and G1-4 failing", |s| {
        last_row(s).contains("Space tick")
            && criterion_row(s, "G1-1").contains("fail")
            && criterion_row(s, "G1-4").contains("fail")
    });
    for id in ["G1-2", "G1-3"] {
        assert!(
            criterion_row(&screen, id).contains("pass"),
            "{id}:\n{}",
            text_of(&screen)
        );
    }
    for id in ["G1-5", "G1-6", "G1-7", "G1-8"] {
        assert!(criterion_row(&screen, id).contains("unchecked"), "{id}");
    }
    assert!(
        criterion_row(&screen, "G1-1").contains("›✘ G1-1"),
        "G1-1 is selected first"
    );

    // Waive G1-1 (selected first).
    let reason_1 = "systems are listed in CMDB CHG-4711";
    pty.send("w");
    pty.wait_for_text(&[" Waive G1-1: reason "]);
    pty.send(reason_1);
    pty.wait_for_text(&[reason_1]);
    pty.send(keys::ENTER);
    pty.wait_for("G1-1 waived", |s| {
        last_row(s).contains("G1-1 waived") && criterion_row(s, "G1-1").contains("≈ G1-1")
    });

    // A hard criterion cannot be waived.
    pty.send("j");
    pty.send("w");
    pty.wait_for("the hard refusal", |s| {
        last_row(s).contains("G1-2 is a hard criterion and cannot be waived")
    });

    // Waive G1-4 with a reason.
    let reason_4 = "integrations agreed in the kickoff";
    pty.send("jj");
    pty.send("w");
    pty.wait_for_text(&[" Waive G1-4: reason "]);
    pty.send(reason_4);
    pty.send(keys::ENTER);
    pty.wait_for("G1-4 waived", |s| {
        last_row(s).contains("G1-4 waived") && criterion_row(s, "G1-4").contains("waived")
    });

    // Tick the four manual criteria.
    pty.send("j j j j ");
    pty.wait_for("every manual criterion checked", |s| {
        ["G1-5", "G1-6", "G1-7", "G1-8"]
            .iter()
            .all(|id| criterion_row(s, id).contains(&format!("☑ {id}")))
    });

    // Approve: the confirmation shows the approver and every result.
    pty.send("a");
    let screen = pty.wait_for_text(&[
        " Approve Gate 1? ",
        &format!("approver: {IDENTITY}"),
        "customer-spec.md",
        &format!("waived — {reason_1}"),
        &format!("waived — {reason_4}"),
    ]);
    let dialog = text_of(&screen);
    for id in ["G1-5", "G1-6", "G1-7", "G1-8"] {
        assert!(
            dialog.contains(&format!("☑ {id}   checked")),
            "{id} in:\n{dialog}"
        );
    }
    assert_eq!(
        ws.read("firewall-drift", ".phasegate/journal.toml"),
        journal_before,
        "nothing is recorded before the confirmation"
    );
    pty.send("y");
    pty.wait_for("the approval", |s| {
        last_row(s).contains(&format!("Gate 1 approved by {IDENTITY} (event 2)"))
            && text_of(s).contains("[G1 ✔]")
    });
    pty.send("q");
    assert_exit_ok(&mut pty);

    // `status --json` tells the same story.
    let status = ws.status("firewall-drift");
    assert_eq!(status["phase"], "feasibility");
    assert_eq!(status["events"], 2);
    let g1 = &status["gates"]["1"];
    assert_eq!(g1["state"], "approved", "{g1}");
    assert_eq!(g1["approved_by"], IDENTITY);
    assert_eq!(g1["approved_at"], NOW);
    assert_eq!(g1["event"], 2);
    let results: Vec<(String, String)> = status["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .filter(|c| c["gate"] == 1)
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_string(),
                c["result"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected = [
        ("G1-1", "waived"),
        ("G1-2", "pass"),
        ("G1-3", "pass"),
        ("G1-4", "waived"),
        ("G1-5", "checked"),
        ("G1-6", "checked"),
        ("G1-7", "checked"),
        ("G1-8", "checked"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(i, r)| (i.to_string(), r.to_string()))
        .collect();
    assert_eq!(results, expected);

    // The journal holds exactly one new event: that decision, with the waiver reasons.
    let journal = ws.read("firewall-drift", ".phasegate/journal.toml");
    assert!(
        journal.starts_with(&journal_before),
        "earlier events copied byte for byte"
    );
    let parsed: toml::Table = toml::from_str(&journal).expect("journal parses");
    let events = parsed["event"].as_array().expect("events");
    assert_eq!(events.len(), 2, "exactly one event appended");
    let e = &events[1];
    assert_eq!(e["kind"].as_str(), Some("gate_approved"));
    assert_eq!(e["gate"].as_integer(), Some(1));
    assert_eq!(e["actor"].as_str(), Some(IDENTITY));
    assert_eq!(e["at"].to_string(), NOW);
    assert_eq!(e["prev"].as_str(), events[0]["hash"].as_str());
    let recorded: Vec<(String, String, Option<String>)> = e["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_string(),
                c["result"].as_str().unwrap_or_default().to_string(),
                c.get("reason").and_then(|r| r.as_str()).map(str::to_string),
            )
        })
        .collect();
    let with_reasons: Vec<(String, String, Option<String>)> = expected
        .into_iter()
        .map(|(id, result)| {
            let reason = match id.as_str() {
                "G1-1" => Some(reason_1.to_string()),
                "G1-4" => Some(reason_4.to_string()),
                _ => None,
            };
            (id, result, reason)
        })
        .collect();
    assert_eq!(recorded, with_reasons);
    let artifacts = e["artifacts"].as_array().expect("artifacts");
    assert!(
        artifacts
            .iter()
            .any(|a| a["file"].as_str() == Some("customer-spec.md")),
        "the approved spec's hash is recorded"
    );

    let check = ws.run("reader", &["check", "firewall-drift"]);
    assert_eq!(check.code, 0, "check: {}{}", check.stdout, check.stderr);
}

/// (d) Quitting with unsaved changes asks; answering "stay" keeps the buffer; Ctrl-Q twice
/// discards it. Nothing is saved and the terminal is restored.
#[test]
fn quit_with_unsaved_changes_asks() {
    let ws = Workspace::with_samples();
    let before = ws.read("firewall-drift", "customer-spec.md");
    let mut pty = open(&ws, "firewall-drift", "customer-spec.md");

    pty.send("e");
    pty.wait_for_text(&["customer-spec.md [EDIT]"]);
    pty.send("unsaved words ");
    pty.wait_for_text(&["unsaved words", "● modified"]);
    pty.send(keys::ESC);
    pty.wait_for_text(&["customer-spec.md ● modified [VIEW]"]);

    pty.send("q");
    pty.wait_for_text(&[
        " Quit ",
        "customer-spec.md has unsaved changes.",
        "Quit and discard them?",
        "y discard and quit",
        "(Enter does not confirm)",
    ]);
    // Enter does not discard: the prompt stays.
    pty.send(keys::ENTER);
    // Stay.
    pty.send("n");
    let screen = pty.wait_for("the prompt closed", |s| {
        !text_of(s).contains("Quit and discard them?")
    });
    let text = text_of(&screen);
    assert!(
        text.contains("● modified") && text.contains("unsaved words"),
        "{text}"
    );
    assert_eq!(ws.read("firewall-drift", "customer-spec.md"), before);

    // Force quit asks too; pressed again on the prompt, it quits.
    pty.send(keys::CTRL_Q);
    pty.wait_for_text(&["Quit and discard them?"]);
    pty.send(keys::CTRL_Q);
    assert_exit_ok(&mut pty);
    assert_eq!(
        ws.read("firewall-drift", "customer-spec.md"),
        before,
        "nothing saved"
    );
}

/// (e) A panic (forced through `PHASEGATE_TEST_PANIC=1`, after the first draw) restores the
/// terminal before the panic message is printed, and the exit status says it failed.
#[test]
fn forced_panic_restores_the_terminal() {
    let ws = Workspace::with_samples();
    let mut pty = phasegate(&ws, &["open", "firewall-drift"])
        .env("PHASEGATE_TEST_PANIC", "1")
        .start();
    let status = pty.wait_exit();
    assert!(!status.success(), "a panic exits non-zero");
    assert_eq!(status.exit_code(), 101, "the panic's exit code");

    let raw = pty.raw();
    let text = String::from_utf8_lossy(&raw);
    let entered = rfind_bytes(&raw, ALT_ON).expect("entered the alternate screen");
    assert!(
        find_from(&raw, b"customer-spec.md", entered).is_some(),
        "a first frame was drawn"
    );
    let paste_off = find_from(&raw, PASTE_OFF, entered).expect("bracketed paste disabled");
    let alt_off = find_from(&raw, ALT_OFF, paste_off).expect("left the alternate screen");
    let shown = find_from(&raw, CURSOR_SHOW, alt_off).expect("cursor shown");
    let message = "PHASEGATE_TEST_PANIC=1: forced panic after the first draw";
    let at = find_from(&raw, message.as_bytes(), shown)
        .unwrap_or_else(|| panic!("the panic message follows the restore sequences:\n{text:?}"));
    assert!(
        find_from(&raw, b"panicked", shown).is_some_and(|p| p < at),
        "the panic hook's message is printed on the main screen"
    );
    // Nothing after the restore takes the terminal back (ratatui's `Terminal`, dropped while
    // unwinding, may only show the cursor once more).
    let tail = &raw[shown..];
    for (seq, what) in [
        (ALT_ON, "enters the alternate screen"),
        (b"\x1b[?2004h".as_slice(), "enables bracketed paste"),
        (b"\x1b[?25l".as_slice(), "hides the cursor"),
        (b"\x1b[?2026h".as_slice(), "begins a synchronized update"),
    ] {
        assert!(
            find_from(tail, seq, 0).is_none(),
            "output after the restore {what}: {:?}",
            String::from_utf8_lossy(tail)
        );
    }

    let screen = pty.screen();
    assert!(!screen.alternate_screen(), "still on the alternate screen");
    assert!(!screen.hide_cursor(), "cursor still hidden");
    assert!(!screen.bracketed_paste(), "bracketed paste still on");
    assert!(
        text_of(&screen).contains(message),
        "the panic message is visible"
    );
    assert_eq!(pty.cooked(), Some(true), "raw mode was not undone");
}

/// `phasegate` with no arguments on an empty workspace seeds the sample engagement and lists
/// it; Enter opens it.
#[test]
fn first_run_seeds_an_empty_workspace() {
    let ws = Workspace::new();
    let mut pty = phasegate(&ws, &[]).start();
    let screen = pty.wait_for_text(&["vlan-qos", " 1 engagement "]);
    let row = rows_with(&screen, "vlan-qos").join("\n");
    assert!(row.contains("As-Built"), "the list shows the phase: {row}");
    assert!(
        ws.engagement("vlan-qos").join("engagement.toml").is_file(),
        "seeded on disk"
    );

    pty.send(keys::ENTER);
    pty.wait_for_text(&["as-built.md [VIEW]", "vlan-qos │ As-Built"]);
    pty.send("q");
    assert_exit_ok(&mut pty);
    assert_eq!(ws.status("vlan-qos")["phase"], "as-built");
}
