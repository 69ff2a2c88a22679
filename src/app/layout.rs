//! The screen's geometry, computed in one place from the terminal size and the state: the view
//! (`ui`) lays its areas out with it, and `update` takes its page sizes from it, so a page is
//! what the pane shows. Pure: no drawing, no terminal.

use ratatui::layout::Rect;

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
    let [banner, rest] = split_rows(area, banner_h);
    let [main, status] = split_rows(rest, rest.height.saturating_sub(status_h));
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
    let [pipe, body] = split_rows(main, pipe_h);
    (pipe, body)
}

/// `area` cut after its first `top` rows (all of them if it has fewer): the bands are fixed
/// heights around one that takes the rest, which arithmetic gives without ratatui's layout
/// solver (whose first run costs a start-up a tenth of a millisecond).
pub fn split_rows(area: Rect, top: u16) -> [Rect; 2] {
    let top = top.min(area.height);
    [
        Rect {
            height: top,
            ..area
        },
        Rect {
            y: area.y + top,
            height: area.height - top,
            ..area
        },
    ]
}

/// `area` cut before its last `right` columns (all of them if it has fewer).
pub fn split_columns(area: Rect, right: u16) -> [Rect; 2] {
    let left = area.width - right.min(area.width);
    [
        Rect {
            width: left,
            ..area
        },
        Rect {
            x: area.x + left,
            width: area.width - left,
            ..area
        },
    ]
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

    /// The arithmetic splits give what ratatui's layout solver gives for the same constraints
    /// (a fixed band and one taking the rest), at every size, fitting or not.
    #[test]
    fn splits_agree_with_ratatuis_layout() {
        use ratatui::layout::{Constraint, Layout};
        let sizes = [0u16, 1, 2, 5, 9, 17, 33];
        for w in sizes {
            for h in sizes {
                let area = Rect::new(3, 2, w, h);
                for n in 0..40 {
                    let rows: [Rect; 2] =
                        Layout::vertical([Constraint::Length(n), Constraint::Min(0)]).areas(area);
                    assert_eq!(split_rows(area, n), rows, "rows {n} of {area:?}");
                    let columns: [Rect; 2] =
                        Layout::horizontal([Constraint::Min(0), Constraint::Length(n)]).areas(area);
                    assert_eq!(split_columns(area, n), columns, "columns {n} of {area:?}");
                }
            }
        }
    }
}
