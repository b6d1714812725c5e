//! Stage-risk model: how likely is a rollup to lose funds at Stage 0, 1 or
//! 2, given how likely its council members and its proof system are to
//! break? (Vitalik Buterin, "The math of when stage 1 and stage 2 make
//! sense", 2025, generalised; see `docs/risk.md`.)
//!
//! Layout:
//! * [`prob`]: probabilities as given (float, and exact when written as a
//!   decimal or fraction);
//! * [`binomial`], [`correlated`], [`exact`]: distributions of the number
//!   of broken members (floating and exact);
//! * [`council`]: k-of-n councils and their override / blocked tails;
//! * [`stages`]: the three failure lines, crossovers, optimal stage;
//! * [`sensitivity`], [`sweep`]: views on the stage model (its charts are
//!   drawn by `l2stage-render`; this crate only computes);
//! * [`safety`], [`nested`], [`provers`], [`project`]: the generalisations;
//! * [`horizon`]: the period every probability refers to;
//! * [`scalar`]: the number types (f64, exact rationals) the closed forms share;
//! * [`montecarlo`]: a simulator of the same models, to check the closed
//!   forms.

pub mod binomial;
pub mod correlated;
pub mod council;
mod error;
pub mod exact;
pub mod horizon;
pub mod montecarlo;
pub mod nested;
pub mod prob;
pub mod project;
pub mod provers;
pub mod report;
pub mod safety;
pub mod scalar;
pub mod sensitivity;
pub mod stages;
pub mod sweep;

pub use council::{
    Affiliation, CouncilModel, CouncilShape, CouncilTails, FailureModel, Formula, Member,
};
pub use error::{Result, RiskError};
pub use horizon::Horizon;
pub use prob::Probability;
pub use scalar::Scalar;
pub use stages::{BaseModel, Line, ModelStage, RiskReport, StageLines};
