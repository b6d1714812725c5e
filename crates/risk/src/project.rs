//! The model applied to one project: its real council (members with their
//! own q and affiliation, the team possibly breaking as a block) and its
//! real proof systems. It answers the team's question: *at what
//! proof-system quality should we give up the council's power?*
//!
//! A council is one Safe of keys ([`ProjectCouncil`]) or a nested one
//! ([`NestedCouncil`]: Safes whose signers are other Safes, as on Base),
//! which is assessed exactly as a tree of approvals ([`Approval`]). Keys
//! that must break together although they sit in different Safes (an
//! entity signing in two of them, the team with `team_block`) are handled
//! by conditioning on them: given their state the Safes are independent.

use std::collections::{BTreeMap, BTreeSet};

use num_rational::BigRational;
use serde::Serialize;

use crate::council::{Affiliation, CouncilModel, CouncilShape, FailureModel, Formula, Member};
use crate::error::{Result, RiskError};
use crate::horizon::Horizon;
use crate::nested::{Approval, Joint};
use crate::prob::{Probability, fraction_string, to_f64};
use crate::provers::ProofSystem;
use crate::scalar::Scalar;
use crate::stages::{Line, crossover};

/// A project's council as described in its file.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectCouncil {
    /// Signatures needed.
    pub threshold: usize,
    /// Every member with its q and affiliation.
    pub members: Vec<Member>,
    /// Team members break together (a comonotone block) instead of
    /// independently.
    pub team_block: bool,
    /// Probability that every member breaks at once.
    pub common_shock: Probability,
}

impl ProjectCouncil {
    /// The council model.
    pub fn model(&self) -> Result<CouncilModel> {
        let shape = CouncilShape::new(self.threshold, self.members.len())?;
        CouncilModel::new(
            shape,
            FailureModel::from_members(&self.members, self.team_block),
            self.common_shock.clone(),
        )
    }

    fn count(&self, a: Affiliation) -> usize {
        self.members.iter().filter(|m| m.affiliation == a).count()
    }
}

/// One Safe of a nested council.
#[derive(Debug, Clone, PartialEq)]
pub enum CouncilTree {
    /// A Safe whose signers are keys: `threshold` signatures of `members`
    /// (keys of one entity break together).
    Keys {
        threshold: usize,
        members: Vec<Member>,
    },
    /// A Safe whose signers each give one signature: `threshold` of
    /// `signers` (nested Safes, or a single key as a 1-of-1 `Keys`).
    Safes {
        threshold: usize,
        signers: Vec<CouncilTree>,
    },
}

