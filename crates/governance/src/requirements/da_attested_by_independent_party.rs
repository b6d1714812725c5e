//! `da-attested-by-independent-party` (Stage 0 of the alt-DA blueprint;
//! since the 2026-02 revision).
//!
//! The framework (L2BEAT's `getAltDaStage`, in place of "data on L1" for
//! validiums and optimiums): data availability is attested by a committee or
//! an external DA layer, not by the sequencer alone. Derived from the DA
//! committee in the structure: met when the team's own member entities
//! cannot reach the attestation quorum without outside signatures.

use super::Inputs;
use super::da_committee::Committee;
use crate::{Derivation, DerivedStatus};

pub(super) fn derive(i: &Inputs<'_>) -> Option<Derivation> {
    let c = Committee::of(i)?;
    let s = &c.setup;
    let n = c.n;
    let team_alone = s.outside_entities < s.blocking_minority;
    Some(Derivation {
        status: if team_alone {
            DerivedStatus::Unmet
        } else {
            DerivedStatus::Met
        },
        reason: if team_alone {
            format!(
                "{}: the team's {} entities reach the quorum of {} alone, so the operator attests data availability by itself",
                c.actor.label(),
                n - s.outside_entities,
                s.entity_threshold
            )
        } else {
            format!(
                "{}: every attestation needs outside members ({} outside of {n}; the team cannot reach the quorum of {} alone)",
                c.actor.label(),
                s.outside_entities,
                s.entity_threshold
            )
        },
        evidence: c.evidence,
    })
}
