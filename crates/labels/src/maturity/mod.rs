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
use l2stage_model::labels::{Audit, Incident, ProofKind, TrustedSetupRisk};

use crate::calendar::whole_months;
use crate::registry::{ProofSystem, SharedComponent};

mod criteria;

pub use criteria::CriterionId;
use criteria::Facts;

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
pub enum MaturityRating {
    /// No production date, or one after the day assessed.
    NotInProduction,
    /// In production, but a basic criterion is not met.
    Immature,
    /// Every basic criterion met.
    Maturing,
    /// Every basic and advanced criterion met.
    Mature,
}

impl MaturityRating {
    pub fn as_str(self) -> &'static str {
        match self {
            MaturityRating::NotInProduction => "not-in-production",
            MaturityRating::Immature => "immature",
            MaturityRating::Maturing => "maturing",
            MaturityRating::Mature => "mature",
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
    pub id: CriterionId,
    /// The rating it is needed for: `maturing` or `mature`.
    pub level: MaturityRating,
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
    pub rating: MaturityRating,
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

    let facts = Facts {
        file: f,
        since,
        audits: &audits,
        audit_firms: &audit_firms,
        bounty,
        incidents: &incidents,
        as_of,
    };
    let criteria: Vec<Criterion> = CriterionId::ALL
        .iter()
        .map(|&id| criteria::check(id, &facts))
        .collect();

    let in_production = since.is_some_and(|s| s <= as_of);
    let all_met = |level: MaturityRating| {
        criteria
            .iter()
            .filter(|c| c.level == level)
            .all(|c| c.status == CheckStatus::Met)
    };
    let rating = if !in_production {
        MaturityRating::NotInProduction
    } else if !all_met(MaturityRating::Maturing) {
        MaturityRating::Immature
    } else if !all_met(MaturityRating::Mature) {
        MaturityRating::Maturing
    } else {
        MaturityRating::Mature
    };
    let next = match rating {
        MaturityRating::NotInProduction | MaturityRating::Immature => {
            Some(MaturityRating::Maturing)
        }
        MaturityRating::Maturing => Some(MaturityRating::Mature),
        MaturityRating::Mature => None,
    };
    let mut missing_for_next: Vec<String> = Vec::new();
    if rating == MaturityRating::NotInProduction {
        missing_for_next.push(match since {
            Some(s) => format!("not in production until {s}"),
            None => "no production date declared".into(),
        });
    }
    missing_for_next.extend(
        criteria
            .iter()
            .filter(|c| Some(c.level) == next && c.status != CheckStatus::Met)
            .filter(|c| {
                !(rating == MaturityRating::NotInProduction
                    && c.id == CriterionId::Production6Months)
            })
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
