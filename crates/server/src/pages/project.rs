//! A project's page (`GET /projects/{id}`): checklist, exit window,
//! permissions, graph, labels, risk chart, timeline and history.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::Response;

use l2stage_model::Date;
use l2stage_render::timeline::{timeline_svg, timeline_svg_sized};
use l2stage_store::CurrentProject;

use super::evidence::is_link;
use super::exit::ExitView;
use super::governance::{ActorView, ContractView, permission_graph, permissions};
use super::labels::LabelsView;
use super::risks::{RiskMark, risk_marks};
use super::timeline::{HistoryRow, TimelineRow};
use super::verdict::{
    self, Group, MissingView, PendingView, before_framework, requirement_groups, verdict_sentence,
};
use super::{error_page, render, stage_class};
use crate::api;
use crate::error::ApiError;
use crate::params;
use crate::state::App;

pub(super) struct Link {
    label: String,
    href: String,
}

#[derive(Template)]
#[template(path = "project.html")]
pub(super) struct ProjectPage {
    id: String,
    name: String,
    kind: &'static str,
    stage_label: &'static str,
    stage_class: &'static str,
    framework: &'static str,
    as_of: String,
    description: Option<String>,
    links: Vec<Link>,
    badge_md: String,
    exit: ExitView,
    labels: LabelsView,
    verdict: String,
    missing: Option<MissingView>,
    pending: Option<PendingView>,
    warnings: Vec<String>,
    actors: Vec<ActorView>,
    contracts: Vec<ContractView>,
    governance_note: String,
    groups: Vec<Group>,
    graph_svg: Option<String>,
    graph_note: String,
    risk_svg: Option<String>,
    risk_note: String,
    risk_href: String,
    risk_crossovers: Vec<(String, String)>,
    /// The risk summary: its rosette (SVG) and the five categories.
    rosette: String,
    risks: Vec<RiskMark>,
    timeline: Vec<TimelineRow>,
    timeline_svg: String,
    timeline_svg_narrow: String,
    /// Sections after the timeline, each rendered by its own template.
    sections: Vec<Section>,
    history: Vec<HistoryRow>,
    history_total: usize,
}

/// A section of the project page built by another module with its own
/// template (so askama escapes every string there), inserted after the
/// stage timeline as it rendered.
pub struct Section {
    pub html: String,
}

impl Section {
    pub fn render<T: Template>(t: &T) -> Result<Section, ApiError> {
        t.render()
            .map(|html| Section { html })
            .map_err(|e| ApiError::internal(format!("rendering a section: {e}")))
    }
}

/// The sections other modules add to the project page, in order: the
/// hook for a chain section (`pages/chain.rs` adds
/// `sections.extend(chain::section(app, current, as_of)?)` here). None
/// yet, so the page is as before.
fn extra_sections(
    app: &App,
    _current: &CurrentProject,
    _as_of: Date,
    verdict: &l2stage_framework::Verdict,
) -> Result<Vec<Section>, ApiError> {
    // What the chain says: verified at which block, the change log, and
    // which requirements rest on chain-read facts.
    let chain = app
        .with_store(|s| super::chain::load(s, &verdict.id, verdict))
        .map_err(|e| ApiError::internal(format!("reading the watch history: {e}")))?;
    Ok(vec![Section::render(&chain)?])
}

/// A 404 for an unknown project id that names the closest ids.
pub(super) fn not_found_with_suggestions(id: &str, ids: &[&str]) -> ApiError {
    let close = closest_ids(id, ids);
    // An over-long id is quoted shortened (the URI may hold 64 KiB).
    let mut msg = format!("{}.", crate::api::no_project_message(id)).replacen("no", "No", 1);
    if !close.is_empty() {
        msg.push_str(&format!(" Did you mean: {}?", close.join(", ")));
    }
    ApiError::not_found(msg)
}

