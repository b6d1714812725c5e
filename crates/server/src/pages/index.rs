//! The list page (`GET /`): every project in a table, sortable and
//! filterable with plain links and a GET form.

use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;

use l2stage_framework::Stage;
use l2stage_model::{Date, Kind};

use super::exit::ExitView;
use super::labels::{LabelChip, bt_chip, bt_rank};
use super::risks::{RiskMark, risk_count, risk_marks};
use super::verdict::{before_framework, countdown, split_missing};
use super::{Assessment, error_page, render, stage_class};
use crate::api;
use crate::error::ApiError;
use crate::params::{self, STAGES};
use crate::state::{App, Item};

pub(super) struct Opt {
    value: String,
    label: String,
    selected: bool,
}

pub(super) struct Header {
    label: &'static str,
    href: String,
    active: bool,
    arrow: &'static str,
    aria: &'static str,
}

pub(super) struct Chip {
    label: &'static str,
    class: &'static str,
    count: usize,
    href: String,
}

pub(super) struct Row {
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

impl Row {
    /// A project's row; its name links to its page on `as_of` (no `as_of`
    /// in the link when that is today).
    fn new(a: &Assessment, ew: &ExitView, as_of: Date, today: Date) -> Row {
        let v = &a.verdict;
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
            bt: bt_chip(&a.labels.battle_tested),
            risks: risk_marks(&a.risk_summary),
            risk_count: risk_count(&risk_marks(&a.risk_summary)),
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
    }
}

/// A category tab on the list.
pub(super) struct Tab {
    label: &'static str,
    href: String,
    active: bool,
    count: usize,
}

#[derive(Template)]
#[template(path = "index.html")]
pub(super) struct IndexPage {
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
pub(super) enum SortKey {
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
    /// The list's order: archived projects after live ones, then this
    /// key (`desc`: reversed), then the name A to Z.
    fn compare(
        self,
        desc: bool,
        (a, ea): (&Assessment, &ExitView),
        (b, eb): (&Assessment, &ExitView),
    ) -> std::cmp::Ordering {
        // Archived projects after live ones, whatever the sort.
        let archived = a
            .verdict
            .archived
            .is_some()
            .cmp(&b.verdict.archived.is_some());
        let (va, vb) = (&a.verdict, &b.verdict);
        let by_name = va.name.to_lowercase().cmp(&vb.name.to_lowercase());
        let primary = match self {
            SortKey::Name => std::cmp::Ordering::Equal,
            SortKey::Stage => stage_rank(va.stage).cmp(&stage_rank(vb.stage)),
            SortKey::Kind => va.kind.as_str().cmp(vb.kind.as_str()),
            SortKey::BattleTested => {
                bt_rank(a.labels.battle_tested.status).cmp(&bt_rank(b.labels.battle_tested.status))
            }
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
        let primary = if self == SortKey::Name {
            by_name
        } else {
            primary
        };
        let primary = if desc { primary.reverse() } else { primary };
        archived.then(primary).then(by_name)
    }

    /// Whether a first click on its header sorts descending (best first).
    fn desc_first(self) -> bool {
        matches!(self, SortKey::Stage | SortKey::BattleTested)
    }
}

/// Rank for sorting: more decentralised is higher; under review lowest.
pub(super) fn stage_rank(s: Stage) -> i8 {
    s.level().unwrap_or(-2)
}

pub(super) fn qs(pairs: &[(&str, &str)]) -> String {
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

pub(super) fn index_page(app: &App, raw: Option<&str>) -> Result<IndexPage, ApiError> {
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
        .map(|i| (i, ExitView::from(&i.assessment)))
        .collect();
    items.sort_by(|(a, ea), (b, eb)| sort.compare(desc, (&a.assessment, ea), (&b.assessment, eb)));

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
        .map(|(item, ew)| Row::new(&item.assessment, ew, as_of, today))
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
pub(super) enum Category {
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

/// `GET /`: every project in a table.
pub async fn index(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    match index_page(&app, raw.as_deref()) {
        Ok(page) => render(&page),
        Err(e) => error_page(&e),
    }
}
