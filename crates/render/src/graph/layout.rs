//! A small layered (Sugiyama-style) layout, independent of what is drawn:
//!
//! 1. cycles are broken by reversing the back edges of a depth-first search
//!    (in node order, so the result is deterministic);
//! 2. nodes are ranked by the longest path from the sources; pinned nodes
//!    (the powers) share one last rank, and sources move down next to
//!    their nearest successor;
//! 3. edges spanning several ranks go through dummy nodes;
//! 4. nodes are ordered within their rank by barycenters, sweeping down and
//!    up, plus adjacent swaps, keeping the order with the fewest crossings;
//! 5. positions along a rank pull each node towards its neighbours'
//!    average, subject to minimum gaps (isotonic regression, so boxes of
//!    one rank never overlap), a few sweeps down and up.
//!
//! Coordinates are abstract: `o` runs along a rank (the order), `r` across
//! ranks. The caller maps them to x/y for a left-to-right or top-down
//! drawing.

use std::collections::VecDeque;

/// Most dummy nodes the layout adds for edges spanning several ranks.
const MAX_DUMMIES: usize = 50_000;

/// Most edge pairs weighed when deciding whether to swap two neighbours.
const MAX_PAIR_WORK: usize = 10_000;

/// Sizes, in drawing units.
pub(crate) struct Spec {
    /// A node's extent along its rank.
    pub size_o: f64,
    /// A node's extent across ranks.
    pub size_r: f64,
    /// Gap between two nodes of one rank.
    pub gap_o: f64,
    /// Gap between two ranks (where edges and their labels go).
    pub gap_r: f64,
}

/// Where an edge goes: points from its source to its target.
pub(crate) struct Route {
    /// Ends on the nodes' borders, dummy points in between. A curve through
    /// them leaves and enters each point across the ranks.
    pub points: Vec<(f64, f64)>,
    /// An edge from a node to itself: `points` are the four points of one
    /// cubic Bézier curve.
    pub self_loop: bool,
}

pub(crate) struct Placed {
    /// Node centres `(o, r)`, the boxes starting at 0 on both axes.
    pub centers: Vec<(f64, f64)>,
    /// Per input edge.
    pub routes: Vec<Route>,
    /// The extent `(o, r)` covered by the boxes and routes.
    pub extent: (f64, f64),
    /// Ranks, for tests.
    #[cfg_attr(not(test), allow(dead_code))]
    pub ranks: Vec<usize>,
}

