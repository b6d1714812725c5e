//! A project's assessment rendered for people (text, Markdown) and the risk
//! model's input built from its council. The assessment itself is made by
//! the pipeline, `l2stage-assess`; its types are re-exported here for the
//! renderings until they move to their own crate (issue #12).

pub mod format;
pub mod markdown;
#[cfg(feature = "risk-input")]
pub mod risk_input;
pub mod text;

pub use l2stage_assess::{Assessment, risk_summary};
