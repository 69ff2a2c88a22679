//! `phasegate export [ENGAGEMENT] --html FILE | --md FILE | --json FILE | --csv FILE`: the audit
//! packet (`domain::packet`) for an auditor or a change board, written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Exit, Invocation, report_store_error};
use crate::domain::evaluate::evaluate;
use crate::domain::packet::{Packet, packet, to_csv};
use crate::domain::{packet_html, packet_md};
use crate::store::StoreError;
use crate::store::atomic::write_atomic;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("format").required(true).multiple(true)))]
pub struct Args {
    /// Engagement path or workspace slug (default: the current directory)
    pub engagement: Option<String>,
    /// One self-contained HTML file (inline CSS, no scripts, prints well)
    #[arg(long, value_name = "FILE", group = "format")]
    pub html: Option<PathBuf>,
    /// The same content as Markdown, for a change ticket
    #[arg(long, value_name = "FILE", group = "format")]
    pub md: Option<PathBuf>,
    /// The same data as JSON (shape in README)
    #[arg(long, value_name = "FILE", group = "format")]
    pub json: Option<PathBuf>,
    /// The traceability matrix, one row per requirement
    #[arg(long, value_name = "FILE", group = "format")]
    pub csv: Option<PathBuf>,
}

/// One format's renderer.
type Render = fn(&Packet) -> String;

/// The packet's JSON text.
pub fn json_text(p: &Packet) -> String {
    let mut s =
        serde_json::to_string_pretty(p).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

fn write(path: &Path, text: &str) -> Result<(), StoreError> {
    write_atomic(path, text.as_bytes())
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let loaded = match ctx.load(args.engagement.as_deref()) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let ev = evaluate(&loaded.engagement);
    let p = packet(&loaded.engagement, &ev);
    let outputs: [(&Option<PathBuf>, Render); 4] = [
        (&args.html, packet_html::render),
        (&args.md, packet_md::render),
        (&args.json, json_text),
        (&args.csv, to_csv),
    ];
    for (path, render) in outputs {
        let Some(path) = path else { continue };
        if let Err(e) = write(path, &render(&p)) {
            return report_store_error(&e);
        }
        let _ = writeln!(std::io::stdout(), "wrote {}", path.display());
    }
    Exit::Ok
}
