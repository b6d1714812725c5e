//! The verdict: a project's stage under one revision on one day, with every
//! requirement's status, reason and evidence. Its JSON form is a documented,
//! stable contract (docs/json-output.md).

use serde::Serialize;

use l2stage_model::{Date, Kind, RequirementId};

/// A project's stage. Ordered from least to most decentralised; `UnderReview`
/// stands apart and sorts last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    #[serde(rename = "not-stage-0")]
    NotStage0,
    #[serde(rename = "stage-0")]
    Stage0,
    #[serde(rename = "stage-1")]
    Stage1,
    #[serde(rename = "stage-2")]
    Stage2,
    UnderReview,
}

impl Stage {
    /// Stage from a level: -1 is not even Stage 0.
    pub fn from_level(level: i8) -> Stage {
        match level {
            i8::MIN..=-1 => Stage::NotStage0,
            0 => Stage::Stage0,
            1 => Stage::Stage1,
            _ => Stage::Stage2,
        }
    }

    /// Numeric level; `None` for under review.
    pub fn level(self) -> Option<i8> {
        match self {
            Stage::NotStage0 => Some(-1),
            Stage::Stage0 => Some(0),
            Stage::Stage1 => Some(1),
            Stage::Stage2 => Some(2),
            Stage::UnderReview => None,
        }
    }

    /// The id used in JSON, e.g. `stage-1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::NotStage0 => "not-stage-0",
            Stage::Stage0 => "stage-0",
            Stage::Stage1 => "stage-1",
            Stage::Stage2 => "stage-2",
            Stage::UnderReview => "under-review",
        }
    }

    /// Human label, e.g. `Stage 1`.
    pub fn label(self) -> &'static str {
        match self {
            Stage::NotStage0 => "Not even Stage 0",
            Stage::Stage0 => "Stage 0",
            Stage::Stage1 => "Stage 1",
            Stage::Stage2 => "Stage 2",
            Stage::UnderReview => "Under review",
        }
    }
}

/// The evaluated status of one requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Met,
    Unmet,
    /// Counts as unmet; pending a reviewer.
    UnderReview,
    /// Dropped from the computation.
    NotApplicable,
    /// Not declared (nor derived): counts as unmet.
    Unknown,
}

impl Status {
    /// Whether the requirement stands in the way of its stage.
    pub fn blocks(self) -> bool {
        !matches!(self, Status::Met | Status::NotApplicable)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Unmet => "unmet",
            Status::UnderReview => "under-review",
            Status::NotApplicable => "not-applicable",
            Status::Unknown => "unknown",
        }
    }
}

/// One requirement in a verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementResult {
    pub id: RequirementId,
    /// The stage it belongs to in the revision used.
    pub stage: u8,
    pub status: Status,
    pub reason: String,
    pub evidence: Vec<String>,
    /// What "met" means, in one line.
    pub title: &'static str,
    /// The day the current declaration took effect, when set by history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    /// Computed from the project's structure (governance analysis) rather
    /// than declared.
    pub derived: bool,
    /// Present when the declared and derived statuses disagree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Conflict>,
}

/// A declared status contradicting the derived one: both are shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub declared: Status,
    pub derived: Status,
    /// Which one the verdict uses: `declared` only when it gives a reason.
    pub kept: &'static str,
    pub declared_reason: Option<String>,
    pub derived_reason: String,
}

/// What the next stage needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    pub next_stage: Stage,
    pub requirements: Vec<RequirementId>,
}

/// A stage kept only thanks to a grace period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DowngradePending {
    pub to_stage: Stage,
    /// The day the downgrade takes effect unless the requirements are met.
    pub deadline: Date,
    pub reasons: Vec<String>,
}

/// L2BEAT's reason codes for listing a project under "Others" (not even
/// Stage 0), from `REASON_FOR_BEING_OTHER` in l2beat/l2beat
/// (packages/config/src/common/reasonsForBeingOther.ts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum OtherReason {
    /// The proof system is not fully functional (`proof-system` unmet).
    #[serde(rename = "NO_PROOFS")]
    NoProofs,
    /// Fewer than 5 outside actors can challenge
    /// (`five-external-challengers` unmet).
    #[serde(rename = "CLOSED_PROOFS")]
    ClosedProofs,
    /// No data-availability bridge: the sequencer alone attests data
    /// (`da-attested-by-independent-party` unmet).
    #[serde(rename = "NO_DA_ORACLE")]
    NoDaOracle,
}

impl OtherReason {
    pub const ALL: [OtherReason; 3] = [
        OtherReason::NoProofs,
        OtherReason::ClosedProofs,
        OtherReason::NoDaOracle,
    ];

    /// The code as L2BEAT writes it.
    pub fn code(self) -> &'static str {
        match self {
            OtherReason::NoProofs => "NO_PROOFS",
            OtherReason::ClosedProofs => "CLOSED_PROOFS",
            OtherReason::NoDaOracle => "NO_DA_ORACLE",
        }
    }

    /// L2BEAT's short label.
    pub fn label(self) -> &'static str {
        match self {
            OtherReason::NoProofs => "No proofs",
            OtherReason::ClosedProofs => "Closed proofs",
            OtherReason::NoDaOracle => "No DA bridge",
        }
    }

    /// The code a failed Stage 0 requirement maps to; `None` for the
    /// requirements L2BEAT has no code for (a project failing them is not
    /// listed as an L2 at all: it does not call itself a rollup, posts no
    /// state roots, ...).
    pub fn for_requirement(id: RequirementId) -> Option<OtherReason> {
        match id {
            RequirementId::ProofSystem => Some(OtherReason::NoProofs),
            RequirementId::FiveExternalChallengers => Some(OtherReason::ClosedProofs),
            RequirementId::DaAttestedByIndependentParty => Some(OtherReason::NoDaOracle),
            _ => None,
        }
    }
}

/// A project's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    /// Id of the framework revision used.
    pub framework: &'static str,
    pub as_of: Date,
    /// The day the project was archived (`[project] archived`), when that
    /// is on or before `as_of`; `None` while it was live.
    pub archived: Option<Date>,
    pub stage: Stage,
    pub requirements: Vec<RequirementResult>,
    pub missing: Option<Missing>,
    /// When not even Stage 0: L2BEAT's reason codes for the failed Stage 0
    /// requirements that have one (empty otherwise).
    pub others_reasons: Vec<OtherReason>,
    pub warnings: Vec<String>,
    pub downgrade_pending: Option<DowngradePending>,
}

impl Verdict {
    pub fn requirement(&self, id: RequirementId) -> Option<&RequirementResult> {
        self.requirements.iter().find(|r| r.id == id)
    }
}
