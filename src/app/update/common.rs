//! What several handlers of `update` share: asking before quitting, the refusal to leave
//! unsaved text, the phase keys, and how a pane's handler passes a command on. A leaf: it
//! imports no other handler, so the handlers never reach back into the router.

use crate::app::effect::Effect;
use crate::app::keys::Command;
use crate::app::{Confirm, EngagementState, Overlay, State};
use crate::domain::artifact::Artifact;
use crate::domain::phase::Phase;

/// What a pane's handler did with a command: handled it, or left it to the engagement screen's
/// commands (the router passes it on; the handler may have closed its pane first, as the diff
/// does for the commands about the artifact).
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Handled {
    Done(Vec<Effect>),
    PassOn,
}

/// Quits, or asks first when unsaved text or an unsent review would be lost.
pub(super) fn quit_or_ask(state: &mut State) -> Vec<Effect> {
    if state.engagement.as_ref().is_some_and(|e| e.dirty) {
        state.overlay = Some(Overlay::Confirm(Confirm::QuitUnsaved));
        Vec::new()
    } else if state
        .engagement
        .as_ref()
        .is_some_and(|e| !e.review.is_empty())
    {
        state.overlay = Some(Overlay::Confirm(Confirm::QuitUnsentReview));
        Vec::new()
    } else {
        state.quit = true;
        vec![Effect::Quit]
    }
}

pub(super) fn dirty_refusal(e: &EngagementState, action: &str) -> Option<String> {
    e.dirty.then(|| {
        format!(
            "unsaved edits in {}: save (Ctrl-S) before you {action}",
            e.shown_artifact().map_or("the buffer", Artifact::file_name)
        )
    })
}

pub(super) fn phase_number(c: Command) -> Option<Phase> {
    match c {
        Command::ShowPhase1 => Some(Phase::Requirements),
        Command::ShowPhase2 => Some(Phase::Feasibility),
        Command::ShowPhase3 => Some(Phase::Design),
        Command::ShowPhase4 => Some(Phase::Build),
        Command::ShowPhase5 => Some(Phase::AsBuilt),
        _ => None,
    }
}
