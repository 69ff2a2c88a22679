//! The lifecycle commands in the TUI (`app::update::lifecycle`): creating an engagement, completing
//! feasibility, reopening a gate, the note on a decision, "what works instead" messages and the
//! message log — driven through the real `route` → `update` → effects on temp copies of the
//! samples, with snapshots of every new view at 80×24 and 120×40.

mod common;

use common::app::{dispatch, press, render, sample_workspace, toast, type_text, workspace_state};

use std::fs;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phasegate::app::action::Action;
use phasegate::app::effect::Effect;
use phasegate::app::model::overlay::{LifecycleConfirm, LifecycleOverlay};
use phasegate::app::router::route;
use phasegate::app::{Command, Overlay, Screen, State};
use phasegate::domain::journal::{EventBody, GateId};
use phasegate::domain::phase::Phase;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// Cuts `slug`'s journal after event `last`: the engagement as it was then, with today's texts.
fn cut_journal(ws: &Path, slug: &str, last: u64) {
    let path = ws.join(slug).join(".phasegate/journal.toml");
    let text = fs::read_to_string(&path).expect("journal");
    let marker = format!("[[event]]\nseq = {}\n", last + 1);
    let cut = text.find(&marker).expect("event after the cut");
    fs::write(&path, &text[..cut]).expect("write journal");
}

fn opened(ws: &Path, slug: &str, size: (u16, u16)) -> State {
    let mut state = workspace_state(ws, size);
    common::app::run(
        &mut state,
        Effect::Load {
            root: ws.join(slug),
        },
    );
    assert_eq!(state.screen, Screen::Engagement);
    state
}

fn ctrl(state: &mut State, c: char) {
    let action = route(
        state,
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
    );
    dispatch(state, action.expect("routed"));
}

fn last_event(state: &State) -> EventBody {
    state
        .engagement
        .as_ref()
        .and_then(|e| e.engagement.journal.events.last())
        .map(|e| e.body.clone())
        .expect("an event")
}

