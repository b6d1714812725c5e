//! The Stages Framework engine: every revision's requirements as data, and
//! the evaluation of a project to a verdict with reasons and evidence.
//!
//! No I/O here: callers parse project files (l2stage-model) and render
//! verdicts.

pub mod evaluate;
pub mod revision;
pub mod verdict;

pub use evaluate::{
    Declaration, Input, SelectError, Selection, archived_as_of, decide, declaration,
    declared_inputs, declared_verdict, resolve_sources, select,
};
pub use revision::{Grace, Revision};
pub use verdict::{
    Conflict, DowngradePending, Missing, OtherReason, RequirementResult, Stage, Status, Verdict,
};
