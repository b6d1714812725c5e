//! A Monte Carlo simulator of the same models, written from the story
//! (members break, provers fail, the council signs or not) rather than
//! from the formulas, so that it can catch a wrong closed form.
//!
//! Everything is seeded: the same seed gives the same estimate.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::correlated::beta_parameters;
use std::collections::BTreeMap;

use crate::council::{Affiliation, CouncilModel, CouncilShape, FailureModel, Member};
use crate::nested::Approval;
use crate::project::{CouncilTree, NestedCouncil};
use crate::provers::ProofSystem;
use crate::stages::{BaseModel, PerCouncil, StageFailures};

/// A seeded generator.
pub fn seeded(seed: u64) -> SmallRng {
    SmallRng::seed_from_u64(seed)
}

/// A simulated probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Fraction of trials where the event happened.
    pub mean: f64,
    /// Number of trials.
    pub samples: u64,
}

impl Estimate {
    fn new(hits: u64, samples: u64) -> Self {
        Self {
            mean: hits as f64 / samples.max(1) as f64,
            samples,
        }
    }

    /// True when `expected` is within `z` standard errors (computed under
    /// `expected`, so an event that should be rare but was seen fails).
    pub fn agrees_with(&self, expected: f64, z: f64) -> bool {
        let se = (expected * (1.0 - expected) / self.samples.max(1) as f64).sqrt();
        (self.mean - expected).abs() <= z * se + 1e-12
    }
}

fn hit(rng: &mut impl Rng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// Draws the number of broken members of a council.
pub fn sample_broken(model: &CouncilModel, rng: &mut impl Rng) -> usize {
    let n = model.shape().n();
    if hit(rng, model.common_shock().value()) {
        return n;
    }
    match model.failures() {
        FailureModel::Binomial { q } => (0..n).filter(|_| hit(rng, q.value())).count(),
        FailureModel::BetaBinomial { q, rho } => {
            // Pólya urn: each member breaks with (α + broken so far) /
            // (α + β + members so far), which is the beta-binomial.
            let (a, b) = beta_parameters(q.value(), rho.value());
            let mut broken = 0usize;
            for i in 0..n {
                if hit(rng, (a + broken as f64) / (a + b + i as f64)) {
                    broken += 1;
                }
            }
            broken
        }
        FailureModel::Heterogeneous { qs } => qs.iter().filter(|q| hit(rng, q.value())).count(),
        FailureModel::InsiderBlock { team, outside } => {
            let u: f64 = rng.random();
            team.iter().filter(|q| u < q.value()).count()
                + outside.iter().filter(|q| hit(rng, q.value())).count()
        }
        FailureModel::Blocks { blocks } => blocks
            .iter()
            .map(|b| {
                let u: f64 = rng.random();
                b.iter().filter(|q| u < q.value()).count()
            })
            .sum(),
    }
}

/// Council events in one draw: (overrides, blocked).
fn council_events(model: &CouncilModel, rng: &mut impl Rng) -> (bool, bool) {
    let s = model.shape();
    let x = sample_broken(model, rng);
    (x >= s.k(), x >= s.blocking())
}

/// Simulated stage failures, and the event the additive formula counts
/// twice (proof fails while the council overrides).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageSimulation {
    pub failure: StageFailures<Estimate>,
    pub double_counted: PerCouncil<Estimate>,
}

/// Simulates a stage: a loss happens when the council overrides, or when
/// the proof system fails and the council cannot fix it.
pub fn simulate_stages(
    model: &BaseModel,
    p: f64,
    samples: u64,
    seed: u64,
) -> crate::Result<StageSimulation> {
    let (c0, c1) = (model.council(model.stage0)?, model.council(model.stage1)?);
    let mut rng = seeded(seed);
    let mut hits = [0u64; 5];
    for _ in 0..samples {
        let proof_fails = hit(&mut rng, p);
        let (o0, b0) = council_events(&c0, &mut rng);
        let (o1, b1) = council_events(&c1, &mut rng);
        hits[0] += u64::from(o0 || (proof_fails && b0));
        hits[1] += u64::from(o1 || (proof_fails && b1));
        hits[2] += u64::from(proof_fails);
        hits[3] += u64::from(proof_fails && o0);
        hits[4] += u64::from(proof_fails && o1);
    }
    let e = |i: usize| Estimate::new(hits[i], samples);
    Ok(StageSimulation {
        failure: StageFailures {
            stage0: e(0),
            stage1: e(1),
            stage2: e(2),
        },
        double_counted: PerCouncil {
            stage0: e(3),
            stage1: e(4),
        },
    })
}