impl CouncilTree {
    /// The structure in words: `7/10` for a Safe of keys, `2 of (7/10,
    /// 3/6)` for a Safe of Safes.
    pub fn describe(&self) -> String {
        match self {
            CouncilTree::Keys { threshold, members } => format!("{threshold}/{}", members.len()),
            CouncilTree::Safes { threshold, signers } => format!(
                "{threshold} of ({})",
                signers
                    .iter()
                    .map(CouncilTree::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// Every key, in order, with the index of the Safe of keys holding it.
    fn keys<'a>(&'a self, out: &mut Vec<(usize, &'a Member)>, leaves: &mut usize) {
        match self {
            CouncilTree::Keys { members, .. } => {
                let leaf = *leaves;
                *leaves += 1;
                out.extend(members.iter().map(|m| (leaf, m)));
            }
            CouncilTree::Safes { signers, .. } => {
                for s in signers {
                    s.keys(out, leaves);
                }
            }
        }
    }

    /// The approval rule, with the keys fixed in `fixed` (broken or not,
    /// in the order of [`CouncilTree::keys`]) and the others breaking with
    /// their own q.
    fn approval(
        &self,
        fixed: &[Option<bool>],
        next: &mut usize,
        team_block: bool,
    ) -> Result<Approval> {
        match self {
            CouncilTree::Keys { threshold, members } => {
                let shape = CouncilShape::new(*threshold, members.len())?;
                let members: Vec<Member> = members
                    .iter()
                    .map(|m| {
                        let q = match fixed.get(*next).copied().flatten() {
                            Some(true) => Probability::known(1, 1),
                            Some(false) => Probability::zero(),
                            None => m.q.clone(),
                        };
                        *next += 1;
                        Member { q, ..m.clone() }
                    })
                    .collect();
                Ok(Approval::Council(CouncilModel::new(
                    shape,
                    FailureModel::from_members(&members, team_block),
                    Probability::zero(),
                )?))
            }
            CouncilTree::Safes { threshold, signers } => Ok(Approval::Threshold {
                k: *threshold,
                of: signers
                    .iter()
                    .map(|s| s.approval(fixed, next, team_block))
                    .collect::<Result<_>>()?,
            }),
        }
    }
}

/// Most joint states of coupled keys a nested council is assessed over
/// (see [`NestedCouncil::scenarios`]).
pub const MAX_COUPLED_SCENARIOS: usize = 4096;

/// A council of nested Safes, assessed exactly.
///
/// Each Safe of keys is a k-of-n council whose keys break with their own q
/// (keys of one entity together); a Safe of Safes signs when `threshold`
/// of its signers do. It **overrides** when the broken keys can make the
/// root sign by themselves, and is **blocked** when the honest keys can no
/// longer make it sign ([`Approval`]). Keys that must break together
/// across Safes (one entity signing in several, or the team with
/// `team_block`) are conditioned on: the joint distribution is the
/// mixture, over their states, of the tree with those keys fixed.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedCouncil {
    pub root: CouncilTree,
    /// Team members break together (one comonotone block), across Safes.
    pub team_block: bool,
    /// Probability that every key of every Safe breaks at once.
    pub common_shock: Probability,
}

impl NestedCouncil {
    fn all_keys(&self) -> Vec<(usize, &Member)> {
        let mut out = Vec::new();
        self.root.keys(&mut out, &mut 0);
        out
    }

    /// Groups of keys (indices in tree order) that break together but sit
    /// in more than one Safe of keys: each entity signing in several Safes
    /// and, with `team_block`, the team. Within one Safe of keys such
    /// blocks are part of the Safe's own model.
    pub fn coupled(&self) -> Vec<Vec<usize>> {
        let mut classes: BTreeMap<String, (Vec<usize>, BTreeSet<usize>)> = BTreeMap::new();
        for (i, (leaf, m)) in self.all_keys().into_iter().enumerate() {
            // The same classes as `FailureModel::from_members`.
            let class = if self.team_block && m.affiliation == Affiliation::Team {
                "\u{0}team".to_string()
            } else if m.name.is_empty() {
                continue;
            } else {
                m.name.clone()
            };
            let e = classes.entry(class).or_default();
            e.0.push(i);
            e.1.insert(leaf);
        }
        classes
            .into_values()
            .filter(|(_, leaves)| leaves.len() > 1)
            .map(|(keys, _)| keys)
            .collect()
    }

    /// Entities (by name) holding keys in more than one Safe of keys.
    pub fn shared_entities(&self) -> Vec<String> {
        let mut leaves: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
        for (leaf, m) in self.all_keys() {
            if !m.name.is_empty() {
                leaves.entry(&m.name).or_default().insert(leaf);
            }
        }
        leaves
            .into_iter()
            .filter(|(_, l)| l.len() > 1)
            .map(|(name, _)| name.to_string())
            .collect()
    }

    /// Joint states the coupled keys are conditioned on: for each group,
    /// one more than its distinct q values (a comonotone block of keys
    /// with q₁ < … < q_r breaks as "all with q ≥ q_j" or "none").
    pub fn scenarios(&self) -> usize {
        let keys = self.all_keys();
        self.coupled().iter().fold(1usize, |acc, g| {
            let mut distinct: Vec<&Probability> = Vec::new();
            for &i in g {
                if !distinct.contains(&&keys[i].1.q) {
                    distinct.push(&keys[i].1.q);
                }
            }
            acc.saturating_mul(distinct.len() + 1)
        })
    }

    /// Distinct entities (by name; a key without one is its own) counted
    /// as (team, outside): an entity is team when any of its keys is.
    fn entity_counts(&self) -> (usize, usize) {
        let mut team: BTreeMap<&str, bool> = BTreeMap::new();
        let mut anonymous = (0, 0);
        for (_, m) in self.all_keys() {
            let is_team = m.affiliation == Affiliation::Team;
            if m.name.is_empty() {
                if is_team {
                    anonymous.0 += 1;
                } else {
                    anonymous.1 += 1;
                }
            } else {
                *team.entry(&m.name).or_default() |= is_team;
            }
        }
        let t = team.values().filter(|t| **t).count();
        (anonymous.0 + t, anonymous.1 + team.len() - t)
    }

    /// Joint distribution of (overrides, blocked), floating point.
    pub fn joint(&self) -> Result<Joint<f64>> {
        self.joint_as(&|a: &Approval| a.joint().map(Some))?
            .ok_or_else(|| RiskError::Invalid("float distribution unavailable".into()))
    }

    /// The same, exact, when every q and the common shock are exact.
    pub fn exact_joint(&self) -> Result<Option<Joint<BigRational>>> {
        self.joint_as(&|a: &Approval| a.exact_joint())
    }

    fn joint_as<T: Scalar>(
        &self,
        eval: &dyn Fn(&Approval) -> Result<Option<Joint<T>>>,
    ) -> Result<Option<Joint<T>>> {
        let scenarios = self.scenarios();
        if scenarios > MAX_COUPLED_SCENARIOS {
            return Err(RiskError::Invalid(format!(
                "the nested council has {scenarios} joint states of keys shared between its Safes, more than {MAX_COUPLED_SCENARIOS}"
            )));
        }
        let keys = self.all_keys();
        // (weight, keys fixed broken or honest)
        let mut cases: Vec<(T, Vec<Option<bool>>)> = vec![(T::one(), vec![None; keys.len()])];
        for group in self.coupled() {
            let Some(qs) = group
                .iter()
                .map(|&i| T::from_probability(&keys[i].1.q))
                .collect::<Option<Vec<T>>>()
            else {
                return Ok(None);
            };
            let mut levels = qs.clone();
            levels.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            levels.dedup();
            // One uniform U for the group, key i broken when U < q_i: for
            // U in [levels[j−1], levels[j]) the keys with q ≥ levels[j]
            // are broken; for U ≥ the largest level none is.
            let mut next = Vec::new();
            let mut below = T::zero();
            for j in 0..=levels.len() {
                let level = levels.get(j).cloned().unwrap_or_else(T::one);
                let weight = level.clone() - below;
                below = level.clone();
                if weight == T::zero() {
                    continue;
                }
                for (w, fixed) in &cases {
                    let mut fixed = fixed.clone();
                    for (&i, q) in group.iter().zip(&qs) {
                        fixed[i] = Some(j < levels.len() && *q >= level);
                    }
                    next.push((w.clone() * weight.clone(), fixed));
                }
            }
            cases = next;
        }
        let mut total: Option<Joint<T>> = None;
        for (w, fixed) in cases {
            let approval = self.root.approval(&fixed, &mut 0, self.team_block)?;
            let Some(j) = eval(&approval)? else {
                return Ok(None);
            };
            let j = scaled(&j, &w);
            total = Some(match total {
                Some(t) => added(&t, &j),
                None => j,
            });
        }
        let Some(total) = total else {
            return Err(RiskError::Invalid("the nested council has no keys".into()));
        };
        if self.common_shock.is_zero() {
            return Ok(Some(total));
        }
        // With probability c every key breaks: every Safe of keys both
        // overrides and is blocked, and so does every Safe above them.
        let Some(c) = T::from_probability(&self.common_shock) else {
            return Ok(None);
        };
        let mut j = scaled(&total, &(T::one() - c.clone()));
        j.override_and_blocked = j.override_and_blocked + c;
        Ok(Some(j))
    }
}

fn scaled<T: Scalar>(j: &Joint<T>, w: &T) -> Joint<T> {
    Joint {
        override_and_blocked: j.override_and_blocked.clone() * w.clone(),
        override_only: j.override_only.clone() * w.clone(),
        blocked_only: j.blocked_only.clone() * w.clone(),
        neither: j.neither.clone() * w.clone(),
    }
}

fn added<T: Scalar>(a: &Joint<T>, b: &Joint<T>) -> Joint<T> {
    Joint {
        override_and_blocked: a.override_and_blocked.clone() + b.override_and_blocked.clone(),
        override_only: a.override_only.clone() + b.override_only.clone(),
        blocked_only: a.blocked_only.clone() + b.blocked_only.clone(),
        neither: a.neither.clone() + b.neither.clone(),
    }
}

/// A council to assess: one Safe, a nested one, or a nested one counted
/// as one Safe over its entities.
#[derive(Debug, Clone, PartialEq)]
pub enum CouncilStructure {
    /// One Safe of keys.
    Flat(ProjectCouncil),
    /// A nested council approximated as one Safe over its entities (any t
    /// of its e entities), for structures the exact model does not cover.
    Flattened(ProjectCouncil),
    /// Nested Safes, exactly.
    Nested(NestedCouncil),
}

impl CouncilStructure {
    /// Which kind it is.
    pub fn structure(&self) -> Structure {
        match self {
            CouncilStructure::Flat(_) => Structure::Flat,
            CouncilStructure::Flattened(_) => Structure::Flattened,
            CouncilStructure::Nested(_) => Structure::Nested,
        }
    }
}

impl From<ProjectCouncil> for CouncilStructure {
    fn from(c: ProjectCouncil) -> Self {
        CouncilStructure::Flat(c)
    }
}

/// Which kind of council was assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Structure {
    Flat,
    Flattened,
    Nested,
}

/// What to assess.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectRiskInput {
    pub council: CouncilStructure,
    /// The proof systems; without them only the thresholds are reported.
    pub proof: Option<ProofSystem>,
    pub formula: Formula,
    pub horizon: Horizon,
    /// A council the project considers moving to (e.g. one that meets
    /// Stage 1's requirements).
    pub candidate: Option<CouncilStructure>,
}

/// A council's numbers within a project assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CouncilRisk {
    /// `k/n`, or for nested Safes `K of (…)`, e.g. `2 of (2 of (7/10,
    /// 3/6), 5/7)`.
    pub council: String,
    pub structure: Structure,
    /// Members (keys) by affiliation; for a nested council, entities.
    pub team_members: usize,
    pub outside_members: usize,
    /// P(overrides): P(X ≥ k) for one Safe.
    pub council_override: f64,
    /// P(blocked): P(X ≥ n − k + 1) for one Safe.
    pub council_blocked: f64,
    /// The coefficient of p in the loss under the formula.
    pub proof_weight: f64,
    /// Probability of loss with this council and the project's proofs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
    /// Below this proof-failure probability, removing the council's power
    /// (Stage 2) is safer; `null` if never in [0, 1].
    pub stage2_safer_below: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact: Option<ExactCouncilRisk>,
}