/// Up to three ids closest to `id` (Jaro-Winkler, or one contains the
/// other), best first.
pub fn closest_ids(id: &str, ids: &[&str]) -> Vec<String> {
    let needle = id.to_lowercase();
    let mut scored: Vec<(f64, &str)> = ids
        .iter()
        .map(|c| {
            let mut score = strsim::jaro_winkler(&needle, c);
            if !needle.is_empty() && (c.contains(needle.as_str()) || needle.contains(c)) {
                score = score.max(0.9);
            }
            (score, *c)
        })
        .filter(|(score, _)| *score >= 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

pub(super) fn project_page(
    app: &App,
    id: &str,
    raw: Option<&str>,
    host: Option<&str>,
) -> Result<ProjectPage, ApiError> {
    let pairs = params::pairs(raw)?;
    params::check_known(&pairs, &["as_of", "framework"])?;
    let when = params::when(&pairs)?;
    let today = app.today();
    let as_of = when.as_of.unwrap_or(today);
    let live = app.live();
    let current = live.project(id).ok_or_else(|| {
        let ids: Vec<&str> = live
            .projects
            .iter()
            .map(|p| p.project.project.id.as_str())
            .collect();
        not_found_with_suggestions(id, &ids)
    })?;
    if let Some(msg) = before_framework(as_of) {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, msg));
    }
    let day = live.day(as_of, when.framework.as_deref())?;
    let item = match day.get(id) {
        Some(i) => i,
        None => {
            let msg = day
                .failed
                .iter()
                .find(|(f, _)| f == id)
                .map(|(_, m)| m.clone())
                .unwrap_or_else(|| crate::api::no_project_message(id));
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, msg));
        }
    };
    let v = &item.assessment.verdict;
    let project = &current.project;

    let mut links = Vec::new();
    let l = &project.project.links;
    for (label, url) in [
        ("website", &l.website),
        ("docs", &l.docs),
        ("node software", &l.node_source),
        ("council members", &l.council_members),
        ("repository", &l.repository),
    ] {
        if let Some(u) = url.as_deref().filter(|u| is_link(u)) {
            links.push(Link {
                label: label.to_string(),
                href: u.to_string(),
            });
        }
    }

    let ew = ExitView::from(&item.assessment);
    let verdict = verdict_sentence(v, &ew);
    let (actors, contracts, governance_note) = permissions(project, as_of);
    let entries = live.timeline(current, as_of)?;

    let rows = app
        .with_store(|s| s.assessments(id))
        .map_err(|e| ApiError::internal(format!("reading the history: {e}")))?;
    let records = api::records(&rows);

    let (graph_svg, graph_note) = permission_graph(project, as_of);
    // Chart, note, crossovers and link from one computation per view.
    let risk = live.project_risk(current, as_of);
    let (risk_svg, risk_note, risk_crossovers, has_council) = (
        risk.svg.clone(),
        risk.note.clone(),
        risk.crossovers.clone(),
        risk.has_council,
    );
    // The link opens `/risk` with this project's council on this day: the
    // same computation, so the same numbers.
    let risk_href = if has_council {
        format!("/risk?project={}&as_of={as_of}", v.id)
    } else {
        "/risk".to_string()
    };

    Ok(ProjectPage {
        id: v.id.clone(),
        name: v.name.clone(),
        kind: v.kind.as_str(),
        stage_label: v.stage.label(),
        stage_class: stage_class(v.stage),
        framework: v.framework,
        as_of: v.as_of.to_string(),
        description: project.project.description.clone(),
        links,
        badge_md: match host {
            Some(h) => format!("![stage](http://{h}/badge/{}.svg)", v.id),
            None => format!("![stage](/badge/{}.svg)", v.id),
        },
        exit: ew,
        labels: LabelsView::from(&item.assessment.labels),
        verdict,
        missing: MissingView::of(v),
        pending: PendingView::of(v, as_of),
        warnings: verdict::warnings(v),
        actors,
        contracts,
        governance_note,
        groups: requirement_groups(v),
        graph_svg,
        graph_note,
        risk_svg,
        risk_note,
        risk_href,
        risk_crossovers,
        rosette: l2stage_render::svg::short_titles(&l2stage_render::rosette::rosette_svg(
            &item.assessment.risk_summary,
            // Labels of 11 units in its 380-unit box: 344 px draws them at
            // 10 px, the smallest chart text a phone shows.
            344,
        )),
        risks: risk_marks(&item.assessment.risk_summary),
        timeline: entries.iter().map(TimelineRow::from).collect(),
        timeline_svg: timeline_svg(&entries, as_of),
        timeline_svg_narrow: timeline_svg_sized(&entries, as_of, 380.0, 4),
        sections: extra_sections(app, current, as_of, v)?,
        history: records
            .iter()
            .rev()
            .take(20)
            .map(HistoryRow::from)
            .collect(),
        history_total: records.len(),
    })
}

/// `GET /projects/{id}`: one project's checklist, exit window, timeline.
pub async fn project(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: axum::http::HeaderMap,
) -> Response {
    // Only a plausible host name goes into the badge snippet.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .map(str::to_string);
    let result = tokio::task::spawn_blocking(move || {
        project_page(&app, &id, raw.as_deref(), host.as_deref())
    })
    .await
    .map_err(|e| ApiError::internal(format!("page task failed: {e}")));
    match result {
        Ok(Ok(page)) => render(&page),
        Ok(Err(e)) | Err(e) => error_page(&e),
    }
}
