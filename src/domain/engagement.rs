//! An engagement as read: `engagement.toml`, the journal, the artifacts, the approved
//! snapshots and the build files — the one input of every rule (`evaluate`).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::artifact::Artifact;
use super::build_file::BuildFile;
use super::catalog::Catalog;
use super::journal::Journal;
use super::meta::EngagementMeta;

/// Everything read from an engagement directory; the input of every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Engagement {
    pub slug: String,
    pub meta: EngagementMeta,
    pub journal: Journal,
    pub texts: BTreeMap<Artifact, String>,
    /// Approved artifact snapshots from `objects/`, by full-text sha256 (verified on load).
    pub snapshots: BTreeMap<String, String>,
    pub build_files: Vec<BuildFile>,
    /// The workspace's reuse catalog (its closed engagements), gathered by the store when the
    /// engagement has a baseline or reuses from the catalog; empty otherwise.
    pub catalog: Arc<Catalog>,
}

impl Engagement {
    /// An engagement of `meta` and `journal` with nothing else read yet (no texts, snapshots,
    /// build files or catalog): the store's first loading step, and tests and benches, add what
    /// they need.
    pub fn new(slug: impl Into<String>, meta: EngagementMeta, journal: Journal) -> Engagement {
        Engagement {
            slug: slug.into(),
            meta,
            journal,
            texts: BTreeMap::new(),
            snapshots: BTreeMap::new(),
            build_files: Vec::new(),
            catalog: Default::default(),
        }
    }
}
