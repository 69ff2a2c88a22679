//! insta snapshots of the live views on the real app (`update` + effects) at 80×24 and 120×40:
//! the conflict view and the recovery compare scrolled sideways with `‹`/`›` markers, and the
//! status bar's "also open here".

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::app::{dispatch, press, type_text};
use common::copy_dir;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phasegate::app::action::Action;
use phasegate::app::live::LiveView;
use phasegate::app::router::route;
use phasegate::app::{Keys, Mode, State};
use phasegate::config::Theme;
use phasegate::store::engagement;
use phasegate::store::instance::InstanceOwner;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const SPEC: &str = "customer-spec.md";
const LONG: &str = "A long line that runs past the right edge of either half of the compare, so that \
                    scrolling sideways shows what is further right: END-OF-LINE-MARKER";

fn sample() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("firewall-drift");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements/firewall-drift"),
        &root,
    );
    (dir, root)
}

fn opened(root: &Path, size: (u16, u16)) -> State {
    let mut state = State::new("reviewer", Keys::default(), size);
    let loaded = engagement::load(root).expect("loads");
    dispatch(&mut state, Action::EngagementLoaded(Box::new(loaded)));
    state
}

fn render(state: &State) -> String {
    let (w, h) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| phasegate::ui::view(state, &Theme::default(), f))
        .expect("draw");
    terminal.backend().to_string()
}

fn ctrl(state: &mut State, c: char) {
    if let Some(a) = route(
        state,
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
    ) {
        dispatch(state, a);
    }
}

#[test]
fn conflict_view_scrolls_sideways_with_markers() {
    for size in SIZES {
        let (_dir, root) = sample();
        let mut state = opened(&root, size);
        press(&mut state, KeyCode::Char('e'));
        type_text(&mut state, &format!("mine: {LONG}\n"));
        let disk = fs::read_to_string(root.join(SPEC)).expect("spec");
        fs::write(root.join(SPEC), format!("theirs: {LONG}\n{disk}")).expect("write");
        ctrl(&mut state, 's');
        assert_eq!(state.mode, Mode::Edit, "refused, still typing");
        press(&mut state, KeyCode::Esc);
        press(&mut state, KeyCode::Char('C'));
        assert!(matches!(state.live.view, Some(LiveView::Conflict { .. })));
        let (w, h) = size;
        insta::assert_snapshot!(format!("conflict_view_{w}x{h}"), render(&state));
        for _ in 0..6 {
            press(&mut state, KeyCode::Right);
        }
        assert_eq!(state.live.hscroll, 48);
        let screen = render(&state);
        assert!(screen.contains('‹') && screen.contains("+48→"), "{screen}");
        insta::assert_snapshot!(format!("conflict_view_sideways_{w}x{h}"), screen);
        for _ in 0..10 {
            press(&mut state, KeyCode::Left);
        }
        assert_eq!(state.live.hscroll, 0);
    }
}

#[test]
fn recovery_compare_scrolls_sideways() {
    for size in SIZES {
        let (_dir, root) = sample();
        let spec = fs::read_to_string(root.join(SPEC)).expect("spec");
        let dir = root.join(".phasegate/recovery");
        fs::create_dir_all(&dir).expect("mkdir");
        let file = dir.join(SPEC);
        fs::write(&file, format!("recovered: {LONG}\n{spec}")).expect("write");
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|f| f.set_modified(at))
            .expect("mtime");
        let mut state = opened(&root, size);
        press(&mut state, KeyCode::Char('R'));
        assert!(matches!(
            state.live.view,
            Some(LiveView::Recovery {
                compare: Some(_),
                ..
            })
        ));
        for _ in 0..8 {
            press(&mut state, KeyCode::Right);
        }
        let (w, h) = size;
        let screen = render(&state);
        assert!(screen.contains("+64→"), "{screen}");
        insta::assert_snapshot!(format!("recovery_compare_sideways_{w}x{h}"), screen);
    }
}

#[test]
fn status_bar_says_who_else_has_it_open() {
    for size in SIZES {
        let (_dir, root) = sample();
        let mut state = opened(&root, size);
        // What the presence scan reports for another instance.
        state.live.root = Some(root.clone());
        state.live.others = vec![InstanceOwner {
            user: "bob".into(),
            host: "jump01".into(),
            pid: 4242,
            started: 1,
        }];
        let (w, h) = size;
        let screen = render(&state);
        // At 80 columns the status bar has room for the start of it.
        let shown = if w >= 120 {
            "also open here: bob@jump01"
        } else {
            "also open here"
        };
        assert!(screen.contains(shown), "{screen}");
        insta::assert_snapshot!(format!("also_open_here_{w}x{h}"), screen);
    }
}
