//! The IO worker (`app::run::worker`) the event loop hands its effects to: effects run in the
//! order sent and their results come back in that order; keys pressed while a journal write is
//! in flight are handled at once, and a decision made meanwhile waits behind the write and is
//! refused by `transact` when the write it waited for made it stale (never written stale).
//! The loop is driven here as `tui.rs` drives it: the driver hands every effect to the worker
//! and applies what comes back on the channel.

mod common;

use std::path::Path;
use std::sync::mpsc::{self, Receiver};

use common::app::{ctx, dispatch, press, sample_workspace};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phasegate::app::action::{Action, LiveAction};
use phasegate::app::driver::{Driver, Step};
use phasegate::app::effect::{Effect, LiveEffect};
use phasegate::app::router::route;
use phasegate::app::run::worker::IoWorker;
use phasegate::app::{Keys, Screen, State, WorkspaceState};
use phasegate::domain::artifact::Artifact;
use phasegate::domain::journal::EventBody;
use phasegate::domain::phase::Phase;

fn worker() -> (IoWorker, Receiver<Vec<Action>>) {
    let (tx, rx) = mpsc::channel();
    let worker = IoWorker::spawn(ctx(), move |actions| {
        let _ = tx.send(actions);
    });
    (worker, rx)
}

fn sent(worker: &IoWorker, effect: Effect) {
    assert!(worker.submit(effect).is_none(), "the worker runs");
}

/// Every effect goes to the worker, as in `tui.rs`.
fn send_all(driver: &mut Driver, state: &mut State, worker: &IoWorker) {
    driver.drain(state, &mut |effect| match worker.submit(effect) {
        None => Step::Done(Vec::new()),
        Some(effect) => Step::Run(effect),
    });
}

/// A key as the event loop handles it: routed, applied, its effects sent to the worker.
fn key(driver: &mut Driver, state: &mut State, worker: &IoWorker, code: KeyCode) {
    if let Some(action) = route(state, KeyEvent::new(code, KeyModifiers::NONE)) {
        driver.apply(state, action);
    }
    send_all(driver, state, worker);
}

/// Applies what the worker reports, in order, until it has nothing left to run; returns the
/// actions applied.
fn settle(
    driver: &mut Driver,
    state: &mut State,
    worker: &IoWorker,
    rx: &Receiver<Vec<Action>>,
) -> Vec<Action> {
    let mut applied = Vec::new();
    loop {
        worker.flush();
        let batch: Vec<Action> = rx.try_iter().flatten().collect();
        if batch.is_empty() {
            return applied;
        }
        for action in batch {
            applied.push(action.clone());
            driver.apply(state, action);
            send_all(driver, state, worker);
        }
    }
}

fn opened(ws: &Path, slug: &str) -> State {
    let mut state = State::new("reviewer", Keys::default(), (120, 40));
    state.workspace = Some(WorkspaceState {
        root: ws.to_path_buf(),
        ..WorkspaceState::default()
    });
    dispatch(&mut state, Action::Command(phasegate::app::Command::Top));
    common::app::run(
        &mut state,
        Effect::LoadWorkspace {
            workspace: ws.to_path_buf(),
        },
    );
    let index = state
        .workspace
        .as_ref()
        .and_then(|w| w.position_of(slug))
        .expect("slug listed");
    for _ in 0..index {
        press(&mut state, KeyCode::Char('j'));
    }
    press(&mut state, KeyCode::Enter);
    assert_eq!(state.screen, Screen::Engagement, "{slug} opened");
    state
}

/// The keys of the Gate 1 review of firewall-drift up to its confirmation (as ui_snapshots).
fn gate_1_confirmation(driver: &mut Driver, state: &mut State, worker: &IoWorker) {
    let mut k = |code| key(driver, state, worker, code);
    k(KeyCode::Char('g'));
    for _ in 0..4 {
        k(KeyCode::Char('j'));
    }
    for _ in 0..3 {
        k(KeyCode::Char(' '));
        k(KeyCode::Char('j'));
    }
    k(KeyCode::Char('w'));
    for c in "covered by the CAB review".chars() {
        k(KeyCode::Char(c));
    }
    k(KeyCode::Enter);
    k(KeyCode::Char('a'));
}

fn is_confirming_approval(state: &State) -> bool {
    matches!(
        state.overlay,
        Some(phasegate::app::Overlay::Confirm(
            phasegate::app::Confirm::Approve(_)
        ))
    )
}

#[test]
fn a_save_and_the_reload_after_it_come_back_in_the_order_sent() {
    let (_dir, ws) = sample_workspace();
    let root = ws.join("firewall-drift");
    let spec = root.join("customer-spec.md");
    let before = std::fs::read_to_string(&spec).expect("spec");
    let after = format!("{before}\nSaved through the worker.\n");
    let (worker, rx) = worker();
    sent(
        &worker,
        Effect::Live(LiveEffect::Save {
            root: root.clone(),
            artifact: Artifact::Spec,
            text: after.clone(),
            expected: Some(phasegate::domain::digest::sha256_hex(before.as_bytes())),
            keep_disk: false,
            cleanup: Vec::new(),
        }),
    );
    sent(
        &worker,
        Effect::Live(LiveEffect::Reload { root: root.clone() }),
    );
    sent(&worker, Effect::GitStatus { root });
    worker.finish();
    let got: Vec<Action> = rx.try_iter().flatten().collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        matches!(&got[0], Action::Live(LiveAction::Saved { text, .. }) if *text == after),
        "the save first: {:?}",
        got[0]
    );
    match &got[1] {
        Action::Live(LiveAction::Reloaded(loaded)) => assert_eq!(
            loaded.engagement.texts.get(&Artifact::Spec),
            Some(&after),
            "the reload read what the save wrote"
        ),
        other => panic!("the reload second, got {other:?}"),
    }
    assert!(
        matches!(&got[2], Action::GitRead { line: None, .. }),
        "{:?}",
        got[2]
    );
}

