//! Councils: their shape (k-of-n), how their members break, and the two
//! tails the stage model needs.
//!
//! A broken member both signs wrong things and refuses to sign right ones
//! (the post's worst-case member). With X broken members of a k-of-n
//! council:
//! * the council **overrides** by itself when X ≥ k;
//! * it is **blocked** (cannot muster k honest signatures to fix a bug)
//!   when X ≥ n − k + 1, the blocking minority;
//! * it is **stuck** (neither overrides nor fixes) when n − k + 1 ≤ X ≤ k − 1.

use std::fmt;
use std::str::FromStr;

use num_rational::BigRational;
use num_traits::Zero;
use serde::Serialize;

use crate::binomial::{Pmf, binomial_pmf, poisson_binomial_pmf};
use crate::correlated::{beta_binomial_pmf, comonotone_block_pmf};
use crate::error::{Result, RiskError};
use crate::exact::ExactPmf;
use crate::prob::{Probability, check_range};

/// A k-of-n council (k signatures out of n members are needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CouncilShape {
    /// Signatures needed.
    k: usize,
    /// Members.
    n: usize,
}

/// Largest council accepted: far above any multisig, enough for a DAO or
/// a validator set modelled as a "council".
pub const MAX_MEMBERS: usize = 1_000_000;

impl CouncilShape {
    /// The post's Stage 0 council, 4-of-7.
    pub const POST_STAGE0: CouncilShape = CouncilShape { k: 4, n: 7 };
    /// The post's Stage 1 council, 6-of-8.
    pub const POST_STAGE1: CouncilShape = CouncilShape { k: 6, n: 8 };

    /// Checks 1 ≤ k ≤ n.
    pub fn new(k: usize, n: usize) -> Result<Self> {
        let bad = |reason: &str| RiskError::Council {
            input: format!("{k}/{n}"),
            reason: reason.to_string(),
        };
        if n == 0 {
            return Err(bad("a council needs at least one member"));
        }
        if k == 0 {
            return Err(bad("the threshold must be at least 1"));
        }
        if k > n {
            return Err(bad("the threshold cannot exceed the number of members"));
        }
        if n > MAX_MEMBERS {
            return Err(bad("too many members"));
        }
        Ok(Self { k, n })
    }

    /// Signatures needed.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Members.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Smallest number of broken members that can block a fix: n − k + 1.
    pub fn blocking(&self) -> usize {
        self.n - self.k + 1
    }

    /// True when the blocking minority already overrides (n − k + 1 ≥ k,
    /// e.g. 4-of-7): such a council is never "stuck", and the additive
    /// formula gives it no p term.
    pub fn blocking_overrides(&self) -> bool {
        self.blocking() >= self.k
    }
}

impl fmt::Display for CouncilShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl FromStr for CouncilShape {
    type Err = RiskError;

    /// Reads `K/N` (also `K-of-N`).
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        let bad = |reason: &str| RiskError::Council {
            input: s.to_string(),
            reason: reason.to_string(),
        };
        let (k, n) = t
            .split_once('/')
            .or_else(|| t.split_once("-of-"))
            .ok_or_else(|| bad("write it as K/N, e.g. 6/8"))?;
        let k: usize = k
            .trim()
            .parse()
            .map_err(|_| bad("K is not a whole number"))?;
        let n: usize = n
            .trim()
            .parse()
            .map_err(|_| bad("N is not a whole number"))?;
        Self::new(k, n).map_err(|e| match e {
            RiskError::Council { reason, .. } => bad(&reason),
            other => other,
        })
    }
}

/// Whom a member answers to (the Stages Framework counts outside members).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Affiliation {
    /// Employed by or tied to the project team.
    Team,
    /// Independent of the team.
    Outside,
}

/// One member (one key) with its own probability of breaking over the horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// The entity holding the key; keys with the same name break together
    /// (empty: an entity of its own).
    pub name: String,
    /// Probability of breaking.
    pub q: Probability,
    /// Team or outside.
    pub affiliation: Affiliation,
}

