//! What a terminal user expects of search and of the keymap presets, driven through the real
//! `route` → `update` on a temp copy of the samples, with snapshots at 80×24 and 120×40.

mod common;

use common::app::{dispatch, press, render, sample_workspace, toast, type_text};

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phasegate::app::effect::Effect;
use phasegate::app::router::route;
use phasegate::app::{Keys, Overlay, Screen, State, WorkspaceState, search_matches};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn opened_with(ws: &Path, slug: &str, size: (u16, u16), keys: Keys) -> State {
    let mut state = State::new("reviewer", keys, size);
    state.workspace = Some(WorkspaceState {
        root: ws.to_path_buf(),
        ..WorkspaceState::default()
    });
    common::app::run(
        &mut state,
        Effect::Load {
            root: ws.join(slug),
        },
    );
    assert_eq!(state.screen, Screen::Engagement);
    state
}

fn opened(ws: &Path, slug: &str, size: (u16, u16)) -> State {
    opened_with(ws, slug, size, Keys::default())
}

fn key(state: &mut State, code: KeyCode, modifiers: KeyModifiers) {
    if let Some(a) = route(state, KeyEvent::new(code, modifiers)) {
        dispatch(state, a);
    }
}

fn prompt_input(state: &State) -> Option<String> {
    match &state.overlay {
        Some(Overlay::Prompt { input, .. }) => Some(input.clone()),
        _ => None,
    }
}

fn cursor(state: &State) -> (usize, usize) {
    let c = state
        .engagement
        .as_ref()
        .expect("engagement")
        .editor
        .cursor();
    (c.0, c.1)
}

#[test]
fn search_counts_matches_starts_empty_and_recalls_the_last_query() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let mut state = opened(&ws, "firewall-drift", size);
        let total =
            search_matches(state.engagement.as_ref().expect("e").editor.lines(), "req-").len();
        assert!(total > 3, "{total}");
        press(&mut state, KeyCode::Char('/'));
        type_text(&mut state, "req-");
        let screen = render(&state, &ws);
        assert!(
            screen.contains(&format!("Search — {total} matches")),
            "{screen}"
        );
        let hints = screen.lines().last().unwrap_or_default().to_string();
        assert!(
            !hints.contains("y/") && !hints.contains(" n "),
            "no y/n offered while typing: {hints}"
        );
        insta::assert_snapshot!(format!("search_prompt_{}x{}", size.0, size.1), screen);
        press(&mut state, KeyCode::Enter);
        assert_eq!(toast(&state), format!("/req-: match 1/{total}"));
        press(&mut state, KeyCode::Char('n'));
        assert_eq!(toast(&state), format!("/req-: match 2/{total}"));
        press(&mut state, KeyCode::Char('N'));
        assert_eq!(toast(&state), format!("/req-: match 1/{total}"));

        // A new search starts empty; Up brings the last query back; Ctrl-U clears.
        press(&mut state, KeyCode::Char('/'));
        assert_eq!(prompt_input(&state).as_deref(), Some(""));
        press(&mut state, KeyCode::Up);
        assert_eq!(prompt_input(&state).as_deref(), Some("req-"));
        key(&mut state, KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(prompt_input(&state).as_deref(), Some(""));
        type_text(&mut state, "yn");
        assert_eq!(
            prompt_input(&state).as_deref(),
            Some("yn"),
            "y and n are text"
        );
        press(&mut state, KeyCode::Esc);
        assert!(state.overlay.is_none());
    }
}

#[test]
fn search_reports_what_it_did_not_find() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, "firewall-drift", (80, 24));
    let before = cursor(&state);
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "no such text anywhere");
    press(&mut state, KeyCode::Enter);
    assert_eq!(toast(&state), "not found: no such text anywhere");
    assert_eq!(cursor(&state), before);
}

fn preset(name: &str) -> Keys {
    Keys::new(phasegate::config::keymap::load(name, None).expect("preset loads"))
}

fn text_of(state: &State) -> String {
    state.engagement.as_ref().expect("engagement").editor.text()
}

fn dirty(state: &State) -> bool {
    state.engagement.as_ref().expect("engagement").dirty
}

