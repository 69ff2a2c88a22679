//! Random action sequences on `update()` at random sizes never panic, and every effect targets
//! the engagement (or the workspace it was opened from). Effects run in a sandbox: a temp copy of
//! a sample engagement; the outside editor and quit are recorded, never run.

mod common;

use common::copy_dir;
use std::fs;
use std::path::{Path, PathBuf};

use phasegate::app::action::Action;
use phasegate::app::driver::{Driver, Step};
use phasegate::app::keys::COMMANDS;
use phasegate::app::run::EffectContext;
use phasegate::app::update::update;
use phasegate::app::{Keys, State};
use phasegate::config::Theme;
use phasegate::domain::time::Timestamp;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui_textarea::{Input, Key};

fn key_strategy() -> impl Strategy<Value = Key> {
    prop_oneof![
        any::<char>().prop_map(Key::Char),
        "[a-zA-Z0-9 #\\-:]".prop_map(|s| Key::Char(s.chars().next().unwrap_or('a'))),
        Just(Key::Enter),
        Just(Key::Backspace),
        Just(Key::Delete),
        Just(Key::Tab),
        Just(Key::Up),
        Just(Key::Down),
        Just(Key::Left),
        Just(Key::Right),
        Just(Key::Home),
        Just(Key::End),
        Just(Key::PageUp),
        Just(Key::PageDown),
    ]
}

fn action_strategy() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => (0..COMMANDS.len()).prop_map(|i| Action::Command(COMMANDS[i].command)),
        3 => (key_strategy(), any::<bool>(), any::<bool>()).prop_map(|(key, ctrl, alt)| Action::Text(Input { key, ctrl, alt, shift: false })),
        1 => ".{0,40}".prop_map(Action::Paste),
        1 => (0u16..300, 0u16..100).prop_map(|(w, h)| Action::Resize(w, h)),
        1 => Just(Action::EditorReturned),
    ]
}

fn inside(path: &Path, root: &Path) -> bool {
    path.starts_with(root)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_actions_never_panic_and_stay_inside(
        sample in 0usize..3,
        actions in proptest::collection::vec(action_strategy(), 1..60),
        sizes in proptest::collection::vec((1u16..200, 1u16..60), 1..4),
    ) {
        let slug = ["firewall-drift", "bgp-peer-onboarding", "vlan-qos"][sample];
        let dir = tempfile::tempdir().expect("tempdir");
        let root: PathBuf = dir.path().join(slug);
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements").join(slug), &root);
        let loaded = phasegate::store::engagement::load(&root).expect("sample loads");
        let mut state = State::new("reviewer", Keys::default(), (80, 24));
        let _ = update(&mut state, Action::EngagementLoaded(Box::new(loaded)));
        let ctx = EffectContext {
            actor: "reviewer".into(),
            os_user: "reviewer@test".into(),
            clock: Box::new(|| Timestamp::parse("2026-11-20T12:00:00Z").unwrap_or(Timestamp::from_unix(0))),
            signing: None,
        };
        let theme = Theme::default();
        // The production loop (`app::driver`), with the sandbox check on every effect.
        let mut driver = Driver::new(&ctx);
        let mut view = phasegate::ui::ViewState::default();
        for (i, action) in actions.into_iter().enumerate() {
            driver.apply(&mut state, action);
            let mut budget = 32;
            let mut outside = None;
            driver.drain(&mut state, &mut |effect| {
                if let Some(p) = effect.paths().into_iter().find(|p| !inside(p, &root)) {
                    outside = Some(format!("{effect:?} targets {} outside {}", p.display(), root.display()));
                    return Step::Stop;
                }
                budget -= 1;
                if budget == 0 {
                    return Step::Stop;
                }
                Step::Run(effect)
            });
            prop_assert!(outside.is_none(), "{}", outside.unwrap_or_default());
            driver.recheck(&mut state);
            let (w, h) = sizes[i % sizes.len()];
            state.size = (w, h);
            let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
            terminal.draw(|f| phasegate::ui::view(&state, &mut view, &theme, f)).expect("draw");
        }
        // Nothing was written outside the engagement: the temp dir holds only it.
        let entries: Vec<_> = fs::read_dir(dir.path()).expect("read").filter_map(Result::ok).map(|e| e.file_name()).collect();
        prop_assert_eq!(entries.len(), 1);
    }
}
