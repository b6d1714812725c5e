//! Floating-point distributions of the number of broken members.
//!
//! Every tail here is a direct sum of non-negative terms, each computed to
//! a few ulps: no `1 − lower tail`, so a tail of 1e-15 or 1e-200 keeps its
//! relative accuracy (cancellation is what makes `1 − cdf` useless there).

/// Councils up to this size use direct powers (no logarithms): cheaper and
/// a few ulps accurate.
const DIRECT_MAX_N: usize = 64;

/// Probability mass function of a count `X ∈ {0, …, n}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pmf {
    mass: Vec<f64>,
}

impl Pmf {
    /// Wraps masses indexed by count (`mass[x] = P(X = x)`).
    pub fn from_masses(mass: Vec<f64>) -> Self {
        Self { mass }
    }

    /// All mass on one count.
    pub fn point(n: usize, at: usize) -> Self {
        let mut mass = vec![0.0; n + 1];
        if let Some(m) = mass.get_mut(at) {
            *m = 1.0;
        }
        Self { mass }
    }

    /// Largest possible count.
    pub fn n(&self) -> usize {
        self.mass.len().saturating_sub(1)
    }

    /// `P(X = x)` for each `x`.
    pub fn masses(&self) -> &[f64] {
        &self.mass
    }

    /// `P(X ≥ k)`, summed from the far tail inwards (exactly 1 for k = 0).
    pub fn at_least(&self, k: usize) -> f64 {
        if k == 0 {
            return 1.0;
        }
        self.between(k, self.n())
    }

    /// `P(X ≤ k)`.
    pub fn at_most(&self, k: usize) -> f64 {
        self.between(0, k)
    }

    /// `P(a ≤ X ≤ b)`; 0 for an empty range.
    pub fn between(&self, a: usize, b: usize) -> f64 {
        let b = b.min(self.n());
        if a > b || self.mass.is_empty() {
            return 0.0;
        }
        // Positive terms only; summing small-to-large keeps the rounding
        // relative to the result.
        let slice = &self.mass[a..=b];
        let mut sorted: Vec<f64> = slice.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted.iter().sum::<f64>().min(1.0)
    }

    /// Common shock: with probability `c` every member breaks at once,
    /// otherwise the members follow this distribution.
    pub fn with_common_shock(&self, c: f64) -> Self {
        let mut mass: Vec<f64> = self.mass.iter().map(|m| m * (1.0 - c)).collect();
        if let Some(last) = mass.last_mut() {
            *last += c;
        }
        Self { mass }
    }

    /// Distribution of the sum of two independent counts.
    pub fn convolve(&self, other: &Pmf) -> Self {
        if self.mass.is_empty() || other.mass.is_empty() {
            return Self { mass: Vec::new() };
        }
        let mut mass = vec![0.0; self.mass.len() + other.mass.len() - 1];
        for (i, a) in self.mass.iter().enumerate() {
            if *a == 0.0 {
                continue;
            }
            for (j, b) in other.mass.iter().enumerate() {
                mass[i + j] += a * b;
            }
        }
        Self { mass }
    }
}

/// `ln C(n, k)`, as a sum of logs of ratios (no overflow for large n).
pub(crate) fn ln_choose(n: usize, k: usize) -> f64 {
    let k = k.min(n - k);
    (1..=k)
        .map(|i| (((n - k + i) as f64) / (i as f64)).ln())
        .sum()
}

/// Binomial(n, q) mass function.
///
/// Small councils use direct powers; large ones start at the mode from
/// logarithms and walk outwards with the ratio recurrence
/// `P(x+1)/P(x) = (n−x)/(x+1) · q/(1−q)`, so no term underflows unless its
/// true value does.
pub fn binomial_pmf(n: usize, q: f64) -> Pmf {
    if q <= 0.0 {
        return Pmf::point(n, 0);
    }
    if q >= 1.0 {
        return Pmf::point(n, n);
    }
    if n <= DIRECT_MAX_N {
        let mut mass = vec![0.0; n + 1];
        binomial_pmf_small(n, q, &mut mass);
        return Pmf { mass };
    }
    let r = 1.0 - q;
    let mode = (((n + 1) as f64) * q).floor().min(n as f64) as usize;
    let ln_mode = ln_choose(n, mode) + mode as f64 * q.ln() + (n - mode) as f64 * (-q).ln_1p();
    let mut mass = vec![0.0; n + 1];
    mass[mode] = ln_mode.exp();
    let odds = q / r;
    for x in mode..n {
        let next = mass[x] * ((n - x) as f64 / (x + 1) as f64) * odds;
        if next == 0.0 {
            break;
        }
        mass[x + 1] = next;
    }
    for x in (1..=mode).rev() {
        let prev = mass[x] * (x as f64 / (n - x + 1) as f64) / odds;
        if prev == 0.0 {
            break;
        }
        mass[x - 1] = prev;
    }
    Pmf { mass }
}

