//! insta snapshots of the build board and the diff pane (the real `ui::view` on a
//! `TestBackend`, 80×24 and 120×40) on a temp copy of the vlan-qos sample, with the word-level
//! highlight cells checked for their theme colors, and the board/diff/deviation flows driven
//! through `update` and the real effects (transact) on that copy. Identity and clock are fixed
//! as in `ui_snapshots.rs`.

mod common;

use common::app::{ctx, dispatch, press, toast, type_text};
use common::copy_dir;

use std::fs;
use std::path::{Path, PathBuf};

use crossterm::event::KeyCode;
use phasegate::app::action::Action;
use phasegate::app::model::forms::{BuildConfirm, BuildOverlay};
use phasegate::app::{Context, Keys, Overlay, Pane, Screen, State, WorkspaceState};
use phasegate::config::Theme;
use phasegate::config::theme::Slot;
use phasegate::domain::journal::{ComponentStatus, EventBody};
use phasegate::domain::phase::Phase;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// A temp workspace holding a copy of the vlan-qos sample (As-Built, three hunks explained).
fn sample_workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path().join("ws");
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
    copy_dir(&samples.join("vlan-qos"), &ws.join("vlan-qos"));
    (dir, ws)
}

/// Cuts the journal after event `last` (a cut tail is a valid chain): the sample as it was
/// then, with today's texts.
fn cut_journal(ws: &Path, last: u64) {
    let path = ws.join("vlan-qos/.phasegate/journal.toml");
    let text = fs::read_to_string(&path).expect("journal");
    let marker = format!("[[event]]\nseq = {}\n", last + 1);
    let cut = text.find(&marker).expect("event after the cut");
    fs::write(&path, &text[..cut]).expect("write journal");
}

/// The engagement open at `size`, as `reviewer`.
fn opened(ws: &Path, size: (u16, u16)) -> State {
    let mut state = State::new("reviewer", Keys::default(), size);
    state.workspace = Some(WorkspaceState {
        root: ws.to_path_buf(),
        ..WorkspaceState::default()
    });
    dispatch(&mut state, Action::Command(phasegate::app::Command::Top));
    let ctx = ctx();
    common::app::run_with(
        &mut state,
        phasegate::app::effect::Effect::Load {
            root: ws.join("vlan-qos"),
        },
        &ctx,
    );
    assert_eq!(state.screen, Screen::Engagement);
    state
}

fn render(state: &State, ws: &Path) -> String {
    let (w, h) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| {
            phasegate::ui::view(
                state,
                &mut phasegate::ui::ViewState::default(),
                &Theme::default(),
                f,
            )
        })
        .expect("draw");
    terminal
        .backend()
        .to_string()
        .replace(&ws.display().to_string(), "[WORKSPACE]")
}

