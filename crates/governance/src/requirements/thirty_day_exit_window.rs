//! `thirty-day-exit-window` (Stage 2; since the 2023-06 revision).
//!
//! The framework: every upgrade not tied to an on-chain provable bug leaves
//! users at least 30 days to exit, whoever initiates it (DAO-initiated
//! upgrades included). Derived as the smallest exit window over all upgrade
//! paths outside on-chain-bug conditions.

use super::{Inputs, fmt_opt_window, met, min_window};
use crate::rating::THIRTY_DAYS_SECONDS;
use crate::{Derivation, DerivedStatus, evidence_line};

pub(super) fn derive(i: &Inputs<'_>) -> Derivation {
    match min_window(&i.upgrades) {
        None => Derivation {
            status: DerivedStatus::Met,
            reason: "no upgrade path outside on-chain-bug conditions".into(),
            evidence: vec![],
        },
        Some(f) => {
            let ok = f
                .exit_window_seconds
                .is_some_and(|w| w >= THIRTY_DAYS_SECONDS);
            Derivation {
                status: met(ok),
                reason: format!(
                    "smallest exit window over all upgrade paths: {} via {} (30d needed)",
                    fmt_opt_window(f.exit_window_seconds),
                    f.path.join(" → ")
                ),
                evidence: vec![evidence_line(f)],
            }
        }
    }
}
