//! `phasegate export`: the audit packet of the As-Built sample in every format, through the
//! real binary.

mod common;

use common::Workspace;
use scraper::{Html, Selector};

fn export(ws: &Workspace, slug: &str, flag: &str, file: &str) -> String {
    let path = ws.path().join(file);
    let o = ws.run(
        "reader",
        &[
            "export",
            slug,
            flag,
            path.to_str().expect("utf-8 temp path"),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("wrote "), "{}", o.stdout);
    std::fs::read_to_string(path).expect("the packet was written")
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let s = Selector::parse(css).expect("selector");
    doc.select(&s).collect()
}

fn text_of(e: &scraper::ElementRef<'_>) -> String {
    e.text().collect::<String>()
}

#[test]
fn html_packet_has_every_section_and_nothing_from_elsewhere() {
    let ws = Workspace::with_samples();
    let html = export(&ws, "vlan-qos", "--html", "packet.html");
    let doc = Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "well-formed: {:?}", doc.errors);
    for id in [
        "summary",
        "timeline",
        "decisions",
        "approved-texts",
        "diff",
        "traceability",
        "deviations",
        "metrics",
        "journal",
    ] {
        let found = select(&doc, &format!("section#{id}"));
        assert_eq!(found.len(), 1, "section #{id}");
        assert!(
            !select(&doc, &format!("section#{id} h2")).is_empty(),
            "#{id} has a heading"
        );
    }
    // Self-contained: inline CSS only, no script, no external resource or link.
    assert!(select(&doc, "script").is_empty());
    assert!(select(&doc, "link").is_empty());
    assert_eq!(select(&doc, "style").len(), 1);
    for e in select(&doc, "[src], [href]") {
        for attr in ["src", "href"] {
            if let Some(v) = e.value().attr(attr) {
                let v = v.trim().to_ascii_lowercase();
                assert!(
                    !(v.starts_with("http:") || v.starts_with("https:") || v.starts_with("//")),
                    "external URL {v}"
                );
                assert!(v.starts_with('#'), "only in-page links: {v}");
            }
        }
    }
    let style = text_of(&select(&doc, "style")[0]);
    assert!(!style.contains("url("), "no fonts or images from elsewhere");
    assert!(style.contains("@media print"), "print styles");
    assert!(!html.contains("http://") && !html.contains("https://"));

    // Decisions: both gate approvals with approver, note, signature status, criteria.
    let decisions = select(&doc, "section#decisions article.decision");
    assert_eq!(decisions.len(), 2);
    let g2 = text_of(&decisions[1]);
    assert!(g2.contains("Gate 2 approved — event 4"), "{g2}");
    assert!(g2.contains("bob"));
    assert!(g2.contains("unsigned"));
    assert!(g2.contains("NOC wants the rollback drill in the lab first."));
    assert!(g2.contains("G2-7") && g2.contains("checked"));
    // Approved texts at their hashes, from objects/.
    let approved = text_of(&select(&doc, "section#approved-texts")[0]);
    let design_sha = common_design_sha(&ws);
    assert!(approved.contains(&design_sha), "the approved design's hash");
    let texts = select(&doc, "section#approved-texts div.text");
    assert_eq!(texts.len(), 3);
    let snapshot = ws.read("vlan-qos", &format!(".phasegate/objects/{design_sha}"));
    // Lines are joined by <br>: each text node is one line (blank lines are bare <br>s).
    let shown: Vec<&str> = texts[2].text().collect();
    let expected: Vec<&str> = snapshot.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(shown, expected, "the approved design's text, line for line");
    assert_eq!(
        texts[2].inner_html().matches("<br>").count(),
        snapshot.lines().count() - 1
    );
    // The diff: every hunk with its verdict.
    let verdicts: Vec<String> = select(&doc, "section#diff p.verdict")
        .iter()
        .map(text_of)
        .collect();
    assert_eq!(
        verdicts,
        [
            "explained by DEV-2",
            "explained by DEV-1",
            "explained by DEV-1"
        ]
    );
    // Traceability REQ → AC → COMP → build.
    let rows = select(&doc, "section#traceability tr");
    assert_eq!(rows.len(), 1 + 5, "a header and one row per requirement");
    let req2 = text_of(&rows[2]);
    assert!(req2.contains("REQ-2") && req2.contains("AC-2") && req2.contains("COMP-2"));
    assert!(
        req2.contains("validated") && req2.contains("DEV-2"),
        "{req2}"
    );
    // Journal head and how to verify it.
    let journal = text_of(&select(&doc, "section#journal")[0]);
    let head = ws.status("vlan-qos")["head"]
        .as_str()
        .expect("head")
        .to_string();
    assert!(journal.contains(&head));
    assert!(journal.contains("phasegate check vlan-qos"));
}

