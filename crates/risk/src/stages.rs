//! Stage 0, 1, 2 as failure lines in the proof-failure probability p.
//!
//! Every stage's failure probability is affine in p: F(p) = S + p·W for a
//! council-backed stage (S its override probability, W the weight of the
//! proof-failure path under the chosen formula) and F₂(p) = p for Stage 2.
//! Crossovers, the optimal stage and the ranges of p where each stage wins
//! are all questions about three lines on [0, 1], answered the same way in
//! floating point and in exact rationals.

use std::fmt;

use num_rational::BigRational;
use serde::{Serialize, Serializer};

use crate::council::{CouncilModel, CouncilShape, CouncilTails, Formula};
use crate::error::Result;
use crate::horizon::Horizon;
use crate::prob::{Probability, fraction_string, to_f64};

pub use crate::scalar::Scalar;

/// F(p) = intercept + slope · p.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line<T> {
    /// Failure probability with a perfect proof system (p = 0).
    pub intercept: T,
    /// Added failure per unit of proof-failure probability.
    pub slope: T,
}

impl<T: Scalar> Line<T> {
    /// Stage 2: fails exactly when the proof system does.
    pub fn proof_only() -> Self {
        Self {
            intercept: T::zero(),
            slope: T::one(),
        }
    }

    /// F(p).
    pub fn at(&self, p: &T) -> T {
        self.intercept.clone() + self.slope.clone() * p.clone()
    }
}

/// Where two lines meet inside [0, 1]: `(S_b − S_a) / (W_a − W_b)`.
/// `None` for parallel (or identical) lines or a meeting point outside
/// [0, 1], where no proof system could make the two stages equally risky.
pub fn crossover<T: Scalar>(a: &Line<T>, b: &Line<T>) -> Option<T> {
    let ds = a.slope.clone() - b.slope.clone();
    if ds == T::zero() {
        return None;
    }
    // `+ 0` turns a floating −0 into 0.
    let p = (b.intercept.clone() - a.intercept.clone()) / ds + T::zero();
    (p >= T::zero() && p <= T::one()).then_some(p)
}

/// A stage as the risk model idealises it: who can override the proof
/// system (not a project's verdict, which is `l2stage_framework::Stage`).
/// Serialized as its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModelStage {
    /// The council (or operator) can override anything.
    Zero,
    /// A council can override, but only with a large supermajority.
    One,
    /// The proof system alone decides.
    Two,
}

impl ModelStage {
    /// 0, 1 or 2.
    pub fn number(self) -> u8 {
        match self {
            ModelStage::Zero => 0,
            ModelStage::One => 1,
            ModelStage::Two => 2,
        }
    }
    const ALL: [ModelStage; 3] = [ModelStage::Zero, ModelStage::One, ModelStage::Two];
}

impl Serialize for ModelStage {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_u8(self.number())
    }
}

impl fmt::Display for ModelStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stage {}", self.number())
    }
}

/// One value per stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageFailures<T> {
    pub stage0: T,
    pub stage1: T,
    pub stage2: T,
}

/// One value per council-backed stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerCouncil<T> {
    pub stage0: T,
    pub stage1: T,
}

/// Proof-failure probabilities where two stages are equally risky.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crossovers<T> {
    pub stage0_stage1: Option<T>,
    pub stage1_stage2: Option<T>,
    pub stage0_stage2: Option<T>,
}

/// A range of p where one stage is the least risky.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRange<T> {
    pub stage: ModelStage,
    pub from: T,
    pub to: T,
}

/// The three failure lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageLines<T> {
    pub stage0: Line<T>,
    pub stage1: Line<T>,
    pub stage2: Line<T>,
}

impl<T: Scalar> StageLines<T> {
    /// Lines of two councils (and Stage 2) under `formula`.
    pub fn new(
        s0: (&CouncilTails<T>, CouncilShape),
        s1: (&CouncilTails<T>, CouncilShape),
        formula: Formula,
    ) -> Self {
        Self {
            stage0: s0.0.line(s0.1, formula),
            stage1: s1.0.line(s1.1, formula),
            stage2: Line::proof_only(),
        }
    }

    /// The line of one stage.
    pub fn line(&self, stage: ModelStage) -> &Line<T> {
        match stage {
            ModelStage::Zero => &self.stage0,
            ModelStage::One => &self.stage1,
            ModelStage::Two => &self.stage2,
        }
    }

    /// Failure probability of each stage at p.
    pub fn failures(&self, p: &T) -> StageFailures<T> {
        StageFailures {
            stage0: self.stage0.at(p),
            stage1: self.stage1.at(p),
            stage2: self.stage2.at(p),
        }
    }

