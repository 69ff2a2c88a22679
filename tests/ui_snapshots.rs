//! insta snapshots of the real `ui::view` on a `TestBackend`, at 80×24 and 120×40, on a temp
//! copy of `sample-engagements/` (never the repo itself). Identity and clock are fixed; the
//! workspace is drawn under a fixed placeholder path, so the temp path never reaches the screen
//! and every snapshot keeps the geometry it was drawn with.

mod common;

use common::app::{ctx, dispatch, press, render, sample_workspace};

use std::fs;
use std::path::Path;

use crossterm::event::KeyCode;
use phasegate::app::action::Action;
use phasegate::app::{Keys, Mode, Pane, Screen, State, WorkspaceState};
use phasegate::config::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn workspace_state(ws: &Path, size: (u16, u16)) -> State {
    let mut state = State::new("reviewer", Keys::default(), size);
    state.workspace = Some(WorkspaceState {
        root: ws.to_path_buf(),
        ..WorkspaceState::default()
    });
    dispatch(&mut state, Action::Command(phasegate::app::Command::Top));
    let ctx = ctx();
    common::app::run_with(
        &mut state,
        phasegate::app::effect::Effect::LoadWorkspace {
            workspace: ws.to_path_buf(),
        },
        &ctx,
    );
    state
}

fn open(state: &mut State, slug: &str) {
    let ws = state.workspace.as_ref().expect("workspace").clone();
    let index = ws.position_of(slug).expect("slug listed");
    for _ in 0..index {
        press(state, KeyCode::Char('j'));
    }
    press(state, KeyCode::Enter);
    assert_eq!(state.screen, Screen::Engagement, "{slug} opened");
}

/// What the workspace list shows as the workspace path.

#[test]
fn workspace_list() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let state = workspace_state(&ws, size);
        insta::assert_snapshot!(
            format!("workspace_list_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
    }
}

#[test]
fn workspace_filter_keeps_q_j_k_as_text() {
    let (_dir, ws) = sample_workspace();
    let mut state = workspace_state(&ws, (80, 24));
    press(&mut state, KeyCode::Char('/'));
    assert_eq!(state.mode, Mode::Filter);
    for c in "qjk".chars() {
        press(&mut state, KeyCode::Char(c));
    }
    assert!(!state.quit, "q typed into the filter does not quit");
    assert_eq!(
        state.workspace.as_ref().map(|w| w.filter.clone()),
        Some("qjk".to_string())
    );
    press(&mut state, KeyCode::Esc);
    assert_eq!(state.mode, Mode::View);
    press(&mut state, KeyCode::Char('q'));
    assert!(state.quit, "q quits outside the filter");
}

#[test]
fn engagement_spec_in_view_mode() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let mut state = workspace_state(&ws, size);
        open(&mut state, "firewall-drift");
        assert_eq!(state.mode, Mode::View);
        insta::assert_snapshot!(
            format!("engagement_spec_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
    }
}

#[test]
fn engagement_ascii_fallback() {
    let (_dir, ws) = sample_workspace();
    let mut state = workspace_state(&ws, (80, 24));
    state.ascii = true;
    open(&mut state, "bgp-peer-onboarding");
    insta::assert_snapshot!("engagement_ascii_80x24", render(&state, &ws));
}

#[test]
fn gate_review_pane() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let mut state = workspace_state(&ws, size);
        open(&mut state, "firewall-drift");
        press(&mut state, KeyCode::Char('g'));
        assert_eq!(state.pane, Pane::Gate);
        // Tick the first manual criterion so the snapshot shows a reviewer's input.
        for _ in 0..4 {
            press(&mut state, KeyCode::Char('j'));
        }
        press(&mut state, KeyCode::Char(' '));
        insta::assert_snapshot!(
            format!("gate_review_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
    }
}

