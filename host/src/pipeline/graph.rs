//! The stage graph: a topological order (ties broken by file order) and the
//! cycles that keep stages out of it.

use std::collections::{BTreeSet, VecDeque};

/// Stages ordered for running, and the cycles found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Ordering {
    /// Every stage neither in nor downstream of a cycle, upstream first; of the
    /// stages ready at the same time, the one written first comes first.
    pub order: Vec<usize>,
    /// Each cycle in data-flow order, its first stage repeated at the end.
    pub cycles: Vec<Vec<usize>>,
}

/// Orders `count` stages connected by `edges` (`(from, to)`: data flows from
/// `from` into `to`; repeated edges allowed).
pub(crate) fn order(count: usize, edges: &[(usize, usize)]) -> Ordering {
    let mut waiting_on = vec![0usize; count];
    let mut downstream = vec![Vec::new(); count];
    for &(from, to) in edges {
        waiting_on[to] += 1;
        downstream[from].push(to);
    }
    let mut ready: BTreeSet<usize> = (0..count).filter(|&s| waiting_on[s] == 0).collect();
    let mut order = Vec::with_capacity(count);
    while let Some(stage) = ready.pop_first() {
        order.push(stage);
        for &next in &downstream[stage] {
            waiting_on[next] -= 1;
            if waiting_on[next] == 0 {
                ready.insert(next);
            }
        }
    }
    let mut left = vec![true; count];
    for &s in &order {
        left[s] = false;
    }
    let mut cycles: Vec<Vec<usize>> = Vec::new();
    for start in (0..count).filter(|&s| left[s]) {
        if cycles.iter().any(|c| c.contains(&start)) {
            continue;
        }
        if let Some(chain) = shortest_loop(start, &downstream, &left) {
            cycles.push(chain);
        }
    }
    Ordering { order, cycles }
}

/// The shortest path from `start` back to itself through stages still `left`,
/// as `[start, ..., start]`.
fn shortest_loop(start: usize, downstream: &[Vec<usize>], left: &[bool]) -> Option<Vec<usize>> {
    let mut came_from: Vec<Option<usize>> = vec![None; downstream.len()];
    let mut queue = VecDeque::from([start]);
    while let Some(stage) = queue.pop_front() {
        for &next in &downstream[stage] {
            if next == start {
                let mut chain = vec![stage];
                let mut at = stage;
                while let Some(previous) = came_from[at] {
                    chain.push(previous);
                    at = previous;
                }
                chain.reverse();
                chain.push(start);
                return Some(chain);
            }
            if left[next] && came_from[next].is_none() {
                came_from[next] = Some(stage);
                queue.push_back(next);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_stages_come_first_and_ties_keep_file_order() {
        // 3 -> 1 -> 0, and 2 has no inputs
        let ordering = order(4, &[(3, 1), (1, 0)]);
        assert_eq!(ordering.order, [2, 3, 1, 0]);
        assert!(ordering.cycles.is_empty());
    }

    #[test]
    fn two_inputs_from_one_stage_count_as_two_edges() {
        let ordering = order(3, &[(0, 1), (0, 2), (1, 2), (0, 2)]);
        assert_eq!(ordering.order, [0, 1, 2]);
    }

    #[test]
    fn a_three_stage_loop_is_reported_in_data_flow_order() {
        // 0 -> 1 -> 2 -> 0, and 3 hangs below the loop
        let ordering = order(4, &[(0, 1), (1, 2), (2, 0), (2, 3)]);
        assert_eq!(ordering.order, Vec::<usize>::new());
        assert_eq!(ordering.cycles, [vec![0, 1, 2, 0]]);
    }

    #[test]
    fn a_stage_fed_by_itself_is_a_cycle_of_one() {
        let ordering = order(2, &[(1, 1)]);
        assert_eq!(ordering.order, [0]);
        assert_eq!(ordering.cycles, [vec![1, 1]]);
    }

    #[test]
    fn two_separate_loops_are_both_reported() {
        let ordering = order(5, &[(0, 1), (1, 0), (2, 3), (3, 4), (4, 2)]);
        assert_eq!(ordering.cycles, [vec![0, 1, 0], vec![2, 3, 4, 2]]);
    }
}