/// Lay out `n` nodes and `edges` (`(from, to)` node indices). `pin_last`
/// nodes without outgoing edges share the last rank.
pub(crate) fn layout(n: usize, edges: &[(usize, usize)], pin_last: &[bool], spec: &Spec) -> Placed {
    let m = edges.len();
    // 1. Back edges of a DFS, reversed.
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (e, &(u, v)) in edges.iter().enumerate() {
        if u != v {
            out[u].push((e, v));
        }
    }
    let mut reversed = vec![false; m];
    let mut state = vec![0u8; n];
    let mut has_in = vec![false; n];
    for &(u, v) in edges {
        if u != v {
            has_in[v] = true;
        }
    }
    // Start from the sources so that their edges point forward.
    let starts = (0..n).filter(|&s| !has_in[s]).chain(0..n);
    for s in starts {
        if state[s] != 0 {
            continue;
        }
        state[s] = 1;
        let mut stack = vec![(s, 0usize)];
        while let Some(top) = stack.last_mut() {
            let (u, i) = *top;
            if let Some(&(e, v)) = out[u].get(i) {
                top.1 += 1;
                match state[v] {
                    0 => {
                        state[v] = 1;
                        stack.push((v, 0));
                    }
                    1 => reversed[e] = true,
                    _ => {}
                }
            } else {
                state[u] = 2;
                stack.pop();
            }
        }
    }
    // The acyclic graph the ranks come from.
    let dag: Vec<Option<(usize, usize)>> = edges
        .iter()
        .enumerate()
        .map(|(e, &(u, v))| match (u == v, reversed[e]) {
            (true, _) => None,
            (false, false) => Some((u, v)),
            (false, true) => Some((v, u)),
        })
        .collect();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in dag.iter().flatten() {
        succ[a].push(b);
        pred[b].push(a);
    }

    // 2. Longest path from the sources (Kahn's order).
    let mut indeg: Vec<usize> = pred.iter().map(Vec::len).collect();
    let mut queue: VecDeque<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut rank = vec![0usize; n];
    while let Some(u) = queue.pop_front() {
        for &v in &succ[u] {
            rank[v] = rank[v].max(rank[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                queue.push_back(v);
            }
        }
    }
    let pinned: Vec<bool> = (0..n)
        .map(|v| pin_last.get(v).copied().unwrap_or(false) && succ[v].is_empty())
        .collect();
    if let Some(last) = (0..n).filter(|&v| !pinned[v]).map(|v| rank[v]).max() {
        for v in (0..n).filter(|&v| pinned[v]) {
            rank[v] = last + 1;
        }
    }
    // Sources sit just before their nearest successor rather than at 0.
    for v in 0..n {
        if pred[v].is_empty()
            && !pinned[v]
            && let Some(near) = succ[v].iter().map(|&s| rank[s]).min()
        {
            rank[v] = near.saturating_sub(1);
        }
    }
    // No empty ranks.
    let mut used: Vec<usize> = rank.clone();
    used.sort_unstable();
    used.dedup();
    for r in &mut rank {
        *r = used.binary_search(r).unwrap_or(0);
    }
    let ranks = used.len().max(1);

    // 3. Dummy nodes: every segment joins adjacent ranks; unless that
    // takes more than MAX_DUMMIES of them (many edges spanning many ranks,
    // which only huge structures have): then long edges go straight.
    let spans = dag.iter().flatten().fold(0usize, |n, &(a, b)| {
        n.saturating_add(rank[b].saturating_sub(rank[a] + 1))
    });
    let with_dummies = spans <= MAX_DUMMIES;
    let mut lrank = rank.clone(); // per layout node
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(m);
    for d in &dag {
        let Some((a, b)) = *d else {
            chains.push(Vec::new());
            continue;
        };
        let mut chain = vec![a];
        for r in (rank[a] + 1..rank[b]).filter(|_| with_dummies) {
            lrank.push(r);
            chain.push(lrank.len() - 1);
        }
        chain.push(b);
        chains.push(chain);
    }
    let ln = lrank.len();
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); ln];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); ln];
    for c in &chains {
        for w in c.windows(2) {
            down[w[0]].push(w[1]);
            up[w[1]].push(w[0]);
        }
    }

    // 4. Order within ranks.
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); ranks];
    for v in 0..ln {
        layers[lrank[v]].push(v);
    }
    let mut pos = vec![0usize; ln];
    let index = |layers: &[Vec<usize>], pos: &mut [usize]| {
        for l in layers {
            for (i, &v) in l.iter().enumerate() {
                pos[v] = i;
            }
        }
    };
    index(&layers, &mut pos);
    let mut best = layers.clone();
    let mut best_crossings = crossings(&layers, &down, &pos);
    for pass in 0..8 {
        let downward = pass % 2 == 0;
        let order: Vec<usize> = if downward {
            (1..ranks).collect()
        } else {
            (0..ranks.saturating_sub(1)).rev().collect()
        };
        for l in order {
            let nbrs = if downward { &up } else { &down };
            let mut keyed: Vec<(f64, usize)> = layers[l]
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let ns = &nbrs[v];
                    let bary = if ns.is_empty() {
                        i as f64
                    } else {
                        ns.iter().map(|&w| pos[w] as f64).sum::<f64>() / ns.len() as f64
                    };
                    (bary, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            layers[l] = keyed.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in layers[l].iter().enumerate() {
                pos[v] = i;
            }
        }
        transpose(&mut layers, &mut pos, &up, &down);
        let c = crossings(&layers, &down, &pos);
        if c < best_crossings {
            best_crossings = c;
            best = layers.clone();
        }
    }
    let layers = best;
    index(&layers, &mut pos);

    // 5. Positions along the ranks.
    let real = |v: usize| v < n;
    let half = |v: usize| if real(v) { spec.size_o / 2.0 } else { 0.0 };
    let sep = |a: usize, b: usize| {
        half(a)
            + half(b)
            + match (real(a), real(b)) {
                (true, true) => spec.gap_o,
                (false, false) => 10.0,
                _ => spec.gap_o.min(14.0),
            }
    };
    let mut o = vec![0.0f64; ln];
    for l in &layers {
        let mut at = 0.0;
        for (i, &v) in l.iter().enumerate() {
            if i > 0 {
                at += sep(l[i - 1], v);
            }
            o[v] = at;
        }
    }
    for pass in 0..10 {
        let downward = pass % 2 == 0;
        let order: Vec<usize> = if downward {
            (1..ranks).collect()
        } else {
            (0..ranks.saturating_sub(1)).rev().collect()
        };
        for l in order {
            let layer = &layers[l];
            let nbrs = if downward { &up } else { &down };
            let mut want = Vec::with_capacity(layer.len());
            let mut weight = Vec::with_capacity(layer.len());
            for &v in layer {
                let ns = &nbrs[v];
                if ns.is_empty() {
                    want.push(o[v]);
                    weight.push(0.1);
                } else {
                    want.push(ns.iter().map(|&w| o[w]).sum::<f64>() / ns.len() as f64);
                    // Long edges straight: dummies pull harder.
                    weight.push(if real(v) { 1.0 } else { 2.0 });
                }
            }
            let gaps: Vec<f64> = layer.windows(2).map(|w| sep(w[0], w[1])).collect();
            let placed = pack(&want, &weight, &gaps);
            for (&v, y) in layer.iter().zip(placed) {
                o[v] = y;
            }
        }
    }
    let min_o = (0..ln)
        .map(|v| o[v] - half(v))
        .fold(f64::INFINITY, f64::min);
    let min_o = if min_o.is_finite() { min_o } else { 0.0 };
    for x in &mut o {
        *x -= min_o;
    }
    // Close bands no rank has anything in (left between parts that pull
    // apart) down to a small gap; order and gaps within ranks are kept.
    let max_gap = 2.5 * spec.gap_o;
    let mut spans: Vec<(f64, f64)> = (0..ln).map(|v| (o[v] - half(v), o[v] + half(v))).collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cuts: Vec<(f64, f64)> = Vec::new();
    if let Some(&(_, first_end)) = spans.first() {
        let mut reach = first_end;
        for &(a, b) in &spans[1..] {
            if a - reach > max_gap {
                cuts.push((a, a - reach - max_gap));
            }
            reach = reach.max(b);
        }
    }
    // Cuts are in increasing order: a node moves by the sum of those at
    // or before its start, a prefix.
    let mut before = Vec::with_capacity(cuts.len() + 1);
    before.push(0.0f64);
    for c in &cuts {
        before.push(before[before.len() - 1] + c.1);
    }
    for (v, at) in o.iter_mut().enumerate() {
        let start = *at - half(v);
        *at -= before[cuts.partition_point(|c| c.0 <= start)];
    }
    let r_of = |l: usize| l as f64 * (spec.size_r + spec.gap_r) + spec.size_r / 2.0;

    // Routes, with the ends of a node's edges spread along its side,
    // ordered like the nodes at their other ends.
    let mut out_ports: Vec<Vec<(f64, usize)>> = vec![Vec::new(); n];
    let mut in_ports: Vec<Vec<(f64, usize)>> = vec![Vec::new(); n];
    for (e, c) in chains.iter().enumerate() {
        if let [a, b, ..] = c[..] {
            out_ports[a].push((o[b], e));
        }
        if let [.., a, b] = c[..] {
            in_ports[b].push((o[a], e));
        }
    }
    let spread = |ports: &mut Vec<(f64, usize)>, offset: &mut [f64]| {
        ports.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let k = ports.len();
        if k < 2 {
            return;
        }
        let span = ((k - 1) as f64 * 14.0).min(spec.size_o - 24.0).max(0.0);
        for (j, &(_, e)) in ports.iter().enumerate() {
            offset[e] = -span / 2.0 + span * j as f64 / (k - 1) as f64;
        }
    };
    let mut out_off = vec![0.0; m];
    let mut in_off = vec![0.0; m];
    for v in 0..n {
        spread(&mut out_ports[v], &mut out_off);
        spread(&mut in_ports[v], &mut in_off);
    }
    let mut routes = Vec::with_capacity(m);
    let mut max_o = (0..ln).map(|v| o[v] + half(v)).fold(0.0, f64::max);
    let mut max_r = r_of(ranks - 1) + spec.size_r / 2.0;
    for (e, c) in chains.iter().enumerate() {
        if c.is_empty() {
            // A self-loop below (or right of) its node.
            let v = edges[e].0;
            let (co, cr) = (o[v], r_of(rank[v]) + spec.size_r / 2.0);
            let reach = spec.gap_r * 0.45;
            routes.push(Route {
                points: vec![
                    (co + 14.0, cr),
                    (co + 30.0, cr + reach),
                    (co - 30.0, cr + reach),
                    (co - 14.0, cr),
                ],
                self_loop: true,
            });
            max_r = max_r.max(cr + reach);
            continue;
        }
        let a = c[0];
        let b = c[c.len() - 1];
        let mut pts = Vec::with_capacity(c.len());
        pts.push((o[a] + out_off[e], r_of(lrank[a]) + spec.size_r / 2.0));
        for &d in &c[1..c.len() - 1] {
            pts.push((o[d], r_of(lrank[d])));
            max_o = max_o.max(o[d]);
        }
        pts.push((o[b] + in_off[e], r_of(lrank[b]) - spec.size_r / 2.0));
        if reversed[e] {
            pts.reverse();
        }
        routes.push(Route {
            points: pts,
            self_loop: false,
        });
    }
    Placed {
        centers: (0..n).map(|v| (o[v], r_of(rank[v]))).collect(),
        routes,
        extent: (max_o, max_r),
        ranks: rank,
    }
}

