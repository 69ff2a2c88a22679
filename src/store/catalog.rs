//! Gathers the workspace's closed engagements for the reuse catalog (the catalog itself is a
//! pure function of them: `domain::catalog`).

use std::path::{Path, PathBuf};

use crate::domain::artifact::Artifact;
use crate::domain::catalog::{self, Catalog, ClosedEngagement};
use crate::domain::journal::JOURNAL_FILE;
use crate::domain::phase::replay;

use super::StoreError;
use super::limits::read_text;
use super::load::load_engagement;
use super::workspace::list_engagements;

/// The engagement at `root` as the catalog reads it, when it is closed.
pub fn load_closed(root: &Path) -> Result<Option<ClosedEngagement>, StoreError> {
    // Most engagements are open: a look at the journal's text spares parsing their artifacts.
    let journal = read_text(root, &root.join(JOURNAL_FILE))?.unwrap_or_default();
    if !journal.contains("kind = \"closed\"") {
        return Ok(None);
    }
    let loaded = load_engagement(root)?;
    let e = loaded.engagement;
    let Some(closed) = replay(&e.journal.events).closed else {
        return Ok(None);
    };
    let Some(event) = e.journal.events.iter().find(|ev| ev.seq == closed.seq) else {
        return Ok(None);
    };
    let text = |a: Artifact| e.texts.get(&a).cloned().unwrap_or_default();
    Ok(Some(ClosedEngagement {
        slug: e.slug.clone(),
        title: e.meta.title.clone(),
        closing_hash: event.hash.clone(),
        closed_at: closed.at,
        baseline: e.meta.baseline.clone(),
        spec: text(Artifact::Spec),
        as_built: text(Artifact::AsBuilt),
        build_files: e.build_files,
    }))
}

/// The catalog of every closed engagement in `workspace`, with the engagements that could not be
/// read (they are left out, and named).
pub fn load_catalog(workspace: &Path) -> (Catalog, Vec<StoreError>) {
    let mut closed = Vec::new();
    let mut issues = Vec::new();
    match list_engagements(workspace) {
        Ok(roots) => {
            for root in roots {
                match load_closed(&root) {
                    Ok(Some(c)) => closed.push(c),
                    Ok(None) => {}
                    Err(e) => issues.push(e),
                }
            }
        }
        Err(e) => issues.push(e),
    }
    (catalog::build(closed), issues)
}

/// The workspace an engagement directory sits in.
pub fn workspace_of(root: &Path) -> PathBuf {
    std::fs::canonicalize(root)
        .ok()
        .and_then(|r| r.parent().map(Path::to_path_buf))
        .or_else(|| root.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."))
}
