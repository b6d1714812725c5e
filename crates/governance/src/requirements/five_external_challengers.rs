//! `five-external-challengers` (Stage 1 in the 2023-06 and 2025-01
//! revisions; Stage 0 since the 2025-06 revision).
//!
//! The framework: at least 5 actors outside the team can submit fraud
//! proofs (permissionless challenging counts). Optimistic systems only;
//! decided when the structure names who may challenge. Outside challengers
//! are counted per entity, a multisig challenging as one.

use std::collections::{BTreeSet, HashMap};

use l2stage_model::governance::{ANYONE, Actor, Affiliation, Governance};

use super::{Inputs, met};
use crate::Derivation;

/// Outside entities needed.
const MIN_OUTSIDE: usize = 5;

pub(super) fn derive(i: &Inputs<'_>) -> Option<Derivation> {
    if !i.kind.fraud_proofs() {
        return None;
    }
    let ch = i.gov.exit.challenging.as_ref()?;
    let open = ch.is_permissionless() || ch.allowlist().iter().any(|a| a == ANYONE);
    let outside = if open {
        usize::MAX
    } else {
        outside_entities(i.gov, ch.allowlist())
    };
    Some(Derivation {
        status: met(outside >= MIN_OUTSIDE),
        reason: if open {
            "challenging is permissionless".into()
        } else {
            format!("{outside} allow-listed challenger(s) outside the team (5 needed)")
        },
        evidence: i.gov.exit.evidence.clone(),
    })
}

/// Distinct outside entities among the given actors. Each actor is one
/// challenger (a multisig challenges as one), counted under its entity.
fn outside_entities(gov: &Governance, ids: &[String]) -> usize {
    let by_id: HashMap<&str, &Actor> = gov
        .actors
        .iter()
        .rev()
        .map(|a| (a.id.as_str(), a))
        .collect();
    ids.iter()
        .filter_map(|id| by_id.get(id.as_str()).copied())
        .filter(|a| a.affiliation == Some(Affiliation::Outside))
        .map(|a| a.entity.clone().unwrap_or_else(|| a.id.clone()))
        .collect::<BTreeSet<_>>()
        .len()
}
