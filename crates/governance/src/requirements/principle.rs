//! `principle` (Stage 1; since the 2025-01 revision, with a grace period to
//! 2025-07-29 under the 2025-01 and 2025-06 revisions).
//!
//! The framework: other than bugs, the only way to block an L2→L1 message
//! (e.g. a withdrawal) indefinitely, or to push an invalid one, is to
//! compromise at least 75% of the Security Council. Derived: every
//! coalition that can block withdrawals or forge a message (outside
//! on-chain-bug conditions) needs ≥75% of a properly set-up council, or
//! acts through a path that leaves users ≥7 days to exit. Unknown is never
//! "not applicable": no such coalition means met, any doubt means unmet.

use super::{Inputs, fmt_opt_window};
use crate::rating::SEVEN_DAYS_SECONDS;
use crate::{Derivation, DerivedStatus, Finding, Threat, evidence_line};

pub(super) fn derive(i: &Inputs<'_>) -> Derivation {
    let dangerous: Vec<&Finding> = i
        .analysis
        .findings
        .iter()
        .filter(|f| f.threat != Threat::Limited && !f.bug_conditioned)
        .collect();
    let violations: Vec<&Finding> = dangerous
        .iter()
        .copied()
        .filter(|f| {
            !f.council_controlled && f.exit_window_seconds.is_none_or(|w| w < SEVEN_DAYS_SECONDS)
        })
        .collect();
    match violations.first() {
        None => Derivation {
            status: DerivedStatus::Met,
            reason: if dangerous.is_empty() {
                "no coalition can block withdrawals or forge L2→L1 messages".into()
            } else {
                format!(
                    "all {} ways to block withdrawals or forge messages need ≥75% of a properly set-up council or leave ≥7d to exit",
                    dangerous.len()
                )
            },
            evidence: dangerous.iter().map(|f| evidence_line(f)).collect(),
        },
        Some(f) => Derivation {
            status: DerivedStatus::Unmet,
            reason: format!(
                "{} can {} without ≥75% of a properly set-up council, leaving {} to exit",
                f.coalition,
                f.power,
                fmt_opt_window(f.exit_window_seconds)
            ),
            evidence: violations.iter().map(|f| evidence_line(f)).collect(),
        },
    }
}
