//! Proof-system maturity: a per-implementation summary of the facts that
//! bear on how likely it is to still hide a critical bug, and a rating
//! derived from them by fixed rules (docs/labels.md, "Maturity rating").
//!
//! Two levels of criteria. `maturing` needs every basic criterion met,
//! `mature` needs every basic and every advanced one. A criterion whose
//! input is not declared is `unknown`, and unknown is not met: a rating
//! only credits what is shown.

use std::collections::BTreeSet;

use serde::Serialize;

use l2stage_model::Date;
use l2stage_model::labels::{Audit, Incident, ProofKind, Severity, TrustedSetupRisk};

use crate::calendar::{add_months, sub_months, whole_months};
use crate::money::usd;
use crate::registry::{ProofSystem, SharedComponent};

/// Basic level: months in production.
pub const MATURING_MONTHS: u32 = 6;
/// Advanced level: months in production.
pub const MATURE_MONTHS: u32 = 24;
/// Advanced level: smallest top bug-bounty payout, US dollars.
pub const MATURE_BOUNTY_USD: f64 = 1_000_000.0;
/// Basic level: no critical incident within this many months.
pub const MATURING_INCIDENT_MONTHS: u32 = 6;
/// Advanced level: no high or critical incident within this many months.
pub const MATURE_INCIDENT_MONTHS: u32 = 12;

/// The maturity rating, from least to most mature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    /// No production date, or one after the day assessed.
    NotInProduction,
    /// In production, but a basic criterion is not met.
    Immature,
    /// Every basic criterion met.
    Maturing,
    /// Every basic and advanced criterion met.
    Mature,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::NotInProduction => "not-in-production",
            Rating::Immature => "immature",
            Rating::Maturing => "maturing",
            Rating::Mature => "mature",
        }
    }
}

/// A criterion's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    Met,
    Unmet,
    /// The input is not declared; counts as unmet.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    pub id: &'static str,
    /// The rating it is needed for: `maturing` or `mature`.
    pub level: Rating,
    pub status: CheckStatus,
    pub detail: String,
}

/// One proof-system implementation as a project shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProofSystemSummary {
    pub id: String,
    pub name: String,
    pub kind: ProofKind,
    pub implementation: String,
    pub version: Option<String>,
    pub rating: Rating,
    pub in_production_since: Option<Date>,
    /// Whole calendar months in production on `as_of`.
    pub months_in_production: Option<u32>,
    /// Audits dated on or before `as_of`, oldest first.
    pub audits: Vec<Audit>,
    /// Distinct audit firms among them.
    pub audit_firms: Vec<String>,
    /// Top bug-bounty payout, when a bounty is active on `as_of`.
    pub bug_bounty_usd: Option<f64>,
    pub bug_bounty_url: Option<String>,
    /// Incidents dated on or before `as_of`, oldest first.
    pub incidents: Vec<Incident>,
    pub trusted_setup_risk: Option<TrustedSetupRisk>,
    pub prover_source_published: Option<bool>,
    pub verifier_reproducible: Option<bool>,
    pub programs_reproducible: Option<bool>,
    pub shared_components: Vec<String>,
    /// Other known implementations sharing a component with this one.
    pub shares_with: Vec<SharedComponent>,
    pub criteria: Vec<Criterion>,
    /// The unmet or unknown criteria of the next rating up, in words.
    pub missing_for_next: Vec<String>,
}

fn crit(id: &'static str, level: Rating, status: CheckStatus, detail: String) -> Criterion {
    Criterion {
        id,
        level,
        status,
        detail,
    }
}

fn met(ok: bool) -> CheckStatus {
    if ok {
        CheckStatus::Met
    } else {
        CheckStatus::Unmet
    }
}

fn flag(id: &'static str, level: Rating, value: Option<bool>, yes: &str, no: &str) -> Criterion {
    match value {
        Some(true) => crit(id, level, CheckStatus::Met, yes.to_string()),
        Some(false) => crit(id, level, CheckStatus::Unmet, no.to_string()),
        None => crit(
            id,
            level,
            CheckStatus::Unknown,
            format!("not declared whether {}", yes.to_lowercase()),
        ),
    }
}

