//! Reconciliation (DESIGN §3): the approved design's governed text against the as-built's,
//! line by line with no context; each hunk attributed to component sections and explained (or
//! not) by the deviations recorded in the as-built.

use std::collections::BTreeSet;
use std::ops::Range;

use similar::{Algorithm, DiffTag, capture_diff_slices};

use super::artifact::{Artifact, GovernedText};
use super::design;
use super::ids::ItemId;
use super::markdown;
use super::position::Position;
use super::records::{Deviation, DeviationTarget};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// 0-based line ranges in the design's and the as-built's governed text.
    pub design_lines: Range<usize>,
    pub as_built_lines: Range<usize>,
    /// Components whose sections the hunk touches (deleted lines by the design's sections,
    /// inserted lines by the as-built's).
    pub components: BTreeSet<ItemId>,
    /// The hunk touches lines outside any component section.
    pub outside: bool,
    /// Deviations naming a component (or `general`) the hunk touches.
    pub explained_by: Vec<ItemId>,
    /// What no deviation names yet.
    pub unexplained: Vec<DeviationTarget>,
    /// Where the hunk stands in the as-built (or in the design for a pure deletion).
    pub position: Position,
}

impl Hunk {
    pub fn is_explained(&self) -> bool {
        self.unexplained.is_empty()
    }

