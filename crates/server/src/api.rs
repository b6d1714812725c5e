//! The JSON API under `/api/v1` (documented in docs/api.md and by the
//! OpenAPI document at `/api/v1/openapi.json`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use l2stage_assess::TimelineEntry;
use l2stage_framework::Stage;
use l2stage_model::{Format, parse_str};
use l2stage_store::{AssessmentRecord, Origin, StoredFile};

use crate::error::ApiError;
use crate::params;
use crate::state::{App, Day, Item};

/// A JSON body already serialized.
pub fn json_bytes(status: StatusCode, body: Bytes) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(v) => json_bytes(status, Bytes::from(v)),
        Err(e) => ApiError::internal(format!("serialising the response: {e}")).into_response(),
    }
}

/// Links to everything about one project.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectLinks {
    /// This project in the API.
    #[serde(rename = "self")]
    pub self_: String,
    pub history: String,
    /// The dashboard page.
    pub page: String,
    pub badge: String,
}

impl ProjectLinks {
    pub fn of(id: &str) -> ProjectLinks {
        ProjectLinks {
            self_: format!("/api/v1/projects/{id}"),
            history: format!("/api/v1/projects/{id}/history"),
            page: format!("/projects/{id}"),
            badge: format!("/badge/{id}.svg"),
        }
    }
}

/// One project in the list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectSummary {
    pub id: String,
    pub name: String,
    #[schema(value_type = crate::openapi::KindDoc)]
    pub kind: &'static str,
    #[schema(value_type = crate::openapi::StageDoc)]
    pub stage: &'static str,
    /// The revision used.
    pub framework: &'static str,
    #[schema(value_type = String, format = Date)]
    pub as_of: String,
    /// The day the project was archived, when that is on or before the day
    /// assessed (`null` while it is live); an archived project is assessed
    /// as of that day.
    #[schema(value_type = Option<String>, format = Date)]
    pub archived: Option<String>,
    /// When not even Stage 0: L2BEAT's reason codes ("Others").
    pub others_reasons: Vec<&'static str>,
    /// The headline exit window from the governance analysis (`null` when
    /// the structure is not described); the same object as in the full
    /// assessment.
    #[schema(value_type = Option<Object>)]
    pub exit_window: serde_json::Value,
    #[schema(value_type = Option<crate::openapi::MissingDoc>)]
    pub missing: serde_json::Value,
    #[schema(value_type = Option<crate::openapi::DowngradeDoc>)]
    pub downgrade_pending: serde_json::Value,
    /// L2BEAT's five risk categories; the same object as in the full
    /// assessment.
    #[schema(value_type = crate::openapi::RiskSummaryDoc)]
    pub risk_summary: serde_json::Value,
    /// Number of warnings in the full assessment.
    pub warnings: usize,
    pub links: ProjectLinks,
}

impl ProjectSummary {
    pub fn of(item: &Item) -> ProjectSummary {
        let v = &item.assessment.verdict;
        let key = |k: &str| {
            item.value
                .get(k)
                .cloned()
                .unwrap_or(serde_json::Value::Null)
        };
        ProjectSummary {
            id: v.id.clone(),
            name: v.name.clone(),
            kind: v.kind.as_str(),
            stage: v.stage.as_str(),
            framework: v.framework,
            as_of: v.as_of.to_string(),
            archived: v.archived.map(|d| d.to_string()),
            others_reasons: v.others_reasons.iter().map(|r| r.code()).collect(),
            exit_window: key("exit_window"),
            missing: key("missing"),
            downgrade_pending: key("downgrade_pending"),
            risk_summary: key("risk_summary"),
            warnings: v.warnings.len(),
            links: ProjectLinks::of(&v.id),
        }
    }
}

/// A project that could not be assessed on the day asked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectError {
    pub id: String,
    pub message: String,
}

/// `GET /api/v1/projects`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectList {
    #[schema(value_type = String, format = Date)]
    pub as_of: String,
    /// The revision asked for with `framework`; `null`: the one in force.
    pub framework: Option<String>,
    pub count: usize,
    pub projects: Vec<ProjectSummary>,
    /// Projects left out because they could not be assessed that day.
    pub errors: Vec<ProjectError>,
}

fn day_for(app: &App, when: &params::When) -> Result<Arc<Day>, ApiError> {
    app.live().day(
        when.as_of.unwrap_or_else(|| app.today()),
        when.framework.as_deref(),
    )
}

