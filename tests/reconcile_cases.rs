//! Hunk attribution (DESIGN §3 Reconciliation), case by case: hunks at section edges, a hunk
//! spanning two components, added and removed components, renamed headings, lines outside
//! `## Components`, and what `general` can and cannot explain. Every case also checks that the
//! pane's aligned rows (`sidebyside`) group exactly the reconciliation's hunks, so the pane, the
//! CLI and `close` agree.

use phasegate::domain::artifact::Artifact;
use phasegate::domain::markdown;
use phasegate::domain::reconcile::{Hunk, Reconciliation, Side, reconcile};
use phasegate::domain::records::{DeviationTarget, deviations};
use phasegate::domain::sidebyside::side_by_side;

const DESIGN: &str = "# Solution Design

## Overview
The renderer and the push, built leaves first.
See COMP-1 for the data.

## Components

### COMP-1: Data model
- satisfies: REQ-1
- depends-on: none
- reuse: netbox-client v2.3
- acceptance: AC-1
The custom field and its choice set.

### COMP-2: Push
- satisfies: REQ-2
- depends-on: COMP-1
- reuse: nornir-push v3.1
- acceptance: AC-2
Pushes with a diff and rolls back.

## Testing Approach
- COMP-1 in CI, COMP-2 in the lab.
";

/// The as-built: `design` (edited) plus the ungoverned sections.
fn as_built(design: &str, devs: &[&str]) -> String {
    let mut t = design.to_string();
    t.push_str("\n## Deviations\n");
    for d in devs {
        t.push_str(d);
        t.push('\n');
    }
    t.push_str("\n## As-Built Notes\nBuilt in one window.\n");
    t
}

fn rec(design: &str, as_built: &str) -> Reconciliation {
    let r = reconcile(design, as_built, &deviations(&markdown::parse(as_built)));
    // The pane and the CLI group the same hunks from the same rows.
    let left = Side::new(Artifact::Design, design);
    let right = Side::new(Artifact::AsBuilt, as_built);
    let sbs = side_by_side(&left.lines, &right.lines);
    assert_eq!(
        sbs.hunks.len(),
        r.hunks.len(),
        "pane hunks = reconciliation hunks"
    );
    for (rows, h) in sbs.hunks.iter().zip(&r.hunks) {
        let rows = &sbs.rows[rows.clone()];
        let lefts: Vec<usize> = rows
            .iter()
            .filter_map(|r| r.left.as_ref().map(|c| c.line))
            .collect();
        let rights: Vec<usize> = rows
            .iter()
            .filter_map(|r| r.right.as_ref().map(|c| c.line))
            .collect();
        assert_eq!(lefts, h.design_lines.clone().collect::<Vec<_>>());
        assert_eq!(rights, h.as_built_lines.clone().collect::<Vec<_>>());
    }
    r
}

fn components(h: &Hunk) -> Vec<String> {
    h.components.iter().map(ToString::to_string).collect()
}

fn unexplained(h: &Hunk) -> Vec<String> {
    h.unexplained.iter().map(ToString::to_string).collect()
}

fn only(r: &Reconciliation) -> &Hunk {
    assert_eq!(r.hunks.len(), 1, "{:#?}", r.hunks);
    &r.hunks[0]
}

#[test]
fn identical_governed_text_has_no_hunks_whatever_the_notes_say() {
    let r = rec(
        DESIGN,
        &as_built(DESIGN, &["- DEV-1 (general, minor): nothing — really"]),
    );
    assert!(r.hunks.is_empty());
    assert_eq!(r.explained(), 0);
}

#[test]
fn last_line_of_a_section_belongs_to_that_section_not_the_next() {
    let changed = DESIGN.replace(
        "The custom field and its choice set.",
        "The custom field, its choice set and a migration.",
    );
    let r = rec(DESIGN, &as_built(&changed, &[]));
    let h = only(&r);
    assert_eq!(components(h), ["COMP-1"]);
    assert!(!h.outside);
    assert_eq!(unexplained(h), ["COMP-1"]);
}

