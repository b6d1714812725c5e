//! Framework revisions as data: which requirement belongs to which stage,
//! since when, and which grace periods apply.

use RequirementId::*;
use l2stage_model::{Date, Kind, RequirementId};

/// A grace period: failing only these requirements marks a downgrade as
/// pending instead of downgrading, until the deadline (exclusive: on the
/// deadline day the downgrade has happened).
#[derive(Debug, Clone)]
pub struct Grace {
    pub requirements: &'static [RequirementId],
    pub deadline: Date,
    pub note: &'static str,
}

/// One revision of the Stages Framework.
#[derive(Debug, Clone)]
pub struct Revision {
    /// Stable id, `YYYY-MM`.
    pub id: &'static str,
    /// First day it was in force.
    pub in_force: Date,
    pub summary: &'static str,
    /// Requirements of Stage 0, 1 and 2 for rollups, in display order.
    pub stages: [&'static [RequirementId]; 3],
    /// Requirements of Stage 0, 1 and 2 for validiums and optimiums (the
    /// alt-DA blueprint); `None` when the revision did not rate them.
    pub alt_da: Option<[&'static [RequirementId]; 3]>,
    pub grace: Vec<Grace>,
}

impl Revision {
    /// The stage (0, 1, 2) a requirement belongs to in this revision's
    /// rollup blueprint.
    pub fn stage_of(&self, id: RequirementId) -> Option<u8> {
        self.stage_of_for(Kind::Optimistic, id)
    }

    /// The stage (0, 1, 2) a requirement belongs to for a project of this
    /// kind.
    pub fn stage_of_for(&self, kind: Kind, id: RequirementId) -> Option<u8> {
        self.blueprint(kind)?
            .iter()
            .position(|reqs| reqs.contains(&id))
            .map(|s| s as u8)
    }

    /// The lists of Stage 0, 1 and 2 for a project of this kind: the rollup
    /// blueprint, or the alt-DA one for validiums and optimiums (`None`
    /// when this revision does not rate them).
    pub fn blueprint(&self, kind: Kind) -> Option<&[&'static [RequirementId]; 3]> {
        if kind.alt_da() {
            self.alt_da.as_ref()
        } else {
            Some(&self.stages)
        }
    }

    /// Every requirement of the blueprint for this kind with its stage, in
    /// display order (empty when the revision does not rate the kind).
    pub fn requirements_for(&self, kind: Kind) -> impl Iterator<Item = (u8, RequirementId)> + '_ {
        self.blueprint(kind)
            .into_iter()
            .flat_map(|b| b.iter())
            .enumerate()
            .flat_map(|(s, reqs)| reqs.iter().map(move |r| (s as u8, *r)))
    }

    /// The grace period covering a requirement on a given day, if any.
    pub fn grace_for(&self, id: RequirementId, as_of: Date) -> Option<&Grace> {
        self.grace
            .iter()
            .find(|g| g.requirements.contains(&id) && as_of < g.deadline)
    }

    /// Every requirement of the revision with its stage, in display order.
    pub fn requirements(&self) -> impl Iterator<Item = (u8, RequirementId)> + '_ {
        self.stages
            .iter()
            .enumerate()
            .flat_map(|(s, reqs)| reqs.iter().map(move |r| (s as u8, *r)))
    }
}

fn day(y: i32, m: u32, d: u32) -> Date {
    // Literal dates below are valid; a typo would fail the revision tests.
    Date::from_ymd(y, m, d).unwrap_or_else(|| unreachable!("invalid literal date {y}-{m}-{d}"))
}

const STAGE0_2023: &[RequirementId] = &[
    CallsItselfRollup,
    StateRootsOnL1,
    DataOnL1,
    NodeSourceAvailable,
];
const STAGE1_2023: &[RequirementId] = &[
    ProofSystem,
    FiveExternalChallengers,
    SevenDayExitWindow,
    ExitWithoutOperators,
    CouncilProperlySetUp,
];
const STAGE1_2025_01: &[RequirementId] = &[
    ProofSystem,
    FiveExternalChallengers,
    Principle,
    SevenDayExitWindow,
    ExitWithoutOperators,
    CouncilProperlySetUp,
];
const STAGE0_2025_06: &[RequirementId] = &[
    ProofSystem,
    FiveExternalChallengers,
    CallsItselfRollup,
    StateRootsOnL1,
    DataOnL1,
    NodeSourceAvailable,
];
const STAGE1_2025_06: &[RequirementId] = &[
    Principle,
    ExitWithoutOperators,
    SevenDayExitWindow,
    CouncilProperlySetUp,
];
const STAGE1_2026: &[RequirementId] = &[
    Principle,
    ExitWithoutOperators,
    SevenDayExitWindow,
    CouncilProperlySetUp,
    NoRedTrustedSetup,
    ProverSourcePublished,
    VerifiersReproducible,
    ProgramsReproducible,
];
const STAGE2: &[RequirementId] = &[
    PermissionlessProofs,
    ThirtyDayExitWindow,
    CouncilOnlyForOnchainBugs,
];

