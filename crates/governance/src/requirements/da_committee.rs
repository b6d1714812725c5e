//! Shared by the two DA-committee rules: the committee's entity arithmetic.

use l2stage_model::governance::Actor;

use super::Inputs;
use crate::council::{self, CouncilSetup};

/// The DA committee of a structure, counted per entity like a council.
pub(super) struct Committee<'a> {
    pub actor: &'a Actor,
    pub setup: CouncilSetup,
    /// Member entities.
    pub n: usize,
    /// Honest entities that can refuse a false attestation (n − k + 1).
    pub honest: usize,
    /// The arithmetic, in one line.
    pub arithmetic: String,
    /// The arithmetic, then the DA section's and the committee's sources.
    pub evidence: Vec<String>,
}

impl<'a> Committee<'a> {
    pub fn of(i: &Inputs<'a>) -> Option<Committee<'a>> {
        let da = i.gov.da.as_ref()?;
        let actor = i.gov.da_committee()?;
        let setup = council::setup(i.gov, actor);
        let n = setup.entities;
        let honest = (n + 1).saturating_sub(setup.entity_threshold);
        let arithmetic = format!(
            "{}: {} of {n} entities sign an attestation, so {honest} honest entities can refuse one; {} outside",
            actor.label(),
            setup.entity_threshold,
            setup.outside_entities
        );
        let mut evidence = vec![arithmetic.clone()];
        evidence.extend(da.evidence.iter().cloned());
        evidence.extend(actor.evidence.iter().cloned());
        Some(Committee {
            actor,
            setup,
            n,
            honest,
            arithmetic,
            evidence,
        })
    }
}
