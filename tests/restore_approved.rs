//! "Restore approved" (DESIGN §3 Staleness) in the TUI: a gate made stale by an outside edit is
//! un-staled by taking the approved snapshot from `objects/` back, ungoverned sections kept;
//! driven through the real `route` → `update` → driver → store on a temp copy of a sample.

mod common;

use common::Workspace;
use common::app::{press, run};
use crossterm::event::KeyCode;
use phasegate::app::effect::Effect;
use phasegate::app::{Keys, Pane, Severity, State};
use phasegate::domain::evaluate::GateState;
use phasegate::domain::journal::GateId;

const SLUG: &str = "bgp-peer-onboarding";
const ADDED: &str = "- REQ-6: Added after Gate 1, outside the tool.";

fn opened(ws: &Workspace) -> State {
    let mut state = State::new("reviewer", Keys::default(), (120, 40));
    run(
        &mut state,
        Effect::Load {
            root: ws.engagement(SLUG),
        },
    );
    state
}

fn gate_one(state: &State) -> GateState {
    let e = state.engagement.as_ref().expect("engagement open");
    e.disk.gate(GateId::One).state
}

#[test]
fn restore_approved_puts_the_approved_spec_back_and_keeps_the_amendments() {
    let ws = Workspace::with_samples();
    let approved = ws.read(SLUG, "customer-spec.md");
    // A governed change (a new requirement) and an ungoverned one (an amendment: only its items
    // are ungoverned in the spec's Amendments section).
    let edited = approved.replacen(
        "\n## Integrations",
        &format!("{ADDED}\n\n## Integrations"),
        1,
    ) + "\n## Amendments\n\n- AMD-1 (DEV-1): Kept across a restore.\n";
    ws.write(SLUG, "customer-spec.md", &edited);

    let mut state = opened(&ws);
    assert_eq!(gate_one(&state), GateState::Stale, "the edit stales Gate 1");

    press(&mut state, KeyCode::Char('g'));
    assert_eq!(state.pane, Pane::Gate);
    press(&mut state, KeyCode::Char('u'));

    let now = ws.read(SLUG, "customer-spec.md");
    assert!(!now.contains(ADDED), "the governed change is gone:\n{now}");
    assert!(
        now.contains("- AMD-1 (DEV-1): Kept across a restore."),
        "the ungoverned section is kept:\n{now}"
    );
    assert_ne!(gate_one(&state), GateState::Stale, "Gate 1 holds again");
    let toast = state.toast.as_ref().expect("a toast");
    assert_eq!(toast.kind, Severity::Info);
    assert!(
        toast
            .text
            .contains("customer-spec.md restored to the text Gate 1 approved"),
        "{}",
        toast.text
    );
}

#[test]
fn restore_approved_on_a_gate_that_holds_is_refused_and_writes_nothing() {
    let ws = Workspace::with_samples();
    let before = ws.read(SLUG, "customer-spec.md");
    let mut state = opened(&ws);
    press(&mut state, KeyCode::Char('g'));
    let gate = state.engagement.as_ref().map(|e| e.review.gate);
    press(&mut state, KeyCode::Char('u'));
    let toast = state.toast.as_ref().expect("a toast");
    assert_eq!(toast.kind, Severity::Error);
    assert!(
        toast.text.contains("is not stale"),
        "{gate:?}: {}",
        toast.text
    );
    assert_eq!(ws.read(SLUG, "customer-spec.md"), before);
}
