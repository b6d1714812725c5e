//! A project's full assessment — the framework verdict plus everything shown
//! beside it — and its JSON for programs. Shared by the CLI and the server
//! so both say the same thing; the renderings for people are in
//! `l2stage-render`.

pub mod risk_summary;

use std::collections::BTreeMap;

use serde::Serialize;

use l2stage_framework::{
    Conflict, Input, SelectError, Selection, Status, Verdict, decide, declared_inputs, select,
};
use l2stage_governance::{Analysis, AnalysisError, Derivation, DerivedStatus, ExitWindow, Finding};
use l2stage_model::governance::OutOfForce;
use l2stage_model::{Date, ProjectFile, RequirementId};

/// Everything l2stage says about one project on one day.
///
/// Serialises as the verdict's keys (docs/json-output.md) plus one key per
/// analysis that adds to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The headline exit window, when the governance structure is known and
    /// the system can be upgraded.
    pub exit_window: Option<ExitWindow>,
    /// Every upgrade path with its own window.
    pub exit_windows: Vec<Finding>,
    /// The whole governance analysis (councils, every finding, notes), for
    /// `--explain` and the dashboard; not part of the JSON contract.
    #[serde(skip)]
    pub governance: Option<Analysis>,
    /// The labels shown beside the stage: BattleTested and proof-system
    /// maturity (docs/labels.md).
    pub labels: l2stage_labels::Labels,
    /// L2BEAT's five risk categories (docs/json-output.md).
    pub risk_summary: risk_summary::RiskSummary,
}

/// What an assessment may read beyond the project file itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The project's label inputs read beside it (its value-locked CSV, its
    /// proof-system files), from `l2stage_labels::Inputs::load`. `None`: the
    /// project file alone (inline value-locked points; proof systems listed
    /// in the labels' notes as not loaded).
    pub labels: Option<&'a l2stage_labels::Inputs>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessError {
    #[error(transparent)]
    Select(#[from] SelectError),
    #[error("{project}: governance analysis failed: {source}")]
    Governance {
        project: String,
        source: AnalysisError,
    },
}

/// Assess one project from its file alone: [`assess_project_with`] and an
/// empty [`Context`].
pub fn assess_project(
    project: &ProjectFile,
    sel: Selection<'_>,
) -> Result<Assessment, AssessError> {
    assess_project_with(project, sel, &Context::default())
}

/// Assess one project: declared statuses, overlaid with what its governance
/// structure derives (when the structure applies on that day), and the
/// labels beside the stage.
pub fn assess_project_with(
    project: &ProjectFile,
    sel: Selection<'_>,
    ctx: &Context<'_>,
) -> Result<Assessment, AssessError> {
    let (sel, archived_note) = l2stage_framework::archived_as_of(project, sel);
    let (rev, note) = select(sel)?;
    let state = project.state_at(sel.as_of);
    let (mut inputs, mut warnings) = declared_inputs(project, &state);
    if let Some(n) = note {
        warnings.insert(0, n);
    }
    if let Some(n) = archived_note {
        warnings.insert(0, n);
    }
    let analysis = match &project.governance {
        Some(g) if g.applies_on(sel.as_of) => Some(
            l2stage_governance::analyze(g, state.kind).map_err(|source| {
                AssessError::Governance {
                    project: project.project.id.to_string(),
                    source,
                }
            })?,
        ),
        Some(g) => {
            match g.out_of_force_on(sel.as_of) {
                Some(OutOfForce::NotYet(since)) => warnings.push(format!("the governance structure describes the project from {since}; before that only declared statuses are used")),
                Some(OutOfForce::Replaced(until)) => warnings.push(format!("the governance structure describes the project until {until}, when it was replaced; from then on only declared statuses are used")),
                None => {}
            }
            None
        }
        None => None,
    };
    if let Some(a) = &analysis {
        overlay(project, &mut inputs, &a.derived, &mut warnings);
        warnings.extend(a.notes.iter().cloned());
    }
    let verdict = decide(project, &state, rev, sel.as_of, inputs, warnings);
    let risk_summary = risk_summary::derive(&risk_summary::Facts {
        kind: state.kind,
        verdict: &verdict,
        governance: project.governance.as_ref().filter(|_| analysis.is_some()),
        exit_window: analysis.as_ref().and_then(|a| a.exit_window.as_ref()),
    });
    Ok(Assessment {
        verdict,
        exit_window: analysis.as_ref().and_then(|a| a.exit_window.clone()),
        exit_windows: analysis
            .as_ref()
            .map(|a| a.upgrade_paths().cloned().collect())
            .unwrap_or_default(),
        governance: analysis,
        labels: labels(project, ctx, sel.as_of),
        risk_summary,
    })
}