/// How the members of a council break.
#[derive(Debug, Clone, PartialEq)]
pub enum FailureModel {
    /// Independently, each with the same q (the post's model).
    Binomial { q: Probability },
    /// Each with mean q, correlated with intra-class correlation ρ
    /// (beta-binomial: α = q(1−ρ)/ρ, β = (1−q)(1−ρ)/ρ).
    BetaBinomial { q: Probability, rho: Probability },
    /// Independently, each with its own q_i (Poisson-binomial).
    Heterogeneous { qs: Vec<Probability> },
    /// Team members break together (a comonotone block, each keeping its
    /// own q), outside members independently.
    InsiderBlock {
        team: Vec<Probability>,
        outside: Vec<Probability>,
    },
    /// Independent blocks, each breaking together (comonotone): e.g. the
    /// keys of one entity, or one organisation's members.
    Blocks { blocks: Vec<Vec<Probability>> },
}

impl FailureModel {
    /// Members from a list. Members with the same non-empty `name` are one
    /// entity's keys and break together; with `team_block`, so do all team
    /// members. Everyone else breaks independently.
    pub fn from_members(members: &[Member], team_block: bool) -> Self {
        let mut blocks: Vec<(Option<String>, Vec<Probability>)> = Vec::new();
        for m in members {
            let key = if team_block && m.affiliation == Affiliation::Team {
                Some("\u{0}team".to_string())
            } else if m.name.is_empty() {
                None
            } else {
                Some(m.name.clone())
            };
            match blocks.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
                Some((_, b)) => b.push(m.q.clone()),
                None => blocks.push((key, vec![m.q.clone()])),
            }
        }
        if blocks.iter().all(|(_, b)| b.len() == 1) {
            FailureModel::Heterogeneous {
                qs: members.iter().map(|m| m.q.clone()).collect(),
            }
        } else {
            FailureModel::Blocks {
                blocks: blocks.into_iter().map(|(_, b)| b).collect(),
            }
        }
    }

    fn member_count(&self) -> Option<usize> {
        match self {
            FailureModel::Binomial { .. } | FailureModel::BetaBinomial { .. } => None,
            FailureModel::Heterogeneous { qs } => Some(qs.len()),
            FailureModel::InsiderBlock { team, outside } => Some(team.len() + outside.len()),
            FailureModel::Blocks { blocks } => Some(blocks.iter().map(Vec::len).sum()),
        }
    }
}

/// A council: shape, member failures, and a common shock c (with
/// probability c every member breaks at once; 0 for none).
#[derive(Debug, Clone, PartialEq)]
pub struct CouncilModel {
    shape: CouncilShape,
    failures: FailureModel,
    common_shock: Probability,
}

/// The tails of a council's broken-member count the stage model uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CouncilTails<T> {
    /// S = P(X ≥ k): the council can override by itself.
    pub overrides: T,
    /// P(X ≥ n − k + 1): the council cannot muster k honest signatures.
    pub blocked: T,
    /// W = P(n − k + 1 ≤ X ≤ k − 1): blocked but unable to override.
    pub stuck: T,
}

/// How the two failure paths of a council-backed stage are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Formula {
    /// The exact probability of the union: F = S + p · W.
    #[default]
    Union,
    /// The post's published sum: F = S + p · P(X ≥ n−k+1), counting
    /// "proof fails and X ≥ k" twice; no p term when n−k+1 ≥ k.
    Additive,
}

impl Formula {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Formula::Union => "union",
            Formula::Additive => "additive",
        }
    }
}

impl FromStr for Formula {
    type Err = RiskError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "union" => Ok(Formula::Union),
            "additive" => Ok(Formula::Additive),
            other => Err(RiskError::Invalid(format!(
                "unknown formula {other:?}: use union or additive"
            ))),
        }
    }
}

impl<T: Clone + Zero> CouncilTails<T> {
    /// The failure line F(p) = intercept + slope · p of a stage guarded by
    /// this council, under `formula`.
    pub fn line(&self, shape: CouncilShape, formula: Formula) -> crate::stages::Line<T> {
        let slope = match formula {
            Formula::Union => self.stuck.clone(),
            Formula::Additive if shape.blocking_overrides() => T::zero(),
            Formula::Additive => self.blocked.clone(),
        };
        crate::stages::Line {
            intercept: self.overrides.clone(),
            slope,
        }
    }
}

