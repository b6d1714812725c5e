//! `permissionless-proofs` (Stage 2; since the 2023-06 revision).
//!
//! The framework: anyone may submit fraud proofs. Optimistic (fraud-proof)
//! systems only; decided when the structure names who may challenge.

use l2stage_model::governance::ANYONE;

use super::{Inputs, met};
use crate::Derivation;

pub(super) fn derive(i: &Inputs<'_>) -> Option<Derivation> {
    if !i.kind.fraud_proofs() {
        return None;
    }
    let ch = i.gov.exit.challenging.as_ref()?;
    let open = ch.is_permissionless() || ch.allowlist().iter().any(|a| a == ANYONE);
    Some(Derivation {
        status: met(open),
        reason: if open {
            "anyone may challenge state roots".into()
        } else {
            format!("challenging is allow-listed: {}", ch.allowlist().join(", "))
        },
        evidence: i.gov.exit.evidence.clone(),
    })
}
