//! The diff pane's model: the approved design (left) against the as-built (right), both governed
//! text, as the aligned rows of `domain::sidebyside` (the computation `phasegate diff` prints)
//! and the hunks of the evaluation's reconciliation. Unchanged runs fold around
//! `CONTEXT_LINES` rows of context; every hunk gets a header entry. The model is computed once
//! per load and shared (`Arc`); scrolling only moves indices.

use std::fmt;
use std::sync::Arc;

use unicode_width::UnicodeWidthChar;

use crate::domain::artifact::Artifact;
use crate::domain::engagement::Engagement;
use crate::domain::evaluate::{Evaluation, approved_design_text, baseline_engagement};
use crate::domain::ids::ItemId;
use crate::domain::reconcile::Hunk;
use crate::domain::records::Deviation;
use crate::domain::sidebyside::{CONTEXT_LINES, Comparison, RowKind, SideBySide, compare};

/// One line of the pane's list (in side-by-side layout; stacked layout shows a changed row as
/// two screen lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Unchanged rows `from..to` folded into one line.
    Fold { from: usize, to: usize },
    /// The header of hunk `n`: its position, components and explanation.
    Header(usize),
    /// Row `n` of the side-by-side rows.
    Row(usize),
}

/// The entries of one fold setting and where each hunk's header stands among them.
#[derive(Debug, Clone, Default)]
pub struct Entries {
    pub list: Vec<Entry>,
    pub headers: Vec<usize>,
}

impl Entries {
    fn build(sbs: &SideBySide, show: &[bool]) -> Entries {
        let mut out = Entries::default();
        let mut next_hunk = 0;
        let mut row = 0;
        let n = sbs.rows.len();
        while row < n {
            if !show.get(row).copied().unwrap_or(true) {
                let from = row;
                while row < n && !show.get(row).copied().unwrap_or(true) {
                    row += 1;
                }
                out.list.push(Entry::Fold { from, to: row });
                continue;
            }
            if sbs.hunks.get(next_hunk).is_some_and(|h| h.start == row) {
                out.headers.push(out.list.len());
                out.list.push(Entry::Header(next_hunk));
                next_hunk += 1;
            }
            out.list.push(Entry::Row(row));
            row += 1;
        }
        out
    }
}

/// Everything the diff pane draws, computed once per load.
pub struct DiffModel {
    pub sbs: SideBySide,
    /// The reconciliation's hunks, in the order of `sbs.hunks`.
    pub hunks: Vec<Hunk>,
    /// 1-based line in the file for each governed line, per side.
    pub design_numbers: Vec<usize>,
    pub as_built_numbers: Vec<usize>,
    pub folded: Entries,
    pub full: Entries,
    /// The journal event of the Gate 2 approval whose design is on the left.
    pub approved_seq: u64,
    /// The widest line, in display columns (bounds horizontal scrolling).
    pub widest: usize,
    /// Set when the left side is the Day-2 baseline's text instead of the approved design.
    pub baseline: Option<BaselineSide>,
}

/// The pane comparing the current spec or design (right) with the baseline's (left).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineSide {
    /// `SLUG@<12 hex>`.
    pub reference: String,
    /// The right side: the current spec or design.
    pub artifact: Artifact,
    /// Per hunk, the requirements, criteria or components whose items it touches.
    pub labels: Vec<Vec<ItemId>>,
}

/// IDs of the items whose lines hold any of `governed` (0-based governed lines, mapped to
/// 1-based file lines by `numbers`).
fn touched_items(
    doc: &crate::domain::markdown::Document,
    numbers: &[usize],
    governed: std::ops::Range<usize>,
    out: &mut std::collections::BTreeSet<ItemId>,
) {
    for k in governed {
        let Some(line) = numbers.get(k).map(|n| n.saturating_sub(1)) else {
            continue;
        };
        out.extend(
            doc.items
                .iter()
                .filter(|i| i.lines.contains(&line))
                .map(|i| i.id),
        );
    }
}

impl fmt::Debug for DiffModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DiffModel({} rows, {} hunks)",
            self.sbs.rows.len(),
            self.hunks.len()
        )
    }
}

/// Below this text width per side, the pane stacks the two sides.
pub const MIN_SIDE_WIDTH: usize = 40;

