//! phasegate: spec-driven development engagements, enforced in a terminal.

pub mod domain;
