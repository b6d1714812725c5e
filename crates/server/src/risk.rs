//! The stage-risk model over HTTP: `GET /api/v1/risk`, the same JSON as
//! `l2stage risk --format json`, built by the same function of the risk
//! crate, within the service's limits. The `/risk` page and a project's
//! council chart are in `pages::risk` and `pages::council`.

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;

use l2stage_risk::RiskReport;
use l2stage_risk::report::{self, RiskParams, RiskQuery};

use crate::api::json;
use crate::error::ApiError;
use crate::params;

/// The model's inputs from a query string; unknown names are a 400.
pub fn query(raw: Option<&str>) -> Result<RiskQuery, ApiError> {
    let pairs = params::pairs(raw)?;
    params::check_known(&pairs, &RiskQuery::KEYS)?;
    let mut q = RiskQuery::default();
    for (k, v) in pairs {
        q.set(&k, v);
    }
    Ok(q)
}

/// Largest council (members, `N` of `K/N`) the service models for an
/// anonymous request; `l2stage risk` on the command line goes further.
pub const MAX_COUNCIL_MEMBERS: usize = 1000;

/// Largest exact denominator (in bits, [`RiskParams::exact_bits`]) the
/// service computes exact fractions for; beyond it the answer is given in
/// floating point (its assumptions say so). Exact work grows with the
/// square of this size: the limit keeps every allowed answer well under a
/// second.
pub const MAX_EXACT_BITS: u64 = 4096;

/// Validated inputs within the service's limits: a council over
/// [`MAX_COUNCIL_MEMBERS`] is a 400.
pub(crate) fn validated(q: &RiskQuery) -> Result<RiskParams, ApiError> {
    let params = q
        .params()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    for (name, shape) in [
        ("stage0_council", params.model.stage0),
        ("stage1_council", params.model.stage1),
    ] {
        if shape.n() > MAX_COUNCIL_MEMBERS {
            return Err(ApiError::bad_request(format!(
                "`{name}` {shape} has {} members: this service models councils of at most {MAX_COUNCIL_MEMBERS} members (`l2stage risk` on the command line takes larger ones)",
                shape.n()
            )));
        }
    }
    Ok(params)
}

/// The report within the service's limits.
pub(crate) fn bounded_report(params: &RiskParams) -> Result<RiskReport, ApiError> {
    report::risk_report_within(params, MAX_EXACT_BITS)
        .map_err(|e| ApiError::bad_request(e.to_string()))
}

/// The risk model's answer for the given assumptions.
#[utoipa::path(
    get,
    path = "/api/v1/risk",
    params(RiskDocParams),
    responses(
        (status = 200, description = "The same JSON as `l2stage risk --format json` with the same inputs (docs/risk.md)", body = Object),
        (status = 400, description = "An invalid or unknown input, or a council over 1000 members", body = crate::openapi::ErrorDoc),
    )
)]
pub async fn risk(RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let q = query(raw.as_deref())?;
    let params = validated(&q)?;
    // Exact arithmetic on large councils can take a while: off the
    // request threads.
    let v = tokio::task::spawn_blocking(move || {
        bounded_report(&params)
            .and_then(|r| report::report_json(&r).map_err(|e| ApiError::internal(e.to_string())))
    })
    .await
    .map_err(|e| ApiError::internal(format!("risk task failed: {e}")))??;
    Ok(json(StatusCode::OK, &v))
}

/// The inputs of the model, as query parameters (all optional).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RiskDocParams {
    /// Probability that one council member breaks within the horizon: `0.1`, `1/10`, `1e-3`. Default 0.1.
    member_failure: Option<String>,
    /// Stage 0 council, `K/N`. Default 4/7.
    stage0_council: Option<String>,
    /// Stage 1 council, `K/N`. Default 6/8.
    stage1_council: Option<String>,
    /// Probability that the proof system fails; adds each stage's failure probability and the least risky stage.
    proof_failure: Option<String>,
    /// Intra-class correlation of member failures, in [0, 1). Default 0.
    correlation: Option<String>,
    /// Probability that every member breaks at once. Default 0.
    common_shock: Option<String>,
    /// `union` (default) or `additive` (the post's published sum).
    formula: Option<String>,
    /// Period the probabilities refer to: `1y` (default), `6mo`, `90d`.
    horizon: Option<String>,
}