impl CouncilModel {
    /// Checks that the member list (if any) matches n and the
    /// probabilities are in range.
    pub fn new(
        shape: CouncilShape,
        failures: FailureModel,
        common_shock: Probability,
    ) -> Result<Self> {
        if let Some(m) = failures.member_count()
            && m != shape.n()
        {
            return Err(RiskError::Invalid(format!(
                "council {shape} has {} members but {m} member probabilities were given",
                shape.n()
            )));
        }
        if let FailureModel::BetaBinomial { rho, .. } = &failures {
            check_range("correlation", rho.value(), rho.exact(), false)?;
        }
        Ok(Self {
            shape,
            failures,
            common_shock,
        })
    }

    /// The post's council: independent members with the same q.
    pub fn binomial(shape: CouncilShape, q: Probability) -> Self {
        Self {
            shape,
            failures: FailureModel::Binomial { q },
            common_shock: Probability::zero(),
        }
    }

    /// Members with the same mean q, correlation ρ and common shock c
    /// (ρ = 0 and c = 0 give the post's model).
    pub fn homogeneous(
        shape: CouncilShape,
        q: Probability,
        rho: Probability,
        c: Probability,
    ) -> Result<Self> {
        let failures = if rho.is_zero() {
            FailureModel::Binomial { q }
        } else {
            FailureModel::BetaBinomial { q, rho }
        };
        Self::new(shape, failures, c)
    }

    /// Shape.
    pub fn shape(&self) -> CouncilShape {
        self.shape
    }

    /// Member failure model.
    pub fn failures(&self) -> &FailureModel {
        &self.failures
    }

    /// Common shock probability.
    pub fn common_shock(&self) -> &Probability {
        &self.common_shock
    }

    /// Distribution of the number of broken members (floating point).
    pub fn pmf(&self) -> Pmf {
        let n = self.shape.n();
        let base = match &self.failures {
            FailureModel::Binomial { q } => binomial_pmf(n, q.value()),
            FailureModel::BetaBinomial { q, rho } => beta_binomial_pmf(n, q.value(), rho.value()),
            FailureModel::Heterogeneous { qs } => {
                poisson_binomial_pmf(&qs.iter().map(Probability::value).collect::<Vec<_>>())
            }
            FailureModel::InsiderBlock { team, outside } => {
                let t =
                    comonotone_block_pmf(&team.iter().map(Probability::value).collect::<Vec<_>>());
                let o = poisson_binomial_pmf(
                    &outside.iter().map(Probability::value).collect::<Vec<_>>(),
                );
                t.convolve(&o)
            }
            FailureModel::Blocks { blocks } => blocks.iter().fold(Pmf::point(0, 0), |acc, b| {
                acc.convolve(&comonotone_block_pmf(
                    &b.iter().map(Probability::value).collect::<Vec<_>>(),
                ))
            }),
        };
        if self.common_shock.is_zero() {
            base
        } else {
            base.with_common_shock(self.common_shock.value())
        }
    }

    /// Exact distribution, when every input is exact (and the council is
    /// not too large for exact arithmetic).
    pub fn exact_pmf(&self) -> Option<ExactPmf> {
        let n = self.shape.n();
        if n > crate::exact::MAX_EXACT_MEMBERS {
            return None;
        }
        let base = match &self.failures {
            FailureModel::Binomial { q } => ExactPmf::binomial(n, q)?,
            FailureModel::BetaBinomial { q, rho } => ExactPmf::beta_binomial(n, q, rho)?,
            FailureModel::Heterogeneous { qs } => ExactPmf::poisson_binomial(qs)?,
            FailureModel::InsiderBlock { team, outside } => {
                let bits: u64 = team
                    .iter()
                    .map(|q| q.exact_parts().map_or(0, |(_, d)| d.bits()))
                    .sum();
                if bits > crate::exact::MAX_EXACT_BITS {
                    return None;
                }
                ExactPmf::comonotone_block(team)?.convolve(&ExactPmf::poisson_binomial(outside)?)
            }
            FailureModel::Blocks { blocks } => {
                let bits: u64 = blocks
                    .iter()
                    .flatten()
                    .map(|q| q.exact_parts().map_or(0, |(_, d)| d.bits()))
                    .sum();
                if bits > crate::exact::MAX_EXACT_BITS {
                    return None;
                }
                let mut acc = ExactPmf::point(0, 0);
                for b in blocks {
                    acc = acc.convolve(&ExactPmf::comonotone_block(b)?);
                }
                acc
            }
        };
        if self.common_shock.is_zero() {
            Some(base)
        } else {
            base.with_common_shock(&self.common_shock)
        }
    }

