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

// ---------------------------------------------------------------- index

struct Opt {
    value: String,
    label: String,
    selected: bool,
}

struct Header {
    label: &'static str,
    href: String,
    active: bool,
    arrow: &'static str,
    aria: &'static str,
}

struct Chip {
    label: &'static str,
    class: &'static str,
    count: usize,
    href: String,
}

struct Row {
    id: String,
    name: String,
    href: String,
    kind: &'static str,
    stage_label: &'static str,
    stage_class: &'static str,
    pending: Option<String>,
    exit_label: String,
    exit_class: &'static str,
    exit_title: String,
    bt: LabelChip,
    missing: String,
    /// Requirements the project file does not declare (status unknown).
    needs_data: String,
    /// L2BEAT's reasons for "Others", as labels.
    others: String,
    archived: Option<String>,
    /// The five risk categories, as marks.
    risks: Vec<RiskMark>,
    /// "2 bad, 1 warning".
    risk_count: String,
}

/// One of the five risk categories, as the pages show it: the level in
/// words and as a symbol (never colour only).
struct RiskMark {
    title: &'static str,
    level: &'static str,
    word: &'static str,
    symbol: &'static str,
    text: String,
}

fn risk_marks(summary: &l2stage_report::risk_summary::RiskSummary) -> Vec<RiskMark> {
    use l2stage_report::risk_summary::Level;
    summary
        .entries()
        .iter()
        .map(|(_, title, v)| {
            let (word, symbol) = match v.level {
                Level::Good => ("Good", "✓"),
                Level::Warning => ("Warning", "!"),
                Level::Bad => ("Bad", "✕"),
                Level::Unknown => ("Unknown", "?"),
            };
            RiskMark {
                title,
                level: v.level.as_str(),
                word,
                symbol,
                text: v.text.clone(),
            }
        })
        .collect()
}

/// The rosette with its petals' hover titles cut to "category: level":
/// the texts are listed beside it, and the page stays light.
fn short_titles(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(i) = rest.find("<title>") {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let end = tail.find("</title>").unwrap_or(tail.len());
        let title = &tail[..end];
        out.push_str(title.split(" — ").next().unwrap_or(title));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// "2 bad, 1 warning" (empty when all five are good).
fn risk_count(marks: &[RiskMark]) -> String {
    let n = |l: &str| marks.iter().filter(|m| m.level == l).count();
    [
        ("bad", n("bad")),
        ("warning", n("warning")),
        ("unknown", n("unknown")),
    ]
    .iter()
    .filter(|(_, c)| *c > 0)
    .map(|(l, c)| {
        if *c > 1 && *l == "warning" {
            format!("{c} warnings")
        } else {
            format!("{c} {l}")
        }
    })
    .collect::<Vec<_>>()
    .join(", ")
}

/// A category tab on the list.
struct Tab {
    label: &'static str,
    href: String,
    active: bool,
    count: usize,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    as_of: String,
    today: String,
    is_today: bool,
    framework: String,
    counts: Vec<Chip>,
    stage_options: Vec<Opt>,
    kind_options: Vec<Opt>,
    as_of_input: String,
    sort: &'static str,
    order: &'static str,
    filtered: bool,
    headers: Vec<Header>,
    rows: Vec<Row>,
    tabs: Vec<Tab>,
    /// Set when `as_of` is before the first framework revision: shown
    /// instead of verdicts.
    before_framework: Option<String>,
    total: usize,
    errors: Vec<(String, String)>,
    api_href: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Name,
    Stage,
    Kind,
    Exit,
    BattleTested,
}

impl SortKey {
    fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Stage => "stage",
            SortKey::Kind => "kind",
            SortKey::Exit => "exit",
            SortKey::BattleTested => "battle_tested",
        }
    }
    fn parse(s: &str) -> Result<SortKey, ApiError> {
        match s {
            "name" => Ok(SortKey::Name),
            "stage" => Ok(SortKey::Stage),
            "kind" => Ok(SortKey::Kind),
            "exit" => Ok(SortKey::Exit),
            "battle_tested" => Ok(SortKey::BattleTested),
            _ => Err(ApiError::bad_request(format!(
                "invalid sort `{s}`: expected name, stage, kind, exit or battle_tested"
            ))),
        }
    }
    /// Whether a first click on its header sorts descending (best first).
    fn desc_first(self) -> bool {
        matches!(self, SortKey::Stage | SortKey::BattleTested)
    }
}

/// Rank for sorting: more decentralised is higher; under review lowest.
fn stage_rank(s: Stage) -> i8 {
    s.level().unwrap_or(-2)
}

fn qs(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if kept.is_empty() {
        "/".to_string()
    } else {
        format!(
            "/?{}",
            serde_urlencoded::to_string(kept).unwrap_or_default()
        )
    }
}

