//! The two number types every closed form is written once for: `f64` for
//! speed, `BigRational` for exact answers.

use std::fmt::Debug;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::One;

use crate::binomial::binomial_pmf;
use crate::prob::Probability;

/// Arithmetic the models need, implemented by `f64` and `BigRational`.
pub trait Scalar: Clone + PartialOrd + Debug + num_traits::Num {
    /// Binomial(n, q) masses `P(X = x)`, x = 0..=n, each accurate relative
    /// to itself (so sums of them give accurate tails).
    fn binomial_masses(n: usize, q: &Self) -> Vec<Self>;
    /// The integer `n`.
    fn from_usize(n: usize) -> Self;
    /// The value of a model input, if it can be had in this type (exact
    /// only when the input was exact).
    fn from_probability(p: &Probability) -> Option<Self>;
    /// Sum of non-negative terms.
    fn sum<I: IntoIterator<Item = Self>>(terms: I) -> Self {
        terms.into_iter().fold(Self::zero(), |a, b| a + b)
    }
}

impl Scalar for f64 {
    fn binomial_masses(n: usize, q: &f64) -> Vec<f64> {
        binomial_pmf(n, *q).masses().to_vec()
    }
    fn from_usize(n: usize) -> f64 {
        n as f64
    }
    fn from_probability(p: &Probability) -> Option<f64> {
        Some(p.value())
    }
    fn sum<I: IntoIterator<Item = f64>>(terms: I) -> f64 {
        // Small to large: rounding stays relative to the result.
        let mut v: Vec<f64> = terms.into_iter().collect();
        v.sort_by(f64::total_cmp);
        v.iter().sum()
    }
}

impl Scalar for BigRational {
    fn binomial_masses(n: usize, q: &BigRational) -> Vec<BigRational> {
        let r = BigRational::one() - q;
        let mut out = Vec::with_capacity(n + 1);
        let mut c = BigInt::one();
        for x in 0..=n {
            let term = BigRational::from_integer(c.clone())
                * num_traits::pow(q.clone(), x)
                * num_traits::pow(r.clone(), n - x);
            out.push(term);
            c = c * BigInt::from(n - x) / BigInt::from(x + 1);
        }
        out
    }
    fn from_usize(n: usize) -> BigRational {
        BigRational::from_integer(BigInt::from(n))
    }
    fn from_probability(p: &Probability) -> Option<BigRational> {
        p.exact().cloned()
    }
}

/// Converts a list of inputs, or `None` if one is not available exactly.
pub(crate) fn all<T: Scalar>(ps: &[&Probability]) -> Option<Vec<T>> {
    ps.iter().map(|p| T::from_probability(p)).collect()
}

/// Poisson-binomial masses by the non-negative dynamic programme.
pub fn poisson_binomial_masses<T: Scalar>(qs: &[T]) -> Vec<T> {
    let mut cur = vec![T::one()];
    for q in qs {
        let r = T::one() - q.clone();
        let mut next = vec![T::zero(); cur.len() + 1];
        for (x, m) in cur.iter().enumerate() {
            next[x] = next[x].clone() + m.clone() * r.clone();
            next[x + 1] = next[x + 1].clone() + m.clone() * q.clone();
        }
        cur = next;
    }
    cur
}

/// `Σ masses[a..=b]` (0 for an empty range).
pub fn range_sum<T: Scalar>(masses: &[T], a: usize, b: usize) -> T {
    if a > b || a >= masses.len() {
        return T::zero();
    }
    let b = b.min(masses.len() - 1);
    T::sum(masses[a..=b].iter().cloned())
}
