//! `da-verifier-seven-day-exit-window` (Stage 1 of the alt-DA blueprint;
//! since the 2026-02 revision).
//!
//! The framework (L2BEAT's `getAltDaStage`): the DA verifier on Ethereum is
//! immutable, or its upgrades by actors more centralised than the Security
//! Council leave users at least 7 days to exit — the `seven-day-exit-window`
//! rule applied to the paths that upgrade the DA verifier.

use super::Inputs;
use super::da_verifier::{Bar, window};
use crate::Derivation;
use crate::rating::SEVEN_DAYS_SECONDS;

pub(super) fn derive(i: &Inputs<'_>) -> Option<Derivation> {
    window(
        i,
        Bar {
            without_council: true,
            seconds: SEVEN_DAYS_SECONDS,
            label: "7d",
        },
    )
}