fn index_page(app: &App, raw: Option<&str>) -> Result<IndexPage, ApiError> {
    let pairs = params::pairs(raw)?;
    params::check_known(
        &pairs,
        &[
            "stage",
            "kind",
            "as_of",
            "framework",
            "sort",
            "order",
            "category",
        ],
    )?;
    let q = params::list_query(&pairs)?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let sort = match get("sort") {
        "" => SortKey::Stage,
        s => SortKey::parse(s)?,
    };
    let desc = match get("order") {
        "" => sort.desc_first(),
        "asc" => false,
        "desc" => true,
        o => {
            return Err(ApiError::bad_request(format!(
                "invalid order `{o}`: expected asc or desc"
            )));
        }
    };
    let category = match get("category") {
        "" => None,
        c => Some(Category::parse(c)?),
    };
    let today = app.today();
    let as_of = q.when.as_of.unwrap_or(today);
    if let Some(msg) = before_framework(as_of) {
        return Ok(IndexPage::empty(as_of, today, msg));
    }
    let live = app.live();
    let day = live.day(as_of, q.when.framework.as_deref())?;
    let framework = day
        .items
        .first()
        .map(|i| i.assessment.verdict.framework.to_string())
        .or_else(|| q.when.framework.clone())
        .unwrap_or_default();

    let mut items: Vec<(&Item, ExitView)> = api::filtered(&day, &q)
        .filter(|i| category.is_none_or(|c| c.contains(i)))
        .map(|i| (i, exit_view(&i.value)))
        .collect();
    items.sort_by(|(a, ea), (b, eb)| {
        // Archived projects after live ones, whatever the sort.
        let archived = a
            .assessment
            .verdict
            .archived
            .is_some()
            .cmp(&b.assessment.verdict.archived.is_some());
        let (va, vb) = (&a.assessment.verdict, &b.assessment.verdict);
        let by_name = va.name.to_lowercase().cmp(&vb.name.to_lowercase());
        let primary = match sort {
            SortKey::Name => std::cmp::Ordering::Equal,
            SortKey::Stage => stage_rank(va.stage).cmp(&stage_rank(vb.stage)),
            SortKey::Kind => va.kind.as_str().cmp(vb.kind.as_str()),
            SortKey::BattleTested => bt_rank(a.assessment.labels.battle_tested.status)
                .cmp(&bt_rank(b.assessment.labels.battle_tested.status)),
            // Unknown exit windows last in both directions.
            SortKey::Exit => match (ea.rank, eb.rank) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => {
                    if desc {
                        std::cmp::Ordering::Greater
                    } else {
                        std::cmp::Ordering::Less
                    }
                }
                (None, Some(_)) => {
                    if desc {
                        std::cmp::Ordering::Less
                    } else {
                        std::cmp::Ordering::Greater
                    }
                }
                (None, None) => std::cmp::Ordering::Equal,
            },
        };
        // Sorting by name reverses the name itself; other sorts break ties
        // by name, A to Z.
        let primary = if sort == SortKey::Name {
            by_name
        } else {
            primary
        };
        let primary = if desc { primary.reverse() } else { primary };
        archived.then(primary).then(by_name)
    });

    let stage_param = get("stage");
    let kind_param = get("kind");
    let as_of_param = get("as_of");
    let fw_param = get("framework");
    let cat_param = get("category");
    let link = |stage: &str, kind: &str, sort: &str, order: &str| {
        qs(&[
            ("category", cat_param),
            ("stage", stage),
            ("kind", kind),
            ("as_of", as_of_param),
            ("framework", fw_param),
            ("sort", sort),
            ("order", order),
        ])
    };
    let sort_str = sort.as_str();
    let order_str = if desc { "desc" } else { "asc" };
    let headers = [
        ("Project", SortKey::Name),
        ("Stage", SortKey::Stage),
        ("Kind", SortKey::Kind),
        ("Exit window", SortKey::Exit),
        ("BattleTested", SortKey::BattleTested),
    ]
    .into_iter()
    .map(|(label, key)| {
        let active = key == sort;
        let next = if active {
            if desc { "asc" } else { "desc" }
        } else if key.desc_first() {
            "desc"
        } else {
            "asc"
        };
        Header {
            label,
            href: link(stage_param, kind_param, key.as_str(), next),
            active,
            arrow: if desc { "▼" } else { "▲" },
            aria: if desc { "descending" } else { "ascending" },
        }
    })
    .collect();

    let counts = [
        Stage::Stage2,
        Stage::Stage1,
        Stage::Stage0,
        Stage::NotStage0,
        Stage::UnderReview,
    ]
    .into_iter()
    .map(|s| Chip {
        label: s.label(),
        class: stage_class(s),
        count: day
            .items
            .iter()
            .filter(|i| i.assessment.verdict.stage == s)
            .count(),
        href: link(s.as_str(), kind_param, sort_str, order_str),
    })
    .filter(|c| c.count > 0)
    .collect();

    let rows = items
        .iter()
        .map(|(item, ew)| {
            let v = &item.assessment.verdict;
            Row {
                id: v.id.clone(),
                name: v.name.clone(),
                href: if as_of == today {
                    format!("/projects/{}", v.id)
                } else {
                    format!("/projects/{}?as_of={as_of}", v.id)
                },
                kind: v.kind.as_str(),
                stage_label: v.stage.label(),
                stage_class: stage_class(v.stage),
                pending: v
                    .downgrade_pending
                    .as_ref()
                    .map(|d| countdown(v.stage, d, as_of)),
                exit_label: ew.label.clone(),
                exit_class: ew.class,
                exit_title: ew.detail.clone(),
                bt: bt_chip(&item.assessment.labels.battle_tested),
                risks: risk_marks(&item.assessment.risk_summary),
                risk_count: risk_count(&risk_marks(&item.assessment.risk_summary)),
                missing: match split_missing(v) {
                    Some((next, fails, _)) if !fails.is_empty() => format!(
                        "{}: {}",
                        next.label(),
                        fails.iter().map(|r| r.title).collect::<Vec<_>>().join("; ")
                    ),
                    Some((_, _, unknown)) if !unknown.is_empty() => String::new(),
                    _ => "—".into(),
                },
                needs_data: match split_missing(v) {
                    Some((next, _, unknown)) if !unknown.is_empty() => format!(
                        "needs data for {}: {} requirement{} not declared",
                        next.label(),
                        unknown.len(),
                        if unknown.len() == 1 { "" } else { "s" }
                    ),
                    _ => String::new(),
                },
                others: v
                    .others_reasons
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join(" · "),
                archived: v.archived.map(|d| d.to_string()),
            }
        })
        .collect();

    let stage_options = STAGES
        .iter()
        .map(|s| Opt {
            value: s.as_str().into(),
            label: s.label().into(),
            selected: q.stages.as_slice() == [*s],
        })
        .collect();
    let kind_options = Kind::ALL
        .iter()
        .map(|k| Opt {
            value: k.as_str().into(),
            label: k.as_str().into(),
            selected: q.kind == Some(*k),
        })
        .collect();
    let api_query: Vec<(&str, &str)> = vec![
        ("stage", stage_param),
        ("kind", kind_param),
        ("as_of", as_of_param),
        ("framework", fw_param),
    ];
    let api_href = qs(&api_query).replacen('/', "/api/v1/projects", 1);
    Ok(IndexPage {
        as_of: as_of.to_string(),
        today: today.to_string(),
        is_today: as_of == today,
        framework,
        counts,
        stage_options,
        kind_options,
        as_of_input: as_of.to_string(),
        sort: sort_str,
        order: order_str,
        filtered: !stage_param.is_empty()
            || !kind_param.is_empty()
            || !as_of_param.is_empty()
            || !cat_param.is_empty(),
        headers,
        rows,
        tabs: Category::ALL
            .iter()
            .map(|c| Tab {
                label: c.label(),
                href: qs(&[
                    ("category", c.as_str()),
                    ("as_of", as_of_param),
                    ("framework", fw_param),
                    ("sort", sort_str),
                    ("order", order_str),
                ]),
                active: category == Some(*c),
                count: day.items.iter().filter(|i| c.contains(i)).count(),
            })
            .collect(),
        before_framework: None,
        total: day.items.len(),
        errors: day.failed.clone(),
        api_href,
    })
}

