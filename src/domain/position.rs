//! Where something stands: `FILE:LINE:COL`, the form every message uses.

use std::fmt;

/// A place in an engagement file. `line`/`column` are 1-based; 0 means "the file as a whole".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub fn new(file: impl Into<String>, line: usize, column: usize) -> Self {
        Position {
            file: file.into(),
            line,
            column,
        }
    }
    pub fn file(file: impl Into<String>) -> Self {
        Position::new(file, 0, 0)
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
    if !f.position.file.is_empty() && !f.position.file.starts_with("Gate ") {
        f.position.file = root.join(&f.position.file).display().to_string();
    }
    f.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
