//! The workspace list's first group, "waiting for you" (issue 13): the gates the acting identity
//! may decide, as `phasegate queue` lists them — auto criteria (all passing, or the first failing
//! one with its position), age, stale and conflict flags, oldest first — above the engagements.
//! Snapshots of the real `ui::view` at 80×24 and 120×40; Enter on a waiting gate opens the
//! engagement on that gate's review.

mod common;

use std::fs;
use std::path::Path;

use common::app::{ctx_as, key_with, render, run_with, sample_workspace};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phasegate::app::effect::Effect;
use phasegate::app::{Keys, ListItem, Pane, Screen, State, WorkspaceState};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// The samples with a gate for each flag: firewall-drift's spec gains a requirement no
/// acceptance criterion covers (G1-3 fails) and an unresolved merge (conflicts);
/// bgp-peer-onboarding's approved spec is edited (Gate 1 stale, Gate 2 blocked by it).
fn flagged_workspace() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, ws) = sample_workspace();
    let spec = ws.join("firewall-drift/customer-spec.md");
    let text = fs::read_to_string(&spec).expect("spec");
    let text = text.replacen("- REQ-1", "- REQ-9: Unmapped requirement.\n- REQ-1", 1)
        + "\n<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> theirs\n";
    fs::write(&spec, text).expect("write spec");
    let spec = ws.join("bgp-peer-onboarding/customer-spec.md");
    let text = fs::read_to_string(&spec).expect("spec");
    let text = text.replacen("- REQ-1: ", "- REQ-1: (changed after the approval) ", 1);
    fs::write(&spec, text).expect("write spec");
    (dir, ws)
}

fn list(ws: &Path, size: (u16, u16)) -> State {
    let mut state = State::new("reviewer", Keys::default(), size);
    state.workspace = Some(WorkspaceState {
        root: ws.to_path_buf(),
        ..WorkspaceState::default()
    });
    run_with(
        &mut state,
        Effect::LoadWorkspace {
            workspace: ws.to_path_buf(),
        },
        &ctx_as("reviewer"),
    );
    state
}

#[test]
fn the_list_starts_with_the_gates_waiting_for_you() {
    let (_dir, ws) = flagged_workspace();
    for size in SIZES {
        let state = list(&ws, size);
        let w = state.workspace.as_ref().expect("workspace");
        let waiting: Vec<(String, u8)> = w
            .waiting
            .iter()
            .map(|r| (r.entry.engagement.clone(), r.entry.gate))
            .collect();
        // Oldest first, as `phasegate queue` lists them.
        assert_eq!(
            waiting,
            [
                ("bgp-peer-onboarding".to_string(), 1),
                ("firewall-drift".to_string(), 1),
                ("bgp-peer-onboarding".to_string(), 2),
            ]
        );
        // The cursor starts on the oldest waiting gate; the engagements follow.
        assert!(matches!(w.items()[0], ListItem::Waiting(_)));
        assert_eq!(w.items().len(), 3 + w.rows.len());
        let screen = render(&state, &ws);
        assert!(
            screen.contains("waiting for you (reviewer): 3 gates"),
            "{screen}"
        );
        assert!(
            screen.contains("3/4 auto pass; G1-3 (hard) fails at"),
            "{screen}"
        );
        assert!(screen.contains("STALE"), "{screen}");
        assert!(screen.contains("2 conflicts"), "{screen}");
        assert!(screen.contains("6/6 auto pass"), "{screen}");
        insta::assert_snapshot!(format!("waiting_group_{}x{}", size.0, size.1), screen);
    }
}

#[test]
fn the_owner_is_not_asked_to_decide_their_own_gate() {
    let (_dir, ws) = flagged_workspace();
    // dana owns firewall-drift (distinct_approver): her list does not offer her its gate.
    let mut state = State::new("dana", Keys::default(), (120, 40));
    state.workspace = Some(WorkspaceState {
        root: ws.to_path_buf(),
        ..WorkspaceState::default()
    });
    run_with(
        &mut state,
        Effect::LoadWorkspace {
            workspace: ws.to_path_buf(),
        },
        &ctx_as("dana"),
    );
    let w = state.workspace.as_ref().expect("workspace");
    assert!(
        w.waiting
            .iter()
            .all(|r| r.entry.engagement != "firewall-drift"),
        "{:?}",
        w.waiting
    );
    assert!(
        !w.waiting.is_empty(),
        "bgp-peer-onboarding still waits for dana"
    );
}

#[test]
fn enter_on_a_waiting_gate_opens_its_review() {
    let (_dir, ws) = flagged_workspace();
    let mut state = list(&ws, (120, 40));
    let ctx = ctx_as("reviewer");
    // The second waiting gate: firewall-drift's Gate 1.
    key_with(
        &mut state,
        KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE),
        &ctx,
    );
    key_with(
        &mut state,
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        &ctx,
    );
    assert_eq!(state.screen, Screen::Engagement);
    assert_eq!(state.pane, Pane::Gate);
    let e = state.engagement.as_ref().expect("engagement");
    assert_eq!(e.engagement.slug, "firewall-drift");
    assert_eq!(e.review.gate.number(), 1);
    let screen = render(&state, &ws);
    assert!(screen.contains("G1-3"), "{screen}");

    // Back on the list (Esc twice: the pane, then the engagement), an engagement's own row
    // still opens on its editor.
    for _ in 0..2 {
        key_with(
            &mut state,
            KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
            &ctx,
        );
    }
    assert_eq!(state.screen, Screen::Workspace);
    let i = state
        .workspace
        .as_ref()
        .and_then(|w| w.position_of("vlan-qos"))
        .expect("listed");
    state.workspace.as_mut().expect("workspace").selected = i;
    key_with(
        &mut state,
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        &ctx,
    );
    assert_eq!(state.screen, Screen::Engagement);
    assert_eq!(state.pane, Pane::Editor);
}
