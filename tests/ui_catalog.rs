//! The catalog overlay on the real app (`update` + effects + `ui::view` on a `TestBackend`):
//! filtered list and detail snapshots at 80×24 and 120×40, and inserting a reuse line into an
//! editable design (refused, with the rule, where the design is not editable).

mod common;

use common::app::{dispatch, press, render, type_text};
use common::copy_dir;

use std::path::{Path, PathBuf};

use crossterm::event::KeyCode;
use phasegate::app::action::Action;
use phasegate::app::effect::{Effect, LiveEffect};
use phasegate::app::{Command, Keys, Mode, Overlay, Screen, State, WorkspaceState};
use phasegate::domain::artifact::Artifact;
use phasegate::domain::journal::{CriterionResult, Stamp};
use phasegate::domain::time::Timestamp;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// The samples with vlan-qos closed by bob at a fixed time (so its version is fixed).
fn workspace_with_a_closed_engagement() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path().join("ws");
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
    for slug in ["firewall-drift", "bgp-peer-onboarding", "vlan-qos"] {
        copy_dir(&samples.join(slug), &ws.join(slug));
    }
    let stamp = Stamp {
        at: Timestamp::parse("2026-11-20T12:00:00Z").expect("time"),
        actor: "bob".into(),
        os_user: "bob@test".into(),
    };
    phasegate::store::engagement::transact(&ws.join("vlan-qos"), &stamp, None, |e, ev| {
        phasegate::domain::rules::close(e, ev, "bob", Some("accepted by the CAB")).map(Into::into)
    })
    .expect("vlan-qos closes");
    (dir, ws)
}

fn open_engagement(ws: &Path, slug: &str, size: (u16, u16)) -> State {
    let mut state = State::new("reviewer", Keys::default(), size);
    state.workspace = Some(WorkspaceState {
        root: ws.to_path_buf(),
        ..WorkspaceState::default()
    });
    let ctx = common::app::ctx();
    common::app::run_with(
        &mut state,
        Effect::Load {
            root: ws.join(slug),
        },
        &ctx,
    );
    assert_eq!(state.screen, Screen::Engagement);
    state
}

fn catalog_overlay(state: &State) -> &phasegate::app::model::overlay::CatalogOverlay {
    match &state.overlay {
        Some(Overlay::Catalog(o)) => o,
        other => panic!("no catalog overlay: {other:?}"),
    }
}

fn g23(state: &State) -> CriterionResult {
    let e = state.engagement.as_ref().expect("engagement");
    e.live
        .criteria
        .iter()
        .find(|c| c.def.id == "G2-3")
        .map(|c| c.result)
        .expect("G2-3")
}

