//! Fast sweeps of the three stage failure probabilities over many
//! (p, q) points, for charts, tables and the benchmark.
//!
//! Each stage's failure is affine in p, so a grid costs one tail
//! computation per q and then one multiply-add per point, in a loop the
//! compiler vectorises. Scattered points cost one pass over the n + 1
//! binomial masses per council, eight points at a time (coefficients
//! precomputed; no logarithms, one division).

use crate::binomial::binomial_pmf;
use crate::council::{CouncilShape, Formula, tails_of};
use crate::error::{Result, RiskError};
use crate::stages::StageFailures;

/// Largest council the direct path handles.
const SMALL_N: usize = 64;

/// Points evaluated together: independent lanes let the CPU overlap the
/// multiply chains and the compiler use SIMD.
const LANES: usize = 8;

/// A council shape prepared for repeated evaluation at many q.
///
/// The masses are `C(n,x) uˣ · baseⁿ` with u = q/(1−q) and base = 1−q for
/// q ≤ 1/2, and the mirrored count (u = (1−q)/q, base = q) above, so u ≤ 1:
/// nothing overflows and each mass is a few ulps. The coefficient tables
/// hold C(n,x) where x counts toward the override (`s_*`) or stuck (`w_*`)
/// tail, and 0 elsewhere, for both orientations.
#[derive(Debug, Clone)]
struct Prepared {
    shape: CouncilShape,
    formula: Formula,
    s_low: Vec<f64>,
    w_low: Vec<f64>,
    s_high: Vec<f64>,
    w_high: Vec<f64>,
}

impl Prepared {
    fn new(shape: CouncilShape, formula: Formula) -> Self {
        let (n, k, b) = (shape.n(), shape.k(), shape.blocking());
        let mut coeffs = Vec::with_capacity(n + 1);
        let mut c = 1.0f64;
        for x in 0..=n {
            coeffs.push(c);
            c = c * (n - x) as f64 / (x + 1) as f64;
        }
        let table = |keep: &dyn Fn(usize) -> bool| -> Vec<f64> {
            coeffs
                .iter()
                .enumerate()
                .map(|(x, c)| if keep(x) { *c } else { 0.0 })
                .collect()
        };
        Self {
            shape,
            formula,
            // q ≤ 1/2: x broken members; override x ≥ k, stuck b ≤ x < k.
            s_low: table(&|x| x >= k),
            w_low: table(&|x| x >= b && x < k),
            // q > 1/2: y = n − x honest members.
            s_high: table(&|y| y <= n - k),
            w_high: table(&|y| y > n - k && y <= n - b),
        }
    }

    /// (intercept, slope) of the stage's failure line at q.
    fn line(&self, q: f64) -> (f64, f64) {
        let mut a = [0.0; LANES];
        let mut w = [0.0; LANES];
        self.lines(&[q; LANES], &mut a, &mut w);
        (a[0], w[0])
    }

    /// Lines at `LANES` values of q at once.
    #[inline]
    fn lines(&self, qs: &[f64; LANES], intercept: &mut [f64; LANES], slope: &mut [f64; LANES]) {
        let (n, k, b) = (self.shape.n(), self.shape.k(), self.shape.blocking());
        if n > SMALL_N {
            for l in 0..LANES {
                let t = tails_of(self.shape, &binomial_pmf(n, qs[l]));
                let line = t.line(self.shape, self.formula);
                (intercept[l], slope[l]) = (line.intercept, line.slope);
            }
            return;
        }
        let (mut u, mut base, mut high) = ([0.0; LANES], [0.0; LANES], [false; LANES]);
        for l in 0..LANES {
            let (q, r) = (qs[l], 1.0 - qs[l]);
            high[l] = q > 0.5;
            base[l] = if high[l] { q } else { r };
            u[l] = (if high[l] { r } else { q }) / base[l];
        }
        let (mut s, mut w, mut up) = ([0.0; LANES], [0.0; LANES], [1.0; LANES]);
        for x in 0..=n {
            let (sl, sh, wl, wh) = (self.s_low[x], self.s_high[x], self.w_low[x], self.w_high[x]);
            for l in 0..LANES {
                s[l] += (if high[l] { sh } else { sl }) * up[l];
                w[l] += (if high[l] { wh } else { wl }) * up[l];
                up[l] *= u[l];
            }
        }
        let mut bn = [1.0; LANES];
        for _ in 0..n {
            for l in 0..LANES {
                bn[l] *= base[l];
            }
        }
        for l in 0..LANES {
            let (over, stuck) = (s[l] * bn[l], w[l] * bn[l]);
            intercept[l] = over;
            slope[l] = match self.formula {
                Formula::Union => stuck,
                Formula::Additive if b >= k => 0.0,
                Formula::Additive => stuck + over,
            };
        }
    }
}