/// Edge crossings between adjacent ranks: pairs of segments whose ends
/// are in opposite orders on the two ranks, counted in O(e log e) per rank
/// (segments by their upper end; a Fenwick tree over the lower ends).
fn crossings(layers: &[Vec<usize>], down: &[Vec<usize>], pos: &[usize]) -> usize {
    let mut total = 0;
    for l in layers {
        let mut segs: Vec<(usize, usize)> = l
            .iter()
            .flat_map(|&a| down[a].iter().map(move |&b| (pos[a], pos[b])))
            .collect();
        segs.sort_unstable();
        let size = segs.iter().map(|s| s.1 + 1).max().unwrap_or(0);
        let mut tree = vec![0usize; size + 1];
        let mut inserted = 0;
        let mut i = 0;
        while i < segs.len() {
            // Segments sharing an upper end never cross each other.
            let j = i + segs[i..].iter().take_while(|s| s.0 == segs[i].0).count();
            for s in &segs[i..j] {
                // Earlier segments (upper end strictly before) ending
                // strictly after this one's lower end.
                let mut at_or_below = 0;
                let mut k = s.1 + 1;
                while k > 0 {
                    at_or_below += tree[k];
                    k &= k - 1;
                }
                total += inserted - at_or_below;
            }
            for s in &segs[i..j] {
                let mut k = s.1 + 1;
                while k <= size {
                    tree[k] += 1;
                    k += k & k.wrapping_neg();
                }
                inserted += 1;
            }
            i = j;
        }
    }
    total
}

