//! A file under `build/` as the store hands it to the domain. A leaf: the catalog and the
//! evaluation both read it.

use super::ids::{IdPrefix, ItemId};

/// A file under `build/`, as the store found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildFile {
    /// Path relative to `build/`, with `/` separators.
    pub path: String,
    pub sha256: Option<String>,
    /// Why the file was not read (a symlink leaving the engagement, unreadable…).
    pub problem: Option<String>,
}

impl BuildFile {
    /// `build/COMP-3/…` belongs to COMP-3 by convention.
    pub fn component(&self) -> Option<ItemId> {
        let first = self.path.split('/').next()?;
        first
            .parse::<ItemId>()
            .ok()
            .filter(|id| id.prefix == IdPrefix::Comp)
    }
}
