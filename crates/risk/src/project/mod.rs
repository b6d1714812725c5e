//! The model applied to one project: its real council (members with their
//! own q and affiliation, the team possibly breaking as a block) and its
//! real proof systems. It answers the team's question: *at what
//! proof-system quality should we give up the council's power?*
//!
//! A council is one Safe of keys ([`ProjectCouncil`]) or a nested one
//! ([`NestedCouncil`]: Safes whose signers are other Safes, as on Base),
//! which is assessed exactly as a tree of approvals ([`Approval`](crate::nested::Approval)). Keys
//! that must break together although they sit in different Safes (an
//! entity signing in two of them, the team with `team_block`) are handled
//! by conditioning on them: given their state the Safes are independent.

use num_rational::BigRational;
use serde::Serialize;

use crate::council::{Affiliation, Formula};
use crate::error::{Result, RiskError};
use crate::horizon::Horizon;
use crate::nested::Joint;
use crate::prob::{fraction_string, to_f64};
use crate::provers::ProofSystem;
use crate::scalar::Scalar;
use crate::stages::{Line, crossover};

mod council;
#[cfg(test)]
mod tests;

pub use council::{
    CouncilStructure, CouncilTree, MAX_COUPLED_SCENARIOS, NestedCouncil, ProjectCouncil, Structure,
};

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
