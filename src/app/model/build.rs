//! What the build board and the diff pane keep in the model (the handlers:
//! `app::update::build`).

use super::diff::{DiffModel, DiffView};
use crate::domain::engagement::Engagement;
use crate::domain::evaluate::Evaluation;
use crate::domain::ids::ItemId;
use crate::domain::progress::first_to_do;

/// What the build board and the diff pane remember between keys.
#[derive(Debug, Clone, Default)]
pub struct BuildState {
    /// The component selected on the board.
    pub selected: Option<ItemId>,
    /// The diff pane, while it is open.
    pub diff: Option<DiffView>,
    /// The last refusal of a board action, shown on the board until the next action.
    pub refusal: Option<String>,
}

impl BuildState {
    pub fn new(ev: &Evaluation) -> BuildState {
        BuildState {
            selected: first_to_do(ev),
            diff: None,
            refusal: None,
        }
    }

    /// After a reload: the selection stays if the component still exists; an open diff is
    /// recomputed from the new texts (or closes when there is nothing to compare any more).
    pub fn reload(&mut self, e: &Engagement, ev: &Evaluation) {
        if self.selected.is_none_or(|id| ev.component(id).is_none()) {
            self.selected = first_to_do(ev);
        }
        if let Some(view) = &mut self.diff {
            let model = match &view.model.baseline {
                Some(b) => DiffModel::against_baseline(e, Some(b.artifact)),
                None => DiffModel::of(e, ev),
            };
            match model {
                Ok(model) => view.replace_model(model),
                Err(_) => self.diff = None,
            }
        }
    }
}
