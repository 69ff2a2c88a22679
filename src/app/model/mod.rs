//! The model: everything the screen shows, as plain data with small pure accessors. Nothing
//! here imports `update`, `run` or `driver`; `update` changes the model, `ui::view` draws it.

pub mod build;
pub mod diff;
pub mod engagement;
pub mod forms;
pub mod live;
pub mod overlay;
pub mod review;
pub mod state;
pub mod workspace;