/// Direct binomial masses for `n ≤ 64` into `out[0..=n]`: `C(n,x) q^x (1−q)^(n−x)`
/// with powers by repeated multiplication (a few ulps, no logarithms).
/// This is the inner loop of sweeps, so it allocates nothing.
#[inline]
pub(crate) fn binomial_pmf_small(n: usize, q: f64, out: &mut [f64]) {
    let r = 1.0 - q;
    let mut qpow = [1.0f64; DIRECT_MAX_N + 1];
    let mut rpow = [1.0f64; DIRECT_MAX_N + 1];
    for i in 1..=n {
        qpow[i] = qpow[i - 1] * q;
        rpow[i] = rpow[i - 1] * r;
    }
    let mut c = 1.0f64;
    for x in 0..=n {
        out[x] = c * qpow[x] * rpow[n - x];
        c = c * (n - x) as f64 / (x + 1) as f64;
    }
}

/// `P(X ≥ k)` for X ~ Binomial(n, q), computed from the tail terms.
pub fn binomial_upper_tail(n: usize, k: usize, q: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    binomial_pmf(n, q).at_least(k)
}

/// Poisson-binomial mass function (member `i` breaks with its own `q_i`),
/// by the dynamic programme `P_i(x) = P_{i−1}(x)(1−q_i) + P_{i−1}(x−1) q_i`.
/// Every update adds non-negative terms, so the result is accurate to
/// O(n) ulps relative, including tiny tails. O(n²).
pub fn poisson_binomial_pmf(qs: &[f64]) -> Pmf {
    let n = qs.len();
    let mut cur = vec![0.0; n + 1];
    let mut next = vec![0.0; n + 1];
    cur[0] = 1.0;
    for (i, &q) in qs.iter().enumerate() {
        let r = 1.0 - q;
        next[0] = cur[0] * r;
        // Two buffers make the loop a plain a·x + b·y over slices, which
        // the compiler vectorises.
        let (lo, hi) = (&cur[..=i], &cur[1..=i + 1]);
        for ((out, &below), &here) in next[1..=i + 1].iter_mut().zip(lo).zip(hi) {
            *out = here * r + below * q;
        }
        std::mem::swap(&mut cur, &mut next);
    }
    Pmf { mass: cur }
}

/// `P(X ≥ k)` for a Poisson-binomial count, without the full distribution.
///
/// It tracks the count only as far as the question needs: either the
/// broken members up to `k` (counts that can no longer reach `k` are
/// dropped, and `≥ k` is one absorbing state) or, when `k` is large, the
/// honest members up to `n − k + 1`. Cost O(n · min(k, n − k + 1)); for
/// n = 10,000 that is at most 2.5·10⁷ multiply-adds.
pub fn poisson_binomial_upper_tail(qs: &[f64], k: usize) -> f64 {
    let n = qs.len();
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    if k <= n - k + 1 {
        upper_tail_by_broken(qs, k)
    } else {
        upper_tail_by_honest(qs, k)
    }
}

/// Tracks broken counts `0..k` and an absorbing `≥ k`.
fn upper_tail_by_broken(qs: &[f64], k: usize) -> f64 {
    let n = qs.len();
    // state[x] = P(x broken so far), x < k; `top` = P(≥ k so far).
    let mut state = vec![0.0; k];
    let mut scratch = vec![0.0; k];
    state[0] = 1.0;
    let mut top = 0.0;
    for (i, &q) in qs.iter().enumerate() {
        let r = 1.0 - q;
        let remaining_after = n - i - 1;
        // Counts below `lo` cannot reach k with the members left: drop them.
        let lo = k.saturating_sub(remaining_after);
        let hi = (i + 1).min(k - 1);
        top += state[k - 1] * q;
        let start = lo.max(1);
        if start <= hi {
            let (below, here) = (&state[start - 1..hi], &state[start..=hi]);
            for ((out, &b), &h) in scratch[start..=hi].iter_mut().zip(below).zip(here) {
                *out = h * r + b * q;
            }
        }
        if lo == 0 {
            scratch[0] = state[0] * r;
        }
        // Entries below `lo` are stale and never read again (lo grows by
        // one per member once positive).
        std::mem::swap(&mut state, &mut scratch);
    }
    top.min(1.0)
}

