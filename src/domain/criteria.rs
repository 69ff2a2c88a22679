//! Predefined gate criteria (DESIGN §3) and their evaluation on the current texts.
//! Auto criteria are computed with the position of every failure; manual ones wait for a reviewer.

use std::collections::BTreeSet;

use super::artifact::Artifact;
use super::design::Component;
use super::ids::{IdPrefix, ItemId};
use super::journal::{CriterionResult, GateId};
use super::markdown::Document;
use super::meta::ExtraCriterion;
use super::position::{Finding, Position};
use super::records::{Verdict, assessments};
use super::trace;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CriterionKind {
    Auto,
    Manual,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionDef {
    pub gate: GateId,
    pub id: String,
    pub kind: CriterionKind,
    pub hard: bool,
    pub text: String,
}

const PREDEFINED: [(u8, &str, CriterionKind, bool, &str); 17] = [
    (
        1,
        "G1-1",
        CriterionKind::Auto,
        false,
        "all required sections present and non-empty",
    ),
    (
        1,
        "G1-2",
        CriterionKind::Auto,
        true,
        "at least one requirement; requirement IDs unique; every reference resolves",
    ),
    (
        1,
        "G1-3",
        CriterionKind::Auto,
        true,
        "every requirement has at least one acceptance criterion referencing it",
    ),
    (
        1,
        "G1-4",
        CriterionKind::Auto,
        false,
        "the Integrations section names at least one system",
    ),
    (
        1,
        "G1-5",
        CriterionKind::Manual,
        false,
        "the spec states what the automation must do, in the requester's terms",
    ),
    (
        1,
        "G1-6",
        CriterionKind::Manual,
        false,
        "integrations and operational constraints are complete and correct",
    ),
    (
        1,
        "G1-7",
        CriterionKind::Manual,
        false,
        "acceptance criteria are testable",
    ),
    (
        1,
        "G1-8",
        CriterionKind::Manual,
        false,
        "the spec contains no design or environment-discovery decisions",
    ),
    (
        2,
        "G2-1",
        CriterionKind::Auto,
        true,
        "every approved requirement has a feasibility verdict; none is `conflict`",
    ),
    (
        2,
        "G2-2",
        CriterionKind::Auto,
        true,
        "every requirement is satisfied by at least one component; every reference resolves",
    ),
    (
        2,
        "G2-3",
        CriterionKind::Auto,
        false,
        "every component declares a reuse decision",
    ),
    (
        2,
        "G2-4",
        CriterionKind::Auto,
        false,
        "every component has acceptance criteria",
    ),
    (
        2,
        "G2-5",
        CriterionKind::Auto,
        true,
        "`depends-on` references exist and form no cycle",
    ),
    (
        2,
        "G2-6",
        CriterionKind::Auto,
        false,
        "the Testing Approach section is present and non-empty",
    ),
    (
        2,
        "G2-7",
        CriterionKind::Manual,
        false,
        "the design is implementable within the constraints found in feasibility",
    ),
    (
        2,
        "G2-8",
        CriterionKind::Manual,
        false,
        "reuse candidates from feasibility were considered",
    ),
    (
        2,
        "G2-9",
        CriterionKind::Manual,
        false,
        "testing is layered: leaf components before composites",
    ),
];

pub fn predefined_ids() -> Vec<&'static str> {
    PREDEFINED.iter().map(|p| p.1).collect()
}

/// The predefined criteria of a gate followed by the engagement's extra ones (manual, waivable).
pub fn definitions(gate: GateId, extra: &[ExtraCriterion]) -> Vec<CriterionDef> {
    PREDEFINED
        .iter()
        .filter(|p| p.0 == gate.number())
        .map(|&(_, id, kind, hard, text)| CriterionDef {
            gate,
            id: id.into(),
            kind,
            hard,
            text: text.into(),
        })
        .chain(
            extra
                .iter()
                .filter(|c| c.gate == gate.number())
                .map(|c| CriterionDef {
                    gate,
                    id: c.id.clone(),
                    kind: CriterionKind::Manual,
                    hard: false,
                    text: c.text.clone(),
                }),
        )
        .collect()
}

