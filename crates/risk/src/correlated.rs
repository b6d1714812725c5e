//! Correlated member failures in floating point: the beta-binomial, and
//! the comonotone "insider block". (The common shock is
//! [`Pmf::with_common_shock`].)
//!
//! Independence is the post's weakest assumption: members who share an
//! employer, a wallet setup or a jurisdiction break together, and that
//! fattens exactly the tail the council's threshold is meant to make thin.

use crate::binomial::{Pmf, binomial_pmf};

/// `α, β` of the beta-binomial with mean `q` and intra-class correlation `ρ`.
pub fn beta_parameters(q: f64, rho: f64) -> (f64, f64) {
    let scale = (1.0 - rho) / rho;
    (q * scale, (1.0 - q) * scale)
}

/// Beta-binomial(n, α, β) with mean q and correlation ρ ∈ [0, 1).
///
/// Works in logarithms: `ln P(0) = Σ_j ln((β+j)/(α+β+j))` (each factor a
/// ratio of sums of positive numbers, so no cancellation), then the ratio
/// `P(x+1)/P(x) = (n−x)/(x+1) · (α+x)/(β+n−x−1)`. The shape may be U or J
/// (α or β below 1), so no mode-walk: every mass comes from the log chain.
pub fn beta_binomial_pmf(n: usize, q: f64, rho: f64) -> Pmf {
    if rho <= 0.0 {
        return binomial_pmf(n, q);
    }
    if q <= 0.0 {
        return Pmf::point(n, 0);
    }
    if q >= 1.0 {
        return Pmf::point(n, n);
    }
    let (alpha, beta) = beta_parameters(q, rho);
    let total = alpha + beta;
    let mut ln_mass = Vec::with_capacity(n + 1);
    let mut l: f64 = (0..n)
        .map(|j| ((beta + j as f64) / (total + j as f64)).ln())
        .sum();
    ln_mass.push(l);
    for x in 0..n {
        let (xf, nf) = (x as f64, n as f64);
        // Integers first: `beta + n − x − 1` left to right would round a
        // small β against n and lose its digits.
        l += ((nf - xf) / (xf + 1.0)).ln() + ((alpha + xf) / (beta + (nf - xf - 1.0))).ln();
        ln_mass.push(l);
    }
    Pmf::from_masses(ln_mass.into_iter().map(f64::exp).collect())
}

/// Number of broken members of a comonotone block: all share one uniform
/// U and member i breaks when U < q_i. Each keeps its own q_i; with equal
/// q's the block breaks all together or not at all. `P(T ≥ j) = q_(j)`.
pub fn comonotone_block_pmf(qs: &[f64]) -> Pmf {
    let mut sorted = qs.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let mut mass = Vec::with_capacity(sorted.len() + 1);
    let mut prev = 1.0;
    for &q in &sorted {
        mass.push(prev - q);
        prev = q;
    }
    mass.push(prev);
    Pmf::from_masses(mass)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::ExactPmf;
    use crate::prob::{Probability, to_f64};

    #[test]
    fn beta_binomial_agrees_with_exact() {
        for (q, rho) in [
            ("0.1", "0.01"),
            ("0.1", "0.3"),
            ("0.02", "0.9"),
            ("0.5", "1/3"),
            ("0.9", "0.05"),
        ] {
            let (qp, rp) = (
                Probability::parse("q", q).unwrap(),
                Probability::parse("r", rho).unwrap(),
            );
            let exact = ExactPmf::beta_binomial(8, &qp, &rp).unwrap();
            let float = beta_binomial_pmf(8, qp.value(), rp.value());
            for k in 0..=8 {
                let (e, f) = (to_f64(&exact.at_least(k)), float.at_least(k));
                assert!(
                    (e - f).abs() <= 1e-12 * e,
                    "q={q} ρ={rho} k={k}: {f} vs {e}"
                );
            }
        }
    }

    #[test]
    fn uniform_case() {
        // q = 1/2, ρ = 1/3 → α = β = 1: uniform on {0, …, n}.
        let p = beta_binomial_pmf(4, 0.5, 1.0 / 3.0);
        for m in p.masses() {
            assert!((m - 0.2).abs() < 1e-14);
        }
    }

    #[test]
    fn comonotone_block_float() {
        let p = comonotone_block_pmf(&[0.1, 0.1, 0.1]);
        assert_eq!(p.masses(), &[0.9, 0.0, 0.0, 0.1]);
    }
}