/// Exact counterparts (`num/den`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactCouncilRisk {
    pub council_override: String,
    pub council_blocked: String,
    pub proof_weight: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<String>,
    pub stage2_safer_below: Option<String>,
}

/// The project assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectRisk {
    pub horizon: Horizon,
    pub formula: Formula,
    /// Effective proof-failure probability of the project's proof systems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_failure: Option<f64>,
    /// Loss if the council had no power (Stage 2): the proof failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_without_council: Option<f64>,
    /// The current council.
    pub current: CouncilRisk,
    /// The candidate council, if one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<CouncilRisk>,
    /// Proof-failure probability where current and candidate councils are
    /// equally risky.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_crossover: Option<f64>,
}

/// A council's override and blocked probabilities and its loss line.
struct Numbers<T> {
    overrides: T,
    blocked: T,
    line: Line<T>,
}

/// The loss line of a nested council: union, P(overrides) + p ·
/// P(blocked and not overrides); additive (the post's sum, generalised),
/// P(overrides) + p · P(blocked).
fn nested_numbers<T: Scalar>(j: &Joint<T>, formula: Formula) -> Numbers<T> {
    let line = match formula {
        Formula::Union => j.line(),
        Formula::Additive => Line {
            intercept: j.overrides(),
            slope: j.blocked(),
        },
    };
    Numbers {
        overrides: j.overrides(),
        blocked: j.blocked(),
        line,
    }
}

