//! The screen's geometry, computed in one place from the terminal size and the state: the view
//! (`ui`) lays its areas out with it, and `update` takes its page sizes from it, so a page is
//! what the pane shows. Pure: no drawing, no terminal.

use ratatui::layout::{Constraint, Layout, Rect};

use super::{Screen, State};

/// Columns the diff and the compare views scroll sideways per key.
pub const HSCROLL_STEP: isize = 8;

/// The screen's three bands: error banners on top, the main area, the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenAreas {
    pub banner: Rect,
    pub main: Rect,
    pub status: Rect,
}

/// Splits `area` into banner, main and status bar; `banners` is how many banner lines the
/// state has (at most two are shown, and none on a very short terminal).
pub fn screen(area: Rect, banners: usize) -> ScreenAreas {
    let status_h: u16 = if area.height <= 9 { 1 } else { 2 };
    let status_h = status_h.min(area.height);
    let banner_h = if area.height >= 12 {
        u16::try_from(banners.min(2)).unwrap_or(0)
    } else {
        0
    };
    let [banner, main, status] = Layout::vertical([
        Constraint::Length(banner_h),
        Constraint::Min(0),
        Constraint::Length(status_h),
    ])
    .areas(area);
    ScreenAreas {
        banner,
        main,
        status,
    }
}

/// The banner lines the state shows: its own, then (on the engagement screen) the
/// engagement's load problems and a broken journal chain.
pub fn banner_lines(state: &State) -> Vec<String> {
    let mut out: Vec<String> = state.banner.clone();
    if let Some(e) = &state.engagement
        && state.screen == Screen::Engagement
    {
        out.extend(e.issues.iter().cloned());
        if let Some(b) = &e.engagement.journal.broken {
            out.push(format!("journal chain broken: {b}"));
        }
    }
    out
}

/// The engagement screen's main area: the pipeline on top (shorter, then gone, on short
/// terminals) and the panes' body.
pub fn engagement(main: Rect) -> (Rect, Rect) {
    let pipe_h = match main.height {
        0..=5 => 0,
        6..=13 => 1,
        _ => 3,
    };
    let [pipe, body] =
        Layout::vertical([Constraint::Length(pipe_h), Constraint::Min(0)]).areas(main);
    (pipe, body)
}

/// A scrolling overlay (help, the message log) at most `max_width` wide, centered in `area`.
pub fn overlay(area: Rect, max_width: u16) -> Rect {
    centered(
        area,
        area.width.saturating_sub(4).min(max_width),
        area.height.saturating_sub(2).max(area.height.min(3)),
    )
}

/// A rectangle of at most `w`×`h` centered in `area` (never larger than `area`).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x.saturating_add(area.width.saturating_sub(w) / 2),
        y: area.y.saturating_add(area.height.saturating_sub(h) / 2),
        width: w,
        height: h,
    }
}

/// How far the paging keys move, from the same geometry the view draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pages {
    /// A pane under the pipeline (the editor, the journal, the gate's criteria, a live view):
    /// its rows inside the borders, less one kept on screen for context.
    pub pane: usize,
    /// The board and the diff pane: a pane's page less their gauge and column header.
    pub board: usize,
    /// The diff pane's text width inside its borders (the pane takes the full width).
    pub board_width: usize,
    /// A scrolling overlay: its rows inside the borders.
    pub overlay: u16,
}

/// A step through a long list (the workspace list, the catalog) that has no page of its own.
pub const LIST_STEP: usize = 10;

/// The page sizes at the state's terminal size.
pub fn pages(state: &State) -> Pages {
    let (w, h) = state.size;
    let area = Rect::new(0, 0, w, h);
    let main = screen(area, banner_lines(state).len()).main;
    let (_, body) = engagement(main);
    let inside = body.height.saturating_sub(2);
    Pages {
        pane: usize::from(inside.saturating_sub(1)).max(1),
        board: usize::from(inside.saturating_sub(3)).max(1),
        board_width: usize::from(body.width.saturating_sub(2)),
        overlay: overlay(area, u16::MAX).height.saturating_sub(2).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_at_the_usual_sizes_keep_the_screen_minus_its_chrome() {
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            let state = State::new("o", crate::app::Keys::default(), (w, h));
            let p = pages(&state);
            assert_eq!(p.pane, usize::from(h - 8));
            assert_eq!(p.board, usize::from(h - 10));
            assert_eq!(p.board_width, usize::from(w - 2));
            assert_eq!(p.overlay, h - 4);
        }
    }

    #[test]
    fn pages_are_never_empty() {
        for h in 0..16 {
            for w in [0, 1, 40] {
                let state = State::new("o", crate::app::Keys::default(), (w, h));
                let p = pages(&state);
                assert!(
                    p.pane >= 1 && p.board >= 1 && p.overlay >= 1,
                    "{w}x{h}: {p:?}"
                );
            }
        }
    }
}