/// Crossings between the edges of `u` and `v` (with `u` placed first) on
/// one side, given the positions of their neighbours there.
fn pair_crossings(nu: &[usize], nv: &[usize], pos: &[usize]) -> usize {
    if nu.len().saturating_mul(nv.len()) > MAX_PAIR_WORK {
        // Too costly to weigh on every sweep: such a pair is left as is.
        return 0;
    }
    nu.iter()
        .map(|&a| nv.iter().filter(|&&b| pos[a] > pos[b]).count())
        .sum()
}

/// Swap neighbours within a rank while that removes crossings.
fn transpose(layers: &mut [Vec<usize>], pos: &mut [usize], up: &[Vec<usize>], down: &[Vec<usize>]) {
    for _ in 0..4 {
        let mut improved = false;
        for layer in layers.iter_mut() {
            for i in 0..layer.len().saturating_sub(1) {
                let (u, v) = (layer[i], layer[i + 1]);
                let now =
                    pair_crossings(&up[u], &up[v], pos) + pair_crossings(&down[u], &down[v], pos);
                let swapped =
                    pair_crossings(&up[v], &up[u], pos) + pair_crossings(&down[v], &down[u], pos);
                if swapped < now {
                    layer.swap(i, i + 1);
                    pos[u] = i + 1;
                    pos[v] = i;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Positions `y` closest to `want` (weighted least squares) with
/// `y[i+1] - y[i] >= gaps[i]`: pool-adjacent-violators on `y - offset`.
fn pack(want: &[f64], weight: &[f64], gaps: &[f64]) -> Vec<f64> {
    let k = want.len();
    let mut offset = vec![0.0; k];
    for i in 1..k {
        offset[i] = offset[i - 1] + gaps[i - 1];
    }
    // Blocks of (weighted sum, total weight, count).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(k);
    for i in 0..k {
        blocks.push((weight[i] * (want[i] - offset[i]), weight[i], 1));
        while blocks.len() > 1 {
            let (s1, w1, c1) = blocks[blocks.len() - 1];
            let (s0, w0, c0) = blocks[blocks.len() - 2];
            if s0 / w0 > s1 / w1 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (s0 + s1, w0 + w1, c0 + c1);
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(k);
    for (s, w, c) in blocks {
        for _ in 0..c {
            let i = out.len();
            out.push(s / w + offset[i]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec {
        size_o: 100.0,
        size_r: 40.0,
        gap_o: 20.0,
        gap_r: 60.0,
    };

    #[test]
    fn crossings_match_counting_every_pair() {
        // Random two-rank graphs (ties at both ends included): the sorted
        // count equals the pairwise definition.
        let mut seed = 11u64;
        let mut below = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % n as u64) as usize
        };
        for _ in 0..300 {
            let (top, bottom) = (1 + below(7), 1 + below(7));
            let n = top + bottom;
            let mut down = vec![Vec::new(); n];
            for _ in 0..below(15) {
                down[below(top)].push(top + below(bottom));
            }
            let mut pos = vec![0; n];
            let mut upper: Vec<usize> = (0..top).collect();
            let mut lower: Vec<usize> = (top..n).collect();
            for l in [&mut upper, &mut lower] {
                for i in (1..l.len()).rev() {
                    l.swap(i, below(i + 1));
                }
                for (i, &v) in l.iter().enumerate() {
                    pos[v] = i;
                }
            }
            let at = &pos;
            let segs: Vec<(usize, usize)> = upper
                .iter()
                .flat_map(|&a| down[a].iter().map(move |&b| (at[a], at[b])))
                .collect();
            let mut want = 0;
            for (i, s) in segs.iter().enumerate() {
                for t in &segs[i + 1..] {
                    if (s.0 < t.0 && s.1 > t.1) || (s.0 > t.0 && s.1 < t.1) {
                        want += 1;
                    }
                }
            }
            assert_eq!(crossings(&[upper, lower], &down, &pos), want);
        }
    }

    #[test]
    fn long_edges_beyond_the_dummy_budget_go_straight() {
        // A line of 400 nodes, each also reached from one source: the
        // edges from the source span 1 + 2 + … ranks, over 50,000 dummies.
        let n = 401;
        let mut edges: Vec<(usize, usize)> = (1..n - 1).map(|i| (i, i + 1)).collect();
        edges.extend((2..n).map(|i| (0, i)));
        edges.push((0, 1));
        let p = layout(n, &edges, &[], &SPEC);
        assert_eq!(p.routes.len(), edges.len());
        // Every route is its two ends: no dummy points.
        assert!(p.routes.iter().all(|r| r.points.len() == 2));
        assert_eq!(p.ranks[n - 1], n - 1);
    }

    #[test]
    fn pack_keeps_gaps_and_order() {
        let y = pack(&[0.0, 0.0, 0.0], &[1.0, 1.0, 1.0], &[10.0, 10.0]);
        assert_eq!(y, vec![-10.0, 0.0, 10.0]);
        let y = pack(&[0.0, 100.0], &[1.0, 1.0], &[10.0]);
        assert_eq!(y, vec![0.0, 100.0]);
    }

    #[test]
    fn ranks_follow_edges_and_pins() {
        // 0 → 1 → 2, 3 → 2, power 4 held by 1 and pinned last.
        let p = layout(
            5,
            &[(0, 1), (1, 2), (3, 2), (1, 4)],
            &[false, false, false, false, true],
            &SPEC,
        );
        assert_eq!(p.ranks, vec![0, 1, 2, 1, 3]);
        assert_eq!(p.routes.len(), 4);
    }

    #[test]
    fn cycles_are_laid_out() {
        let p = layout(3, &[(0, 1), (1, 2), (2, 0), (1, 1)], &[false; 3], &SPEC);
        assert_eq!(p.routes.len(), 4);
        assert!(p.routes[3].self_loop);
        // The back edge still runs from its source to its target.
        let back = &p.routes[2].points;
        assert_eq!(back.first().map(|p| p.1), Some(p.centers[2].1 - 20.0));
        assert_eq!(back.last().map(|p| p.1), Some(p.centers[0].1 + 20.0));
    }
}
