//! insta snapshots of the live views on the real app (`update` + effects) at 80×24 and 120×40:
//! the conflict view and the recovery compare scrolled sideways with `‹`/`›` markers, and the
//! status bar's "also open here".

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::app::{dispatch, press, screen, type_text};
use common::copy_dir;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phasegate::app::action::Action;
use phasegate::app::model::live::LiveView;
use phasegate::app::router::route;
use phasegate::app::{Keys, Mode, State};
use phasegate::store::engagement;
use phasegate::store::instance::InstanceOwner;

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
        insta::assert_snapshot!(format!("conflict_view_{w}x{h}"), screen(&state));
        for _ in 0..6 {
            press(&mut state, KeyCode::Right);
        }
        assert_eq!(state.live.hscroll, 48);
        let screen = screen(&state);
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
        let screen = screen(&state);
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
        let screen = screen(&state);
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

/// Edits the spec's first line in the buffer while "another instance" (a plain write) changes
/// the file; the save is refused and `m` in the conflict view merges three ways.
fn conflict_then_merge(root: &Path, mine_first_line: &str, disk: &str) -> State {
    let mut state = opened(root, (120, 40));
    press(&mut state, KeyCode::Char('e'));
    type_text(&mut state, mine_first_line);
    fs::write(root.join(SPEC), disk).expect("write");
    ctrl(&mut state, 's');
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('C'));
    assert!(matches!(state.live.view, Some(LiveView::Conflict { .. })));
    press(&mut state, KeyCode::Char('m'));
    state
}

fn buffer(state: &State) -> String {
    state.engagement.as_ref().expect("open").editor.text()
}

#[test]
fn merge_of_different_lines_needs_no_decision() {
    let (_dir, root) = sample();
    let base = fs::read_to_string(root.join(SPEC)).expect("spec");
    let disk = format!("{base}Added by the other instance.\n");
    let mut state = conflict_then_merge(&root, "Mine, at the top.\n", &disk);
    let merged = format!("Mine, at the top.\n{base}Added by the other instance.\n");
    assert_eq!(buffer(&state), merged);
    assert!(!buffer(&state).contains("<<<<<<<"));
    assert!(
        state
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("no conflict")),
        "{:?}",
        state.toast
    );
    // Saving goes through at once; the disk version it replaced is kept for recovery.
    ctrl(&mut state, 's');
    assert_eq!(fs::read_to_string(root.join(SPEC)).expect("spec"), merged);
    let kept: Vec<String> = fs::read_dir(root.join(".phasegate/recovery"))
        .expect("recovery dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".disk-"))
        .filter(|e| !e.file_name().to_string_lossy().ends_with(".owner"))
        .map(|e| fs::read_to_string(e.path()).expect("kept"))
        .collect();
    assert_eq!(
        kept,
        vec![disk],
        "the other instance's version is recoverable"
    );
}

#[test]
fn merge_of_the_same_line_marks_only_that_hunk() {
    let (_dir, root) = sample();
    let base = fs::read_to_string(root.join(SPEC)).expect("spec");
    let (first, rest) = base.split_once('\n').expect("lines");
    let disk = format!("# Theirs: another title\n{rest}Added by the other instance.\n");
    let state = conflict_then_merge(&root, "Mine: ", &disk);
    let text = buffer(&state);
    assert_eq!(text.matches("<<<<<<< mine").count(), 1, "{text}");
    let expected = format!(
        "<<<<<<< mine\nMine: {first}\n||||||| base (as last loaded)\n{first}\n=======\n# Theirs: another title\n>>>>>>> disk\n{rest}Added by the other instance.\n"
    );
    assert_eq!(text, expected);
    assert!(state.engagement.as_ref().is_some_and(|e| e.dirty));
    // With a conflicting hunk the save waits until the merge is marked resolved.
    let mut state = state;
    ctrl(&mut state, 's');
    assert_eq!(fs::read_to_string(root.join(SPEC)).expect("spec"), disk);
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('C'));
    press(&mut state, KeyCode::Char('a'));
    ctrl(&mut state, 's');
    assert_eq!(fs::read_to_string(root.join(SPEC)).expect("spec"), expected);
}

