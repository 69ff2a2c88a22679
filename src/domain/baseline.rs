//! Day 2 (DESIGN §7): an engagement started `--from` a closed one records
//! `baseline = "SLUG@<closing event hash>"`; what it changes against that baseline is computed
//! here, by ID, from item texts — requirements from the specs, components from the baseline's
//! as-built (its reconciled record) against the current design.

use std::collections::BTreeMap;

use super::design;
use super::ids::{IdPrefix, ItemId};
use super::markdown;

/// `SLUG@<hash>` as `engagement.toml` and the `created` event record it. A bare `SLUG` (a
/// hand-written baseline) names an engagement without pinning its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineRef {
    pub slug: String,
    pub version: Option<String>,
}

impl BaselineRef {
    pub fn parse(text: &str) -> Option<BaselineRef> {
        let text = text.trim();
        let (slug, version) = match text.split_once('@') {
            Some((s, v)) => (s, Some(v.trim().to_ascii_lowercase())),
            None => (text, None),
        };
        let slug = slug.trim();
        (!slug.is_empty()).then(|| BaselineRef {
            slug: slug.to_string(),
            version: version.filter(|v| !v.is_empty()),
        })
    }

    pub fn render(slug: &str, closing_hash: &str) -> String {
        format!("{slug}@{closing_hash}")
    }

    /// Whether this reference names the engagement closed with `closing_hash` (a pinned version
    /// may be any prefix of the hash; an unpinned one names whatever close there is).
    pub fn names(&self, slug: &str, closing_hash: &str) -> bool {
        self.slug == slug
            && self
                .version
                .as_deref()
                .is_none_or(|v| closing_hash.starts_with(v))
    }
}

/// Items added, changed (same ID, different text) and removed, each sorted by ID.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Delta {
    pub added: Vec<ItemId>,
    pub changed: Vec<ItemId>,
    pub removed: Vec<ItemId>,
}

impl Delta {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    fn between(base: &BTreeMap<ItemId, String>, current: &BTreeMap<ItemId, String>) -> Delta {
        let mut d = Delta::default();
        for (id, text) in current {
            match base.get(id) {
                None => d.added.push(*id),
                Some(b) if b != text => d.changed.push(*id),
                Some(_) => {}
            }
        }
        d.removed = base
            .keys()
            .filter(|id| !current.contains_key(id))
            .copied()
            .collect();
        d
    }
}

/// What an engagement changes against its baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineDelta {
    /// As recorded in `engagement.toml`.
    pub reference: String,
    pub requirements: Delta,
    pub components: Delta,
}

/// Lines with trailing spaces and trailing blank lines removed: re-wrapping whitespace at a line
/// end is not a change of intent.
fn normalized<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut out: Vec<&str> = lines.map(str::trim_end).collect();
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// Requirements of a spec's `## Requirements` section, by ID, with their text as written.
pub fn requirement_texts(spec: &str) -> BTreeMap<ItemId, String> {
    let doc = markdown::parse(spec);
    let mut out = BTreeMap::new();
    for item in doc.items_in("Requirements", IdPrefix::Req) {
        out.entry(item.id)
            .or_insert_with(|| normalized(item.source.lines()));
    }
    out
}

/// Components of a design (or as-built) by ID, with their whole section as written.
pub fn component_texts(design_text: &str) -> BTreeMap<ItemId, String> {
    let doc = markdown::parse(design_text);
    let lines: Vec<&str> = markdown::lines(design_text).collect();
    design::components(&doc, design_text)
        .into_iter()
        .map(|c| {
            let end = c.lines.end.min(lines.len());
            let start = c.lines.start.min(end);
            (c.id, normalized(lines[start..end].iter().copied()))
        })
        .collect()
}

/// The delta of the current spec and design against the baseline's spec and reconciled design
/// (the governed text of its as-built).
pub fn delta(
    reference: &str,
    base_spec: &str,
    base_design: &str,
    spec: &str,
    design_text: &str,
) -> BaselineDelta {
    BaselineDelta {
        reference: reference.to_string(),
        requirements: Delta::between(&requirement_texts(base_spec), &requirement_texts(spec)),
        components: Delta::between(&component_texts(base_design), &component_texts(design_text)),
    }
}

