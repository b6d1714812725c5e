//! A project's page (`GET /projects/{id}`): checklist, exit window,
//! permissions, graph, labels, risk chart, timeline and history.

use super::*;

pub(super) struct Link {
    label: String,
    href: String,
}

pub(super) struct Evidence {
    pub(super) href: Option<String>,
    pub(super) text: String,
}

pub(super) struct EvidenceLink {
    pub(super) href: String,
    pub(super) text: String,
}

pub(super) struct Req {
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

pub(super) struct Group {
    title: String,
    reqs: Vec<Req>,
}

pub(super) struct MissingView {
    next: &'static str,
    /// What the project fails: (id, title).
    items: Vec<(&'static str, &'static str)>,
    /// What its file does not declare: (id, title).
    needs_data: Vec<(&'static str, &'static str)>,
}

pub(super) struct PendingView {
    countdown: String,
    reasons: Vec<String>,
}

/// An actor of the governance structure, for the permissions list.
pub(super) struct ActorView {
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
pub(super) struct ContractView {
    name: String,
    address: Option<String>,
    /// Who can upgrade it, with what delay.
    upgraders: Vec<String>,
}

pub(super) struct TimelineRow {
    date: String,
    until: String,
    stage_label: &'static str,
    stage_class: &'static str,
    pending: Option<String>,
    framework: &'static str,
    causes: Vec<(&'static str, String)>,
}

pub(super) struct HistoryRow {
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
    history: Vec<HistoryRow>,
    history_total: usize,
    chain: super::chain::ChainView,
}

pub(super) fn is_link(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

/// Evidence as text, and as a link only when it is an http(s) URL.
pub(super) fn evidence(e: &str) -> Evidence {
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

pub(super) fn status_view(s: Status) -> (&'static str, &'static str, &'static str) {
    match s {
        Status::Met => ("met", "s-met", "✓"),
        Status::Unmet => ("unmet", "s-unmet", "✗"),
        Status::UnderReview => ("under review", "s-review", "…"),
        Status::NotApplicable => ("not applicable", "s-na", "–"),
        Status::Unknown => ("needs data", "s-unknown", "?"),
    }
}

pub(super) fn cause_label(k: CauseKind) -> &'static str {
    match k {
        CauseKind::Start => "start",
        CauseKind::ProjectHistory => "project change",
        CauseKind::FrameworkRevision => "framework revision",
        CauseKind::GraceDeadline => "grace deadline",
        CauseKind::GovernanceStructure => "governance",
    }
}

pub(super) fn change_label(c: Change) -> &'static str {
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
pub(super) fn permission_graph(project: &ProjectFile, as_of: Date) -> (Option<String>, String) {
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
pub(super) fn natural_width(svg: &str) -> String {
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

pub(super) fn graph_size(g: &l2stage_model::governance::Governance) -> usize {
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

/// The verdict in plain words, one or two sentences after the stage:
/// why the project is not at the next stage, and what its exit window
/// means for users.
pub(super) fn verdict_sentence(v: &l2stage_framework::Verdict, ew: &ExitView) -> String {
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
pub(super) fn permissions(
    project: &ProjectFile,
    as_of: Date,
) -> (Vec<ActorView>, Vec<ContractView>, String) {
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
    let entries = live.timeline(current, as_of)?;
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
        chain: app
            .with_store(|s| super::chain::load(s, &v.id, v))
            .map_err(|e| ApiError::internal(format!("reading the watch history: {e}")))?,
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
