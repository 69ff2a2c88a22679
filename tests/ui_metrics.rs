//! The metrics view (`show_metrics`, `M` in the default keymap): the real app on a TestBackend
//! at 80×24 and 120×40, over the samples with vlan-qos closed in December and one engagement
//! created in October.

mod common;

use common::Workspace;
use common::app::{dispatch, press, screen};

use crossterm::event::KeyCode;
use phasegate::app::action::Action;
use phasegate::app::effect::Effect;
use phasegate::app::{Keys, Overlay, Screen, State, WorkspaceState};

fn workspace() -> Workspace {
    let ws = Workspace::with_samples();
    let o = ws.run_at(
        "2026-10-20T08:00:00Z",
        "erin",
        &["new", "gen-early", "--owner", "erin"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = ws.run_at(
        "2026-12-02T10:00:00Z",
        "bob",
        &["close", "vlan-qos", "--reason", "RESTCONF path accepted"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    ws
}

fn state(ws: &Workspace, size: (u16, u16)) -> State {
    let mut state = State::new("reviewer", Keys::default(), size);
    state.workspace = Some(WorkspaceState {
        root: ws.path().to_path_buf(),
        ..WorkspaceState::default()
    });
    common::app::run(
        &mut state,
        Effect::LoadWorkspace {
            workspace: ws.path().to_path_buf(),
        },
    );
    state
}

#[test]
fn metrics_view_snapshots() {
    let ws = workspace();
    for size in [(80, 24), (120, 40)] {
        let mut s = state(&ws, size);
        press(&mut s, KeyCode::Char('T'));
        let Some(Overlay::Metrics(m)) = &s.overlay else {
            panic!("T opens the metrics view: {:?}", s.overlay);
        };
        assert_eq!(m.trends.months.len(), 3);
        let screen = screen(&s);
        assert!(screen.contains("closed per month"), "{screen}");
        assert!(screen.contains("median days to approved spec"));
        insta::assert_snapshot!(format!("metrics_{}x{}", size.0, size.1), screen);
        press(&mut s, KeyCode::Esc);
        assert!(s.overlay.is_none(), "Esc closes the view");
    }
}

#[test]
fn metrics_view_from_an_open_engagement_reads_its_workspace() {
    let ws = workspace();
    let mut s = state(&ws, (120, 40));
    dispatch(&mut s, Action::Command(phasegate::app::Command::Open));
    assert_eq!(s.screen, Screen::Engagement);
    press(&mut s, KeyCode::Char('T'));
    let Some(Overlay::Metrics(m)) = &s.overlay else {
        panic!("T opens the metrics view over the engagement");
    };
    assert_eq!(m.engagements.len(), 4);
    assert!(m.unreadable.is_empty());
    press(&mut s, KeyCode::Esc);
    // Opened on its own (no workspace list), the engagement's parent is never read.
    s.workspace = None;
    press(&mut s, KeyCode::Char('T'));
    assert!(s.overlay.is_none());
    assert!(
        s.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("metrics cover a workspace")),
        "{:?}",
        s.toast
    );
}

#[test]
fn the_command_is_in_help() {
    let ws = workspace();
    let mut s = state(&ws, (120, 40));
    press(&mut s, KeyCode::Char('?'));
    let mut found = false;
    for _ in 0..20 {
        if screen(&s).contains("show_metrics") {
            found = true;
            break;
        }
        press(&mut s, KeyCode::PageDown);
    }
    assert!(found, "help lists show_metrics with its key");
}