/// One criterion evaluated now. `result` is `pass`/`fail` for auto ones, `unchecked` for manual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionEval {
    pub def: CriterionDef,
    pub result: CriterionResult,
    /// Every failure with its position; the first one is the headline.
    pub failures: Vec<Finding>,
}

impl CriterionEval {
    pub fn message(&self) -> String {
        match self.failures.first() {
            Some(f) if self.failures.len() > 1 => {
                format!("{} (and {} more)", f.message, self.failures.len() - 1)
            }
            Some(f) => f.message.clone(),
            None => self.def.text.clone(),
        }
    }
    pub fn position(&self) -> Option<&Position> {
        self.failures.first().map(|f| &f.position)
    }
}

/// What criteria read: the parsed artifacts and the IDs every reference may resolve to.
pub struct CriteriaInput<'a> {
    pub spec: Option<&'a Document>,
    pub feasibility: Option<&'a Document>,
    pub design: Option<&'a Document>,
    pub components: &'a [Component],
    pub known_ids: &'a BTreeSet<ItemId>,
    /// `reuse: catalog …` references that do not resolve in the workspace's catalog (G2-3).
    pub dangling_reuse: &'a [Finding],
}

fn at(artifact: Artifact, line: usize, column: usize) -> Position {
    Position::new(artifact.file_name(), line, column)
}

fn eof(artifact: Artifact, doc: &Document) -> Position {
    at(artifact, doc.line_count.max(1), 1)
}

fn missing_file(artifact: Artifact) -> Finding {
    Finding::new(
        Position::file(artifact.file_name()),
        format!("{} is missing", artifact.file_name()),
    )
}

/// A section with nothing but blank lines, comments or placeholders: at its placeholder when it
/// has one (`TBD` is not content), else at its heading.
fn empty_section(artifact: Artifact, s: &super::markdown::Section, name: &str) -> Finding {
    match s.placeholder_line {
        Some(line) => Finding::new(
            at(artifact, line, 1),
            format!(
                "section `## {name}` holds only a placeholder (TBD, TODO, ?): write its content"
            ),
        ),
        None => Finding::new(
            at(artifact, s.heading_line, 1),
            format!("section `## {name}` is empty"),
        ),
    }
}

/// Required sections present and non-empty, each (and each ungoverned one) written once: the
/// conventions read only the first, so a second `## Requirements` would hide its items from
/// the criteria and a second `## Amendments` would pass for the ungoverned one.
pub fn section_findings(artifact: Artifact, doc: &Document) -> Vec<Finding> {
    let mut out = Vec::new();
    for name in artifact.required_sections() {
        match doc.section(name) {
            None => out.push(Finding::new(
                eof(artifact, doc),
                format!("section `## {name}` is missing"),
            )),
            Some(s) if !s.has_content => out.push(empty_section(artifact, s, name)),
            Some(_) => {}
        }
    }
    let mut named: Vec<&str> = Vec::new();
    for name in artifact
        .required_sections()
        .iter()
        .chain(artifact.ungoverned_sections())
    {
        if named.contains(name) {
            continue;
        }
        named.push(name);
        let mut same = doc.sections.iter().filter(|s| s.is(name));
        let Some(first) = same.next() else { continue };
        for again in same {
            out.push(Finding::new(
                at(artifact, again.heading_line, 1),
                format!(
                    "section `## {name}` appears a second time (first at line {}): keep one",
                    first.heading_line
                ),
            ));
        }
    }
    out
}

fn duplicate_findings(
    artifact: Artifact,
    doc: &Document,
    prefix: Option<IdPrefix>,
) -> Vec<Finding> {
    let first_lines: std::collections::HashMap<ItemId, usize> = if doc.duplicates.is_empty() {
        std::collections::HashMap::new()
    } else {
        doc.items.iter().map(|i| (i.id, i.line)).collect()
    };
    doc.duplicates
        .iter()
        .filter(|d| prefix.is_none_or(|p| d.id.prefix == p))
        .map(|d| {
            let first = first_lines.get(&d.id).copied().unwrap_or(0);
            Finding::new(
                at(artifact, d.line, d.column),
                format!("{} is defined again (first at line {first})", d.id),
            )
        })
        .collect()
}