fn age(
    id: &'static str,
    level: Rating,
    since: Option<Date>,
    months: u32,
    as_of: Date,
) -> Criterion {
    match since {
        None => crit(
            id,
            level,
            CheckStatus::Unknown,
            "no production date declared".into(),
        ),
        Some(s) => {
            let ok = add_months(s, months).is_some_and(|d| d <= as_of);
            let detail = if s > as_of {
                format!("not in production until {s}")
            } else if ok {
                format!("in production since {s}, at least {months} months")
            } else {
                format!(
                    "in production since {s}: {months} months only on {}",
                    add_months(s, months)
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "an unrepresentable date".into())
                )
            };
            crit(id, level, met(ok), detail)
        }
    }
}

fn no_incident(
    id: &'static str,
    level: Rating,
    incidents: &[&Incident],
    at_least: Severity,
    months: u32,
    as_of: Date,
) -> Criterion {
    let from = sub_months(as_of, months);
    let recent: Vec<&&Incident> = incidents
        .iter()
        .filter(|i| i.severity >= at_least && from.is_none_or(|f| i.date > f))
        .collect();
    let what = if at_least == Severity::Critical {
        "critical".to_string()
    } else {
        format!("{} or worse", at_least.as_str())
    };
    match recent.last() {
        None => crit(
            id,
            level,
            CheckStatus::Met,
            format!("no {what} incident in the {months} months before {as_of}"),
        ),
        Some(i) => crit(
            id,
            level,
            CheckStatus::Unmet,
            format!(
                "{} incident on {}: {}",
                i.severity.as_str(),
                i.date,
                i.summary.trim_end_matches('.')
            ),
        ),
    }
}