/// Screen rows as strings (one char per cell; wide glyphs' trailing cells dropped).
fn rows(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

/// Every cell whose text is inside `word` on a row containing `context`: (x, y).
fn cells_of(buf: &Buffer, context: &str, word: &str) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    for (y, row) in rows(buf).iter().enumerate() {
        if !row.contains(context) {
            continue;
        }
        let chars: Vec<char> = row.chars().collect();
        let w: Vec<char> = word.chars().collect();
        for x in 0..chars.len().saturating_sub(w.len() - 1) {
            if chars[x..x + w.len()] == w[..] {
                for k in 0..w.len() {
                    out.push((
                        u16::try_from(x + k).unwrap_or(0),
                        u16::try_from(y).unwrap_or(0),
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn build_board_snapshots() {
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        // After event 7: COMP-1 validated, COMP-2 built, COMP-3 and COMP-4 pending.
        cut_journal(&ws, 7);
        let mut state = opened(&ws, size);
        press(&mut state, KeyCode::Char('4'));
        assert_eq!(state.context(), Context::Build);
        press(&mut state, KeyCode::Char('j'));
        insta::assert_snapshot!(
            format!("build_board_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
    }
}

#[test]
fn build_board_as_built_snapshot() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, (120, 40));
    press(&mut state, KeyCode::Char('4'));
    insta::assert_snapshot!("build_board_as_built_120x40", render(&state, &ws));
}

#[test]
fn diff_pane_snapshots_and_word_highlights() {
    let theme = Theme::default();
    for size in SIZES {
        let (_dir, ws) = sample_workspace();
        let mut state = opened(&ws, size);
        press(&mut state, KeyCode::Char('d'));
        assert_eq!(state.context(), Context::Diff, "{}", toast(&state));
        // Hunk 2: `- reuse: nornir-push v3.1` → `… (EOS path); new RESTCONF task for IOS-XE`.
        press(&mut state, KeyCode::Char(']'));
        insta::assert_snapshot!(
            format!("diff_pane_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
        let buf = common::app::drawn(&state);
        // The unchanged words keep the plain diff colors; the changed words get the word slots.
        let added_word = theme.style(Slot::DiffAddedWord);
        let added = theme.style(Slot::DiffAdded);
        let removed = theme.style(Slot::DiffRemoved);
        let emphasized = cells_of(&buf, "reuse: nornir-push", "RESTCONF");
        assert!(
            !emphasized.is_empty(),
            "RESTCONF on screen:\n{}",
            rows(&buf).join("\n")
        );
        for (x, y) in emphasized {
            let cell = &buf[(x, y)];
            assert_eq!(Some(cell.fg), added_word.fg, "fg of word cell ({x},{y})");
            assert!(
                cell.modifier.contains(added_word.add_modifier),
                "modifiers of word cell ({x},{y}): {:?}",
                cell.modifier
            );
        }
        // `reuse` is unchanged inside a changed line: added/removed color, no reverse.
        let plain = cells_of(&buf, "reuse: nornir-push", "reuse");
        assert!(plain.len() >= 5);
        for (x, y) in plain {
            let cell = &buf[(x, y)];
            assert!(
                Some(cell.fg) == added.fg || Some(cell.fg) == removed.fg,
                "plain changed-line cell ({x},{y}) {:?}",
                cell.fg
            );
            assert!(
                !cell.modifier.contains(added_word.add_modifier),
                "no emphasis on unchanged words ({x},{y})"
            );
        }
    }
}

#[test]
fn removed_words_are_emphasized_on_the_left() {
    let theme = Theme::default();
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, (120, 40));
    press(&mut state, KeyCode::Char('d'));
    press(&mut state, KeyCode::Char(']'));
    press(&mut state, KeyCode::Char(']'));
    let buf = common::app::drawn(&state);
    // Hunk 3: "Both platforms take …" became "EOS takes …".
    let cells = cells_of(&buf, "Both platforms", "Both");
    assert!(!cells.is_empty(), "{}", rows(&buf).join("\n"));
    let word = theme.style(Slot::DiffRemovedWord);
    for (x, y) in cells {
        assert_eq!(Some(buf[(x, y)].fg), word.fg);
        assert!(buf[(x, y)].modifier.contains(word.add_modifier));
    }
}

#[test]
fn diff_scrolls_sideways_without_wrapping_and_stacks_at_80_columns() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, (80, 24));
    press(&mut state, KeyCode::Char('d'));
    let before = rows(&common::app::drawn(&state));
    // Stacked at 80 columns: a `-` line over a `+` line, never two 30-column halves.
    assert!(
        before.iter().any(|r| r.contains(" - Every access port")),
        "{}",
        before.join("\n")
    );
    assert!(
        before.iter().any(|r| r.contains(" + Every access port")),
        "{}",
        before.join("\n")
    );
    assert!(
        before.iter().any(|r| r.contains("›│")),
        "long lines are cut with a marker"
    );
    for _ in 0..3 {
        press(&mut state, KeyCode::Right);
    }
    let after = rows(&common::app::drawn(&state));
    assert!(
        after.iter().any(|r| r.contains('‹')),
        "scrolled text is marked on the left"
    );
    assert_eq!(before.len(), after.len());
    // Every row keeps the frame's right border: nothing wrapped or spilled over.
    for r in after.iter().skip(3).take(18) {
        assert_eq!(r.chars().count(), 80);
    }
}

#[test]
fn every_size_renders_the_board_the_diff_and_the_form() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, (80, 24));
    for w in [1u16, 2, 5, 20, 40, 59, 60, 79, 80, 94, 95, 100, 119, 200] {
        for h in [1u16, 2, 3, 5, 8, 10, 14, 24, 40] {
            state.size = (w, h);
            press(&mut state, KeyCode::Char('4'));
            let _ = common::app::drawn(&state);
            press(&mut state, KeyCode::Char('d'));
            let _ = common::app::drawn(&state);
            press(&mut state, KeyCode::Char('D'));
            let _ = common::app::drawn(&state);
            press(&mut state, KeyCode::Esc);
            press(&mut state, KeyCode::Esc);
        }
    }
}

#[test]
fn building_out_of_order_is_refused_and_in_order_is_journaled() {
    let (_dir, ws) = sample_workspace();
    cut_journal(&ws, 4); // Gate 2 approved: every component pending
    let mut state = opened(&ws, (120, 40));
    press(&mut state, KeyCode::Char('4'));
    // The selection starts on the first to build (COMP-1); COMP-3 is two levels right.
    press(&mut state, KeyCode::Right);
    press(&mut state, KeyCode::Right);
    press(&mut state, KeyCode::Char('b'));
    let t = toast(&state);
    assert!(
        t.contains("COMP-3 cannot be built before its dependencies: COMP-2"),
        "{t}"
    );
    let e = state.engagement.as_ref().expect("engagement");
    assert_eq!(
        e.build.refusal.as_deref(),
        Some(t.as_str()),
        "shown on the board too"
    );
    assert_eq!(e.engagement.journal.events.len(), 4, "nothing appended");
    let board = render(&state, &ws);
    assert!(board.contains("COMP-3 cannot be built"), "{board}");
    // Validated needs built.
    press(&mut state, KeyCode::Home);
    press(&mut state, KeyCode::Char('v'));
    assert!(
        toast(&state).contains("must be built before it is validated"),
        "{}",
        toast(&state)
    );
    // Each is a journal event: it asks, Enter does not record it, y does.
    press(&mut state, KeyCode::Char('b'));
    assert!(matches!(
        state.overlay,
        Some(Overlay::Build(BuildOverlay::Confirm(
            BuildConfirm::SetStatus { .. }
        )))
    ));
    insta::assert_snapshot!("mark_built_confirm_120x40", render(&state, &ws));
    press(&mut state, KeyCode::Enter);
    assert_eq!(
        state
            .engagement
            .as_ref()
            .map(|e| e.engagement.journal.events.len()),
        Some(4),
        "Enter records nothing"
    );
    press(&mut state, KeyCode::Char('y'));
    press(&mut state, KeyCode::Char('v'));
    press(&mut state, KeyCode::Char('y'));
    let e = state.engagement.as_ref().expect("engagement");
    let c1 = e
        .disk
        .component("COMP-1".parse().expect("id"))
        .map(|c| c.status);
    assert_eq!(c1, Some(ComponentStatus::Validated), "{}", toast(&state));
    let kinds: Vec<_> = e
        .engagement
        .journal
        .events
        .iter()
        .skip(4)
        .map(|ev| ev.body.clone())
        .collect();
    assert!(
        matches!(
            kinds.as_slice(),
            [
                EventBody::ComponentStatus { .. },
                EventBody::ComponentStatus { .. }
            ]
        ),
        "{kinds:?}"
    );
}

#[test]
fn unexplained_hunk_opens_the_form_prefilled_and_records_markdown_and_event() {
    let (_dir, ws) = sample_workspace();
    // An unforeseen change in COMP-4's section of the as-built.
    let path = ws.join("vlan-qos/as-built.md");
    let text = fs::read_to_string(&path).expect("as-built");
    let text = text.replace(
        "- reuse: snow-vlan-catalog v2.0",
        "- reuse: snow-vlan-catalog v2.1",
    );
    fs::write(&path, text).expect("write");
    let mut state = opened(&ws, (120, 40));
    press(&mut state, KeyCode::Char('d'));
    for _ in 0..3 {
        press(&mut state, KeyCode::Char(']'));
    }
    let e = state.engagement.as_ref().expect("engagement");
    let view = e.build.diff.as_ref().expect("diff open");
    assert_eq!(view.current, 3);
    assert!(!view.hunk().expect("hunk").is_explained());
    let screen = render(&state, &ws);
    assert!(
        screen.contains("UNEXPLAINED: no deviation names COMP-4"),
        "{screen}"
    );
    insta::assert_snapshot!("diff_unexplained_120x40", screen);
    press(&mut state, KeyCode::Char('D'));
    let Some(Overlay::Build(BuildOverlay::Deviation(form))) = &state.overlay else {
        panic!("deviation form open: {:?} {}", state.overlay, toast(&state));
    };
    assert_eq!(form.selected_target().to_string(), "COMP-4");
    assert_eq!(form.origin.as_deref(), Some("hunk 4/4, unexplained"));
    // Impact is focused: `m` keeps minor; Tab to what, type, Enter moves on to why.
    press(&mut state, KeyCode::Char('m'));
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "catalog item v2.1 with the QoS variable");
    press(&mut state, KeyCode::Enter);
    type_text(&mut state, "v2.0 was retired during the build");
    insta::assert_snapshot!("deviation_form_120x40", render(&state, &ws));
    press(&mut state, KeyCode::Enter);
    // Enter submits the form; the journal event waits for an explicit y.
    assert!(
        matches!(
            state.overlay,
            Some(Overlay::Build(BuildOverlay::Confirm(
                BuildConfirm::RecordDeviation(_)
            )))
        ),
        "{:?}",
        state.overlay
    );
    insta::assert_snapshot!("deviation_confirm_120x40", render(&state, &ws));
    press(&mut state, KeyCode::Enter);
    assert!(
        !fs::read_to_string(&path)
            .expect("as-built")
            .contains("- DEV-3 "),
        "Enter does not record it"
    );
    press(&mut state, KeyCode::Char('y'));
    assert!(state.overlay.is_none(), "{:?}", state.overlay);
    assert!(
        toast(&state).contains("DEV-3 (COMP-4, minor) written to as-built.md and recorded"),
        "{}",
        toast(&state)
    );
    let written = fs::read_to_string(&path).expect("as-built");
    assert!(written.contains("- DEV-3 (COMP-4, minor): catalog item v2.1 with the QoS variable — v2.0 was retired during the build\n"));
    let e = state.engagement.as_ref().expect("engagement");
    assert!(matches!(
        e.engagement.journal.events.last().map(|x| &x.body),
        Some(EventBody::DeviationRecorded { .. })
    ));
    let view = e.build.diff.as_ref().expect("diff still open");
    assert!(
        view.model.hunks.iter().all(|h| h.is_explained()),
        "the diff follows the new text"
    );
}

#[test]
fn design_change_offers_to_reopen_gate_2() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, (80, 24));
    press(&mut state, KeyCode::Char('4'));
    press(&mut state, KeyCode::Char('D'));
    press(&mut state, KeyCode::Char('d')); // impact: design-change
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "dual-stack uplinks");
    press(&mut state, KeyCode::Enter);
    type_text(&mut state, "the NOC asked");
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('y'));
    assert!(
        matches!(
            state.overlay,
            Some(Overlay::Build(BuildOverlay::Confirm(
                BuildConfirm::ReopenGate2 { .. }
            )))
        ),
        "{:?} {}",
        state.overlay,
        toast(&state)
    );
    insta::assert_snapshot!("reopen_gate2_80x24", render(&state, &ws));
    press(&mut state, KeyCode::Char('n'));
    let e = state.engagement.as_ref().expect("engagement");
    assert_eq!(e.disk.phase, Phase::AsBuilt, "declined: nothing reopened");
    assert!(
        toast(&state).contains("Gate 2 stays approved"),
        "{}",
        toast(&state)
    );
}