#[test]
fn new_engagement_form_and_confirmation() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let mut state = workspace_state(&ws, size);
        press(&mut state, KeyCode::Char('n'));
        type_text(&mut state, "Bad Slug");
        press(&mut state, KeyCode::Enter);
        assert!(
            matches!(
                &state.overlay,
                Some(Overlay::Lifecycle(LifecycleOverlay::NewEngagement(f))) if f.error.as_deref().is_some_and(|e| e.contains("not a valid slug"))
            ),
            "{:?}",
            state.overlay
        );
        insta::assert_snapshot!(
            format!("new_engagement_form_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
        // Ctrl-U clears the field; an existing slug is refused in the form.
        ctrl(&mut state, 'u');
        type_text(&mut state, "vlan-qos");
        press(&mut state, KeyCode::Tab);
        type_text(&mut state, "again");
        press(&mut state, KeyCode::Enter);
        assert!(
            matches!(&state.overlay, Some(Overlay::Lifecycle(LifecycleOverlay::NewEngagement(f))) if f.error.as_deref() == Some("vlan-qos already exists in this workspace")),
            "{:?}",
            state.overlay
        );
        ctrl(&mut state, 'u');
        type_text(&mut state, "vlan-qos-day2");
        press(&mut state, KeyCode::Enter);
        assert!(matches!(
            &state.overlay,
            Some(Overlay::Lifecycle(LifecycleOverlay::Confirm(
                LifecycleConfirm::NewEngagement { .. }
            )))
        ));
        insta::assert_snapshot!(
            format!("new_engagement_confirm_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
        press(&mut state, KeyCode::Enter);
        assert!(!ws.join("vlan-qos-day2").exists(), "Enter creates nothing");
        press(&mut state, KeyCode::Char('y'));
        assert!(ws.join("vlan-qos-day2/engagement.toml").exists());
        assert_eq!(state.screen, Screen::Engagement, "{}", toast(&state));
        let e = state.engagement.as_ref().expect("engagement");
        assert_eq!(e.engagement.meta.title, "again");
        assert_eq!(e.engagement.meta.owner, "reviewer");
    }
}

#[test]
fn completing_feasibility_asks_for_y() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        cut_journal(&ws, "bgp-peer-onboarding", 2);
        let mut state = opened(&ws, "bgp-peer-onboarding", size);
        assert_eq!(
            state.engagement.as_ref().map(|e| e.disk.phase),
            Some(Phase::Feasibility)
        );
        press(&mut state, KeyCode::Char('F'));
        assert!(
            matches!(
                &state.overlay,
                Some(Overlay::Lifecycle(LifecycleOverlay::Confirm(
                    LifecycleConfirm::CompleteFeasibility { .. }
                )))
            ),
            "{}",
            toast(&state)
        );
        insta::assert_snapshot!(
            format!("feasibility_confirm_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
        press(&mut state, KeyCode::Enter);
        assert!(state.overlay.is_some(), "Enter does not record");
        assert_eq!(
            toast(&state),
            "Enter does not confirm a journal entry: press y to record it, Esc to cancel"
        );
        press(&mut state, KeyCode::Char('y'));
        let e = state.engagement.as_ref().expect("engagement");
        assert_eq!(e.disk.phase, Phase::Design, "{}", toast(&state));
        assert!(matches!(
            last_event(&state),
            EventBody::FeasibilityCompleted { .. }
        ));
    }
}

#[test]
fn reopening_a_gate_needs_a_reason_and_y() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let mut state = opened(&ws, "vlan-qos", size);
        press(&mut state, KeyCode::Char('O'));
        // Both gates are approved: Gate 2 (the latest) is offered first, Tab switches.
        assert!(matches!(
            &state.overlay,
            Some(Overlay::Lifecycle(LifecycleOverlay::Reopen(f))) if f.gate == GateId::Two
        ));
        press(&mut state, KeyCode::Enter);
        assert!(matches!(
            &state.overlay,
            Some(Overlay::Lifecycle(LifecycleOverlay::Reopen(f))) if f.error.as_deref() == Some("reopening Gate 2 needs a reason (one line)")
        ));
        press(&mut state, KeyCode::Tab);
        type_text(&mut state, "the requester changed REQ-3");
        insta::assert_snapshot!(
            format!("reopen_form_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
        press(&mut state, KeyCode::Enter);
        assert!(matches!(
            &state.overlay,
            Some(Overlay::Lifecycle(LifecycleOverlay::Confirm(
                LifecycleConfirm::Reopen {
                    gate: GateId::One,
                    ..
                }
            )))
        ));
        insta::assert_snapshot!(
            format!("reopen_confirm_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
        press(&mut state, KeyCode::Enter);
        assert_eq!(
            state.engagement.as_ref().map(|e| e.disk.phase),
            Some(Phase::AsBuilt),
            "Enter reopens nothing"
        );
        press(&mut state, KeyCode::Char('y'));
        assert_eq!(
            state.engagement.as_ref().map(|e| e.disk.phase),
            Some(Phase::Requirements),
            "{}",
            toast(&state)
        );
        match last_event(&state) {
            EventBody::GateReopened { gate, reason, .. } => {
                assert_eq!(gate, GateId::One);
                assert_eq!(reason, "the requester changed REQ-3");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn keys_that_do_nothing_now_say_what_works() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, "firewall-drift", (120, 40));
    press(&mut state, KeyCode::Char('F'));
    assert_eq!(
        toast(&state),
        "feasibility starts after Gate 1: review and approve the spec first — g"
    );
    press(&mut state, KeyCode::Char('O'));
    assert_eq!(
        toast(&state),
        "no gate is approved, so there is nothing to reopen; review the gate ahead — g"
    );
    let mut state = opened(&ws, "bgp-peer-onboarding", (120, 40));
    press(&mut state, KeyCode::Char('F'));
    assert_eq!(
        toast(&state),
        "feasibility is already complete (the engagement is in Design); to revise it, reopen Gate 1 — O"
    );
    let mut state = opened(&ws, "vlan-qos", (120, 40));
    press(&mut state, KeyCode::Char('g'));
    press(&mut state, KeyCode::Char('a'));
    assert_eq!(
        toast(&state),
        "Gate 2 is approved and holds; to revise its artifact, reopen it — O"
    );
    cut_journal(&ws, "bgp-peer-onboarding", 2);
    let mut state = opened(&ws, "bgp-peer-onboarding", (120, 40));
    press(&mut state, KeyCode::Char('g'));
    press(&mut state, KeyCode::Char('a'));
    assert_eq!(
        toast(&state),
        "Gate 2 is not ahead: complete feasibility first — F"
    );
}

#[test]
fn a_rejection_carries_its_reason_and_a_note() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, "firewall-drift", (120, 40));
    press(&mut state, KeyCode::Char('g'));
    press(&mut state, KeyCode::Char('r'));
    type_text(&mut state, "G1-7: AC-3 is not testable");
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('e'));
    type_text(&mut state, "talked to dana");
    press(&mut state, KeyCode::Enter);
    assert!(matches!(&state.overlay, Some(Overlay::Confirm(_))));
    press(&mut state, KeyCode::Char('y'));
    match last_event(&state) {
        EventBody::GateRejected(g) => {
            assert_eq!(g.reason.as_deref(), Some("G1-7: AC-3 is not testable"));
            assert_eq!(g.note, "talked to dana");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_message_log_holds_every_message_in_full() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let mut state = opened(&ws, "vlan-qos", size);
        press(&mut state, KeyCode::Char('F'));
        press(&mut state, KeyCode::Char('g'));
        press(&mut state, KeyCode::Char('a'));
        let first = state.messages[0].text.clone();
        assert!(first.chars().count() > 80, "{first}");
        dispatch(&mut state, Action::Command(Command::Messages));
        assert!(matches!(state.overlay, Some(Overlay::Messages { .. })));
        let screen = render(&state, &ws);
        if size.0 >= 120 {
            assert!(screen.contains(&first), "{screen}");
        }
        insta::assert_snapshot!(format!("messages_{}x{}", size.0, size.1), screen);
        assert_eq!(state.messages.len(), 2);
        // `q` closes the log, not the app.
        press(&mut state, KeyCode::Char('q'));
        assert!(state.overlay.is_none());
        assert!(!state.quit);
    }
}