/// What the pane can show: rows of text, and whether the sides are stacked (a changed row then
/// takes two lines). Estimated from the terminal size by `update`, exact in the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    pub rows: usize,
    pub stacked: bool,
    /// Columns of text each side shows side by side (0: unknown, no sideways scroll to a
    /// change).
    pub text_width: usize,
}

/// Columns kept left of a change when the pane scrolls sideways to it.
pub const CHANGE_MARGIN: usize = 8;

/// Display width of a line as the pane draws it (tabs as one column, controls as one).
pub fn display_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(1)).sum()
}

impl DiffModel {
    /// The model of two texts: `sidebyside::compare`, the computation `phasegate diff`
    /// prints (rows and hunks from one line diff), plus folds.
    pub fn build(
        approved_design: &str,
        as_built: &str,
        deviations: &[Deviation],
        approved_seq: u64,
    ) -> DiffModel {
        let Comparison {
            design,
            as_built: built,
            reconciliation,
            rows: sbs,
        } = compare(approved_design, as_built, deviations);
        let hunks = reconciliation.hunks;
        let widest = design
            .lines
            .iter()
            .chain(built.lines.iter())
            .map(|l| display_width(l))
            .max()
            .unwrap_or(0);
        let folded = Entries::build(&sbs, &sbs.fold_mask(CONTEXT_LINES));
        let full = Entries::build(&sbs, &vec![true; sbs.rows.len()]);
        DiffModel {
            design_numbers: design.governed.source_lines.iter().map(|l| l + 1).collect(),
            as_built_numbers: built.governed.source_lines.iter().map(|l| l + 1).collect(),
            sbs,
            hunks,
            folded,
            full,
            approved_seq,
            widest,
            baseline: None,
        }
    }

    /// The current spec or design (`artifact`) against the Day-2 baseline's spec or reconciled
    /// design; hunks are labelled by the requirements, criteria or components they touch.
    pub fn against_baseline(
        e: &Engagement,
        artifact: Option<Artifact>,
    ) -> Result<DiffModel, String> {
        let Some(reference) = e.meta.baseline.as_deref() else {
            return Err(
                "no baseline: this engagement was not started `--from` a closed engagement".into(),
            );
        };
        let Some(base) = baseline_engagement(e) else {
            return Err(format!(
                "baseline {reference} is not a closed engagement of this workspace: nothing to compare"
            ));
        };
        let (left, artifact) = match artifact {
            Some(Artifact::Spec) => (base.spec.clone(), Artifact::Spec),
            Some(Artifact::Design) => (base.reconciled_design(), Artifact::Design),
            _ => {
                return Err(
                    "the baseline comparison is of the spec (1) or the design (3): show one of them"
                        .into(),
                );
            }
        };
        let right = e.texts.get(&artifact).cloned().unwrap_or_default();
        let mut model = DiffModel::build(&left, &right, &[], 0);
        let (left_doc, right_doc) = (
            crate::domain::markdown::parse(&left),
            crate::domain::markdown::parse(&right),
        );
        let labels = model
            .hunks
            .iter()
            .map(|h| {
                let mut ids = std::collections::BTreeSet::new();
                touched_items(
                    &left_doc,
                    &model.design_numbers,
                    h.design_lines.clone(),
                    &mut ids,
                );
                touched_items(
                    &right_doc,
                    &model.as_built_numbers,
                    h.as_built_lines.clone(),
                    &mut ids,
                );
                ids.into_iter().collect()
            })
            .collect();
        model.baseline = Some(BaselineSide {
            reference: format!("{}@{}", base.slug, base.version()),
            artifact,
            labels,
        });
        Ok(model)
    }

    /// The model of an engagement on disk, when Gate 2 holds an approval and `as-built.md`
    /// exists; otherwise why there is nothing to compare.
    pub fn of(e: &Engagement, ev: &Evaluation) -> Result<DiffModel, String> {
        let Some(design) = approved_design_text(e, ev) else {
            return Err(format!(
                "no approved design to compare yet: the diff exists from Gate 2 on (the engagement is in {})",
                ev.phase.title()
            ));
        };
        let Some(as_built) = e.texts.get(&Artifact::AsBuilt) else {
            return Err(
                "as-built.md is missing (it is created at the first Gate 2 approval)".into(),
            );
        };
        let seq = ev.gates[1].approval.as_ref().map_or(0, |a| a.seq);
        Ok(DiffModel::build(design, as_built, &ev.deviations, seq))
    }

