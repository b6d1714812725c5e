//! `council-only-for-onchain-bugs` (Stage 2; since the 2023-06 revision).
//!
//! The framework: the Security Council may act only on bugs detected on
//! chain, and then only choose among the proposed answers. Not applicable
//! when there is no council. Derived: no power that can block or forge, and
//! in which the council takes part, is usable without an on-chain proven
//! bug unless it waits ≥30 days.

use super::{Inputs, no_council};
use crate::rating::THIRTY_DAYS_SECONDS;
use crate::{Derivation, DerivedStatus, Finding, Threat, evidence_line};

pub(super) fn derive(i: &Inputs<'_>) -> Derivation {
    if !i.has_council() {
        return no_council();
    }
    let free: Vec<&Finding> = i
        .analysis
        .findings
        .iter()
        .filter(|f| f.threat != Threat::Limited && !f.bug_conditioned)
        .filter(|f| f.council_share.values().any(|(s, _)| *s > 0))
        .filter(|f| {
            f.exit_window_seconds
                .is_none_or(|w| w < THIRTY_DAYS_SECONDS)
        })
        .collect();
    match free.first() {
        None => Derivation {
            status: DerivedStatus::Met,
            reason: "the council's powers are conditioned on bugs proven on chain (or wait ≥30d)"
                .into(),
            evidence: vec![],
        },
        Some(f) => Derivation {
            status: DerivedStatus::Unmet,
            reason: format!(
                "the council can {} without an on-chain proven bug, via {}",
                f.power,
                f.path.join(" → ")
            ),
            evidence: free.iter().map(|f| evidence_line(f)).collect(),
        },
    }
}