/// The list's category tabs, as L2BEAT's: rollups, validiums and
/// optimiums, others (not even Stage 0), under review, archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    Rollups,
    ValidiumsOptimiums,
    Others,
    UnderReview,
    Archived,
}

impl Category {
    const ALL: [Category; 5] = [
        Category::Rollups,
        Category::ValidiumsOptimiums,
        Category::Others,
        Category::UnderReview,
        Category::Archived,
    ];
    fn as_str(self) -> &'static str {
        match self {
            Category::Rollups => "rollups",
            Category::ValidiumsOptimiums => "validiums-optimiums",
            Category::Others => "others",
            Category::UnderReview => "under-review",
            Category::Archived => "archived",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Category::Rollups => "Rollups",
            Category::ValidiumsOptimiums => "Validiums & optimiums",
            Category::Others => "Not even Stage 0",
            Category::UnderReview => "Under review",
            Category::Archived => "Archived",
        }
    }
    fn parse(s: &str) -> Result<Category, ApiError> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "invalid category `{s}`: expected rollups, validiums-optimiums, others, under-review or archived"
                ))
            })
    }
    /// Whether a project is listed under this tab: archived projects only
    /// under Archived; under review and not even Stage 0 apart from the
    /// rollups and the validiums and optimiums.
    fn contains(self, i: &Item) -> bool {
        let v = &i.assessment.verdict;
        if v.archived.is_some() {
            return self == Category::Archived;
        }
        match self {
            Category::Archived => false,
            Category::UnderReview => v.stage == Stage::UnderReview,
            Category::Others => v.stage == Stage::NotStage0,
            Category::Rollups | Category::ValidiumsOptimiums => {
                let alt_da = matches!(v.kind, Kind::Validium | Kind::Optimium);
                !matches!(v.stage, Stage::UnderReview | Stage::NotStage0)
                    && alt_da == (self == Category::ValidiumsOptimiums)
            }
        }
    }
}