type Assessed = (
    String,
    (usize, usize),
    Numbers<f64>,
    Option<Numbers<BigRational>>,
);

fn numbers(c: &CouncilStructure, formula: Formula) -> Result<Assessed> {
    match c {
        CouncilStructure::Flat(c) | CouncilStructure::Flattened(c) => {
            if c.members.is_empty() {
                return Err(RiskError::Invalid("the council has no members".into()));
            }
            let model = c.model()?;
            let shape = model.shape();
            let t = model.tails();
            let float = Numbers {
                line: t.line(shape, formula),
                overrides: t.overrides,
                blocked: t.blocked,
            };
            let exact = model.exact_tails().map(|t| Numbers {
                line: t.line(shape, formula),
                overrides: t.overrides,
                blocked: t.blocked,
            });
            Ok((
                shape.to_string(),
                (c.count(Affiliation::Team), c.count(Affiliation::Outside)),
                float,
                exact,
            ))
        }
        CouncilStructure::Nested(n) => {
            let float = nested_numbers(&n.joint()?, formula);
            let exact = n.exact_joint()?.map(|j| nested_numbers(&j, formula));
            Ok((n.root.describe(), n.entity_counts(), float, exact))
        }
    }
}

fn council_risk(
    c: &CouncilStructure,
    formula: Formula,
    p: Option<f64>,
    exact_p: Option<&BigRational>,
) -> Result<(CouncilRisk, Line<f64>)> {
    let (council, (team_members, outside_members), float, exact) = numbers(c, formula)?;
    let exact_cross = exact
        .as_ref()
        .map(|n| crossover(&n.line, &Line::proof_only()));
    let exact_loss = exact.as_ref().zip(exact_p).map(|(n, p)| n.line.at(p));
    // Exact values, correctly rounded, when the inputs were exact.
    let (overrides, blocked, line) = match &exact {
        Some(n) => (
            to_f64(&n.overrides),
            to_f64(&n.blocked),
            Line {
                intercept: to_f64(&n.line.intercept),
                slope: to_f64(&n.line.slope),
            },
        ),
        None => (float.overrides, float.blocked, float.line.clone()),
    };
    let stage2_safer_below = match &exact_cross {
        Some(x) => x.as_ref().map(to_f64),
        None => crossover(&float.line, &Line::proof_only()),
    };
    let loss = match &exact_loss {
        Some(l) => Some(to_f64(l)),
        None => p.map(|p| float.line.at(&p)),
    };
    let exact = exact.map(|n| ExactCouncilRisk {
        council_override: fraction_string(&n.overrides),
        council_blocked: fraction_string(&n.blocked),
        proof_weight: fraction_string(&n.line.slope),
        loss: exact_loss.as_ref().map(fraction_string),
        stage2_safer_below: exact_cross.flatten().as_ref().map(fraction_string),
    });
    Ok((
        CouncilRisk {
            council,
            structure: c.structure(),
            team_members,
            outside_members,
            council_override: overrides,
            council_blocked: blocked,
            proof_weight: line.slope,
            loss,
            stage2_safer_below,
            exact,
        },
        line,
    ))
}

