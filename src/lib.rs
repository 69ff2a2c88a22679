//! phasegate: spec-driven development engagements, enforced in a terminal.

pub mod config;
pub mod domain;
pub mod cli;
pub mod store;
pub mod app;
pub mod ui;
pub mod tui;