/// Stage failures on a grid: value at (q = `qs[i]`, p = `ps[j]`) is at
/// index `i * ps.len() + j`.
#[derive(Debug, Clone, PartialEq)]
pub struct GridSweep {
    pub ps: Vec<f64>,
    pub qs: Vec<f64>,
    pub failures: StageFailures<Vec<f64>>,
}

fn check(name: &str, xs: &[f64]) -> Result<()> {
    match xs.iter().position(|x| !(0.0..=1.0).contains(x)) {
        None => Ok(()),
        Some(i) => Err(RiskError::OutOfRange {
            name: format!("{name}[{i}]"),
            range: "in [0, 1]".into(),
            value: format!("{}", xs[i]),
        }),
    }
}

/// Both councils prepared, once every p and q is checked to be in [0, 1].
fn prepare(
    stage0: CouncilShape,
    stage1: CouncilShape,
    formula: Formula,
    ps: &[f64],
    qs: &[f64],
) -> Result<(Prepared, Prepared)> {
    check("p", ps)?;
    check("q", qs)?;
    Ok((
        Prepared::new(stage0, formula),
        Prepared::new(stage1, formula),
    ))
}

/// Zeroed buffers for `len` points. Zeroed allocations come straight from
/// the OS (no memset); each thread then touches only its own part.
fn zeroed(len: usize) -> StageFailures<Vec<f64>> {
    StageFailures {
        stage0: vec![0.0; len],
        stage1: vec![0.0; len],
        stage2: vec![0.0; len],
    }
}

/// `out`'s three buffers, resized to `len` points.
fn resized(out: &mut StageFailures<Vec<f64>>, len: usize) -> (&mut [f64], &mut [f64], &mut [f64]) {
    for v in [&mut out.stage0, &mut out.stage1, &mut out.stage2] {
        v.resize(len, 0.0);
    }
    (&mut out.stage0, &mut out.stage1, &mut out.stage2)
}