pub fn filtered<'a>(day: &'a Day, q: &params::ListQuery) -> impl Iterator<Item = &'a Item> {
    let stages = q.stages.clone();
    let kind = q.kind;
    day.items.iter().filter(move |i| {
        let v = &i.assessment.verdict;
        (stages.is_empty() || stages.contains(&v.stage)) && kind.is_none_or(|k| k == v.kind)
    })
}

const LIST_PARAMS: &[&str] = &["stage", "kind", "as_of", "framework"];

/// List projects with their stage.
#[utoipa::path(
    get,
    path = "/api/v1/projects",
    params(crate::openapi::ListParams),
    responses(
        (status = 200, description = "Every project (filtered), sorted by id", body = ProjectList),
        (status = 400, description = "A malformed or unknown query parameter", body = crate::openapi::ErrorDoc),
    )
)]
pub async fn list(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let today = app.today();
    let live = app.live();
    let key = raw.as_deref().unwrap_or("");
    if let Some(body) = live.cached(today, key) {
        return json_bytes(StatusCode::OK, body);
    }
    let result = (|| {
        let pairs = params::pairs(raw.as_deref())?;
        params::check_known(&pairs, LIST_PARAMS)?;
        let q = params::list_query(&pairs)?;
        let day = live.day(q.when.as_of.unwrap_or(today), q.when.framework.as_deref())?;
        let projects: Vec<ProjectSummary> = filtered(&day, &q).map(ProjectSummary::of).collect();
        let list = ProjectList {
            as_of: day.as_of.to_string(),
            framework: day.framework.clone(),
            count: projects.len(),
            projects,
            errors: day
                .failed
                .iter()
                .map(|(id, message)| ProjectError {
                    id: id.clone(),
                    message: message.clone(),
                })
                .collect(),
        };
        serde_json::to_vec(&list)
            .map(Bytes::from)
            .map_err(|e| ApiError::internal(format!("serialising the list: {e}")))
    })();
    match result {
        Ok(body) => {
            live.cache(today, key, body.clone());
            json_bytes(StatusCode::OK, body)
        }
        Err(e) => e.into_response(),
    }
}

/// One project's full assessment.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}",
    params(
        ("id" = String, Path, description = "Project id, e.g. `op-mainnet`"),
        crate::openapi::WhenParams,
    ),
    responses(
        (status = 200, description = "The assessment: the same object `l2stage assess --format json` prints for the project", body = crate::openapi::AssessmentDoc),
        (status = 400, description = "A malformed query parameter", body = crate::openapi::ErrorDoc),
        (status = 404, description = "No such project", body = crate::openapi::ErrorDoc),
        (status = 422, description = "The project cannot be assessed on that day", body = crate::openapi::ErrorDoc),
    )
)]
pub async fn detail(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = params::pairs(raw.as_deref())?;
    params::check_known(&pairs, &["as_of", "framework"])?;
    let when = params::when(&pairs)?;
    let day = day_for(&app, &when)?;
    match day.get(&id) {
        Some(item) => Ok(json_bytes(StatusCode::OK, item.json.clone())),
        None => match day.failed.iter().find(|(f, _)| *f == id) {
            Some((_, msg)) => Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, msg.clone())),
            None => Err(no_project(&id)),
        },
    }
}

pub fn no_project(id: &str) -> ApiError {
    ApiError::not_found(no_project_message(id))
}

/// "no project with id `x`", the id quoted (shortened when over-long): the
/// one wording of an unknown id for the API, the pages and `/risk`.
pub fn no_project_message(id: &str) -> String {
    format!("no project with id `{}`", l2stage_model::text::quote(id))
}

/// What changed since the previous stored assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// The first assessment of the project.
    First,
    /// A new version of the project file (catalog or API).
    ProjectFile,
    /// Same file, another framework revision.
    FrameworkRevision,
    /// Same file and revision, a newer l2stage.
    Engine,
    /// Same file, re-assessed on a later day.
    NewDay,
    /// Nothing that the record shows.
    None,
}

/// One stored assessment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryRecord {
    pub seq: i64,
    /// When it was made (RFC 3339, UTC).
    pub created_at: String,
    #[schema(value_type = String, format = Date)]
    pub as_of: String,
    pub framework: String,
    #[schema(value_type = crate::openapi::StageDoc)]
    pub stage: String,
    pub name: String,
    /// SHA-256 of the project file assessed.
    pub input_hash: String,
    /// The project file version assessed (see `files`).
    pub file_seq: i64,
    #[schema(value_type = String, example = "api")]
    pub origin: Origin,
    pub engine: String,
    pub change: Change,
    #[schema(value_type = Option<crate::openapi::StageDoc>)]
    pub previous_stage: Option<String>,
    pub stage_changed: bool,
}