/// Gate 2 has nine criteria: at 80×24 the list scrolls to the last one with a position marker,
/// and the selected criterion's whole text shows wrapped below it (at both sizes).
#[test]
fn criterion_detail() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let mut state = workspace_state(&ws, size);
        open(&mut state, "bgp-peer-onboarding");
        press(&mut state, KeyCode::Char('g'));
        let e = state.engagement.as_ref().expect("open");
        let last = e
            .live
            .criteria_of(e.review.gate)
            .last()
            .expect("criteria")
            .clone();
        let n = e.live.criteria_of(e.review.gate).count();
        assert_eq!(last.def.id, "G2-9");
        for _ in 1..n {
            press(&mut state, KeyCode::Char('j'));
        }
        let screen = render(&state, &ws);
        let marker = if size.1 < 30 {
            format!("9/{n} ↑")
        } else {
            format!("9/{n}")
        };
        assert!(screen.contains(&marker), "{screen}");
        assert!(screen.contains("›"), "the selection is visible:\n{screen}");
        let words: Vec<&str> = last.def.text.split_whitespace().collect();
        let shown: String = screen
            .lines()
            .flat_map(|l| l.split('│'))
            .collect::<Vec<_>>()
            .join(" ");
        for w in &words {
            assert!(
                shown.contains(w),
                "{w} of the full text is shown:\n{screen}"
            );
        }
        insta::assert_snapshot!(format!("criterion_detail_{}x{}", size.0, size.1), screen);
    }
}

/// Reject Gate 1 (one tick, one waiver with its reason): the header and the gate pane say who
/// rejected, when and why; Enter on the journal's event shows every field it recorded.
#[test]
fn rejected_gate_and_journal_event_detail() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let mut state = workspace_state(&ws, size);
        open(&mut state, "firewall-drift");
        press(&mut state, KeyCode::Char('g'));
        for _ in 0..4 {
            press(&mut state, KeyCode::Char('j'));
        }
        press(&mut state, KeyCode::Char(' '));
        press(&mut state, KeyCode::Char('j'));
        press(&mut state, KeyCode::Char('w'));
        common::app::type_text(&mut state, "agreed on the kickoff call");
        press(&mut state, KeyCode::Enter);
        press(&mut state, KeyCode::Char('r'));
        common::app::type_text(&mut state, "the rollback plan is missing");
        press(&mut state, KeyCode::Enter);
        press(&mut state, KeyCode::Char('y'));
        let screen = render(&state, &ws);
        assert!(
            screen.contains("Gate 1: rejected by reviewer 2026-11-20 12:00: the"),
            "{screen}"
        );
        let pane: String = screen
            .lines()
            .filter_map(|l| l.split('│').nth(3))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            pane.contains(
                "rejected by reviewer at 2026-11-20T12:00:00Z: the rollback plan is missing"
            ),
            "the gate pane says it in full:\n{screen}"
        );
        insta::assert_snapshot!(format!("rejected_gate_{}x{}", size.0, size.1), screen);

        dispatch(
            &mut state,
            Action::Command(phasegate::app::Command::Journal),
        );
        press(&mut state, KeyCode::Enter);
        let screen = render(&state, &ws);
        press(&mut state, KeyCode::PageDown);
        let rest = render(&state, &ws);
        press(&mut state, KeyCode::PageDown);
        let shown = format!("{screen}{rest}{}", render(&state, &ws));
        for needle in [
            "Journal — event 2",
            "gate_rejected",
            "reason: the rollback plan is missing",
            "actor: reviewer",
            "id G1-5, result checked",
            "id G1-6, result waived, reason agreed on the kickoff call",
            "file customer-spec.md, sha256",
        ] {
            assert!(shown.contains(needle), "{needle}:\n{shown}");
        }
        insta::assert_snapshot!(
            format!("journal_event_detail_{}x{}", size.0, size.1),
            screen
        );
        press(&mut state, KeyCode::Esc);
        assert_eq!(
            state.engagement.as_ref().and_then(|e| e.journal_detail),
            None
        );
        assert_eq!(
            state.pane,
            Pane::Journal,
            "the first Esc closes the detail only"
        );
    }
}

