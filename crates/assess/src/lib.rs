//! The assessment pipeline: from a project file to everything l2stage says
//! about it on a day.
//!
//! One path for every front end (CLI, server, store, discovery's checks):
//!
//! 1. [`catalog`] reads project files and what their labels need beside
//!    them, with one set of rules;
//! 2. [`assess`] takes a project's declared statuses
//!    ([`l2stage_framework::declaration`]), layers what its governance
//!    structure derives over them (the overlay: a declared status that
//!    disagrees is kept only when it gives a reason), lets the framework
//!    decide the stage, and adds the labels and the risk summary;
//! 3. [`timeline`] gives the days a project's stage changed.
//!
//! Renderings (text, Markdown, HTML) and persistence are elsewhere; this
//! crate does no I/O beyond reading the files it is given.

pub mod catalog;
pub mod risk_summary;
pub mod timeline;

use std::collections::BTreeMap;

use serde::Serialize;

use l2stage_framework::{Conflict, Input, SelectError, Selection, Status, Verdict, declaration};
use l2stage_governance::{Analysis, AnalysisError, Derivation, DerivedStatus, ExitWindow, Finding};
use l2stage_model::governance::OutOfForce;
use l2stage_model::{Date, ProjectFile, RequirementId};

pub use timeline::{Cause, CauseKind, TimelineEntry, timeline};

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

/// What an assessment is asked: the day and revision, and what it may read
/// beyond the project file itself.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The day assessed and the revision (`None`: the one in force).
    pub selection: Selection<'a>,
    /// The project's label inputs read beside it (its value-locked CSV, its
    /// proof-system files), from `l2stage_labels::Inputs::load`. `None`: the
    /// project file alone (inline value-locked points; proof systems listed
    /// in the labels' notes as not loaded).
    pub labels: Option<&'a l2stage_labels::Inputs>,
}

impl<'a> Context<'a> {
    /// `sel`, from the project file alone.
    pub fn new(selection: Selection<'a>) -> Context<'a> {
        Context {
            selection,
            labels: None,
        }
    }

    /// `as_of` under the revision in force that day, from the file alone.
    pub fn on(as_of: Date) -> Context<'static> {
        Context::new(Selection {
            framework: None,
            as_of,
        })
    }

    /// The same, with the label inputs read beside the project file.
    pub fn with_labels(self, labels: &'a l2stage_labels::Inputs) -> Context<'a> {
        Context {
            labels: Some(labels),
            ..self
        }
    }
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

/// The verdict and the governance analysis behind it: the part of an
/// assessment that decides the stage (the timeline needs no more).
struct Decided {
    verdict: Verdict,
    analysis: Option<Analysis>,
    kind: l2stage_model::Kind,
    as_of: Date,
}

/// Declared statuses, overlaid with what the governance structure derives
/// (when the structure applies on that day), decided under the revision.
fn decide(project: &ProjectFile, sel: Selection<'_>) -> Result<Decided, AssessError> {
    let mut d = declaration(project, sel)?;
    let as_of = d.as_of;
    let analysis = match &project.governance {
        Some(g) if g.applies_on(as_of) => Some(
            l2stage_governance::analyze(g, d.state.kind).map_err(|source| {
                AssessError::Governance {
                    project: project.project.id.to_string(),
                    source,
                }
            })?,
        ),
        Some(g) => {
            match g.out_of_force_on(as_of) {
                Some(OutOfForce::NotYet(since)) => d.warnings.push(format!("the governance structure describes the project from {since}; before that only declared statuses are used")),
                Some(OutOfForce::Replaced(until)) => d.warnings.push(format!("the governance structure describes the project until {until}, when it was replaced; from then on only declared statuses are used")),
                None => {}
            }
            None
        }
        None => None,
    };
    if let Some(a) = &analysis {
        overlay(project, &mut d.inputs, &a.derived, &mut d.warnings);
        d.warnings.extend(a.notes.iter().cloned());
    }
    let kind = d.state.kind;
    Ok(Decided {
        verdict: d.decide(project),
        analysis,
        kind,
        as_of,
    })
}

/// Assess one project: its declared statuses on the day asked, overlaid
/// with what its governance structure derives (when the structure applies
/// on that day), decided under the revision, with the labels and the risk
/// summary beside the stage.
pub fn assess(project: &ProjectFile, ctx: &Context<'_>) -> Result<Assessment, AssessError> {
    let Decided {
        verdict,
        analysis,
        kind,
        as_of,
    } = decide(project, ctx.selection)?;
    let risk_summary = risk_summary::derive(&risk_summary::Facts {
        kind,
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
        labels: labels(project, ctx, as_of),
        risk_summary,
    })
}

fn labels(project: &ProjectFile, ctx: &Context<'_>, as_of: Date) -> l2stage_labels::Labels {
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

/// Live projects first, then archived ones (each group in the given order):
/// how lists of assessments are shown.
pub fn live_first(assessments: &mut [Assessment]) {
    assessments.sort_by_key(|a| a.verdict.archived.is_some());
}

/// The JSON array `assess --format json` prints, newline-terminated.
pub fn json(assessments: &[Assessment]) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(assessments)?;
    s.push('\n');
    Ok(s)
}