/// Tracks honest counts `0..=n−k` (an honest count of `n − k + 1` or more
/// means fewer than `k` broken: that mass is dropped). `P(X ≥ k)` is the
/// mass that stays.
fn upper_tail_by_honest(qs: &[f64], k: usize) -> f64 {
    let n = qs.len();
    let cap = n - k; // largest honest count that keeps X ≥ k
    let mut state = vec![0.0; cap + 1];
    let mut scratch = vec![0.0; cap + 1];
    state[0] = 1.0;
    for (i, &q) in qs.iter().enumerate() {
        let h = 1.0 - q; // this member honest: the count moves up
        let hi = (i + 1).min(cap);
        scratch[0] = state[0] * q;
        if hi >= 1 {
            let (below, here) = (&state[..hi], &state[1..=hi]);
            for ((out, &b), &s) in scratch[1..=hi].iter_mut().zip(below).zip(here) {
                *out = s * q + b * h;
            }
        }
        std::mem::swap(&mut state, &mut scratch);
    }
    let mut terms = state;
    terms.sort_by(f64::total_cmp);
    terms.iter().sum::<f64>().min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(f64::MIN_POSITIVE)
    }

    #[test]
    fn post_council_tails() {
        // Values of risk-model.md §1.
        assert!(close(binomial_upper_tail(7, 4, 0.1), 0.002728, 1e-13));
        assert!(close(binomial_upper_tail(8, 3, 0.1), 0.03809179, 1e-13));
        assert!(close(binomial_upper_tail(8, 6, 0.1), 0.00002341, 1e-13));
    }

    #[test]
    fn tiny_tails_keep_relative_accuracy() {
        // P(X = n) = q^n exactly; 1 − P(X < n) would give 0 here.
        let q: f64 = 1e-3;
        assert!(close(binomial_upper_tail(8, 8, q), 1e-24, 1e-13));
        // Large n (log path): P(X = n) = 0.5^200.
        assert!(close(
            binomial_upper_tail(200, 200, 0.5),
            0.5f64.powi(200),
            1e-12
        ));
        // P(X ≥ 2 of 3) with q = 1e-9 is 3e-18 − 2e-27.
        assert!(close(binomial_upper_tail(3, 2, 1e-9), 3e-18 - 2e-27, 1e-13));
    }

    #[test]
    fn large_n_log_path_matches_known_values() {
        // Binomial(100, 1/2): P(X ≥ 50) = 1/2 + P(X = 50)/2,
        // P(X = 50) = C(100,50)/2^100 = 0.0795892373871787...
        let p50 = 0.079_589_237_387_178_8;
        assert!(close(binomial_pmf(100, 0.5).masses()[50], p50, 1e-12));
        assert!(close(
            binomial_upper_tail(100, 50, 0.5),
            0.5 + p50 / 2.0,
            1e-12
        ));
        // Masses sum to one.
        let s: f64 = binomial_pmf(5000, 0.013).masses().iter().sum();
        assert!(close(s, 1.0, 1e-12));
    }

    #[test]
    fn poisson_binomial_two_of_three() {
        let (a, b, c) = (0.1, 0.2, 0.3);
        let expected = a * b + a * c + b * c - 2.0 * a * b * c;
        assert!(close(
            poisson_binomial_upper_tail(&[a, b, c], 2),
            expected,
            1e-14
        ));
        assert!(close(
            poisson_binomial_pmf(&[a, b, c]).at_least(2),
            expected,
            1e-14
        ));
        assert!(close(
            poisson_binomial_upper_tail(&[a, b, c], 3),
            a * b * c,
            1e-14
        ));
        assert!(close(
            poisson_binomial_upper_tail(&[a, b, c], 1),
            1.0 - 0.9 * 0.8 * 0.7,
            1e-14
        ));
    }

    #[test]
    fn banded_tail_matches_full_distribution_on_both_sides() {
        let qs: Vec<f64> = (0..301)
            .map(|i| 0.01 + 0.9 * ((i * 37 % 101) as f64) / 101.0)
            .collect();
        let full = poisson_binomial_pmf(&qs);
        for k in [0, 1, 2, 50, 150, 151, 152, 250, 300, 301, 302] {
            let banded = poisson_binomial_upper_tail(&qs, k);
            let direct = if k > 301 { 0.0 } else { full.at_least(k) };
            assert!(
                close(banded, direct, 1e-11) || (banded < 1e-300 && direct < 1e-300),
                "k={k}: {banded} vs {direct}"
            );
        }
    }

    #[test]
    fn poisson_binomial_tiny_tails_match_exact() {
        use crate::exact::ExactPmf;
        use crate::prob::{Probability, to_f64};
        let texts = [
            "1e-6", "2e-6", "3e-7", "1e-5", "5e-6", "1e-6", "4e-6", "2e-7", "1e-6", "9e-6",
        ];
        let exact_qs: Vec<Probability> = texts
            .iter()
            .map(|t| Probability::parse("q", t).unwrap())
            .collect();
        let qs: Vec<f64> = exact_qs.iter().map(Probability::value).collect();
        let exact = ExactPmf::poisson_binomial(&exact_qs).unwrap();
        for k in [1, 3, 5, 8, 10] {
            let e = to_f64(&exact.at_least(k));
            let f = poisson_binomial_upper_tail(&qs, k);
            assert!(e > 0.0 && close(f, e, 1e-12), "k={k}: {f} vs {e}");
            assert!(close(poisson_binomial_pmf(&qs).at_least(k), e, 1e-12));
        }
    }

    #[test]
    fn common_shock_and_convolution() {
        let p = binomial_pmf(8, 0.1).with_common_shock(0.01);
        assert!(close(p.at_least(6), 0.01 + 0.99 * 0.00002341, 1e-13));
        let a = Pmf::from_masses(vec![0.5, 0.5]);
        let b = a.convolve(&a);
        assert_eq!(b.masses(), &[0.25, 0.5, 0.25]);
        assert_eq!(b.between(2, 1), 0.0);
        assert_eq!(b.at_most(1), 0.75);
    }
}
