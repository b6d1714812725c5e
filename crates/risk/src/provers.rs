//! Several proof systems instead of one.
//!
//! Running independent provers side by side (a zk prover and an optimistic
//! game, two zkVMs) lowers the effective p that the stage model takes as
//! input, as long as their bugs are not shared. This module computes that
//! effective p for
//! * k-of-n provers with their own soundness failures a_i (a wrong state
//!   is accepted when at least k provers are wrong: 2-of-3 gives
//!   ab + ac + bc − 2abc);
//! * n equal provers with a shared cause (the β-factor model of
//!   reliability engineering: with probability βa one cause breaks them
//!   all, otherwise each breaks independently with (1−β)a);
//! * two provers with a council tiebreak: the council decides only when
//!   they disagree, so loss = a_A·a_B + P(exactly one wrong)·S.

use num_rational::BigRational;
use serde::Serialize;

use crate::error::{Result, RiskError};
use crate::prob::Probability;
use crate::scalar::{Scalar, all, poisson_binomial_masses, range_sum};

/// How state roots are proven.
#[derive(Debug, Clone, PartialEq)]
pub enum ProofSystem {
    /// One proof system, failing with probability p.
    Single { p: Probability },
    /// A wrong state is accepted when at least `k` provers are wrong;
    /// prover i is wrong with `provers[i]`, independently.
    Threshold { k: usize, provers: Vec<Probability> },
    /// `n` equal provers (each wrong with about `a`), `k` needed, with a
    /// shared-cause fraction `beta` of their failures.
    SharedCause {
        k: usize,
        n: usize,
        a: Probability,
        beta: Probability,
    },
}

impl ProofSystem {
    /// Checks 1 ≤ k ≤ n.
    pub fn validate(&self) -> Result<()> {
        let (k, n) = match self {
            ProofSystem::Single { .. } => return Ok(()),
            ProofSystem::Threshold { k, provers } => (*k, provers.len()),
            ProofSystem::SharedCause { k, n, .. } => (*k, *n),
        };
        if k == 0 || k > n {
            return Err(RiskError::Invalid(format!(
                "a {k}-of-{n} prover set is not possible: need 1 <= k <= n"
            )));
        }
        Ok(())
    }

    /// Effective proof-failure probability (floating point).
    pub fn failure(&self) -> Result<f64> {
        self.validate()?;
        Ok(match self {
            ProofSystem::Single { p } => p.value(),
            ProofSystem::Threshold { k, provers } => {
                let a: Vec<f64> = provers.iter().map(Probability::value).collect();
                crate::binomial::poisson_binomial_upper_tail(&a, *k)
            }
            ProofSystem::SharedCause { k, n, a, beta } => {
                shared_cause(*k, *n, a.value(), beta.value())
            }
        })
    }

    /// Effective proof-failure probability, exact when the inputs are.
    pub fn exact_failure(&self) -> Result<Option<BigRational>> {
        self.validate()?;
        Ok(match self {
            ProofSystem::Single { p } => p.exact().cloned(),
            ProofSystem::Threshold { k, provers } => {
                let refs: Vec<&Probability> = provers.iter().collect();
                all::<BigRational>(&refs).map(|a| {
                    let m = poisson_binomial_masses(&a);
                    range_sum(&m, *k, provers.len())
                })
            }
            ProofSystem::SharedCause { k, n, a, beta } => all::<BigRational>(&[a, beta])
                .map(|v| shared_cause(*k, *n, v[0].clone(), v[1].clone())),
        })
    }
}

/// β-factor model: P = βa + (1 − βa) · P(Binomial(n, (1−β)a) ≥ k).
pub fn shared_cause<T: Scalar>(k: usize, n: usize, a: T, beta: T) -> T {
    let common = beta.clone() * a.clone();
    let independent = (T::one() - beta) * a;
    let tail = range_sum(&T::binomial_masses(n, &independent), k, n);
    common.clone() + (T::one() - common) * tail
}

