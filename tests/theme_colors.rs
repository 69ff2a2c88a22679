//! Cell colors of the real `ui::view` under different themes (snapshots carry text only): the
//! app is drawn on a `TestBackend`, from a temp copy of `sample-engagements/`, and the cells'
//! colors and modifiers are checked against the theme's slots. The Markdown grammar is loaded
//! first so the editor is drawn with syntect's highlighting, as in the TUI.

mod common;

use common::app::press;

use std::path::Path;

use crossterm::event::KeyCode;
use phasegate::app::effect::Effect;
use phasegate::app::{Keys, Screen, State, WorkspaceState};
use phasegate::config::theme::load;
use phasegate::config::{ColorSupport, Slot, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};

fn workspace_state(ws: &Path, size: (u16, u16)) -> State {
    let mut state = State::new("reviewer", Keys::default(), size);
    state.workspace = Some(WorkspaceState {
        root: ws.to_path_buf(),
        ..WorkspaceState::default()
    });
    common::app::run(
        &mut state,
        Effect::LoadWorkspace {
            workspace: ws.to_path_buf(),
        },
    );
    state
}

fn open(state: &mut State, slug: &str) {
    let index = state
        .workspace
        .as_ref()
        .and_then(|w| w.position_of(slug))
        .expect("slug listed");
    for _ in 0..index {
        press(state, KeyCode::Char('j'));
    }
    press(state, KeyCode::Enter);
    assert_eq!(state.screen, Screen::Engagement, "{slug} opened");
}

fn draw(state: &State, theme: &Theme) -> Buffer {
    assert!(
        phasegate::ui::highlight::warm_up(),
        "the Markdown grammar loads"
    );
    let (w, h) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| phasegate::ui::view(state, &mut phasegate::ui::ViewState::default(), theme, f))
        .expect("draw");
    terminal.backend().buffer().clone()
}

fn theme(name: &str) -> Theme {
    load(name, None).unwrap_or_else(|e| panic!("theme {name} loads: {e:?}"))
}

/// Cells showing `symbol`.
fn cells_with<'a>(buf: &'a Buffer, symbol: &str) -> Vec<&'a Cell> {
    buf.content
        .iter()
        .filter(|c| c.symbol() == symbol)
        .collect()
}

fn colored(c: &Cell) -> bool {
    c.fg != Color::Reset || c.bg != Color::Reset || c.underline_color != Color::Reset
}

/// Makes Gate 1 of `bgp-peer-onboarding` (approved) stale: its spec's governed text changes.
fn stale_gate_1(ws: &common::Workspace) {
    let spec = ws.read("bgp-peer-onboarding", "customer-spec.md");
    let edited = spec.replacen(
        "## Requirements\n",
        "## Requirements\n\nEdited after approval.\n",
        1,
    );
    assert_ne!(spec, edited, "the spec has a Requirements section");
    ws.write("bgp-peer-onboarding", "customer-spec.md", &edited);
}

/// The screens the checks run on: the workspace list, an engagement in view mode, its gate
/// review, the help overlay.
fn screens(ws: &Path, size: (u16, u16)) -> Vec<State> {
    let list = workspace_state(ws, size);
    let mut engagement = list.clone();
    open(&mut engagement, "bgp-peer-onboarding");
    let mut gate = engagement.clone();
    press(&mut gate, KeyCode::Char('g'));
    let mut help = engagement.clone();
    press(&mut help, KeyCode::Char('?'));
    vec![list, engagement, gate, help]
}

#[test]
fn the_stale_gate_glyph_has_the_stale_slot_style() {
    let ws = common::Workspace::with_samples();
    stale_gate_1(&ws);
    let default = theme("default");
    let want = default.style(Slot::GateStale);
    assert!(want.fg.is_some(), "default gives gate.stale a color");
    for state in screens(ws.path(), (120, 40)).iter().take(2) {
        let buf = draw(state, &default);
        let stale = cells_with(&buf, "⚠");
        assert!(!stale.is_empty(), "a stale glyph is on screen");
        for cell in stale {
            assert_eq!(Some(cell.fg), want.fg, "gate.stale's color: {cell:?}");
            assert!(
                cell.modifier.contains(want.add_modifier),
                "gate.stale's modifiers {:?}: {cell:?}",
                want.add_modifier
            );
        }
    }
}

#[test]
fn mono_draws_no_color_anywhere() {
    let ws = common::Workspace::with_samples();
    stale_gate_1(&ws);
    let mono = theme("mono");
    // The default theme on a terminal without colors comes out the same way.
    let (stripped, _) = theme("default").for_terminal(ColorSupport::Mono);
    for size in [(80, 24), (120, 40)] {
        for state in screens(ws.path(), size) {
            for theme in [&mono, &stripped] {
                let buf = draw(&state, theme);
                let colored: Vec<_> = buf.content.iter().filter(|c| colored(c)).collect();
                assert!(
                    colored.is_empty(),
                    "{} at {size:?} on {:?}: {} colored cells, first {:?}",
                    theme.name(),
                    state.screen,
                    colored.len(),
                    colored.first()
                );
                let styled = buf
                    .content
                    .iter()
                    .filter(|c| !c.modifier.is_empty())
                    .count();
                assert!(styled > 0, "mono still marks things with modifiers");
            }
        }
    }
}

