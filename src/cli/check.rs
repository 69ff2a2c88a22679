//! `phasegate check [ENGAGEMENT|--all] [--strict]`: chain, snapshots, stale gates, changed
//! recorded items, policy edits and out-of-phase warnings. For CI and pre-commit hooks.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Exit, Invocation, locate, report_store_error, say, say_err};
use crate::domain::evaluate::evaluate;
use crate::domain::lawful::unlawful;
use crate::store::engagement::{OBJECTS_DIR, leftover_temps, load};
use crate::store::workspace::list_engagements;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Engagement path or workspace slug (default: the current directory)
    #[arg(conflicts_with = "all")]
    pub engagement: Option<String>,
    /// Check every engagement of the workspace
    #[arg(long)]
    pub all: bool,
    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,
    /// Output: human text, JSON for tools (an array with one object per engagement, each
    /// problem and warning with its file, line and column), or SARIF for code scanning
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning (paths relative to the workspace)
    Sarif,
}

/// A problem or warning with where it stands, for `--format json`.
fn located(file: &std::path::Path, line: usize, column: usize, message: &str) -> Value {
    json!({"file": file.display().to_string(), "line": line, "column": column, "message": message})
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let roots = if args.all {
        match list_engagements(&ctx.workspace) {
            Ok(r) => r,
            Err(e) => return report_store_error(&e),
        }
    } else {
        match ctx.engagement(args.engagement.as_deref()) {
            Ok(r) => vec![r],
            Err(e) => return report_store_error(&e),
        }
    };
    // Human output goes out through `say`/`say_err` (control characters escaped); the report
    // is flushed before each error so the two streams keep their order on a terminal.
    let mut out = String::new();
    let json = args.format != Format::Text;
    let error = |out: &mut String, e: &dyn std::fmt::Display| {
        if !json {
            say(out);
        }
        out.clear();
        say_err(&format!("error: {e}\n"));
    };
    let (mut problems, mut warnings, mut unreadable) = (0, 0, 0);
    let mut reports: Vec<Value> = Vec::new();
    let unreadable_json = |root: &std::path::Path, e: &crate::store::StoreError| {
        json!({
            "engagement": root.display().to_string(),
            "ok": false,
            "unreadable": located(&e.path, e.line, e.column, &e.message),
            "problems": [],
            "warnings": [],
        })
    };
    for root in &roots {
        let loaded = match load(root) {
            Ok(l) => l,
            Err(e) => {
                reports.push(unreadable_json(root, &e));
                error(&mut out, &e);
                unreadable += 1;
                continue;
            }
        };
        // A tampered snapshot is evidence that failed, not unreadable input: a problem.
        let objects = root.join(OBJECTS_DIR);
        let (tampered, bad_input): (Vec<_>, Vec<_>) = loaded
            .issues
            .iter()
            .partition(|e| e.path.starts_with(&objects));
        if let Some(e) = bad_input.first() {
            reports.push(unreadable_json(root, e));
            error(&mut out, e);
            unreadable += 1;
            continue;
        }
        let mut ev = evaluate(&loaded.engagement);
        match super::signatures::verify(ctx, &loaded.engagement) {
            Ok((signatures, missing)) => {
                if let Some(path) = missing {
                    let _ = writeln!(out, "note: no allowed-signers file at {}", path.display());
                }
                ev.problems.extend(signatures.problems);
                ev.warnings.extend(signatures.warnings);
            }
            Err(e) => {
                reports.push(unreadable_json(root, &e));
                error(&mut out, &e);
                unreadable += 1;
                continue;
            }
        }
        let mut found: Vec<String> = tampered.iter().map(|e| e.to_string()).collect();
        let mut found_json: Vec<Value> = tampered
            .iter()
            .map(|e| located(&e.path, e.line, e.column, &e.message))
            .collect();
        let lawless = unlawful(&loaded.engagement, &ev);
        for p in ev
            .problems
            .iter()
            .chain(&lawless)
            // The tampered snapshot is also missing from the evaluation; say it once.
            .filter(|p| {
                !tampered
                    .iter()
                    .any(|t| root.join(&p.position.file) == t.path)
            })
        {
            found.push(locate(root, p));
            found_json.push(finding_json(root, p));
        }
        let mut cautions: Vec<String> = ev.warnings.iter().map(|w| locate(root, w)).collect();
        let mut cautions_json: Vec<Value> =
            ev.warnings.iter().map(|w| finding_json(root, w)).collect();
        for t in leftover_temps(root) {
            let message = "left by an interrupted write; the next phasegate write removes it";
            cautions.push(format!("{}: {message}", t.display()));
            cautions_json.push(located(&t, 0, 0, message));
        }
        reports.push(json!({
            "engagement": root.display().to_string(),
            "slug": loaded.engagement.slug,
            "ok": found.is_empty(),
            "events": loaded.engagement.journal.events.len(),
            "head": loaded.engagement.journal.head(),
            "problems": found_json,
            "warnings": cautions_json,
        }));
        for p in &found {
            let _ = writeln!(out, "error: {p}");
        }
        for w in &cautions {
            let _ = writeln!(out, "warning: {w}");
        }
        problems += found.len();
        warnings += cautions.len();
        if found.is_empty() {
            let _ = writeln!(
                out,
                "ok: {} — chain of {} events verified, head {}",
                root.display(),
                loaded.engagement.journal.events.len(),
                loaded.engagement.journal.head()
            );
        }
    }
    let failed = unreadable > 0 || problems > 0 || (args.strict && warnings > 0);
    if json {
        // Tools read stdout only: the document, nothing else.
        let document = match args.format {
            Format::Sarif => sarif(&ctx.workspace, &reports),
            _ => Value::Array(reports),
        };
        let _ =
            std::io::Write::write_all(&mut std::io::stdout(), format!("{document}\n").as_bytes());
        return match (unreadable > 0, failed) {
            (true, _) => Exit::Usage,
            (false, true) => Exit::Refused,
            (false, false) => Exit::Ok,
        };
    }
    if unreadable > 0 {
        // Exit 2: what could not be read was not checked, so no count may read as a clean bill.
        let mut summary = format!(
            "{} engagement(s): {unreadable} could not be read (see the errors above)",
            roots.len()
        );
        if problems > 0 {
            summary.push_str(&format!(", {problems} problem(s) in the others"));
        }
        let _ = writeln!(out, "{summary}");
        say(&out);
        return Exit::Usage;
    }
    let _ = writeln!(
        out,
        "{} engagement(s): {problems} problem(s), {warnings} warning(s)",
        roots.len()
    );
    say(&out);
    if failed { Exit::Refused } else { Exit::Ok }
}

