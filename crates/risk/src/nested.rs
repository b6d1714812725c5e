//! Nested councils: approvals that need several multisigs (an upgrade
//! that needs two Safes, a council *or* a DAO vote, 2 of 3 bodies).
//!
//! Each body has two failure events: it **overrides** (its broken members
//! can approve a wrong action by themselves) and it is **blocked** (it
//! cannot approve a right one). For a leaf k-of-n council these are X ≥ k
//! and X ≥ n − k + 1, which can both hold, so each node carries the joint
//! distribution of the pair. A K-of-m combination of children overrides
//! when at least K children override, and is blocked when at least
//! m − K + 1 children are blocked (all-of is K = m, any-of is K = 1).
//! Children must not share members (their failures are independent).

use num_rational::BigRational;
use serde::Serialize;

use crate::council::CouncilModel;
use crate::error::{Result, RiskError};
use crate::scalar::Scalar;
use crate::stages::Line;

/// An approval rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Approval {
    /// One multisig.
    Council(CouncilModel),
    /// Every child must approve.
    All(Vec<Approval>),
    /// Any child may approve.
    Any(Vec<Approval>),
    /// At least `k` of the children must approve.
    Threshold { k: usize, of: Vec<Approval> },
}

/// Joint probabilities of (overrides, blocked).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Joint<T> {
    pub override_and_blocked: T,
    pub override_only: T,
    pub blocked_only: T,
    pub neither: T,
}

impl<T: Scalar> Joint<T> {
    /// P(overrides).
    pub fn overrides(&self) -> T {
        self.override_and_blocked.clone() + self.override_only.clone()
    }

    /// P(blocked).
    pub fn blocked(&self) -> T {
        self.override_and_blocked.clone() + self.blocked_only.clone()
    }

    /// The failure line of a stage guarded by this approval (union form):
    /// F(p) = P(overrides) + p · P(blocked and not overrides).
    pub fn line(&self) -> Line<T> {
        Line {
            intercept: self.overrides(),
            slope: self.blocked_only.clone(),
        }
    }

    fn get(&self, o: bool, b: bool) -> T {
        match (o, b) {
            (true, true) => self.override_and_blocked.clone(),
            (true, false) => self.override_only.clone(),
            (false, true) => self.blocked_only.clone(),
            (false, false) => self.neither.clone(),
        }
    }
}

fn leaf_joint<T: Scalar>(masses: &[T], k: usize, n: usize) -> Joint<T> {
    let b = n - k + 1;
    let sum = |lo: usize, hi: usize| crate::scalar::range_sum(masses, lo, hi);
    let both_from = k.max(b);
    Joint {
        override_and_blocked: sum(both_from, n),
        // k ≤ X ≤ b − 1 (empty when b ≤ k)
        override_only: if b > k { sum(k, b - 1) } else { T::zero() },
        blocked_only: if k > b { sum(b, k - 1) } else { T::zero() },
        neither: sum(0, k.min(b) - 1),
    }
}

/// K-of-m over independent children: a DP over (children overriding,
/// children blocked).
fn combine<T: Scalar>(k: usize, children: &[Joint<T>]) -> Joint<T> {
    let m = children.len();
    // dp[o][b]
    let mut dp = vec![vec![T::zero(); m + 1]; m + 1];
    dp[0][0] = T::one();
    for (i, child) in children.iter().enumerate() {
        let mut next = vec![vec![T::zero(); m + 1]; m + 1];
        for (o, row) in dp.iter().enumerate().take(i + 1) {
            for (b, here) in row.iter().enumerate().take(i + 1) {
                if *here == T::zero() {
                    continue;
                }
                for (co, cb) in [(true, true), (true, false), (false, true), (false, false)] {
                    let (no, nb) = (o + usize::from(co), b + usize::from(cb));
                    next[no][nb] = next[no][nb].clone() + here.clone() * child.get(co, cb);
                }
            }
        }
        dp = next;
    }
    let block_need = m - k + 1;
    let mut parts: [Vec<T>; 4] = Default::default();
    for (o, row) in dp.into_iter().enumerate() {
        for (b, v) in row.into_iter().enumerate() {
            let idx = match (o >= k, b >= block_need) {
                (true, true) => 0,
                (true, false) => 1,
                (false, true) => 2,
                (false, false) => 3,
            };
            parts[idx].push(v);
        }
    }
    let [ob, oo, bo, ne] = parts;
    Joint {
        override_and_blocked: T::sum(ob),
        override_only: T::sum(oo),
        blocked_only: T::sum(bo),
        neither: T::sum(ne),
    }
}

impl Approval {
    fn children(&self) -> Option<(usize, &[Approval])> {
        match self {
            Approval::Council(_) => None,
            Approval::All(c) => Some((c.len(), c)),
            Approval::Any(c) => Some((1, c)),
            Approval::Threshold { k, of } => Some((*k, of)),
        }
    }

