//! The first frame is drawn before the Markdown grammar has loaded (the TUI starts loading it
//! once that frame is out), with the editor's line styler. This checks, on the real `ui::view`
//! at 120×40, that every artifact of every sample engagement is drawn cell for cell the same
//! before and after the grammar is loaded: the frame drawn when it is ready writes nothing.
//!
//! Alone in its test binary: the grammar is loaded once per process and must not be yet.

mod common;

use phasegate::app::action::Action;
use phasegate::app::update::update;
use phasegate::app::{Command, Keys, Screen, State, WorkspaceState};
use ratatui::buffer::Buffer;

const SIZE: (u16, u16) = (120, 40);

const SHOW: [Command; 5] = [
    Command::ShowPhase1,
    Command::ShowPhase2,
    Command::ShowPhase3,
    Command::ShowPhase4,
    Command::ShowPhase5,
];

/// Every sample engagement open, one state per artifact shown.
fn states(ws: &std::path::Path) -> Vec<(String, State)> {
    let mut listed = State::new("reviewer", Keys::default(), SIZE);
    listed.workspace = Some(WorkspaceState {
        root: ws.to_path_buf(),
        ..WorkspaceState::default()
    });
    common::app::run(
        &mut listed,
        phasegate::app::effect::Effect::LoadWorkspace {
            workspace: ws.to_path_buf(),
        },
    );
    let slugs: Vec<String> = std::fs::read_dir(ws)
        .expect("workspace")
        .flatten()
        .filter(|e| e.path().join("engagement.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(slugs.len() >= 5, "{slugs:?}");
    let mut out = Vec::new();
    for slug in slugs {
        let index = listed
            .workspace
            .as_ref()
            .and_then(|w| w.position_of(&slug))
            .unwrap_or_else(|| panic!("{slug} listed"));
        let mut state = listed.clone();
        for _ in 0..index {
            common::app::press(&mut state, crossterm::event::KeyCode::Char('j'));
        }
        common::app::press(&mut state, crossterm::event::KeyCode::Enter);
        assert_eq!(state.screen, Screen::Engagement, "{slug} opened");
        for (phase, show) in SHOW.iter().enumerate() {
            let mut shown = state.clone();
            let _ = update(&mut shown, Action::Command(*show));
            out.push((format!("{slug}, phase {}", phase + 1), shown));
        }
    }
    out
}

#[test]
fn the_frame_before_the_grammar_loads_is_the_frame_after() {
    assert!(
        phasegate::ui::highlight::ready().is_none(),
        "the grammar is not loaded yet in this process"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path().join("ws");
    common::copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements"),
        &ws,
    );
    let states = states(&ws);
    let before: Vec<Buffer> = states.iter().map(|(_, s)| common::app::drawn(s)).collect();
    assert!(phasegate::ui::highlight::warm_up(), "the grammar loads");
    for ((what, state), before) in states.iter().zip(&before) {
        let after = common::app::drawn(state);
        let differ: Vec<String> = after
            .content
            .iter()
            .zip(&before.content)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| {
                let (x, y) = (i % usize::from(SIZE.0), i / usize::from(SIZE.0));
                format!("({x},{y}) {:?}: {b:?} → {a:?}", a.symbol())
            })
            .collect();
        assert!(
            differ.is_empty(),
            "{what}: cells the grammar paints otherwise:\n{}",
            differ.join("\n")
        );
    }
}
