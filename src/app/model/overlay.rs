//! The overlays and dialogs as plain data: confirmations, prompts, the Build forms
//! (`model::forms`), the lifecycle dialogs and the catalog. Their handlers are in
//! `app::update::{overlay, build, lifecycle, catalog}`.

use std::path::PathBuf;
use std::sync::Arc;

use super::forms::BuildOverlay;
use crate::domain::catalog::{Catalog, CatalogEntry};
use crate::domain::journal::{ArtifactRecord, CriterionResult, GateId};
use crate::domain::rules::GateReview;

/// A gate decision as the confirmation shows it and the effect records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateDecision {
    pub gate: GateId,
    pub review: GateReview,
    /// The artifact hashes the reviewer saw: the compare-and-swap of the approval.
    pub reviewed: Vec<ArtifactRecord>,
    pub approver: String,
    /// Every criterion's result as it will be recorded.
    pub results: Vec<(String, CriterionResult)>,
    /// Reason of a rejection.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    Approve(GateDecision),
    Reject(GateDecision),
    QuitUnsaved,
    /// Quit with a gate review not sent as a decision (its draft is kept).
    QuitUnsentReview,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    /// A waiver reason for a criterion.
    Waive { criterion: String },
    /// A rejection reason for a gate.
    RejectReason { gate: GateId },
    /// Text to find in the shown artifact.
    Search,
    /// A command by name, vim's `:` (`w`, `q`, a line number, any command of help).
    CommandLine,
    /// A note recorded with the gate decision being confirmed (optional); back to it after.
    Note { decision: Box<Confirm> },
}

impl PromptKind {
    pub fn title(&self) -> String {
        match self {
            PromptKind::Waive { criterion } => format!("Waive {criterion}: reason"),
            PromptKind::RejectReason { gate } => format!("Reject Gate {}: reason", gate.number()),
            PromptKind::Search => "Search".into(),
            PromptKind::CommandLine => ":".into(),
            PromptKind::Note { decision } => match decision.as_ref() {
                Confirm::Approve(d) | Confirm::Reject(d) => {
                    format!("Note for the Gate {} decision (optional)", d.gate.number())
                }
                Confirm::QuitUnsaved | Confirm::QuitUnsentReview => "Note".into(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    Confirm(Confirm),
    Prompt {
        kind: PromptKind,
        input: String,
    },
    /// The deviation and amendment forms and the Build/As-Built confirmations.
    Build(BuildOverlay),
    /// Completing feasibility, reopening a gate, creating an engagement (`app::update::lifecycle`).
    Lifecycle(LifecycleOverlay),
    /// The message log: every notice and refusal of the session, in full.
    Messages {
        scroll: u16,
    },

    /// The reuse catalog (`app::update::catalog`).
    Catalog(CatalogOverlay),
    /// The workspace metrics view (`show_metrics`): trends per month, each engagement's figures.
    Metrics(Box<crate::domain::metrics::WorkspaceMetrics>),
}

impl Overlay {
    /// Whether the router treats keys as text: a Build or lifecycle form, or the catalog's list.
    pub fn is_typing(&self) -> bool {
        match self {
            Overlay::Build(o) => o.is_typing(),
            Overlay::Lifecycle(o) => o.is_typing(),
            Overlay::Catalog(o) => o.is_typing(),
            _ => false,
        }
    }

    /// Whether the overlay is a confirmation that Enter must not accept (the router passes
    /// Enter on as text, which explains what to press).
    pub fn requires_yes(&self) -> bool {
        matches!(self, Overlay::Lifecycle(LifecycleOverlay::Confirm(_)))
    }
}

// ---------------------------------------------------------------------------------------------
// Lifecycle dialogs (`app::update::lifecycle`)

/// The fields of the new-engagement form, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewField {
    Slug,
    Title,
    Owner,
}

impl NewField {
    pub const ALL: [NewField; 3] = [NewField::Slug, NewField::Title, NewField::Owner];

    pub fn label(self) -> &'static str {
        match self {
            NewField::Slug => "slug",
            NewField::Title => "title",
            NewField::Owner => "owner",
        }
    }
}

/// Create an engagement: slug (its directory), title, owner (the approver must be someone else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEngagementForm {
    pub slug: String,
    pub title: String,
    pub owner: String,
    pub field: NewField,
    pub error: Option<String>,
}

impl NewEngagementForm {
    pub fn value(&self, field: NewField) -> &str {
        match field {
            NewField::Slug => &self.slug,
            NewField::Title => &self.title,
            NewField::Owner => &self.owner,
        }
    }

    pub fn value_mut(&mut self) -> &mut String {
        match self.field {
            NewField::Slug => &mut self.slug,
            NewField::Title => &mut self.title,
            NewField::Owner => &mut self.owner,
        }
    }

    pub fn step(&mut self, forward: bool) {
        let i = NewField::ALL
            .iter()
            .position(|f| *f == self.field)
            .unwrap_or(0);
        let n = NewField::ALL.len();
        self.field = NewField::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }
}

/// Reopen a gate: which one (of the approved ones) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReopenForm {
    pub gate: GateId,
    /// The approved gates, the one to reopen among them.
    pub choices: Vec<GateId>,
    pub reason: String,
    pub error: Option<String>,
}

/// What a gate reopening returns to and voids (DESIGN §3 Phases).
pub fn reopen_consequence(gate: GateId) -> &'static str {
    match gate {
        GateId::One => {
            "back to Requirements; the feasibility completion, Gate 2's approval and component statuses become void (they stay in the journal)"
        }
        GateId::Two => {
            "back to Design; component statuses and the build completion become void (they stay in the journal)"
        }
    }
}

/// The journal-writing confirmations of this module: only `y` accepts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleConfirm {
    CompleteFeasibility {
        requirements: usize,
        reviewed: Vec<ArtifactRecord>,
    },
    Reopen {
        gate: GateId,
        reason: String,
    },
    NewEngagement {
        workspace: PathBuf,
        slug: String,
        title: String,
        owner: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleOverlay {
    NewEngagement(NewEngagementForm),
    Reopen(ReopenForm),
    Confirm(LifecycleConfirm),
}

impl LifecycleOverlay {
    /// Forms take text: printable keys type, Enter/Esc/arrows stay keys.
    pub fn is_typing(&self) -> bool {
        !matches!(self, LifecycleOverlay::Confirm(_))
    }
}

// ---------------------------------------------------------------------------------------------
// The reuse catalog (`app::update::catalog`)

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogOverlay {
    /// `None` until the workspace's catalog is read.
    pub catalog: Option<Arc<Catalog>>,
    pub query: String,
    /// Indices of the entries matching the query.
    pub hits: Vec<usize>,
    /// Index into `hits`.
    pub selected: usize,
    /// The selected entry shown in full.
    pub detail: bool,
}

impl CatalogOverlay {
    /// The hits of the query, the selection kept on the list.
    pub fn refilter(&mut self) {
        self.hits = self
            .catalog
            .as_ref()
            .map(|c| c.filter(&self.query))
            .unwrap_or_default();
        self.selected = self.selected.min(self.hits.len().saturating_sub(1));
    }

    pub fn selected_entry(&self) -> Option<&CatalogEntry> {
        let catalog = self.catalog.as_ref()?;
        catalog.entries.get(*self.hits.get(self.selected)?)
    }

    /// The list takes text; the detail view takes commands.
    pub fn is_typing(&self) -> bool {
        !self.detail
    }
}
