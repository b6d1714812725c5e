//! The OpenAPI document served at `/api/v1/openapi.json`.
//!
//! The assessment itself is built by l2stage-assess, which has no
//! documentation derives (the engine crates stay free of web
//! dependencies); the `*Doc` types below describe its JSON contract
//! (docs/json-output.md) for the document only. A test checks that real
//! responses carry every key they document.

use std::sync::LazyLock;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

use crate::api;

/// A project's stage.
#[derive(ToSchema)]
#[schema(as = Stage)]
#[allow(dead_code)]
#[schema(rename_all = "kebab-case")]
pub enum StageDoc {
    #[schema(rename = "not-stage-0")]
    NotStage0,
    #[schema(rename = "stage-0")]
    Stage0,
    #[schema(rename = "stage-1")]
    Stage1,
    #[schema(rename = "stage-2")]
    Stage2,
    UnderReview,
}

/// The proof-system family and where data is kept: rollups (`optimistic`,
/// `validity`) keep it on Ethereum, `validium` and `optimium` off it.
#[derive(ToSchema)]
#[schema(as = Kind, rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum KindDoc {
    Optimistic,
    Validity,
    Validium,
    Optimium,
}

/// A requirement's evaluated status.
#[derive(ToSchema)]
#[schema(as = Status, rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum StatusDoc {
    Met,
    Unmet,
    UnderReview,
    NotApplicable,
    Unknown,
}

/// One requirement in a verdict.
#[derive(ToSchema)]
#[schema(as = Requirement)]
#[allow(dead_code)]
pub struct RequirementDoc {
    /// Requirement id (docs/project-format.md), e.g. `principle`.
    id: String,
    /// The stage (0, 1, 2) it belongs to in the revision used.
    stage: u8,
    status: StatusDoc,
    /// Why, in words.
    reason: String,
    /// Links or text; only `http(s)://` entries are links.
    evidence: Vec<String>,
    /// What "met" means, in one line.
    title: String,
    /// When the current declaration took effect.
    #[schema(value_type = Option<String>, format = Date)]
    since: Option<String>,
    /// Computed from the governance structure rather than declared.
    derived: bool,
}

/// What the next stage needs.
#[derive(ToSchema)]
#[schema(as = Missing)]
#[allow(dead_code)]
pub struct MissingDoc {
    next_stage: StageDoc,
    requirements: Vec<String>,
}

/// A stage kept only thanks to a grace period.
#[derive(ToSchema)]
#[schema(as = DowngradePending)]
#[allow(dead_code)]
pub struct DowngradeDoc {
    to_stage: StageDoc,
    #[schema(value_type = String, format = Date)]
    deadline: String,
    reasons: Vec<String>,
}

/// Everything l2stage says about one project on one day: the object
/// `l2stage assess --format json` prints per project (docs/json-output.md).
/// Analyses add keys over time (e.g. `exit_window`); none is removed.
#[derive(ToSchema)]
#[schema(as = Assessment)]
#[allow(dead_code)]
pub struct AssessmentDoc {
    id: String,
    name: String,
    kind: KindDoc,
    /// Id of the framework revision used, e.g. `2025-06`.
    framework: String,
    #[schema(value_type = String, format = Date)]
    as_of: String,
    /// The day the project was archived, or `null`.
    #[schema(value_type = Option<String>, format = Date)]
    archived: Option<String>,
    stage: StageDoc,
    /// When not even Stage 0: L2BEAT's reason codes (`NO_PROOFS`,
    /// `CLOSED_PROOFS`, `NO_DA_ORACLE`); empty otherwise.
    others_reasons: Vec<String>,
    /// Every requirement of the revision, Stage 0 first.
    requirements: Vec<RequirementDoc>,
    /// `null` at Stage 2 and when under review.
    missing: Option<MissingDoc>,
    warnings: Vec<String>,
    downgrade_pending: Option<DowngradeDoc>,
    /// The headline exit window (governance analysis), when known.
    #[schema(value_type = Option<Object>)]
    exit_window: Option<()>,
    risk_summary: RiskSummaryDoc,
}

