//! The model applied to one project: its real council (members with their
//! own q and affiliation, the team possibly breaking as a block) and its
//! real proof systems. It answers the team's question: *at what
//! proof-system quality should we give up the council's power?*
//!
//! The project file has no council section yet; this is the library side
//! that the CLI's `--project` will feed once it does.

use num_rational::BigRational;
use serde::Serialize;

use crate::council::{Affiliation, CouncilModel, CouncilShape, FailureModel, Formula, Member};
use crate::error::{Result, RiskError};
use crate::horizon::Horizon;
use crate::prob::{Probability, fraction_string, to_f64};
use crate::provers::ProofSystem;
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

/// What to assess.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectRiskInput {
    pub council: ProjectCouncil,
    /// The proof systems; without them only the thresholds are reported.
    pub proof: Option<ProofSystem>,
    pub formula: Formula,
    pub horizon: Horizon,
    /// A council the project considers moving to (e.g. one that meets
    /// Stage 1's requirements).
    pub candidate: Option<ProjectCouncil>,
}

/// A council's numbers within a project assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CouncilRisk {
    /// `k/n`.
    pub council: String,
    pub team_members: usize,
    pub outside_members: usize,
    /// P(X ≥ k).
    pub council_override: f64,
    /// P(X ≥ n − k + 1).
    pub council_blocked: f64,
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

fn council_risk(
    c: &ProjectCouncil,
    formula: Formula,
    p: Option<f64>,
    exact_p: Option<&BigRational>,
) -> Result<(CouncilRisk, Line<f64>)> {
    let model = c.model()?;
    let shape = model.shape();
    let float = model.tails();
    let float_line = float.line(shape, formula);
    let exact_tails = model.exact_tails();
    let exact_line = exact_tails.as_ref().map(|t| t.line(shape, formula));
    let exact_cross = exact_line
        .as_ref()
        .map(|l| crossover(l, &Line::proof_only()));
    let exact_loss = exact_line.as_ref().zip(exact_p).map(|(l, p)| l.at(p));
    // Exact values, correctly rounded, when the inputs were exact.
    let (overrides, blocked, line) = match (&exact_tails, &exact_line) {
        (Some(t), Some(l)) => (
            to_f64(&t.overrides),
            to_f64(&t.blocked),
            Line {
                intercept: to_f64(&l.intercept),
                slope: to_f64(&l.slope),
            },
        ),
        _ => (float.overrides, float.blocked, float_line.clone()),
    };
    let stage2_safer_below = match &exact_cross {
        Some(x) => x.as_ref().map(to_f64),
        None => crossover(&float_line, &Line::proof_only()),
    };
    let loss = match &exact_loss {
        Some(l) => Some(to_f64(l)),
        None => p.map(|p| float_line.at(&p)),
    };
    let exact = exact_tails.map(|t| ExactCouncilRisk {
        council_override: fraction_string(&t.overrides),
        loss: exact_loss.as_ref().map(fraction_string),
        stage2_safer_below: exact_cross.flatten().as_ref().map(fraction_string),
    });
    Ok((
        CouncilRisk {
            council: shape.to_string(),
            team_members: c.count(Affiliation::Team),
            outside_members: c.count(Affiliation::Outside),
            council_override: overrides,
            council_blocked: blocked,
            loss,
            stage2_safer_below,
            exact,
        },
        line,
    ))
}

/// Assesses a project's council and proof systems.
pub fn assess(input: &ProjectRiskInput) -> Result<ProjectRisk> {
    if input.council.members.is_empty() {
        return Err(RiskError::Invalid("the council has no members".into()));
    }
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
            council,
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
}