/// Simulates the safety/liveness split: (P(M ≥ k), P(M < k and H < k)).
pub fn simulate_safety_liveness(
    shape: CouncilShape,
    s: f64,
    l: f64,
    samples: u64,
    seed: u64,
) -> (Estimate, Estimate) {
    let mut rng = seeded(seed);
    let (mut over, mut stuck) = (0u64, 0u64);
    for _ in 0..samples {
        let (mut m, mut h) = (0usize, 0usize);
        for _ in 0..shape.n() {
            let u: f64 = rng.random();
            if u < s {
                m += 1;
            } else if u >= s + l {
                h += 1;
            }
        }
        over += u64::from(m >= shape.k());
        stuck += u64::from(m < shape.k() && h < shape.k());
    }
    (Estimate::new(over, samples), Estimate::new(stuck, samples))
}

/// Simulates the withdrawal-delay council: (stuck with delay, stuck
/// without, griefing), where "stuck" means no override and no fix.
pub fn simulate_withdrawal_delay(
    shape: CouncilShape,
    s: f64,
    unavailable_hours: f64,
    unavailable_delay: f64,
    samples: u64,
    seed: u64,
) -> (Estimate, Estimate, Estimate) {
    let mut rng = seeded(seed);
    let (mut with, mut without, mut grief) = (0u64, 0u64, 0u64);
    for _ in 0..samples {
        let (mut m, mut fast, mut within_delay) = (0usize, 0usize, 0usize);
        for _ in 0..shape.n() {
            let u: f64 = rng.random();
            if u < s {
                m += 1;
            } else if u < s + unavailable_delay {
                // unreachable for the whole delay
            } else if u < s + unavailable_hours {
                within_delay += 1;
            } else {
                within_delay += 1;
                fast += 1;
            }
        }
        if m < shape.k() {
            with += u64::from(!(fast >= 1 && within_delay >= shape.k()));
            without += u64::from(fast < shape.k());
        }
        grief += u64::from(m >= 1);
    }
    (
        Estimate::new(with, samples),
        Estimate::new(without, samples),
        Estimate::new(grief, samples),
    )
}

fn approval_events(tree: &Approval, rng: &mut impl Rng) -> (bool, bool) {
    let (k, children) = match tree {
        Approval::Council(c) => return council_events(c, rng),
        Approval::All(c) => (c.len(), c),
        Approval::Any(c) => (1, c),
        Approval::Threshold { k, of } => (*k, of),
    };
    let (mut o, mut b) = (0usize, 0usize);
    for child in children {
        let (co, cb) = approval_events(child, rng);
        o += usize::from(co);
        b += usize::from(cb);
    }
    (o >= k, b + k > children.len())
}

/// Simulates a nested approval: (overrides, blocked and not overrides).
pub fn simulate_approval(tree: &Approval, samples: u64, seed: u64) -> (Estimate, Estimate) {
    let mut rng = seeded(seed);
    let (mut over, mut stuck) = (0u64, 0u64);
    for _ in 0..samples {
        let (o, b) = approval_events(tree, &mut rng);
        over += u64::from(o);
        stuck += u64::from(!o && b);
    }
    (Estimate::new(over, samples), Estimate::new(stuck, samples))
}