#[test]
fn close_lists_unmet_conditions_then_closes_with_a_reason() {
    let (_dir, ws) = sample_workspace();
    // Take DEV-2's amendment out: a scope-change without amendment blocks the close.
    let spec_path = ws.join("vlan-qos/customer-spec.md");
    let spec = fs::read_to_string(&spec_path).expect("spec");
    let mut state = opened(&ws, (120, 40));
    press(&mut state, KeyCode::Char('d'));
    press(&mut state, KeyCode::Char('C'));
    // DEV-1 is a design-change with no re-approval: the close asks for a reason.
    assert!(
        matches!(
            state.overlay,
            Some(Overlay::Build(BuildOverlay::CloseReason { .. }))
        ),
        "{:?} {}",
        state.overlay,
        toast(&state)
    );
    press(&mut state, KeyCode::Esc);
    let cut = spec.find("## Amendments").expect("amendments section");
    fs::write(&spec_path, &spec[..cut]).expect("write spec");
    dispatch(&mut state, Action::Command(phasegate::app::Command::Top));
    let ctx = ctx();
    common::app::run_with(
        &mut state,
        phasegate::app::effect::Effect::Load {
            root: ws.join("vlan-qos"),
        },
        &ctx,
    );
    press(&mut state, KeyCode::Char('C'));
    let t = toast(&state);
    assert!(
        t.contains("cannot be closed yet")
            && t.contains("DEV-2 is a scope-change with no amendment"),
        "{t}"
    );
    let screen = render(&state, &ws);
    assert!(screen.contains("close: blocked by"), "{screen}");
    // Restore the amendment; close accepting DEV-1 with a reason.
    fs::write(&spec_path, &spec).expect("restore spec");
    common::app::run_with(
        &mut state,
        phasegate::app::effect::Effect::Load {
            root: ws.join("vlan-qos"),
        },
        &ctx,
    );
    press(&mut state, KeyCode::Char('C'));
    type_text(&mut state, "RESTCONF path reviewed with Security");
    press(&mut state, KeyCode::Enter);
    assert!(
        matches!(
            state.overlay,
            Some(Overlay::Build(BuildOverlay::Confirm(
                BuildConfirm::Close { .. }
            )))
        ),
        "{}",
        toast(&state)
    );
    insta::assert_snapshot!("close_confirm_120x40", render(&state, &ws));
    press(&mut state, KeyCode::Char('y'));
    let e = state.engagement.as_ref().expect("engagement");
    assert_eq!(e.disk.phase, Phase::Closed, "{}", toast(&state));
    match e.engagement.journal.events.last().map(|x| &x.body) {
        Some(EventBody::Closed {
            reason, accepted, ..
        }) => {
            assert_eq!(
                reason.as_deref(),
                Some("RESTCONF path reviewed with Security")
            );
            assert_eq!(
                accepted.iter().map(ToString::to_string).collect::<Vec<_>>(),
                ["DEV-1"]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn amendment_from_a_scope_change_deviation() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, (120, 40));
    press(&mut state, KeyCode::Char('d'));
    press(&mut state, KeyCode::Char('A'));
    let Some(Overlay::Build(BuildOverlay::Amend(form))) = &state.overlay else {
        panic!("amend form: {}", toast(&state));
    };
    assert_eq!(
        form.deviation().map(|d| d.to_string()).as_deref(),
        Some("DEV-2"),
        "the current hunk's scope-change"
    );
    type_text(
        &mut state,
        "camera ports keep their policing until the policies merge",
    );
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('y'));
    assert!(
        toast(&state).contains("AMD-2 (DEV-2) appended to customer-spec.md"),
        "{}",
        toast(&state)
    );
    let e = state.engagement.as_ref().expect("engagement");
    assert_eq!(
        e.disk.gate(phasegate::domain::journal::GateId::One).state,
        phasegate::domain::evaluate::GateState::Approved
    );
    assert!(matches!(
        e.engagement.journal.events.last().map(|x| &x.body),
        Some(EventBody::AmendmentRecorded { .. })
    ));
    assert_eq!(state.pane, Pane::Editor);
}

#[test]
fn ascii_locale_draws_the_board_and_the_diff_in_ascii() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, (120, 40));
    state.ascii = true;
    for key in ['4', 'd', 'D'] {
        press(&mut state, KeyCode::Char(key));
        let screen = render(&state, &ws);
        assert!(screen.is_ascii(), "{screen}");
        let unknown: Vec<&str> = screen
            .lines()
            .filter(|l| l.replace("?/F1", "").contains('?'))
            .collect();
        assert!(
            unknown.is_empty(),
            "glyphs without an ASCII stand-in:\n{}",
            unknown.join("\n")
        );
    }
}

