//! Traceability: requirements → acceptance criteria → components → build order.

use std::collections::{BTreeMap, BTreeSet};

use super::design::{Component, FieldRef};
use super::ids::{IdPrefix, ItemId};
use super::markdown::Document;

/// Components in dependency order (leaves first), or the cycle that prevents one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOrder {
    pub order: Vec<ItemId>,
    /// Members of dependency cycles, each cycle in the order it closes.
    pub cycles: Vec<Vec<ItemId>>,
    /// `depends-on` references to components that do not exist.
    pub dangling: Vec<(ItemId, FieldRef)>,
}

/// Kahn's algorithm; among ready components the lowest number goes first so the order is stable.
pub fn build_order(components: &[Component]) -> BuildOrder {
    let known: BTreeSet<ItemId> = components.iter().map(|c| c.id).collect();
    let mut deps: BTreeMap<ItemId, BTreeSet<ItemId>> = BTreeMap::new();
    let mut dangling = Vec::new();
    for c in components {
        let entry = deps.entry(c.id).or_default();
        for d in c.dependencies() {
            if known.contains(&d.id) {
                entry.insert(d.id);
            } else {
                dangling.push((c.id, d));
            }
        }
    }
    let mut order = Vec::with_capacity(deps.len());
    let mut done: BTreeSet<ItemId> = BTreeSet::new();
    loop {
        let ready: Vec<ItemId> = deps
            .iter()
            .filter(|(id, ds)| !done.contains(id) && ds.iter().all(|d| done.contains(d)))
            .map(|(id, _)| *id)
            .collect();
        if ready.is_empty() {
            break;
        }
        // One at a time keeps "lowest number first among the ready" exact.
        let next = ready[0];
        done.insert(next);
        order.push(next);
    }
    let remaining: BTreeMap<ItemId, BTreeSet<ItemId>> = deps
        .into_iter()
        .filter(|(id, _)| !done.contains(id))
        .map(|(id, ds)| (id, ds.into_iter().filter(|d| !done.contains(d)).collect()))
        .collect();
    BuildOrder { order, cycles: find_cycles(&remaining), dangling }
}

/// Each remaining node lies on or behind a cycle; walk from the lowest until a node repeats.
fn find_cycles(remaining: &BTreeMap<ItemId, BTreeSet<ItemId>>) -> Vec<Vec<ItemId>> {
    let mut cycles: Vec<Vec<ItemId>> = Vec::new();
    let mut covered: BTreeSet<ItemId> = BTreeSet::new();
    for start in remaining.keys() {
        if covered.contains(start) {
            continue;
        }
        let mut path: Vec<ItemId> = vec![*start];
        let mut current = *start;
        while let Some(next) = remaining.get(&current).and_then(|ds| ds.iter().next()).copied() {
            if let Some(pos) = path.iter().position(|p| *p == next) {
                let cycle: Vec<ItemId> = path[pos..].to_vec();
                if !cycle.iter().any(|c| covered.contains(c)) {
                    covered.extend(cycle.iter().copied());
                    cycles.push(cycle);
                }
                break;
            }
            if covered.contains(&next) {
                break;
            }
            path.push(next);
            current = next;
        }
        covered.extend(path);
    }
    cycles
}

/// Requirement → the acceptance criteria that reference it (spec's Acceptance Criteria section).
pub fn acceptance_by_requirement(spec: &Document) -> BTreeMap<ItemId, Vec<ItemId>> {
    let mut map: BTreeMap<ItemId, Vec<ItemId>> = BTreeMap::new();
    let Some(section) = spec.section_index("Acceptance Criteria") else { return map };
    let acs: Vec<_> = spec
        .items
        .iter()
        .filter(|i| i.section == Some(section) && i.id.prefix == IdPrefix::Ac)
        .collect();
    for r in &spec.references {
        if r.id.prefix != IdPrefix::Req {
            continue;
        }
        if let Some(ac) = acs.iter().find(|ac| ac.lines.contains(&(r.line - 1))) {
            let list = map.entry(r.id).or_default();
            if !list.contains(&ac.id) {
                list.push(ac.id);
            }
        }
    }
    map
}

/// Requirement → components whose `satisfies:` names it.
pub fn components_by_requirement(components: &[Component]) -> BTreeMap<ItemId, Vec<ItemId>> {
    let mut map: BTreeMap<ItemId, Vec<ItemId>> = BTreeMap::new();
    for c in components {
        for r in c.satisfied_requirements() {
            let list = map.entry(r.id).or_default();
            if !list.contains(&c.id) {
                list.push(c.id);
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::design::components;
    use crate::domain::markdown::parse;

    fn comps(spec: &[(u32, &str)]) -> Vec<Component> {
        let mut text = String::from("## Components\n");
        for (n, deps) in spec {
            text.push_str(&format!("### COMP-{n}: c\n- depends-on: {deps}\n"));
        }
        components(&parse(&text), &text)
    }

    fn ids(v: &[ItemId]) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn leaves_first() {
        let order = build_order(&comps(&[(1, "COMP-3"), (2, "none"), (3, "COMP-2"), (4, "-")]));
        assert_eq!(ids(&order.order), ["COMP-2", "COMP-3", "COMP-1", "COMP-4"]);
        assert!(order.cycles.is_empty());
    }

    #[test]
    fn cycles_named_with_members() {
        let order = build_order(&comps(&[(1, "COMP-2"), (2, "COMP-3"), (3, "COMP-1"), (4, "COMP-1"), (5, "none")]));
        assert_eq!(ids(&order.order), ["COMP-5"]);
        assert_eq!(order.cycles.len(), 1);
        assert_eq!(ids(&order.cycles[0]), ["COMP-1", "COMP-2", "COMP-3"]);
    }

    #[test]
    fn dangling_dependencies() {
        let order = build_order(&comps(&[(1, "COMP-9")]));
        assert_eq!(order.dangling.len(), 1);
        assert_eq!(ids(&order.order), ["COMP-1"]);
    }

    #[test]
    fn acceptance_links() {
        let spec = parse("## Acceptance Criteria\n- AC-1 (REQ-1, REQ-2): x\n  and REQ-3 too\n- AC-2: REQ-1\n## Constraints\nREQ-4\n");
        let map = acceptance_by_requirement(&spec);
        let get = |n: &str| ids(map.get(&n.parse().unwrap()).map(Vec::as_slice).unwrap_or(&[]));
        assert_eq!(get("REQ-1"), ["AC-1", "AC-2"]);
        assert_eq!(get("REQ-3"), ["AC-1"]);
        assert!(get("REQ-4").is_empty());
    }
}