/// Summarise one proof system on `as_of` and rate it.
pub fn summarize(
    ps: &ProofSystem,
    shares_with: Vec<SharedComponent>,
    as_of: Date,
) -> ProofSystemSummary {
    let f = &ps.file;
    let since = f.in_production_since;
    let mut audits: Vec<Audit> = f
        .audits
        .iter()
        .filter(|a| a.date <= as_of)
        .cloned()
        .collect();
    audits.sort_by_key(|a| a.date);
    let mut firm_keys = BTreeSet::new();
    let audit_firms: Vec<String> = audits
        .iter()
        .filter(|a| firm_keys.insert(a.firm.trim().to_lowercase()))
        .map(|a| a.firm.trim().to_string())
        .collect();
    let bounty = f
        .bug_bounty
        .as_ref()
        .filter(|b| b.since.is_none_or(|s| s <= as_of) && b.max_usd > 0.0);
    let mut incidents: Vec<&Incident> = f.incidents.iter().filter(|i| i.date <= as_of).collect();
    incidents.sort_by_key(|i| i.date);

    use Rating::{Mature, Maturing};
    let criteria = vec![
        // Basic level.
        age(
            "production-6-months",
            Maturing,
            since,
            MATURING_MONTHS,
            as_of,
        ),
        crit(
            "audited",
            Maturing,
            met(!audits.is_empty()),
            match audits.last() {
                Some(a) => format!(
                    "{} audit(s), latest by {} on {}",
                    audits.len(),
                    a.firm,
                    a.date
                ),
                None => "no audit published on or before this day".into(),
            },
        ),
        crit(
            "bug-bounty",
            Maturing,
            met(bounty.is_some()),
            match bounty {
                Some(b) => format!("bug bounty up to {}", usd(b.max_usd)),
                None => "no active bug bounty declared".into(),
            },
        ),
        no_incident(
            "no-critical-incident-6-months",
            Maturing,
            &incidents,
            Severity::Critical,
            MATURING_INCIDENT_MONTHS,
            as_of,
        ),
        match f.trusted_setup_risk {
            None => crit(
                "trusted-setup-not-high-risk",
                Maturing,
                CheckStatus::Unknown,
                "trusted-setup risk not declared".into(),
            ),
            Some(r) => crit(
                "trusted-setup-not-high-risk",
                Maturing,
                met(r != TrustedSetupRisk::High),
                format!("trusted-setup risk {}", r.as_str()),
            ),
        },
        flag(
            "prover-source-published",
            Maturing,
            f.prover_source_published,
            "The prover source is published",
            "the prover source is not published",
        ),
        // Advanced level.
        age("production-24-months", Mature, since, MATURE_MONTHS, as_of),
        crit(
            "two-audit-firms",
            Mature,
            met(audit_firms.len() >= 2),
            match audit_firms.len() {
                0 => "no audit firm".into(),
                1 => format!("audited by one firm only ({})", audit_firms[0]),
                n => format!("audited by {n} firms"),
            },
        ),
        crit(
            "bounty-at-least-1m",
            Mature,
            met(bounty.is_some_and(|b| b.max_usd >= MATURE_BOUNTY_USD)),
            match bounty {
                Some(b) if b.max_usd >= MATURE_BOUNTY_USD => {
                    format!("bug bounty up to {}", usd(b.max_usd))
                }
                Some(b) => format!(
                    "bug bounty up to {}, below {}",
                    usd(b.max_usd),
                    usd(MATURE_BOUNTY_USD)
                ),
                None => "no active bug bounty declared".into(),
            },
        ),
        no_incident(
            "no-serious-incident-12-months",
            Mature,
            &incidents,
            Severity::High,
            MATURE_INCIDENT_MONTHS,
            as_of,
        ),
        match f.trusted_setup_risk {
            None => crit(
                "trusted-setup-low-risk",
                Mature,
                CheckStatus::Unknown,
                "trusted-setup risk not declared".into(),
            ),
            Some(r) => crit(
                "trusted-setup-low-risk",
                Mature,
                met(r <= TrustedSetupRisk::Low),
                format!("trusted-setup risk {}", r.as_str()),
            ),
        },
        flag(
            "verifier-reproducible",
            Mature,
            f.verifier_reproducible,
            "The on-chain verifier is reproducible from source",
            "the on-chain verifier is not reproducible from source",
        ),
        flag(
            "programs-reproducible",
            Mature,
            f.programs_reproducible,
            "The program hashes are reproducible from source",
            "the program hashes are not reproducible from source",
        ),
        crit(
            "not-tee",
            Mature,
            met(f.kind != ProofKind::Tee),
            if f.kind == ProofKind::Tee {
                "soundness rests on the TEE vendor's hardware and attestation keys".into()
            } else {
                format!("{} proofs, not a TEE", f.kind.as_str())
            },
        ),
    ];

    let in_production = since.is_some_and(|s| s <= as_of);
    let all_met = |level: Rating| {
        criteria
            .iter()
            .filter(|c| c.level == level)
            .all(|c| c.status == CheckStatus::Met)
    };
    let rating = if !in_production {
        Rating::NotInProduction
    } else if !all_met(Maturing) {
        Rating::Immature
    } else if !all_met(Mature) {
        Maturing
    } else {
        Mature
    };
    let next = match rating {
        Rating::NotInProduction | Rating::Immature => Some(Maturing),
        Maturing => Some(Mature),
        Mature => None,
    };
    let mut missing_for_next: Vec<String> = Vec::new();
    if rating == Rating::NotInProduction {
        missing_for_next.push(match since {
            Some(s) => format!("not in production until {s}"),
            None => "no production date declared".into(),
        });
    }
    missing_for_next.extend(
        criteria
            .iter()
            .filter(|c| Some(c.level) == next && c.status != CheckStatus::Met)
            .filter(|c| !(rating == Rating::NotInProduction && c.id == "production-6-months"))
            .map(|c| format!("{}: {}", c.id, c.detail)),
    );

    ProofSystemSummary {
        id: ps.id.to_string(),
        name: f.name.clone(),
        kind: f.kind,
        implementation: f.implementation.clone(),
        version: f.version.clone(),
        rating,
        in_production_since: since,
        months_in_production: since
            .filter(|s| *s <= as_of)
            .map(|s| whole_months(s, as_of)),
        audits,
        audit_firms,
        bug_bounty_usd: bounty.map(|b| b.max_usd),
        bug_bounty_url: bounty.map(|b| b.url.clone()),
        incidents: incidents.into_iter().cloned().collect(),
        trusted_setup_risk: f.trusted_setup_risk,
        prover_source_published: f.prover_source_published,
        verifier_reproducible: f.verifier_reproducible,
        programs_reproducible: f.programs_reproducible,
        shared_components: f.shared_components.iter().map(|c| c.to_string()).collect(),
        shares_with,
        criteria,
        missing_for_next,
    }
}