/// IDs defined as items in more than one artifact (`### REQ-1` in the design), reported at
/// every definition: a reference could mean either. A feasibility verdict (`- REQ-1: feasible`
/// under Requirement Assessment) assesses a requirement; it does not define one. With
/// `spec_involved`, only IDs one of whose definitions is in the spec.
fn cross_artifact_definitions(input: &CriteriaInput<'_>, spec_involved: bool) -> Vec<Finding> {
    use std::collections::HashMap;
    type Places = Vec<(Artifact, usize, usize)>;
    let definitions = |artifact: Artifact, doc: &Document, into: &mut HashMap<ItemId, Places>| {
        let assessments = doc.section_index("Requirement Assessment");
        for item in &doc.items {
            let verdict = artifact == Artifact::Feasibility
                && item.id.prefix == IdPrefix::Req
                && assessments.is_some()
                && item.section == assessments;
            if !verdict {
                into.entry(item.id)
                    .or_default()
                    .push((artifact, item.line, item.column));
            }
        }
    };
    // The other artifacts define few IDs: map them, then look the spec's items up.
    let mut places: HashMap<ItemId, Places> = HashMap::new();
    for (artifact, doc) in [
        (Artifact::Feasibility, input.feasibility),
        (Artifact::Design, input.design),
    ] {
        if let Some(doc) = doc {
            definitions(artifact, doc, &mut places);
        }
    }
    if places.is_empty() {
        return Vec::new();
    }
    if let Some(spec) = input.spec {
        for item in &spec.items {
            if let Some(p) = places.get_mut(&item.id) {
                p.insert(0, (Artifact::Spec, item.line, item.column));
            }
        }
    }
    let mut conflicts: Vec<(ItemId, Places)> = places
        .into_iter()
        .filter(|(_, p)| p.iter().any(|x| x.0 != p[0].0))
        .filter(|(_, p)| !spec_involved || p[0].0 == Artifact::Spec)
        .collect();
    conflicts.sort();
    let mut out = Vec::new();
    for (id, p) in conflicts {
        for &(artifact, line, column) in &p {
            let others: Vec<String> = p
                .iter()
                .filter(|o| o.0 != artifact)
                .map(|o| at(o.0, o.1, o.2).to_string())
                .collect();
            out.push(Finding::new(
                at(artifact, line, column),
                format!(
                    "{id} is defined in two artifacts (also at {}): an ID names one item; rename one",
                    others.join(", ")
                ),
            ));
        }
    }
    out
}

/// Lines a reviewer reads as items that are not (look-alike IDs), each where it stands.
fn lookalike_findings(artifact: Artifact, doc: &Document) -> Vec<Finding> {
    doc.lookalikes
        .iter()
        .map(|l| Finding::new(at(artifact, l.line, l.column), l.message.clone()))
        .collect()
}

fn dangling_references(
    artifact: Artifact,
    doc: &Document,
    known: &BTreeSet<ItemId>,
) -> Vec<Finding> {
    doc.references
        .iter()
        .filter(|r| !known.contains(&r.id))
        .map(|r| {
            Finding::new(
                at(artifact, r.line, r.column),
                format!(
                    "{} is referenced but no {} {} exists",
                    r.id,
                    r.id.prefix.noun(),
                    r.id
                ),
            )
        })
        .collect()
}

fn eval(def: CriterionDef, failures: Vec<Finding>) -> CriterionEval {
    let result = match def.kind {
        CriterionKind::Manual => CriterionResult::Unchecked,
        CriterionKind::Auto if failures.is_empty() => CriterionResult::Pass,
        CriterionKind::Auto => CriterionResult::Fail,
    };
    CriterionEval {
        def,
        result,
        failures,
    }
}

