//! The four Markdown artifacts, their required sections, and governed text (DESIGN §2).

use sha2::{Digest, Sha256};

use super::markdown::{self, Document};
use super::phase::Phase;

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

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    out
}

/// An artifact with its ungoverned sections removed and trailing blank lines trimmed.
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
        let removed: Vec<std::ops::Range<usize>> = doc
            .sections
            .iter()
            .filter(|s| artifact.ungoverned_sections().iter().any(|n| s.is(n)))
            .map(|s| s.span())
            .collect();
        // Lines keep their own endings, so governing governed text changes nothing.
        let mut kept: Vec<(usize, &str)> = text
            .split_inclusive('\n')
            .enumerate()
            .filter(|(i, _)| !removed.iter().any(|r| r.contains(i)))
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
