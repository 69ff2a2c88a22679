//! The reuse catalog (DESIGN §7): every component of every closed engagement in the workspace,
//! versioned by its engagement's closing event hash (`SLUG/COMP-n@<12 hex>`), and the
//! `- reuse: catalog SLUG/COMP-n[@VERSION]` references designs make to it. The store gathers the
//! closed engagements; everything here is a function of them.

use super::artifact::{Artifact, GovernedText};
use super::baseline::BaselineRef;
use super::build_file::BuildFile;
use super::design::{self, Component};
use super::ids::{IdPrefix, ItemId};
use super::markdown;
use super::position::{Finding, Position};
use super::records::{self, DeviationTarget, Impact};
use super::time::Timestamp;

/// How many hex digits of the closing hash a version shows.
pub const VERSION_LEN: usize = 12;
/// The shortest version prefix a reference may pin (shorter ones are too easy to collide).
const MIN_VERSION_LEN: usize = 7;

/// A closed engagement as the catalog reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedEngagement {
    pub slug: String,
    pub title: String,
    /// Full hash of the `closed` event: the version of everything it reconciled.
    pub closing_hash: String,
    pub closed_at: Timestamp,
    /// `engagement.toml`'s `baseline`, as written.
    pub baseline: Option<String>,
    pub spec: String,
    pub as_built: String,
    pub build_files: Vec<BuildFile>,
}

impl ClosedEngagement {
    pub fn version(&self) -> &str {
        short(&self.closing_hash)
    }

    /// The reconciled design: the as-built's governed text.
    pub fn reconciled_design(&self) -> String {
        GovernedText::of(Artifact::AsBuilt, &self.as_built).text
    }
}

fn short(hash: &str) -> &str {
    hash.get(..VERSION_LEN).unwrap_or(hash)
}

/// A deviation that touched a catalog component, with its impact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDeviation {
    pub id: ItemId,
    pub impact: Option<Impact>,
    pub description: String,
}

impl std::fmt::Display for EntryDeviation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.id,
            self.impact.map_or("?", Impact::as_str),
            self.description
        )
    }
}

/// One versioned building block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    pub slug: String,
    pub component: ItemId,
    /// Full closing event hash.
    pub version: String,
    pub closed_at: Timestamp,
    pub name: String,
    pub satisfies: Vec<ItemId>,
    pub acceptance: Option<String>,
    /// Its own reuse decision: where it came from (lineage).
    pub reuse: Option<String>,
    pub deviations: Vec<EntryDeviation>,
    /// Its files under `build/COMP-n/`, with hashes.
    pub files: Vec<BuildFile>,
    /// Lower-cased text the filter searches.
    haystack: String,
}

impl CatalogEntry {
    pub fn short_version(&self) -> &str {
        short(&self.version)
    }

    /// `SLUG/COMP-n@<12 hex>`.
    pub fn reference(&self) -> String {
        format!("{}/{}@{}", self.slug, self.component, self.short_version())
    }

    /// The design line that reuses this entry.
    pub fn reuse_line(&self) -> String {
        format!("- reuse: catalog {}", self.reference())
    }

    /// Whether every word of a lower-cased query occurs in the entry.
    fn matches(&self, words: &[String]) -> bool {
        words.iter().all(|w| self.haystack.contains(w.as_str()))
    }
}

/// Every component of every closed engagement, ordered by slug then component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub engagements: Vec<ClosedEngagement>,
    pub entries: Vec<CatalogEntry>,
}

/// A later closed Day-2 engagement that supersedes a version.
#[derive(Debug, Clone, Copy)]
pub struct Supersession<'a> {
    pub newer: &'a ClosedEngagement,
    /// The same component in the newer engagement (absent when it was removed there).
    pub entry: Option<&'a CatalogEntry>,
}