    /// Override, blocked and stuck probabilities (floating point).
    pub fn tails(&self) -> CouncilTails<f64> {
        tails_of(self.shape, &self.pmf())
    }

    /// The same, exact, when the inputs are.
    pub fn exact_tails(&self) -> Option<CouncilTails<BigRational>> {
        let pmf = self.exact_pmf()?;
        let (k, b) = (self.shape.k(), self.shape.blocking());
        Some(CouncilTails {
            overrides: pmf.at_least(k),
            blocked: pmf.at_least(b),
            stuck: if b < k {
                pmf.between(b, k - 1)
            } else {
                BigRational::zero()
            },
        })
    }
}

/// Tails of a float distribution for a k-of-n shape.
pub fn tails_of(shape: CouncilShape, pmf: &Pmf) -> CouncilTails<f64> {
    let (k, b) = (shape.k(), shape.blocking());
    CouncilTails {
        overrides: pmf.at_least(k),
        blocked: pmf.at_least(b),
        stuck: if b < k { pmf.between(b, k - 1) } else { 0.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_parse_and_validate() {
        assert_eq!(
            "6/8".parse::<CouncilShape>().unwrap(),
            CouncilShape::new(6, 8).unwrap()
        );
        let s = " 9-of-12 ".parse::<CouncilShape>().unwrap();
        assert_eq!((s.k(), s.n()), (9, 12));
        for bad in [
            "0/7", "8/7", "7", "a/7", "4/0", "-1/7", "4/7/9", "4.5/7", "",
        ] {
            assert!(bad.parse::<CouncilShape>().is_err(), "{bad:?} accepted");
        }
        let e = "9/7".parse::<CouncilShape>().unwrap_err().to_string();
        assert!(e.contains("9/7") && e.contains("cannot exceed"), "{e}");
        assert_eq!(CouncilShape::new(4, 7).unwrap().blocking(), 4);
        assert!(CouncilShape::new(4, 7).unwrap().blocking_overrides());
        assert!(!CouncilShape::new(6, 8).unwrap().blocking_overrides());
    }

    #[test]
    fn member_count_must_match() {
        let shape = CouncilShape::new(2, 3).unwrap();
        let qs = vec![Probability::ratio(1, 10).unwrap(); 2];
        assert!(
            CouncilModel::new(
                shape,
                FailureModel::Heterogeneous { qs },
                Probability::zero()
            )
            .is_err()
        );
    }

    #[test]
    fn entity_blocks() {
        // Two entities holding two keys each (q = 0.1 per entity), 3-of-4:
        // only both entities breaking reaches 3 keys.
        let q = Probability::ratio(1, 10).unwrap();
        let blocks = vec![vec![q.clone(), q.clone()], vec![q.clone(), q]];
        let c = CouncilModel::new(
            CouncilShape::new(3, 4).unwrap(),
            FailureModel::Blocks { blocks },
            Probability::zero(),
        )
        .unwrap();
        let e = c.exact_tails().unwrap();
        assert_eq!(e.overrides, BigRational::new(1.into(), 100.into()));
        // Blocked (X ≥ 2): either entity breaks, 1 − 0.81 = 0.19.
        assert_eq!(e.blocked, BigRational::new(19.into(), 100.into()));
        assert!((c.tails().blocked - 0.19).abs() < 1e-15);
    }

    #[test]
    fn post_tails() {
        let q = Probability::ratio(1, 10).unwrap();
        let c = CouncilModel::binomial(CouncilShape::new(6, 8).unwrap(), q);
        let t = c.tails();
        assert!((t.overrides - 0.00002341).abs() < 1e-18);
        assert!((t.blocked - 0.03809179).abs() < 1e-16);
        assert!((t.stuck - 0.03806838).abs() < 1e-16);
        let e = c.exact_tails().unwrap();
        assert_eq!(
            e.stuck,
            BigRational::new(3_806_838.into(), 100_000_000.into())
        );
    }
}