fn key(state: &mut State, code: KeyCode, modifiers: KeyModifiers) {
    if let Some(a) = route(state, KeyEvent::new(code, modifiers)) {
        dispatch(state, a);
    }
}

/// Ctrl-End / Ctrl-Home go to the end / start of the buffer; a save adds the final newline the
/// edit removed (and keeps one that is there).
#[test]
fn ctrl_end_and_home_and_the_final_newline() {
    let (_dir, root) = sample();
    let base = fs::read_to_string(root.join(SPEC)).expect("spec");
    assert!(base.ends_with('\n'));
    let mut state = opened(&root, (80, 24));
    press(&mut state, KeyCode::Char('e'));
    key(&mut state, KeyCode::End, KeyModifiers::CONTROL);
    let e = state.engagement.as_ref().expect("open");
    let last = e.editor.lines().len() - 1;
    assert_eq!(e.editor.cursor().0, last, "Ctrl-End: the last line");
    // Remove the final newline and type at the end of the last line of text.
    press(&mut state, KeyCode::Backspace);
    type_text(&mut state, " (end)");
    assert!(!buffer(&state).ends_with('\n'));
    ctrl(&mut state, 's');
    let saved = fs::read_to_string(root.join(SPEC)).expect("spec");
    assert_eq!(saved, format!("{} (end)\n", base.trim_end_matches('\n')));
    assert!(
        state.engagement.as_ref().is_some_and(|e| !e.dirty),
        "the buffer and the file agree"
    );
    key(&mut state, KeyCode::Home, KeyModifiers::CONTROL);
    let e = state.engagement.as_ref().expect("open");
    assert_eq!(e.editor.cursor(), ratatui_textarea::DataCursor(0, 0));
    // A text that ends with a newline is saved as it is.
    type_text(&mut state, "# ");
    ctrl(&mut state, 's');
    let again = fs::read_to_string(root.join(SPEC)).expect("spec");
    assert_eq!(again, format!("# {saved}"));
}

/// The reviewer's ticks going with an outside edit of the reviewed text is said on the status
/// row even beside the reload notice (the toast is cut at the screen's width), and the message
/// log keeps it as its own entry.
#[test]
fn a_discarded_review_draft_is_told_beside_the_reload() {
    const DISCARDED: &str =
        "review draft of Gate 1 discarded: customer-spec.md changed since your review";
    for size in SIZES {
        let (_dir, root) = sample();
        let mut state = opened(&root, size);
        press(&mut state, KeyCode::Char('g'));
        type_text(&mut state, "jjjj ");
        let review = |s: &State| s.engagement.as_ref().map(|e| e.review.checks.clone());
        assert!(
            review(&state).is_some_and(|c| c.contains("G1-5")),
            "G1-5 ticked"
        );
        let disk = fs::read_to_string(root.join(SPEC)).expect("spec");
        fs::write(root.join(SPEC), format!("{disk}\nOne more line.\n")).expect("write");
        let loaded = engagement::load(&root).expect("loads");
        dispatch(
            &mut state,
            Action::Live(phasegate::app::action::LiveAction::Reloaded(Box::new(
                loaded,
            ))),
        );
        assert!(
            review(&state).is_some_and(|c| c.is_empty()),
            "ticks cleared"
        );
        let screen = screen(&state);
        let last = screen.lines().last().unwrap_or_default();
        assert!(
            last.contains("review draft of Gate 1 discarded: customer-spec.md changed"),
            "{screen}"
        );
        assert!(
            state.messages.iter().any(|m| m.text == DISCARDED),
            "the log holds it in full: {:?}",
            state.messages
        );
    }
}
