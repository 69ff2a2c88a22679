//! The workspace list as the model holds it: the engagements, the gates waiting for the acting
//! identity, the filter and the cursor.

use std::path::PathBuf;

use crate::domain::evaluate::GateState;
use crate::domain::phase::Phase;

/// One engagement as the workspace list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceRow {
    pub slug: String,
    pub root: PathBuf,
    pub title: String,
    pub owner: String,
    pub phase: Option<Phase>,
    pub gates: [Option<GateState>; 2],
    /// A quorum partly met on a pending gate: approvals on the current text and how many it
    /// needs (`[policy] approvals`, `required_roles`).
    pub quorum: [Option<(usize, usize)>; 2],
    pub last_change: Option<String>,
    /// Why the engagement could not be loaded.
    pub problem: Option<String>,
    /// The sample seeded on first run (the list says so, and how to start your own).
    pub sample: bool,
}

/// A gate the acting identity may decide, as the list's first group ("waiting for you") shows
/// it: `phasegate queue`'s entry for it (`domain::queue`), and where the engagement is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingRow {
    pub root: PathBuf,
    pub entry: crate::domain::queue::QueueEntry,
}

/// One line of the workspace list a cursor can stand on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListItem<'a> {
    /// A gate of the "waiting for you" group (listed first, oldest first).
    Waiting(&'a WaitingRow),
    Engagement(&'a WorkspaceRow),
}

impl ListItem<'_> {
    /// What the item is, whatever its index: the cursor follows it when the list changes.
    pub fn key(&self) -> (String, Option<u8>) {
        match self {
            ListItem::Waiting(w) => (w.entry.engagement.clone(), Some(w.entry.gate)),
            ListItem::Engagement(r) => (r.slug.clone(), None),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct WorkspaceState {
    pub root: PathBuf,
    pub rows: Vec<WorkspaceRow>,
    /// The gates waiting for the acting identity (read apart from the rows, off the input
    /// path: `Effect::LoadQueue`).
    pub waiting: Vec<WaitingRow>,
    /// Why the waiting group could not be read.
    pub waiting_error: Option<String>,
    pub filter: String,
    /// Index into [`WorkspaceState::items`]: the waiting gates, then the engagements.
    pub selected: usize,
    pub error: Option<String>,
    /// Enter was pressed on a waiting gate of this engagement: it opens on the gate review.
    pub opening_review: Option<PathBuf>,
}

impl WorkspaceState {
    fn matches(&self, slug: &str, title: &str, owner: &str) -> bool {
        let needle = self.filter.to_lowercase();
        needle.is_empty()
            || slug.to_lowercase().contains(&needle)
            || title.to_lowercase().contains(&needle)
            || owner.to_lowercase().contains(&needle)
    }

    /// Rows matching the filter (slug, title or owner, case-insensitive).
    pub fn visible(&self) -> Vec<&WorkspaceRow> {
        self.rows
            .iter()
            .filter(|r| self.matches(&r.slug, &r.title, &r.owner))
            .collect()
    }

    /// Waiting gates matching the filter, oldest first.
    pub fn waiting_visible(&self) -> Vec<&WaitingRow> {
        self.waiting
            .iter()
            .filter(|w| self.matches(&w.entry.engagement, &w.entry.title, &w.entry.owner))
            .collect()
    }

    /// Everything the cursor moves over, in list order.
    pub fn items(&self) -> Vec<ListItem<'_>> {
        let mut out: Vec<ListItem<'_>> = self
            .waiting_visible()
            .into_iter()
            .map(ListItem::Waiting)
            .collect();
        out.extend(self.visible().into_iter().map(ListItem::Engagement));
        out
    }

    /// Where the engagement `slug`'s own row is in [`WorkspaceState::items`].
    pub fn position_of(&self, slug: &str) -> Option<usize> {
        self.items()
            .iter()
            .position(|i| matches!(i, ListItem::Engagement(r) if r.slug == slug))
    }

    /// Keeps the cursor on the list after it changed length.
    pub fn clamp_selection(&mut self) {
        let n = self.items().len();
        self.selected = self.selected.min(n.saturating_sub(1));
    }
}