fn common_design_sha(ws: &Workspace) -> String {
    let journal = ws.read("vlan-qos", ".phasegate/journal.toml");
    let line = journal
        .lines()
        .skip_while(|l| !l.starts_with("kind = \"gate_approved\""))
        .skip(1)
        .skip_while(|l| !l.starts_with("kind = \"gate_approved\""))
        .find(|l| l.contains("file = \"solution-design.md\""))
        .expect("Gate 2's design record");
    let start = line.find("sha256 = \"").expect("sha256") + 10;
    line[start..start + 64].to_string()
}

#[test]
fn html_escapes_what_people_wrote() {
    let ws = Workspace::with_samples();
    let o = ws.run(
        "carol",
        &[
            "gate",
            "1",
            "reject",
            "firewall-drift",
            "--reason",
            "<script>alert(1)</script> & \"quotes\"",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let html = export(&ws, "firewall-drift", "--html", "fw.html");
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"));
    let doc = Html::parse_document(&html);
    assert!(select(&doc, "script").is_empty());
    let decisions = text_of(&select(&doc, "section#decisions")[0]);
    assert!(decisions.contains("<script>alert(1)</script> & \"quotes\""));
}

#[test]
fn markdown_packet_snapshot() {
    let ws = Workspace::with_samples();
    let md = export(&ws, "vlan-qos", "--md", "packet.md");
    insta::assert_snapshot!("vlan_qos_packet_md", md);
}

#[test]
fn json_packet_shape() {
    let ws = Workspace::with_samples();
    let text = export(&ws, "vlan-qos", "--json", "packet.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["engagement"], "vlan-qos");
    assert_eq!(v["phase"], "as-built");
    assert_eq!(v["timeline"].as_array().map(Vec::len), Some(5));
    assert_eq!(v["decisions"][0]["kind"], "gate_approved");
    assert_eq!(v["decisions"][0]["approver"], "bob");
    assert!(v["decisions"][0]["signature"].is_null());
    assert_eq!(v["decisions"][1]["criteria"][6]["id"], "G2-7");
    assert_eq!(v["decisions"][1]["criteria"][6]["result"], "checked");
    assert_eq!(v["diff"]["hunks"].as_array().map(Vec::len), Some(3));
    assert_eq!(v["diff"]["explained"], 3);
    assert_eq!(v["traceability"][1]["requirement"], "REQ-2");
    assert_eq!(v["deviations"][0]["id"], "DEV-1");
    assert_eq!(v["deviations"][0]["recorded_at"], "2026-11-17T09:40:00Z");
    assert_eq!(v["amendments"][0]["deviation"], "DEV-2");
    assert!(
        v["metrics"]["time_to_value"].is_null(),
        "not closed: no figure"
    );
    assert_eq!(v["journal"]["head"], ws.status("vlan-qos")["head"]);
}

#[test]
fn csv_matrix_round_trips() {
    let ws = Workspace::with_samples();
    let text = export(&ws, "vlan-qos", "--csv", "matrix.csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        [
            "requirement",
            "text",
            "acceptance_criteria",
            "components",
            "build_status",
            "deviations"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 5);
    let packet: serde_json::Value =
        serde_json::from_str(&export(&ws, "vlan-qos", "--json", "packet.json")).expect("JSON");
    for (row, trace) in rows.iter().zip(packet["traceability"].as_array().unwrap()) {
        assert_eq!(&row[0], trace["requirement"].as_str().unwrap());
        // Text with commas and quotes comes back exactly.
        assert_eq!(&row[1], trace["text"].as_str().unwrap());
        assert_eq!(&row[4], trace["build_status"].as_str().unwrap());
    }
    assert_eq!(&rows[2][3], "COMP-2 (validated); COMP-3 (validated)");
    assert_eq!(&rows[2][5], "DEV-1; DEV-2");
    assert!(rows[0][1].contains(", "), "a field with commas, quoted");
}

#[test]
fn export_needs_a_format_and_an_engagement() {
    let ws = Workspace::with_samples();
    let o = ws.run("reader", &["export", "vlan-qos"]);
    assert_eq!(o.code, 2, "no format: usage error");
    let o = ws.run("reader", &["export", "nope", "--md", "x.md"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("nope"), "{}", o.stderr);
}