    pub fn explained(&self) -> usize {
        self.hunks.iter().filter(|h| h.is_explained()).count()
    }

    /// The number of rows hunk `h` spans.
    pub fn hunk_len(&self, h: usize) -> usize {
        self.sbs.hunks.get(h).map_or(0, std::ops::Range::len)
    }

    /// Width of the line-number columns: the widest number on either side, at least 3.
    pub fn number_width(&self) -> usize {
        let max = self
            .design_numbers
            .last()
            .copied()
            .unwrap_or(0)
            .max(self.as_built_numbers.last().copied().unwrap_or(0));
        max.to_string().len().max(3)
    }

    /// Text width of each side in a pane `width` columns wide (gutters `NNN m ` and a
    /// separator taken off).
    pub fn side_width(&self, width: usize) -> usize {
        width.saturating_sub(2 * (self.number_width() + 3) + 1) / 2
    }

    /// Whether a pane `width` columns wide stacks the sides.
    pub fn stacked(&self, width: usize) -> bool {
        self.side_width(width) < MIN_SIDE_WIDTH
    }

    /// Screen lines an entry takes: a changed row is two lines when the sides are stacked.
    pub fn height(&self, entry: Entry, stacked: bool) -> usize {
        match entry {
            Entry::Row(r)
                if stacked
                    && self
                        .sbs
                        .rows
                        .get(r)
                        .is_some_and(|r| r.kind == RowKind::Changed) =>
            {
                2
            }
            _ => 1,
        }
    }
}

/// The diff pane's state: the shared model and where the reader is.
#[derive(Debug, Clone)]
pub struct DiffView {
    pub model: Arc<DiffModel>,
    /// First entry shown.
    pub top: usize,
    /// Columns scrolled off the left of both sides' text.
    pub hscroll: usize,
    /// The hunk actions apply to (`D`, `A`, open).
    pub current: usize,
    /// Every unchanged line shown (no folds).
    pub unfolded: bool,
}

impl DiffView {
    pub fn new(model: DiffModel, viewport: Viewport) -> DiffView {
        let mut view = DiffView {
            model: Arc::new(model),
            top: 0,
            hscroll: 0,
            current: 0,
            unfolded: false,
        };
        view.goto_hunk(0, viewport);
        view
    }

    pub fn entries(&self) -> &Entries {
        if self.unfolded {
            &self.model.full
        } else {
            &self.model.folded
        }
    }

    /// The current hunk, when there is one.
    pub fn hunk(&self) -> Option<&Hunk> {
        self.model.hunks.get(self.current)
    }

    /// The last top that still fills the viewport (the end of the diff on its last line).
    pub fn max_top(&self, viewport: Viewport) -> usize {
        let list = &self.entries().list;
        let mut used = 0;
        let mut top = list.len();
        while let Some(entry) = top.checked_sub(1).and_then(|i| list.get(i)) {
            let h = self.model.height(*entry, viewport.stacked);
            if used + h > viewport.rows.max(1) {
                break;
            }
            used += h;
            top -= 1;
        }
        top.min(list.len().saturating_sub(1))
    }

    /// Shows hunk `h` with its context above it (or as near the top as the end allows) and,
    /// side by side, scrolls sideways so its first changed word is on screen.
    pub fn goto_hunk(&mut self, h: usize, viewport: Viewport) {
        if let Some(at) = self.entries().headers.get(h).copied() {
            self.current = h;
            self.top = at.saturating_sub(CONTEXT_LINES).min(self.max_top(viewport));
            if !viewport.stacked
                && viewport.text_width > 0
                && let Some(col) = self.first_change_column(h)
            {
                self.hscroll = if col + CHANGE_MARGIN < viewport.text_width {
                    0
                } else {
                    col.saturating_sub(CHANGE_MARGIN)
                        .min(self.model.widest.saturating_sub(1))
                };
            }
        }
    }

    /// The display column of the first changed word in hunk `h`, either side.
    pub fn first_change_column(&self, h: usize) -> Option<usize> {
        let range = self.model.sbs.hunks.get(h)?.clone();
        self.model
            .sbs
            .rows
            .get(range)?
            .iter()
            .flat_map(|r| r.left.iter().chain(r.right.iter()))
            .filter_map(|cell| {
                let mut col = 0;
                for seg in &cell.segments {
                    if seg.emphasized {
                        return Some(col);
                    }
                    col += display_width(&seg.text);
                }
                None
            })
            .min()
    }

