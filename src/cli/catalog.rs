//! `phasegate catalog [QUERY] [--json]`: the reuse catalog — every component of every closed
//! engagement of the workspace, versioned by its closing event hash.

use std::fmt::Write as _;
use std::io::Write;

use serde_json::{Value, json};

use super::{Exit, Invocation};
use crate::domain::catalog::{Catalog, CatalogEntry};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Words every listed entry must contain (engagement, component, name, requirements…)
    pub query: Vec<String>,
    /// One JSON object: {"entries": […]} (shape in README)
    #[arg(long)]
    pub json: bool,
}

pub fn entry_json(catalog: &Catalog, e: &CatalogEntry) -> Value {
    let superseded = catalog.superseded(e).map(|s| match s.entry {
        Some(n) => n.reference(),
        None => format!("{}@{}", s.newer.slug, s.newer.version()),
    });
    json!({
        "ref": e.reference(),
        "engagement": e.slug,
        "component": e.component.to_string(),
        "version": e.short_version(),
        "closing_hash": e.version,
        "closed_at": e.closed_at.to_string(),
        "name": e.name,
        "satisfies": e.satisfies.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "acceptance": e.acceptance,
        "reuse": e.reuse,
        "superseded_by": superseded,
        "deviations": e.deviations.iter().map(|d| json!({
            "id": d.id.to_string(),
            "impact": d.impact.map(|i| i.as_str()),
            "text": d.description,
        })).collect::<Vec<_>>(),
        "files": e.files.iter().map(|f| json!({
            "path": format!("build/{}", f.path),
            "sha256": f.sha256,
        })).collect::<Vec<_>>(),
    })
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let (catalog, unreadable) = crate::store::catalog::load_catalog(&ctx.workspace);
    for e in &unreadable {
        let _ = writeln!(std::io::stderr(), "warning: left out of the catalog: {e}");
    }
    let hits = catalog.filter(&args.query.join(" "));
    let mut text = String::new();
    if args.json {
        let entries: Vec<Value> = hits
            .iter()
            .map(|i| entry_json(&catalog, &catalog.entries[*i]))
            .collect();
        let _ = writeln!(text, "{}", json!({ "entries": entries }));
    } else if hits.is_empty() {
        let _ = writeln!(
            text,
            "no catalog entry{}: the catalog lists the components of closed engagements ({} closed)",
            if args.query.is_empty() {
                String::new()
            } else {
                format!(" matches `{}`", args.query.join(" "))
            },
            catalog.engagements.len()
        );
    } else {
        for i in &hits {
            let e = &catalog.entries[*i];
            let satisfies: Vec<String> = e.satisfies.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                text,
                "{:<42} {}  [{}]  reuse: {}; {} file(s), {} deviation(s){}",
                e.reference(),
                e.name,
                satisfies.join(", "),
                e.reuse.as_deref().unwrap_or("—"),
                e.files.len(),
                e.deviations.len(),
                catalog
                    .superseded(e)
                    .map(|s| format!("; superseded by {}@{}", s.newer.slug, s.newer.version()))
                    .unwrap_or_default()
            );
        }
        let _ = writeln!(
            text,
            "use one in a design: `- reuse: catalog SLUG/COMP-n@VERSION`"
        );
    }
    let _ = std::io::stdout().write_all(text.as_bytes());
    Exit::Ok
}
