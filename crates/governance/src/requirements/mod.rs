//! One file per requirement the governance structure can decide.
//!
//! "Where is `X` decided?" — in `X`'s file here (the id with `_` for `-`),
//! reached from [`derive()`]'s `match`. Each file opens with the framework's
//! wording of the requirement (docs/methodology.md; L2BEAT's Stages
//! Framework) and the revision that introduced it. Which stage a
//! requirement belongs to in each revision is data in
//! `l2stage_framework::revision`; whether a declared status overrides the
//! derived one is the assessment pipeline's overlay.
//!
//! A rule returns `None` when the structure says nothing about its
//! requirement (e.g. no fraud-proof challengers for a validity rollup, no
//! DA committee): the declared status then stands alone.

use std::collections::BTreeMap;

use l2stage_model::governance::Governance;
use l2stage_model::{Kind, RequirementId, format_seconds};

use crate::{Analysis, Derivation, DerivedStatus, Finding};

mod council_only_for_onchain_bugs;
mod council_properly_set_up;
mod da_attested_by_independent_party;
mod da_committee;
mod da_committee_decentralized;
mod da_verifier;
mod da_verifier_seven_day_exit_window;
mod da_verifier_thirty_day_exit_window;
mod exit_without_operators;
mod five_external_challengers;
mod permissionless_proofs;
mod principle;
mod seven_day_exit_window;
mod thirty_day_exit_window;

/// What every rule reads: the structure and what the analysis found in it.
pub struct Inputs<'a> {
    pub gov: &'a Governance,
    pub kind: Kind,
    pub analysis: &'a Analysis,
    /// Upgrade paths outside on-chain-bug conditions, the paths exit
    /// windows are owed on.
    pub upgrades: Vec<&'a Finding>,
}

impl<'a> Inputs<'a> {
    pub fn new(gov: &'a Governance, kind: Kind, analysis: &'a Analysis) -> Inputs<'a> {
        Inputs {
            gov,
            kind,
            analysis,
            upgrades: analysis
                .upgrade_paths()
                .filter(|f| !f.bug_conditioned)
                .collect(),
        }
    }

    fn has_council(&self) -> bool {
        !self.analysis.councils.is_empty()
    }
}

/// The status the structure gives one requirement, or `None` when it is
/// not decided by the structure (declared only, or nothing to decide).
pub fn derive(id: RequirementId, i: &Inputs<'_>) -> Option<Derivation> {
    use RequirementId::*;
    match id {
        Principle => Some(principle::derive(i)),
        ExitWithoutOperators => Some(exit_without_operators::derive(i)),
        SevenDayExitWindow => Some(seven_day_exit_window::derive(i)),
        CouncilProperlySetUp => Some(council_properly_set_up::derive(i)),
        PermissionlessProofs => permissionless_proofs::derive(i),
        FiveExternalChallengers => five_external_challengers::derive(i),
        ThirtyDayExitWindow => Some(thirty_day_exit_window::derive(i)),
        CouncilOnlyForOnchainBugs => Some(council_only_for_onchain_bugs::derive(i)),
        DaAttestedByIndependentParty => da_attested_by_independent_party::derive(i),
        DaVerifierSevenDayExitWindow => da_verifier_seven_day_exit_window::derive(i),
        DaCommitteeDecentralized => da_committee_decentralized::derive(i),
        DaVerifierThirtyDayExitWindow => da_verifier_thirty_day_exit_window::derive(i),
        // Declared in the project file: facts about the proof system, the
        // data, the node software and the proving stack that the actor
        // structure does not describe.
        ProofSystem
        | CallsItselfRollup
        | StateRootsOnL1
        | DataOnL1
        | NodeSourceAvailable
        | NoRedTrustedSetup
        | ProverSourcePublished
        | VerifiersReproducible
        | ProgramsReproducible
        | CallsItselfValidiumOrOptimium
        | DaVerifierSecureOnL1
        | DaMechanismEconomicSecurity => None,
    }
}

/// Every requirement the structure decides.
pub fn derive_all(
    gov: &Governance,
    kind: Kind,
    analysis: &Analysis,
) -> BTreeMap<RequirementId, Derivation> {
    let inputs = Inputs::new(gov, kind, analysis);
    RequirementId::ALL
        .iter()
        .filter_map(|&id| derive(id, &inputs).map(|d| (id, d)))
        .collect()
}

fn met(ok: bool) -> DerivedStatus {
    if ok {
        DerivedStatus::Met
    } else {
        DerivedStatus::Unmet
    }
}

fn no_council() -> Derivation {
    Derivation {
        status: DerivedStatus::NotApplicable,
        reason: "no Security Council in the structure".into(),
        evidence: vec![],
    }
}

fn fmt_opt_window(w: Option<i64>) -> String {
    match w {
        Some(w) => format_seconds(w),
        None => "none (users cannot exit without the operators)".into(),
    }
}

/// The path with the smallest exit window (no window at all counts smallest).
fn min_window<'a>(fs: &[&'a Finding]) -> Option<&'a Finding> {
    fs.iter()
        .min_by_key(|f| f.exit_window_seconds.unwrap_or(i64::MIN))
        .copied()
}
