//! The stage-risk model over HTTP: `GET /api/v1/risk` (the same JSON as
//! `l2stage risk --format json`, built by the same function of the risk
//! crate), the `/risk` page with the post's chart and a form, and the
//! chart of a project's own Security Council on its page.

use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use l2stage_model::governance::{Actor, Governance};
use l2stage_model::{Date, ProjectFile};
use l2stage_report::risk_input::council_input;
use l2stage_risk::chart::{
    ChartOptions, regions_chart_svg, stage_chart_svg, stage_chart_with_stage1_svg,
};
use l2stage_risk::project::{CouncilStructure, NestedCouncil};
use l2stage_risk::report::{self, RiskParams, RiskQuery};
use l2stage_risk::stages::{Crossovers, StageRange};
use l2stage_risk::{BaseModel, CouncilShape, Line, RiskReport, Stage, StageLines};

use crate::api::json;
use crate::error::ApiError;
use crate::params;
use crate::state::App;

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
fn validated(q: &RiskQuery) -> Result<RiskParams, ApiError> {
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
fn bounded_report(params: &RiskParams) -> Result<RiskReport, ApiError> {
    report::risk_report_within(params, MAX_EXACT_BITS)
        .map_err(|e| ApiError::bad_request(e.to_string()))
}

/// The inputs the charts are drawn from: without exact values when the
/// exact results would exceed [`MAX_EXACT_BITS`].
fn chart_params(params: &RiskParams) -> Result<RiskParams, ApiError> {
    match params.exact_bits() {
        Some(bits) if bits > MAX_EXACT_BITS => params
            .floats_only()
            .map_err(|e| ApiError::bad_request(e.to_string())),
        _ => Ok(params.clone()),
    }
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

/// Probabilities for people: the one formatter the CLI and the server
/// share (3 significant digits, scientific below 1e-3).
use l2stage_report::format::probability as num;

struct Field {
    name: &'static str,
    label: &'static str,
    value: String,
    placeholder: &'static str,
    help: &'static str,
}

struct StageRow {
    label: String,
    overrides: String,
    blocked: String,
    failure: String,
    best: bool,
}

#[derive(Template)]
#[template(path = "risk.html")]
struct RiskPage {
    fields: Vec<Field>,
    additive: bool,
    error: Option<String>,
    rows: Vec<StageRow>,
    has_p: bool,
    crossovers: Vec<(String, String)>,
    ranges: Vec<String>,
    verdict: Option<String>,
    assumptions: Vec<String>,
    stage_chart: Option<String>,
    regions_chart: Option<String>,
    api_href: String,
    /// `project=ID`: the project whose Security Council is the Stage 1
    /// council, as on its page.
    project: Option<ProjectNote>,
}

/// The project a `/risk?project=ID` page models.
struct ProjectNote {
    id: String,
    as_of: String,
    /// "Base is Stage 1 on 2026-12-06".
    stage_line: String,
    /// The council as the form shows it (not editable there).
    council: String,
}

fn fields(q: &RiskQuery) -> Vec<Field> {
    let v = |x: &Option<String>| x.clone().unwrap_or_default();
    vec![
        Field {
            name: "member_failure",
            label: "Member failure q",
            value: v(&q.member_failure),
            placeholder: report::DEFAULT_MEMBER_FAILURE,
            help: "chance one council member breaks",
        },
        Field {
            name: "proof_failure",
            label: "Proof failure p",
            value: v(&q.proof_failure),
            placeholder: "e.g. 0.001",
            help: "chance the proof system has a bug",
        },
        Field {
            name: "stage0_council",
            label: "Stage 0 council",
            value: v(&q.stage0_council),
            placeholder: report::DEFAULT_STAGE0_COUNCIL,
            help: "K/N signers",
        },
        Field {
            name: "stage1_council",
            label: "Stage 1 council",
            value: v(&q.stage1_council),
            placeholder: report::DEFAULT_STAGE1_COUNCIL,
            help: "K/N signers",
        },
        Field {
            name: "correlation",
            label: "Correlation ρ",
            value: v(&q.correlation),
            placeholder: report::DEFAULT_CORRELATION,
            help: "between members, in [0, 1)",
        },
        Field {
            name: "common_shock",
            label: "Common shock c",
            value: v(&q.common_shock),
            placeholder: report::DEFAULT_COMMON_SHOCK,
            help: "all members break at once",
        },
        Field {
            name: "horizon",
            label: "Horizon",
            value: v(&q.horizon),
            placeholder: report::DEFAULT_HORIZON,
            help: "1y, 6mo, 90d",
        },
    ]
}

fn stage_label(n: u8) -> String {
    format!("Stage {n}")
}

/// The crossovers as the pages print them (`/risk` and a project's page
/// use this one function, so their numbers agree).
pub fn crossover_items(c: &Crossovers<f64>) -> Vec<(String, String)> {
    let show = |x: Option<f64>| {
        x.map(|x| format!("p = {}", num(x)))
            .unwrap_or_else(|| "none in [0, 1]".into())
    };
    vec![
        ("Stage 0 = Stage 1".into(), show(c.stage0_stage1)),
        ("Stage 1 = Stage 2".into(), show(c.stage1_stage2)),
    ]
}

fn range_items(ranges: &[StageRange<f64>]) -> Vec<String> {
    ranges
        .iter()
        .map(|r| {
            format!(
                "{} for {} ≤ p ≤ {}",
                stage_label(r.stage.number()),
                num(r.from),
                num(r.to)
            )
        })
        .collect()
}

fn fill(page: &mut RiskPage, params: &RiskParams, r: &RiskReport) -> Result<(), ApiError> {
    let a = &r.analysis;
    let best = a.optimal_stage.map(|s| s.number());
    let f = a.failure.as_ref();
    page.has_p = f.is_some();
    page.rows = vec![
        StageRow {
            label: format!("Stage 0 ({} council)", a.councils.stage0),
            overrides: num(a.council_override.stage0),
            blocked: num(a.council_blocked.stage0),
            failure: f.map(|f| num(f.stage0)).unwrap_or_default(),
            best: best == Some(0),
        },
        StageRow {
            label: format!("Stage 1 ({} council)", a.councils.stage1),
            overrides: num(a.council_override.stage1),
            blocked: num(a.council_blocked.stage1),
            failure: f.map(|f| num(f.stage1)).unwrap_or_default(),
            best: best == Some(1),
        },
        StageRow {
            label: "Stage 2 (no council)".into(),
            overrides: "—".into(),
            blocked: "—".into(),
            failure: f.map(|f| num(f.stage2)).unwrap_or_default(),
            best: best == Some(2),
        },
    ];
    page.crossovers = crossover_items(&a.crossovers);
    page.ranges = range_items(&a.optimal_ranges);
    page.verdict = match (a.proof_failure, a.optimal_stage) {
        (Some(p), Some(s)) => Some(format!(
            "At p = {}, {} is the least risky.",
            num(p),
            stage_label(s.number())
        )),
        _ => None,
    };
    page.assumptions = r.assumptions.clone();
    let opts = ChartOptions {
        proof_failure: params.proof_failure.as_ref().map(|p| p.value()),
        ..ChartOptions::default()
    };
    page.stage_chart = Some(crate::pages::compact_svg(
        &stage_chart_svg(&params.model, &opts)
            .map_err(|e| ApiError::internal(format!("drawing the chart: {e}")))?,
    ));
    page.regions_chart = Some(crate::pages::compact_svg(
        &regions_chart_svg(&params.model, &opts)
            .map_err(|e| ApiError::internal(format!("drawing the chart: {e}")))?,
    ));
    Ok(())
}

/// `project=ID` and its optional `as_of`.
type ProjectArg = (String, Option<String>);

/// A nested council's stage lines, the council and its Stage 1 label.
type NestedLines = (StageLines<f64>, NestedCouncil, String);

/// The query of `/risk` split: the model's inputs, and the project
/// (`project`, `as_of`) whose council is the Stage 1 council.
fn page_query(raw: Option<&str>) -> Result<(RiskQuery, Option<ProjectArg>), ApiError> {
    let mut pairs = params::pairs(raw)?;
    let mut known: Vec<&str> = RiskQuery::KEYS.to_vec();
    known.extend(["project", "as_of"]);
    params::check_known(&pairs, &known)?;
    let take = |pairs: &mut Vec<(String, String)>, key: &str| {
        let v = pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        pairs.retain(|(k, _)| k != key);
        v.filter(|v| !v.is_empty())
    };
    let project = take(&mut pairs, "project");
    let as_of = take(&mut pairs, "as_of");
    let mut q = RiskQuery::default();
    for (k, v) in pairs {
        q.set(&k, v);
    }
    match (project, as_of) {
        (Some(p), a) => Ok((q, Some((p, a)))),
        (None, Some(_)) => Err(ApiError::bad_request(
            "`as_of` is the day of `project`'s council: give `project` too",
        )),
        (None, None) => Ok((q, None)),
    }
}

/// A project's Security Council as `/risk` models it.
struct Resolved {
    note: ProjectNote,
    project: Arc<ProjectFile>,
    as_of: Date,
    stage: Option<Stage>,
}

fn resolve(app: &App, id: &str, as_of: Option<&str>) -> Result<Resolved, ApiError> {
    let as_of = match as_of {
        Some(d) => params::parse_date("as_of", d)?,
        None => app.today(),
    };
    let live = app.live();
    let current = live.project(id).ok_or_else(|| {
        ApiError::bad_request(format!("`project`: {}", crate::api::no_project_message(id)))
    })?;
    let project = Arc::new(current.project.clone());
    let name = project.project.name.clone();
    let verdict_stage = live
        .day(as_of, None)
        .ok()
        .and_then(|day| day.get(id).map(|i| i.assessment.verdict.stage));
    let stage_number = verdict_stage.and_then(|s| match s {
        l2stage_framework::Stage::Stage0 => Some(Stage::Zero),
        l2stage_framework::Stage::Stage1 => Some(Stage::One),
        l2stage_framework::Stage::Stage2 => Some(Stage::Two),
        _ => None,
    });
    let stage_line = match verdict_stage {
        Some(s) => format!("{name} is {} on {as_of}", s.label()),
        None => format!("{name} on {as_of}"),
    };
    let Some((gov, actor)) = security_council(&project, as_of) else {
        return Err(ApiError::bad_request(format!(
            "`project`: {}",
            no_council(as_of)
        )));
    };
    let setup = l2stage_governance::council::setup(gov, actor);
    if setup.entities > MAX_COUNCIL_MEMBERS {
        return Err(ApiError::bad_request(format!(
            "`project` {id}: its council has {} entities: this service models councils of at most {MAX_COUNCIL_MEMBERS} members",
            setup.entities
        )));
    }
    let council = match nested_council(gov, actor, &BaseModel::default()) {
        Some((n, _)) => format!(
            "{name}'s Security Council: nested Safes, {}",
            n.root.describe()
        ),
        None => match council_shape(&project, as_of) {
            Some((_, shape, _)) => format!("{name}'s Security Council: {shape} (per entity)"),
            None => {
                return Err(ApiError::bad_request(format!(
                    "`project`: {}",
                    no_council(as_of)
                )));
            }
        },
    };
    Ok(Resolved {
        note: ProjectNote {
            id: id.to_string(),
            as_of: as_of.to_string(),
            stage_line,
            council,
        },
        project,
        as_of,
        stage: stage_number,
    })
}

/// The lines of the three stages with a project's Security Council as
/// the Stage 1 council under `model` (its q, common shock, Stage 0
/// council, formula), and the Stage 1 label: the one computation behind
/// the project page's chart and `/risk?project=ID`. `None` for a council
/// the exact nested model does not cover (it is then its `K/N` shape).
fn project_lines(
    project: &ProjectFile,
    as_of: Date,
    model: &BaseModel,
) -> Option<Result<NestedLines, ApiError>> {
    let (gov, actor) = security_council(project, as_of)?;
    let (nested, line) = nested_council(gov, actor, model)?;
    let label = format!("Stage 1 ({})", nested.root.describe());
    Some(
        model
            .council(model.stage0)
            .map(|c| StageLines {
                stage0: c.tails().line(model.stage0, model.formula),
                stage1: line,
                stage2: Line::proof_only(),
            })
            .map(|lines| (lines, nested, label))
            .map_err(|e| ApiError::bad_request(e.to_string())),
    )
}

fn risk_page(app: &App, raw: Option<&str>) -> (StatusCode, RiskPage) {
    let (q, proj) = page_query(raw).unwrap_or_default();
    let mut page = RiskPage {
        fields: fields(&q),
        additive: q.formula.as_deref() == Some("additive"),
        error: None,
        rows: Vec::new(),
        has_p: false,
        crossovers: Vec::new(),
        ranges: Vec::new(),
        verdict: None,
        assumptions: Vec::new(),
        stage_chart: None,
        regions_chart: None,
        api_href: "/api/v1/risk".into(),
        project: None,
    };
    let result = page_query(raw).and_then(|(mut q, proj)| {
        let resolved = match &proj {
            Some((id, as_of)) => {
                if q.stage1_council.as_deref().is_some_and(|s| !s.trim().is_empty()) {
                    return Err(ApiError::bad_request(
                        "`stage1_council` and `project` both give the Stage 1 council: give one",
                    ));
                }
                let r = resolve(app, id, as_of.as_deref())?;
                if let Some((_, shape, _)) = council_shape(&r.project, r.as_of) {
                    q.stage1_council = Some(shape.to_string());
                }
                Some(r)
            }
            None => None,
        };
        let api_query = api_query(&q);
        page.api_href = if api_query.is_empty() {
            "/api/v1/risk".into()
        } else {
            format!("/api/v1/risk?{api_query}")
        };
        let params = validated(&q)?;
        let r = bounded_report(&params)?;
        fill(&mut page, &chart_params(&params)?, &r)?;
        if let Some(res) = resolved {
            if let Some(lines) = project_lines(&res.project, res.as_of, &params.model) {
                if !params.model.correlation.is_zero() {
                    return Err(ApiError::bad_request(
                        "`correlation` is not supported with a project's nested council (its members have their own entities); use `common_shock`",
                    ));
                }
                if params.model.formula != l2stage_risk::Formula::Union {
                    return Err(ApiError::bad_request(
                        "`formula=additive` is not available with a project's nested council: its exact model gives the union formula's loss",
                    ));
                }
                let (lines, nested, label) = lines?;
                fill_nested(&mut page, &params, &lines, &nested, &label)?;
            }
            if let Some(s) = res.stage {
                for (i, row) in page.rows.iter_mut().enumerate() {
                    if i == s.number() as usize {
                        row.label = format!("{} — {}", row.label, res.note.stage_line);
                    }
                }
            }
            page.project = Some(res.note);
        }
        Ok(())
    });
    if let Some((id, as_of)) = proj {
        if page.project.is_none() {
            page.project = Some(ProjectNote {
                id: id.clone(),
                as_of: as_of.unwrap_or_default(),
                stage_line: id,
                council: String::new(),
            });
        }
    }
    match result {
        Ok(()) => (StatusCode::OK, page),
        Err(e) => {
            page.error = Some(e.body.message);
            (e.status, page)
        }
    }
}

/// The model's inputs as a query string for `/api/v1/risk`.
fn api_query(q: &RiskQuery) -> String {
    let v = [
        ("member_failure", &q.member_failure),
        ("stage0_council", &q.stage0_council),
        ("stage1_council", &q.stage1_council),
        ("proof_failure", &q.proof_failure),
        ("correlation", &q.correlation),
        ("common_shock", &q.common_shock),
        ("formula", &q.formula),
        ("horizon", &q.horizon),
    ];
    v.iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| format!("{k}={}", url_escape(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn url_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The Stage 1 row, crossovers, ranges, verdict and chart for a nested
/// council (the report's K/N would be a flattening of it).
fn fill_nested(
    page: &mut RiskPage,
    params: &RiskParams,
    lines: &StageLines<f64>,
    nested: &NestedCouncil,
    label: &str,
) -> Result<(), ApiError> {
    let joint = nested
        .joint()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let p = params.proof_failure.as_ref().map(|p| p.value());
    let best = p.map(|p| lines.optimal(&p).number());
    if let Some(row) = page.rows.get_mut(1) {
        row.label = format!("{label} council");
        row.overrides = num(joint.overrides());
        row.blocked = num(joint.override_and_blocked + joint.blocked_only);
        row.failure = p.map(|p| num(lines.stage1.at(&p))).unwrap_or_default();
    }
    for (i, row) in page.rows.iter_mut().enumerate() {
        row.best = best == Some(i as u8);
    }
    page.crossovers = crossover_items(&lines.crossovers());
    page.ranges = range_items(&lines.optimal_ranges());
    page.verdict = match (p, best) {
        (Some(p), Some(s)) => Some(format!(
            "At p = {}, {} is the least risky.",
            num(p),
            stage_label(s)
        )),
        _ => None,
    };
    let opts = ChartOptions {
        proof_failure: p,
        ..ChartOptions::default()
    };
    page.stage_chart = Some(crate::pages::compact_svg(
        &stage_chart_with_stage1_svg(&params.model, &lines.stage1, label, &opts)
            .map_err(|e| ApiError::internal(format!("drawing the chart: {e}")))?,
    ));
    // The (p, q) regions chart sweeps K/N councils: it does not apply.
    page.regions_chart = None;
    page.assumptions.push(format!(
        "the Stage 1 council is the project's Security Council, nested Safes {}, assessed exactly, Safe by Safe (as l2stage risk --project); keys of one entity break together, entities independently",
        nested.root.describe()
    ));
    Ok(())
}

/// `GET /risk`: the post's chart, with a form to change the assumptions.
pub async fn page(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let res = tokio::task::spawn_blocking(move || {
        let (status, page) = risk_page(&app, raw.as_deref());
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => crate::pages::error_page(&ApiError::internal(format!("rendering: {e}"))),
        }
    })
    .await;
    match res {
        Ok(r) => r,
        Err(e) => crate::pages::error_page(&ApiError::internal(format!("risk task failed: {e}"))),
    }
}

/// The project's Security Council: the multisig with `security_council =
/// true` in the governance structure in force on `as_of`.
fn security_council(project: &ProjectFile, as_of: Date) -> Option<(&Governance, &Actor)> {
    let gov = project
        .governance
        .as_ref()
        .filter(|g| g.applies_on(as_of))?;
    let c = gov.security_councils().next()?;
    Some((gov, c))
}

/// The project's Security Council as a `K/N` shape over its entities, when
/// the governance structure in force on `as_of` names one (a multisig with
/// `security_council = true`). Keys of one entity count once; a nested
/// council is flattened to "any K of its N entities" (flagged `true`).
pub fn council_shape(project: &ProjectFile, as_of: Date) -> Option<(String, CouncilShape, bool)> {
    let (gov, c) = security_council(project, as_of)?;
    let setup = l2stage_governance::council::setup(gov, c);
    let shape = CouncilShape::new(setup.entity_threshold, setup.entities).ok()?;
    Some((c.id.clone(), shape, !setup.nested.is_empty()))
}

/// A nested council's exact model, as `l2stage risk --project` builds it
/// (`l2stage_report::risk_input`) with `model`'s q per key, and its loss
/// line under the union formula: `None` for a flat council and for the
/// nested ones the exact model does not cover (those stay flattened, as in
/// [`council_shape`]).
fn nested_council(
    gov: &Governance,
    actor: &Actor,
    model: &BaseModel,
) -> Option<(NestedCouncil, Line<f64>)> {
    let input = council_input(
        actor,
        gov,
        &model.member_failure,
        false,
        &model.common_shock,
    )
    .ok()?;
    match input.council {
        CouncilStructure::Nested(n) => {
            let line = n.joint().ok()?.line();
            Some((n, line))
        }
        CouncilStructure::Flat(_) | CouncilStructure::Flattened(_) => None,
    }
}

/// The chart of a nested council drawn exactly, and its note.
fn nested_chart(
    nested: &NestedCouncil,
    line: &Line<f64>,
    model: &BaseModel,
) -> (Option<String>, String) {
    let structure = nested.root.describe();
    let label = format!("Stage 1 ({structure})");
    match stage_chart_with_stage1_svg(model, line, &label, &ChartOptions::default()) {
        Ok(svg) => {
            let mut note = format!(
                "Loss probability of each stage against the proof system's failure probability p, with this project's Security Council as the Stage 1 council: nested Safes, {structure} (a Safe of Safes signs when that many of its signers do; K/N is a Safe of keys), assessed exactly, Safe by Safe, as l2stage risk --project does. The post's other assumptions: each key breaks with q = 0.1, keys of one entity together and entities independently; Stage 0 council 4/7; union formula."
            );
            for e in nested.shared_entities() {
                note += &format!(
                    " {e} signs in several of its Safes and breaks in all of them at once."
                );
            }
            (Some(svg), note)
        }
        Err(e) => (None, format!("The chart could not be drawn: {e}")),
    }
}

/// What a project's page shows of its council's risk, computed once per
/// view: the chart, its note, the crossovers printed under it (the same
/// numbers `/risk?project=ID&as_of=DAY` prints), and whether `/risk` can
/// take the council (`/risk?project=` when so).
pub struct ProjectRisk {
    pub svg: Option<String>,
    pub note: String,
    pub crossovers: Vec<(String, String)>,
    pub has_council: bool,
}

/// The risk chart for a project's council and what goes with it: a nested
/// council exactly (as `l2stage risk --project` assesses it, its joint
/// model built once for chart and crossovers), any other as its `K/N`
/// shape over entities.
pub fn project_risk(project: &ProjectFile, as_of: Date) -> ProjectRisk {
    let shape = council_shape(project, as_of);
    let has_council = shape.is_some();
    let Some((gov, actor)) = security_council(project, as_of) else {
        return ProjectRisk {
            svg: None,
            note: no_council(as_of),
            crossovers: Vec::new(),
            has_council,
        };
    };
    // The post's assumptions: q = 0.1 per key, Stage 0 council 4/7, union.
    let model = BaseModel::default();
    if let Some((nested, line)) = nested_council(gov, actor, &model) {
        let (svg, note) = nested_chart(&nested, &line, &model);
        let crossovers = model
            .council(model.stage0)
            .map(|c| {
                let lines = StageLines {
                    stage0: c.tails().line(model.stage0, model.formula),
                    stage1: line,
                    stage2: Line::proof_only(),
                };
                crossover_items(&lines.crossovers())
            })
            .unwrap_or_default();
        return ProjectRisk {
            svg,
            note,
            crossovers,
            has_council,
        };
    }
    let Some((_, shape, nested)) = shape else {
        return ProjectRisk {
            svg: None,
            note: no_council(as_of),
            crossovers: Vec::new(),
            has_council,
        };
    };
    let model = BaseModel {
        stage1: shape,
        ..model
    };
    let crossovers = if shape.n() > MAX_COUNCIL_MEMBERS {
        Vec::new()
    } else {
        bounded_report(&RiskParams {
            model: model.clone(),
            proof_failure: None,
        })
        .map(|r| crossover_items(&r.analysis.crossovers))
        .unwrap_or_default()
    };
    let (svg, note) = match stage_chart_svg(&model, &ChartOptions::default()) {
        Ok(svg) => (
            Some(svg),
            format!(
                "Loss probability of each stage against the proof system's failure probability p, with this project's {shape} Security Council (counted per entity) as the Stage 1 council and the post's other assumptions (members break independently with q = 0.1; Stage 0 council 4/7).{}",
                if nested {
                    " The council spans nested Safes; it is drawn as any of its entities reaching the count, which ignores which Safe each must sign in."
                } else {
                    ""
                }
            ),
        ),
        Err(e) => (None, format!("The chart could not be drawn: {e}")),
    };
    ProjectRisk {
        svg,
        note,
        crossovers,
        has_council,
    }
}

/// The chart and its note alone.
#[cfg(test)]
fn project_chart(project: &ProjectFile, as_of: Date) -> (Option<String>, String) {
    let r = project_risk(project, as_of);
    (r.svg, r.note)
}

fn no_council(as_of: Date) -> String {
    format!(
        "No chart: the project file does not describe a Security Council in force on {as_of} (a [governance] multisig with security_council = true)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(id: &str) -> ProjectFile {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../catalog")
            .join(format!("{id}.toml"));
        match l2stage_model::load_path(&path) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// Base's 2025 structure (three Safes), kept as a fixture since the
    /// catalog file describes Base after it left the Superchain.
    fn base_2025() -> ProjectFile {
        fixture("base-2025.toml")
    }

    /// A 2025 structure kept as a test fixture (the repository's `fixtures/` folder).
    fn fixture(file: &str) -> ProjectFile {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(file);
        match l2stage_model::load_path(&path) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_chart_uses_the_council_in_force_counted_per_entity() {
        // Base: 9 of 12 entities across nested Safes (docs.base.org).
        let (id, shape, nested) = council_shape(&base_2025(), day("2025-09-01")).unwrap();
        assert_eq!(
            (id.as_str(), shape.to_string(), nested),
            ("base-governance-multisig", "9/12".into(), true)
        );
        // Drawn exactly, Safe by Safe, with the structure named.
        let (svg, note) = project_chart(&base_2025(), day("2025-09-01"));
        let svg = svg.expect("a chart");
        assert!(
            note.contains("nested Safes, 2 of (2 of (7/10, 3/6), 5/7)")
                && note.contains("assessed exactly"),
            "{note}"
        );
        assert!(
            !note.contains("9/12") && !note.contains("ignores which Safe"),
            "{note}"
        );
        assert!(svg.contains("Stage 1 (2 of (2 of (7/10, 3/6), 5/7))"));
        assert!(!svg.contains("9/12 council"));
        // Stage 2 is safer below S / (1 − W) = 5701/49977248782 ≈ 1.14e-7
        // (docs/risk.md, --project).
        assert!(svg.contains("p = 1.14e-7"));
        // Since 2026-03-04: 2 of (Coinbase 3/6, council 8/11), still 9 of
        // 12 entities; before that day the catalog file has no structure.
        let base = catalog("base");
        let (id, shape, nested) = council_shape(&base, day("2026-12-06")).unwrap();
        assert_eq!(
            (id.as_str(), shape.to_string(), nested),
            ("base-governance-multisig", "9/12".into(), true)
        );
        assert!(council_shape(&base, day("2026-03-03")).is_none());
        // Scroll's 9/12 council until it was replaced on 2026-06-01 (the
        // 2025 structure, kept as a fixture).
        let scroll = fixture("scroll-2025.toml");
        let (_, shape, nested) = council_shape(&scroll, day("2026-05-31")).unwrap();
        assert_eq!((shape.to_string(), nested), ("9/12".into(), false));
        assert!(council_shape(&scroll, day("2026-06-01")).is_none());
        let (svg, note) = project_chart(&scroll, day("2026-06-01"));
        assert!(svg.is_none());
        assert!(note.contains("in force on 2026-06-01"), "{note}");
    }

    /// A flagged 2 of (safe-a, T, T): T's two keys beside a nested Safe are
    /// beyond the exact model (as in `l2stage risk --project`).
    fn mixed() -> ProjectFile {
        let src = r#"[project]
id = "nested-rollup"
name = "Nested Rollup"
kind = "optimistic"

[governance.exit]
forced_inclusion = "1d"
finalization = "7d"
proposing = "permissionless"
challenging = "permissionless"

[[governance.actors]]
id = "council"
kind = "multisig"
security_council = true
threshold = 2
members = [{ actor = "safe-a" }, { entity = "T", affiliation = "team" }, { entity = "T", affiliation = "team" }]

[[governance.actors]]
id = "safe-a"
kind = "multisig"
threshold = 2
members = [{ entity = "X" }, { entity = "Y" }, { entity = "Z" }]
"#;
        match l2stage_model::parse_str("mixed.toml", src, l2stage_model::Format::Toml) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_nested_council_beyond_the_exact_model_stays_flattened() {
        let (svg, note) = project_chart(&mixed(), day("2025-09-01"));
        let svg = svg.expect("a chart");
        assert!(
            note.contains("1/4 Security Council") && note.contains("ignores which Safe"),
            "{note}"
        );
        assert!(svg.contains("Stage 1 (1/4 council)"));
    }
}