    /// The least risky stage at p; on a tie the higher stage (fewer
    /// trusted people for the same risk).
    pub fn optimal(&self, p: &T) -> ModelStage {
        let mut best = ModelStage::Two;
        let mut best_f = self.stage2.at(p);
        for stage in [ModelStage::One, ModelStage::Zero] {
            let f = self.line(stage).at(p);
            if f < best_f {
                best = stage;
                best_f = f;
            }
        }
        best
    }

    /// Pairwise crossovers inside [0, 1].
    pub fn crossovers(&self) -> Crossovers<T> {
        Crossovers {
            stage0_stage1: crossover(&self.stage0, &self.stage1),
            stage1_stage2: crossover(&self.stage1, &self.stage2),
            stage0_stage2: crossover(&self.stage0, &self.stage2),
        }
    }

    /// The lower envelope on [0, 1]: consecutive ranges of p, each with
    /// the stage that is least risky inside it.
    pub fn optimal_ranges(&self) -> Vec<StageRange<T>> {
        let mut cuts = vec![T::zero(), T::one()];
        for (i, a) in ModelStage::ALL.iter().enumerate() {
            for b in &ModelStage::ALL[i + 1..] {
                if let Some(x) = crossover(self.line(*a), self.line(*b)) {
                    cuts.push(x);
                }
            }
        }
        cuts.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        cuts.dedup();
        let two = T::one() + T::one();
        let mut ranges: Vec<StageRange<T>> = Vec::new();
        for w in cuts.windows(2) {
            let mid = (w[0].clone() + w[1].clone()) / two.clone();
            let stage = self.optimal(&mid);
            match ranges.last_mut() {
                Some(last) if last.stage == stage => last.to = w[1].clone(),
                _ => ranges.push(StageRange {
                    stage,
                    from: w[0].clone(),
                    to: w[1].clone(),
                }),
            }
        }
        ranges
    }
}

/// The post's question with l2stage's generalisations of the member
/// model: two councils (Stage 0 and Stage 1) whose members break with the
/// same mean q, optionally correlated (ρ) or hit by a common shock (c).
#[derive(Debug, Clone, PartialEq)]
pub struct BaseModel {
    pub member_failure: Probability,
    pub stage0: CouncilShape,
    pub stage1: CouncilShape,
    pub correlation: Probability,
    pub common_shock: Probability,
    pub formula: Formula,
    pub horizon: Horizon,
}

impl Default for BaseModel {
    /// The post: q = 0.1, 4-of-7 and 6-of-8, independent members, union.
    fn default() -> Self {
        Self {
            member_failure: Probability::known(1, 10),
            stage0: CouncilShape::POST_STAGE0,
            stage1: CouncilShape::POST_STAGE1,
            correlation: Probability::zero(),
            common_shock: Probability::zero(),
            formula: Formula::Union,
            horizon: Horizon::default(),
        }
    }
}

impl BaseModel {
    /// The council model of a shape under this model's member assumptions.
    pub fn council(&self, shape: CouncilShape) -> Result<CouncilModel> {
        CouncilModel::homogeneous(
            shape,
            self.member_failure.clone(),
            self.correlation.clone(),
            self.common_shock.clone(),
        )
    }

    /// Tails of both councils (floating point, and exact when possible).
    pub fn tails(&self) -> Result<ModelTails> {
        let (c0, c1) = (self.council(self.stage0)?, self.council(self.stage1)?);
        Ok(ModelTails {
            stage0: c0.tails(),
            stage1: c1.tails(),
            exact: c0.exact_tails().zip(c1.exact_tails()),
            shapes: (self.stage0, self.stage1),
        })
    }

    /// Floating-point lines under `formula`.
    pub fn lines(&self, formula: Formula) -> Result<StageLines<f64>> {
        Ok(self.tails()?.lines(formula))
    }

    /// The full answer for this model, with the chosen formula first and
    /// the other one alongside.
    pub fn report(&self, proof_failure: Option<&Probability>) -> Result<RiskReport> {
        let tails = self.tails()?;
        let other = match self.formula {
            Formula::Union => Formula::Additive,
            Formula::Additive => Formula::Union,
        };
        let sensitivity = match proof_failure {
            Some(p) => Some(crate::sensitivity::sensitivity(self, p.value())?),
            None => None,
        };
        let mut assumptions = self.assumptions();
        if tails.exact.is_none() {
            assumptions.push(format!(
                "no exact fractions: the councils are too large for exact arithmetic (over {} members or {}-bit denominators); floating results only",
                crate::exact::MAX_EXACT_MEMBERS,
                crate::exact::MAX_EXACT_BITS
            ));
        }
        Ok(RiskReport {
            model: "stages",
            inputs: Inputs {
                member_failure: self.member_failure.clone(),
                stage0_council: self.stage0.to_string(),
                stage1_council: self.stage1.to_string(),
                proof_failure: proof_failure.cloned(),
                correlation: self.correlation.clone(),
                common_shock: self.common_shock.clone(),
            },
            analysis: tails.analysis(self.formula, self.horizon, proof_failure),
            other_formula: tails.analysis(other, self.horizon, proof_failure),
            sensitivity,
            assumptions,
        })
    }

