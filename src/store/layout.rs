//! Where things are inside an engagement directory (relative paths). A leaf: every store module
//! names these, none of them is needed to know them.

/// phasegate's own state (journal, locks, objects, drafts...).
pub const STATE_DIR: &str = ".phasegate";
/// Approved artifact snapshots, by full-text sha256.
pub const OBJECTS_DIR: &str = ".phasegate/objects";
/// Autosaved buffers and texts set aside (crash recovery).
pub const RECOVERY_DIR: &str = ".phasegate/recovery";
/// Running instances with the engagement open.
pub const PRESENCE_DIR: &str = ".phasegate/presence";
/// Registered agents.
pub const AGENTS_DIR: &str = ".phasegate/agents";
/// Reviewers' drafts.
pub const REVIEWS_DIR: &str = ".phasegate/reviews";
/// The build tree.
pub const BUILD_DIR: &str = "build";
