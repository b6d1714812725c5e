//! The stage-risk model's inputs as people give them (command-line flags,
//! query strings), their validation, and the JSON answer. Shared by
//! `l2stage risk --format json` and `GET /api/v1/risk`, so the two cannot
//! drift: same defaults, same messages, same JSON.

use crate::error::{Result, RiskError};
use crate::horizon::Horizon;
use crate::prob::Probability;
use crate::stages::{BaseModel, RiskReport};
use crate::{CouncilShape, Formula};

/// Defaults, as `l2stage risk` documents them (the post's model).
pub const DEFAULT_MEMBER_FAILURE: &str = "0.1";
pub const DEFAULT_STAGE0_COUNCIL: &str = "4/7";
pub const DEFAULT_STAGE1_COUNCIL: &str = "6/8";
pub const DEFAULT_CORRELATION: &str = "0";
pub const DEFAULT_COMMON_SHOCK: &str = "0";
pub const DEFAULT_FORMULA: &str = "union";
pub const DEFAULT_HORIZON: &str = "1y";

/// Probability that one council member breaks: `0.1`, `1/10`, `1e-3`.
pub fn parse_member_failure(s: &str) -> Result<Probability> {
    Probability::parse("member failure probability", s)
}

/// Probability that the proof system fails.
pub fn parse_proof_failure(s: &str) -> Result<Probability> {
    Probability::parse("proof failure probability", s)
}

/// Probability that every member breaks at once.
pub fn parse_common_shock(s: &str) -> Result<Probability> {
    Probability::parse("common shock probability", s)
}

/// Intra-class correlation of member failures, in [0, 1).
pub fn parse_correlation(s: &str) -> Result<Probability> {
    Probability::parse_correlation("correlation", s)
}

/// A council `K/N` (or `K-of-N`).
pub fn parse_council(s: &str) -> Result<CouncilShape> {
    s.parse::<CouncilShape>()
}

/// A period: `1y`, `6mo`, `90d`, `2w`.
pub fn parse_horizon(s: &str) -> Result<Horizon> {
    s.parse::<Horizon>()
}

/// `union` or `additive`.
pub fn parse_formula(s: &str) -> Result<Formula> {
    match s.trim() {
        "union" => Ok(Formula::Union),
        "additive" => Ok(Formula::Additive),
        other => Err(RiskError::Invalid(format!(
            "invalid formula {other:?}: expected union or additive"
        ))),
    }
}

/// The model's inputs as text; `None` takes the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskQuery {
    pub member_failure: Option<String>,
    pub stage0_council: Option<String>,
    pub stage1_council: Option<String>,
    pub proof_failure: Option<String>,
    pub correlation: Option<String>,
    pub common_shock: Option<String>,
    pub formula: Option<String>,
    pub horizon: Option<String>,
}

/// Validated inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskParams {
    pub model: BaseModel,
    pub proof_failure: Option<Probability>,
}

impl RiskQuery {
    /// The names of the inputs, as query parameters.
    pub const KEYS: [&'static str; 8] = [
        "member_failure",
        "stage0_council",
        "stage1_council",
        "proof_failure",
        "correlation",
        "common_shock",
        "formula",
        "horizon",
    ];

    /// Set an input by its name; `false` for an unknown name.
    pub fn set(&mut self, key: &str, value: String) -> bool {
        let slot = match key {
            "member_failure" => &mut self.member_failure,
            "stage0_council" => &mut self.stage0_council,
            "stage1_council" => &mut self.stage1_council,
            "proof_failure" => &mut self.proof_failure,
            "correlation" => &mut self.correlation,
            "common_shock" => &mut self.common_shock,
            "formula" => &mut self.formula,
            "horizon" => &mut self.horizon,
            _ => return false,
        };
        *slot = Some(value);
        true
    }

