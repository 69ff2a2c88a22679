//! Where something stands: `FILE:LINE:COL`, the form every message uses.

use std::fmt;

/// What a position is in. Messages print `file` either way; the subject says whether it names
/// a file of the engagement (to open, or to put under the engagement directory) or not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// `file` is a path relative to the engagement directory (empty: no file).
    #[default]
    File,
    /// A gate's decision itself, by the gate's number: `file` is its label, `Gate N`.
    Gate(u8),
    /// The design's approved snapshot under `objects/`: `file` is `objects (approved design)`.
    ApprovedDesign,
}

/// A place in an engagement file. `line`/`column` are 1-based; 0 means "the file as a whole".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// What `file` names; not in the JSON, where `file` says it.
    #[serde(skip)]
    pub subject: Subject,
}

impl Position {
    pub fn new(file: impl Into<String>, line: usize, column: usize) -> Self {
        Position {
            file: file.into(),
            line,
            column,
            subject: Subject::File,
        }
    }
    pub fn file(file: impl Into<String>) -> Self {
        Position::new(file, 0, 0)
    }

    /// A gate's decision as a whole (its criteria records, its approval): `Gate N`.
    pub fn gate(number: u8) -> Self {
        Position {
            subject: Subject::Gate(number),
            ..Position::file(format!("Gate {number}"))
        }
    }

    /// A place in the design's approved snapshot, which is not a file the user edits.
    pub fn approved_design(line: usize, column: usize) -> Self {
        Position {
            subject: Subject::ApprovedDesign,
            ..Position::new("objects (approved design)", line, column)
        }
    }

    /// Whether the position names a path under the engagement directory, rather than a gate.
    pub fn is_under_engagement(&self) -> bool {
        !self.file.is_empty() && !matches!(self.subject, Subject::Gate(_))
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}", self.file),
            (line, 0) => write!(f, "{}:{line}", self.file),
            (line, column) => write!(f, "{}:{line}:{column}", self.file),
        }
    }
}

/// A message about a place: a failed criterion, a refused transition, a warning.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub position: Position,
    pub message: String,
}

impl Finding {
    pub fn new(position: Position, message: impl Into<String>) -> Self {
        Finding {
            position,
            message: message.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message)
    }
}

/// 1-based line and column of a byte offset in `text` (columns count characters).
pub fn line_column(text: &str, byte_offset: usize) -> (usize, usize) {
    let offset = byte_offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// `FILE:LINE:COL: message` with the file under the engagement directory.
pub fn locate(root: &std::path::Path, finding: &Finding) -> String {
    let mut f = finding.clone();
    if f.position.is_under_engagement() {
        f.position.file = root.join(&f.position.file).display().to_string();
    }
    f.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gate_and_the_approved_design_print_as_before_and_only_files_go_under_the_engagement() {
        let root = std::path::Path::new("/w/e");
        let gate = Finding::new(Position::gate(2), "CRIT-1 has no recorded result");
        assert_eq!(gate.position.subject, Subject::Gate(2));
        assert_eq!(locate(root, &gate), "Gate 2: CRIT-1 has no recorded result");
        let snapshot = Finding::new(Position::approved_design(4, 3), "COMP-1 removed");
        assert_eq!(
            snapshot.to_string(),
            "objects (approved design):4:3: COMP-1 removed"
        );
        assert_eq!(
            locate(root, &snapshot),
            "/w/e/objects (approved design):4:3: COMP-1 removed"
        );
        let file = Finding::new(Position::new("customer-spec.md", 1, 1), "x");
        assert_eq!(locate(root, &file), "/w/e/customer-spec.md:1:1: x");
        assert_eq!(locate(root, &Finding::new(Position::file(""), "y")), ": y");
    }

    #[test]
    fn displays_file_line_col() {
        assert_eq!(Position::new("a.md", 3, 4).to_string(), "a.md:3:4");
        assert_eq!(Position::file("a.md").to_string(), "a.md");
    }

    #[test]
    fn line_column_of_offsets() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("é\nx", 3), (2, 1));
    }
}