/// L2BEAT's five risk categories (docs/json-output.md).
#[derive(ToSchema)]
#[schema(as = RiskSummary)]
#[allow(dead_code)]
pub struct RiskSummaryDoc {
    /// Fraud or validity proofs and who may submit them.
    state_validation: RiskViewDoc,
    /// On Ethereum, or kept by a committee / external DA layer.
    data_availability: RiskViewDoc,
    /// The headline exit window: < 7 days bad, 7–30 warning, ≥ 30 good.
    exit_window: RiskViewDoc,
    /// Forced inclusion through Ethereum.
    sequencer_failure: RiskViewDoc,
    /// Self-proposing or permissionless proposing.
    proposer_failure: RiskViewDoc,
}

/// One risk category.
#[derive(ToSchema)]
#[schema(as = RiskView)]
#[allow(dead_code)]
pub struct RiskViewDoc {
    level: RiskLevelDoc,
    /// Why, in one or two sentences; for `unknown`, what is missing.
    text: String,
}

#[derive(ToSchema)]
#[schema(as = RiskLevel, rename_all = "lowercase")]
#[allow(dead_code)]
pub enum RiskLevelDoc {
    Good,
    Warning,
    Bad,
    Unknown,
}

/// Why the stage changed on a day.
#[derive(ToSchema)]
#[schema(as = Cause)]
#[allow(dead_code)]
pub struct CauseDoc {
    /// `start`, `project-history`, `framework-revision`, `grace-deadline` or
    /// `governance-structure`.
    kind: String,
    detail: String,
}

/// From `date` until the next entry the project stood at `stage`.
#[derive(ToSchema)]
#[schema(as = TimelineEntry)]
#[allow(dead_code)]
pub struct TimelineDoc {
    #[schema(value_type = String, format = Date)]
    date: String,
    #[schema(value_type = Option<String>, format = Date)]
    until: Option<String>,
    stage: StageDoc,
    framework: String,
    #[schema(value_type = Option<String>, format = Date)]
    downgrade_pending: Option<String>,
    causes: Vec<CauseDoc>,
}

/// One stored version of a project file.
#[derive(ToSchema)]
#[schema(as = StoredFile)]
#[allow(dead_code)]
pub struct FileDoc {
    seq: i64,
    project_id: String,
    /// `toml` or `json`.
    format: String,
    /// SHA-256 over the syntax and the text.
    input_hash: String,
    /// `catalog` or `api`.
    origin: String,
    /// The catalog path it was read from.
    source_name: Option<String>,
    /// RFC 3339, UTC.
    received_at: String,
}

/// An error. Invalid project files add `line`, `column`, `field`, `hint`.
#[derive(ToSchema)]
#[schema(as = Error)]
#[allow(dead_code)]
pub struct ErrorDoc {
    error: ErrorDetailDoc,
}

#[derive(ToSchema)]
#[schema(as = ErrorDetail)]
#[allow(dead_code)]
pub struct ErrorDetailDoc {
    message: String,
    /// 1-based line in the submitted file.
    line: Option<usize>,
    /// 1-based column, in characters.
    column: Option<usize>,
    /// Dotted path of the offending field, e.g. `requirements.principle`.
    field: Option<String>,
    /// e.g. `did you mean `name`?`
    hint: Option<String>,
}

/// Filters of the project list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// Keep only these stages (comma-separated), e.g. `stage-1,stage-2`.
    stage: Option<String>,
    /// `optimistic` or `validity`.
    kind: Option<String>,
    /// Assess as of this day (YYYY-MM-DD); default today (UTC).
    #[param(format = Date)]
    as_of: Option<String>,
    /// Framework revision id; default the one in force on `as_of`.
    framework: Option<String>,
}

/// The day and revision to assess under.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct WhenParams {
    /// Assess as of this day (YYYY-MM-DD); default today (UTC).
    #[param(format = Date)]
    as_of: Option<String>,
    /// Framework revision id; default the one in force on `as_of`.
    framework: Option<String>,
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "l2stage API",
        description = "How far an Ethereum rollup depends on trusted people: its Stage under the Stages Framework, with evidence. See docs/api.md.",
    ),
    paths(api::list, api::detail, api::history, crate::changes::changes, api::submit, crate::risk::risk),
    components(schemas(AssessmentDoc, ErrorDoc, api::ProjectList, api::History, crate::changes::ChangesBody, api::SubmitResult)),
    modifiers(&Security),
    tags((name = "l2stage"))
)]
pub struct ApiDoc;

static DOC: LazyLock<Bytes> = LazyLock::new(|| {
    Bytes::from(
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|_| "{}".to_string()),
    )
});

/// The document, built once.
pub async fn serve() -> Response {
    api::json_bytes(StatusCode::OK, DOC.clone())
}
