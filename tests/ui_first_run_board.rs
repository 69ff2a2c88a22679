//! First run (the seeded sample says what it is and how to start), the workspace list's headers
//! and counts, hints as wide as the terminal allows, and the build board's honesty: arrows only
//! for real dependencies, the selection visible without color or UTF-8, "already validated".
//! The real app on `TestBackend`, snapshots at 80×24 and 120×40.

mod common;

use common::Workspace;
use common::app::{dispatch, press, render, toast, type_text, workspace_state};

use crossterm::event::KeyCode;
use phasegate::app::action::Action;
use phasegate::app::effect::Effect;
use phasegate::app::{Command, Screen, State};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

#[test]
fn first_run_says_the_seed_is_a_sample_and_how_to_start() {
    for size in SIZES {
        let ws = tempfile::tempdir().expect("tempdir");
        phasegate::store::seed::seed_workspace(ws.path())
            .expect("seeds")
            .expect("seeded");
        let state = workspace_state(ws.path(), size);
        let screen = render(&state, ws.path());
        assert!(screen.contains("[sample]"), "{screen}");
        assert!(
            screen.contains("vlan-qos is a sample to look around in; press n to start your own."),
            "{screen}"
        );
        assert!(screen.contains("engagement             phase"), "{screen}");
        insta::assert_snapshot!(format!("first_run_{}x{}", size.0, size.1), screen);
    }
}

#[test]
fn the_count_agrees_with_the_filter() {
    let ws = Workspace::with_samples();
    let mut state = workspace_state(ws.path(), (80, 24));
    assert!(render(&state, ws.path()).contains(" 3 engagements "));
    press(&mut state, KeyCode::Char('f'));
    type_text(&mut state, "vlan");
    let screen = render(&state, ws.path());
    assert!(screen.contains(" 1 of 3 engagements "), "{screen}");
    press(&mut state, KeyCode::Enter);
    assert_eq!(
        state.screen,
        Screen::Engagement,
        "Enter opens the one shown"
    );
}

#[test]
fn hints_are_whole_and_keep_help_at_any_width() {
    let ws = Workspace::with_samples();
    for width in [40u16, 60, 80, 120] {
        let mut state = workspace_state(ws.path(), (width, 24));
        // The first engagement's own row (the gates waiting for you are listed above it).
        if let Some(w) = &mut state.workspace {
            w.selected = w.position_of("bgp-peer-onboarding").expect("listed");
        }
        press(&mut state, KeyCode::Enter);
        let screen = render(&state, ws.path());
        let hints = screen.lines().last().unwrap_or_default().to_string();
        assert!(hints.contains("?/F1 help"), "{width}: {hints}");
        assert!(!hints.contains('…'), "{width}: whole hints only: {hints}");
        if width >= 120 {
            for h in ["1-5 phase", "J journal", "z zoom", "Esc back", "M messages"] {
                assert!(hints.contains(h), "{width}: {h} in {hints}");
            }
        }
    }
}

/// A fresh engagement whose design has two leaves and a component that depends on the second:
/// the card left of it on the board is not its dependency.
fn board_engagement(ws: &Workspace) -> std::path::PathBuf {
    let o = ws.run("olivia", &["new", "fan-in", "--title", "Fan in"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    ws.write(
        "fan-in",
        "solution-design.md",
        "# Solution Design — Fan in\n\n## Overview\n\nThree parts.\n\n## Components\n\n\
         ### COMP-1: Alpha\n- satisfies: none\n- depends-on: none\n- reuse: new\n- acceptance: a\n\n\
         ### COMP-2: Beta\n- satisfies: none\n- depends-on: none\n- reuse: new\n- acceptance: b\n\n\
         ### COMP-3: Gamma\n- satisfies: none\n- depends-on: COMP-2\n- reuse: new\n- acceptance: c\n\n\
         ## Testing Approach\n\nLab.\n",
    );
    ws.engagement("fan-in")
}

#[test]
fn board_arrows_only_for_real_dependencies_and_the_selection_shows_in_ascii() {
    let ws = Workspace::new();
    let root = board_engagement(&ws);
    let mut state = workspace_state(ws.path(), (80, 24));
    state.ascii = true;
    common::app::run(&mut state, Effect::Load { root });
    press(&mut state, KeyCode::Char('4'));
    let screen = render(&state, ws.path());
    let rows: Vec<&str> = screen.lines().collect();
    // COMP-3 sits right of COMP-1 (not its dependency): no arrow between them.
    let gamma = rows
        .iter()
        .position(|r| r.contains("COMP-3"))
        .expect("COMP-3 drawn");
    let alpha_row = rows
        .iter()
        .position(|r| r.contains("COMP-1"))
        .expect("COMP-1 drawn");
    assert_eq!(gamma, alpha_row, "COMP-3 is beside COMP-1:\n{screen}");
    assert!(
        !rows[gamma + 2].contains("->"),
        "no arrow from COMP-1 to COMP-3:\n{screen}"
    );
    // The selected card is marked in its title, in ASCII too.
    assert!(screen.contains(">> #1 COMP-1"), "{screen}");
    insta::assert_snapshot!("board_fan_in_ascii_80x24", screen);
}

#[test]
fn marking_a_validated_component_again_says_so() {
    let ws = Workspace::with_samples();
    let mut state = workspace_state(ws.path(), (120, 40));
    common::app::run(
        &mut state,
        Effect::Load {
            root: ws.engagement("vlan-qos"),
        },
    );
    let events = |s: &State| {
        s.engagement
            .as_ref()
            .map_or(0, |e| e.engagement.journal.events.len())
    };
    let before = events(&state);
    press(&mut state, KeyCode::Char('4'));
    dispatch(&mut state, Action::Command(Command::Top));
    press(&mut state, KeyCode::Char('v'));
    assert_eq!(
        toast(&state),
        "COMP-1 is already validated: nothing to record"
    );
    press(&mut state, KeyCode::Char('b'));
    assert_eq!(
        toast(&state),
        "COMP-1 is already validated: nothing to record"
    );
    assert_eq!(events(&state), before);
}
