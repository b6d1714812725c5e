//! The councils the project model assesses: one Safe of keys, or nested
//! Safes assessed exactly as a tree of approvals.

use std::collections::{BTreeMap, BTreeSet};

use num_rational::BigRational;
use serde::Serialize;

use crate::council::{Affiliation, CouncilModel, CouncilShape, FailureModel, Member};
use crate::error::{Result, RiskError};
use crate::nested::{Approval, Joint};
use crate::prob::Probability;
use crate::scalar::Scalar;

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

    pub(super) fn count(&self, a: Affiliation) -> usize {
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
    pub(super) fn entity_counts(&self) -> (usize, usize) {
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
