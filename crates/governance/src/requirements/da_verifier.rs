//! Shared by the two DA-verifier exit-window rules: the upgrade paths whose
//! power targets the DA verifier named in the structure's `[da]` section.

use super::{Inputs, fmt_opt_window, met, min_window};
use crate::{Derivation, DerivedStatus, Finding, evidence_line};

/// Which paths a DA-verifier window is owed on, and the bar.
pub(super) struct Bar {
    /// Only paths not controlled by a properly set-up council (the 7-day
    /// rule) rather than every path (the 30-day rule).
    pub without_council: bool,
    pub seconds: i64,
    /// The bar in words (`7d`, `30d`).
    pub label: &'static str,
}

/// The smallest exit window over the DA verifier's upgrade paths against
/// the bar; `None` when the structure names no DA verifier.
pub(super) fn window(i: &Inputs<'_>, bar: Bar) -> Option<Derivation> {
    let da = i.gov.da.as_ref()?;
    let verifier = da.verifier.as_ref()?;
    if da.verifier_immutable {
        return Some(Derivation {
            status: DerivedStatus::Met,
            reason: format!("the DA verifier {verifier} cannot be upgraded or replaced"),
            evidence: da.evidence.clone(),
        });
    }
    let paths: Vec<&Finding> = i
        .upgrades
        .iter()
        .copied()
        .filter(|f| f.target.as_deref() == Some(verifier.as_str()))
        .collect();
    let (pool, scope): (Vec<&Finding>, &str) = if bar.without_council {
        (
            paths
                .iter()
                .copied()
                .filter(|f| !f.council_controlled)
                .collect(),
            "without the council",
        )
    } else {
        (paths.clone(), "over all paths")
    };
    Some(match min_window(&pool) {
        None => Derivation {
            status: DerivedStatus::Met,
            reason: if paths.is_empty() {
                format!(
                    "no upgrade path to the DA verifier {verifier} outside on-chain-bug conditions"
                )
            } else {
                format!(
                    "every upgrade path to the DA verifier {verifier} needs ≥75% of a properly set-up Security Council"
                )
            },
            evidence: paths.iter().map(|f| evidence_line(f)).collect(),
        },
        Some(f) => Derivation {
            status: met(f.exit_window_seconds.is_some_and(|w| w >= bar.seconds)),
            reason: format!(
                "smallest exit window {scope} upgrading the DA verifier {verifier}: {} via {} ({} needed)",
                fmt_opt_window(f.exit_window_seconds),
                f.path.join(" → "),
                bar.label,
            ),
            evidence: vec![evidence_line(f)],
        },
    })
}
