//! Which assumption moves the answer most: log-log slopes (elasticities)
//! of each stage's failure probability with respect to each input, and the
//! optimal stage if that input were halved or doubled.
//!
//! An elasticity of 3 means "1% more of this input, about 3% more failure";
//! the post's 6-of-8 council has elasticity ≈ 6 in q for its override
//! term, which is why the answer is so sensitive to how good members are.

use serde::Serialize;

use crate::error::Result;
use crate::prob::Probability;
use crate::stages::{BaseModel, ModelStage, StageFailures};

/// Relative step of the central differences (in ln x).
const STEP: f64 = 1e-4;

/// Sensitivity of one input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParameterSensitivity {
    /// `member_failure`, `proof_failure`, `correlation` or `common_shock`.
    pub parameter: &'static str,
    /// Its current value.
    pub value: f64,
    /// d ln F / d ln x per stage (`null` when the input or F is 0).
    pub elasticity: StageFailures<Option<f64>>,
    /// Optimal stage with the input halved.
    pub optimal_if_halved: ModelStage,
    /// Optimal stage with the input doubled (capped at its range).
    pub optimal_if_doubled: ModelStage,
}

/// The sensitivity view at one proof-failure probability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    /// The optimal stage at the inputs as given.
    pub optimal_stage: ModelStage,
    /// Per input.
    pub parameters: Vec<ParameterSensitivity>,
    /// The input with the largest |elasticity| of the optimal stage's failure.
    pub most_influential: Option<&'static str>,
}

#[derive(Clone, Copy)]
struct Point {
    q: f64,
    rho: f64,
    c: f64,
    p: f64,
}

fn evaluate(model: &BaseModel, pt: Point) -> Result<(StageFailures<f64>, ModelStage)> {
    let m = BaseModel {
        member_failure: Probability::from_f64("member failure", pt.q)?,
        correlation: Probability::from_f64("correlation", pt.rho)?,
        common_shock: Probability::from_f64("common shock", pt.c)?,
        ..model.clone()
    };
    let lines = m.lines(m.formula)?;
    Ok((lines.failures(&pt.p), lines.optimal(&pt.p)))
}

/// Elasticities and halved/doubled optima for q, p, ρ and c.
pub fn sensitivity(model: &BaseModel, p: f64) -> Result<Sensitivity> {
    let base = Point {
        q: model.member_failure.value(),
        rho: model.correlation.value(),
        c: model.common_shock.value(),
        p,
    };
    let (_, optimal_stage) = evaluate(model, base)?;
    type Setter = fn(&mut Point, f64);
    let params: [(&'static str, f64, f64, Setter); 4] = [
        ("member_failure", base.q, 1.0, |pt, v| pt.q = v),
        ("proof_failure", base.p, 1.0, |pt, v| pt.p = v),
        // ρ = 1 is outside the model; stay just below it.
        ("correlation", base.rho, 0.999_999, |pt, v| pt.rho = v),
        ("common_shock", base.c, 1.0, |pt, v| pt.c = v),
    ];
    let mut parameters = Vec::new();
    for (name, value, max, set) in params {
        let at = |v: f64| -> Result<(StageFailures<f64>, ModelStage)> {
            let mut pt = base;
            set(&mut pt, v.min(max));
            evaluate(model, pt)
        };
        let elasticity = if value > 0.0 {
            let (up_x, down_x) = ((value * STEP.exp()).min(max), value * (-STEP).exp());
            let (up, _) = at(up_x)?;
            let (down, _) = at(down_x)?;
            let span = up_x.ln() - down_x.ln();
            let e = |a: f64, b: f64| {
                (a > 0.0 && b > 0.0 && span > 0.0).then(|| (a.ln() - b.ln()) / span)
            };
            StageFailures {
                stage0: e(up.stage0, down.stage0),
                stage1: e(up.stage1, down.stage1),
                stage2: e(up.stage2, down.stage2),
            }
        } else {
            StageFailures {
                stage0: None,
                stage1: None,
                stage2: None,
            }
        };
        parameters.push(ParameterSensitivity {
            parameter: name,
            value,
            elasticity,
            optimal_if_halved: at(value / 2.0)?.1,
            optimal_if_doubled: at(value * 2.0)?.1,
        });
    }
    let pick = |e: &StageFailures<Option<f64>>| match optimal_stage {
        ModelStage::Zero => e.stage0,
        ModelStage::One => e.stage1,
        ModelStage::Two => e.stage2,
    };
    let most_influential = parameters
        .iter()
        .filter_map(|s| pick(&s.elasticity).map(|e| (s.parameter, e.abs())))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(name, _)| name);
    Ok(Sensitivity {
        optimal_stage,
        parameters,
        most_influential,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_elasticities() {
        let s = sensitivity(&BaseModel::default(), 1e-3).unwrap();
        assert_eq!(s.optimal_stage, ModelStage::One);
        let q = &s.parameters[0];
        // d/dq P(X ≥ k) = n C(n−1, k−1) q^(k−1) (1−q)^(n−k); for 4-of-7 at
        // q = 0.1 that is 7·20·0.001·0.729 = 0.10206, so the elasticity is
        // 0.1 · 0.10206 / 0.002728 = 3.7412023…
        let e0 = q.elasticity.stage0.unwrap();
        assert!((e0 - 0.010206 / 0.002728).abs() < 1e-6, "{e0}");
        // Stage 2 fails with p: elasticity 1 in p, 0 in q.
        let p = &s.parameters[1];
        assert!((p.elasticity.stage2.unwrap() - 1.0).abs() < 1e-9);
        assert!(q.elasticity.stage2.unwrap().abs() < 1e-12);
        // Zero-valued inputs have no elasticity.
        assert!(s.parameters[2].elasticity.stage1.is_none());
        // q = 0.2: F1 = 1.23136e-3 + 1e-3 · 0.2018… ≈ 1.43e-3 > p = 1e-3,
        // so Stage 2 wins; q = 0.05 keeps Stage 1.
        assert_eq!(q.optimal_if_doubled, ModelStage::Two);
        assert_eq!(q.optimal_if_halved, ModelStage::One);
        assert_eq!(p.optimal_if_doubled, ModelStage::One);
        assert_eq!(s.most_influential, Some("member_failure"));
    }
}