/// The message shown instead of verdicts for a day before the first
/// framework revision.
fn before_framework(as_of: Date) -> Option<String> {
    let start = l2stage_framework::revision::revisions()
        .first()
        .map(|r| r.in_force)?;
    (as_of < start).then(|| {
        format!(
            "No stages on {as_of}: the Stages Framework did not exist yet. Its first revision is in force from {start}; pick that day or a later one."
        )
    })
}

impl IndexPage {
    fn empty(as_of: Date, today: Date, message: String) -> IndexPage {
        IndexPage {
            as_of: as_of.to_string(),
            today: today.to_string(),
            is_today: as_of == today,
            framework: String::new(),
            counts: Vec::new(),
            stage_options: Vec::new(),
            kind_options: Vec::new(),
            as_of_input: as_of.to_string(),
            sort: "stage",
            order: "desc",
            filtered: true,
            headers: Vec::new(),
            rows: Vec::new(),
            tabs: Vec::new(),
            before_framework: Some(message),
            total: 0,
            errors: Vec::new(),
            api_href: "/api/v1/projects".into(),
        }
    }
}

/// What stands between a project and its next stage, split into what it
/// fails (unmet, under review) and what its file does not declare
/// (unknown: needs data). `None` at Stage 2 or under review.
fn split_missing(
    v: &l2stage_framework::Verdict,
) -> Option<(
    Stage,
    Vec<&l2stage_framework::RequirementResult>,
    Vec<&l2stage_framework::RequirementResult>,
)> {
    let m = v.missing.as_ref()?;
    let reqs: Vec<_> = m
        .requirements
        .iter()
        .filter_map(|id| v.requirement(*id))
        .collect();
    let (unknown, fails): (Vec<_>, Vec<_>) =
        reqs.into_iter().partition(|r| r.status == Status::Unknown);
    Some((m.next_stage, fails, unknown))
}

/// "Stage 1 until 2026-08-17 (254 days), then Stage 0 unless …".
fn countdown(stage: Stage, d: &l2stage_framework::DowngradePending, as_of: Date) -> String {
    let days = as_of.days_until(d.deadline);
    let left = match days {
        1 => " (1 day)".to_string(),
        n if n > 1 => format!(" ({n} days)"),
        _ => String::new(),
    };
    // "principle is unmet: …" names a requirement: its title.
    let titles: Vec<&str> = d
        .reasons
        .iter()
        .filter_map(|r| r.split_once(" is unmet"))
        .filter_map(|(id, _)| id.trim().parse::<l2stage_model::RequirementId>().ok())
        .map(|id| id.title())
        .collect();
    let unless = if titles.is_empty() {
        " unless the missing requirements are met".to_string()
    } else {
        format!(" unless it meets: {}", titles.join("; "))
    };
    format!(
        "{} until {}{left}, then {}{unless}",
        stage.label(),
        d.deadline,
        d.to_stage.label()
    )
}

/// `GET /`: every project in a table.
pub async fn index(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    match index_page(&app, raw.as_deref()) {
        Ok(page) => render(&page),
        Err(e) => error_page(&e),
    }
}

// ---------------------------------------------------------------- project

struct Link {
    label: String,
    href: String,
}

struct Evidence {
    href: Option<String>,
    text: String,
}

struct EvidenceLink {
    href: String,
    text: String,
}

struct Req {
    id: &'static str,
    title: &'static str,
    status_label: &'static str,
    status_class: &'static str,
    icon: &'static str,
    reason: String,
    /// Evidence that is an http(s) link.
    links: Vec<EvidenceLink>,
    /// Evidence that is text (e.g. a derivation's actor paths).
    notes: Vec<String>,
    derived: bool,
}

struct Group {
    title: String,
    reqs: Vec<Req>,
}

struct MissingView {
    next: &'static str,
    /// What the project fails: (id, title).
    items: Vec<(&'static str, &'static str)>,
    /// What its file does not declare: (id, title).
    needs_data: Vec<(&'static str, &'static str)>,
}

struct PendingView {
    countdown: String,
    reasons: Vec<String>,
}

/// An actor of the governance structure, for the permissions list.
struct ActorView {
    id: String,
    name: String,
    kind: String,
    address: Option<String>,
    /// `6/8` for a multisig.
    threshold: Option<String>,
    members: Vec<String>,
    delay: Option<String>,
    security_council: bool,
    /// What it can do: "upgrade all core contracts (no delay)".
    powers: Vec<String>,
}

/// A contract that can be upgraded, for the contracts list.
struct ContractView {
    name: String,
    address: Option<String>,
    /// Who can upgrade it, with what delay.
    upgraders: Vec<String>,
}

