//! Agents visible to the humans (issue 14): an agent's write reaching an open engagement is
//! told in a toast naming the agent and what it did; the journal view marks agent events; the
//! status bar says an agent session is active while its session file's server runs. Snapshots of
//! the real `ui::view` at 80×24 and 120×40, and the real binary in a pty.

mod common;

use common::Workspace;
use common::app::{dispatch, render, run, toast};
use common::pty::{Spawn, text_of};

use phasegate::app::action::{Action, LiveAction};
use phasegate::app::effect::Effect;
use phasegate::app::{Keys, Pane, State};
use phasegate::store::agents::{AgentSession, write_session};
use phasegate::store::watch::{WatchEvent, WatchMode};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const AGENT: &str = "agent:claude-code";

/// The agent records a deviation on vlan-qos through the CLI (DEV-3).
fn agent_records_a_deviation(ws: &Workspace) {
    let o = ws.run(
        AGENT,
        &[
            "deviation",
            "add",
            "vlan-qos",
            "--component",
            "COMP-1",
            "--impact",
            "minor",
            "--what",
            "VLAN 3999 reserved for lab tests",
            "--why",
            "it collided with the lab switch",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
}

/// vlan-qos (As-Built) open as reviewer, then a deviation recorded by an agent through the CLI.
fn agent_wrote(ws: &Workspace, size: (u16, u16)) -> State {
    let root = ws.engagement("vlan-qos");
    let mut state = State::new("reviewer", Keys::default(), size);
    run(&mut state, Effect::Load { root: root.clone() });
    // The watch is armed before the agent writes (as in the TUI).
    dispatch(
        &mut state,
        Action::Live(LiveAction::Watch {
            root: root.clone(),
            event: WatchEvent::Armed(WatchMode::Native),
        }),
    );
    agent_records_a_deviation(ws);
    // What the watcher reports for the agent's write.
    dispatch(
        &mut state,
        Action::Live(LiveAction::Watch {
            root,
            event: WatchEvent::Changed(vec![
                "as-built.md".into(),
                ".phasegate/journal.toml".into(),
            ]),
        }),
    );
    state
}

#[test]
fn an_agents_write_is_told_and_marked_in_the_journal() {
    let ws = Workspace::with_samples();
    for size in SIZES {
        let mut state = agent_wrote(&ws, size);
        let told = toast(&state);
        assert!(
            told.starts_with(&format!("{AGENT}: ")) && told.contains("DEV-"),
            "the toast names the agent and what it did: {told}"
        );
        state.pane = Pane::Journal;
        let screen = render(&state, ws.path());
        let row = screen
            .lines()
            .find(|l| l.contains("2026-11-20 ⚙ai agent:"))
            .unwrap_or_else(|| panic!("no agent event in the journal:\n{screen}"))
            .to_string();
        assert!(row.contains(" 17 "), "the agent's event, marked: {row}");
        // Human events are not.
        assert!(
            screen.lines().filter(|l| l.contains("⚙ai")).count() == 1,
            "{screen}"
        );
        insta::assert_snapshot!(format!("agent_journal_{}x{}", size.0, size.1), screen);

        // Without UTF-8, a word.
        state.ascii = true;
        let screen = render(&state, ws.path());
        assert!(
            screen.lines().any(|l| l.contains("2026-11-20 [ai] agent:")),
            "{screen}"
        );
        // The next one opens on a fresh copy.
        std::fs::remove_dir_all(ws.engagement("vlan-qos")).expect("remove");
        common::copy_dir(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements/vlan-qos"),
            &ws.engagement("vlan-qos"),
        );
    }
}

#[test]
fn the_status_bar_says_an_agent_session_is_active() {
    let ws = Workspace::with_samples();
    let root = ws.engagement("vlan-qos");
    for size in SIZES {
        let mut state = State::new("reviewer", Keys::default(), size);
        run(&mut state, Effect::Load { root: root.clone() });
        // A session of this (running) process: live.
        let path = write_session(&root, &AgentSession::current("claude-code")).expect("session");
        dispatch(
            &mut state,
            Action::Live(LiveAction::Watch {
                root: root.clone(),
                event: WatchEvent::Armed(WatchMode::Native),
            }),
        );
        let screen = render(&state, ws.path());
        let status = screen.lines().rev().nth(1).unwrap_or_default().to_string();
        assert!(
            status.contains("agent:claude-code session active"),
            "{screen}"
        );
        insta::assert_snapshot!(format!("agent_session_{}x{}", size.0, size.1), screen);

        // The server exits (its file goes): the next reload says no more.
        std::fs::remove_file(&path).expect("remove session");
        dispatch(
            &mut state,
            Action::Live(LiveAction::Watch {
                root: root.clone(),
                event: WatchEvent::Changed(vec![".phasegate/journal.toml".into()]),
            }),
        );
        let screen = render(&state, ws.path());
        assert!(!screen.contains("session active"), "{screen}");
    }
}

/// The real binary in a pty: an agent's write through the CLI reaches the open engagement
/// through the watcher and the toast names the agent.
#[test]
fn a_running_tui_shows_the_agents_write() {
    let ws = Workspace::with_samples();
    let mut pty = Spawn::phasegate(
        env!("CARGO_BIN_EXE_phasegate"),
        ws.path(),
        &["open", "vlan-qos"],
    )
    .size(120, 40)
    .start();
    pty.wait_for_text(&["vlan-qos", " VIEW "]);
    agent_records_a_deviation(&ws);
    let screen = pty.wait_for("the agent's toast", |s| {
        text_of(s).contains(&format!("{AGENT}: "))
    });
    assert!(text_of(&screen).contains("DEV-3"), "{}", text_of(&screen));
    pty.send("q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status}");
}

/// The real binary in a pty: an agent session starting and ending without writing anything
/// still shows and goes on the status bar (the watcher follows `.phasegate/agents/`).
#[test]
fn a_running_tui_follows_agent_sessions_that_write_nothing() {
    let ws = Workspace::with_samples();
    let root = ws.engagement("vlan-qos");
    let mut pty = Spawn::phasegate(
        env!("CARGO_BIN_EXE_phasegate"),
        ws.path(),
        &["open", "vlan-qos"],
    )
    .size(120, 40)
    .start();
    pty.wait_for_text(&["vlan-qos", " VIEW "]);
    // A session of this (running) test process: live for as long as the test runs.
    let path = write_session(&root, &AgentSession::current("claude-code")).expect("session");
    pty.wait_for_text(&["agent:claude-code session active"]);
    std::fs::remove_file(&path).expect("the session ends");
    pty.wait_for("the flag gone", |s| !text_of(s).contains("session active"));
    pty.send("q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status}");
}
