//! The approved-design-versus-as-built diff as aligned rows: a changed line sits beside its
//! counterpart, with word-level emphasis inside changed lines. The hunks are exactly the
//! reconciliation's (same line diff, same grouping), so the pane, the CLI and `close` agree.

use std::ops::Range;

use similar::{Algorithm, DiffTag, capture_diff_slices};

use super::artifact::Artifact;
use super::reconcile::{Reconciliation, Side, line_ops, reconcile_sides};
use super::records::Deviation;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Equal,
    /// Both sides present and different.
    Changed,
    /// Only in the approved design.
    Deleted,
    /// Only in the as-built.
    Inserted,
}

/// A run of text within a line; `emphasized` marks the words that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub emphasized: bool,
}

/// One side of a row: the 0-based line in that side's governed text, and its segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub line: usize,
    pub segments: Vec<Segment>,
}

impl Cell {
    pub fn text(&self) -> String {
        self.segments.iter().map(|s| s.text.as_str()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub kind: RowKind,
    pub left: Option<Cell>,
    pub right: Option<Cell>,
    /// Index of the hunk this row belongs to (`None` for equal rows).
    pub hunk: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SideBySide {
    pub rows: Vec<Row>,
    /// Row range of each hunk, in the order of `Reconciliation::hunks`.
    pub hunks: Vec<Range<usize>>,
}

/// Unchanged lines shown around each hunk when the rest folds (pane and CLI alike).
pub const CONTEXT_LINES: usize = 2;

impl SideBySide {
    /// Which rows a reader sees: every hunk row plus `context` unchanged rows around each hunk;
    /// the other unchanged runs fold. The pane and `phasegate diff` fold the same rows.
    pub fn fold_mask(&self, context: usize) -> Vec<bool> {
        let mut show = vec![false; self.rows.len()];
        for h in &self.hunks {
            let from = h.start.saturating_sub(context).min(show.len());
            let to = h.end.saturating_add(context).min(show.len());
            for s in &mut show[from..to] {
                *s = true;
            }
        }
        show
    }
}

/// Splits a line into words, runs of whitespace and single punctuation characters.
fn tokens(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<u8> = None; // 0 word, 1 space
    for (i, c) in line.char_indices() {
        let class = if c.is_alphanumeric() || c == '_' {
            Some(0)
        } else if c.is_whitespace() {
            Some(1)
        } else {
            None
        };
        if i > start && (class.is_none() || class != prev) {
            out.push(&line[start..i]);
            start = i;
        }
        prev = class;
    }
    if start < line.len() {
        out.push(&line[start..]);
    }
    out
}

fn plain(text: &str) -> Vec<Segment> {
    vec![Segment {
        text: text.to_string(),
        emphasized: false,
    }]
}

fn push(segments: &mut Vec<Segment>, text: &str, emphasized: bool) {
    match segments.last_mut() {
        Some(last) if last.emphasized == emphasized => last.text.push_str(text),
        _ => segments.push(Segment {
            text: text.to_string(),
            emphasized,
        }),
    }
}

/// Word-level emphasis for a changed pair of lines.
pub fn inline_changes(old: &str, new: &str) -> (Vec<Segment>, Vec<Segment>) {
    let a = tokens(old);
    let b = tokens(new);
    let mut left = Vec::new();
    let mut right = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        let (tag, o, n) = op.as_tag_tuple();
        let changed = tag != DiffTag::Equal;
        for t in &a[o] {
            push(&mut left, t, changed);
        }
        for t in &b[n] {
            push(&mut right, t, changed);
        }
    }
    (left, right)
}

pub fn side_by_side(design: &[String], as_built: &[String]) -> SideBySide {
    side_by_side_ops(design, as_built, &line_ops(design, as_built))
}

/// Everything a design-vs-as-built diff shows, computed once: both governed sides, the
/// reconciliation (hunks ↔ deviations) and the aligned rows, all from one line diff.
pub struct Comparison {
    pub design: Side,
    pub as_built: Side,
    pub reconciliation: Reconciliation,
    pub rows: SideBySide,
}

/// The comparison `phasegate diff` prints and the diff pane shows.
pub fn compare(approved_design: &str, as_built: &str, deviations: &[Deviation]) -> Comparison {
    let design = Side::new(Artifact::Design, approved_design);
    let as_built = Side::new(Artifact::AsBuilt, as_built);
    let ops = line_ops(&design.lines, &as_built.lines);
    let reconciliation = reconcile_sides(&design, &as_built, &ops, deviations);
    let rows = side_by_side_ops(&design.lines, &as_built.lines, &ops);
    Comparison {
        design,
        as_built,
        reconciliation,
        rows,
    }
}

/// The aligned rows of a line diff already computed (`reconcile::line_ops`).
pub fn side_by_side_ops(
    design: &[String],
    as_built: &[String],
    ops: &[(DiffTag, Range<usize>, Range<usize>)],
) -> SideBySide {
    let mut out = SideBySide::default();
    let mut pending: Option<(Range<usize>, Range<usize>)> = None;
    let ops = ops.iter().cloned();
    let flush = |out: &mut SideBySide, o: Range<usize>, n: Range<usize>| {
        let hunk = out.hunks.len();
        let first = out.rows.len();
        let pairs = o.len().max(n.len());
        for k in 0..pairs {
            let l = (k < o.len()).then(|| o.start + k);
            let r = (k < n.len()).then(|| n.start + k);
            let row = match (l, r) {
                (Some(l), Some(r)) => {
                    let (ls, rs) = inline_changes(&design[l], &as_built[r]);
                    Row {
                        kind: RowKind::Changed,
                        left: Some(Cell {
                            line: l,
                            segments: ls,
                        }),
                        right: Some(Cell {
                            line: r,
                            segments: rs,
                        }),
                        hunk: Some(hunk),
                    }
                }
                (Some(l), None) => Row {
                    kind: RowKind::Deleted,
                    left: Some(Cell {
                        line: l,
                        segments: plain(&design[l]),
                    }),
                    right: None,
                    hunk: Some(hunk),
                },
                (None, Some(r)) => Row {
                    kind: RowKind::Inserted,
                    left: None,
                    right: Some(Cell {
                        line: r,
                        segments: plain(&as_built[r]),
                    }),
                    hunk: Some(hunk),
                },
                (None, None) => continue,
            };
            out.rows.push(row);
        }
        out.hunks.push(first..out.rows.len());
    };
    for (tag, o, n) in ops {
        if tag == DiffTag::Equal {
            if let Some((po, pn)) = pending.take() {
                flush(&mut out, po, pn);
            }
            for (l, r) in o.zip(n) {
                out.rows.push(Row {
                    kind: RowKind::Equal,
                    left: Some(Cell {
                        line: l,
                        segments: plain(&design[l]),
                    }),
                    right: Some(Cell {
                        line: r,
                        segments: plain(&as_built[r]),
                    }),
                    hunk: None,
                });
            }
            continue;
        }
        pending = Some(match pending.take() {
            Some((po, pn)) => (po.start..o.end.max(po.end), pn.start..n.end.max(pn.end)),
            None => (o, n),
        });
    }
    if let Some((po, pn)) = pending.take() {
        flush(&mut out, po, pn);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    #[test]
    fn changed_lines_sit_side_by_side_with_word_emphasis() {
        let a = lines("one\n- reuse: netconf\nthree\nfour");
        let b = lines("one\n- reuse: gnmi\nthree\nfour\nfive");
        let sbs = side_by_side(&a, &b);
        assert_eq!(sbs.hunks.len(), 2);
        let changed = &sbs.rows[1];
        assert_eq!(changed.kind, RowKind::Changed);
        let right = changed.right.as_ref().unwrap();
        assert_eq!(right.text(), "- reuse: gnmi");
        assert!(
            right
                .segments
                .iter()
                .any(|s| s.emphasized && s.text == "gnmi")
        );
        assert!(
            right
                .segments
                .iter()
                .any(|s| !s.emphasized && s.text.contains("reuse"))
        );
        assert_eq!(sbs.rows.last().unwrap().kind, RowKind::Inserted);
    }

    #[test]
    fn hunks_match_reconciliation() {
        let design =
            "## Components\n### COMP-1: A\n- reuse: new\nx\ny\n### COMP-2: B\n- reuse: z\n";
        let as_built = "## Components\n### COMP-1: A\n- reuse: old\nx\ny\n### COMP-2: B\n- reuse: w\n## Deviations\n";
        let r = crate::domain::reconcile::reconcile(design, as_built, &[]);
        let l = lines(design);
        let b = lines(as_built.trim_end_matches("## Deviations\n"));
        assert_eq!(side_by_side(&l, &b).hunks.len(), r.hunks.len());
    }

    #[test]
    fn tokens_cover_the_line() {
        for line in ["", "a b", "émoji 🎉 x-y", "  lead"] {
            assert_eq!(tokens(line).concat(), line);
        }
    }
}