struct TimelineRow {
    date: String,
    until: String,
    stage_label: &'static str,
    stage_class: &'static str,
    pending: Option<String>,
    framework: &'static str,
    causes: Vec<(&'static str, String)>,
}

struct HistoryRow {
    created: String,
    as_of: String,
    stage_label: &'static str,
    stage_class: &'static str,
    framework: String,
    change: &'static str,
    hash: String,
    hash_short: String,
    origin: &'static str,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
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
    history: Vec<HistoryRow>,
    history_total: usize,
}

fn is_link(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

/// Evidence as text, and as a link only when it is an http(s) URL.
fn evidence(e: &str) -> Evidence {
    if is_link(e) {
        let shown = e
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("www.");
        let shown = if shown.chars().count() > 64 {
            format!("{}…", shown.chars().take(63).collect::<String>())
        } else {
            shown.to_string()
        };
        Evidence {
            href: Some(e.to_string()),
            text: shown,
        }
    } else {
        Evidence {
            href: None,
            text: e.to_string(),
        }
    }
}

/// Engine text as people read it: a negative duration such as
/// `= -7d 8h 43m 36s` (an upgrade that beats the exit) becomes
/// `= none (7d 8h 43m 36s too short)`. The JSON keeps the engine's text.
pub fn no_negative(text: &str) -> String {
    let is_unit = |t: &str| {
        let t = t.trim_end_matches([',', ';', '.', ')']);
        t.len() >= 2
            && t.ends_with(['d', 'h', 'm', 's'])
            && t[..t.len() - 1].bytes().all(|b| b.is_ascii_digit())
    };
    let mut out: Vec<String> = Vec::new();
    let mut tokens = text.split(' ').peekable();
    while let Some(tok) = tokens.next() {
        let rest = tok.strip_prefix('-').or_else(|| tok.strip_prefix('−'));
        match rest {
            Some(first) if is_unit(first) => {
                let mut dur = vec![first.to_string()];
                while let Some(next) = tokens.peek() {
                    if is_unit(next)
                        && !dur
                            .last()
                            .is_some_and(|d| d.ends_with([',', ';', '.', ')']))
                    {
                        dur.push((*next).to_string());
                        tokens.next();
                    } else {
                        break;
                    }
                }
                let last = dur.last_mut().expect("one token");
                let trail: String = last
                    .chars()
                    .rev()
                    .take_while(|c| [',', ';', '.', ')'].contains(c))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                last.truncate(last.len() - trail.len());
                out.push(format!("none ({} too short){trail}", dur.join(" ")));
            }
            _ => out.push(tok.to_string()),
        }
    }
    out.join(" ")
}

fn status_view(s: Status) -> (&'static str, &'static str, &'static str) {
    match s {
        Status::Met => ("met", "s-met", "✓"),
        Status::Unmet => ("unmet", "s-unmet", "✗"),
        Status::UnderReview => ("under review", "s-review", "…"),
        Status::NotApplicable => ("not applicable", "s-na", "–"),
        Status::Unknown => ("needs data", "s-unknown", "?"),
    }
}

fn cause_label(k: CauseKind) -> &'static str {
    match k {
        CauseKind::Start => "start",
        CauseKind::ProjectHistory => "project change",
        CauseKind::FrameworkRevision => "framework revision",
        CauseKind::GraceDeadline => "grace deadline",
        CauseKind::GovernanceStructure => "governance",
    }
}

fn change_label(c: Change) -> &'static str {
    match c {
        Change::First => "first assessment",
        Change::ProjectFile => "new project file",
        Change::FrameworkRevision => "framework revision",
        Change::Engine => "newer l2stage",
        Change::NewDay => "re-assessed on a later day",
        Change::None => "—",
    }
}

/// The permission graph as SVG, and the caption or the note saying why it
/// is not drawn. Drawn for the `[governance]` structure in force on `as_of`
/// (the one the assessment used) by `l2stage_governance::graph::svg`, which
/// escapes every string of the project file.
fn permission_graph(project: &ProjectFile, as_of: Date) -> (Option<String>, String) {
    use l2stage_model::governance::OutOfForce;
    let Some(g) = &project.governance else {
        return (
            None,
            "Not drawn: the project file does not describe its governance structure.".into(),
        );
    };
    let note = match g.out_of_force_on(as_of) {
        Some(OutOfForce::NotYet(since)) => format!("Not drawn: the governance structure in the project file describes the project from {since}, after {as_of}."),
        Some(OutOfForce::Replaced(until)) => format!("Not drawn: the governance structure in the project file applies until {until}, when it was replaced; this page is as of {as_of}."),
        None if graph_size(g) > MAX_GRAPH_BOXES => format!("Not drawn: the structure has {} actors and powers, more than the {MAX_GRAPH_BOXES} the page draws; use l2stage graph FILE --format dot|mermaid|svg.", graph_size(g)),
        None => return (
            Some(natural_width(&l2stage_governance::graph::svg(g))),
            "Who can act on the system, and through which delays: arrows point from who acts to what it acts on; hover a box for its full name. As text: l2stage graph FILE --format dot|mermaid|svg.".into(),
        ),
    };
    (None, note)
}