#[test]
fn catalog_overlay_filters_as_you_type_and_shows_an_entry() {
    for size in SIZES {
        let (_dir, ws) = workspace_with_a_closed_engagement();
        let mut state = open_engagement(&ws, "bgp-peer-onboarding", size);
        press(&mut state, KeyCode::Char('L'));
        assert_eq!(catalog_overlay(&state).hits.len(), 4);
        // q, j and k are text here, as in the workspace filter.
        type_text(&mut state, "qos j");
        assert!(!state.quit);
        assert_eq!(catalog_overlay(&state).query, "qos j");
        press(&mut state, KeyCode::Backspace);
        press(&mut state, KeyCode::Backspace);
        type_text(&mut state, " push");
        assert_eq!(catalog_overlay(&state).hits.len(), 1);
        insta::assert_snapshot!(
            format!("catalog_filtered_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
        press(&mut state, KeyCode::Enter);
        assert!(catalog_overlay(&state).detail);
        insta::assert_snapshot!(
            format!("catalog_detail_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
        // Esc goes back to the list, a second Esc closes the overlay.
        press(&mut state, KeyCode::Esc);
        assert!(!catalog_overlay(&state).detail);
        press(&mut state, KeyCode::Esc);
        assert!(state.overlay.is_none());
    }
}

/// The design in progress opened with COMP-1's reuse decision gone: G2-3 fails, and nothing on
/// disk reuses from the catalog, so the load did not read it. The cursor is on COMP-1's heading.
fn open_design_without_comp_1_reuse(ws: &Path) -> State {
    let design_path = ws.join("bgp-peer-onboarding/solution-design.md");
    let design = std::fs::read_to_string(&design_path).expect("design");
    let first_reuse = design
        .lines()
        .find(|l| l.starts_with("- reuse:"))
        .expect("a reuse line")
        .to_string();
    std::fs::write(
        &design_path,
        design.replacen(&format!("{first_reuse}\n"), "", 1),
    )
    .expect("write");
    let mut state = open_engagement(ws, "bgp-peer-onboarding", (120, 40));
    assert_eq!(g23(&state), CriterionResult::Fail);
    let e = state.engagement.as_ref().expect("engagement");
    assert!(!e.catalog_read && e.engagement.catalog.entries.is_empty());
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "### COMP-1");
    press(&mut state, KeyCode::Enter);
    state
}

/// Inserts the reuse of vlan-qos/COMP-1 from the catalog overlay at the cursor.
fn insert_vlan_qos_comp_1(state: &mut State) {
    press(state, KeyCode::Char('L'));
    type_text(state, "vlan-qos/COMP-1");
    press(state, KeyCode::Enter);
    press(state, KeyCode::Char('i'));
}

#[test]
fn inserting_a_reuse_line_makes_g2_3_pass_live_and_is_refused_where_not_editable() {
    let (_dir, ws) = workspace_with_a_closed_engagement();
    let mut state = open_design_without_comp_1_reuse(&ws);
    insert_vlan_qos_comp_1(&mut state);
    assert!(state.overlay.is_none());
    assert_eq!(state.mode, Mode::Edit);
    let e = state.engagement.as_ref().expect("engagement");
    assert!(e.dirty);
    let row = e.editor.cursor().0;
    let version = &e.engagement.catalog.entries[0].version[..12];
    assert_eq!(
        e.editor.lines()[row],
        format!("- reuse: catalog vlan-qos/COMP-1@{version}")
    );
    assert!(e.editor.lines()[row - 1].starts_with("### COMP-1"));
    assert_eq!(g23(&state), CriterionResult::Pass, "live re-check");

    // Saved, reloaded from disk: still resolved.
    dispatch(&mut state, Action::Command(Command::Save));
    let e = state.engagement.as_ref().expect("engagement");
    assert!(!e.dirty);
    assert_eq!(g23(&state), CriterionResult::Pass);

    // vlan-qos is closed: nothing there is editable, and the rule says why.
    let mut closed = open_engagement(&ws, "vlan-qos", (80, 24));
    press(&mut closed, KeyCode::Char('3'));
    press(&mut closed, KeyCode::Char('L'));
    press(&mut closed, KeyCode::Enter);
    press(&mut closed, KeyCode::Char('i'));
    let toast = closed
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(
        toast.contains("not inserted — read-only: the engagement is closed"),
        "{toast}"
    );
    assert!(!closed.engagement.as_ref().expect("e").dirty);
}

/// The Day-2 samples: campus-time-baseline (closed) and campus-time-nts started from it.
/// The buffer's catalog reuse stays resolved when the engagement is read again while the
/// buffer is unsaved (an outside edit, a pull): the design on disk reuses nothing from the
/// catalog, so that load does not read it, and the catalog the overlay read is kept.
#[test]
fn a_reload_keeps_the_catalog_an_unsaved_reuse_resolves_in() {
    let (_dir, ws) = workspace_with_a_closed_engagement();
    let mut state = open_design_without_comp_1_reuse(&ws);
    insert_vlan_qos_comp_1(&mut state);
    assert_eq!(g23(&state), CriterionResult::Pass);
    let root = ws.join("bgp-peer-onboarding");
    let feasibility = root.join("feasibility.md");
    let text = std::fs::read_to_string(&feasibility).expect("feasibility");
    std::fs::write(&feasibility, format!("{text}\nA note added outside.\n")).expect("write");
    // The watcher's re-read, then a load of the same engagement (back from an editor).
    for reload in [
        Effect::Live(LiveEffect::Reload { root: root.clone() }),
        Effect::Load { root: root.clone() },
    ] {
        common::app::run(&mut state, reload);
        let e = state.engagement.as_ref().expect("engagement");
        assert!(e.dirty, "the unsaved insert is kept");
        assert!(
            e.engagement.texts[&Artifact::Feasibility].contains("A note added outside."),
            "the outside edit was read"
        );
        assert_eq!(g23(&state), CriterionResult::Pass, "still resolved");
    }
}

/// A catalog reuse typed by hand into a design whose load did not read the catalog: the live
/// re-check finds it dangling, reads the catalog, and checks again; G2-3 passes unsaved.
#[test]
fn a_catalog_reuse_typed_by_hand_reads_the_catalog() {
    let (_dir, ws) = workspace_with_a_closed_engagement();
    let (catalog, _) = phasegate::store::catalog::load_catalog(&ws);
    let version = catalog
        .entries
        .iter()
        .find(|c| c.slug == "vlan-qos" && c.component.to_string() == "COMP-1")
        .map(|c| c.version[..12].to_string())
        .expect("vlan-qos/COMP-1 in the catalog");
    let mut state = open_design_without_comp_1_reuse(&ws);
    press(&mut state, KeyCode::Char('e'));
    assert_eq!(state.mode, Mode::Edit);
    press(&mut state, KeyCode::End);
    press(&mut state, KeyCode::Enter);
    type_text(
        &mut state,
        &format!("- reuse: catalog vlan-qos/COMP-1@{version}"),
    );
    let e = state.engagement.as_ref().expect("engagement");
    assert!(e.dirty);
    assert!(e.catalog_read);
    assert!(!e.engagement.catalog.entries.is_empty());
    assert_eq!(g23(&state), CriterionResult::Pass, "resolved before saving");
    // A version the catalog does not hold dangles, now checked against the catalog read.
    press(&mut state, KeyCode::Backspace);
    type_text(&mut state, if version.ends_with('0') { "1" } else { "0" });
    assert_eq!(g23(&state), CriterionResult::Fail);
}

fn day_two_workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path().join("ws");
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
    for slug in ["campus-time-baseline", "campus-time-nts"] {
        copy_dir(&samples.join(slug), &ws.join(slug));
    }
    (dir, ws)
}

#[test]
fn diff_pane_compares_the_design_and_the_spec_with_the_baseline() {
    for size in SIZES {
        let (_dir, ws) = day_two_workspace();
        let mut state = open_engagement(&ws, "campus-time-nts", size);
        press(&mut state, KeyCode::Char('B'));
        let e = state.engagement.as_ref().expect("engagement");
        let view = e.build.diff.as_ref().expect("the diff pane is open");
        let b = view.model.baseline.as_ref().expect("against the baseline");
        assert_eq!(b.artifact, phasegate::domain::artifact::Artifact::Design);
        let labels: Vec<String> = b.labels.iter().flatten().map(ToString::to_string).collect();
        for comp in ["COMP-1", "COMP-2", "COMP-3", "COMP-4"] {
            assert!(labels.contains(&comp.to_string()), "{labels:?}");
        }
        insta::assert_snapshot!(
            format!("baseline_diff_design_{}x{}", size.0, size.1),
            render(&state, &ws)
        );
        // B again closes it; on the spec, the hunks name the requirements they touch.
        press(&mut state, KeyCode::Char('B'));
        assert!(state.engagement.as_ref().expect("e").build.diff.is_none());
        press(&mut state, KeyCode::Char('1'));
        press(&mut state, KeyCode::Char('B'));
        let e = state.engagement.as_ref().expect("engagement");
        let b = e
            .build
            .diff
            .as_ref()
            .and_then(|v| v.model.baseline.clone())
            .expect("against the baseline");
        let labels: Vec<String> = b.labels.iter().flatten().map(ToString::to_string).collect();
        for id in ["REQ-1", "REQ-4", "AC-1", "AC-4"] {
            assert!(labels.contains(&id.to_string()), "{labels:?}");
        }
        assert!(!labels.contains(&"REQ-2".to_string()), "{labels:?}");
        if size == (120, 40) {
            insta::assert_snapshot!("baseline_diff_spec_120x40", render(&state, &ws));
        }
    }
    // Without a baseline there is nothing to compare, and the toast says why.
    let (_dir, ws) = workspace_with_a_closed_engagement();
    let mut state = open_engagement(&ws, "bgp-peer-onboarding", (80, 24));
    press(&mut state, KeyCode::Char('B'));
    let toast = state
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(toast.contains("no baseline"), "{toast}");
}

#[test]
fn gate_1_review_of_a_day_two_engagement_shows_the_delta_against_its_baseline() {
    let (_dir, ws) = workspace_with_a_closed_engagement();
    let stamp = Stamp {
        at: Timestamp::parse("2026-11-21T09:00:00Z").expect("time"),
        actor: "alice".into(),
        os_user: "alice@test".into(),
    };
    phasegate::store::engagement::create(&ws, "vlan-qos-2", "", "alice", Some("vlan-qos"), &stamp)
        .expect("Day 2 from the closed vlan-qos");
    let spec_path = ws.join("vlan-qos-2/customer-spec.md");
    let spec = std::fs::read_to_string(&spec_path).expect("spec");
    let spec = spec.replacen(
        "\n## Integrations",
        "- REQ-6: The class of every VLAN is audited weekly.\n\n## Integrations",
        1,
    );
    std::fs::write(&spec_path, spec).expect("write");
    let state = open_engagement(&ws, "vlan-qos-2", (120, 40));
    let screen = render(&state, &ws);
    assert!(screen.contains("vs baseline: added REQ-6 "), "{screen}");
}
