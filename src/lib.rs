//! phasegate: spec-driven development engagements, enforced in a terminal.
// The system calls go through rustix and nix, which check them; none of ours needs `unsafe`.
#![forbid(unsafe_code)]

pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod mcp;
pub mod store;
pub mod tui;
pub mod ui;