/// The graph at its natural width (`width="N"` instead of `width="100%"`
/// capped at N px): screens shrink it to fit with `max-width: 100%`,
/// phones show it at its size, its labels readable, scrolling in its box.
fn natural_width(svg: &str) -> String {
    let Some(start) = svg.find(" width=\"100%\" style=\"max-width:") else {
        return svg.to_string();
    };
    let rest = &svg[start + " width=\"100%\" style=\"max-width:".len()..];
    let Some(end) = rest.find("px\"") else {
        return svg.to_string();
    };
    let n = &rest[..end];
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return svg.to_string();
    }
    format!(
        "{} width=\"{n}\"{}",
        &svg[..start],
        &rest[end + "px\"".len()..]
    )
}

/// Above this many boxes (actors and powers) the page does not draw the
/// graph: unreadable at that size, and laying out thousands of boxes on
/// every page view would cost seconds. `l2stage graph` still draws it.
pub const MAX_GRAPH_BOXES: usize = 400;

fn graph_size(g: &l2stage_model::governance::Governance) -> usize {
    g.actors.len() + g.powers.len()
}

/// A timeline strip: one coloured segment per period, with year ticks.
pub fn timeline_svg(entries: &[TimelineEntry], end: Date) -> String {
    timeline_svg_sized(entries, end, 1000.0, 12)
}

/// The timeline strip `w` units wide with at most `max_ticks` year ticks:
/// the page draws a 1000-wide one for screens and a 380-wide one for
/// phones, so that its 11 px labels stay 11 px instead of shrinking.
pub fn timeline_svg_sized(entries: &[TimelineEntry], end: Date, w: f64, max_ticks: i32) -> String {
    const H: f64 = 58.0;
    let Some(first) = entries.first() else {
        return String::new();
    };
    let start = first.date;
    let span = start.days_until(end).max(1) as f64;
    let x = |d: Date| (start.days_until(d) as f64 / span * w).clamp(0.0, w);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {H}" width="100%" role="img" aria-label="Stage timeline"><g font-family="system-ui, sans-serif" font-size="11">"#
    );
    for e in entries {
        let x0 = x(e.date);
        let x1 = x(e.until.unwrap_or(end));
        let colour = crate::badge::stage_colour(e.stage);
        out.push_str(&format!(
            r#"<rect x="{x0:.1}" y="4" width="{:.1}" height="26" fill="{colour}"><title>{} from {}</title></rect>"#,
            (x1 - x0).max(1.0),
            e.stage.label(),
            e.date
        ));
        if x1 - x0 > 60.0 {
            out.push_str(&format!(
                r##"<text x="{:.1}" y="21" fill="#fff" font-weight="600">{}</text>"##,
                x0 + 6.0,
                e.stage.label()
            ));
        }
    }
    let (y0, y1) = (
        start.0.format("%Y").to_string(),
        end.0.format("%Y").to_string(),
    );
    if let (Ok(y0), Ok(y1)) = (y0.parse::<i32>(), y1.parse::<i32>()) {
        // At most about a dozen ticks, whatever the span.
        let step = usize::try_from(((y1 - y0) / max_ticks.max(1)).max(1)).unwrap_or(1);
        for y in ((y0 + 1)..=y1).step_by(step) {
            if let Some(d) = Date::from_ymd(y, 1, 1) {
                let xx = x(d);
                out.push_str(&format!(
                    r##"<line x1="{xx:.1}" y1="2" x2="{xx:.1}" y2="36" stroke="#1f2328" stroke-width="1" stroke-dasharray="2,2"/><text x="{:.1}" y="50" fill="#59636e" text-anchor="middle">{y}</text>"##,
                    xx
                ));
            }
        }
    }
    out.push_str("</g></svg>");
    out
}