#[test]
fn blank_line_before_the_next_heading_still_belongs_to_the_section_above() {
    // An inserted line right before `### COMP-2` sits in COMP-1's section in the as-built.
    let changed = DESIGN.replace(
        "The custom field and its choice set.\n",
        "The custom field and its choice set.\nMigration: one-off.\n",
    );
    let r = rec(
        DESIGN,
        &as_built(&changed, &["- DEV-1 (COMP-1, minor): migration — needed"]),
    );
    let h = only(&r);
    assert_eq!(components(h), ["COMP-1"]);
    assert!(h.is_explained());
    assert_eq!(h.design_lines.len(), 0, "a pure insertion");
}

#[test]
fn last_component_ends_at_the_next_level_2_heading() {
    let changed = DESIGN.replace(
        "Pushes with a diff and rolls back.",
        "Pushes over RESTCONF and rolls back.",
    );
    let r = rec(DESIGN, &as_built(&changed, &[]));
    assert_eq!(components(only(&r)), ["COMP-2"]);
    // The first line after `## Testing Approach` is outside any component.
    let changed = DESIGN.replace(
        "- COMP-1 in CI, COMP-2 in the lab.",
        "- COMP-1 in CI, COMP-2 in lab pod 2.",
    );
    let r = rec(
        DESIGN,
        &as_built(&changed, &["- DEV-1 (COMP-2, minor): lab — pod 2"]),
    );
    let h = only(&r);
    assert!(
        h.components.is_empty() && h.outside,
        "mentioning COMP-2 does not make it COMP-2's"
    );
    assert_eq!(
        unexplained(h),
        ["general"],
        "naming COMP-2 does not explain an outside line"
    );
}

#[test]
fn a_hunk_spanning_two_components_needs_both_named() {
    // Three consecutive lines: COMP-1's last line, the blank line, COMP-2's heading.
    let changed = DESIGN.replace(
        "The custom field and its choice set.\n\n### COMP-2: Push\n",
        "The custom field and its choice set, versioned.\n<!-- v3 -->\n### COMP-2: Push and rollback\n",
    );
    let r = rec(
        DESIGN,
        &as_built(&changed, &["- DEV-1 (COMP-1, minor): versioned — v3"]),
    );
    let h = only(&r);
    assert_eq!(components(h), ["COMP-1", "COMP-2"]);
    assert!(!h.is_explained());
    assert_eq!(
        unexplained(h),
        ["COMP-2"],
        "only what no deviation names is listed"
    );
    assert_eq!(
        h.explained_by
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["DEV-1"]
    );
    let r = rec(
        DESIGN,
        &as_built(
            &changed,
            &[
                "- DEV-1 (COMP-1, minor): versioned — v3",
                "- DEV-2 (COMP-2, scope-change): REQ-3 — asked",
            ],
        ),
    );
    let h = only(&r);
    assert!(h.is_explained());
    assert_eq!(h.explained_by.len(), 2);
}

#[test]
fn a_general_deviation_never_turns_component_hunks_green() {
    let changed = DESIGN
        .replace(
            "The renderer and the push",
            "The renderer and the RESTCONF push",
        )
        .replace("- reuse: nornir-push v3.1", "- reuse: new RESTCONF task");
    let r = rec(
        DESIGN,
        &as_built(&changed, &["- DEV-1 (general, minor): wording — clarity"]),
    );
    assert_eq!(r.hunks.len(), 2);
    assert!(
        r.hunks[0].outside && r.hunks[0].is_explained(),
        "general explains the Overview line"
    );
    assert_eq!(components(&r.hunks[1]), ["COMP-2"]);
    assert!(
        !r.hunks[1].is_explained(),
        "general does not explain COMP-2's line"
    );
    assert_eq!(r.explained(), 1);
}

#[test]
fn a_component_heading_outside_components_is_not_a_component_section() {
    let design = DESIGN.replace(
        "See COMP-1 for the data.",
        "### COMP-1: mentioned in the overview\nSee COMP-1 for the data.",
    );
    let changed = design.replace("See COMP-1 for the data.", "See COMP-1 for the data model.");
    let r = rec(
        &design,
        &as_built(&changed, &["- DEV-1 (COMP-1, minor): x — y"]),
    );
    let h = only(&r);
    assert!(h.components.is_empty() && h.outside);
    assert_eq!(unexplained(h), ["general"]);
}