#[test]
fn enter_on_a_hunk_opens_the_as_built_at_its_line() {
    let (_dir, ws) = sample_workspace();
    let mut state = opened(&ws, (120, 40));
    press(&mut state, KeyCode::Char('d'));
    press(&mut state, KeyCode::Char(']'));
    press(&mut state, KeyCode::Char(']'));
    press(&mut state, KeyCode::Enter);
    let e = state.engagement.as_ref().expect("engagement");
    assert!(e.build.diff.is_none(), "the diff gives way to the editor");
    assert_eq!(
        e.shown_artifact(),
        Some(phasegate::domain::artifact::Artifact::AsBuilt)
    );
    let row = e.editor.cursor().0;
    assert!(
        e.editor.lines()[row].starts_with("EOS takes the runner's NAPALM path"),
        "{}",
        e.editor.lines()[row]
    );
    // `d` again comes back to the diff, Esc leaves it.
    press(&mut state, KeyCode::Char('d'));
    assert_eq!(state.context(), Context::Diff);
    press(&mut state, KeyCode::Esc);
    assert_eq!(state.context(), Context::View);
}

/// The confirmations of journal events at 80×24: a status mark and a submitted deviation form,
/// each waiting for `y` (Enter records nothing).
#[test]
fn journal_confirmations_at_80x24() {
    let (_dir, ws) = sample_workspace();
    cut_journal(&ws, 4); // Gate 2 approved: every component pending
    let mut state = opened(&ws, (80, 24));
    press(&mut state, KeyCode::Char('4'));
    press(&mut state, KeyCode::Char('b'));
    insta::assert_snapshot!("mark_built_confirm_80x24", render(&state, &ws));
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Esc);
    assert!(state.overlay.is_none());
    let events = |s: &State| {
        s.engagement
            .as_ref()
            .map(|e| e.engagement.journal.events.len())
    };
    assert_eq!(events(&state), Some(4), "neither Enter nor Esc recorded it");

    press(&mut state, KeyCode::Char('D'));
    press(&mut state, KeyCode::Char('m'));
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "uses the lab VLAN range");
    press(&mut state, KeyCode::Enter);
    type_text(&mut state, "production range not allocated yet");
    press(&mut state, KeyCode::Enter);
    assert!(matches!(
        state.overlay,
        Some(Overlay::Build(BuildOverlay::Confirm(
            BuildConfirm::RecordDeviation(_)
        )))
    ));
    insta::assert_snapshot!("deviation_confirm_80x24", render(&state, &ws));
    // Cancel returns to the form with what was typed.
    press(&mut state, KeyCode::Char('n'));
    let Some(Overlay::Build(BuildOverlay::Deviation(form))) = &state.overlay else {
        panic!("back to the form: {:?}", state.overlay);
    };
    assert_eq!(form.what, "uses the lab VLAN range");
    assert_eq!(events(&state), Some(4));
}