/// The feasibility a Day-2 engagement starts from: the template with, under `## Requirement
/// Assessment`, one line per inherited requirement to reassess (not a verdict yet, so the
/// assessment is incomplete until someone writes one).
pub fn reassessment_feasibility(template: &str, reference: &str, base_spec: &str) -> String {
    let lines: Vec<&str> = markdown::lines(template).collect();
    let Some(heading) = lines
        .iter()
        .position(|l| l.trim().eq_ignore_ascii_case("## Requirement Assessment"))
    else {
        return template.to_string();
    };
    // After the heading and its one-line guidance comment.
    let mut insert_at = heading + 1;
    while lines
        .get(insert_at)
        .is_some_and(|l| l.trim_start().starts_with("<!--"))
    {
        insert_at += 1;
    }
    let inherited: Vec<String> = requirement_texts(base_spec)
        .keys()
        .map(|id| format!("- {id}: reassess — inherited from {reference}"))
        .collect();
    let mut out: Vec<String> = lines[..insert_at].iter().map(|l| l.to_string()).collect();
    out.extend(inherited);
    out.extend(lines[insert_at..].iter().map(|l| l.to_string()));
    // `lines` yields a last empty line for a trailing newline, so joining restores it.
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[ItemId]) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn feasibility_lists_every_inherited_requirement_to_reassess() {
        let template =
            "# F\n\n## Requirement Assessment\n<!-- one per requirement -->\n\n## Constraints\n";
        let spec = "## Requirements\n- REQ-1: a\n- REQ-2: b\n";
        let f = reassessment_feasibility(template, "vlan-qos@abc", spec);
        assert_eq!(
            f,
            "# F\n\n## Requirement Assessment\n<!-- one per requirement -->\n- REQ-1: reassess — inherited from vlan-qos@abc\n- REQ-2: reassess — inherited from vlan-qos@abc\n\n## Constraints\n"
        );
    }

    #[test]
    fn parses_pinned_and_bare_references() {
        let r = BaselineRef::parse("vlan-qos@ABCDEF012345").unwrap();
        assert_eq!(r.slug, "vlan-qos");
        assert_eq!(r.version.as_deref(), Some("abcdef012345"));
        assert!(r.names("vlan-qos", "abcdef0123456789"));
        assert!(!r.names("vlan-qos", "bbcdef0123456789"));
        let bare = BaselineRef::parse("vlan-provisioning").unwrap();
        assert_eq!(bare.version, None);
        assert!(bare.names("vlan-provisioning", "anything"));
        assert!(BaselineRef::parse("  ").is_none());
    }

    #[test]
    fn requirements_added_changed_removed_by_id() {
        let base = "## Requirements\n- REQ-1: tag voice VLANs\n- REQ-2: report drift\n- REQ-3: gone soon\n## Constraints\nx\n";
        let now = "## Requirements\n- REQ-1: tag voice VLANs   \n- REQ-2: report drift hourly\n- REQ-4: new one\n## Constraints\nx\n";
        let d = delta("b@1", base, "", now, "");
        assert_eq!(ids(&d.requirements.added), ["REQ-4"]);
        assert_eq!(ids(&d.requirements.changed), ["REQ-2"]);
        assert_eq!(ids(&d.requirements.removed), ["REQ-3"]);
        assert!(d.components.is_empty());
    }

    #[test]
    fn components_compare_their_whole_section() {
        let base = "## Components\n### COMP-1: Model\n- satisfies: REQ-1\n- reuse: new\n\n### COMP-2: Push\n- satisfies: REQ-2\n## Testing Approach\nx\n";
        let now = "## Components\n### COMP-1: Model\n- satisfies: REQ-1\n- reuse: new\n### COMP-2: Push\n- satisfies: REQ-2, REQ-3\n### COMP-3: Report\n- satisfies: REQ-3\n## Testing Approach\nx\n";
        let d = delta("b@1", "", base, "", now);
        assert_eq!(ids(&d.components.added), ["COMP-3"]);
        assert_eq!(ids(&d.components.changed), ["COMP-2"]);
        assert!(d.components.removed.is_empty());
    }
}