#[test]
fn a_non_component_level_3_heading_ends_the_component_section() {
    let design = DESIGN.replace(
        "Pushes with a diff and rolls back.\n",
        "Pushes with a diff and rolls back.\n\n### Shared notes\nTimeouts are 30 s.\n",
    );
    let changed = design.replace("Timeouts are 30 s.", "Timeouts are 60 s.");
    let r = rec(&design, &as_built(&changed, &[]));
    let h = only(&r);
    assert!(h.components.is_empty() && h.outside, "{h:?}");
}

#[test]
fn renamed_heading_stays_with_its_component() {
    let changed = DESIGN.replace(
        "### COMP-2: Push",
        "### COMP-2: Push and rollback over RESTCONF",
    );
    let r = rec(
        DESIGN,
        &as_built(&changed, &["- DEV-1 (COMP-2, minor): renamed — clearer"]),
    );
    let h = only(&r);
    assert_eq!(components(h), ["COMP-2"]);
    assert!(!h.outside && h.is_explained());
}

#[test]
fn renumbered_heading_touches_the_old_and_the_new_component() {
    let changed = DESIGN.replace("### COMP-2: Push", "### COMP-3: Push");
    let r = rec(
        DESIGN,
        &as_built(&changed, &["- DEV-1 (COMP-3, minor): renumbered — clash"]),
    );
    let h = only(&r);
    assert_eq!(
        components(h),
        ["COMP-2", "COMP-3"],
        "deleted line by the design's section, inserted by the as-built's"
    );
    assert_eq!(unexplained(h), ["COMP-2"]);
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
}

#[test]
fn an_added_component_needs_a_deviation_naming_it() {
    let changed = DESIGN.replace(
        "## Testing Approach",
        "### COMP-3: Catalog item\n- satisfies: REQ-2\n- depends-on: COMP-2\n- reuse: new\n- acceptance: AC-2\n\n## Testing Approach",
    );
    let r = rec(DESIGN, &as_built(&changed, &[]));
    let h = only(&r);
    // The blank line that ends COMP-2 is unchanged; the new lines are all COMP-3's.
    assert_eq!(components(h), ["COMP-3"]);
    assert_eq!(
        r.added_components()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["COMP-3"]
    );
    let r = rec(
        DESIGN,
        &as_built(
            &changed,
            &["- DEV-1 (COMP-3, scope-change): catalog item — ServiceNow needs it"],
        ),
    );
    assert!(only(&r).is_explained());
}

#[test]
fn a_removed_component_is_attributed_by_the_design_sections() {
    let start = DESIGN.find("### COMP-2").expect("COMP-2");
    let end = DESIGN.find("## Testing Approach").expect("testing");
    let changed = format!("{}{}", &DESIGN[..start], &DESIGN[end..]);
    let r = rec(
        DESIGN,
        &as_built(
            &changed,
            &["- DEV-1 (COMP-2, design-change): dropped — the workflow pushes"],
        ),
    );
    let h = only(&r);
    assert_eq!(components(h), ["COMP-2"]);
    assert!(h.is_explained());
    assert_eq!(h.as_built_lines.len(), 0, "a pure deletion");
    assert_eq!(
        h.position.file, "solution-design.md",
        "a pure deletion points into the design"
    );
    assert_eq!(
        r.removed_components()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["COMP-2"]
    );
}

#[test]
fn deviations_with_malformed_targets_explain_nothing() {
    let changed = DESIGN.replace("- reuse: netbox-client v2.3", "- reuse: netbox-client v2.4");
    let r = rec(
        DESIGN,
        &as_built(
            &changed,
            &[
                "- DEV-1 (COMP-9, minor): typo — x",
                "- DEV-2 minor: no parentheses — x",
            ],
        ),
    );
    let h = only(&r);
    assert_eq!(unexplained(h), ["COMP-1"]);
    assert!(h.explained_by.is_empty());
    assert_eq!(
        h.unexplained,
        [DeviationTarget::Component("COMP-1".parse().expect("id"))]
    );
}

#[test]
fn hunk_positions_are_file_lines_of_the_as_built() {
    let changed = DESIGN.replace("- acceptance: AC-2", "- acceptance: AC-2, AC-3");
    let text = as_built(&changed, &[]);
    let r = rec(DESIGN, &text);
    let h = only(&r);
    let line = text
        .lines()
        .position(|l| l == "- acceptance: AC-2, AC-3")
        .expect("line")
        + 1;
    assert_eq!(h.position.to_string(), format!("as-built.md:{line}:1"));
}
