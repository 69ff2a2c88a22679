//! The filesystem: workspace discovery, engagement load and save, atomic writes, the advisory
//! lock, content-addressed objects, templates, and the size/encoding/symlink limits.

pub mod agents;
pub mod atomic;
pub mod catalog;
pub mod confine;
pub mod engagement;
pub mod git;
pub mod instance;
pub mod layout;
pub mod limits;
pub mod load;
pub mod lock;
pub mod metrics;
pub mod own_writes;
pub mod queue;
pub mod recovery;
pub mod review;
pub mod seed;
pub mod sign;
pub mod templates;
pub mod watch;
pub mod workspace;

use std::path::{Path, PathBuf};

use crate::domain::position::Finding;

/// Bad input or a failed filesystem operation, naming the file (and line/column when known):
/// `FILE:LINE:COL: message`, or the message alone when no file is concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", self.location())]
pub struct StoreError {
    /// The file as the user should see it (full path).
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl StoreError {
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> StoreError {
        StoreError {
            path: path.into(),
            line: 0,
            column: 0,
            message: message.into(),
        }
    }

    pub fn io(path: &Path, err: &std::io::Error) -> StoreError {
        StoreError::new(path, describe_io(err))
    }

    /// `FILE: `, `FILE:LINE: ` or `FILE:LINE:COL: `, as far as known; empty without a file.
    fn location(&self) -> String {
        if self.path.as_os_str().is_empty() {
            return String::new();
        }
        let mut out = self.path.display().to_string();
        if self.line > 0 {
            out.push_str(&format!(":{}", self.line));
            if self.column > 0 {
                out.push_str(&format!(":{}", self.column));
            }
        }
        out + ": "
    }

    /// A finding about a file relative to the engagement directory `root`.
    pub fn from_finding(root: &Path, finding: &Finding) -> StoreError {
        StoreError {
            path: root.join(&finding.position.file),
            line: finding.position.line,
            column: finding.position.column,
            message: finding.message.clone(),
        }
    }
}

fn describe_io(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "not found".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_error_names_what_it_knows_of_its_position() {
        let at = |line, column| StoreError {
            path: PathBuf::from("/w/e/customer-spec.md"),
            line,
            column,
            message: "not UTF-8".into(),
        };
        assert_eq!(at(0, 0).to_string(), "/w/e/customer-spec.md: not UTF-8");
        assert_eq!(at(3, 0).to_string(), "/w/e/customer-spec.md:3: not UTF-8");
        assert_eq!(at(3, 7).to_string(), "/w/e/customer-spec.md:3:7: not UTF-8");
        assert_eq!(
            StoreError::new("", "no workspace").to_string(),
            "no workspace"
        );
    }
}
