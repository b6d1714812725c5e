//! `seven-day-exit-window` (Stage 1; since the 2023-06 revision).
//!
//! The framework: every upgrade initiated by an actor more centralised
//! than a properly set-up Security Council leaves users at least 7 days to
//! exit. Derived as the smallest exit window over the upgrade paths (outside
//! on-chain-bug conditions) that do not need ≥75% of such a council.

use super::{Inputs, fmt_opt_window, met, min_window};
use crate::rating::SEVEN_DAYS_SECONDS;
use crate::{Derivation, DerivedStatus, Finding, evidence_line};

pub(super) fn derive(i: &Inputs<'_>) -> Derivation {
    let upgrades = &i.upgrades;
    let weaker: Vec<&Finding> = upgrades
        .iter()
        .copied()
        .filter(|f| !f.council_controlled)
        .collect();
    match min_window(&weaker) {
        None => Derivation {
            status: DerivedStatus::Met,
            reason: if upgrades.is_empty() {
                "no upgrade path".into()
            } else {
                "every upgrade path needs ≥75% of a properly set-up Security Council".into()
            },
            evidence: upgrades.iter().map(|f| evidence_line(f)).collect(),
        },
        Some(f) => {
            let ok = f
                .exit_window_seconds
                .is_some_and(|w| w >= SEVEN_DAYS_SECONDS);
            Derivation {
                status: met(ok),
                reason: format!(
                    "smallest exit window without the council: {} via {} ({} needed)",
                    fmt_opt_window(f.exit_window_seconds),
                    f.path.join(" → "),
                    if ok { "≥7d" } else { "7d" }
                ),
                evidence: vec![evidence_line(f)],
            }
        }
    }
}