/// A finding about a file of the engagement at `root`; a gate's own position (`Gate 1`) is not
/// a file and stays as it is.
fn finding_json(root: &std::path::Path, f: &crate::domain::position::Finding) -> Value {
    let file = if f.position.is_under_engagement() {
        root.join(&f.position.file)
    } else {
        std::path::PathBuf::from(&f.position.file)
    };
    located(&file, f.position.line, f.position.column, &f.message)
}

/// The `--format json` reports as a SARIF 2.1.0 log: one result per problem (`error`) and
/// warning (`warning`), located relative to the workspace (the repository root in CI).
fn sarif(workspace: &std::path::Path, reports: &[Value]) -> Value {
    let relative = |file: &str| {
        let path = std::path::Path::new(file);
        path.strip_prefix(workspace)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let result = |level: &str, f: &Value| {
        let file = f["file"].as_str().unwrap_or_default();
        let mut location = json!({"artifactLocation": {"uri": relative(file)}});
        let (line, column) = (
            f["line"].as_u64().unwrap_or(0),
            f["column"].as_u64().unwrap_or(0),
        );
        if line > 0 {
            location["region"] = json!({"startLine": line});
            if column > 0 {
                location["region"]["startColumn"] = json!(column);
            }
        }
        json!({
            "ruleId": "phasegate/check",
            "level": level,
            "message": {"text": f["message"].as_str().unwrap_or_default()},
            "locations": [{"physicalLocation": location}],
        })
    };
    let mut results = Vec::new();
    for r in reports {
        if r["unreadable"].is_object() {
            results.push(result("error", &r["unreadable"]));
        }
        for f in r["problems"].as_array().into_iter().flatten() {
            results.push(result("error", f));
        }
        for f in r["warnings"].as_array().into_iter().flatten() {
            results.push(result("warning", f));
        }
    }
    json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {
                "name": "phasegate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [{
                    "id": "phasegate/check",
                    "shortDescription": {"text": "an engagement's journal, signatures, gates and recorded items verify"},
                }],
            }},
            "results": results,
        }],
    })
}