    /// Validate every input; the first invalid one is the error.
    pub fn params(&self) -> Result<RiskParams> {
        let or = |v: &Option<String>, d: &'static str| -> String {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or(d)
                .to_string()
        };
        let proof_failure = match self.proof_failure.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => Some(parse_proof_failure(p)?),
        };
        Ok(RiskParams {
            model: BaseModel {
                member_failure: parse_member_failure(&or(
                    &self.member_failure,
                    DEFAULT_MEMBER_FAILURE,
                ))?,
                stage0: parse_council(&or(&self.stage0_council, DEFAULT_STAGE0_COUNCIL))?,
                stage1: parse_council(&or(&self.stage1_council, DEFAULT_STAGE1_COUNCIL))?,
                correlation: parse_correlation(&or(&self.correlation, DEFAULT_CORRELATION))?,
                common_shock: parse_common_shock(&or(&self.common_shock, DEFAULT_COMMON_SHOCK))?,
                formula: parse_formula(&or(&self.formula, DEFAULT_FORMULA))?,
                horizon: parse_horizon(&or(&self.horizon, DEFAULT_HORIZON))?,
            },
            proof_failure,
        })
    }
}

/// Bits of an exact probability's denominator (0 when it has none).
fn den_bits(p: &Probability) -> u64 {
    p.exact_parts().map_or(0, |(_, d)| d.bits())
}

impl RiskParams {
    /// Members of the larger council.
    pub fn largest_council(&self) -> usize {
        self.model.stage0.n().max(self.model.stage1.n())
    }

    /// A cheap upper estimate of the size, in bits, of the denominators
    /// the exact (rational) results would carry, or `None` when the model
    /// gives floating results only (a float input, or a council beyond
    /// [`crate::exact::MAX_EXACT_MEMBERS`] or [`crate::exact::MAX_EXACT_BITS`]).
    /// The exact work grows with the square of this number (reducing the
    /// fractions), so it is what bounds the cost of an exact answer.
    pub fn exact_bits(&self) -> Option<u64> {
        let m = &self.model;
        let council = |n: usize| -> Option<u64> {
            if n > crate::exact::MAX_EXACT_MEMBERS {
                return None;
            }
            let n64 = n as u64;
            m.member_failure.exact()?;
            m.common_shock.exact()?;
            let per_member = if m.correlation.is_zero() {
                den_bits(&m.member_failure)
            } else {
                m.correlation.exact()?;
                den_bits(&m.member_failure)
                    + den_bits(&m.correlation)
                    + u64::from(usize::BITS - n.leading_zeros())
            };
            let bits = n64.saturating_mul(per_member);
            let shock = if m.common_shock.is_zero() {
                0
            } else {
                den_bits(&m.common_shock)
            };
            (bits <= crate::exact::MAX_EXACT_BITS).then(|| bits.saturating_add(shock))
        };
        let (b0, b1) = (council(m.stage0.n())?, council(m.stage1.n())?);
        let p = self.proof_failure.as_ref().map_or(0, den_bits);
        Some(b0.saturating_add(b1).saturating_add(p))
    }

    /// The same inputs with their exact values dropped: the model then
    /// gives floating results only, at the cost of floating arithmetic.
    pub fn floats_only(&self) -> Result<RiskParams> {
        let f = |name: &str, p: &Probability| Probability::from_f64(name, p.value());
        Ok(RiskParams {
            model: BaseModel {
                member_failure: f("member failure probability", &self.model.member_failure)?,
                correlation: f("correlation", &self.model.correlation)?,
                common_shock: f("common shock probability", &self.model.common_shock)?,
                ..self.model.clone()
            },
            proof_failure: self
                .proof_failure
                .as_ref()
                .map(|p| f("proof failure probability", p))
                .transpose()?,
        })
    }
}

/// [`risk_report`] with exact results only while [`RiskParams::exact_bits`]
/// is at most `max_exact_bits`; beyond it the answer is computed in
/// floating point and its assumptions say so. For callers that must bound
/// their work (the web service).
pub fn risk_report_within(params: &RiskParams, max_exact_bits: u64) -> Result<RiskReport> {
    match params.exact_bits() {
        Some(bits) if bits > max_exact_bits => {
            let mut r = risk_report(&params.floats_only()?)?;
            r.assumptions.retain(|a| !a.starts_with(NO_EXACT));
            r.assumptions.push(format!(
                "{NO_EXACT}: exact results would need about {bits}-bit denominators, over this service's limit of {max_exact_bits}; floating results only"
            ));
            Ok(r)
        }
        _ => risk_report(params),
    }
}

/// How the assumption about missing exact results starts.
const NO_EXACT: &str = "no exact fractions";

