//! The four Markdown artifacts, their required sections, and governed text (DESIGN §2).

// Re-exported for callers written before `domain::digest` (branches merging into this one).
pub use super::digest::sha256_hex;

use super::gate::{GateId, Phase};
use super::ids::{IdPrefix, ItemId};
use super::markdown::{self, Document, Item, ItemKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Artifact {
    Spec,
    Feasibility,
    Design,
    AsBuilt,
}

impl Artifact {
    pub const ALL: [Artifact; 4] = [
        Artifact::Spec,
        Artifact::Feasibility,
        Artifact::Design,
        Artifact::AsBuilt,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            Artifact::Spec => "customer-spec.md",
            Artifact::Feasibility => "feasibility.md",
            Artifact::Design => "solution-design.md",
            Artifact::AsBuilt => "as-built.md",
        }
    }

    pub fn from_file_name(name: &str) -> Option<Artifact> {
        Artifact::ALL.into_iter().find(|a| a.file_name() == name)
    }

    pub fn title(self) -> &'static str {
        match self {
            Artifact::Spec => "Customer spec",
            Artifact::Feasibility => "Feasibility",
            Artifact::Design => "Solution design",
            Artifact::AsBuilt => "As-built",
        }
    }

    /// Sections a complete artifact must carry.
    pub fn required_sections(self) -> &'static [&'static str] {
        match self {
            Artifact::Spec => &[
                "Business Context",
                "Requirements",
                "Integrations",
                "Acceptance Criteria",
                "Constraints",
                "Out of Scope",
            ],
            Artifact::Feasibility => &[
                "Platform Inventory",
                "Requirement Assessment",
                "Reuse Candidates",
                "Constraints",
            ],
            Artifact::Design => &["Overview", "Components", "Testing Approach"],
            Artifact::AsBuilt => &["Components", "Deviations", "As-Built Notes"],
        }
    }

    /// Sections no gate governs: they may change without making a gate stale.
    pub fn ungoverned_sections(self) -> &'static [&'static str] {
        match self {
            Artifact::Spec => &["Amendments"],
            Artifact::AsBuilt => &["Deviations", "As-Built Notes"],
            Artifact::Feasibility | Artifact::Design => &[],
        }
    }

    /// The phase whose artifact this is; the TUI edits it only then (DESIGN §3 Editing).
    pub fn phase(self) -> Phase {
        match self {
            Artifact::Spec => Phase::Requirements,
            Artifact::Feasibility => Phase::Feasibility,
            Artifact::Design => Phase::Design,
            Artifact::AsBuilt => Phase::AsBuilt,
        }
    }
}

/// Which artifacts each gate's approval covers (its evidence).
pub fn gate_evidence(gate: GateId) -> &'static [Artifact] {
    match gate {
        GateId::One => &[Artifact::Spec],
        GateId::Two => &[Artifact::Spec, Artifact::Feasibility, Artifact::Design],
    }
}

/// The deviation an amendment item answers, when it has the form `- AMD-n (DEV-x): …`.
pub fn amendment_deviation(item: &Item) -> Option<ItemId> {
    if item.id.prefix != IdPrefix::Amd || item.kind != ItemKind::ListItem {
        return None;
    }
    match markdown::parenthesized(&item.text)?.0.as_slice() {
        [one] => one
            .parse::<ItemId>()
            .ok()
            .filter(|id| id.prefix == IdPrefix::Dev),
        _ => None,
    }
}

/// For each 0-based line of an artifact, whether no gate governs it (DESIGN §2 Governed text):
/// the as-built's Deviations and As-Built Notes sections whole; in the spec's Amendments
/// section only its heading, blank lines and `- AMD-n (DEV-x): …` items with their continuation
/// lines — anything else written there (a `- REQ-99`, free text) still says what the spec says,
/// so it is governed and makes Gate 1 stale.
pub fn ungoverned_lines(artifact: Artifact, text: &str, doc: &Document) -> Vec<bool> {
    let mut mask = vec![false; doc.line_count];
    let len = mask.len();
    let lines: Vec<&str> = markdown::lines(text).collect();
    for (index, section) in doc.sections.iter().enumerate() {
        if !artifact.ungoverned_sections().iter().any(|n| section.is(n)) {
            continue;
        }
        let span = section.span();
        if artifact != Artifact::Spec {
            if let Some(all) = mask.get_mut(span.start..span.end.min(len)) {
                all.fill(true);
            }
            continue;
        }
        if let Some(heading) = mask.get_mut(span.start) {
            *heading = true;
        }
        for line0 in section.body.clone() {
            if lines.get(line0).is_some_and(|l| l.trim().is_empty())
                && let Some(m) = mask.get_mut(line0)
            {
                *m = true;
            }
        }
        for item in doc
            .items
            .iter()
            .chain(&doc.duplicates)
            .filter(|i| i.section == Some(index) && amendment_deviation(i).is_some())
        {
            if let Some(lines) = mask.get_mut(item.lines.start..item.lines.end.min(len)) {
                lines.fill(true);
            }
        }
    }
    mask
}

