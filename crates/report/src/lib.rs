//! A project's full assessment — the framework verdict plus everything shown
//! beside it — and its renderings for people (text, Markdown) and programs
//! (JSON). Shared by the CLI and the server so both say the same thing.

pub mod markdown;
pub mod text;

use serde::Serialize;

use l2stage_framework::{SelectError, Selection, Verdict, assess};
use l2stage_model::ProjectFile;

/// Everything l2stage says about one project on one day.
///
/// Serialises as the verdict's keys (docs/json-output.md) plus one key per
/// analysis that adds to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// Assess one project.
pub fn assess_project(
    project: &ProjectFile,
    sel: Selection<'_>,
) -> Result<Assessment, SelectError> {
    let verdict = assess(project, sel)?;
    Ok(Assessment { verdict })
}

/// The JSON array `assess --format json` prints, newline-terminated.
pub fn json(assessments: &[Assessment]) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(assessments)?;
    s.push('\n');
    Ok(s)
}
