//! `council-properly-set-up` (Stage 1; since the 2023-06 revision).
//!
//! The framework: the Security Council has at least 8 members and a
//! threshold of at least 75%, its members are publicly announced, and
//! enough of them sit outside the team's organisation to block a quorum
//! (n − k + 1 of n members with threshold k; 6-of-8 needs 3 outside).
//! Entities are counted, not keys. The per-council arithmetic is in
//! `crate::council`.

use super::{Inputs, met, no_council};
use crate::{CouncilSetup, Derivation};

pub(super) fn derive(i: &Inputs<'_>) -> Derivation {
    let councils = &i.analysis.councils;
    if !i.has_council() {
        return no_council();
    }
    let bad: Vec<&CouncilSetup> = councils.iter().filter(|c| !c.properly_set_up).collect();
    Derivation {
        status: met(bad.is_empty()),
        reason: if bad.is_empty() {
            "≥8 members, ≥75% threshold, all announced, enough outside members to block a quorum (counted per entity)".into()
        } else {
            bad.iter()
                .map(|c| format!("{}: {}", c.name, c.failures.join("; ")))
                .collect::<Vec<_>>()
                .join(" / ")
        },
        evidence: councils.iter().map(CouncilSetup::summary).collect(),
    }
}