    /// `explained by DEV-1, DEV-2` or `UNEXPLAINED: no deviation names COMP-3, general`.
    pub fn verdict(&self) -> String {
        fn list<T: ToString>(items: &[T]) -> String {
            items
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
        if self.is_explained() {
            format!("explained by {}", list(&self.explained_by))
        } else {
            format!(
                "UNEXPLAINED: no deviation names {}",
                list(&self.unexplained)
            )
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    pub hunks: Vec<Hunk>,
    pub design_components: Vec<ItemId>,
    pub as_built_components: Vec<ItemId>,
}

impl Reconciliation {
    pub fn explained(&self) -> usize {
        self.hunks.iter().filter(|h| h.is_explained()).count()
    }
    pub fn added_components(&self) -> Vec<ItemId> {
        self.as_built_components
            .iter()
            .filter(|c| !self.design_components.contains(c))
            .copied()
            .collect()
    }
    pub fn removed_components(&self) -> Vec<ItemId> {
        self.design_components
            .iter()
            .filter(|c| !self.as_built_components.contains(c))
            .copied()
            .collect()
    }
}

/// One side of the comparison: governed text split into lines with its component map.
pub struct Side {
    pub governed: GovernedText,
    pub lines: Vec<String>,
    pub components: Vec<Option<ItemId>>,
    pub component_ids: Vec<ItemId>,
}

impl Side {
    pub fn new(artifact: Artifact, text: &str) -> Side {
        let parsed = markdown::parse(text);
        let governed = GovernedText::from_parsed(artifact, text, &parsed);
        // Nothing ungoverned (a design): the text's parse is the governed text's.
        let doc = if governed.text == text {
            parsed
        } else {
            markdown::parse(&governed.text)
        };
        let mut lines: Vec<String> = markdown::lines(&governed.text)
            .map(str::to_string)
            .collect();
        // The governed text ends with a newline: drop the empty piece after it.
        if lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        // One pass over the component sections gives both the line map and the IDs.
        let sections = design::components(&doc, &governed.text);
        let mut components = vec![None; doc.line_count];
        for c in &sections {
            for line in c.lines.clone() {
                if let Some(slot) = components.get_mut(line) {
                    *slot = Some(c.id);
                }
            }
        }
        let component_ids = sections.iter().map(|c| c.id).collect();
        Side {
            governed,
            lines,
            components,
            component_ids,
        }
    }
}

/// The line-level diff both the pane and the CLI use: runs of equal and changed lines.
pub fn line_ops(
    design: &[String],
    as_built: &[String],
) -> Vec<(DiffTag, Range<usize>, Range<usize>)> {
    capture_diff_slices(Algorithm::Myers, design, as_built)
        .into_iter()
        .map(|op| op.as_tag_tuple())
        .collect()
}

pub fn reconcile(
    approved_design: &str,
    as_built: &str,
    deviations: &[Deviation],
) -> Reconciliation {
    let old = Side::new(Artifact::Design, approved_design);
    let new = Side::new(Artifact::AsBuilt, as_built);
    let ops = line_ops(&old.lines, &new.lines);
    reconcile_sides(&old, &new, &ops, deviations)
}

/// Reconciliation of two prepared sides and their line diff (`line_ops`), for callers that
/// also align the rows (`sidebyside::compare`) and so compute both from one diff.
pub fn reconcile_sides(
    old: &Side,
    new: &Side,
    ops: &[(DiffTag, Range<usize>, Range<usize>)],
    deviations: &[Deviation],
) -> Reconciliation {
    let named: BTreeSet<DeviationTarget> = deviations.iter().filter_map(|d| d.target).collect();
    let mut hunks = Vec::new();
    let mut current: Option<(Range<usize>, Range<usize>)> = None;
    for (tag, o, n) in ops
        .iter()
        .cloned()
        .chain(std::iter::once((DiffTag::Equal, 0..0, 0..0)))
    {
        if tag == DiffTag::Equal {
            if let Some((o, n)) = current.take() {
                hunks.push(attribute(old, new, o, n, &named, deviations));
            }
            continue;
        }
        current = Some(match current.take() {
            Some((co, cn)) => (co.start..o.end.max(co.end), cn.start..n.end.max(cn.end)),
            None => (o, n),
        });
    }
    Reconciliation {
        hunks,
        design_components: old.component_ids.clone(),
        as_built_components: new.component_ids.clone(),
    }
}

fn attribute(
    old: &Side,
    new: &Side,
    design_lines: Range<usize>,
    as_built_lines: Range<usize>,
    named: &BTreeSet<DeviationTarget>,
    deviations: &[Deviation],
) -> Hunk {
    let mut components = BTreeSet::new();
    let mut outside = false;
    for owner in design_lines
        .clone()
        .map(|i| old.components.get(i).copied().flatten())
        .chain(
            as_built_lines
                .clone()
                .map(|i| new.components.get(i).copied().flatten()),
        )
    {
        match owner {
            Some(id) => {
                components.insert(id);
            }
            None => outside = true,
        }
    }
    let mut targets: Vec<DeviationTarget> = components
        .iter()
        .map(|c| DeviationTarget::Component(*c))
        .collect();
    if outside {
        targets.push(DeviationTarget::General);
    }
    let unexplained: Vec<DeviationTarget> = targets
        .iter()
        .filter(|t| !named.contains(t))
        .copied()
        .collect();
    let explained_by = deviations
        .iter()
        .filter(|d| d.target.is_some_and(|t| targets.contains(&t)))
        .map(|d| d.id)
        .collect();
    let position = if !as_built_lines.is_empty() {
        let line = new
            .governed
            .source_lines
            .get(as_built_lines.start)
            .map_or(0, |l| l + 1);
        Position::new(Artifact::AsBuilt.file_name(), line, 1)
    } else {
        let line = old
            .governed
            .source_lines
            .get(design_lines.start)
            .map_or(0, |l| l + 1);
        Position::new(Artifact::Design.file_name(), line, 1)
    };
    Hunk {
        design_lines,
        as_built_lines,
        components,
        outside,
        explained_by,
        unexplained,
        position,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::deviations;

    const DESIGN: &str = "# D\n## Overview\nIntro\n## Components\n### COMP-1: Model\n- reuse: new\n### COMP-2: Push\n- reuse: netconf\n- acceptance: AC-1\n## Testing Approach\nunit\n";

    fn rec(as_built: &str) -> Reconciliation {
        let doc = markdown::parse(as_built);
        reconcile(DESIGN, as_built, &deviations(&doc))
    }

    #[test]
    fn identical_texts_have_no_hunks() {
        let r = rec(&format!("{DESIGN}## Deviations\n## As-Built Notes\nfine\n"));
        assert!(r.hunks.is_empty());
    }

    #[test]
    fn hunk_in_component_needs_that_component() {
        let changed = DESIGN.replace("- reuse: netconf", "- reuse: gnmi");
        let r = rec(&format!(
            "{changed}## Deviations\n- DEV-1 (COMP-1, minor): wrong one — x\n"
        ));
        assert_eq!(r.hunks.len(), 1);
        let h = &r.hunks[0];
        assert_eq!(
            h.components
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["COMP-2"]
        );
        assert!(!h.is_explained());
        assert_eq!(h.position.to_string(), "as-built.md:8:1");
        let r = rec(&format!(
            "{changed}## Deviations\n- DEV-1 (COMP-2, minor): gNMI — x\n"
        ));
        assert!(r.hunks[0].is_explained());
    }

    #[test]
    fn general_explains_only_outside_lines() {
        let changed = DESIGN.replace("Intro", "Intro, revised");
        let r = rec(&format!(
            "{changed}## Deviations\n- DEV-1 (general, minor): wording — x\n"
        ));
        assert!(r.hunks[0].outside && r.hunks[0].is_explained());
        let changed = DESIGN.replace("- reuse: new", "- reuse: old");
        let r = rec(&format!(
            "{changed}## Deviations\n- DEV-1 (general, minor): x — y\n"
        ));
        assert!(!r.hunks[0].is_explained());
    }

    #[test]
    fn removed_and_added_components() {
        let changed = DESIGN.replace(
            "### COMP-2: Push\n- reuse: netconf\n- acceptance: AC-1\n",
            "### COMP-3: New\n- reuse: new\n",
        );
        let r = rec(&changed);
        assert_eq!(
            r.removed_components()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["COMP-2"]
        );
        assert_eq!(
            r.added_components()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["COMP-3"]
        );
        let h = &r.hunks[0];
        assert!(
            h.components.contains(&"COMP-2".parse().unwrap())
                && h.components.contains(&"COMP-3".parse().unwrap())
        );
    }
}
