//! Presentation: everything l2stage shows people, in one place, so the CLI,
//! the API and the dashboard say the same thing the same way. The front
//! ends only choose a format; the analysis crates (governance, risk,
//! framework) compute and never draw.
//!
//! * [`text`], [`markdown`]: an assessment as a terminal checklist or a
//!   Markdown report;
//! * [`graph`]: the permission graph as DOT, Mermaid or SVG;
//! * [`chart`]: the risk model's charts (SVG);
//! * [`badge`]: the README badge of a stage (SVG);
//! * [`rosette`]: the risk summary's five categories (SVG);
//! * [`format`]: the one set of number, probability and duration
//!   formatters;
//! * [`timeline`]: a project's stage timeline as an SVG strip;
//! * [`svg`]: drawn SVG made lighter for the dashboard or kept at its
//!   natural width;
//! * [`risk_input`]: a project's Security Council as the risk model's
//!   input, with the notes that go with it.

pub mod badge;
pub mod chart;
pub mod format;
pub mod graph;
pub mod markdown;
pub mod risk_input;
pub mod risk_text;
pub mod rosette;
pub mod svg;
pub mod text;
pub mod timeline;

/// The pipeline's result, re-exported so the renderings name it from one
/// place.
pub use l2stage_assess::Assessment;