fn labels(
    project: &ProjectFile,
    ctx: &Context<'_>,
    as_of: l2stage_model::Date,
) -> l2stage_labels::Labels {
    match ctx.labels {
        Some(inputs) => l2stage_labels::evaluate(project, inputs, as_of),
        None => l2stage_labels::evaluate(
            project,
            &l2stage_labels::Inputs::inline(project, None),
            as_of,
        ),
    }
}

fn status_of(d: DerivedStatus) -> Status {
    match d {
        DerivedStatus::Met => Status::Met,
        DerivedStatus::Unmet => Status::Unmet,
        DerivedStatus::NotApplicable => Status::NotApplicable,
    }
}

/// Layer derived statuses over declared ones. Agreement: the derived reason
/// and both evidences. Disagreement: both are shown with a warning; the
/// declared status wins only when it gives a reason.
fn overlay(
    project: &ProjectFile,
    inputs: &mut BTreeMap<RequirementId, Input>,
    derived: &BTreeMap<RequirementId, Derivation>,
    warnings: &mut Vec<String>,
) {
    for (id, d) in derived {
        let derived_status = status_of(d.status);
        let mut input = Input {
            status: derived_status,
            reason: format!("derived: {}", d.reason),
            evidence: l2stage_framework::resolve_sources(project, &d.evidence, warnings, *id),
            since: None,
            derived: true,
            conflict: None,
            explained: true,
        };
        match inputs.remove(id) {
            None => {}
            Some(declared) if declared.status == derived_status => {
                for e in declared.evidence {
                    if !input.evidence.contains(&e) {
                        input.evidence.push(e);
                    }
                }
                input.since = declared.since;
            }
            Some(declared) => {
                let declared_has_reason = declared.explained;
                let conflict = Conflict {
                    declared: declared.status,
                    derived: derived_status,
                    kept: if declared_has_reason {
                        "declared"
                    } else {
                        "derived"
                    },
                    declared_reason: declared_has_reason.then(|| declared.reason.clone()),
                    derived_reason: d.reason.clone(),
                };
                warnings.push(format!(
                    "{id}: declared {} but the structure derives {} ({}); the {} status is used{}",
                    declared.status.as_str(),
                    derived_status.as_str(),
                    d.reason,
                    conflict.kept,
                    if declared_has_reason {
                        " because it gives a reason"
                    } else {
                        " because the declaration gives no reason"
                    }
                ));
                if declared_has_reason {
                    input = Input {
                        conflict: Some(conflict),
                        ..declared
                    };
                } else {
                    input.conflict = Some(conflict);
                }
            }
        }
        inputs.insert(*id, input);
    }
}

/// Why a project gets no verdict on `as_of`: it was not live on Ethereum
/// mainnet yet (`[labels] live_since` is later). A verdict for a day before
/// launch would rate a system that did not exist.
pub fn not_live_on(project: &ProjectFile, as_of: Date) -> Option<String> {
    let since = project.labels.as_ref()?.live_since?;
    (as_of < since).then(|| {
        format!(
            "{} was not live on Ethereum mainnet before {since} (`[labels] live_since`): no verdict for {as_of}",
            l2stage_model::text::quote(&project.project.name)
        )
    })
}

/// The JSON array `assess --format json` prints, newline-terminated.
/// Live projects first, then archived ones (each group in the given order):
/// how lists of assessments are shown.
pub fn live_first(assessments: &mut [Assessment]) {
    assessments.sort_by_key(|a| a.verdict.archived.is_some());
}

pub fn json(assessments: &[Assessment]) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(assessments)?;
    s.push('\n');
    Ok(s)
}