    /// Moves to the next hunk; false when the current one is the last.
    pub fn next_hunk(&mut self, viewport: Viewport) -> bool {
        let h = self.current + 1;
        if h < self.entries().headers.len() {
            self.goto_hunk(h, viewport);
            true
        } else {
            false
        }
    }

    pub fn prev_hunk(&mut self, viewport: Viewport) -> bool {
        match self.current.checked_sub(1) {
            Some(h) if h < self.entries().headers.len() => {
                self.goto_hunk(h, viewport);
                true
            }
            _ => false,
        }
    }

    /// Scrolls by `delta` entries (clamped to the viewport) and makes the hunk in view current.
    pub fn scroll_by(&mut self, delta: isize, viewport: Viewport) {
        let top = if delta < 0 {
            self.top.saturating_sub(delta.unsigned_abs())
        } else {
            self.top.saturating_add(delta.unsigned_abs())
        };
        self.top = top.min(self.max_top(viewport).max(self.top.min(top)));
        self.sync_current();
    }

    pub fn to_top(&mut self) {
        self.top = 0;
        self.sync_current();
    }

    /// The end of the diff on the last line of the viewport.
    pub fn to_bottom(&mut self, viewport: Viewport) {
        self.top = self.max_top(viewport);
        self.sync_current();
    }

    pub fn scroll_horizontally(&mut self, delta: isize) {
        let h = if delta < 0 {
            self.hscroll.saturating_sub(delta.unsigned_abs())
        } else {
            self.hscroll.saturating_add(delta.unsigned_abs())
        };
        self.hscroll = h.min(self.model.widest.saturating_sub(1));
    }

    /// The hunk being read: the one whose rows are at the reading line (a few lines below the
    /// top), else the next one below it, else the last.
    fn sync_current(&mut self) {
        let headers = &self.entries().headers;
        if headers.is_empty() {
            return;
        }
        let at = self.top + CONTEXT_LINES;
        let before = headers.partition_point(|h| *h <= at);
        if let Some(h) = before.checked_sub(1) {
            let end = headers[h] + 1 + self.model.hunk_len(h);
            if at < end {
                self.current = h;
                return;
            }
        }
        self.current = before.min(headers.len() - 1);
    }

    /// Folds or unfolds unchanged lines, keeping the line at the top in place.
    pub fn toggle_folds(&mut self) {
        let anchor = self.entries().list.get(self.top).copied();
        self.unfolded = !self.unfolded;
        let list = &self.entries().list;
        self.top = match anchor {
            Some(Entry::Row(r)) => list.iter().position(|e| *e == Entry::Row(r)),
            Some(Entry::Header(h)) => list.iter().position(|e| *e == Entry::Header(h)),
            Some(Entry::Fold { from, .. }) => list.iter().position(|e| match e {
                Entry::Row(r) => *r >= from,
                Entry::Fold { to, .. } => *to > from,
                Entry::Header(_) => false,
            }),
            None => None,
        }
        .unwrap_or(0);
    }