/// Threads for a sweep of `len` points: all cores for big sweeps, one for
/// small ones (spawning costs more than it saves below ~10⁵ points).
fn threads_for(len: usize) -> usize {
    if len < 1 << 17 {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// Stage 0, 1, 2 failure probabilities on the grid `qs × ps`, on all cores
/// for large grids.
pub fn sweep_grid(
    stage0: CouncilShape,
    stage1: CouncilShape,
    formula: Formula,
    ps: &[f64],
    qs: &[f64],
) -> Result<GridSweep> {
    sweep_grid_with_threads(
        stage0,
        stage1,
        formula,
        ps,
        qs,
        threads_for(ps.len() * qs.len()),
    )
}

/// [`sweep_grid`] on a given number of threads (results are identical
/// whatever the number).
pub fn sweep_grid_with_threads(
    stage0: CouncilShape,
    stage1: CouncilShape,
    formula: Formula,
    ps: &[f64],
    qs: &[f64],
    threads: usize,
) -> Result<GridSweep> {
    let mut out = zeroed(ps.len() * qs.len());
    sweep_grid_into(stage0, stage1, formula, ps, qs, threads, &mut out)?;
    Ok(GridSweep {
        ps: ps.to_vec(),
        qs: qs.to_vec(),
        failures: out,
    })
}

/// [`sweep_grid_with_threads`] into buffers the caller keeps between
/// sweeps (resized as needed), so repeated sweeps allocate nothing.
pub fn sweep_grid_into(
    stage0: CouncilShape,
    stage1: CouncilShape,
    formula: Formula,
    ps: &[f64],
    qs: &[f64],
    threads: usize,
    out: &mut StageFailures<Vec<f64>>,
) -> Result<()> {
    let (c0, c1) = prepare(stage0, stage1, formula, ps, qs)?;
    let len = ps.len() * qs.len();
    let (f0, f1, f2) = resized(out, len);
    if len > 0 {
        let fill = |q_rows: &[f64], o0: &mut [f64], o1: &mut [f64], o2: &mut [f64]| {
            let rows = o0
                .chunks_mut(ps.len())
                .zip(o1.chunks_mut(ps.len()))
                .zip(o2.chunks_mut(ps.len()));
            for (&q, ((r0, r1), r2)) in q_rows.iter().zip(rows) {
                let ((a0, s0), (a1, s1)) = (c0.line(q), c1.line(q));
                // Affine in p: one multiply-add per point, vectorised.
                for (o, p) in r0.iter_mut().zip(ps) {
                    *o = a0 + s0 * p;
                }
                for (o, p) in r1.iter_mut().zip(ps) {
                    *o = a1 + s1 * p;
                }
                r2.copy_from_slice(ps);
            }
        };
        let rows_per = qs.len().div_ceil(threads.max(1));
        let chunk = rows_per * ps.len();
        std::thread::scope(|scope| {
            let parts = qs
                .chunks(rows_per)
                .zip(f0.chunks_mut(chunk))
                .zip(f1.chunks_mut(chunk))
                .zip(f2.chunks_mut(chunk));
            for (((q_rows, o0), o1), o2) in parts {
                scope.spawn(move || fill(q_rows, o0, o1, o2));
            }
        });
    }
    Ok(())
}

/// Stage failures at scattered points (`ps[i]`, `qs[i]`), on all cores for
/// many points.
pub fn sweep_points(
    stage0: CouncilShape,
    stage1: CouncilShape,
    formula: Formula,
    ps: &[f64],
    qs: &[f64],
) -> Result<StageFailures<Vec<f64>>> {
    sweep_points_with_threads(stage0, stage1, formula, ps, qs, threads_for(ps.len()))
}

/// [`sweep_points`] on a given number of threads.
pub fn sweep_points_with_threads(
    stage0: CouncilShape,
    stage1: CouncilShape,
    formula: Formula,
    ps: &[f64],
    qs: &[f64],
    threads: usize,
) -> Result<StageFailures<Vec<f64>>> {
    let mut out = zeroed(ps.len());
    sweep_points_into(stage0, stage1, formula, ps, qs, threads, &mut out)?;
    Ok(out)
}

/// [`sweep_points_with_threads`] into buffers the caller keeps.
pub fn sweep_points_into(
    stage0: CouncilShape,
    stage1: CouncilShape,
    formula: Formula,
    ps: &[f64],
    qs: &[f64],
    threads: usize,
    out: &mut StageFailures<Vec<f64>>,
) -> Result<()> {
    if ps.len() != qs.len() {
        return Err(RiskError::Invalid(format!(
            "{} proof-failure values but {} member-failure values",
            ps.len(),
            qs.len()
        )));
    }
    let (c0, c1) = prepare(stage0, stage1, formula, ps, qs)?;
    let len = ps.len();
    let (f0, f1, f2) = resized(out, len);
    let fill = |ps: &[f64], qs: &[f64], o0: &mut [f64], o1: &mut [f64], o2: &mut [f64]| {
        let (mut a0, mut s0, mut a1, mut s1) =
            ([0.0; LANES], [0.0; LANES], [0.0; LANES], [0.0; LANES]);
        let outs = o0.chunks_mut(LANES).zip(o1.chunks_mut(LANES));
        for ((pc, qc), (r0, r1)) in ps.chunks(LANES).zip(qs.chunks(LANES)).zip(outs) {
            let mut q = [0.0; LANES];
            q[..qc.len()].copy_from_slice(qc);
            c0.lines(&q, &mut a0, &mut s0);
            c1.lines(&q, &mut a1, &mut s1);
            for (l, p) in pc.iter().enumerate() {
                r0[l] = a0[l] + s0[l] * p;
                r1[l] = a1[l] + s1[l] * p;
            }
        }
        o2.copy_from_slice(ps);
    };
    if len > 0 {
        // Chunks are multiples of LANES so lanes line up across threads.
        let per = len.div_ceil(threads.max(1)).div_ceil(LANES) * LANES;
        std::thread::scope(|scope| {
            let parts = ps
                .chunks(per)
                .zip(qs.chunks(per))
                .zip(f0.chunks_mut(per))
                .zip(f1.chunks_mut(per))
                .zip(f2.chunks_mut(per));
            for ((((pc, qc), o0), o1), o2) in parts {
                scope.spawn(move || fill(pc, qc, o0, o1, o2));
            }
        });
    }
    Ok(())
}

/// `count` points spaced evenly in log10 between `lo` and `hi` (> 0).
pub fn log_space(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if count < 2 {
        return vec![lo; count];
    }
    let (a, b) = (lo.log10(), hi.log10());
    (0..count)
        .map(|i| 10f64.powf(a + (b - a) * i as f64 / (count - 1) as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::BaseModel;

    #[test]
    fn sweep_matches_model() {
        let (s0, s1) = (
            CouncilShape::new(4, 7).unwrap(),
            CouncilShape::new(6, 8).unwrap(),
        );
        for formula in [Formula::Union, Formula::Additive] {
            let g = sweep_grid(s0, s1, formula, &[0.0, 1e-5, 0.5], &[0.1, 0.3]).unwrap();
            let lines = BaseModel {
                formula,
                ..Default::default()
            }
            .lines(formula)
            .unwrap();
            for (j, p) in [0.0, 1e-5, 0.5].iter().enumerate() {
                let f = lines.failures(p);
                assert!((g.failures.stage1[j] - f.stage1).abs() <= 1e-13 * f.stage1);
                assert!((g.failures.stage0[j] - f.stage0).abs() <= 1e-13 * f.stage0);
                assert_eq!(g.failures.stage2[j], *p);
            }
            let pts = sweep_points(s0, s1, formula, &[1e-5, 0.5], &[0.1, 0.1]).unwrap();
            assert_eq!(pts.stage1[0], g.failures.stage1[1]);
        }
    }

    #[test]
    fn direct_tails_match_exact_values_on_both_sides_of_one_half() {
        let s1 = CouncilShape::new(6, 8).unwrap();
        let c = Prepared::new(s1, Formula::Union);
        // q = 0.1: P(X ≥ 6) = 2341e-8, P(3 ≤ X ≤ 5) = 3806838e-8.
        let (a, w) = c.line(0.1);
        assert!((a - 2341e-8).abs() <= 1e-14 * a && (w - 3806838e-8).abs() <= 1e-14 * w);
        // q = 0.9 mirrors q = 0.1: P(X ≥ 6) = P(Y ≤ 2) = 1 − 0.03809179.
        let (a, _) = c.line(0.9);
        assert!((a - 0.96190821).abs() <= 1e-14);
        // Tiny tails keep their digits: P(X ≥ 6 of 8) at q = 1e-6 ≈ 28e-36.
        let (a, _) = c.line(1e-6);
        assert!((a / 28e-36 - 1.0).abs() < 1e-5);
        assert_eq!(c.line(0.0), (0.0, 0.0));
        assert_eq!(c.line(1.0), (1.0, 0.0));
    }

    #[test]
    fn threads_do_not_change_results() {
        let (s0, s1) = (
            CouncilShape::new(4, 7).unwrap(),
            CouncilShape::new(6, 8).unwrap(),
        );
        let ps = log_space(1e-9, 1.0, 37);
        let qs = log_space(1e-4, 0.9, 29);
        let one = sweep_grid_with_threads(s0, s1, Formula::Union, &ps, &qs, 1).unwrap();
        let three = sweep_grid_with_threads(s0, s1, Formula::Union, &ps, &qs, 3).unwrap();
        assert_eq!(one, three);
        let pp: Vec<f64> = (0..101).map(|i| ps[i % 37]).collect();
        let qq: Vec<f64> = (0..101).map(|i| qs[i % 29]).collect();
        let a = sweep_points_with_threads(s0, s1, Formula::Additive, &pp, &qq, 1).unwrap();
        let b = sweep_points_with_threads(s0, s1, Formula::Additive, &pp, &qq, 4).unwrap();
        assert_eq!(a, b);
        // Reused buffers give the same numbers.
        let mut buf = StageFailures {
            stage0: vec![9.0; 3],
            stage1: vec![],
            stage2: vec![],
        };
        sweep_points_into(s0, s1, Formula::Additive, &pp, &qq, 2, &mut buf).unwrap();
        assert_eq!(buf, a);
        // Points and grid agree on shared coordinates.
        let g = sweep_grid_with_threads(s0, s1, Formula::Additive, &ps, &qs, 2).unwrap();
        assert_eq!(a.stage1[5], g.failures.stage1[5 * 37 + 5]);
    }

    #[test]
    fn rejects_bad_inputs() {
        let s = CouncilShape::new(6, 8).unwrap();
        assert!(sweep_grid(s, s, Formula::Union, &[f64::NAN], &[0.1]).is_err());
        assert!(sweep_grid(s, s, Formula::Union, &[0.1], &[1.5]).is_err());
        assert!(sweep_points(s, s, Formula::Union, &[0.1], &[]).is_err());
    }

    #[test]
    fn log_space_ends() {
        let v = log_space(1e-6, 1.0, 7);
        assert!(
            (v[0] - 1e-6).abs() < 1e-20
                && (v[6] - 1.0).abs() < 1e-15
                && (v[3] - 1e-3).abs() < 1e-17
        );
    }
}
