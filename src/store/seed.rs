//! First run: a workspace with no engagement is seeded with the sample engagement compiled into
//! the binary, so a new user sees something real.

use std::fs;
use std::path::{Path, PathBuf};

use super::StoreError;
use super::atomic::write_atomic;
use super::workspace::list_engagements;

include!(concat!(env!("OUT_DIR"), "/seed.rs"));

pub const SEED_SLUG: &str = "vlan-qos";

/// Copies the seed engagement into `workspace` when the workspace holds no engagement.
/// Returns the seeded engagement's directory, if it seeded.
pub fn seed_workspace(workspace: &Path) -> Result<Option<PathBuf>, StoreError> {
    if !list_engagements(workspace)?.is_empty() {
        return Ok(None);
    }
    let root = workspace.join(SEED_SLUG);
    if root.exists() {
        return Ok(None);
    }
    for (rel, bytes) in SEED_FILES {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, &e))?;
        }
        write_atomic(&path, bytes)?;
    }
    Ok(Some(root))
}

/// Whether the engagement at `root` is the seeded sample: its `engagement.toml` is the seed's,
/// byte for byte (the sample stays a sample while people look around in it).
pub fn is_sample(root: &Path) -> bool {
    let Some((_, seed)) = SEED_FILES.iter().find(|(rel, _)| *rel == "engagement.toml") else {
        return false;
    };
    fs::read(root.join("engagement.toml")).is_ok_and(|b| b == *seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_once_and_the_seed_loads() {
        let ws = tempfile::tempdir().unwrap();
        let root = seed_workspace(ws.path()).unwrap().unwrap();
        assert!(seed_workspace(ws.path()).unwrap().is_none());
        assert!(is_sample(&root));
        assert!(!is_sample(ws.path()));
        let loaded = crate::store::engagement::load_strict(&root).unwrap();
        let ev = crate::domain::evaluate::evaluate(&loaded.engagement);
        assert!(ev.problems.is_empty(), "{:?}", ev.problems);
    }
}
