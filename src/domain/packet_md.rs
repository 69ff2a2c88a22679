//! The audit packet as Markdown, to attach to a change ticket: the same content as the HTML
//! packet, in the same order.

use std::fmt::Write as _;

use super::packet::{Packet, metric_rows, says, section_title};

/// Text for a table cell: one line, pipes escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Inline code holding `text` verbatim (a double-backtick span when it contains backticks).
fn code_span(text: &str) -> String {
    if text.contains('`') {
        format!("`` {} ``", cell(text))
    } else {
        format!("`{}`", cell(text))
    }
}

/// A code fence longer than any backtick run in `text`.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// `## Title` and the blank line after it.
fn heading(o: &mut String, id: &str) {
    let _ = writeln!(o, "## {}\n", section_title(id));
}

/// A paragraph and the blank line after it.
fn paragraph(o: &mut String, text: &str) {
    let _ = writeln!(o, "{text}\n");
}

pub fn render(p: &Packet) -> String {
    let mut o = String::with_capacity(32 * 1024);
    let _ = writeln!(o, "# Audit packet — {}\n\n{}\n", p.engagement, p.title);
    heading(&mut o, "summary");
    o.push_str("| | |\n|---|---|\n");
    let _ = writeln!(o, "| engagement | {} |", cell(&p.engagement));
    let _ = writeln!(o, "| owner | {} |", cell(&p.owner));
    let _ = writeln!(o, "| created | {} |", p.created);
    let _ = writeln!(
        o,
        "| baseline | {} |",
        cell(p.baseline.as_deref().unwrap_or("—"))
    );
    let _ = writeln!(o, "| phase | {} |", p.phase.title());
    let _ = writeln!(
        o,
        "| policy | distinct_approver = {} |",
        p.distinct_approver
    );
    let _ = writeln!(o, "| journal head | `{}` |", p.journal.head);

    o.push('\n');
    heading(&mut o, "timeline");
    o.push_str("| phase | entered | event |\n|---|---|---|\n");
    for t in &p.timeline {
        let _ = writeln!(o, "| {} | {} | {} |", t.phase.title(), t.at, t.event);
    }
    o.push_str("\n### Every event\n\n| # | at | actor | event |\n|---|---|---|---|\n");
    for e in &p.events {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            e.seq,
            e.at,
            cell(&e.actor),
            cell(&e.summary)
        );
    }

    o.push('\n');
    heading(&mut o, "decisions");
    if p.decisions.is_empty() {
        paragraph(&mut o, says::NO_DECISION);
    }
    for d in &p.decisions {
        let _ = writeln!(o, "### {} — event {}\n", d.title(), d.seq);
        let _ = writeln!(
            o,
            "- by: {} (OS user {})\n- at: {}",
            d.approver, d.os_user, d.at
        );
        match &d.signature {
            Some(s) => {
                let _ = writeln!(o, "- signature: {} by `{}`", s.status, s.signer);
            }
            None => o.push_str("- signature: unsigned\n"),
        }
        if let Some(r) = &d.reason {
            let _ = writeln!(o, "- reason: {}", cell(r));
        }
        if !d.note.is_empty() {
            let _ = writeln!(o, "- note: {}", cell(&d.note));
        }
        for a in &d.artifacts {
            let _ = writeln!(
                o,
                "- {}: sha256 `{}`, governed `{}`",
                a.file, a.sha256, a.governed_sha256
            );
        }
        if !d.criteria.is_empty() {
            o.push_str(
                "\n| criterion | result | what it asks | waiver reason |\n|---|---|---|---|\n",
            );
            for c in &d.criteria {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} |",
                    c.id,
                    c.result.as_str(),
                    cell(&c.text),
                    cell(c.reason.as_deref().unwrap_or(""))
                );
            }
        }
        o.push('\n');
    }

    heading(&mut o, "approved-texts");
    if p.approved_texts.is_empty() {
        paragraph(&mut o, says::NO_APPROVED_TEXT);
    }
    for t in &p.approved_texts {
        let _ = writeln!(
            o,
            "### {} — Gate {}, event {}\n\nsha256 `{}` (`.phasegate/objects/`)\n",
            t.file, t.gate, t.event, t.sha256
        );
        match &t.text {
            Some(text) => {
                let f = fence(text);
                let _ = writeln!(o, "{f}markdown\n{}\n{f}\n", text.trim_end_matches('\n'));
            }
            None => paragraph(&mut o, says::SNAPSHOT_MISSING),
        }
    }

    heading(&mut o, "diff");
    match &p.diff {
        None => paragraph(&mut o, says::NO_RECONCILIATION),
        Some(d) => {
            let _ = writeln!(
                o,
                "The approved design (sha256 `{}`) against as-built.md, governed text, line by line. {} of {} hunks explained.\n",
                d.design_sha256,
                d.explained,
                d.hunks.len()
            );
            for (i, h) in d.hunks.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "### Hunk {} at {}\n\n**{}**\n\n| # | approved design | # | as-built |\n|---|---|---|---|",
                    i + 1,
                    h.position,
                    h.verdict
                );
                for l in &h.lines {
                    let num = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
                    let text = |t: &Option<String>| t.as_deref().map(code_span).unwrap_or_default();
                    let _ = writeln!(
                        o,
                        "| {} | {} | {} | {} |",
                        num(l.design_line),
                        text(&l.design),
                        num(l.as_built_line),
                        text(&l.as_built)
                    );
                }
                o.push('\n');
            }
        }
    }

    heading(&mut o, "traceability");
    if p.traceability.is_empty() {
        paragraph(&mut o, says::NO_REQUIREMENT);
    } else {
        o.push_str("| requirement | acceptance | components | build | deviations |\n|---|---|---|---|---|\n");
        for r in &p.traceability {
            let comps: Vec<String> = r
                .components
                .iter()
                .map(|c| format!("{} ({})", c.id, c.status.as_str()))
                .collect();
            let _ = writeln!(
                o,
                "| **{}** {} | {} | {} | {} | {} |",
                r.requirement,
                cell(&r.text),
                r.acceptance.join(", "),
                comps.join(", "),
                r.build_status,
                r.deviations.join(", ")
            );
        }
        o.push('\n');
    }

    heading(&mut o, "deviations");
    if p.deviations.is_empty() {
        paragraph(&mut o, says::NO_DEVIATION);
    } else {
        o.push_str("| id | about | impact | what — why | recorded |\n|---|---|---|---|---|\n");
        for d in &p.deviations {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} ({}) | {} |",
                d.id,
                d.target.as_deref().unwrap_or("—"),
                d.impact.unwrap_or("—"),
                cell(&d.description),
                d.position,
                d.recorded_at
                    .map_or_else(|| says::NOT_RECORDED.into(), |t| t.to_string())
            );
        }
        o.push('\n');
    }
    if p.amendments.is_empty() {
        paragraph(&mut o, says::NO_AMENDMENT);
    } else {
        o.push_str("| id | for | amendment | recorded |\n|---|---|---|---|\n");
        for a in &p.amendments {
            let _ = writeln!(
                o,
                "| {} | {} | {} ({}) | {} |",
                a.id,
                a.deviation.as_deref().unwrap_or("—"),
                cell(&a.text),
                a.position,
                a.recorded_at
                    .map_or_else(|| says::NOT_RECORDED.into(), |t| t.to_string())
            );
        }
        o.push('\n');
    }

    heading(&mut o, "metrics");
    o.push_str("| metric | value |\n|---|---|\n");
    for (k, v) in metric_rows(&p.metrics) {
        let _ = writeln!(o, "| {k} | {v} |");
    }
    o.push('\n');
    paragraph(&mut o, says::NOT_REACHED);
    heading(&mut o, "journal");
    let _ = writeln!(
        o,
        "{} events; head `{}`.\n",
        p.journal.events, p.journal.head
    );
    match &p.journal.broken {
        Some(b) => {
            let _ = writeln!(o, "**The chain is broken:** {b}\n");
        }
        None => paragraph(&mut o, says::CHAIN_VERIFIED),
    }
    let _ = writeln!(
        o,
        "To verify: in a copy of the engagement, run `{}` — it recomputes every event's hash and link — and compare its head with the one above.",
        p.journal.verify
    );
    o
}