fn entries_of(e: &ClosedEngagement) -> Vec<CatalogEntry> {
    let doc = markdown::parse(&e.as_built);
    let deviations = records::deviations(&doc);
    design::components(&doc, &e.as_built)
        .iter()
        .map(|c| {
            let satisfies: Vec<ItemId> = c.satisfied_requirements().iter().map(|r| r.id).collect();
            let acceptance = c.acceptance.as_ref().map(|f| f.value.clone());
            let reuse = c.reuse_decision().map(str::to_string);
            let touched: Vec<EntryDeviation> = deviations
                .iter()
                .filter(|d| d.target == Some(DeviationTarget::Component(c.id)))
                .map(|d| EntryDeviation {
                    id: d.id,
                    impact: d.impact,
                    description: d.description.clone(),
                })
                .collect();
            let files: Vec<BuildFile> = e
                .build_files
                .iter()
                .filter(|f| f.component() == Some(c.id))
                .cloned()
                .collect();
            let haystack = format!(
                "{}/{} {} {} {} {} {} {}",
                e.slug,
                c.id,
                c.title,
                e.title,
                satisfies
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
                acceptance.as_deref().unwrap_or(""),
                reuse.as_deref().unwrap_or(""),
                short(&e.closing_hash),
            )
            .to_lowercase();
            CatalogEntry {
                slug: e.slug.clone(),
                component: c.id,
                version: e.closing_hash.clone(),
                closed_at: e.closed_at,
                name: c.title.clone(),
                satisfies,
                acceptance,
                reuse,
                deviations: touched,
                files,
                haystack,
            }
        })
        .collect()
}

/// Builds the catalog from the workspace's closed engagements.
pub fn build(mut engagements: Vec<ClosedEngagement>) -> Catalog {
    engagements.sort_by(|a, b| a.slug.cmp(&b.slug));
    let mut entries: Vec<CatalogEntry> = engagements.iter().flat_map(entries_of).collect();
    entries.sort_by(|a, b| (&a.slug, a.component).cmp(&(&b.slug, b.component)));
    Catalog {
        engagements,
        entries,
    }
}

/// `catalog SLUG/COMP-n[@VERSION]` as a design's `reuse:` field writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRef {
    pub slug: String,
    pub component: ItemId,
    pub version: Option<String>,
}

impl std::fmt::Display for CatalogRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.slug, self.component)?;
        if let Some(v) = &self.version {
            write!(f, "@{v}")?;
        }
        Ok(())
    }
}

const REF_FORM: &str = "`catalog SLUG/COMP-n` or `catalog SLUG/COMP-n@VERSION`";

/// A `reuse:` value that starts with the word `catalog`: `None` when it does not (a plain asset
/// name or `new`), else the reference or why it is malformed, with the reference's char offset.
pub fn parse_reference(value: &str) -> Option<(usize, Result<CatalogRef, String>)> {
    let lead = value.len() - value.trim_start().len();
    let rest = &value[lead..];
    let keyword = rest.get(..7)?;
    if !keyword.eq_ignore_ascii_case("catalog") {
        return None;
    }
    let after = &rest[7..];
    if !after.is_empty() && !after.starts_with(char::is_whitespace) {
        return None; // `catalogue-client v2`: an asset name, not a catalog reference
    }
    let gap = after.len() - after.trim_start().len();
    let token_start = lead + 7 + gap;
    let offset = value[..token_start].chars().count();
    let token = value[token_start..]
        .split(char::is_whitespace)
        .next()
        .unwrap_or("")
        .trim_end_matches([',', ';', '.']);
    let parsed = (|| {
        let (slug, rest) = token
            .split_once('/')
            .ok_or_else(|| format!("`{token}` is not a catalog reference: write {REF_FORM}"))?;
        let (comp, version) = match rest.split_once('@') {
            Some((c, v)) => (c, Some(v)),
            None => (rest, None),
        };
        let component = comp
            .parse::<ItemId>()
            .ok()
            .filter(|id| id.prefix == IdPrefix::Comp)
            .ok_or_else(|| format!("`{comp}` is not a component ID: write {REF_FORM}"))?;
        if slug.is_empty() {
            return Err(format!("the engagement is missing: write {REF_FORM}"));
        }
        let version = match version {
            None => None,
            Some(v)
                if v.len() >= MIN_VERSION_LEN
                    && v.len() <= 64
                    && v.chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                Some(v.to_ascii_lowercase())
            }
            Some(v) => {
                return Err(format!(
                    "version `{v}` must be {MIN_VERSION_LEN} to 64 hex digits of the closing event hash"
                ));
            }
        };
        Ok(CatalogRef {
            slug: slug.to_string(),
            component,
            version,
        })
    })();
    Some((offset, parsed))
}

