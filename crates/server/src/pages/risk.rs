//! The `/risk` page: the stage-risk model's chart with a form to change
//! the assumptions, optionally with a project's Security Council as the
//! Stage 1 council (`/risk?project=ID`).

use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use l2stage_model::{Date, ProjectFile};
use l2stage_render::chart::{
    ChartOptions, regions_chart_svg, stage_chart_svg, stage_chart_with_stage1_svg,
};
use l2stage_risk::project::NestedCouncil;
use l2stage_risk::report::{self, RiskParams, RiskQuery};
use l2stage_risk::stages::StageRange;
use l2stage_risk::{BaseModel, Line, ModelStage, RiskReport, StageLines};

use super::council::{
    council_shape, crossover_items, nested_council, no_council, security_council,
};
use crate::error::ApiError;
use crate::params;
use crate::risk::{MAX_COUNCIL_MEMBERS, MAX_EXACT_BITS, bounded_report, validated};
use crate::state::App;

/// Probabilities for people: the one formatter the CLI and the server
/// share (3 significant digits, scientific below 1e-3).
use l2stage_render::format::probability as num;

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
    stage: Option<ModelStage>,
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
        l2stage_framework::Stage::Stage0 => Some(ModelStage::Zero),
        l2stage_framework::Stage::Stage1 => Some(ModelStage::One),
        l2stage_framework::Stage::Stage2 => Some(ModelStage::Two),
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