#[test]
fn vim_gg_and_g_r_are_sequences_and_the_hints_say_so() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let mut state = opened_with(&ws, "firewall-drift", size, preset("vim"));
        press(&mut state, KeyCode::Char('G'));
        assert!(cursor(&state).0 > 10, "G goes to the bottom");
        press(&mut state, KeyCode::Char('g'));
        assert_eq!(state.pane, phasegate::app::Pane::Editor, "g alone waits");
        let screen = render(&state, &ws);
        let hints = screen.lines().last().unwrap_or_default().to_string();
        assert!(
            hints.contains("g g top") && hints.contains("g r gate"),
            "{hints}"
        );
        insta::assert_snapshot!(format!("vim_pending_g_{}x{}", size.0, size.1), screen);
        press(&mut state, KeyCode::Char('g'));
        assert_eq!(cursor(&state).0, 0, "g g goes to the top");
        assert!(state.pending_key.is_none());
        press(&mut state, KeyCode::Char('g'));
        press(&mut state, KeyCode::Char('r'));
        assert_eq!(
            state.pane,
            phasegate::app::Pane::Gate,
            "g r reviews the gate"
        );
        press(&mut state, KeyCode::Char('g'));
        press(&mut state, KeyCode::Char('x'));
        assert_eq!(toast(&state), "g x is not bound");
    }
}

#[test]
fn vim_u_undoes_in_normal_mode_and_colon_w_saves() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened_with(&ws, "firewall-drift", (80, 24), preset("vim"));
    let original = text_of(&state);
    press(&mut state, KeyCode::Char('i'));
    type_text(&mut state, "Draft ");
    press(&mut state, KeyCode::Esc);
    assert!(dirty(&state));
    press(&mut state, KeyCode::Char('u'));
    assert!(
        text_of(&state) == original,
        "u undoes the insert run: {:?}",
        text_of(&state).lines().next()
    );
    assert!(
        !dirty(&state),
        "undo back to the saved text is not modified"
    );
    key(&mut state, KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert!(text_of(&state).starts_with("Draft "), "Ctrl-R redoes");
    press(&mut state, KeyCode::Char(':'));
    type_text(&mut state, "w");
    press(&mut state, KeyCode::Enter);
    assert!(!dirty(&state), "{}", toast(&state));
    let on_disk =
        std::fs::read_to_string(ws.join("firewall-drift/customer-spec.md")).expect("read");
    assert!(on_disk.starts_with("Draft "), ":w saved");
    press(&mut state, KeyCode::Char(':'));
    type_text(&mut state, "12");
    press(&mut state, KeyCode::Enter);
    assert_eq!(cursor(&state).0, 11, ":12 goes to line 12");
    press(&mut state, KeyCode::Char(':'));
    type_text(&mut state, "messages");
    press(&mut state, KeyCode::Enter);
    assert!(matches!(state.overlay, Some(Overlay::Messages { .. })));
    press(&mut state, KeyCode::Char('q'));
    assert!(state.overlay.is_none() && !state.quit, "q closes the log");
    press(&mut state, KeyCode::Char(':'));
    type_text(&mut state, "frobnicate");
    press(&mut state, KeyCode::Enter);
    assert!(
        toast(&state).starts_with(":frobnicate: unknown command"),
        "{}",
        toast(&state)
    );
}

#[test]
fn emacs_ctrl_y_yanks_and_ctrl_slash_undoes() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened_with(&ws, "firewall-drift", (80, 24), preset("emacs"));
    let original = text_of(&state);
    let first_line = original.lines().next().unwrap_or_default().to_string();
    press(&mut state, KeyCode::Char('e'));
    key(&mut state, KeyCode::Char('k'), KeyModifiers::CONTROL);
    assert!(text_of(&state).starts_with('\n'), "C-k kills the line");
    key(&mut state, KeyCode::Char('y'), KeyModifiers::CONTROL);
    assert_eq!(text_of(&state), original, "C-y yanks it back");
    assert!(text_of(&state).starts_with(&first_line));
    type_text(&mut state, "zz");
    // C-/ as terminals send it (C-_, reported as Ctrl-7) and as the kitty protocol does.
    key(&mut state, KeyCode::Char('7'), KeyModifiers::CONTROL);
    assert!(
        text_of(&state) == original,
        "C-/ undoes the typed run: {:?}",
        text_of(&state).lines().next()
    );
    type_text(&mut state, "zz");
    key(&mut state, KeyCode::Char('/'), KeyModifiers::CONTROL);
    assert_eq!(text_of(&state), original);
}

#[test]
fn q_closes_the_diff_pane_not_the_app() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, "vlan-qos", (120, 40));
    press(&mut state, KeyCode::Char('d'));
    assert!(
        state
            .engagement
            .as_ref()
            .is_some_and(|e| e.build.diff.is_some())
    );
    press(&mut state, KeyCode::Char('q'));
    assert!(!state.quit);
    assert!(
        state
            .engagement
            .as_ref()
            .is_some_and(|e| e.build.diff.is_none())
    );
    press(&mut state, KeyCode::Char('?'));
    press(&mut state, KeyCode::Char('q'));
    assert!(state.overlay.is_none() && !state.quit, "q closes help");
}