/// The usual first-order approximation for 2-of-3 equal provers,
/// βa + 3((1−β)a)², for comparison with [`shared_cause`].
pub fn shared_cause_two_of_three_approx(a: f64, beta: f64) -> f64 {
    let ind = (1.0 - beta) * a;
    beta * a + 3.0 * ind * ind
}

/// Two provers whose disagreement the council settles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tiebreak<T> {
    /// Loss: both wrong, or exactly one wrong and the council overrides
    /// (S): a_A a_B + (a_A(1−a_B) + a_B(1−a_A)) S.
    pub loss: T,
    /// Provers disagree and the council is blocked without overriding
    /// (W): funds are stuck until it is fixed, not lost.
    pub stuck: T,
    /// P(exactly one prover wrong): how often the council is called.
    pub disagreement: T,
}

/// Two provers (wrong with `a` and `b`) with a council tiebreak whose
/// override probability is `s` and stuck probability `w` (see
/// [`crate::council::CouncilTails`]).
pub fn two_provers_with_council<T: Scalar>(a: T, b: T, s: T, w: T) -> Tiebreak<T> {
    let one = T::one();
    let disagreement = a.clone() * (one.clone() - b.clone()) + b.clone() * (one - a.clone());
    Tiebreak {
        loss: a * b + disagreement.clone() * s,
        stuck: disagreement.clone() * w,
        disagreement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Probability {
        Probability::parse("p", s).unwrap()
    }

    #[test]
    fn two_of_three_closed_form() {
        let sys = ProofSystem::Threshold {
            k: 2,
            provers: vec![p("0.01"), p("0.02"), p("0.05")],
        };
        let (a, b, c) = (0.01, 0.02, 0.05);
        let closed = a * b + a * c + b * c - 2.0 * a * b * c;
        assert!((sys.failure().unwrap() - closed).abs() < 1e-17);
        // ab + ac + bc − 2abc = 0.0002 + 0.0005 + 0.001 − 0.00002 = 0.00168
        assert_eq!(
            sys.exact_failure().unwrap().unwrap(),
            "168/100000".parse::<BigRational>().unwrap()
        );
    }

    #[test]
    fn shared_cause_matches_approximation_for_small_a() {
        let (a, beta) = (1e-4, 0.1);
        let exact = shared_cause(2, 3, a, beta);
        let approx = shared_cause_two_of_three_approx(a, beta);
        // They differ by O(a³) and O(βa·a²) terms.
        assert!((exact - approx).abs() < 1e-11, "{exact} vs {approx}");
        // β = 0: plain 2-of-3; β = 1: one cause, so a.
        assert!((shared_cause(2, 3, a, 0.0) - (3.0 * a * a - 2.0 * a * a * a)).abs() < 1e-20);
        assert!((shared_cause(2, 3, a, 1.0) - a).abs() < 1e-20);
    }

    #[test]
    fn tiebreak_by_hand() {
        // a = 0.1, b = 0.2, S = 0.01, W = 0.05:
        // disagreement = 0.1·0.8 + 0.2·0.9 = 0.26; loss = 0.02 + 0.0026.
        let t = two_provers_with_council(0.1, 0.2, 0.01, 0.05);
        assert!((t.disagreement - 0.26).abs() < 1e-15);
        assert!((t.loss - 0.0226).abs() < 1e-15);
        assert!((t.stuck - 0.013).abs() < 1e-15);
    }

    #[test]
    fn invalid_prover_sets() {
        let sys = ProofSystem::Threshold {
            k: 3,
            provers: vec![p("0.1"); 2],
        };
        assert!(sys.failure().is_err());
        let sys = ProofSystem::SharedCause {
            k: 0,
            n: 3,
            a: p("0.1"),
            beta: p("0.1"),
        };
        assert!(sys.exact_failure().is_err());
    }
}