    /// The assumptions behind the numbers, in words.
    pub fn assumptions(&self) -> Vec<String> {
        let mut a = vec![
            format!(
                "q and p are probabilities of breaking within the horizon ({}); the post states none, l2stage reads it as one year by default",
                self.horizon
            ),
            "a broken council member both signs wrong things and refuses to sign right ones (the post's worst case)".into(),
            "the proof system fails independently of the council".into(),
        ];
        if self.correlation.is_zero() {
            a.push("members break independently of each other".into());
        } else {
            a.push(format!(
                "members break with mean q and intra-class correlation rho = {} (beta-binomial)",
                self.correlation.value()
            ));
        }
        if !self.common_shock.is_zero() {
            a.push(format!(
                "with probability c = {} every member breaks at once (common shock)",
                self.common_shock.value()
            ));
        }
        a.push(match self.formula {
            Formula::Union => "union: F = P(X >= k) + p * P(n-k+1 <= X <= k-1), the exact probability that the council overrides or the proof fails and the council cannot fix it".into(),
            Formula::Additive => "additive (as published): F = P(X >= k) + p * P(X >= n-k+1), which counts 'proof fails and X >= k' twice; no p term when n-k+1 >= k".into(),
        });
        a.push("on a tie the higher stage is reported as optimal".into());
        a
    }
}

/// Tails of the two councils of a [`BaseModel`].
#[derive(Debug, Clone, PartialEq)]
pub struct ModelTails {
    pub stage0: CouncilTails<f64>,
    pub stage1: CouncilTails<f64>,
    pub exact: Option<(CouncilTails<BigRational>, CouncilTails<BigRational>)>,
    pub shapes: (CouncilShape, CouncilShape),
}

impl ModelTails {
    /// Floating-point lines.
    pub fn lines(&self, formula: Formula) -> StageLines<f64> {
        StageLines::new(
            (&self.stage0, self.shapes.0),
            (&self.stage1, self.shapes.1),
            formula,
        )
    }

    /// Exact lines, when the inputs were exact.
    pub fn exact_lines(&self, formula: Formula) -> Option<StageLines<BigRational>> {
        let (e0, e1) = self.exact.as_ref()?;
        Some(StageLines::new(
            (e0, self.shapes.0),
            (e1, self.shapes.1),
            formula,
        ))
    }

    /// Everything about one formula. When the inputs are exact, the
    /// floating values reported are the exact ones correctly rounded (so
    /// 341/125000 shows as 0.002728, not 0.002728000000000001); the
    /// floating computation is used otherwise.
    pub fn analysis(
        &self,
        formula: Formula,
        horizon: Horizon,
        p: Option<&Probability>,
    ) -> StageAnalysis {
        let float = Values::new(
            &self.stage0,
            &self.stage1,
            &self.lines(formula),
            p.map(Probability::value).as_ref(),
        );
        let exact = match (&self.exact, self.exact_lines(formula)) {
            (Some((e0, e1)), Some(l)) => {
                // A float-only p gives exact tails and crossovers but no exact failures.
                Some(Values::new(e0, e1, &l, p.and_then(|p| p.exact())))
            }
            _ => None,
        };
        let floats = match &exact {
            Some(e) => e.map(&to_f64),
            None => float,
        };
        let strings = exact.as_ref().map(|e| e.map(&fraction_string));
        StageAnalysis {
            formula,
            horizon,
            councils: PerCouncil {
                stage0: self.shapes.0,
                stage1: self.shapes.1,
            },
            council_override: floats.council_override,
            council_blocked: floats.council_blocked,
            council_stuck: floats.council_stuck,
            proof_weight: floats.proof_weight,
            crossovers: floats.crossovers,
            optimal_ranges: floats.optimal_ranges,
            proof_failure: p.map(Probability::value),
            failure: floats.failure.or_else(|| {
                // p known only as a float: evaluate the float lines.
                p.map(|p| self.lines(formula).failures(&p.value()))
            }),
            optimal_stage: floats
                .optimal_stage
                .or_else(|| p.map(|p| self.lines(formula).optimal(&p.value()))),
            exact: strings.map(|s| ExactAnalysis {
                council_override: s.council_override,
                proof_weight: s.proof_weight,
                crossovers: s.crossovers,
                optimal_ranges: s.optimal_ranges,
                failure: s.failure,
                optimal_stage: s.optimal_stage,
            }),
        }
    }
}

