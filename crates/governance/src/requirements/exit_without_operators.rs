//! `exit-without-operators` (Stage 1; since the 2023-06 revision).
//!
//! The framework: users can exit without the help of the permissioned
//! operators — forced inclusion of their transactions, plus either
//! permissionless state-root proposing or a self-propose fallback. The
//! analysis computes the time such an exit takes; met when it exists.

use super::{Inputs, met};
use crate::Derivation;

pub(super) fn derive(i: &Inputs<'_>) -> Derivation {
    let a = i.analysis;
    Derivation {
        // The exit time exists exactly when forced inclusion and a way to
        // get a state root proposed both do.
        status: met(a.exit_time_seconds.is_some()),
        reason: a.exit_time_arithmetic.clone(),
        evidence: i.gov.exit.evidence.clone(),
    }
}