#[test]
fn help_overlay() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let mut state = workspace_state(&ws, size);
        open(&mut state, "firewall-drift");
        press(&mut state, KeyCode::Char('?'));
        insta::assert_snapshot!(format!("help_{}x{}", size.0, size.1), render(&state, &ws));
    }
}

#[test]
fn live_gate_follows_the_buffer_and_approval_needs_a_save() {
    let (_dir, ws) = sample_workspace();
    let mut state = workspace_state(&ws, (120, 40));
    open(&mut state, "firewall-drift");
    press(&mut state, KeyCode::Char('e'));
    assert_eq!(state.mode, Mode::Edit);
    // Remove every requirement heading's text by typing a broken reference at the top.
    dispatch(&mut state, Action::Paste("See REQ-999.\r\n".into()));
    let e = state.engagement.as_ref().expect("engagement");
    assert!(e.dirty);
    let g12 = e
        .review_rows()
        .into_iter()
        .find(|(c, _)| c.def.id == "G1-2")
        .map(|(_, r)| r);
    assert_eq!(
        g12,
        Some(phasegate::domain::journal::CriterionResult::Fail),
        "live re-evaluation of the buffer"
    );
    assert!(
        e.editor.lines()[0].starts_with("See REQ-999."),
        "paste normalised \\r\\n"
    );
    // Approving with unsaved edits is refused.
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('g'));
    press(&mut state, KeyCode::Char('a'));
    assert!(
        state.overlay.is_none(),
        "no confirmation while the buffer is dirty"
    );
    let toast = state
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(toast.contains("save"), "{toast}");
}

#[test]
fn feasibility_is_read_only_before_gate_1() {
    let (_dir, ws) = sample_workspace();
    let mut state = workspace_state(&ws, (80, 24));
    open(&mut state, "firewall-drift");
    press(&mut state, KeyCode::Char('2'));
    press(&mut state, KeyCode::Char('e'));
    assert_eq!(state.mode, Mode::View);
    let toast = state
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(toast.contains("read-only"), "{toast}");
}

#[test]
fn every_size_renders() {
    let (_dir, ws) = sample_workspace();
    let mut state = workspace_state(&ws, (80, 24));
    open(&mut state, "bgp-peer-onboarding");
    for w in [1u16, 2, 3, 5, 10, 20, 40, 59, 60, 61, 79, 80, 81, 119, 200] {
        for h in [1u16, 2, 3, 4, 5, 6, 8, 10, 12, 14, 24, 40] {
            state.size = (w, h);
            let _ = render(&state, &ws);
            press(&mut state, KeyCode::Char('?'));
            let _ = render(&state, &ws);
            press(&mut state, KeyCode::Esc);
        }
    }
}

fn approve_gate_1_overlay(state: &mut State) {
    press(state, KeyCode::Char('g'));
    // G1-5..G1-8 are manual: tick three, waive one with a reason.
    for _ in 0..4 {
        press(state, KeyCode::Char('j'));
    }
    for _ in 0..3 {
        press(state, KeyCode::Char(' '));
        press(state, KeyCode::Char('j'));
    }
    press(state, KeyCode::Char('w'));
    for c in "covered by the CAB review".chars() {
        press(state, KeyCode::Char(c));
    }
    press(state, KeyCode::Enter);
    press(state, KeyCode::Char('a'));
}

