//! The proof-system maturity criteria, one `match` arm each in [`check`]
//! (docs/labels.md, "Maturity rating"). A criterion's level is the rating
//! it is needed for: every `maturing` criterion for `maturing`, every one
//! of both levels for `mature`. An undeclared input is `unknown`, which
//! counts as unmet.

use std::fmt;

use serde::{Serialize, Serializer};

use l2stage_model::Date;
use l2stage_model::labels::{
    Audit, BugBounty, Incident, ProofKind, ProofSystemFile, Severity, TrustedSetupRisk,
};

use super::{
    CheckStatus, Criterion, MATURE_BOUNTY_USD, MATURE_INCIDENT_MONTHS, MATURE_MONTHS,
    MATURING_INCIDENT_MONTHS, MATURING_MONTHS, MaturityRating,
};
use crate::calendar::{add_months, sub_months};
use crate::money::usd;

macro_rules! criterion_ids {
    ($( $variant:ident = $id:literal, $level:ident; )*) => {
        /// Stable id of one maturity criterion, as written in JSON output.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum CriterionId { $( $variant, )* }

        impl CriterionId {
            /// Every criterion, basic level first, in the order summaries
            /// list them.
            pub const ALL: &'static [CriterionId] = &[ $( CriterionId::$variant, )* ];

            /// The id as written in JSON output (`production-6-months`, …).
            pub fn as_str(self) -> &'static str {
                match self { $( CriterionId::$variant => $id, )* }
            }

            /// The rating the criterion is needed for.
            pub fn level(self) -> MaturityRating {
                match self { $( CriterionId::$variant => MaturityRating::$level, )* }
            }
        }
    };
}

criterion_ids! {
    // Basic level.
    Production6Months = "production-6-months", Maturing;
    Audited = "audited", Maturing;
    BugBounty = "bug-bounty", Maturing;
    NoCriticalIncident6Months = "no-critical-incident-6-months", Maturing;
    TrustedSetupNotHighRisk = "trusted-setup-not-high-risk", Maturing;
    ProverSourcePublished = "prover-source-published", Maturing;
    // Advanced level.
    Production24Months = "production-24-months", Mature;
    TwoAuditFirms = "two-audit-firms", Mature;
    BountyAtLeast1m = "bounty-at-least-1m", Mature;
    NoSeriousIncident12Months = "no-serious-incident-12-months", Mature;
    TrustedSetupLowRisk = "trusted-setup-low-risk", Mature;
    VerifierReproducible = "verifier-reproducible", Mature;
    ProgramsReproducible = "programs-reproducible", Mature;
    NotTee = "not-tee", Mature;
}

impl fmt::Display for CriterionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CriterionId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What the criteria read about one proof system on one day.
pub(super) struct Facts<'a> {
    pub file: &'a ProofSystemFile,
    pub since: Option<Date>,
    /// Audits dated on or before `as_of`, oldest first.
    pub audits: &'a [Audit],
    /// Distinct audit firms among them.
    pub audit_firms: &'a [String],
    /// The bug bounty active on `as_of`.
    pub bounty: Option<&'a BugBounty>,
    /// Incidents dated on or before `as_of`, oldest first.
    pub incidents: &'a [&'a Incident],
    pub as_of: Date,
}

/// Decide one criterion.
pub(super) fn check(id: CriterionId, x: &Facts<'_>) -> Criterion {
    use CriterionId::*;
    let f = x.file;
    match id {
        Production6Months => age(id, x.since, MATURING_MONTHS, x.as_of),
        Audited => crit(
            id,
            met(!x.audits.is_empty()),
            match x.audits.last() {
                Some(a) => format!(
                    "{} audit(s), latest by {} on {}",
                    x.audits.len(),
                    a.firm,
                    a.date
                ),
                None => "no audit published on or before this day".into(),
            },
        ),
        BugBounty => crit(
            id,
            met(x.bounty.is_some()),
            match x.bounty {
                Some(b) => format!("bug bounty up to {}", usd(b.max_usd)),
                None => "no active bug bounty declared".into(),
            },
        ),
        NoCriticalIncident6Months => no_incident(
            id,
            x.incidents,
            Severity::Critical,
            MATURING_INCIDENT_MONTHS,
            x.as_of,
        ),
        TrustedSetupNotHighRisk => match f.trusted_setup_risk {
            None => crit(
                id,
                CheckStatus::Unknown,
                "trusted-setup risk not declared".into(),
            ),
            Some(r) => crit(
                id,
                met(r != TrustedSetupRisk::High),
                format!("trusted-setup risk {}", r.as_str()),
            ),
        },
        ProverSourcePublished => flag(
            id,
            f.prover_source_published,
            "The prover source is published",
            "the prover source is not published",
        ),
        Production24Months => age(id, x.since, MATURE_MONTHS, x.as_of),
        TwoAuditFirms => crit(
            id,
            met(x.audit_firms.len() >= 2),
            match x.audit_firms.len() {
                0 => "no audit firm".into(),
                1 => format!("audited by one firm only ({})", x.audit_firms[0]),
                n => format!("audited by {n} firms"),
            },
        ),
        BountyAtLeast1m => crit(
            id,
            met(x.bounty.is_some_and(|b| b.max_usd >= MATURE_BOUNTY_USD)),
            match x.bounty {
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
        NoSeriousIncident12Months => no_incident(
            id,
            x.incidents,
            Severity::High,
            MATURE_INCIDENT_MONTHS,
            x.as_of,
        ),
        TrustedSetupLowRisk => match f.trusted_setup_risk {
            None => crit(
                id,
                CheckStatus::Unknown,
                "trusted-setup risk not declared".into(),
            ),
            Some(r) => crit(
                id,
                met(r <= TrustedSetupRisk::Low),
                format!("trusted-setup risk {}", r.as_str()),
            ),
        },
        VerifierReproducible => flag(
            id,
            f.verifier_reproducible,
            "The on-chain verifier is reproducible from source",
            "the on-chain verifier is not reproducible from source",
        ),
        ProgramsReproducible => flag(
            id,
            f.programs_reproducible,
            "The program hashes are reproducible from source",
            "the program hashes are not reproducible from source",
        ),
        NotTee => crit(
            id,
            met(f.kind != ProofKind::Tee),
            if f.kind == ProofKind::Tee {
                "soundness rests on the TEE vendor's hardware and attestation keys".into()
            } else {
                format!("{} proofs, not a TEE", f.kind.as_str())
            },
        ),
    }
}

fn crit(id: CriterionId, status: CheckStatus, detail: String) -> Criterion {
    Criterion {
        id,
        level: id.level(),
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

fn flag(id: CriterionId, value: Option<bool>, yes: &str, no: &str) -> Criterion {
    match value {
        Some(true) => crit(id, CheckStatus::Met, yes.to_string()),
        Some(false) => crit(id, CheckStatus::Unmet, no.to_string()),
        None => crit(
            id,
            CheckStatus::Unknown,
            format!("not declared whether {}", yes.to_lowercase()),
        ),
    }
}

fn age(id: CriterionId, since: Option<Date>, months: u32, as_of: Date) -> Criterion {
    match since {
        None => crit(
            id,
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
            crit(id, met(ok), detail)
        }
    }
}

fn no_incident(
    id: CriterionId,
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
            CheckStatus::Met,
            format!("no {what} incident in the {months} months before {as_of}"),
        ),
        Some(i) => crit(
            id,
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