/// A 404 for an unknown project id that names the closest ids.
fn not_found_with_suggestions(id: &str, ids: &[&str]) -> ApiError {
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

/// The verdict in plain words, one or two sentences after the stage:
/// why the project is not at the next stage, and what its exit window
/// means for users.
fn verdict_sentence(v: &l2stage_framework::Verdict, ew: &ExitView) -> String {
    let mut out = format!("{}.", v.stage.label());
    let lower = |t: &str| {
        let mut c = t.chars();
        match c.next() {
            Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
            None => String::new(),
        }
    };
    let list = |rs: &[&l2stage_framework::RequirementResult]| {
        let mut names: Vec<String> = rs.iter().take(2).map(|r| lower(r.title)).collect();
        if rs.len() > 2 {
            names.push(format!("{} more", rs.len() - 2));
        }
        names.join("; ")
    };
    match (v.stage, split_missing(v)) {
        (Stage::UnderReview, _) => out.push_str(
            " Its verdict is under review: a requirement it depends on is being checked.",
        ),
        (Stage::Stage2, _) => out.push_str(" It meets every requirement of the framework."),
        (Stage::NotStage0, Some((_, fails, _))) if !fails.is_empty() => {
            out.push_str(&format!(" It fails Stage 0: {}.", list(&fails)))
        }
        (_, Some((next, fails, _))) if !fails.is_empty() => out.push_str(&format!(
            " For {} it lacks: {}.",
            next.label(),
            list(&fails)
        )),
        (_, Some((next, _, unknown))) if !unknown.is_empty() => out.push_str(&format!(
            " {} depends on {} requirement{} its project file does not declare yet.",
            next.label(),
            unknown.len(),
            if unknown.len() == 1 { "" } else { "s" }
        )),
        _ => {}
    }
    let council = ew
        .detail
        .contains("Security Council can upgrade without delay");
    match (ew.class, ew.seconds) {
        ("ew-unknown", _) => {}
        _ if ew.unbounded => out.push_str(
            " Nothing can upgrade it, so users can always exit before a change.",
        ),
        (_, Some(s)) if council => out.push_str(&format!(
            " The Security Council can upgrade instantly; other upgrades leave users {} to exit.",
            duration_words(s)
        )),
        (_, Some(s)) => out.push_str(&format!(
            " Upgrades leave users {} to exit.",
            duration_words(s)
        )),
        _ if council => out.push_str(
            " The Security Council can upgrade instantly, so users have no window to exit before an upgrade.",
        ),
        _ => out.push_str(" Users have no window to exit before an upgrade."),
    }
    out
}

/// The permissions (actors) and contracts lists from the governance
/// structure in force on `as_of`.
fn permissions(project: &ProjectFile, as_of: Date) -> (Vec<ActorView>, Vec<ContractView>, String) {
    let Some(g) = project.governance.as_ref() else {
        return (
            Vec::new(),
            Vec::new(),
            "Not listed: the project file does not describe its governance structure.".into(),
        );
    };
    if !g.applies_on(as_of) {
        return (
            Vec::new(),
            Vec::new(),
            format!(
                "Not listed: the governance structure in the project file does not apply on {as_of}."
            ),
        );
    }
    let label = |id: &str| -> String {
        if id == "anyone" {
            return "anyone".into();
        }
        g.actors
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.label().to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let kind_str = |a: &l2stage_model::governance::Actor| {
        serde_json::to_value(a.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let delay_of = |p: &l2stage_model::governance::Power| match &p.delay {
        Some(d) => format!("after {d}"),
        None => {
            match g
                .actors
                .iter()
                .find(|a| a.id == p.actor)
                .and_then(|a| a.delay.as_ref())
            {
                Some(d) => format!("after its {d} delay"),
                None => "no delay".into(),
            }
        }
    };
    let actors = g
        .actors
        .iter()
        .map(|a| {
            let members: Vec<String> = a
                .members
                .iter()
                .map(|m| {
                    let who = m
                        .actor
                        .as_deref()
                        .map(&label)
                        .or_else(|| m.entity.clone())
                        .or_else(|| m.address.clone())
                        .unwrap_or_else(|| "unnamed signer".into());
                    match (&m.address, m.actor.is_some() || m.entity.is_none()) {
                        (Some(addr), false) => format!("{who} ({addr})"),
                        _ => who,
                    }
                })
                .collect();
            let mut controllers: Vec<String> = a.controllers().iter().map(|c| label(c)).collect();
            controllers.dedup();
            let mut powers: Vec<String> = g
                .powers
                .iter()
                .filter(|p| p.actor == a.id)
                .map(|p| {
                    format!(
                        "{} {} ({})",
                        p.power.as_str(),
                        p.target.as_deref().unwrap_or("the system"),
                        delay_of(p)
                    )
                })
                .collect();
            if !controllers.is_empty() {
                powers.insert(0, format!("acts for: {}", controllers.join(", ")));
            }
            ActorView {
                id: a.id.clone(),
                name: a.label().to_string(),
                kind: kind_str(a),
                address: a.address.clone(),
                threshold: a
                    .threshold
                    .map(|t| format!("{t}/{}", a.members.len().max(t as usize))),
                members,
                delay: a.delay.as_ref().map(|d| d.to_string()),
                security_council: a.security_council,
                powers,
            }
        })
        .collect();
    let mut contracts: Vec<ContractView> = Vec::new();
    for p in g
        .powers
        .iter()
        .filter(|p| p.power == l2stage_model::governance::PowerKind::Upgrade)
    {
        let name = p.target.clone().unwrap_or_else(|| "the system".into());
        let who = format!("{} ({})", label(&p.actor), delay_of(p));
        match contracts
            .iter_mut()
            .find(|c| c.name == name && c.address == p.address)
        {
            Some(c) => c.upgraders.push(who),
            None => contracts.push(ContractView {
                name,
                address: p.address.clone(),
                upgraders: vec![who],
            }),
        }
    }
    (
        actors,
        contracts,
        "From the project file's governance structure: who holds each permission, and with what delay.".into(),
    )
}

fn project_page(
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

    let mut groups = Vec::new();
    for stage in 0..=2u8 {
        let reqs: Vec<Req> = v
            .requirements
            .iter()
            .filter(|r| r.stage == stage)
            .map(|r| {
                let (status_label, status_class, icon) = status_view(r.status);
                let mut links = Vec::new();
                let mut notes = Vec::new();
                for e in r.evidence.iter().map(|e| evidence(e)) {
                    match e.href {
                        Some(href) => links.push(EvidenceLink { href, text: e.text }),
                        None => notes.push(no_negative(&e.text)),
                    }
                }
                Req {
                    id: r.id.as_str(),
                    title: r.title,
                    status_label,
                    status_class,
                    icon,
                    // Missing data is not the project's failure: said so,
                    // not "counts as unmet" (the JSON keeps the engine's text).
                    reason: if r.status == Status::Unknown && r.reason.starts_with("not declared")
                    {
                        "Needs data: the project file does not declare this yet, so l2stage cannot rate it.".to_string()
                    } else {
                        no_negative(&r.reason)
                    },
                    links,
                    notes,
                    derived: r.derived,
                }
            })
            .collect();
        if !reqs.is_empty() {
            groups.push(Group {
                title: format!("Stage {stage}"),
                reqs,
            });
        }
    }

    let pair = |r: &&l2stage_framework::RequirementResult| (r.id.as_str(), r.title);
    let missing = split_missing(v).map(|(next, fails, unknown)| MissingView {
        next: next.label(),
        items: fails.iter().map(pair).collect(),
        needs_data: unknown.iter().map(pair).collect(),
    });
    let pending = v.downgrade_pending.as_ref().map(|d| PendingView {
        countdown: countdown(v.stage, d, as_of),
        reasons: d.reasons.iter().map(|r| no_negative(r)).collect(),
    });
    let ew = exit_view(&item.value);
    let verdict = verdict_sentence(v, &ew);
    let (actors, contracts, governance_note) = permissions(project, as_of);
    let entries = l2stage_store::timeline(project, as_of)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    let timeline = entries
        .iter()
        .map(|t| TimelineRow {
            date: t.date.to_string(),
            until: t.until.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            stage_label: t.stage.label(),
            stage_class: stage_class(t.stage),
            pending: t
                .downgrade_pending
                .map(|d| format!("downgrade pending until {d}")),
            framework: t.framework,
            causes: t
                .causes
                .iter()
                .map(|c| (cause_label(c.kind), no_negative(&c.detail)))
                .collect(),
        })
        .collect();
    let timeline_svg = timeline_svg(&entries, as_of);
    let timeline_svg_narrow = timeline_svg_sized(&entries, as_of, 380.0, 4);

    let rows = app
        .with_store(|s| s.assessments(id))
        .map_err(|e| ApiError::internal(format!("reading the history: {e}")))?;
    let records = api::records(&rows);
    let history_total = records.len();
    let history = records
        .iter()
        .rev()
        .take(20)
        .map(|h| {
            let st = stage_from_str(&h.stage).unwrap_or(Stage::UnderReview);
            HistoryRow {
                created: h.created_at.replace('T', " ").chars().take(19).collect(),
                as_of: h.as_of.clone(),
                stage_label: st.label(),
                stage_class: stage_class(st),
                framework: h.framework.clone(),
                change: change_label(h.change),
                hash: h.input_hash.clone(),
                hash_short: h.input_hash.chars().take(10).collect(),
                origin: h.origin.as_str(),
            }
        })
        .collect();

    let (graph_svg, graph_note) = permission_graph(project, as_of);
    // Chart, note, crossovers and link from one computation per view.
    let crate::risk::ProjectRisk {
        svg: risk_svg,
        note: risk_note,
        crossovers: risk_crossovers,
        has_council,
    } = crate::risk::project_risk(project, as_of);
    let risk_svg = risk_svg.map(|svg| compact_svg(&svg));
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
        labels: labels_view(&item.assessment.labels),
        verdict,
        missing,
        pending,
        // The undeclared requirements are listed as "needs data"; the
        // engine's warning that counts them as unmet is not repeated.
        warnings: v
            .warnings
            .iter()
            .filter(|w| !w.starts_with("not declared, counted as unmet"))
            .map(|w| no_negative(w))
            .collect(),
        actors,
        contracts,
        governance_note,
        groups,
        graph_svg,
        graph_note,
        risk_svg,
        risk_note,
        risk_href,
        risk_crossovers,
        rosette: short_titles(&l2stage_report::risk_summary::rosette_svg(
            &item.assessment.risk_summary,
            // Labels of 11 units in its 380-unit box: 344 px draws them at
            // 10 px, the smallest chart text a phone shows.
            344,
        )),
        risks: risk_marks(&item.assessment.risk_summary),
        timeline,
        timeline_svg,
        timeline_svg_narrow,
        history,
        history_total,
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

const CSS: &str = include_str!("../static/style.css");

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
