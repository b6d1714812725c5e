//! `da-committee-decentralized` (Stage 1 of the alt-DA blueprint; since the
//! 2026-02 revision).
//!
//! The framework (L2BEAT's `getAltDaStage`): the DA layer is minimally
//! decentralised. For a DA committee, L2BEAT's DAC bar: at least 6
//! publicly announced members, an honest minority of at most 1/3 able to
//! refuse a false attestation, and at least 5 members outside the team.

use super::Inputs;
use super::da_committee::Committee;
use crate::{Derivation, DerivedStatus};

/// L2BEAT's DA-committee bar (`getDacSentiment` in
/// packages/config/src/common/DaCommitteeSecurityRisk.ts): at least 6
/// known members, at least 5 of them external.
const DAC_MIN_MEMBERS: usize = 6;
const DAC_MIN_OUTSIDE: usize = 5;

pub(super) fn derive(i: &Inputs<'_>) -> Option<Derivation> {
    let c = Committee::of(i)?;
    let s = &c.setup;
    let (n, honest) = (c.n, c.honest);
    let mut failures = Vec::new();
    if s.unannounced_members > 0 {
        failures.push(format!(
            "{} member(s) not publicly announced",
            s.unannounced_members
        ));
    }
    if n < DAC_MIN_MEMBERS {
        failures.push(format!("{n} member entities (≥{DAC_MIN_MEMBERS} needed)"));
    }
    if honest * 3 > n {
        failures.push(format!(
            "{honest} of {n} honest members are needed to refuse a false attestation (an honest minority of at most 1/3 needed)"
        ));
    }
    if s.outside_entities < DAC_MIN_OUTSIDE {
        failures.push(format!(
            "{} outside member entities (≥{DAC_MIN_OUTSIDE} needed)",
            s.outside_entities
        ));
    }
    let arithmetic = &c.arithmetic;
    Some(Derivation {
        status: if failures.is_empty() {
            DerivedStatus::Met
        } else {
            DerivedStatus::Unmet
        },
        reason: if failures.is_empty() {
            format!(
                "{arithmetic}: ≥{DAC_MIN_MEMBERS} announced members, an honest minority of at most 1/3, ≥{DAC_MIN_OUTSIDE} outside"
            )
        } else {
            format!("{arithmetic} — {}", failures.join("; "))
        },
        evidence: c.evidence,
    })
}