pub fn evaluate(
    gate: GateId,
    extra: &[ExtraCriterion],
    input: &CriteriaInput<'_>,
) -> Vec<CriterionEval> {
    definitions(gate, extra)
        .into_iter()
        .map(|def| {
            let failures = if def.kind == CriterionKind::Manual {
                Vec::new()
            } else {
                auto_failures(&def.id, input)
            };
            eval(def, failures)
        })
        .collect()
}

fn auto_failures(id: &str, input: &CriteriaInput<'_>) -> Vec<Finding> {
    use Artifact::{Design, Feasibility, Spec};
    let spec = input.spec;
    match id {
        "G1-1" => spec.map_or_else(|| vec![missing_file(Spec)], |d| section_findings(Spec, d)),
        "G1-2" => {
            let Some(doc) = spec else {
                return vec![missing_file(Spec)];
            };
            let mut out = Vec::new();
            if doc.items_in("Requirements", IdPrefix::Req).next().is_none() {
                let pos = doc
                    .section("Requirements")
                    .map_or_else(|| eof(Spec, doc), |s| at(Spec, s.heading_line, 1));
                out.push(Finding::new(
                    pos,
                    "no requirement: write `- REQ-1: …` items under `## Requirements`",
                ));
            }
            out.extend(lookalike_findings(Spec, doc));
            out.extend(duplicate_findings(Spec, doc, None));
            out.extend(cross_artifact_definitions(input, true));
            out.extend(dangling_references(Spec, doc, input.known_ids));
            out
        }
        "G1-3" => {
            let Some(doc) = spec else {
                return vec![missing_file(Spec)];
            };
            let covered = trace::acceptance_by_requirement(doc);
            doc.items_in("Requirements", IdPrefix::Req)
                .filter(|r| !covered.contains_key(&r.id))
                .map(|r| {
                    Finding::new(
                        at(Spec, r.line, r.column),
                        format!("{} has no acceptance criterion referencing it", r.id),
                    )
                })
                .collect()
        }
        "G1-4" => {
            let Some(doc) = spec else {
                return vec![missing_file(Spec)];
            };
            match doc.section("Integrations") {
                None => vec![Finding::new(
                    eof(Spec, doc),
                    "section `## Integrations` is missing",
                )],
                Some(s) if !s.has_content => vec![Finding::new(
                    at(Spec, s.placeholder_line.unwrap_or(s.heading_line), 1),
                    if s.placeholder_line.is_some() {
                        "the Integrations section names no system, only a placeholder (TBD, TODO, ?)"
                    } else {
                        "the Integrations section names no system"
                    },
                )],
                Some(_) => Vec::new(),
            }
        }
        "G2-1" => {
            let Some(spec_doc) = spec else {
                return vec![missing_file(Spec)];
            };
            let Some(feas) = input.feasibility else {
                return vec![missing_file(Feasibility)];
            };
            feasibility_findings(spec_doc, feas)
        }
        "G2-2" => {
            let Some(spec_doc) = spec else {
                return vec![missing_file(Spec)];
            };
            let Some(design) = input.design else {
                return vec![missing_file(Design)];
            };
            let satisfied = trace::components_by_requirement(input.components);
            let mut out: Vec<Finding> = spec_doc
                .items_in("Requirements", IdPrefix::Req)
                .filter(|r| !satisfied.contains_key(&r.id))
                .map(|r| {
                    Finding::new(
                        at(Spec, r.line, r.column),
                        format!(
                            "{} is not satisfied by any component (`- satisfies:` in {})",
                            r.id,
                            Design.file_name()
                        ),
                    )
                })
                .collect();
            if input.components.is_empty() {
                let pos = design
                    .section("Components")
                    .map_or_else(|| eof(Design, design), |s| at(Design, s.heading_line, 1));
                out.insert(
                    0,
                    Finding::new(
                        pos,
                        "no component: write `### COMP-1: …` headings under `## Components`",
                    ),
                );
            }
            out.extend(lookalike_findings(Design, design));
            out.extend(duplicate_findings(Design, design, None));
            out.extend(cross_artifact_definitions(input, false));
            out.extend(dangling_references(Design, design, input.known_ids));
            if let Some(feas) = input.feasibility {
                out.extend(lookalike_findings(Feasibility, feas));
                out.extend(duplicate_findings(Feasibility, feas, None));
                out.extend(dangling_references(Feasibility, feas, input.known_ids));
            }
            out
        }
        "G2-3" => input
            .components
            .iter()
            .filter(|c| c.reuse_decision().is_none())
            .map(|c| {
                Finding::new(
                    at(Design, c.line, c.column),
                    format!(
                        "{} declares no reuse decision (`- reuse: new` or the asset reused)",
                        c.id
                    ),
                )
            })
            .chain(input.dangling_reuse.iter().cloned())
            .collect(),
        "G2-4" => input
            .components
            .iter()
            .filter(|c| !c.has_acceptance())
            .map(|c| {
                Finding::new(
                    at(Design, c.line, c.column),
                    format!("{} has no `- acceptance:` criteria", c.id),
                )
            })
            .collect(),
        "G2-5" => {
            let order = trace::build_order(input.components);
            let mut out: Vec<Finding> = order
                .dangling
                .iter()
                .map(|(comp, dep)| {
                    Finding::new(
                        at(Design, dep.line, dep.column),
                        format!("{comp} depends on {}, which does not exist", dep.id),
                    )
                })
                .collect();
            for cycle in &order.cycles {
                let first = input.components.iter().find(|c| c.id == cycle[0]);
                let pos = first
                    .and_then(|c| c.depends_on.as_ref().map(|f| at(Design, f.line, f.column)))
                    .unwrap_or_else(|| Position::file(Design.file_name()));
                let names: Vec<String> = cycle
                    .iter()
                    .chain(cycle.first())
                    .map(ToString::to_string)
                    .collect();
                out.push(Finding::new(
                    pos,
                    format!("dependency cycle: {}", names.join(" → ")),
                ));
            }
            out
        }
        "G2-6" => {
            let Some(design) = input.design else {
                return vec![missing_file(Design)];
            };
            match design.section("Testing Approach") {
                None => vec![Finding::new(
                    eof(Design, design),
                    "section `## Testing Approach` is missing",
                )],
                Some(s) if !s.has_content => {
                    vec![empty_section(Design, s, "Testing Approach")]
                }
                Some(_) => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// Every approved requirement assessed; none `conflict`; verdict words valid.
pub fn feasibility_findings(spec: &Document, feasibility: &Document) -> Vec<Finding> {
    let all = assessments(feasibility);
    // The first assessment of each requirement, looked up once per requirement.
    let mut verdicts: std::collections::HashMap<ItemId, &super::records::Assessment> =
        std::collections::HashMap::with_capacity(all.len());
    for a in &all {
        verdicts.entry(a.requirement).or_insert(a);
    }
    let mut out = Vec::new();
    for req in spec.items_in("Requirements", IdPrefix::Req) {
        match verdicts.get(&req.id) {
            None => out.push(Finding::new(
                feasibility
                    .section("Requirement Assessment")
                    .map_or_else(|| eof(Artifact::Feasibility, feasibility), |s| at(Artifact::Feasibility, s.heading_line, 1)),
                format!("{} has no feasibility verdict (`- {}: feasible|constrained|conflict — why`)", req.id, req.id),
            )),
            Some(a) if a.verdict.is_none() => out.push(Finding::new(
                at(Artifact::Feasibility, a.line, a.column),
                format!("{}: the verdict must be feasible, constrained or conflict", a.requirement),
            )),
            Some(a) if a.verdict == Some(Verdict::Conflict) => out.push(Finding::new(
                at(Artifact::Feasibility, a.line, a.column),
                format!("{} is in conflict with the environment: revise the requirement (reopen Gate 1)", a.requirement),
            )),
            Some(_) => {}
        }
    }
    out
}
