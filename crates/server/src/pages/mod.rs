//! The dashboard: server-rendered pages, no JavaScript. Sorting and
//! filtering are plain links and a GET form. Every string from a project
//! file goes through askama's HTML escaping; evidence becomes a link only
//! when it starts with `http://` or `https://`.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;

use l2stage_framework::{Stage, Status};
use l2stage_labels::money::usd;
use l2stage_labels::{BattleTested, CheckStatus, LabelStatus, Labels, ProofSystemSummary, Rating};
use l2stage_model::{Date, Kind, ProjectFile};
use l2stage_store::{CauseKind, TimelineEntry};

use crate::api::{self, Change};
use crate::error::ApiError;
use crate::params::{self, STAGES};
use crate::state::{App, Item};

/// The page for an error.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: String,
    message: String,
    /// Project ids to link, from a 404's "Did you mean: a, b?".
    suggestions: Vec<String>,
}

/// The ids a message of [`not_found_with_suggestions`] names.
fn suggestions_in(message: &str) -> Vec<String> {
    message
        .split_once(" Did you mean: ")
        .map(|(_, rest)| {
            rest.trim_end_matches('?')
                .split(", ")
                .filter(|s| {
                    !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

pub fn error_page(e: &ApiError) -> Response {
    let page = ErrorPage {
        status: format!(
            "{} {}",
            e.status.as_u16(),
            e.status.canonical_reason().unwrap_or("")
        ),
        message: e.body.message.clone(),
        suggestions: if e.status == StatusCode::NOT_FOUND {
            suggestions_in(&e.body.message)
        } else {
            Vec::new()
        },
    };
    match page.render() {
        Ok(html) => (e.status, Html(html)).into_response(),
        Err(_) => (e.status, e.body.message.clone()).into_response(),
    }
}

fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => error_page(&ApiError::internal(format!("rendering the page: {e}"))),
    }
}

/// CSS class of a stage.
pub fn stage_class(stage: Stage) -> &'static str {
    match stage {
        Stage::Stage2 => "st-2",
        Stage::Stage1 => "st-1",
        Stage::Stage0 => "st-0",
        Stage::NotStage0 => "st-n",
        Stage::UnderReview => "st-r",
    }
}

fn stage_from_str(s: &str) -> Option<Stage> {
    STAGES.iter().copied().find(|st| st.as_str() == s)
}

/// A duration in words for the page, via the shared formatter
/// ([`l2stage_report::format::duration`]): `7 days 12 hours`, `12 hours`,
/// `45 seconds`; never negative (the absolute value is written), and a
/// zero window reads `no time`.
pub fn duration_words(s: i64) -> String {
    if s == 0 {
        return "no time".into();
    }
    l2stage_report::format::duration(s.saturating_abs())
}

/// The exit window as the table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitView {
    pub label: String,
    /// `ew-green`, `ew-yellow`, `ew-red`, `ew-none`, `ew-unknown`.
    pub class: &'static str,
    /// The window in seconds when it is positive.
    pub seconds: Option<i64>,
    /// Sorting key: none < red < yellow < green, then seconds; `None`
    /// (not computed, "—") sorts last in both directions.
    pub rank: Option<(u8, i64)>,
    /// The window in words, for the project page: never a negative
    /// duration.
    pub words: String,
    pub detail: String,
    /// Nothing can upgrade the system (`"unbounded": true`): green, no
    /// number of seconds.
    pub unbounded: bool,
}

/// Read the `exit_window` key of an assessment's JSON, whatever analysis
/// wrote it: absent or `null` shows "—".
pub fn exit_view(assessment: &Value) -> ExitView {
    let unknown = |detail: &str| ExitView {
        label: "—".into(),
        class: "ew-unknown",
        seconds: None,
        rank: None,
        words: "not computed".into(),
        detail: detail.into(),
        unbounded: false,
    };
    let Some(ew) = assessment.get("exit_window") else {
        return unknown("Not computed for this project.");
    };
    if ew.is_null() {
        return unknown(
            "Not computed: the project file does not describe its governance structure, or nothing can upgrade it.",
        );
    }
    let seconds = ew
        .get("seconds")
        .and_then(Value::as_i64)
        .or_else(|| ew.as_i64());
    let rating = ew
        .get("rating")
        .and_then(Value::as_str)
        .unwrap_or(match seconds {
            None => "none",
            Some(s) if s <= 0 => "none",
            Some(s) if s < 7 * 86_400 => "red",
            Some(s) if s < 30 * 86_400 => "yellow",
            Some(_) => "green",
        });
    let (class, rank) = match rating {
        "green" => ("ew-green", 3),
        "yellow" => ("ew-yellow", 2),
        "red" => ("ew-red", 1),
        _ => ("ew-none", 0),
    };
    let arithmetic = ew.get("arithmetic").and_then(Value::as_str);
    // Immutable contracts: users can always exit before an upgrade.
    let unbounded = ew.get("unbounded").and_then(Value::as_bool) == Some(true)
        || (seconds.is_none() && rating == "green");
    if unbounded {
        return ExitView {
            label: "unbounded".into(),
            class: "ew-green",
            seconds: None,
            rank: Some((3, i64::MAX)),
            words: "unbounded — nothing can upgrade the system, so users can always exit first"
                .into(),
            detail: arithmetic.unwrap_or_default().to_string(),
            unbounded: true,
        };
    }
    let label = match seconds {
        Some(s) if s > 0 => l2stage_report::format::duration_compact(s),
        Some(_) => "none".into(),
        None => "no exit".into(),
    };
    let words = match seconds {
        Some(s) if s > 0 => format!(
            "{} to exit before an upgrade takes effect",
            duration_words(s)
        ),
        Some(0) => "none — an upgrade can take effect as soon as users could exit".into(),
        Some(s) => format!(
            "none — an upgrade can take effect {} before users could exit",
            duration_words(s)
        ),
        None => match arithmetic {
            Some(a) => format!("none — {a}"),
            None => "none — users cannot exit before an upgrade".into(),
        },
    };
    let mut detail = Vec::new();
    if let Some(path) = ew.get("path").and_then(Value::as_array) {
        let p: Vec<&str> = path.iter().filter_map(Value::as_str).collect();
        if !p.is_empty() {
            detail.push(format!("slowest upgrade path: {}", p.join(" → ")));
        }
    }
    if ew
        .get("council_can_upgrade_instantly")
        .and_then(Value::as_bool)
        == Some(true)
    {
        detail.push("the Security Council can upgrade without delay".into());
    }
    // The arithmetic only when its result is a real window: a negative
    // result is said in words above.
    if let Some(a) = arithmetic.filter(|_| seconds.is_some_and(|s| s > 0)) {
        detail.push(a.to_string());
    }
    ExitView {
        label,
        class,
        seconds: seconds.filter(|s| *s > 0),
        rank: Some((rank, seconds.unwrap_or(i64::MIN))),
        words,
        detail: detail.join("; "),
        unbounded: false,
    }
}

// ---------------------------------------------------------------- labels

/// A label's status as a chip: BattleTested on the table and the project
/// page, a proof system's rating.
pub struct LabelChip {
    pub label: &'static str,
    pub icon: &'static str,
    /// `bt-met`, `bt-unmet`, `bt-unknown`; `r-mature`, `r-maturing`,
    /// `r-immature`, `r-not-in-production`.
    pub class: &'static str,
    /// What the chip means, for its tooltip.
    pub title: String,
    /// A date to show under it: `since D` when met, `earliest D` when not.
    pub when: Option<String>,
}

/// Rank for sorting: met highest, then unknown (not enough data), then
/// unmet (a certain failure).
fn bt_rank(s: LabelStatus) -> u8 {
    match s {
        LabelStatus::Met => 2,
        LabelStatus::Unknown => 1,
        LabelStatus::Unmet => 0,
    }
}

/// The BattleTested chip.
pub fn bt_chip(b: &BattleTested) -> LabelChip {
    let (icon, class) = match b.status {
        LabelStatus::Met => ("✓", "bt-met"),
        LabelStatus::Unmet => ("✗", "bt-unmet"),
        LabelStatus::Unknown => ("?", "bt-unknown"),
    };
    let when = match (b.status, b.since, b.earliest) {
        (LabelStatus::Met, Some(s), _) => Some(format!("since {s}")),
        (LabelStatus::Met, None, _) => None,
        (_, _, Some(e)) => Some(format!("earliest {e}")),
        (_, _, None) => None,
    };
    let mut title = match b.status {
        LabelStatus::Met => {
            "BattleTested: unchanged for more than 6 months while holding a large value".to_string()
        }
        LabelStatus::Unmet => "BattleTested: not met".to_string(),
        LabelStatus::Unknown => "BattleTested: not enough data to decide".to_string(),
    };
    if let Some(w) = &when {
        title.push_str(&format!(
            " ({w}{})",
            if b.status == LabelStatus::Met {
                ""
            } else {
                " if nothing changes"
            }
        ));
    }
    for m in b.missing.iter().take(3) {
        title.push_str("\n· ");
        title.push_str(m);
    }
    LabelChip {
        label: b.status.as_str(),
        icon,
        class,
        title,
        when,
    }
}

/// A proof system's rating as a chip.
pub fn rating_chip(r: Rating) -> LabelChip {
    let (icon, class, title) = match r {
        Rating::Mature => ("✓", "r-mature", "every maturing and mature criterion met"),
        Rating::Maturing => (
            "◐",
            "r-maturing",
            "every maturing criterion met, not every mature one",
        ),
        Rating::Immature => (
            "✗",
            "r-immature",
            "in production, but a maturing criterion is not met",
        ),
        Rating::NotInProduction => ("–", "r-not-in-production", "not in production on this day"),
    };
    LabelChip {
        label: r.as_str(),
        icon,
        class,
        title: title.to_string(),
        when: None,
    }
}

/// `$100M`: a threshold, in whole millions when it is one.
fn threshold(v: f64) -> String {
    if v >= 1e6 && (v / 1e6).fract() == 0.0 {
        format!("${}M", v / 1e6)
    } else {
        usd(v)
    }
}

struct BattleTestedView {
    chip: LabelChip,
    /// One sentence: since when it is met, or when it could be.
    headline: String,
    facts: Vec<(&'static str, String)>,
    /// Links given for the last safety-relevant change (http(s) only).
    change_links: Vec<EvidenceLink>,
    missing: Vec<String>,
}

fn battle_tested_view(b: &BattleTested) -> BattleTestedView {
    use l2stage_labels::battle_tested::{MIN_ETH_AND_STABLECOINS_USD, MIN_TOTAL_USD, QUIET_MONTHS};
    let headline = match (b.status, b.since, b.earliest) {
        (LabelStatus::Met, Some(s), _) => format!("Met since {s}."),
        (LabelStatus::Met, None, _) => "Met.".to_string(),
        (_, _, Some(e)) => format!("Earliest {e}, if nothing changes: no new safety-relevant change, and the value locked stays at its last observed level."),
        (_, _, None) => match &b.no_earliest_because {
            Some(why) => format!("No date: {why}."),
            None => "No date: the data do not show a day on which it would be met if nothing changes (see what is missing).".to_string(),
        },
    };
    let mut facts = Vec::new();
    facts.push((
        "Clock start",
        match (b.clock_start, &b.last_safety_relevant_change) {
            (Some(c), Some(l)) if l.date == c => format!("{c} (the last safety-relevant change)"),
            (Some(c), _) => format!("{c} (live since)"),
            (None, _) => "not known".to_string(),
        },
    ));
    facts.push((
        "Last safety-relevant change",
        match &b.last_safety_relevant_change {
            Some(l) => format!("{}: {}", l.date, l.summary),
            None => "none declared".to_string(),
        },
    ));
    facts.push((
        "Value checked",
        match b.value_checked {
            Some(w) => format!(
                "{} to {}: every day above {} in total, at least {} of it in ETH and major stablecoins",
                w.from,
                w.to,
                threshold(MIN_TOTAL_USD),
                threshold(MIN_ETH_AND_STABLECOINS_USD)
            ),
            None => format!("the last {QUIET_MONTHS} months (no period computed)"),
        },
    ));
    facts.push((
        "Latest value",
        match b.latest_value {
            Some(v) => format!(
                "{} on {}, {}",
                usd(v.total),
                v.date,
                match v.eth_and_stablecoins {
                    Some(x) => format!("{} of it in ETH and major stablecoins", usd(x)),
                    None => "ETH and stablecoin split not given".to_string(),
                }
            ),
            None => "no value-locked point on or before this day".to_string(),
        },
    ));
    if let Some(t) = b.gap_tolerance_days {
        facts.push(("Gap tolerance", format!("{t} days between points")));
    }
    let change_links = b
        .last_safety_relevant_change
        .iter()
        .flat_map(|c| c.evidence.iter())
        .map(|e| evidence(e))
        .filter_map(|e| e.href.map(|href| EvidenceLink { href, text: e.text }))
        .collect();
    BattleTestedView {
        chip: bt_chip(b),
        headline,
        facts,
        change_links,
        missing: b.missing.clone(),
    }
}

struct AuditView {
    date: String,
    firm: String,
    href: Option<String>,
    /// The audit's `url` when it is not an http(s) link: shown as text.
    url_text: Option<String>,
    scope: Option<String>,
}

struct IncidentView {
    date: String,
    severity: &'static str,
    summary: String,
    links: Vec<EvidenceLink>,
    notes: Vec<String>,
}

struct CriterionView {
    id: &'static str,
    level: &'static str,
    status: &'static str,
    class: &'static str,
    icon: &'static str,
    detail: String,
}

struct ProofSystemView {
    id: String,
    name: String,
    kind: &'static str,
    implementation: String,
    version: Option<String>,
    chip: LabelChip,
    production: String,
    audit_summary: String,
    audits: Vec<AuditView>,
    bounty: String,
    bounty_href: Option<String>,
    incidents: Vec<IncidentView>,
    trusted_setup: &'static str,
    prover_source: &'static str,
    verifier_reproducible: &'static str,
    programs_reproducible: &'static str,
    shared_components: Vec<String>,
    shares_with: Vec<(String, String)>,
    criteria: Vec<CriterionView>,
    next: Option<&'static str>,
    missing_for_next: Vec<String>,
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not declared",
    }
}

fn proof_system_view(p: &ProofSystemSummary) -> ProofSystemView {
    let firms = p.audit_firms.len();
    ProofSystemView {
        id: p.id.clone(),
        name: p.name.clone(),
        kind: p.kind.as_str(),
        implementation: p.implementation.clone(),
        version: p.version.clone(),
        chip: rating_chip(p.rating),
        production: match (p.in_production_since, p.months_in_production) {
            (Some(s), Some(m)) => format!("since {s} ({m} months)"),
            (Some(s), None) => format!("not yet: from {s}"),
            _ => "no production date declared".to_string(),
        },
        audit_summary: match p.audits.len() {
            0 => "none on or before this day".to_string(),
            n => format!(
                "{n} audit{} by {firms} firm{}",
                if n == 1 { "" } else { "s" },
                if firms == 1 { "" } else { "s" }
            ),
        },
        audits: p
            .audits
            .iter()
            .map(|a| AuditView {
                date: a.date.to_string(),
                firm: a.firm.clone(),
                href: is_link(&a.url).then(|| a.url.clone()),
                url_text: (!is_link(&a.url) && !a.url.trim().is_empty()).then(|| a.url.clone()),
                scope: a.scope.clone(),
            })
            .collect(),
        bounty: match p.bug_bounty_usd {
            Some(b) => format!("up to {}", usd(b)),
            None => "no active bug bounty declared".to_string(),
        },
        bounty_href: p.bug_bounty_url.clone().filter(|u| is_link(u)),
        incidents: p
            .incidents
            .iter()
            .map(|i| {
                let mut links = Vec::new();
                let mut notes = Vec::new();
                for e in i.evidence.iter().map(|e| evidence(e)) {
                    match e.href {
                        Some(href) => links.push(EvidenceLink { href, text: e.text }),
                        None => notes.push(e.text),
                    }
                }
                IncidentView {
                    date: i.date.to_string(),
                    severity: i.severity.as_str(),
                    summary: i.summary.clone(),
                    links,
                    notes,
                }
            })
            .collect(),
        trusted_setup: p
            .trusted_setup_risk
            .map(|r| r.as_str())
            .unwrap_or("not declared"),
        prover_source: yes_no(p.prover_source_published),
        verifier_reproducible: yes_no(p.verifier_reproducible),
        programs_reproducible: yes_no(p.programs_reproducible),
        shared_components: p.shared_components.clone(),
        shares_with: p
            .shares_with
            .iter()
            .map(|s| (s.component.clone(), s.proof_systems.join(", ")))
            .collect(),
        criteria: p
            .criteria
            .iter()
            .map(|c| {
                let (status, class, icon) = match c.status {
                    CheckStatus::Met => ("met", "c-met", "✓"),
                    CheckStatus::Unmet => ("unmet", "c-unmet", "✗"),
                    CheckStatus::Unknown => ("unknown", "c-unknown", "?"),
                };
                CriterionView {
                    id: c.id,
                    level: c.level.as_str(),
                    status,
                    class,
                    icon,
                    detail: c.detail.clone(),
                }
            })
            .collect(),
        next: match p.rating {
            Rating::NotInProduction | Rating::Immature => Some(Rating::Maturing.as_str()),
            Rating::Maturing => Some(Rating::Mature.as_str()),
            Rating::Mature => None,
        },
        missing_for_next: p.missing_for_next.clone(),
    }
}

struct LabelsView {
    battle_tested: BattleTestedView,
    proof_systems: Vec<ProofSystemView>,
    notes: Vec<String>,
}

fn labels_view(l: &Labels) -> LabelsView {
    LabelsView {
        battle_tested: battle_tested_view(&l.battle_tested),
        proof_systems: l.proof_systems.iter().map(proof_system_view).collect(),
        notes: l.notes.clone(),
    }
}

pub mod chain;
mod index;
mod project;

// Helpers one page defines and the other (or the shared views) uses.
use index::{RiskMark, before_framework, countdown, risk_marks, short_titles, split_missing};
use project::{EvidenceLink, evidence, is_link};

pub use index::index;
pub use project::project;

/// A chart's SVG made lighter for the page, drawing the same: `opacity="1"`
/// dropped, long decimals cut to one digit, and runs of rectangles of one
/// colour grouped under a `<g>` that carries it (the regions chart draws
/// hundreds).
pub fn compact_svg(svg: &str) -> String {
    // `<rect x="1" y="2" width="3" height="4" opacity="O" fill="F" stroke="none"/>`
    fn rect_parts(line: &str) -> Option<(&str, &str)> {
        let body = line
            .trim()
            .strip_prefix("<rect ")?
            .strip_suffix(" stroke=\"none\"/>")?;
        let (geometry, paint) = body.split_at(body.find(" opacity=")?);
        paint.contains(" fill=").then_some((geometry, paint))
    }
    let mut out = String::with_capacity(svg.len());
    let mut group: Option<String> = None;
    for line in svg.lines() {
        match rect_parts(line) {
            Some((geometry, paint)) if !geometry.contains("width=\"960\"") => {
                if group.as_deref() != Some(paint) {
                    if group.is_some() {
                        out.push_str("</g>");
                    }
                    out.push_str(&format!("<g{paint} stroke=\"none\">"));
                    group = Some(paint.to_string());
                }
                out.push_str(&format!("<rect {geometry}/>"));
            }
            _ => {
                if group.take().is_some() {
                    out.push_str("</g>");
                }
                out.push_str(&shorten_decimals(&line.replace(" opacity=\"1\"", "")));
                out.push('\n');
            }
        }
    }
    if group.is_some() {
        out.push_str("</g>");
    }
    out
}

/// `font-size="12.096774193548388"` → `font-size="12.1"`: an attribute
/// that is one long decimal number is rounded to one decimal, finer than a
/// pixel; text and other values are kept.
fn shorten_decimals(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find("=\"") {
        out.push_str(&rest[..i + 2]);
        rest = &rest[i + 2..];
        let Some(end) = rest.find('"') else { break };
        let value = &rest[..end];
        let long = value.split_once('.').is_some_and(|(_, dec)| dec.len() > 3);
        match value.parse::<f64>() {
            Ok(v) if long && v.is_finite() => out.push_str(&format!("{v:.1}")),
            _ => out.push_str(value),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

const CSS: &str = include_str!("../../static/style.css");

/// `GET /static/style.css`.
pub async fn css() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        CSS,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::project::*;
    use super::*;

    #[test]
    fn exit_window_reads_whatever_the_analysis_wrote() {
        let none = exit_view(&serde_json::json!({"id": "x"}));
        assert_eq!((none.label.as_str(), none.class), ("—", "ew-unknown"));
        let null = exit_view(&serde_json::json!({"exit_window": null}));
        assert_eq!(null.label, "—");
        let ten = exit_view(&serde_json::json!({"exit_window": {
            "seconds": 864000, "rating": "yellow", "path": ["dao", "timelock"],
            "council_can_upgrade_instantly": true, "arithmetic": "8d + 3d - 1d = 10d"}}));
        assert_eq!(
            (ten.label.as_str(), ten.class, ten.seconds),
            ("10d", "ew-yellow", Some(864000))
        );
        assert!(ten.detail.contains("dao → timelock"));
        let neg = exit_view(&serde_json::json!({"exit_window": {"seconds": -5, "rating": "none"}}));
        assert_eq!((neg.label.as_str(), neg.class), ("none", "ew-none"));
        let no_exit =
            exit_view(&serde_json::json!({"exit_window": {"seconds": null, "rating": "none"}}));
        assert_eq!(no_exit.label, "no exit");
        // Immutable: unbounded, green, sorted above every window.
        let immutable = exit_view(&serde_json::json!({"exit_window": {
            "seconds": null, "rating": "green", "unbounded": true, "path": []}}));
        assert_eq!(
            (
                immutable.label.as_str(),
                immutable.class,
                immutable.unbounded
            ),
            ("unbounded", "ew-green", true)
        );
        assert!(immutable.rank > ten.rank && ten.rank > neg.rank && neg.rank > no_exit.rank);
        assert!(none.rank.is_none());
    }

    #[test]
    fn negative_durations_are_said_in_words() {
        assert_eq!(
            no_negative("window 0s − exit time = -7d 8h 43m 36s"),
            "window 0s − exit time = none (7d 8h 43m 36s too short)"
        );
        assert_eq!(
            no_negative("paths: -7d 12h via a → b; ok"),
            "paths: none (7d 12h too short) via a → b; ok"
        );
        assert_eq!(no_negative("-3d, then"), "none (3d too short), then");
        // Hyphens elsewhere, subtraction and ids stay.
        assert_eq!(
            no_negative("a - b = 3d -x l2-timelock"),
            "a - b = 3d -x l2-timelock"
        );
        assert_eq!(duration_words(-648_000), "7 days 12 hours");
        assert_eq!(duration_words(3_600 * 5 + 60), "5 hours 1 minute");
        assert_eq!(duration_words(86_400 * 6 + 60), "6 days");
    }

    #[test]
    fn compact_svg_groups_rects_and_cuts_decimals() {
        let svg = "<svg>\n<rect x=\"0\" y=\"0\" width=\"960\" height=\"640\" opacity=\"1\" fill=\"#FFFFFF\" stroke=\"none\"/>\n<rect x=\"1\" y=\"2\" width=\"3\" height=\"4\" opacity=\"0.55\" fill=\"#C82828\" stroke=\"none\"/>\n<rect x=\"5\" y=\"6\" width=\"7\" height=\"8\" opacity=\"0.55\" fill=\"#C82828\" stroke=\"none\"/>\n<text font-size=\"12.096774193548388\" opacity=\"1\">p = 1.14e-7</text>\n</svg>";
        assert_eq!(
            compact_svg(svg),
            "<svg>\n<rect x=\"0\" y=\"0\" width=\"960\" height=\"640\" fill=\"#FFFFFF\" stroke=\"none\"/>\n<g opacity=\"0.55\" fill=\"#C82828\" stroke=\"none\"><rect x=\"1\" y=\"2\" width=\"3\" height=\"4\"/><rect x=\"5\" y=\"6\" width=\"7\" height=\"8\"/></g><text font-size=\"12.1\">p = 1.14e-7</text>\n</svg>\n"
        );
    }

    #[test]
    fn the_graph_keeps_its_natural_width() {
        assert_eq!(
            natural_width(
                r#"<svg viewBox="0 0 812 300" width="100%" style="max-width:812px" role="img">"#
            ),
            r#"<svg viewBox="0 0 812 300" width="812" role="img">"#
        );
        assert_eq!(natural_width("<svg width=\"5\">"), "<svg width=\"5\">");
    }

    #[test]
    fn closest_ids_for_a_404() {
        let ids = [
            "arbitrum-one",
            "base",
            "op-mainnet",
            "zksync-era",
            "zksync-lite",
        ];
        assert_eq!(closest_ids("arbitrum", &ids)[0], "arbitrum-one");
        assert_eq!(
            closest_ids("zksync", &ids)[..2],
            ["zksync-era", "zksync-lite"]
        );
        assert!(closest_ids("qqqqqqqq", &ids).is_empty());
    }

    #[test]
    fn only_http_evidence_becomes_a_link() {
        assert!(evidence("https://example.org/a").href.is_some());
        assert!(evidence("javascript:alert(1)").href.is_none());
        assert!(evidence("data:text/html,x").href.is_none());
        assert!(evidence("see the audit").href.is_none());
    }
}
