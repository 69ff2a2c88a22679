//! The structured items of feasibility, as-built and spec: requirement verdicts, deviations and
//! amendments.

use std::fmt;

use super::artifact::amendment_deviation;
use super::digest::sha256_hex;
use super::ids::{IdPrefix, ItemId};
use super::markdown::{Document, Item, parenthesized};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Feasible,
    Constrained,
    Conflict,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Feasible => "feasible",
            Verdict::Constrained => "constrained",
            Verdict::Conflict => "conflict",
        }
    }
}

/// One `- REQ-n: feasible|constrained|conflict — why` line of the Requirement Assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub requirement: ItemId,
    /// `None` when the verdict word is missing or not one of the three.
    pub verdict: Option<Verdict>,
    pub line: usize,
    pub column: usize,
}

pub fn assessments(feasibility: &Document) -> Vec<Assessment> {
    feasibility
        .items_in("Requirement Assessment", IdPrefix::Req)
        .map(|item| {
            let word: String = item
                .text
                .trim_start_matches(['*', '_', '`'])
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect::<String>()
                .to_ascii_lowercase();
            let verdict = match word.as_str() {
                "feasible" => Some(Verdict::Feasible),
                "constrained" => Some(Verdict::Constrained),
                "conflict" => Some(Verdict::Conflict),
                _ => None,
            };
            Assessment {
                requirement: item.id,
                verdict,
                line: item.line,
                column: item.column,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    Minor,
    DesignChange,
    ScopeChange,
}

impl Impact {
    pub const ALL: [Impact; 3] = [Impact::Minor, Impact::DesignChange, Impact::ScopeChange];
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Minor => "minor",
            Impact::DesignChange => "design-change",
            Impact::ScopeChange => "scope-change",
        }
    }
    pub fn parse(s: &str) -> Option<Impact> {
        Impact::ALL
            .into_iter()
            .find(|i| i.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a deviation is about: one component, or lines outside any component section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeviationTarget {
    Component(ItemId),
    General,
}

impl fmt::Display for DeviationTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviationTarget::Component(id) => write!(f, "{id}"),
            DeviationTarget::General => f.write_str("general"),
        }
    }
}

impl DeviationTarget {
    pub fn parse(s: &str) -> Option<DeviationTarget> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("general") {
            return Some(DeviationTarget::General);
        }
        s.parse::<ItemId>()
            .ok()
            .filter(|id| id.prefix == IdPrefix::Comp)
            .map(DeviationTarget::Component)
    }
}

/// `- DEV-n (COMP-x, impact): what — why` in the as-built's Deviations section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deviation {
    pub id: ItemId,
    pub target: Option<DeviationTarget>,
    pub impact: Option<Impact>,
    pub description: String,
    pub line: usize,
    pub column: usize,
    /// sha256 of the item as written; recorded events bind it.
    pub text_sha256: String,
    /// Why the item does not follow the form, when it does not.
    pub problem: Option<String>,
}

pub fn item_sha256(item: &Item) -> String {
    sha256_hex(item.source.trim_end().as_bytes())
}

pub fn deviations(as_built: &Document) -> Vec<Deviation> {
    as_built
        .items_in("Deviations", IdPrefix::Dev)
        .map(|item| {
            let mut deviation = Deviation {
                id: item.id,
                target: None,
                impact: None,
                description: item.text.clone(),
                line: item.line,
                column: item.column,
                text_sha256: item_sha256(item),
                problem: None,
            };
            match parenthesized(&item.text) {
                Some((parts, after)) if parts.len() == 2 => {
                    deviation.target = DeviationTarget::parse(parts[0]);
                    deviation.impact = Impact::parse(parts[1]);
                    deviation.description = after.to_string();
                    if deviation.target.is_none() {
                        deviation.problem = Some(format!(
                            "{}: `{}` is neither a component ID nor `general`",
                            item.id, parts[0]
                        ));
                    } else if deviation.impact.is_none() {
                        deviation.problem = Some(format!(
                            "{}: impact `{}` is not minor, design-change or scope-change",
                            item.id, parts[1]
                        ));
                    }
                }
                _ => {
                    deviation.problem = Some(format!(
                        "{}: expected `{} (COMP-n|general, minor|design-change|scope-change): what — why`",
                        item.id, item.id
                    ))
                }
            }
            deviation
        })
        .collect()
}

/// `- AMD-n (DEV-x): text` in the spec's Amendments section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    pub id: ItemId,
    pub deviation: Option<ItemId>,
    pub text: String,
    pub line: usize,
    pub column: usize,
    pub text_sha256: String,
}

pub fn amendments(spec: &Document) -> Vec<Amendment> {
    spec.items_in("Amendments", IdPrefix::Amd)
        .map(|item| {
            let text = parenthesized(&item.text)
                .map_or_else(|| item.text.clone(), |(_, after)| after.to_string());
            Amendment {
                id: item.id,
                deviation: amendment_deviation(item),
                text,
                line: item.line,
                column: item.column,
                text_sha256: item_sha256(item),
            }
        })
        .collect()
}

/// The next free number for a prefix, given the items already used anywhere.
pub fn next_id<'a>(prefix: IdPrefix, docs: impl IntoIterator<Item = &'a Document>) -> ItemId {
    let max = docs
        .into_iter()
        .flat_map(|d| d.items.iter().chain(d.duplicates.iter()))
        .filter(|i| i.id.prefix == prefix)
        .map(|i| i.id.number)
        .max()
        .unwrap_or(0);
    ItemId::new(prefix, max.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::markdown::parse;

    #[test]
    fn verdicts() {
        let doc = parse(
            "## Requirement Assessment\n- REQ-1: feasible — ok\n- REQ-2: **conflict** — no\n- REQ-3: maybe\n",
        );
        let v: Vec<_> = assessments(&doc).iter().map(|a| a.verdict).collect();
        assert_eq!(v, [Some(Verdict::Feasible), Some(Verdict::Conflict), None]);
    }

    #[test]
    fn deviations_parse_target_and_impact() {
        let doc = parse(
            "## Deviations\n- DEV-1 (COMP-3, design-change): used gNMI — NETCONF missing\n- DEV-2 (general, minor): typo\n- DEV-3: no form\n- DEV-4 (COMP-1, huge): x\n",
        );
        let devs = deviations(&doc);
        assert_eq!(
            devs[0].target,
            Some(DeviationTarget::Component("COMP-3".parse().unwrap()))
        );
        assert_eq!(devs[0].impact, Some(Impact::DesignChange));
        assert_eq!(devs[0].description, "used gNMI — NETCONF missing");
        assert_eq!(devs[1].target, Some(DeviationTarget::General));
        assert!(devs[2].problem.is_some());
        assert!(devs[3].problem.as_deref().unwrap().contains("huge"));
    }

    #[test]
    fn amendments_and_next_id() {
        let doc = parse("## Amendments\n- AMD-1 (DEV-2): add IPv6\n- AMD-4: loose\n");
        let amds = amendments(&doc);
        assert_eq!(amds[0].deviation, Some("DEV-2".parse().unwrap()));
        assert_eq!(amds[0].text, "add IPv6");
        assert_eq!(amds[1].deviation, None);
        assert_eq!(next_id(IdPrefix::Amd, [&doc]).to_string(), "AMD-5");
    }
}
