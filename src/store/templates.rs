//! Templates new artifacts start from, compiled in.

use crate::domain::artifact::{Artifact, GovernedText};

const SPEC: &str = include_str!("templates/customer-spec.md");
const FEASIBILITY: &str = include_str!("templates/feasibility.md");
const DESIGN: &str = include_str!("templates/solution-design.md");
const AS_BUILT_TAIL: &str = include_str!("templates/as-built-tail.md");

/// The template of an artifact for an engagement titled `title`.
pub fn template(artifact: Artifact, title: &str) -> Option<String> {
    let text = match artifact {
        Artifact::Spec => SPEC,
        Artifact::Feasibility => FEASIBILITY,
        Artifact::Design => DESIGN,
        Artifact::AsBuilt => return None,
    };
    Some(text.replace("{{title}}", title))
}

/// `as-built.md` as created at the first Gate 2 approval: the approved design, then the
/// ungoverned Deviations and As-Built Notes sections.
pub fn as_built_from_design(approved_design: &str) -> String {
    // The governed text keeps the design byte for byte, so a fresh as-built reconciles cleanly.
    let mut out = GovernedText::of(Artifact::Design, approved_design).text;
    out.push('\n');
    out.push_str(AS_BUILT_TAIL.trim_end());
    out.push('\n');
    out
}