#[test]
fn approving_gate_1_goes_through_transact() {
    let (_dir, ws) = sample_workspace();
    let mut state = workspace_state(&ws, (120, 40));
    open(&mut state, "firewall-drift");
    approve_gate_1_overlay(&mut state);
    assert!(
        matches!(
            state.overlay,
            Some(phasegate::app::Overlay::Confirm(
                phasegate::app::Confirm::Approve(_)
            ))
        ),
        "confirmation shown: {:?}",
        state.toast
    );
    insta::assert_snapshot!("approve_confirmation_120x40", render(&state, &ws));
    // Enter does not confirm a journal event; y does.
    press(&mut state, KeyCode::Enter);
    assert!(state.overlay.is_some(), "Enter left the confirmation open");
    press(&mut state, KeyCode::Char('y'));
    let e = state.engagement.as_ref().expect("engagement");
    assert_eq!(
        e.disk.phase,
        phasegate::domain::phase::Phase::Feasibility,
        "{:?}",
        state.toast
    );
    // The view follows the phase: feasibility.md is shown, the spec one key away.
    assert_eq!(e.shown_phase, phasegate::domain::phase::Phase::Feasibility);
    assert_eq!(
        state.toast.as_ref().map(|t| t.text.as_str()),
        Some(
            "Gate 1 approved by reviewer (event 2) · now in Feasibility: showing feasibility.md (1 shows customer-spec.md)"
        )
    );
    let last = e.engagement.journal.events.last().expect("event");
    assert_eq!(last.actor, "reviewer");
    assert_eq!(last.at.to_string(), "2026-11-20T12:00:00Z");
    match &last.body {
        phasegate::domain::journal::EventBody::GateApproved(g) => {
            let waived: Vec<_> = g
                .criteria
                .iter()
                .filter(|c| c.reason.is_some())
                .map(|c| c.id.clone())
                .collect();
            assert_eq!(waived, vec!["G1-8".to_string()]);
        }
        other => panic!("unexpected event {other:?}"),
    }
}

#[test]
fn approval_is_refused_when_the_file_changed_after_review() {
    let (_dir, ws) = sample_workspace();
    let mut state = workspace_state(&ws, (120, 40));
    open(&mut state, "firewall-drift");
    approve_gate_1_overlay(&mut state);
    let spec = ws.join("firewall-drift").join("customer-spec.md");
    let mut text = fs::read_to_string(&spec).expect("spec");
    text.push_str("\nEdited in another pane.\n");
    fs::write(&spec, text).expect("write");
    press(&mut state, KeyCode::Char('y'));
    let toast = state
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(
        toast.contains("changed on disk since it was reviewed"),
        "{toast}"
    );
    let e = state.engagement.as_ref().expect("engagement");
    assert_eq!(e.engagement.journal.events.len(), 1, "nothing appended");
}

#[test]
fn paging_in_edit_mode_moves_the_cursor_and_the_view_follows() {
    let (_dir, ws) = sample_workspace();
    let mut state = workspace_state(&ws, (80, 24));
    open(&mut state, "firewall-drift");
    press(&mut state, KeyCode::Char('e'));
    assert_eq!(state.mode, Mode::Edit);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let mut view = phasegate::ui::ViewState::default();
    let mut draw = |state: &State| {
        terminal
            .draw(|f| phasegate::ui::view(state, &mut view, &Theme::default(), f))
            .expect("draw");
        (terminal.backend().to_string(), view.editor_top())
    };
    let cursor_row = |s: &State| s.engagement.as_ref().map_or(0, |e| e.editor.cursor().0);
    draw(&state);
    // PageDown reaches the textarea as text in edit mode; it pages the cursor (16 lines at
    // 24 rows) and the view follows it.
    press(&mut state, KeyCode::PageDown);
    let row = cursor_row(&state);
    assert_eq!(row, 16);
    let (screen, top) = draw(&state);
    let e = state.engagement.as_ref().expect("engagement");
    assert!(top.row > 0, "scrolled: {top:?}");
    let line = &e.editor.lines()[row];
    let start: String = line.chars().take(20).collect();
    assert!(
        start.len() == 20 && screen.contains(&start),
        "{start:?} on screen:\n{screen}"
    );
    press(&mut state, KeyCode::PageUp);
    assert_eq!(cursor_row(&state), 0);
    let (_, top) = draw(&state);
    assert_eq!(top.row, 0);
}