impl Catalog {
    pub fn engagement(&self, slug: &str) -> Option<&ClosedEngagement> {
        self.engagements.iter().find(|e| e.slug == slug)
    }

    /// The entry a reference names; the message says why none does.
    pub fn resolve(&self, r: &CatalogRef) -> Result<&CatalogEntry, String> {
        let Some(e) = self.engagement(&r.slug) else {
            let closed: Vec<&str> = self.engagements.iter().map(|e| e.slug.as_str()).collect();
            return Err(format!(
                "catalog reference {r} does not resolve: no closed engagement `{}` in the workspace (closed: {})",
                r.slug,
                if closed.is_empty() {
                    "none".to_string()
                } else {
                    closed.join(", ")
                }
            ));
        };
        if let Some(v) = &r.version
            && !e.closing_hash.starts_with(v.as_str())
        {
            return Err(format!(
                "catalog reference {r} does not resolve: {} was closed at version {}, not {v}",
                e.slug,
                e.version()
            ));
        }
        self.entries
            .iter()
            .find(|x| x.slug == e.slug && x.component == r.component)
            .ok_or_else(|| {
                let comps: Vec<String> = self
                    .entries
                    .iter()
                    .filter(|x| x.slug == e.slug)
                    .map(|x| x.component.to_string())
                    .collect();
                format!(
                    "catalog reference {r} does not resolve: {} has no {} (its components: {})",
                    e.slug,
                    r.component,
                    if comps.is_empty() {
                        "none".to_string()
                    } else {
                        comps.join(", ")
                    }
                )
            })
    }

    /// The newest closed Day-2 engagement descending from `entry`'s version, if any: the chain
    /// of `baseline = "SLUG@hash"` links is followed to its end.
    pub fn superseded(&self, entry: &CatalogEntry) -> Option<Supersession<'_>> {
        let mut current: (&str, &str) = (entry.slug.as_str(), entry.version.as_str());
        let mut newest = None;
        // A chain longer than the workspace is a cycle in hand-edited files: stop there.
        for _ in 0..self.engagements.len() {
            let next = self.engagements.iter().find(|d| {
                d.baseline
                    .as_deref()
                    .and_then(BaselineRef::parse)
                    .is_some_and(|b| b.version.is_some() && b.names(current.0, current.1))
            });
            match next {
                Some(d) => {
                    newest = Some(d);
                    current = (d.slug.as_str(), d.closing_hash.as_str());
                }
                None => break,
            }
        }
        newest.map(|newer| Supersession {
            newer,
            entry: self
                .entries
                .iter()
                .find(|x| x.slug == newer.slug && x.component == entry.component),
        })
    }

    /// Indices of the entries matching every word of `query` (case-insensitive), in order.
    pub fn filter(&self, query: &str) -> Vec<usize> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.matches(&words))
            .map(|(i, _)| i)
            .collect()
    }

    /// How many current designs reuse each entry: `(reference, count)`, most reused first.
    pub fn most_reused<'a>(
        &self,
        designs: impl IntoIterator<Item = &'a [Component]>,
    ) -> Vec<(String, usize)> {
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for components in designs {
            for c in components {
                if let Some((_, Ok(r))) = c.reuse_decision().and_then(parse_reference)
                    && let Ok(entry) = self.resolve(&r)
                {
                    *counts.entry(entry.reference()).or_default() += 1;
                }
            }
        }
        let mut out: Vec<(String, usize)> = counts.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

/// What the design's catalog reuses come to: references that do not resolve (G2-3 fails on
/// them) and pinned versions a later Day-2 engagement superseded (suspect: warnings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReuseCheck {
    pub dangling: Vec<Finding>,
    pub suspect: Vec<Finding>,
    /// Components whose reuse resolved in the catalog.
    pub resolved: Vec<ItemId>,
}