/// `GET /api/v1/projects/{id}/history`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct History {
    pub id: String,
    pub name: String,
    /// The stage over time, re-derived from the current project file: one
    /// entry per day the stage (or a pending downgrade) changed, with why.
    #[schema(value_type = Vec<crate::openapi::TimelineDoc>)]
    pub timeline: Vec<TimelineEntry>,
    /// Every assessment stored, oldest first.
    pub assessments: Vec<HistoryRecord>,
    /// Every stored version of the project file, oldest first.
    #[schema(value_type = Vec<crate::openapi::FileDoc>)]
    pub files: Vec<StoredFile>,
}

pub fn records(rows: &[AssessmentRecord]) -> Vec<HistoryRecord> {
    let mut out = Vec::with_capacity(rows.len());
    let mut prev: Option<&AssessmentRecord> = None;
    for r in rows {
        let change = match prev {
            None => Change::First,
            Some(p) if p.file_seq != r.file_seq => Change::ProjectFile,
            Some(p) if p.framework != r.framework => Change::FrameworkRevision,
            Some(p) if p.engine != r.engine => Change::Engine,
            Some(p) if p.as_of != r.as_of => Change::NewDay,
            Some(_) => Change::None,
        };
        out.push(HistoryRecord {
            seq: r.seq,
            created_at: r.created_at.clone(),
            as_of: r.as_of.to_string(),
            framework: r.framework.clone(),
            stage: r.stage.clone(),
            name: r.name.clone(),
            input_hash: r.input_hash.clone(),
            file_seq: r.file_seq,
            origin: r.origin,
            engine: r.engine.clone(),
            change,
            previous_stage: prev.map(|p| p.stage.clone()),
            stage_changed: prev.is_some_and(|p| p.stage != r.stage),
        });
        prev = Some(r);
    }
    out
}

/// Load a project's history (blocking: database I/O).
pub fn load_history(app: &App, id: &str) -> Result<History, ApiError> {
    let live = app.live();
    let current = live.project(id).ok_or_else(|| no_project(id))?;
    let (rows, files) = app
        .with_store(|s| {
            let rows = s.assessments(id)?;
            let files = s.files(id)?;
            Ok::<_, l2stage_store::StoreError>((rows, files))
        })
        .map_err(|e| ApiError::internal(format!("reading the history: {e}")))?;
    let timeline = live.timeline(current, app.today())?.as_ref().clone();
    Ok(History {
        id: id.to_string(),
        name: current.project.project.name.clone(),
        timeline,
        assessments: records(&rows),
        files,
    })
}

/// A project's stage timeline and stored assessments.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}/history",
    params(("id" = String, Path, description = "Project id")),
    responses(
        (status = 200, description = "Timeline, stored assessments and file versions", body = History),
        (status = 404, description = "No such project", body = crate::openapi::ErrorDoc),
    )
)]
pub async fn history(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = params::pairs(raw.as_deref())?;
    params::check_known(&pairs, &[])?;
    let h = tokio::task::spawn_blocking(move || load_history(&app, &id))
        .await
        .map_err(|e| ApiError::internal(format!("history task failed: {e}")))??;
    Ok(json(StatusCode::OK, &h))
}

/// A valid bearer token was presented.
pub struct Authorized;

impl FromRequestParts<Arc<App>> for Authorized {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        if !app.submissions_enabled() {
            return Err(ApiError::unauthorized(
                "submissions are disabled: the server was started without a token (--token-file or L2STAGE_TOKEN)",
            ));
        }
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            });
        match given {
            Some(t) if app.token_matches(t) => Ok(Authorized),
            Some(_) => Err(ApiError::unauthorized("invalid bearer token")),
            None => Err(ApiError::unauthorized(
                "missing `Authorization: Bearer <token>` header",
            )),
        }
    }
}

