//! Three-way merge of a text: the base both sides started from, mine and theirs (the disk).
//! Changes of one side are applied; where both sides changed the same base lines (or touch each
//! other) differently, the region gets diff3-style conflict markers holding mine, the base and
//! theirs, so nothing is lost and only the conflicting hunks need a decision.

use similar::{Algorithm, DiffTag, capture_diff_slices};

/// A merged text and how many conflict regions it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedText {
    pub text: String,
    pub conflicts: usize,
}

/// One side's change: base lines `start..end` become `lines`.
#[derive(Debug, Clone)]
struct Change<'a> {
    start: usize,
    end: usize,
    lines: Vec<&'a str>,
}

fn changes<'a>(base: &[&'a str], side: &[&'a str]) -> Vec<Change<'a>> {
    capture_diff_slices(Algorithm::Myers, base, side)
        .into_iter()
        .filter(|op| op.tag() != DiffTag::Equal)
        .map(|op| Change {
            start: op.old_range().start,
            end: op.old_range().end,
            lines: side.get(op.new_range()).unwrap_or_default().to_vec(),
        })
        .collect()
}

/// The side's version of base lines `from..to`, given its changes inside that range.
fn side_version<'a>(
    base: &[&'a str],
    from: usize,
    to: usize,
    changes: &[Change<'a>],
) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut pos = from;
    for c in changes {
        out.extend_from_slice(base.get(pos..c.start).unwrap_or_default());
        out.extend_from_slice(&c.lines);
        pos = c.end;
    }
    out.extend_from_slice(base.get(pos..to).unwrap_or_default());
    out
}

fn push_block(out: &mut String, lines: &[&str]) {
    for l in lines {
        out.push_str(l);
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Merges `mine` and `theirs`, both edited from `base`, line by line. Labels name the sides in
/// the markers (`<<<<<<< mine`, `||||||| base`, `=======`, `>>>>>>> theirs`).
pub fn merge3(base: &str, mine: &str, theirs: &str, labels: [&str; 3]) -> MergedText {
    let b: Vec<&str> = base.split_inclusive('\n').collect();
    let m: Vec<&str> = mine.split_inclusive('\n').collect();
    let t: Vec<&str> = theirs.split_inclusive('\n').collect();
    let mine_changes = changes(&b, &m);
    let their_changes = changes(&b, &t);
    let (mut i, mut j) = (0, 0);
    let mut pos = 0;
    let mut text = String::with_capacity(mine.len().max(theirs.len()));
    let mut conflicts = 0;
    while i < mine_changes.len() || j < their_changes.len() {
        // The next change of either side starts a cluster; every change of either side that
        // overlaps or touches the cluster joins it.
        let mine_first = match (mine_changes.get(i), their_changes.get(j)) {
            (Some(a), Some(c)) => a.start <= c.start,
            (Some(_), None) => true,
            _ => false,
        };
        let first = if mine_first {
            &mine_changes[i]
        } else {
            &their_changes[j]
        };
        let (start, mut end) = (first.start, first.end);
        let (i0, j0) = (i, j);
        loop {
            let mut grew = false;
            while let Some(c) = mine_changes.get(i).filter(|c| c.start <= end) {
                end = end.max(c.end);
                i += 1;
                grew = true;
            }
            while let Some(c) = their_changes.get(j).filter(|c| c.start <= end) {
                end = end.max(c.end);
                j += 1;
                grew = true;
            }
            if !grew {
                break;
            }
        }
        for l in b.get(pos..start).unwrap_or_default() {
            text.push_str(l);
        }
        let mine_part = side_version(&b, start, end, &mine_changes[i0..i]);
        let their_part = side_version(&b, start, end, &their_changes[j0..j]);
        if j == j0 || mine_part == their_part {
            mine_part.iter().for_each(|l| text.push_str(l));
        } else if i == i0 {
            their_part.iter().for_each(|l| text.push_str(l));
        } else {
            conflicts += 1;
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&format!("<<<<<<< {}\n", labels[0]));
            push_block(&mut text, &mine_part);
            text.push_str(&format!("||||||| {}\n", labels[1]));
            push_block(&mut text, b.get(start..end).unwrap_or_default());
            text.push_str("=======\n");
            push_block(&mut text, &their_part);
            text.push_str(&format!(">>>>>>> {}\n", labels[2]));
        }
        pos = end;
    }
    for l in b.get(pos..).unwrap_or_default() {
        text.push_str(l);
    }
    MergedText { text, conflicts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const L: [&str; 3] = ["mine", "base", "disk"];

    #[test]
    fn edits_of_different_lines_merge_without_markers() {
        let base = "a\nb\nc\nd\ne\n";
        let mine = "a\nB (mine)\nc\nd\ne\n";
        let disk = "a\nb\nc\nD (disk)\ne\nf\n";
        let m = merge3(base, mine, disk, L);
        assert_eq!(m.conflicts, 0);
        assert_eq!(m.text, "a\nB (mine)\nc\nD (disk)\ne\nf\n");
    }

    #[test]
    fn the_same_line_edited_twice_gets_markers_only_there() {
        let base = "a\nb\nc\nd\ne\n";
        let mine = "A (mine)\nb\nc (mine)\nd\ne\n";
        let disk = "a\nb\nc (disk)\nd\nE (disk)\n";
        let m = merge3(base, mine, disk, L);
        assert_eq!(m.conflicts, 1);
        assert_eq!(
            m.text,
            "A (mine)\nb\n<<<<<<< mine\nc (mine)\n||||||| base\nc\n=======\nc (disk)\n>>>>>>> disk\nd\nE (disk)\n"
        );
    }

    #[test]
    fn the_same_change_on_both_sides_is_taken_once() {
        let m = merge3("a\nb\n", "a\nx\n", "a\nx\n", L);
        assert_eq!(
            m,
            MergedText {
                text: "a\nx\n".into(),
                conflicts: 0
            }
        );
    }

    #[test]
    fn a_last_line_without_newline_keeps_the_markers_on_their_own_lines() {
        let m = merge3("a\nb", "a\nmine", "a\ndisk", L);
        assert_eq!(m.conflicts, 1);
        assert_eq!(
            m.text,
            "a\n<<<<<<< mine\nmine\n||||||| base\nb\n=======\ndisk\n>>>>>>> disk\n"
        );
    }

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof!["a\n", "b\n", "c\n", "d\n", "e", "f\n", "g\n"],
            0..12,
        )
        .prop_map(|v| v.concat())
    }

    proptest! {
        /// One side unchanged: the merge is the other side, byte for byte, without markers.
        #[test]
        fn one_side_unchanged_gives_the_other(base in text(), side in text()) {
            prop_assert_eq!(merge3(&base, &base, &side, L), MergedText { text: side.clone(), conflicts: 0 });
            prop_assert_eq!(merge3(&base, &side, &base, L), MergedText { text: side.clone(), conflicts: 0 });
            prop_assert_eq!(merge3(&base, &side, &side, L), MergedText { text: side, conflicts: 0 });
        }

        /// Every line either side added is in the merge (applied, or inside the markers).
        #[test]
        fn nothing_is_lost(base in text(), mine in text(), theirs in text()) {
            let m = merge3(&base, &mine, &theirs, L);
            let added = mine
                .lines()
                .chain(theirs.lines())
                .filter(|l| !base.lines().any(|b| b == *l));
            for line in added {
                prop_assert!(m.text.lines().any(|l| l == line), "{:?} lost in {:?}", line, m.text);
            }
        }
    }
}