pub fn check_reuse(components: &[Component], catalog: &Catalog) -> ReuseCheck {
    let mut out = ReuseCheck::default();
    for c in components {
        let Some(field) = &c.reuse else { continue };
        let Some((offset, parsed)) = parse_reference(&field.value) else {
            continue;
        };
        let at = Position::new(
            Artifact::Design.file_name(),
            field.line,
            field.column + offset,
        );
        let r = match parsed {
            Ok(r) => r,
            Err(why) => {
                out.dangling
                    .push(Finding::new(at, format!("{}: {why}", c.id)));
                continue;
            }
        };
        let entry = match catalog.resolve(&r) {
            Ok(e) => e,
            Err(why) => {
                out.dangling
                    .push(Finding::new(at, format!("{}: {why}", c.id)));
                continue;
            }
        };
        out.resolved.push(c.id);
        if r.version.is_none() {
            continue;
        }
        if let Some(s) = catalog.superseded(entry) {
            let newer = match s.entry {
                Some(n) => {
                    let devs = if n.deviations.is_empty() {
                        "no deviation touched it".to_string()
                    } else {
                        n.deviations
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; ")
                    };
                    format!("{} ({devs})", n.reference())
                }
                None => format!(
                    "{}@{}, which no longer has {}",
                    s.newer.slug,
                    s.newer.version(),
                    entry.component
                ),
            };
            out.suspect.push(Finding::new(
                at,
                format!(
                    "{} reuses {}, superseded by {newer}: review the newer version and re-pin",
                    c.id,
                    entry.reference()
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    const AS_BUILT: &str = "# As-Built\n\n## Overview\nx\n\n## Components\n\n### COMP-1: NetBox VLAN model\n- satisfies: REQ-1\n- depends-on: none\n- reuse: netbox-client v2\n- acceptance: AC-1 — golden files\n\n### COMP-2: QoS renderer\n- satisfies: REQ-2\n- depends-on: COMP-1\n- reuse: new\n- acceptance: AC-2\n\n## Testing Approach\nx\n\n## Deviations\n- DEV-1 (COMP-2, design-change): trust boundary moved — the access switches re-mark\n\n## As-Built Notes\n";

    fn closed(slug: &str, hash: char, baseline: Option<String>) -> ClosedEngagement {
        ClosedEngagement {
            slug: slug.into(),
            title: format!("{slug} title"),
            closing_hash: hash.to_string().repeat(64),
            closed_at: ts("2026-11-20T10:00:00Z"),
            baseline,
            spec: String::new(),
            as_built: AS_BUILT.into(),
            build_files: vec![
                BuildFile {
                    path: "COMP-2/qos.j2".into(),
                    sha256: Some("f".repeat(64)),
                    problem: None,
                },
                BuildFile {
                    path: "README".into(),
                    sha256: Some("e".repeat(64)),
                    problem: None,
                },
            ],
        }
    }

    fn reference(s: &str) -> CatalogRef {
        parse_reference(s).unwrap().1.unwrap()
    }

    #[test]
    fn entries_carry_fields_deviations_and_files() {
        let cat = build(vec![closed("vlan-qos", 'a', None)]);
        assert_eq!(cat.entries.len(), 2);
        let e = &cat.entries[1];
        assert_eq!(e.reference(), "vlan-qos/COMP-2@aaaaaaaaaaaa");
        assert_eq!(e.name, "QoS renderer");
        assert_eq!(e.satisfies[0].to_string(), "REQ-2");
        assert_eq!(e.deviations[0].id.to_string(), "DEV-1");
        assert_eq!(e.deviations[0].impact, Some(Impact::DesignChange));
        assert_eq!(e.files.len(), 1);
        assert_eq!(cat.entries[0].reuse.as_deref(), Some("netbox-client v2"));
    }

    #[test]
    fn parses_references_and_leaves_plain_reuse_alone() {
        assert!(parse_reference("new").is_none());
        assert!(parse_reference("netbox-client v2").is_none());
        assert!(parse_reference("catalogue-client v2").is_none());
        let (offset, r) = parse_reference("catalog vlan-qos/COMP-1@ABCDEF1234 — model").unwrap();
        assert_eq!(offset, 8);
        let r = r.unwrap();
        assert_eq!(r.slug, "vlan-qos");
        assert_eq!(r.version.as_deref(), Some("abcdef1234"));
        assert!(parse_reference("catalog vlan-qos").unwrap().1.is_err());
        assert!(
            parse_reference("catalog vlan-qos/REQ-1")
                .unwrap()
                .1
                .is_err()
        );
        assert!(
            parse_reference("catalog vlan-qos/COMP-1@xyz")
                .unwrap()
                .1
                .is_err()
        );
    }

    #[test]
    fn resolves_by_slug_and_by_version() {
        let cat = build(vec![closed("vlan-qos", 'a', None)]);
        let by_slug = cat.resolve(&reference("catalog vlan-qos/COMP-2")).unwrap();
        assert_eq!(by_slug.name, "QoS renderer");
        let by_version = cat
            .resolve(&reference("catalog vlan-qos/COMP-1@aaaaaaaaaaaa"))
            .unwrap();
        assert_eq!(by_version.name, "NetBox VLAN model");
        let wrong = cat
            .resolve(&reference("catalog vlan-qos/COMP-1@bbbbbbbbbbbb"))
            .unwrap_err();
        assert!(wrong.contains("closed at version aaaaaaaaaaaa"), "{wrong}");
        let missing = cat
            .resolve(&reference("catalog vlan-qos/COMP-9"))
            .unwrap_err();
        assert!(missing.contains("COMP-1, COMP-2"), "{missing}");
        let nowhere = cat.resolve(&reference("catalog nope/COMP-1")).unwrap_err();
        assert!(nowhere.contains("closed: vlan-qos"), "{nowhere}");
    }

    fn design_reusing(value: &str) -> Vec<Component> {
        let text = format!(
            "## Components\n### COMP-1: x\n- satisfies: REQ-1\n- reuse: {value}\n## Testing Approach\nx\n"
        );
        design::components(&markdown::parse(&text), &text)
    }

    #[test]
    fn dangling_reference_is_found_at_its_position() {
        let cat = build(vec![closed("vlan-qos", 'a', None)]);
        let check = check_reuse(&design_reusing("catalog vlan-qos/COMP-7"), &cat);
        assert_eq!(check.dangling.len(), 1);
        assert_eq!(
            check.dangling[0].position.to_string(),
            "solution-design.md:4:18"
        );
        let ok = check_reuse(&design_reusing("catalog vlan-qos/COMP-1"), &cat);
        assert!(ok.dangling.is_empty() && ok.suspect.is_empty());
        assert_eq!(ok.resolved.len(), 1);
    }

    #[test]
    fn superseded_version_is_suspect_naming_the_newer_one() {
        let v1 = closed("vlan-qos", 'a', None);
        let v2 = closed(
            "vlan-qos-2",
            'b',
            Some(format!("vlan-qos@{}", "a".repeat(64))),
        );
        let v3 = closed(
            "vlan-qos-3",
            'c',
            Some(format!("vlan-qos-2@{}", "b".repeat(64))),
        );
        let cat = build(vec![v1, v2, v3]);
        let check = check_reuse(
            &design_reusing("catalog vlan-qos/COMP-2@aaaaaaaaaaaa"),
            &cat,
        );
        assert_eq!(check.suspect.len(), 1, "{check:?}");
        let m = &check.suspect[0].message;
        assert!(
            m.contains("superseded by vlan-qos-3/COMP-2@cccccccccccc"),
            "{m}"
        );
        assert!(m.contains("DEV-1 (design-change)"), "{m}");
        // The newest version itself is not suspect, nor an unpinned reference.
        let newest = check_reuse(
            &design_reusing("catalog vlan-qos-3/COMP-2@cccccccccccc"),
            &cat,
        );
        assert!(newest.suspect.is_empty());
        assert!(
            check_reuse(&design_reusing("catalog vlan-qos/COMP-2"), &cat)
                .suspect
                .is_empty()
        );
    }

    #[test]
    fn filter_matches_every_word() {
        let cat = build(vec![
            closed("vlan-qos", 'a', None),
            closed("bgp", 'b', None),
        ]);
        assert_eq!(cat.filter("").len(), 4);
        let hits = cat.filter("QOS renderer");
        assert_eq!(hits.len(), 2);
        let hits = cat.filter("bgp renderer");
        assert_eq!(cat.entries[hits[0]].slug, "bgp");
        assert!(cat.filter("nothing-like-this").is_empty());
    }
}