    /// A new model after a reload: the position is kept as far as it still exists.
    pub fn replace_model(&mut self, model: DiffModel) {
        self.model = Arc::new(model);
        self.top = self.top.min(self.entries().list.len().saturating_sub(1));
        self.hscroll = self.hscroll.min(self.model.widest);
        self.current = self.current.min(self.model.hunks.len().saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::markdown;
    use crate::domain::records::deviations;

    fn model(design: &str, as_built: &str) -> DiffModel {
        DiffModel::build(design, as_built, &deviations(&markdown::parse(as_built)), 1)
    }

    fn doc(n: usize, changed: &[usize]) -> (String, String) {
        let mut a = String::from("# D\n## Components\n");
        let mut b = a.clone();
        for i in 0..n {
            a.push_str(&format!("line {i}\n"));
            if changed.contains(&i) {
                b.push_str(&format!("line {i} changed\n"));
            } else {
                b.push_str(&format!("line {i}\n"));
            }
        }
        (a, b)
    }

    #[test]
    fn folds_keep_context_and_headers_point_at_hunks() {
        let (a, b) = doc(40, &[10, 30]);
        let m = model(&a, &b);
        assert_eq!(m.hunks.len(), 2);
        assert_eq!(m.folded.headers.len(), 2);
        for (h, at) in m.folded.headers.iter().enumerate() {
            assert_eq!(m.folded.list[*at], Entry::Header(h));
        }
        // fold, 2 context, header, row, 2 context, fold, 2 context, header, row, 2 context, fold
        assert!(matches!(m.folded.list[0], Entry::Fold { .. }));
        assert_eq!(m.folded.list.len(), 15);
        assert_eq!(m.full.list.len(), m.sbs.rows.len() + 2);
    }

    const VP: Viewport = Viewport {
        rows: 10,
        stacked: false,
        text_width: 0,
    };

    #[test]
    fn hunk_navigation_and_scroll_follow_the_reader() {
        let (a, b) = doc(200, &[50, 120, 190]);
        let mut v = DiffView::new(model(&a, &b), VP);
        assert_eq!(v.current, 0);
        assert!(v.next_hunk(VP));
        assert_eq!(v.current, 1);
        assert!(v.next_hunk(VP));
        assert!(!v.next_hunk(VP));
        assert_eq!(
            v.top,
            v.max_top(VP),
            "the last hunk does not scroll past the end"
        );
        assert!(v.prev_hunk(VP));
        assert_eq!(v.current, 1);
        v.toggle_folds();
        assert!(v.unfolded);
        assert_eq!(
            v.entries().list.get(v.top + CONTEXT_LINES),
            Some(&Entry::Header(1))
        );
        v.to_top();
        assert_eq!(v.current, 0);
        v.scroll_by(100, VP);
        assert_eq!(v.current, 1, "between hunks the next one is current");
        v.scroll_by(10_000, VP);
        assert_eq!(v.top, v.max_top(VP));
        assert_eq!(
            v.entries().list.len() - v.top,
            10,
            "the end fills the viewport"
        );
        v.scroll_by(-1000, VP);
        assert_eq!(v.top, 0);
        v.scroll_horizontally(-5);
        assert_eq!(v.hscroll, 0);
        v.scroll_horizontally(1000);
        assert!(v.hscroll < v.model.widest);
    }

    #[test]
    fn going_to_a_hunk_scrolls_sideways_to_its_first_changed_word() {
        let prefix = "x".repeat(100);
        let same: String = (0..10).map(|i| format!("same {i}\n")).collect();
        let a = format!("# D\n## Components\nshort one\n{prefix} old tail\n{same}short two\n");
        let b = format!("# D\n## Components\nshort one\n{prefix} new tail\n{same}short three\n");
        let vp = Viewport {
            rows: 10,
            stacked: false,
            text_width: 40,
        };
        let mut v = DiffView::new(model(&a, &b), vp);
        assert_eq!(v.model.hunks.len(), 2, "{:?}", v.model.sbs.hunks);
        assert_eq!(v.first_change_column(0), Some(101));
        assert_eq!(v.hscroll, 101 - CHANGE_MARGIN, "the change is on screen");
        assert!(v.next_hunk(vp));
        assert_eq!(v.hscroll, 0, "a change near the start shows the start");
        // Stacked, the text wraps: no sideways jump.
        let stacked = Viewport {
            stacked: true,
            ..vp
        };
        let v = DiffView::new(model(&a, &b), stacked);
        assert_eq!(v.hscroll, 0);
    }

    #[test]
    fn stacked_rows_take_two_lines_at_the_end() {
        let (a, b) = doc(30, &[27, 28, 29]);
        let v = DiffView::new(model(&a, &b), VP);
        let stacked = Viewport {
            rows: 10,
            stacked: true,
            text_width: 0,
        };
        let lines: usize = v.entries().list[v.max_top(stacked)..]
            .iter()
            .map(|e| v.model.height(*e, true))
            .sum();
        assert!((9..=10).contains(&lines), "{lines}");
        assert!(v.model.stacked(78) && !v.model.stacked(118));
    }

    #[test]
    fn identical_texts_have_no_entries_to_navigate() {
        let (a, _) = doc(10, &[]);
        let mut v = DiffView::new(model(&a, &a), VP);
        assert!(v.hunk().is_none());
        assert!(!v.next_hunk(VP) && !v.prev_hunk(VP));
        assert_eq!(v.entries().list.len(), 1, "one fold");
        v.scroll_by(5, VP);
        v.toggle_folds();
        assert_eq!(v.top, 0);
    }
}
