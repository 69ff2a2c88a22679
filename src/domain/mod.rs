//! The pure core: the SDD operating model as functions of text. No terminal, no filesystem, no
//! clock; time and identity are passed in.

pub mod allowed_signers;
pub mod artifact;
pub mod controls;

pub mod baseline;
pub mod build_file;
pub mod catalog;
pub mod criteria;
pub mod design;
pub mod digest;
pub mod engagement;
pub mod evaluate;
pub mod gate;
pub mod ids;
pub mod journal;
pub mod lawful;
pub mod lookalike;
pub mod markdown;
pub mod merge3;
pub mod merge_journal;
pub mod meta;
pub mod metrics;
pub mod packet;
pub mod packet_html;
pub mod packet_md;
pub mod phase;
pub mod position;
pub mod progress;
pub mod queue;
pub mod quorum;
pub mod reconcile;
pub mod records;
pub mod rules;
pub mod sidebyside;
pub mod signature;
pub mod status_json;
pub mod time;
pub mod trace;