// The alt-DA blueprint (L2BEAT's `getAltDaStage`, packages/config/src/
// common/stages/getAltDaStage.ts): validiums and optimiums.
const ALT_DA_STAGE0: &[RequirementId] = &[
    CallsItselfValidiumOrOptimium,
    StateRootsOnL1,
    ProofSystem,
    DaAttestedByIndependentParty,
    NodeSourceAvailable,
    FiveExternalChallengers,
];
const ALT_DA_STAGE1: &[RequirementId] = &[
    Principle,
    ExitWithoutOperators,
    SevenDayExitWindow,
    CouncilProperlySetUp,
    DaVerifierSecureOnL1,
    DaVerifierSevenDayExitWindow,
    DaCommitteeDecentralized,
    NoRedTrustedSetup,
    ProverSourcePublished,
    VerifiersReproducible,
    ProgramsReproducible,
];
const ALT_DA_STAGE2: &[RequirementId] = &[
    PermissionlessProofs,
    ThirtyDayExitWindow,
    CouncilOnlyForOnchainBugs,
    DaVerifierThirtyDayExitWindow,
    DaMechanismEconomicSecurity,
];

fn principle_grace() -> Grace {
    Grace {
        requirements: &[Principle],
        deadline: day(2025, 7, 29),
        note: "Stage 1 principle introduced in 2025: projects meeting every other Stage 1 requirement keep Stage 1 until 2025-07-29",
    }
}

/// All revisions, oldest first.
pub fn revisions() -> &'static [Revision] {
    static REVISIONS: std::sync::LazyLock<Vec<Revision>> = std::sync::LazyLock::new(|| {
        vec![
            Revision {
                id: "2023-06",
                in_force: day(2023, 6, 1),
                summary: "First published framework: Stage 0 rollup basics; proof system, challengers, exit window and council at Stage 1",
                stages: [STAGE0_2023, STAGE1_2023, STAGE2],
                alt_da: None,
                grace: vec![],
            },
            Revision {
                id: "2025-01",
                // Announced by L2BEAT on 2025-01-29 with a six-month grace.
                in_force: day(2025, 1, 29),
                summary: "Adds the Stage 1 principle (only ≥75% of the council may override the proof system), with a grace period",
                stages: [STAGE0_2023, STAGE1_2025_01, STAGE2],
                alt_da: None,
                grace: vec![principle_grace()],
            },
            Revision {
                id: "2025-06",
                in_force: day(2025, 6, 25),
                summary: "Recategorisation: proof system and five external challengers move down to Stage 0",
                stages: [STAGE0_2025_06, STAGE1_2025_06, STAGE2],
                alt_da: None,
                grace: vec![principle_grace()],
            },
            Revision {
                id: "2026-02",
                // "New Stage 1 requirements for L2 proving systems", posted 2026-02-16.
                in_force: day(2026, 2, 16),
                summary: "Adds four Stage 1 requirements for every proving system (for optimistic ones, the fault-proof program and any ZK/TEE part): no red trusted setup, prover source published, verifiers and programs reproducible; rates validiums and optimiums on the alt-DA blueprint",
                stages: [STAGE0_2025_06, STAGE1_2026, STAGE2],
                alt_da: Some([ALT_DA_STAGE0, ALT_DA_STAGE1, ALT_DA_STAGE2]),
                grace: vec![
                    principle_grace(),
                    Grace {
                        requirements: &[
                            NoRedTrustedSetup,
                            ProverSourcePublished,
                            VerifiersReproducible,
                            ProgramsReproducible,
                        ],
                        deadline: day(2026, 8, 17),
                        note: "Proving-system requirements introduced in 2026: Stage 1 projects failing only these keep Stage 1 until 2026-08-17",
                    },
                ],
            },
        ]
    });
    &REVISIONS
}

/// The first revision that rates validiums and optimiums.
pub fn first_alt_da() -> &'static Revision {
    revisions()
        .iter()
        .find(|r| r.alt_da.is_some())
        .unwrap_or_else(|| unreachable!("the 2026-02 revision has an alt-DA blueprint"))
}

/// The revision with this id.
pub fn by_id(id: &str) -> Option<&'static Revision> {
    revisions().iter().find(|r| r.id == id)
}

/// The revision in force on a day; before the first one, `None`.
pub fn in_force_on(date: Date) -> Option<&'static Revision> {
    revisions().iter().rev().find(|r| r.in_force <= date)
}

/// The ids of every revision, for messages.
pub fn ids() -> Vec<&'static str> {
    revisions().iter().map(|r| r.id).collect()
}
