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

/// Kahn's algorithm with a ready queue; among ready components the lowest number goes first so
/// the order is stable.
pub fn build_order(components: &[Component]) -> BuildOrder {
    let known: BTreeSet<ItemId> = components.iter().map(|c| c.id).collect();
    let mut deps: BTreeMap<ItemId, BTreeSet<ItemId>> = BTreeMap::new();
    let mut dependents: BTreeMap<ItemId, Vec<ItemId>> = BTreeMap::new();
    let mut dangling = Vec::new();
    for c in components {
        let entry = deps.entry(c.id).or_default();
        for d in c.dependencies() {
            if known.contains(&d.id) {
                if entry.insert(d.id) {
                    dependents.entry(d.id).or_default().push(c.id);
                }
            } else {
                dangling.push((c.id, d));
            }
        }
    }
    let mut waiting: BTreeMap<ItemId, usize> =
        deps.iter().map(|(id, ds)| (*id, ds.len())).collect();
    let mut ready: BTreeSet<ItemId> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| *id)
        .collect();
    let mut order = Vec::with_capacity(deps.len());
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for dependent in dependents.get(&next).into_iter().flatten() {
            if let Some(n) = waiting.get_mut(dependent) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    ready.insert(*dependent);
                }
            }
        }
    }
    let done: BTreeSet<ItemId> = order.iter().copied().collect();
    let remaining: BTreeMap<ItemId, BTreeSet<ItemId>> = deps
        .into_iter()
        .filter(|(id, _)| !done.contains(id))
        .map(|(id, ds)| (id, ds.into_iter().filter(|d| !done.contains(d)).collect()))
        .collect();
    BuildOrder {
        order,
        cycles: find_cycles(&remaining),
        dangling,
    }
}

/// Every strongly connected component with a cycle, each as one cycle through its lowest member
/// (a self-dependency is a cycle of one). Nodes that only wait on a cycle are not reported.
fn find_cycles(graph: &BTreeMap<ItemId, BTreeSet<ItemId>>) -> Vec<Vec<ItemId>> {
    let mut cycles = Vec::new();
    let mut assigned: BTreeSet<ItemId> = BTreeSet::new();
    for &start in graph.keys() {
        if assigned.contains(&start) {
            continue;
        }
        // The strongly connected component of `start`: nodes reachable from it that reach it.
        let forward = reachable(start, |n| {
            graph.get(&n).into_iter().flatten().copied().collect()
        });
        let backward = reachable(start, |n| {
            graph
                .iter()
                .filter(|(_, ds)| ds.contains(&n))
                .map(|(id, _)| *id)
                .collect()
        });
        let scc: BTreeSet<ItemId> = forward.intersection(&backward).copied().collect();
        let self_loop = graph.get(&start).is_some_and(|ds| ds.contains(&start));
        if scc.len() > 1 || self_loop {
            assigned.extend(scc.iter().copied());
            cycles.push(cycle_through(start, &scc, graph));
        }
    }
    cycles
}

fn reachable(start: ItemId, next: impl Fn(ItemId) -> Vec<ItemId>) -> BTreeSet<ItemId> {
    let mut seen = BTreeSet::from([start]);
    let mut stack = vec![start];
    while let Some(n) = stack.pop() {
        for m in next(n) {
            if seen.insert(m) {
                stack.push(m);
            }
        }
    }
    seen
}

/// A shortest cycle from `start` back to itself inside its component (breadth-first).
fn cycle_through(
    start: ItemId,
    scc: &BTreeSet<ItemId>,
    graph: &BTreeMap<ItemId, BTreeSet<ItemId>>,
) -> Vec<ItemId> {
    let mut parent: BTreeMap<ItemId, ItemId> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for &m in graph.get(&n).into_iter().flatten() {
            if m == start {
                let mut path = vec![n];
                let mut at = n;
                while at != start {
                    at = parent.get(&at).copied().unwrap_or(start);
                    path.push(at);
                }
                path.reverse();
                path.dedup();
                return path;
            }
            if scc.contains(&m) && !parent.contains_key(&m) && m != start {
                parent.insert(m, n);
                queue.push_back(m);
            }
        }
    }
    vec![start]
}

/// Requirement → the acceptance criteria that reference it (spec's Acceptance Criteria section).
pub fn acceptance_by_requirement(spec: &Document) -> BTreeMap<ItemId, Vec<ItemId>> {
    let mut map: BTreeMap<ItemId, Vec<ItemId>> = BTreeMap::new();
    let Some(section) = spec.section_index("Acceptance Criteria") else {
        return map;
    };
    // In file order, with disjoint line ranges: the criterion holding a line is found by
    // binary search (a scan per reference made `status` quadratic in requirements).
    let acs: Vec<_> = spec
        .items
        .iter()
        .filter(|i| i.section == Some(section) && i.id.prefix == IdPrefix::Ac)
        .collect();
    for r in &spec.references {
        if r.id.prefix != IdPrefix::Req {
            continue;
        }
        let line0 = r.line - 1;
        let after = acs.partition_point(|ac| ac.lines.start <= line0);
        let holder = after.checked_sub(1).and_then(|i| acs.get(i));
        if let Some(ac) = holder.filter(|ac| ac.lines.contains(&line0)) {
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
        let order = build_order(&comps(&[
            (1, "COMP-3"),
            (2, "none"),
            (3, "COMP-2"),
            (4, "-"),
        ]));
        assert_eq!(ids(&order.order), ["COMP-2", "COMP-3", "COMP-1", "COMP-4"]);
        assert!(order.cycles.is_empty());
    }

    #[test]
    fn cycles_named_with_members() {
        let order = build_order(&comps(&[
            (1, "COMP-2"),
            (2, "COMP-3"),
            (3, "COMP-1"),
            (4, "COMP-1"),
            (5, "none"),
        ]));
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
        let spec = parse(
            "## Acceptance Criteria\n- AC-1 (REQ-1, REQ-2): x\n  and REQ-3 too\n- AC-2: REQ-1\n## Constraints\nREQ-4\n",
        );
        let map = acceptance_by_requirement(&spec);
        let get = |n: &str| {
            ids(map
                .get(&n.parse().unwrap())
                .map(Vec::as_slice)
                .unwrap_or(&[]))
        };
        assert_eq!(get("REQ-1"), ["AC-1", "AC-2"]);
        assert_eq!(get("REQ-3"), ["AC-1"]);
        assert!(get("REQ-4").is_empty());
    }
}