/// The quantities of an analysis in one number type.
struct Values<T> {
    council_override: PerCouncil<T>,
    council_blocked: PerCouncil<T>,
    council_stuck: PerCouncil<T>,
    proof_weight: PerCouncil<T>,
    crossovers: Crossovers<T>,
    optimal_ranges: Vec<StageRange<T>>,
    failure: Option<StageFailures<T>>,
    optimal_stage: Option<ModelStage>,
}

impl<T: Scalar> Values<T> {
    fn new(
        t0: &CouncilTails<T>,
        t1: &CouncilTails<T>,
        lines: &StageLines<T>,
        p: Option<&T>,
    ) -> Self {
        Self {
            council_override: per(&t0.overrides, &t1.overrides, T::clone),
            council_blocked: per(&t0.blocked, &t1.blocked, T::clone),
            council_stuck: per(&t0.stuck, &t1.stuck, T::clone),
            proof_weight: per(&lines.stage0.slope, &lines.stage1.slope, T::clone),
            crossovers: lines.crossovers(),
            optimal_ranges: lines.optimal_ranges(),
            failure: p.map(|p| lines.failures(p)),
            optimal_stage: p.map(|p| lines.optimal(p)),
        }
    }

    fn map<U>(&self, f: &impl Fn(&T) -> U) -> Values<U> {
        Values {
            council_override: per(
                &self.council_override.stage0,
                &self.council_override.stage1,
                f,
            ),
            council_blocked: per(
                &self.council_blocked.stage0,
                &self.council_blocked.stage1,
                f,
            ),
            council_stuck: per(&self.council_stuck.stage0, &self.council_stuck.stage1, f),
            proof_weight: per(&self.proof_weight.stage0, &self.proof_weight.stage1, f),
            crossovers: map_crossovers(&self.crossovers, f),
            optimal_ranges: self
                .optimal_ranges
                .iter()
                .map(|r| StageRange {
                    stage: r.stage,
                    from: f(&r.from),
                    to: f(&r.to),
                })
                .collect(),
            failure: self.failure.as_ref().map(|x| StageFailures {
                stage0: f(&x.stage0),
                stage1: f(&x.stage1),
                stage2: f(&x.stage2),
            }),
            optimal_stage: self.optimal_stage,
        }
    }
}

fn per<T, U>(a: &T, b: &T, f: impl Fn(&T) -> U) -> PerCouncil<U> {
    PerCouncil {
        stage0: f(a),
        stage1: f(b),
    }
}

fn map_crossovers<T, U>(c: &Crossovers<T>, f: impl Fn(&T) -> U) -> Crossovers<U> {
    Crossovers {
        stage0_stage1: c.stage0_stage1.as_ref().map(&f),
        stage1_stage2: c.stage1_stage2.as_ref().map(&f),
        stage0_stage2: c.stage0_stage2.as_ref().map(&f),
    }
}

/// The answer for one formula. JSON keys are a public contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageAnalysis {
    /// `"union"` or `"additive"`.
    pub formula: Formula,
    /// Period the probabilities refer to, e.g. `"1y"`.
    pub horizon: Horizon,
    /// Shapes of the councils.
    pub councils: PerCouncil<CouncilShape>,
    /// P(X ≥ k) of each council.
    pub council_override: PerCouncil<f64>,
    /// P(X ≥ n − k + 1) of each council.
    pub council_blocked: PerCouncil<f64>,
    /// P(n − k + 1 ≤ X ≤ k − 1) of each council.
    pub council_stuck: PerCouncil<f64>,
    /// The coefficient of p in each council-backed stage's failure.
    pub proof_weight: PerCouncil<f64>,
    /// `null` where no crossover exists in [0, 1].
    pub crossovers: Crossovers<f64>,
    /// Which stage is least risky for which p.
    pub optimal_ranges: Vec<StageRange<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_failure: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<StageFailures<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optimal_stage: Option<ModelStage>,
    /// The same as fractions `"num/den"`, when every input was exact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact: Option<ExactAnalysis>,
}

/// Exact counterparts, as `"num/den"` strings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactAnalysis {
    pub council_override: PerCouncil<String>,
    pub proof_weight: PerCouncil<String>,
    pub crossovers: Crossovers<String>,
    pub optimal_ranges: Vec<StageRange<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<StageFailures<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optimal_stage: Option<ModelStage>,
}

/// The inputs, echoed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inputs {
    pub member_failure: Probability,
    pub stage0_council: String,
    pub stage1_council: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_failure: Option<Probability>,
    pub correlation: Probability,
    pub common_shock: Probability,
}

/// The whole answer of `l2stage risk`: the chosen formula's analysis at
/// top level, the other formula alongside, the sensitivity view and the
/// assumptions in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskReport {
    pub model: &'static str,
    pub inputs: Inputs,
    #[serde(flatten)]
    pub analysis: StageAnalysis,
    pub other_formula: StageAnalysis,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<crate::sensitivity::Sensitivity>,
    pub assumptions: Vec<String>,
}