#[test]
fn an_rgb_theme_falls_back_to_default_on_16_colors() {
    let ws = common::Workspace::with_samples();
    let dark = theme("dark");
    assert_eq!(dark.color_need(), ColorSupport::TrueColor);
    let (fallback, note) = dark.clone().for_terminal(ColorSupport::Ansi16);
    assert!(
        note.as_deref().is_some_and(|n| n.contains("dark")),
        "{note:?}"
    );
    let default = theme("default");
    for state in screens(ws.path(), (120, 40)) {
        let with_fallback = draw(&state, &fallback);
        assert_eq!(
            with_fallback,
            draw(&state, &default),
            "the fallback draws exactly like default"
        );
        assert!(
            !with_fallback.content.iter().any(|c| {
                [c.fg, c.bg]
                    .iter()
                    .any(|k| matches!(k, Color::Rgb(..) | Color::Indexed(16..)))
            }),
            "no color beyond the 16 ANSI ones"
        );
        let true_color = draw(
            &state,
            &dark.clone().for_terminal(ColorSupport::TrueColor).0,
        );
        assert!(
            true_color
                .content
                .iter()
                .any(|c| matches!(c.fg, Color::Rgb(..))),
            "with true color, dark keeps its RGB colors"
        );
    }
}

#[test]
fn high_contrast_differs_from_default() {
    let ws = common::Workspace::with_samples();
    let default = theme("default");
    let high = theme("high-contrast");
    for slot in [Slot::UiBorder, Slot::GateApproved, Slot::UiText] {
        assert_ne!(default.style(slot), high.style(slot), "{}", slot.name());
    }
    for state in screens(ws.path(), (120, 40)) {
        let a = draw(&state, &default);
        let b = draw(&state, &high);
        // Same text, other colors.
        let text = |buf: &Buffer| buf.content.iter().map(Cell::symbol).collect::<String>();
        assert_eq!(text(&a), text(&b));
        let differing = a
            .content
            .iter()
            .zip(&b.content)
            .filter(|(x, y)| x.fg != y.fg || x.bg != y.bg || x.modifier != y.modifier)
            .count();
        assert!(
            differing > 100,
            "{differing} cells differ on {:?}",
            state.screen
        );
    }
    // The focused border is drawn in each theme's own ui.border.focus color.
    let mut state = workspace_state(ws.path(), (120, 40));
    open(&mut state, "bgp-peer-onboarding");
    for theme in [&default, &high] {
        let buf = draw(&state, theme);
        let want = theme.style(Slot::UiBorderFocus).fg;
        let corners = cells_with(&buf, "┌");
        assert!(
            corners.iter().any(|c| Some(c.fg) == want),
            "{}: a focused pane corner in ui.border.focus",
            theme.name()
        );
    }
}

#[test]
fn markdown_in_the_editor_uses_the_markdown_slots() {
    let ws = common::Workspace::with_samples();
    let mut state = workspace_state(ws.path(), (120, 40));
    open(&mut state, "bgp-peer-onboarding");
    let default = theme("default");
    let buf = draw(&state, &default);
    let heading = default.style(Slot::MarkdownHeading);
    let id = default.style(Slot::MarkdownId);
    // A heading row of the shown artifact (`│# …` or `│## …`), in the heading slot.
    let row_of = |needle: &str| {
        let w = usize::from(buf.area.width);
        buf.content.chunks(w).position(|row| {
            row.iter()
                .map(Cell::symbol)
                .collect::<String>()
                .contains(needle)
        })
    };
    let title = row_of("│# ")
        .or_else(|| row_of("│## "))
        .expect("a heading row");
    let w = usize::from(buf.area.width);
    let hash = buf.content[title * w..(title + 1) * w]
        .iter()
        .find(|c| c.symbol() == "#")
        .expect("#");
    assert_eq!(Some(hash.fg), heading.fg);
    assert!(hash.modifier.contains(Modifier::BOLD));
    // Some ID token (REQ-n) in the markdown.id slot.
    assert!(
        buf.content
            .iter()
            .any(|c| Some(c.fg) == id.fg && c.modifier.contains(id.add_modifier)),
        "an ID token is painted with markdown.id"
    );
}

#[test]
fn the_cursor_and_search_matches_use_their_slots_and_esc_puts_the_search_away() {
    let ws = common::Workspace::with_samples();
    let mut state = workspace_state(ws.path(), (120, 40));
    open(&mut state, "firewall-drift");
    let theme = theme("dark");
    let cursor = theme.style(Slot::UiCursor);
    let matched = theme.style(Slot::UiSearchMatch);
    // The cursor starts at line 1, column 1: the `#` of the title, inside the editor's border.
    let buf = draw(&state, &theme);
    assert_eq!(buf[(1, 4)].symbol(), "#");
    assert_eq!(Some(buf[(1, 4)].bg), cursor.bg, "cursor cell");
    assert!(
        cells_with(&buf, "G")
            .iter()
            .all(|c| Some(c.bg) != matched.bg)
    );
    // Search for "GitLab": every visible occurrence is marked, the cursor moved to the first.
    press(&mut state, KeyCode::Char('/'));
    common::app::type_text(&mut state, "gitlab");
    press(&mut state, KeyCode::Enter);
    let buf = draw(&state, &theme);
    let marked: String = buf
        .content
        .iter()
        .filter(|c| Some(c.bg) == matched.bg || Some(c.bg) == cursor.bg)
        .map(Cell::symbol)
        .collect();
    assert!(marked.starts_with("GitLab"), "marked: {marked:?}");
    assert_ne!(Some(buf[(1, 4)].bg), cursor.bg, "the cursor moved on");
    // Esc puts the search away (the marks go) before it would leave the engagement.
    press(&mut state, KeyCode::Esc);
    assert_eq!(state.screen, Screen::Engagement);
    let buf = draw(&state, &theme);
    assert!(buf.content.iter().all(|c| Some(c.bg) != matched.bg));
    press(&mut state, KeyCode::Esc);
    assert_eq!(state.screen, Screen::Workspace);
}