/// Whether a Safe of a nested council signs a wrong action with its
/// broken keys alone, and whether its honest keys can still sign a right
/// one, from the signatures themselves.
fn tree_signs(tree: &CouncilTree, broken: &[bool], next: &mut usize) -> (bool, bool) {
    match tree {
        CouncilTree::Keys { threshold, members } => {
            let bad = broken[*next..*next + members.len()]
                .iter()
                .filter(|b| **b)
                .count();
            *next += members.len();
            (bad >= *threshold, members.len() - bad >= *threshold)
        }
        CouncilTree::Safes { threshold, signers } => {
            let (mut bad, mut good) = (0, 0);
            for s in signers {
                let (b, g) = tree_signs(s, broken, next);
                bad += usize::from(b);
                good += usize::from(g);
            }
            (bad >= *threshold, good >= *threshold)
        }
    }
}

fn tree_members<'a>(tree: &'a CouncilTree, out: &mut Vec<&'a Member>) {
    match tree {
        CouncilTree::Keys { members, .. } => out.extend(members),
        CouncilTree::Safes { signers, .. } => {
            for s in signers {
                tree_members(s, out);
            }
        }
    }
}

/// Simulates a nested council: (overrides, blocked). Every entity (and
/// with `team_block` the team) draws one uniform U and each of its keys
/// breaks when U < q; a key without an entity draws its own; with the
/// common shock every key breaks.
pub fn simulate_nested(council: &NestedCouncil, samples: u64, seed: u64) -> (Estimate, Estimate) {
    let mut rng = seeded(seed);
    let mut members = Vec::new();
    tree_members(&council.root, &mut members);
    let (mut over, mut blocked) = (0u64, 0u64);
    let mut broken = vec![false; members.len()];
    for _ in 0..samples {
        let shock = hit(&mut rng, council.common_shock.value());
        let mut draws: BTreeMap<String, f64> = BTreeMap::new();
        for (b, m) in broken.iter_mut().zip(&members) {
            let u = if council.team_block && m.affiliation == Affiliation::Team {
                *draws
                    .entry("\u{0}team".into())
                    .or_insert_with(|| rng.random())
            } else if m.name.is_empty() {
                rng.random()
            } else {
                *draws.entry(m.name.clone()).or_insert_with(|| rng.random())
            };
            *b = shock || u < m.q.value();
        }
        let (bad, good) = tree_signs(&council.root, &broken, &mut 0);
        over += u64::from(bad);
        blocked += u64::from(!good);
    }
    (
        Estimate::new(over, samples),
        Estimate::new(blocked, samples),
    )
}

/// Simulates a proof system: P(a wrong state is accepted).
pub fn simulate_proof_system(system: &ProofSystem, samples: u64, seed: u64) -> Estimate {
    let mut rng = seeded(seed);
    let mut hits = 0u64;
    for _ in 0..samples {
        let fails = match system {
            ProofSystem::Single { p } => hit(&mut rng, p.value()),
            ProofSystem::Threshold { k, provers } => {
                provers.iter().filter(|a| hit(&mut rng, a.value())).count() >= *k
            }
            ProofSystem::SharedCause { k, n, a, beta } => {
                hit(&mut rng, beta.value() * a.value())
                    || (0..*n)
                        .filter(|_| hit(&mut rng, (1.0 - beta.value()) * a.value()))
                        .count()
                        >= *k
            }
        };
        hits += u64::from(fails);
    }
    Estimate::new(hits, samples)
}

/// Simulates two provers with a council tiebreak: (loss, stuck).
pub fn simulate_tiebreak(
    a: f64,
    b: f64,
    council: &CouncilModel,
    samples: u64,
    seed: u64,
) -> (Estimate, Estimate) {
    let mut rng = seeded(seed);
    let (mut loss, mut stuck) = (0u64, 0u64);
    for _ in 0..samples {
        let (wa, wb) = (hit(&mut rng, a), hit(&mut rng, b));
        let (o, bl) = council_events(council, &mut rng);
        if wa && wb {
            loss += 1;
        } else if wa != wb {
            loss += u64::from(o);
            stuck += u64::from(!o && bl);
        }
    }
    (Estimate::new(loss, samples), Estimate::new(stuck, samples))
}
