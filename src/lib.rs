//! phasegate: spec-driven development engagements, enforced in a terminal.

pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod mcp;
pub mod store;
pub mod tui;
pub mod ui;