/// An artifact with its ungoverned lines removed and trailing blank lines trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernedText {
    pub text: String,
    /// For each line of `text`, the 0-based line it came from in the full artifact.
    pub source_lines: Vec<usize>,
}

impl GovernedText {
    pub fn of(artifact: Artifact, text: &str) -> GovernedText {
        let doc = markdown::parse(text);
        GovernedText::from_parsed(artifact, text, &doc)
    }

    pub fn from_parsed(artifact: Artifact, text: &str, doc: &Document) -> GovernedText {
        let ungoverned = ungoverned_lines(artifact, text, doc);
        // Lines keep their own endings, so governing governed text changes nothing.
        let mut kept: Vec<(usize, &str)> = text
            .split_inclusive('\n')
            .enumerate()
            .filter(|(i, _)| !ungoverned.get(*i).copied().unwrap_or(false))
            .collect();
        while kept.last().is_some_and(|(_, l)| l.trim().is_empty()) {
            kept.pop();
        }
        let mut out = String::with_capacity(text.len());
        for (_, line) in &kept {
            out.push_str(line);
        }
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        GovernedText {
            text: out,
            source_lines: kept.into_iter().map(|(i, _)| i).collect(),
        }
    }

    pub fn sha256(&self) -> String {
        sha256_hex(self.text.as_bytes())
    }
}

/// Both hashes of one artifact's current text, as gate events record them.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ArtifactHashes {
    pub sha256: String,
    pub governed_sha256: String,
}

impl ArtifactHashes {
    pub fn of(artifact: Artifact, text: &str) -> ArtifactHashes {
        ArtifactHashes {
            sha256: sha256_hex(text.as_bytes()),
            governed_sha256: GovernedText::of(artifact, text).sha256(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn governed_text_drops_amendments_anywhere() {
        let spec = "# S\n## Requirements\n- REQ-1: a\n## Amendments\n- AMD-1 (DEV-1): b\n## Constraints\nnone\n\n\n";
        let governed = GovernedText::of(Artifact::Spec, spec);
        assert_eq!(
            governed.text,
            "# S\n## Requirements\n- REQ-1: a\n## Constraints\nnone\n"
        );
        assert_eq!(governed.source_lines, vec![0, 1, 2, 5, 6]);
        let without = "# S\n## Requirements\n- REQ-1: a\n## Constraints\nnone\n";
        assert_eq!(
            GovernedText::of(Artifact::Spec, without).sha256(),
            governed.sha256()
        );
    }

    #[test]
    fn only_amendment_items_are_ungoverned_in_the_spec() {
        let base = "# S\n## Requirements\n- REQ-1: a\n";
        let governed = |text: &str| GovernedText::of(Artifact::Spec, text).text;
        let with_amendments = format!(
            "{base}\n## Amendments\n\n- AMD-1 (DEV-1): narrowed\n  across two lines\n- **AMD-2** (DEV-3) — widened\n"
        );
        assert_eq!(governed(&with_amendments), governed(base));
        for smuggled in [
            "- REQ-99: also do IPv6",
            "Free text: REQ-1 now covers IPv6 too.",
            "- AMD-4: no deviation named",
            "- AMD-5 (REQ-1): not a deviation",
            "### AMD-6 (DEV-1): a heading is not an amendment item",
        ] {
            let text = format!("{with_amendments}{smuggled}\n");
            assert!(
                governed(&text).contains(smuggled),
                "`{smuggled}` must be governed:\n{}",
                governed(&text)
            );
        }
        // A second Amendments section earlier in the spec shields nothing but its items.
        let early = "# S\n## Amendments\nREQ-1 is dropped.\n## Requirements\n- REQ-1: a\n";
        assert!(governed(early).contains("REQ-1 is dropped."));
        assert!(!governed(early).contains("## Amendments"));
    }

    #[test]
    fn design_governs_everything() {
        let text = "## Amendments\nx\n";
        assert_eq!(GovernedText::of(Artifact::Design, text).text, text);
    }

    #[test]
    fn sha256_is_hex() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
