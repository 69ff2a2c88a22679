//! The audit packet as one self-contained HTML file: inline CSS, no scripts, fonts or images
//! from anywhere, light and print styles, and plain structure (headings, tables, `pre`) so it
//! reads in w3m or lynx at 80 columns. Every piece of text goes through `escape`.

use std::fmt::Write as _;

use super::packet::{Packet, SECTIONS, metric_rows, says, section_title};

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font: 15px/1.45 system-ui, sans-serif; color: #1b1f24; background: #fff; max-width: 75rem; margin: 0 auto; padding: 1rem 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #d0d7de; padding-bottom: .2rem; margin-top: 2rem; }
h3 { margin-bottom: .3rem; } .sub { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; margin: .5rem 0; width: 100%; } th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } code, pre, .hash { font-family: ui-monospace, monospace; font-size: .85rem; } .hash { word-break: break-all; }
div.text { font-family: ui-monospace, monospace; font-size: .85rem; background: #f6f8fa; border: 1px solid #d0d7de; padding: .5rem; white-space: pre-wrap; overflow-wrap: anywhere; }
ul.hashes { padding-left: 1.2rem; }
.pass, .checked, .validated, .ok { color: #1a7f37; } .fail, .unexplained, .bad { color: #cf222e; font-weight: 600; } .waived, .built, .stale { color: #9a6700; }
.pending, .unassigned { color: #57606a; }
table.diff td.num { color: #57606a; width: 3rem; text-align: right; } table.diff td.code { font-family: ui-monospace, monospace; font-size: .85rem; white-space: pre-wrap; width: 47%; }
td.del { background: #ffebe9; } td.ins { background: #dafbe1; } td.empty { background: #f6f8fa; }
.verdict { font-weight: 600; } nav ol { columns: 2; }
@media print { body { font-size: 10pt; max-width: none; padding: 0; } nav { display: none; } h2 { break-after: avoid; } tr, li { break-inside: avoid-page; } div.text { border-color: #999; } a { color: inherit; text-decoration: none; } }
";

fn section(out: &mut String, id: &str) {
    let title = section_title(id);
    let _ = write!(
        out,
        "</section>\n<section id=\"{id}\">\n<h2>{}</h2>\n",
        escape(title)
    );
}

/// A paragraph of fixed text.
fn paragraph(o: &mut String, text: &str) {
    let _ = writeln!(o, "<p>{}</p>", escape(text));
}

fn opt(s: Option<&str>) -> String {
    s.map_or_else(|| "—".into(), escape)
}

/// The packet as one HTML document.
pub fn render(p: &Packet) -> String {
    let mut o = String::with_capacity(64 * 1024);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Audit packet — {slug}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>Audit packet — {slug}</h1>\n<p class=\"sub\">{title}</p>\n</header>\n<nav><ol>\n",
        slug = escape(&p.engagement),
        title = escape(&p.title)
    );
    for (id, title) in SECTIONS {
        let _ = writeln!(o, "<li><a href=\"#{id}\">{}</a></li>", escape(title));
    }
    let _ = write!(
        o,
        "</ol></nav>\n<section id=\"summary\">\n<h2>{}</h2>\n<table>\n",
        section_title("summary")
    );
    for (k, v) in [
        ("engagement", escape(&p.engagement)),
        ("title", escape(&p.title)),
        ("owner", escape(&p.owner)),
        ("created", escape(&p.created.to_string())),
        ("baseline", opt(p.baseline.as_deref())),
        ("phase", escape(p.phase.title())),
        (
            "policy",
            format!("distinct_approver = {}", p.distinct_approver),
        ),
        (
            "journal head",
            format!("<span class=\"hash\">{}</span>", escape(&p.journal.head)),
        ),
    ] {
        let _ = writeln!(o, "<tr><th>{k}</th><td>{v}</td></tr>");
    }
    o.push_str("</table>\n");

    section(&mut o, "timeline");
    o.push_str("<table>\n<tr><th>phase</th><th>entered</th><th>event</th></tr>\n");
    for t in &p.timeline {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(t.phase.title()),
            t.at,
            t.event
        );
    }
    o.push_str("</table>\n<h3>Every event</h3>\n<table>\n<tr><th>#</th><th>at</th><th>actor</th><th>event</th></tr>\n");
    for e in &p.events {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.seq,
            e.at,
            escape(&e.actor),
            escape(&e.summary)
        );
    }
    o.push_str("</table>\n");

    section(&mut o, "decisions");
    if p.decisions.is_empty() {
        paragraph(&mut o, says::NO_DECISION);
    }
    for d in &p.decisions {
        let _ = writeln!(
            o,
            "<article class=\"decision\">\n<h3>{} — event {}</h3>",
            escape(&d.title()),
            d.seq
        );
        let signature = match &d.signature {
            Some(s) => format!(
                "<span class=\"{}\">{}</span> by <span class=\"hash\">{}</span>",
                if s.status == "verified" { "ok" } else { "bad" },
                escape(&s.status),
                escape(&s.signer)
            ),
            None => "unsigned".into(),
        };
        o.push_str("<table>\n");
        let _ = writeln!(
            o,
            "<tr><th>by</th><td>{} (OS user {})</td></tr>\n<tr><th>at</th><td>{}</td></tr>\n<tr><th>signature</th><td>{signature}</td></tr>",
            escape(&d.approver),
            escape(&d.os_user),
            d.at
        );
        if let Some(r) = &d.reason {
            let _ = writeln!(o, "<tr><th>reason</th><td>{}</td></tr>", escape(r));
        }
        if !d.note.is_empty() {
            let _ = writeln!(o, "<tr><th>note</th><td>{}</td></tr>", escape(&d.note));
        }
        o.push_str("</table>\n");
        // A list, not table cells: a 64-hex hash fits 80 columns only on its own line.
        if !d.artifacts.is_empty() {
            o.push_str("<ul class=\"hashes\">\n");
        }
        for a in &d.artifacts {
            let _ = writeln!(
                o,
                "<li>{}<br>sha256 <span class=\"hash\">{}</span><br>governed <span class=\"hash\">{}</span></li>",
                escape(&a.file),
                escape(&a.sha256),
                escape(&a.governed_sha256)
            );
        }
        if !d.artifacts.is_empty() {
            o.push_str("</ul>\n");
        }
        if !d.criteria.is_empty() {
            o.push_str("<table>\n<tr><th>criterion</th><th>result</th><th>what it asks</th><th>waiver reason</th></tr>\n");
            for c in &d.criteria {
                let result = c.result.as_str();
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td class=\"{result}\">{result}</td><td>{}</td><td>{}</td></tr>",
                    escape(&c.id),
                    escape(&c.text),
                    c.reason.as_deref().map(escape).unwrap_or_default()
                );
            }
            o.push_str("</table>\n");
        }
        o.push_str("</article>\n");
    }

    section(&mut o, "approved-texts");
    if p.approved_texts.is_empty() {
        paragraph(&mut o, says::NO_APPROVED_TEXT);
    }
    for t in &p.approved_texts {
        let _ = writeln!(
            o,
            "<h3>{} — Gate {}, event {}</h3>\n<p>sha256 <span class=\"hash\">{}</span> (<code>.phasegate/objects/</code>)</p>",
            escape(&t.file),
            t.gate,
            t.event,
            escape(&t.sha256)
        );
        match &t.text {
            Some(text) => {
                // Lines joined by <br> in a pre-wrap block: a browser keeps the indentation, a
                // text browser (which ignores CSS) still wraps long lines at its width.
                let lines: Vec<String> = text.lines().map(escape).collect();
                let _ = writeln!(o, "<div class=\"text\">{}</div>", lines.join("<br>"));
            }
            None => {
                let _ = writeln!(o, "<p class=\"bad\">{}</p>", escape(says::SNAPSHOT_MISSING));
            }
        }
    }

    section(&mut o, "diff");
    match &p.diff {
        None => paragraph(&mut o, says::NO_RECONCILIATION),
        Some(d) => {
            let _ = writeln!(
                o,
                "<p>The approved design (sha256 <span class=\"hash\">{}</span>) against as-built.md, governed text, line by line. {} of {} hunks explained.</p>",
                escape(&d.design_sha256),
                d.explained,
                d.hunks.len()
            );
            for (i, h) in d.hunks.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "<h3>Hunk {} at {}</h3>\n<p class=\"verdict {}\">{}</p>",
                    i + 1,
                    escape(&h.position.to_string()),
                    if h.explained { "ok" } else { "unexplained" },
                    escape(&h.verdict)
                );
                o.push_str("<table class=\"diff\">\n<tr><th>#</th><th>approved design</th><th>#</th><th>as-built</th></tr>\n");
                for l in &h.lines {
                    let cell = |n: Option<usize>, t: &Option<String>, class: &str| match t {
                        Some(t) => format!(
                            "<td class=\"num\">{}</td><td class=\"code {class}\">{}</td>",
                            n.unwrap_or(0),
                            escape(t)
                        ),
                        None => "<td class=\"num\"></td><td class=\"code empty\"></td>".into(),
                    };
                    let _ = writeln!(
                        o,
                        "<tr>{}{}</tr>",
                        cell(l.design_line, &l.design, "del"),
                        cell(l.as_built_line, &l.as_built, "ins")
                    );
                }
                o.push_str("</table>\n");
            }
        }
    }

    section(&mut o, "traceability");
    if p.traceability.is_empty() {
        paragraph(&mut o, says::NO_REQUIREMENT);
    } else {
        o.push_str("<table>\n<tr><th>requirement</th><th>acceptance</th><th>components</th><th>build</th><th>deviations</th></tr>\n");
        for r in &p.traceability {
            let comps: Vec<String> = r
                .components
                .iter()
                .map(|c| {
                    format!(
                        "{} <span class=\"{s}\">{s}</span>",
                        escape(&c.id),
                        s = c.status.as_str()
                    )
                })
                .collect();
            let _ = writeln!(
                o,
                "<tr><td><b>{}</b> {}</td><td>{}</td><td>{}</td><td class=\"{b}\">{b}</td><td>{}</td></tr>",
                escape(&r.requirement),
                escape(&r.text),
                escape(&r.acceptance.join(", ")),
                comps.join("<br>"),
                escape(&r.deviations.join(", ")),
                b = r.build_status
            );
        }
        o.push_str("</table>\n");
    }

    section(&mut o, "deviations");
    if p.deviations.is_empty() {
        paragraph(&mut o, says::NO_DEVIATION);
    } else {
        o.push_str("<table>\n<tr><th>id</th><th>about</th><th>impact</th><th>what — why</th><th>recorded</th></tr>\n");
        for d in &p.deviations {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}<br><small>{}</small></td><td>{}</td></tr>",
                escape(&d.id),
                opt(d.target.as_deref()),
                opt(d.impact),
                escape(&d.description),
                escape(&d.position.to_string()),
                d.recorded_at.map_or_else(
                    || format!("<span class=\"bad\">{}</span>", says::NOT_RECORDED),
                    |t| t.to_string()
                )
            );
        }
        o.push_str("</table>\n");
    }
    if p.amendments.is_empty() {
        paragraph(&mut o, says::NO_AMENDMENT);
    } else {
        o.push_str(
            "<table>\n<tr><th>id</th><th>for</th><th>amendment</th><th>recorded</th></tr>\n",
        );
        for a in &p.amendments {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}<br><small>{}</small></td><td>{}</td></tr>",
                escape(&a.id),
                opt(a.deviation.as_deref()),
                escape(&a.text),
                escape(&a.position.to_string()),
                a.recorded_at.map_or_else(
                    || format!("<span class=\"bad\">{}</span>", says::NOT_RECORDED),
                    |t| t.to_string()
                )
            );
        }
        o.push_str("</table>\n");
    }

    section(&mut o, "metrics");
    o.push_str("<table>\n");
    for (k, v) in metric_rows(&p.metrics) {
        let _ = writeln!(o, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(&v));
    }
    let _ = writeln!(
        o,
        "</table>\n<p><small>{}</small></p>",
        escape(says::NOT_REACHED)
    );

    section(&mut o, "journal");
    let _ = writeln!(
        o,
        "<p>{} events; head <span class=\"hash\">{}</span></p>",
        p.journal.events,
        escape(&p.journal.head)
    );
    match &p.journal.broken {
        Some(b) => {
            let _ = writeln!(o, "<p class=\"bad\">The chain is broken: {}</p>", escape(b));
        }
        None => {
            let _ = writeln!(o, "<p class=\"ok\">{}</p>", escape(says::CHAIN_VERIFIED));
        }
    }
    let _ = writeln!(
        o,
        "<p>To verify: in a copy of the engagement, run <code>{}</code> — it recomputes every event's hash and link — and compare its head with the one above (and with the head quoted in the change ticket, or pinned by the git commit).</p>",
        escape(&p.journal.verify)
    );
    o.push_str("</section>\n</body>\n</html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }
}
