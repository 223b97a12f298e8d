//! One-to-one assignment: the pairs that together score most, per
//! connected component of the candidate graph (Hungarian algorithm; greedy
//! by score for the rare component too big for it).

/// An edge of the graph: charge `row`, candidate slot `col`, its score.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edge {
    pub row: usize,
    pub col: usize,
    pub score: f64,
}

/// Components larger than this (rows + columns) are assigned greedily.
const HUNGARIAN_LIMIT: usize = 400;

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a] = b;
        }
    }
}

/// The chosen edges (indexes into `edges`), one per row and per column at most.
pub(crate) fn assign(rows: usize, cols: usize, edges: &[Edge]) -> Vec<usize> {
    let mut uf = UnionFind((0..rows + cols).collect());
    for e in edges {
        uf.union(e.row, rows + e.col);
    }
    let mut components: std::collections::HashMap<usize, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, e) in edges.iter().enumerate() {
        let root = uf.find(e.row);
        components.entry(root).or_default().push(i);
    }
    let mut chosen = Vec::new();
    for members in components.values() {
        if members.len() == 1 {
            chosen.push(members[0]);
            continue;
        }
        chosen.extend(assign_component(edges, members));
    }
    chosen.sort_unstable();
    chosen
}

fn assign_component(edges: &[Edge], members: &[usize]) -> Vec<usize> {
    let mut row_ids: Vec<usize> = members.iter().map(|&i| edges[i].row).collect();
    let mut col_ids: Vec<usize> = members.iter().map(|&i| edges[i].col).collect();
    row_ids.sort_unstable();
    row_ids.dedup();
    col_ids.sort_unstable();
    col_ids.dedup();
    if row_ids.len() + col_ids.len() > HUNGARIAN_LIMIT {
        return greedy(edges, members);
    }
    // Rows are the smaller side for the algorithm; transpose if needed.
    let transpose = row_ids.len() > col_ids.len();
    let (n, m) = if transpose {
        (col_ids.len(), row_ids.len())
    } else {
        (row_ids.len(), col_ids.len())
    };
    // Cost 1 - score; a missing edge costs 1 (as good as leaving both alone).
    let mut cost = vec![vec![1.0f64; m]; n];
    let mut edge_at = vec![vec![usize::MAX; m]; n];
    for &i in members {
        let e = edges[i];
        let r = row_ids.binary_search(&e.row).unwrap_or_default();
        let c = col_ids.binary_search(&e.col).unwrap_or_default();
        let (a, b) = if transpose { (c, r) } else { (r, c) };
        if 1.0 - e.score < cost[a][b] {
            cost[a][b] = 1.0 - e.score;
            edge_at[a][b] = i;
        }
    }
    hungarian(&cost)
        .into_iter()
        .enumerate()
        .filter_map(|(a, b)| {
            let i = edge_at[a][b?];
            (i != usize::MAX).then_some(i)
        })
        .collect()
}

fn greedy(edges: &[Edge], members: &[usize]) -> Vec<usize> {
    let mut order = members.to_vec();
    order.sort_by(|a, b| edges[*b].score.total_cmp(&edges[*a].score));
    let mut rows = std::collections::HashSet::new();
    let mut cols = std::collections::HashSet::new();
    order
        .into_iter()
        .filter(|&i| {
            let e = edges[i];
            if rows.contains(&e.row) || cols.contains(&e.col) {
                return false;
            }
            rows.insert(e.row);
            cols.insert(e.col);
            true
        })
        .collect()
}

/// Minimum-cost assignment of each of `n` rows to a distinct one of `m >= n`
/// columns (the potentials method, O(n² m)). Returns each row's column.
fn hungarian(cost: &[Vec<f64>]) -> Vec<Option<usize>> {
    let n = cost.len();
    let m = cost.first().map_or(0, Vec::len);
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; m + 1];
    let mut p = vec![0usize; m + 1];
    let mut way = vec![0usize; m + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![f64::INFINITY; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=m {
                if !used[j] {
                    let cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![None; n];
    for j in 1..=m {
        if p[j] != 0 {
            out[p[j] - 1] = Some(j - 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_total_wins_over_the_greedy_choice() {
        // Greedy would take (0,0)=0.9 and leave row 1 with nothing;
        // together (0,1)+(1,0) score 1.7.
        let edges = [
            Edge {
                row: 0,
                col: 0,
                score: 0.9,
            },
            Edge {
                row: 0,
                col: 1,
                score: 0.85,
            },
            Edge {
                row: 1,
                col: 0,
                score: 0.85,
            },
        ];
        let chosen = assign(2, 2, &edges);
        assert_eq!(chosen, vec![1, 2]);
    }

    #[test]
    fn separate_components_are_assigned_separately() {
        let edges = [
            Edge {
                row: 0,
                col: 0,
                score: 0.7,
            },
            Edge {
                row: 1,
                col: 1,
                score: 0.8,
            },
            Edge {
                row: 2,
                col: 1,
                score: 0.9,
            },
        ];
        assert_eq!(assign(3, 2, &edges), vec![0, 2]);
    }
}
