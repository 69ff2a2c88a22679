//! The reviewer's draft as the model keeps it (the handlers: `app::update::review`).

use crate::store::review::{ReviewDraft, ReviewedFile};

/// What a review was made against: the last decision of its gate and the hashes of the
/// artifacts that gate covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewBasis {
    pub decided_through: u64,
    pub reviewed: Vec<ReviewedFile>,
}

/// The reviewer's draft as this session knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftSync {
    /// The draft was asked for (once per opened engagement).
    pub requested: bool,
    /// The answer came: from now on the review is kept on disk.
    pub read: bool,
    /// What the draft file holds (as last read or written).
    pub on_disk: Option<ReviewDraft>,
}
