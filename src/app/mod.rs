//! The Elm loop (README "Architecture"): `model/` is what the screen shows, `router` turns a key
//! into an `Action`, `update/` changes the model and returns `Effect`s, `run/` performs them,
//! `driver` drains them in order.

pub mod action;
pub mod buffer;
pub mod driver;
pub mod effect;
pub mod keys;
pub mod layout;
pub mod line_input;
pub mod model;
pub mod router;
pub mod run;
pub mod update;

// The model's main types at short paths for `ui`, `tui` and the tests. Model types only: nothing
// here names `update`, `run` or `driver`, so no file of `app` reaches back through this one.
pub use self::buffer::TextBuffer;
pub use self::keys::{Command, Context, Keys};
pub use self::model::engagement::{
    BufferMarks, EngagementState, GitLine, LiveJob, Review, build_listing, search_matches,
    short_hash,
};
pub use self::model::overlay::{Confirm, GateDecision, Overlay, PromptKind};
pub use self::model::state::{MESSAGE_LOG_MAX, Mode, Pane, Screen, Severity, State, Toast};
pub use self::model::workspace::{ListItem, WaitingRow, WorkspaceRow, WorkspaceState};
