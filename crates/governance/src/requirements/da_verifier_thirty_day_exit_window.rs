//! `da-verifier-thirty-day-exit-window` (Stage 2 of the alt-DA blueprint;
//! since the 2026-02 revision).
//!
//! The framework (L2BEAT's `getAltDaStage`): the DA verifier on Ethereum is
//! immutable, or every upgrade of it not tied to an on-chain provable bug
//! leaves users at least 30 days to exit — the `thirty-day-exit-window`
//! rule applied to the paths that upgrade the DA verifier.

use super::Inputs;
use super::da_verifier::{Bar, window};
use crate::Derivation;
use crate::rating::THIRTY_DAYS_SECONDS;

pub(super) fn derive(i: &Inputs<'_>) -> Option<Derivation> {
    window(
        i,
        Bar {
            without_council: false,
            seconds: THIRTY_DAYS_SECONDS,
            label: "30d",
        },
    )
}