/// `POST /api/v1/projects` answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmitResult {
    pub id: String,
    #[schema(value_type = crate::openapi::StageDoc)]
    pub stage: &'static str,
    /// A new version of the project file was stored (201); `false`: it was
    /// identical to the current one (200).
    pub file_changed: bool,
    /// A new assessment was stored.
    pub assessment_added: bool,
    pub input_hash: String,
    /// The assessment as of today, as `GET /api/v1/projects/{id}` gives it.
    #[schema(value_type = crate::openapi::AssessmentDoc)]
    pub assessment: serde_json::Value,
    pub links: ProjectLinks,
}

fn content_format(headers: &HeaderMap) -> Result<Format, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    match ct.as_deref() {
        Some("application/toml") => Ok(Format::Toml),
        Some("application/json") => Ok(Format::Json),
        other => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "content-type {} is not supported: send the project file as application/toml or application/json",
                other
                    .map(|c| format!("`{c}`"))
                    .unwrap_or_else(|| "(none)".into())
            ),
        )),
    }
}

/// A submitted file has no directory: the server reads no file it names.
/// `[labels.value_locked] csv = ...` is refused (400, located at the key);
/// the series is given inline with `points`.
fn refuse_named_files(
    project: &l2stage_model::ProjectFile,
    text: &str,
    format: Format,
) -> Result<(), ApiError> {
    use l2stage_model::governance::{FieldError, PathSeg};
    let names_csv = project
        .labels
        .as_ref()
        .and_then(|l| l.value_locked.as_ref())
        .is_some_and(|v| v.csv.is_some());
    if !names_csv {
        return Ok(());
    }
    let e = FieldError {
        path: ["labels", "value_locked", "csv"]
            .map(|k| PathSeg::Key(k.into()))
            .to_vec(),
        message: "a submitted file cannot name other files: the server reads none for a submission"
            .into(),
        hint: Some("give the series inline: `points = [...]`".into()),
    };
    Err(ApiError::from_load(&l2stage_model::parse::field_error(
        "request body",
        text,
        format,
        &e,
    )))
}

/// Submit a project file (new project or new version).
#[utoipa::path(
    post,
    path = "/api/v1/projects",
    request_body(
        description = "A project file (docs/project-format.md), at most 256 KiB",
        content(
            (String = "application/toml"),
            (Object = "application/json"),
        )
    ),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored: a new version of the project file and its assessment", body = SubmitResult),
        (status = 200, description = "Identical to the current version: nothing new stored", body = SubmitResult),
        (status = 400, description = "Invalid project file, with line, column, field and hint (also: a file naming a CSV, which a submission cannot)", body = crate::openapi::ErrorDoc),
        (status = 401, description = "Missing or invalid bearer token", body = crate::openapi::ErrorDoc),
        (status = 413, description = "Body over 256 KiB", body = crate::openapi::ErrorDoc),
        (status = 415, description = "Content type other than application/toml or application/json", body = crate::openapi::ErrorDoc),
    )
)]
pub async fn submit(
    State(app): State<Arc<App>>,
    _auth: Authorized,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let format = content_format(&headers)?;
    let body = body.map_err(|e| {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                status,
                format!(
                    "request body too large: project files are limited to {} KiB",
                    crate::BODY_LIMIT / 1024
                ),
            )
        } else {
            ApiError::new(status, format!("cannot read the request body: {e}"))
        }
    })?;
    let text = String::from_utf8(body.to_vec()).map_err(|e| {
        ApiError::bad_request(format!(
            "the project file is not valid UTF-8 (at byte offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let project = parse_str("request body", &text, format).map_err(|e| ApiError::from_load(&e))?;
    refuse_named_files(&project, &text, format)?;
    let assessment = app
        .assess_submission(&project)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let value = serde_json::to_value(&assessment)
        .map_err(|e| ApiError::internal(format!("serialising: {e}")))?;
    let stage: Stage = assessment.verdict.stage;
    let app2 = app.clone();
    let submitted =
        tokio::task::spawn_blocking(move || app2.submit(format, &text, project, &assessment))
            .await
            .map_err(|e| ApiError::internal(format!("submission task failed: {e}")))??;
    let status = if submitted.recorded.file_changed {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let links = ProjectLinks::of(&submitted.id);
    let mut res = json(
        status,
        &SubmitResult {
            id: submitted.id.clone(),
            stage: stage.as_str(),
            file_changed: submitted.recorded.file_changed,
            assessment_added: submitted.recorded.assessment_added,
            input_hash: submitted.input_hash,
            assessment: value,
            links: links.clone(),
        },
    );
    if let Ok(loc) = HeaderValue::from_str(&links.self_) {
        res.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(res)
}