/// The full answer for validated inputs.
pub fn risk_report(params: &RiskParams) -> Result<RiskReport> {
    params.model.report(params.proof_failure.as_ref())
}

/// The JSON of a report, as `l2stage risk --format json` prints it
/// (without `--chart`).
pub fn report_json(report: &RiskReport) -> Result<serde_json::Value> {
    serde_json::to_value(report)
        .map_err(|e| RiskError::Invalid(format!("cannot serialise the report: {e}")))
}

/// Validated inputs to JSON: [`risk_report`] then [`report_json`].
pub fn risk_json(params: &RiskParams) -> Result<serde_json::Value> {
    report_json(&risk_report(params)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_posts_model() {
        let p = RiskQuery::default().params().expect("defaults");
        assert_eq!(p.model.stage0.to_string(), "4/7");
        assert_eq!(p.model.stage1.to_string(), "6/8");
        assert_eq!(p.model.formula, Formula::Union);
        assert!(p.proof_failure.is_none());
        let v = risk_json(&p).expect("json");
        assert_eq!(v["model"], "stages");
    }

    fn params(pairs: &[(&str, &str)]) -> RiskParams {
        let mut q = RiskQuery::default();
        for (k, v) in pairs {
            assert!(q.set(k, v.to_string()), "{k}");
        }
        q.params().expect("valid")
    }

    #[test]
    fn exact_bits_estimate_the_exact_denominators() {
        // q = 1/10 (4-bit denominator): 7 × 4 + 8 × 4.
        assert_eq!(params(&[]).exact_bits(), Some(60));
        // p's denominator (1000: 10 bits) adds to it.
        assert_eq!(params(&[("proof_failure", "0.001")]).exact_bits(), Some(70));
        // ρ = 9/10: each member also carries ρ's 4 bits and log2 n
        // (3 bits for 7, 4 for 8).
        assert_eq!(
            params(&[("correlation", "0.9")]).exact_bits(),
            Some(7 * (4 + 4 + 3) + 8 * (4 + 4 + 4))
        );
        // Beyond the model's own limits there are no exact results at all.
        assert_eq!(
            params(&[("stage1_council", "1500/2001")]).exact_bits(),
            None
        );
        assert_eq!(
            params(&[
                ("member_failure", "0.123456789"),
                ("stage1_council", "900/1000")
            ])
            .exact_bits(),
            None
        );
        assert_eq!(
            params(&[]).floats_only().expect("floats").exact_bits(),
            None
        );
    }

    #[test]
    fn a_report_within_a_budget_drops_only_the_exact_fractions() {
        let p = params(&[("proof_failure", "0.001")]);
        let full = risk_report(&p).expect("report");
        assert!(full.analysis.exact.is_some());
        // Within budget: the same report.
        assert_eq!(risk_report_within(&p, 70).expect("within"), full);
        // Over it: floating results, the same numbers to rounding, and
        // the assumption saying why.
        let cut = risk_report_within(&p, 69).expect("over");
        assert!(cut.analysis.exact.is_none() && cut.other_formula.exact.is_none());
        let (a, b) = (
            cut.analysis.failure.as_ref().expect("failure").stage1,
            full.analysis.failure.as_ref().expect("failure").stage1,
        );
        assert!((a - b).abs() <= b * 1e-12, "{a} vs {b}");
        let last = cut.assumptions.last().expect("assumption");
        assert!(
            last.contains("about 70-bit denominators, over this service's limit of 69"),
            "{last}"
        );
        assert_eq!(
            cut.assumptions
                .iter()
                .filter(|a| a.starts_with("no exact fractions"))
                .count(),
            1
        );
    }

    #[test]
    fn invalid_inputs_are_errors_naming_the_input() {
        let mut q = RiskQuery::default();
        assert!(q.set("member_failure", "1.5".into()));
        let e = q.params().expect_err("q > 1");
        assert!(e.to_string().contains("member failure probability"), "{e}");
        let mut q = RiskQuery::default();
        q.set("stage1_council", "9/8".into());
        assert!(q.params().is_err());
        let mut q = RiskQuery::default();
        q.set("formula", "sum".into());
        assert!(
            q.params()
                .expect_err("formula")
                .to_string()
                .contains("union or additive")
        );
        assert!(!q.set("colour", "red".into()));
    }
}