/// Assesses a project's council and proof systems.
pub fn assess(input: &ProjectRiskInput) -> Result<ProjectRisk> {
    let p = input.proof.as_ref().map(ProofSystem::failure).transpose()?;
    let exact_p = match &input.proof {
        Some(proof) => proof.exact_failure()?,
        None => None,
    };
    let (current, line) = council_risk(&input.council, input.formula, p, exact_p.as_ref())?;
    let (candidate, candidate_crossover) = match &input.candidate {
        Some(c) => {
            let (risk, cl) = council_risk(c, input.formula, p, exact_p.as_ref())?;
            (Some(risk), crossover(&line, &cl))
        }
        None => (None, None),
    };
    Ok(ProjectRisk {
        horizon: input.horizon,
        formula: input.formula,
        proof_failure: p,
        loss_without_council: p,
        current,
        candidate_crossover: candidate.as_ref().and(candidate_crossover),
        candidate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(q: &str, a: Affiliation) -> Member {
        Member {
            name: String::new(),
            q: Probability::parse("q", q).unwrap(),
            affiliation: a,
        }
    }

    #[test]
    fn uniform_council_matches_base_model() {
        let council = ProjectCouncil {
            threshold: 6,
            members: (0..8)
                .map(|_| member("0.1", Affiliation::Outside))
                .collect(),
            team_block: false,
            common_shock: Probability::zero(),
        };
        let input = ProjectRiskInput {
            council: council.into(),
            proof: Some(ProofSystem::Single {
                p: Probability::parse("p", "0.001").unwrap(),
            }),
            formula: Formula::Union,
            horizon: Horizon::default(),
            candidate: None,
        };
        let r = assess(&input).unwrap();
        let e = r.current.exact.as_ref().unwrap();
        assert_eq!(e.stage2_safer_below.as_deref(), Some("2341/96193162"));
        assert_eq!(e.council_override, "2341/100000000");
        // 2341/1e8 + 1/1000 · 3806838/1e8 = 6147838/1e11
        assert_eq!(e.loss.as_deref(), Some("3073919/50000000000"));
        assert!((r.current.loss.unwrap() - 6.147838e-5).abs() < 1e-18);
    }

    #[test]
    fn team_block_raises_override_risk() {
        // 5-of-8, 4 team members breaking together with q = 0.1 each:
        // the block plus one outsider overrides.
        let mut members: Vec<Member> = (0..4).map(|_| member("0.1", Affiliation::Team)).collect();
        members.extend((0..4).map(|_| member("0.1", Affiliation::Outside)));
        let independent = ProjectCouncil {
            threshold: 5,
            members,
            team_block: false,
            common_shock: Probability::zero(),
        };
        let block = ProjectCouncil {
            team_block: true,
            ..independent.clone()
        };
        let (i, b) = (
            independent.model().unwrap().tails(),
            block.model().unwrap().tails(),
        );
        // Block: 0.1 · P(≥1 of 4 outside) + 0 = 0.1 · (1 − 0.9⁴) = 0.03439.
        assert!((b.overrides - 0.03439).abs() < 1e-15);
        assert!(b.overrides > 10.0 * i.overrides);
    }

    fn named(name: &str, q: &str, a: Affiliation) -> Member {
        Member {
            name: name.to_string(),
            ..member(q, a)
        }
    }

    fn keys(threshold: usize, members: Vec<Member>) -> CouncilTree {
        CouncilTree::Keys { threshold, members }
    }

    fn safes(threshold: usize, signers: Vec<CouncilTree>) -> CouncilTree {
        CouncilTree::Safes { threshold, signers }
    }

    fn r(s: &str) -> BigRational {
        s.parse().unwrap()
    }

    /// Base: 2 of (2 of (council 7/10, Coinbase 3/6), Foundation 5/7).
    fn base(q: &str) -> CouncilTree {
        let council = (0..10)
            .map(|i| named(&format!("member {i}"), q, Affiliation::Outside))
            .collect();
        let coinbase = (0..6)
            .map(|_| named("Coinbase", q, Affiliation::Team))
            .collect();
        let foundation = (0..7)
            .map(|_| named("Optimism Foundation", q, Affiliation::Outside))
            .collect();
        safes(
            2,
            vec![
                safes(2, vec![keys(7, council), keys(3, coinbase)]),
                keys(5, foundation),
            ],
        )
    }

    fn nested(root: CouncilTree) -> NestedCouncil {
        NestedCouncil {
            root,
            team_block: false,
            common_shock: Probability::zero(),
        }
    }

    #[test]
    fn base_nested_council_exactly() {
        // Coinbase's and the Foundation's keys are one entity each: the
        // Safe breaks (overrides and is blocked) with 0.1. The council
        // overrides with S7 = P(Bin(10, 0.1) ≥ 7) = 5701/625000000 and is
        // blocked with B4 = P(Bin(10, 0.1) ≥ 4) = 7996999/625000000.
        // Overrides: all three Safes override, S7 · 0.1 · 0.1.
        // Blocked: any one is, 1 − (1 − B4) · 0.9 · 0.9.
        // (Python fractions, and a brute force over the states.)
        let n = nested(base("0.1"));
        assert_eq!(n.root.describe(), "2 of (2 of (7/10, 3/6), 5/7)");
        assert_eq!(n.entity_counts(), (1, 11));
        assert!(n.coupled().is_empty());
        let j = n.exact_joint().unwrap().unwrap();
        let s7 = r("5701/625000000");
        let b4 = r("7996999/625000000");
        let tenth = r("1/10");
        let nine = r("9/10");
        assert_eq!(j.overrides(), &s7 * &tenth * &tenth);
        assert_eq!(j.overrides(), r("5701/62500000000"));
        let blocked = BigRational::from_integer(1.into())
            - (BigRational::from_integer(1.into()) - &b4) * &nine * &nine;
        assert_eq!(j.blocked(), blocked);
        assert_eq!(j.blocked(), r("12522756919/62500000000"));
        // Overriding needs the council's 7, which blocks it: the union
        // slope is P(blocked) − P(overrides).
        assert_eq!(j.blocked_only, j.blocked() - j.overrides());
        let f = n.joint().unwrap();
        assert!((f.overrides() - 9.1216e-8).abs() < 1e-20);
        assert!((f.blocked() - 0.200364110704).abs() < 1e-15);

        // Through `assess`, with p = 1/1000: union loss S + p · W.
        let input = ProjectRiskInput {
            council: CouncilStructure::Nested(n.clone()),
            proof: Some(ProofSystem::Single {
                p: Probability::parse("p", "0.001").unwrap(),
            }),
            formula: Formula::Union,
            horizon: Horizon::default(),
            candidate: None,
        };
        let c = assess(&input).unwrap().current;
        assert_eq!(c.structure, Structure::Nested);
        assert_eq!(c.council, "2 of (2 of (7/10, 3/6), 5/7)");
        let e = c.exact.unwrap();
        assert_eq!(e.proof_weight, "6261375609/31250000000");
        assert_eq!(e.loss.as_deref(), Some("6264226109/31250000000000"));
        // S / (1 − W)
        assert_eq!(e.stage2_safer_below.as_deref(), Some("5701/49977248782"));
        // Additive: slope P(blocked).
        let add = assess(&ProjectRiskInput {
            formula: Formula::Additive,
            ..input
        })
        .unwrap()
        .current
        .exact
        .unwrap();
        assert_eq!(add.proof_weight, "12522756919/62500000000");
        assert_eq!(add.stage2_safer_below.as_deref(), Some("5701/49977243081"));
    }

    #[test]
    fn common_shock_breaks_every_safe() {
        // c + (1 − c) · S with c = 1/100, S = 5701/62500000000.
        let n = NestedCouncil {
            common_shock: Probability::parse("c", "0.01").unwrap(),
            ..nested(base("0.1"))
        };
        let j = n.exact_joint().unwrap().unwrap();
        assert_eq!(j.overrides(), r("62500564399/6250000000000"));
        assert_eq!(
            j.blocked(),
            r("1/100") + r("99/100") * r("12522756919/62500000000")
        );
    }

    /// 2 of (A = 2 of (X, Y, Z), B = 3 of (X, V, W, U)): X signs in both.
    fn shared(x_in_b: &str, team: bool) -> NestedCouncil {
        let a = if team {
            Affiliation::Team
        } else {
            Affiliation::Outside
        };
        let o = Affiliation::Outside;
        nested(safes(
            2,
            vec![
                keys(
                    2,
                    vec![
                        named("X", "0.1", a),
                        named("Y", "0.1", o),
                        named("Z", "0.1", o),
                    ],
                ),
                keys(
                    3,
                    vec![
                        named("X", x_in_b, a),
                        named("V", "0.1", a),
                        named("W", "0.1", o),
                        named("U", "0.1", o),
                    ],
                ),
            ],
        ))
    }

    #[test]
    fn an_entity_in_two_safes_breaks_in_both() {
        // X broken (0.1): A overrides with 1 − 0.9² = 0.19, B with
        // P(≥ 2 of 3) = 0.028; X honest (0.9): 0.01 and 0.001.
        // 0.1 · 0.19 · 0.028 + 0.9 · 0.01 · 0.001 = 541/10⁶.
        // Blocked (A at 2 broken, B at 2): X broken: 1 − 0.81 · 0.729 =
        // 0.40951; X honest: 1 − 0.99 · 0.972 = 0.03772; 74899/10⁶.
        let n = shared("0.1", false);
        assert_eq!(n.coupled(), vec![vec![0, 3]]);
        assert_eq!(n.shared_entities(), vec!["X".to_string()]);
        assert_eq!(n.scenarios(), 2);
        let j = n.exact_joint().unwrap().unwrap();
        assert_eq!(j.overrides(), r("541/1000000"));
        assert_eq!(j.blocked(), r("74899/1000000"));
        // Taking X as two independent entities would give 259/2500000.
        assert!((n.joint().unwrap().overrides() - 541e-6).abs() < 1e-18);

        // Keys of X with different q (0.1 in A, 0.3 in B) share one U:
        // broken in both with 0.1, only in B with 0.2, in none with 0.7
        // (brute force with Python fractions: 119/200000, 123013/10⁶).
        let j = shared("0.3", false).exact_joint().unwrap().unwrap();
        assert_eq!(j.overrides(), r("119/200000"));
        assert_eq!(j.blocked(), r("123013/1000000"));
    }

    #[test]
    fn team_block_spans_safes() {
        // X and V team, breaking together with 0.1: then A overrides with
        // 0.19 and B (2 broken already) with 1 − 0.81 = 0.19; otherwise A
        // needs Y and Z (0.01) and B cannot override. 0.1 · 0.19² = 361/10⁵.
        let n = NestedCouncil {
            team_block: true,
            ..shared("0.1", true)
        };
        assert_eq!(n.scenarios(), 2);
        assert_eq!(n.entity_counts(), (2, 4));
        let j = n.exact_joint().unwrap().unwrap();
        assert_eq!(j.overrides(), r("361/100000"));
        // Brute force over the five independent draws (Python fractions).
        assert_eq!(j.blocked(), r("11791/100000"));
        // Without the block X and V are independent, X shared: as above.
        let j = shared("0.1", true).exact_joint().unwrap().unwrap();
        assert_eq!(j.overrides(), r("541/1000000"));
    }

    #[test]
    fn one_safe_nested_is_the_flat_council() {
        let members: Vec<Member> = (0..8)
            .map(|_| member("0.1", Affiliation::Outside))
            .collect();
        let n = nested(safes(1, vec![keys(6, members)]));
        let j = n.exact_joint().unwrap().unwrap();
        assert_eq!(j.overrides(), r("2341/100000000"));
        assert_eq!(j.line().slope, r("3806838/100000000"));
    }

    #[test]
    fn impossible_thresholds_are_errors() {
        let one = || keys(1, vec![member("0.1", Affiliation::Outside)]);
        assert!(nested(safes(3, vec![one(), one()])).joint().is_err());
        assert!(nested(safes(0, vec![one()])).joint().is_err());
        assert!(
            nested(safes(
                1,
                vec![keys(2, vec![member("0.1", Affiliation::Team)])]
            ))
            .joint()
            .is_err()
        );
    }

    #[test]
    fn simulation_agrees() {
        // 2 of (A = 2 of (X, Y, Z), B = 3 of (X, V, W, U), a lone key): X
        // signs in A and B with different q, X and V are team (one block
        // with `team_block`), a common shock on top. The simulator draws
        // one U per entity and decides from the signatures.
        let m = |name: &str, q: &str, team: bool| {
            named(
                name,
                q,
                if team {
                    Affiliation::Team
                } else {
                    Affiliation::Outside
                },
            )
        };
        let root = safes(
            2,
            vec![
                keys(
                    2,
                    vec![
                        m("X", "0.3", true),
                        m("Y", "0.2", false),
                        m("Z", "0.25", false),
                    ],
                ),
                keys(
                    3,
                    vec![
                        m("X", "0.5", true),
                        m("V", "0.4", true),
                        m("W", "0.3", false),
                        m("U", "0.35", false),
                    ],
                ),
                keys(1, vec![m("", "0.3", false)]),
            ],
        );
        for (team_block, shock, seed) in [(false, "0", 8), (true, "0", 9), (true, "0.05", 10)] {
            let council = NestedCouncil {
                root: root.clone(),
                team_block,
                common_shock: Probability::parse("c", shock).unwrap(),
            };
            let j = council.joint().unwrap();
            let (o, b) = crate::montecarlo::simulate_nested(&council, 100_000, seed);
            assert!(
                o.agrees_with(j.overrides(), 5.0),
                "{o:?} vs {}",
                j.overrides()
            );
            assert!(b.agrees_with(j.blocked(), 5.0), "{b:?} vs {}", j.blocked());
            let e = council.exact_joint().unwrap().unwrap();
            assert!((to_f64(&e.overrides()) - j.overrides()).abs() < 1e-15);
            assert!((to_f64(&e.blocked()) - j.blocked()).abs() < 1e-15);
        }
    }
}