#[test]
fn keys_are_handled_while_an_approval_is_in_flight_and_a_second_one_waits_behind_it() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, "firewall-drift");
    let context = ctx();
    let mut driver = Driver::new(&context);
    let (worker, rx) = worker();
    gate_1_confirmation(&mut driver, &mut state, &worker);
    settle(&mut driver, &mut state, &worker, &rx);
    assert!(is_confirming_approval(&state), "{:?}", state.toast);

    // `y`: the approval goes to the worker; nothing it reports is applied yet.
    key(&mut driver, &mut state, &worker, KeyCode::Char('y'));
    assert!(state.overlay.is_none(), "the confirmation closed at once");
    let e = state.engagement.as_ref().expect("engagement");
    assert_eq!(e.disk.phase, Phase::Requirements, "not applied yet");

    // Meanwhile the keys are handled on the screen as it is: the same review again, up to its
    // confirmation, and a second `y` (the first approval has not landed on the screen).
    gate_1_confirmation(&mut driver, &mut state, &worker);
    assert!(
        is_confirming_approval(&state),
        "keys were handled while the approval was in flight: {:?}",
        state.overlay
    );
    key(&mut driver, &mut state, &worker, KeyCode::Char('y'));

    // The results, in the order sent: the first approval committed, then the second, which
    // waited behind it, refused by the transaction (Gate 1 is approved by then).
    let applied = settle(&mut driver, &mut state, &worker, &rx);
    let committed = applied
        .iter()
        .position(|a| matches!(a, Action::Committed(m) if m.starts_with("Gate 1 approved by reviewer (event 2)")))
        .unwrap_or_else(|| panic!("the first approval committed: {applied:?}"));
    let refused = applied
        .iter()
        .position(|a| matches!(a, Action::Failed(_)))
        .unwrap_or_else(|| panic!("the second approval refused: {applied:?}"));
    assert!(committed < refused, "{applied:?}");
    let e = state.engagement.as_ref().expect("engagement");
    assert_eq!(e.disk.phase, Phase::Feasibility);
    let approvals = e
        .engagement
        .journal
        .events
        .iter()
        .filter(|ev| matches!(ev.body, EventBody::GateApproved(_)))
        .count();
    assert_eq!(approvals, 1, "one approval written, the stale one refused");
}

/// The real binary in a pty, every write slowed to 3 s by the debug-only test hook: the screen
/// echoes the keys typed after Ctrl-S while the save is still on its way, the save lands after
/// them, and quitting with a second save in flight waits for it (the file has it after exit).
#[test]
fn the_screen_answers_keys_while_a_slow_save_runs_and_quit_waits_for_it() {
    use common::pty::{Spawn, keys, last_row, text_of};
    let ws = common::Workspace::with_samples();
    let mut pty = Spawn::phasegate(
        env!("CARGO_BIN_EXE_phasegate"),
        ws.path(),
        &["open", "firewall-drift"],
    )
    .env("PHASEGATE_TEST_SLOW_IO_MS", "3000")
    .size(120, 40)
    .start();
    pty.wait_for_text(&["customer-spec.md [VIEW]", " VIEW "]);
    pty.send("e");
    pty.wait_for_text(&["customer-spec.md [EDIT]"]);
    pty.send(keys::DOWN);
    pty.send("saved slowly");
    pty.wait_for_text(&["saved slowly", "[+] modified"]);
    pty.send(keys::CTRL_S);
    pty.send(" then typed on");
    let screen = pty.wait_for_text(&["saved slowly then typed on"]);
    assert!(
        !last_row(&screen).contains("saved customer-spec.md"),
        "the keys were echoed before the save landed: {}",
        text_of(&screen)
    );
    assert!(
        !ws.read("firewall-drift", "customer-spec.md")
            .contains("saved slowly")
    );
    pty.wait_for("the save to land", |s| {
        last_row(s).contains("saved customer-spec.md")
    });
    let spec = ws.read("firewall-drift", "customer-spec.md");
    assert!(spec.contains("saved slowly") && !spec.contains("then typed on"));

    // A second save, then quit at once: the buffer still looks unsaved (the save has not
    // landed), so quitting asks; confirmed, the process waits for the save before it ends.
    pty.send(keys::CTRL_S);
    pty.send(keys::ESC);
    pty.send("q");
    pty.wait_for_text(&["discard and quit"]);
    pty.send("y");
    assert!(pty.wait_exit().success());
    assert!(
        ws.read("firewall-drift", "customer-spec.md")
            .contains("saved slowly then typed on"),
        "the save in flight was finished before the exit"
    );
}