    /// Checks every combination has children and 1 ≤ K ≤ m.
    pub fn validate(&self) -> Result<()> {
        if let Some((k, c)) = self.children() {
            if c.is_empty() {
                return Err(RiskError::Invalid(
                    "an approval combination needs at least one child".into(),
                ));
            }
            if k == 0 || k > c.len() {
                return Err(RiskError::Invalid(format!(
                    "approval threshold {k} of {} children is not possible",
                    c.len()
                )));
            }
            for child in c {
                child.validate()?;
            }
        }
        Ok(())
    }

    /// Floating-point joint distribution.
    pub fn joint(&self) -> Result<Joint<f64>> {
        self.validate()?;
        self.joint_with(&|c: &CouncilModel| Some(c.pmf().masses().to_vec()))
            .ok_or_else(|| RiskError::Invalid("float distribution unavailable".into()))
    }

    /// Exact joint distribution, when every council's inputs are exact.
    pub fn exact_joint(&self) -> Result<Option<Joint<BigRational>>> {
        self.validate()?;
        Ok(self.joint_with(&|c: &CouncilModel| c.exact_pmf().map(|p| p.masses())))
    }

    fn joint_with<T: Scalar>(
        &self,
        masses: &dyn Fn(&CouncilModel) -> Option<Vec<T>>,
    ) -> Option<Joint<T>> {
        match self {
            Approval::Council(c) => {
                let s = c.shape();
                Some(leaf_joint(&masses(c)?, s.k(), s.n()))
            }
            _ => {
                let (k, children) = self.children()?;
                let joints = children
                    .iter()
                    .map(|c| c.joint_with(masses))
                    .collect::<Option<Vec<_>>>()?;
                Some(combine(k, &joints))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::council::{CouncilShape, CouncilTails};
    use crate::prob::Probability;

    fn council(k: usize, n: usize, q: &str) -> CouncilModel {
        CouncilModel::binomial(
            CouncilShape::new(k, n).unwrap(),
            Probability::parse("q", q).unwrap(),
        )
    }

    #[test]
    fn leaf_matches_council_tails() {
        let c = council(6, 8, "0.1");
        let j = Approval::Council(c.clone()).exact_joint().unwrap().unwrap();
        let t: CouncilTails<BigRational> = c.exact_tails().unwrap();
        assert_eq!(j.overrides(), t.overrides);
        assert_eq!(j.blocked(), t.blocked);
        assert_eq!(j.line().slope, t.stuck);
    }

    #[test]
    fn two_safes_both_needed() {
        // Two 1-of-1 "safes", member break probabilities a and b.
        // All: overrides = ab; blocked = 1 − (1−a)(1−b); a member that is
        // broken both overrides and blocks its own safe.
        let j = Approval::All(
            vec![council(1, 1, "0.1"), council(1, 1, "0.2")]
                .into_iter()
                .map(Approval::Council)
                .collect(),
        )
        .exact_joint()
        .unwrap()
        .unwrap();
        assert_eq!(j.overrides(), "2/100".parse::<BigRational>().unwrap());
        assert_eq!(j.blocked(), "28/100".parse::<BigRational>().unwrap());
        // Any: overrides = 1 − 0.9·0.8 = 0.28, blocked = 0.02.
        let j = Approval::Any(vec![
            Approval::Council(council(1, 1, "0.1")),
            Approval::Council(council(1, 1, "0.2")),
        ])
        .exact_joint()
        .unwrap()
        .unwrap();
        assert_eq!(j.overrides(), "28/100".parse::<BigRational>().unwrap());
        assert_eq!(j.blocked(), "2/100".parse::<BigRational>().unwrap());
        let total = j.override_and_blocked + j.override_only + j.blocked_only + j.neither;
        assert_eq!(total, "1".parse::<BigRational>().unwrap());
    }

    #[test]
    fn invalid_trees_are_errors() {
        assert!(Approval::All(vec![]).joint().is_err());
        let t = Approval::Threshold {
            k: 3,
            of: vec![Approval::Council(council(1, 1, "0.1"))],
        };
        assert!(t.joint().is_err());
    }

    #[test]
    fn float_matches_exact() {
        let tree = Approval::Threshold {
            k: 2,
            of: vec![
                Approval::Council(council(6, 8, "0.1")),
                Approval::All(vec![
                    Approval::Council(council(3, 5, "0.2")),
                    Approval::Council(council(2, 3, "0.15")),
                ]),
                Approval::Council(council(9, 12, "0.05")),
            ],
        };
        let f = tree.joint().unwrap();
        let e = tree.exact_joint().unwrap().unwrap();
        for (a, b) in [
            (f.overrides(), e.overrides()),
            (f.blocked(), e.blocked()),
            (f.blocked_only, e.blocked_only),
        ] {
            let b = crate::prob::to_f64(&b);
            assert!((a - b).abs() <= 1e-12 * b, "{a} vs {b}");
        }
    }
}