/// Quorum and roles (DESIGN §7): the gate pane says how many approvers and which roles the gate
/// still waits for.
#[test]
fn gate_review_pane_shows_the_quorum() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let meta = ws.join("firewall-drift").join("engagement.toml");
        let text = fs::read_to_string(&meta).expect("engagement.toml").replacen(
            "[policy]\n",
            "[policy]\napprovals = { gate1 = 2 }\nrequired_roles = { gate1 = [\"security\"] }\n",
            1,
        ) + "\n[roles]\nsecurity = [\"carol\"]\n";
        fs::write(&meta, text).expect("policy");
        let mut state = workspace_state(&ws, size);
        open(&mut state, "firewall-drift");
        press(&mut state, KeyCode::Char('g'));
        assert_eq!(state.pane, Pane::Gate);
        let screen = render(&state, &ws);
        // Narrow panes truncate the line; the wide one shows it whole.
        let shown = if size.0 >= 120 {
            "quorum: approved 0/2; waiting for: security"
        } else {
            "quorum: approved 0/2"
        };
        assert!(screen.contains(shown), "{screen}");
        insta::assert_snapshot!(format!("gate_review_quorum_{}x{}", size.0, size.1), screen);
    }
}

/// The status line of a rendered screen (the row above the hints).
fn status_row(screen: &str, height: u16) -> String {
    screen
        .lines()
        .nth(usize::from(height) - 2)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_status_bar_shows_line_col_and_who_is_acting() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let mut state = workspace_state(&ws, size);
        open(&mut state, "firewall-drift");
        press(&mut state, KeyCode::Char('e'));
        // A new line 2 holding "abc" and the cursor after it.
        common::app::type_text(&mut state, "Intro");
        press(&mut state, KeyCode::Enter);
        common::app::type_text(&mut state, "abc");
        let screen = render(&state, &ws);
        let status = status_row(&screen, size.1);
        assert!(
            status.contains(" 2:4 ") && status.contains(" as reviewer "),
            "line 2, column 4, as reviewer: {status}"
        );
        insta::assert_snapshot!(format!("status_line_col_{}x{}", size.0, size.1), screen);
    }
}

/// At 80 columns a long identity still fits: the phase, the slug and the artifact (shown
/// elsewhere on screen) give way first, then the identity is shortened; the mode, the flags and
/// `line:col` stay.
#[test]
fn the_status_bar_fits_80_columns() {
    let (_dir, ws) = sample_workspace();
    let mut state = workspace_state(&ws, (80, 24));
    open(&mut state, "firewall-drift");
    press(&mut state, KeyCode::Char('e'));
    common::app::type_text(&mut state, "abc");
    let width = |s: &str| unicode_width::UnicodeWidthStr::width(s.trim_end_matches('"'));

    state.identity = "alice.long-surname@jump-host-01.corp.example.net".into();
    let status = status_row(&render(&state, &ws), 24);
    for kept in [
        " EDIT ",
        "[+] modified",
        " 1:4 ",
        &format!(" as {} ", state.identity),
    ] {
        assert!(status.contains(kept), "{kept:?} kept: {status}");
    }
    for dropped in ["Requirements", "firewall-drift", "customer-spec.md"] {
        assert!(!status.contains(dropped), "{dropped:?} dropped: {status}");
    }
    assert!(width(&status) <= 82, "{status}");

    state.identity =
        "a-very-long-identity-that-no-status-bar-can-hold@jump-host-01.corp.example.net".into();
    let status = status_row(&render(&state, &ws), 24);
    assert!(
        status.contains(" 1:4  as a-very-long-identity") && status.contains('…'),
        "the identity is shortened, line:col kept: {status}"
    );
    assert!(status.trim_end_matches('"').ends_with("… "), "{status}");

    // An ordinary identity: only the phase (the pipeline shows it) gives way at 80 columns.
    state.identity = "reviewer".into();
    let status = status_row(&render(&state, &ws), 24);
    for kept in [
        "firewall-drift",
        "customer-spec.md",
        " 1:4 ",
        " as reviewer ",
    ] {
        assert!(status.contains(kept), "{kept:?} kept: {status}");
    }
    assert!(!status.contains("Requirements"), "{status}");
}
