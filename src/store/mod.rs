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

use std::fmt;
use std::path::{Path, PathBuf};

use crate::domain::position::Finding;

/// Bad input or a failed filesystem operation, naming the file (and line/column when known).
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.as_os_str().is_empty() {
            return f.write_str(&self.message);
        }
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for StoreError {}
