//! The labels beside the stage as the pages show them: BattleTested and
//! each proof system's maturity, built from the typed [`Labels`] of an
//! assessment.

use l2stage_labels::{
    BattleTested, CheckStatus, LabelStatus, Labels, MaturityRating, ProofSystemSummary,
};
use l2stage_render::format::usd;

use super::evidence::{EvidenceLink, evidence, is_link};

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
pub fn bt_rank(s: LabelStatus) -> u8 {
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
pub fn rating_chip(r: MaturityRating) -> LabelChip {
    let (icon, class, title) = match r {
        MaturityRating::Mature => ("✓", "r-mature", "every maturing and mature criterion met"),
        MaturityRating::Maturing => (
            "◐",
            "r-maturing",
            "every maturing criterion met, not every mature one",
        ),
        MaturityRating::Immature => (
            "✗",
            "r-immature",
            "in production, but a maturing criterion is not met",
        ),
        MaturityRating::NotInProduction => {
            ("–", "r-not-in-production", "not in production on this day")
        }
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

pub struct BattleTestedView {
    pub chip: LabelChip,
    /// One sentence: since when it is met, or when it could be.
    pub headline: String,
    pub facts: Vec<(&'static str, String)>,
    /// Links given for the last safety-relevant change (http(s) only).
    pub change_links: Vec<EvidenceLink>,
    pub missing: Vec<String>,
}

impl From<&BattleTested> for BattleTestedView {
    fn from(b: &BattleTested) -> BattleTestedView {
        use l2stage_labels::battle_tested::{
            MIN_ETH_AND_STABLECOINS_USD, MIN_TOTAL_USD, QUIET_MONTHS,
        };
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
                (Some(c), Some(l)) if l.date == c => {
                    format!("{c} (the last safety-relevant change)")
                }
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
}

pub struct AuditView {
    pub date: String,
    pub firm: String,
    pub href: Option<String>,
    /// The audit's `url` when it is not an http(s) link: shown as text.
    pub url_text: Option<String>,
    pub scope: Option<String>,
}

pub struct IncidentView {
    pub date: String,
    pub severity: &'static str,
    pub summary: String,
    pub links: Vec<EvidenceLink>,
    pub notes: Vec<String>,
}

pub struct CriterionView {
    pub id: &'static str,
    pub level: &'static str,
    pub status: &'static str,
    pub class: &'static str,
    pub icon: &'static str,
    pub detail: String,
}

pub struct ProofSystemView {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub implementation: String,
    pub version: Option<String>,
    pub chip: LabelChip,
    pub production: String,
    pub audit_summary: String,
    pub audits: Vec<AuditView>,
    pub bounty: String,
    pub bounty_href: Option<String>,
    pub incidents: Vec<IncidentView>,
    pub trusted_setup: &'static str,
    pub prover_source: &'static str,
    pub verifier_reproducible: &'static str,
    pub programs_reproducible: &'static str,
    pub shared_components: Vec<String>,
    pub shares_with: Vec<(String, String)>,
    pub criteria: Vec<CriterionView>,
    pub next: Option<&'static str>,
    pub missing_for_next: Vec<String>,
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not declared",
    }
}

impl From<&ProofSystemSummary> for ProofSystemView {
    fn from(p: &ProofSystemSummary) -> ProofSystemView {
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
                        id: c.id.as_str(),
                        level: c.level.as_str(),
                        status,
                        class,
                        icon,
                        detail: c.detail.clone(),
                    }
                })
                .collect(),
            next: match p.rating {
                MaturityRating::NotInProduction | MaturityRating::Immature => {
                    Some(MaturityRating::Maturing.as_str())
                }
                MaturityRating::Maturing => Some(MaturityRating::Mature.as_str()),
                MaturityRating::Mature => None,
            },
            missing_for_next: p.missing_for_next.clone(),
        }
    }
}

pub struct LabelsView {
    pub battle_tested: BattleTestedView,
    pub proof_systems: Vec<ProofSystemView>,
    pub notes: Vec<String>,
}

impl From<&Labels> for LabelsView {
    fn from(l: &Labels) -> LabelsView {
        LabelsView {
            battle_tested: BattleTestedView::from(&l.battle_tested),
            proof_systems: l.proof_systems.iter().map(ProofSystemView::from).collect(),
            notes: l.notes.clone(),
        }
    }
}
