//! From a project file to a verdict.
//!
//! Two steps, so that statuses computed elsewhere (e.g. derived from the
//! governance structure) can be layered over the declared ones:
//! [`declared_inputs`] turns the project's state on a day into one input per
//! requirement; [`decide`] applies a revision's rules to those inputs.

use std::collections::BTreeMap;

use l2stage_model::{
    Date, Declared, DeclaredStatus, Kind, ProjectFile, ProjectState, RequirementId,
};

use crate::revision::{self, Revision};
use crate::verdict::{
    Conflict, DowngradePending, Missing, OtherReason, RequirementResult, Stage, Status, Verdict,
};

/// What is known about one requirement before a revision's rules apply.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub status: Status,
    pub reason: String,
    pub evidence: Vec<String>,
    pub since: Option<Date>,
    /// Computed from the project's structure rather than declared.
    pub derived: bool,
    /// A declared status that disagrees with the derived one.
    pub conflict: Option<Conflict>,
    /// The declaration gives its own reason (not just a status).
    pub explained: bool,
}

/// Which revision to use and on which day.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// An explicit revision id; `None` picks the one in force on `as_of`.
    pub framework: Option<&'a str>,
    pub as_of: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error("unknown framework revision `{given}`; known revisions: {}", known.join(", "))]
    UnknownRevision {
        given: String,
        known: Vec<&'static str>,
    },
}

/// The revision a selection designates, and a note when it is unusual.
pub fn select(sel: Selection<'_>) -> Result<(&'static Revision, Option<String>), SelectError> {
    match sel.framework {
        Some(id) => {
            let rev = revision::by_id(id).ok_or_else(|| SelectError::UnknownRevision {
                given: id.to_string(),
                known: revision::ids(),
            })?;
            let note = (rev.in_force > sel.as_of).then(|| {
                format!(
                    "revision {} was not yet in force on {} (in force from {})",
                    rev.id, sel.as_of, rev.in_force
                )
            });
            Ok((rev, note))
        }
        None => match revision::in_force_on(sel.as_of) {
            Some(rev) => Ok((rev, None)),
            None => {
                let first = &revision::revisions()[0];
                Ok((
                    first,
                    Some(format!(
                        "the Stages Framework did not exist on {}; assessed under its first revision {} (in force from {})",
                        sel.as_of, first.id, first.in_force
                    )),
                ))
            }
        },
    }
}

/// A project as declared on the day really assessed, before any rule of a
/// revision applies: the first half of an evaluation. The assessment
/// pipeline (l2stage-assess) layers derived statuses over `inputs`, then
/// calls [`Declaration::decide`].
#[derive(Debug, Clone)]
pub struct Declaration {
    /// The day assessed: the one asked for, or the archive date of a
    /// project archived before it ([`archived_as_of`]).
    pub as_of: Date,
    pub revision: &'static Revision,
    pub state: ProjectState,
    /// One input per declared requirement.
    pub inputs: BTreeMap<RequirementId, Input>,
    /// Notes on the revision chosen and the archive date first, then the
    /// warnings declaring raised.
    pub warnings: Vec<String>,
}

/// A project file's history applied up to `as_of`, under the selected
/// revision, as declared. An archived project asked about a day after its
/// archive date is taken as of its archive date ([`archived_as_of`]).
pub fn declaration(project: &ProjectFile, sel: Selection<'_>) -> Result<Declaration, SelectError> {
    let (sel, archived_note) = archived_as_of(project, sel);
    let (revision, note) = select(sel)?;
    let state = project.state_at(sel.as_of);
    let (inputs, mut warnings) = declared_inputs(project, &state);
    if let Some(n) = note {
        warnings.insert(0, n);
    }
    if let Some(n) = archived_note {
        warnings.insert(0, n);
    }
    Ok(Declaration {
        as_of: sel.as_of,
        revision,
        state,
        inputs,
        warnings,
    })
}

impl Declaration {
    /// Apply the revision's rules to the inputs ([`decide`]).
    pub fn decide(self, project: &ProjectFile) -> Verdict {
        decide(
            project,
            &self.state,
            self.revision,
            self.as_of,
            self.inputs,
            self.warnings,
        )
    }
}

/// The verdict from declared statuses alone (no governance derivation, no
/// labels): what this crate's rules make of a project file. The full
/// assessment is `l2stage_assess::assess`.
pub fn declared_verdict(project: &ProjectFile, sel: Selection<'_>) -> Result<Verdict, SelectError> {
    Ok(declaration(project, sel)?.decide(project))
}

/// The day an assessment is really made. An archived project no longer
/// runs after its archive date, so a day after it (e.g. today, the default)
/// is replaced by the archive date itself, with a note saying so; a day on
/// or before the archive date is kept.
pub fn archived_as_of<'a>(
    project: &ProjectFile,
    sel: Selection<'a>,
) -> (Selection<'a>, Option<String>) {
    match project.project.archived {
        Some(archived) if sel.as_of > archived => (
            Selection {
                as_of: archived,
                ..sel
            },
            Some(format!(
                "archived on {archived}: assessed as of its archive date, not {}",
                sel.as_of
            )),
        ),
        _ => (sel, None),
    }
}

/// One input per declared requirement, with the warnings declaring raised.
pub fn declared_inputs(
    project: &ProjectFile,
    state: &ProjectState,
) -> (BTreeMap<RequirementId, Input>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut inputs = BTreeMap::new();
    for (id, (declared, origin)) in &state.requirements {
        let mut input = input_from_declared(declared, origin.since, origin.summary.as_deref());
        input.evidence = resolve_sources(project, &input.evidence, &mut warnings, *id);
        if *id == RequirementId::NodeSourceAvailable && input.status == Status::Met {
            check_node_link(project, &mut input, &mut warnings);
        }
        inputs.insert(*id, input);
    }
    (inputs, warnings)
}

fn input_from_declared(d: &Declared, since: Option<Date>, summary: Option<&str>) -> Input {
    let status = match d.status {
        DeclaredStatus::Met => Status::Met,
        DeclaredStatus::Unmet => Status::Unmet,
        DeclaredStatus::UnderReview => Status::UnderReview,
        DeclaredStatus::NotApplicable => Status::NotApplicable,
    };
    let mut reason = match &d.reason {
        Some(r) => r.clone(),
        None if status == Status::UnderReview => {
            "declared under review: pending a reviewer, counts as unmet".to_string()
        }
        None => format!("declared {}", d.status.as_str()),
    };
    if let Some(date) = since {
        match summary {
            Some(s) => reason.push_str(&format!(" (since {date}: {s})")),
            None => reason.push_str(&format!(" (since {date})")),
        }
    }
    Input {
        status,
        reason,
        evidence: d.evidence.clone(),
        since,
        derived: false,
        conflict: None,
        explained: d.reason.is_some(),
    }
}

/// `source:ID` in evidence becomes the cited source's address; repeated
/// links are kept once.
pub fn resolve_sources(
    project: &ProjectFile,
    evidence: &[String],
    warnings: &mut Vec<String>,
    id: RequirementId,
) -> Vec<String> {
    evidence
        .iter()
        .map(|e| match e.strip_prefix("source:") {
            Some(sid) => match project.source_url(sid) {
                Some(url) => url.to_string(),
                None => {
                    warnings.push(format!("{id}: evidence cites `source:{sid}`, which no [[project.sources]] entry defines"));
                    e.clone()
                }
            },
            None => e.clone(),
        })
        .fold(Vec::new(), |mut out, e| {
            if !out.contains(&e) {
                out.push(e);
            }
            out
        })
}

/// The framework wants a link to the node software as evidence.
fn check_node_link(project: &ProjectFile, input: &mut Input, warnings: &mut Vec<String>) {
    let link = project.project.links.node_source.clone();
    match link {
        Some(url) => {
            if !input.evidence.contains(&url) {
                input.evidence.insert(0, url);
            }
        }
        None if input
            .evidence
            .iter()
            .any(|e| e.starts_with("http://") || e.starts_with("https://")) => {}
        None => {
            input.status = Status::Unmet;
            input.reason = "declared met, but no link to the node software was given ([project.links] node_source or a URL in evidence): the framework requires one".into();
            warnings.push("node software missing: node-source-available is declared met without a link, so it counts as unmet".into());
        }
    }
}

/// Apply a revision's rules to the inputs.
pub fn decide(
    project: &ProjectFile,
    state: &ProjectState,
    rev: &'static Revision,
    as_of: Date,
    mut inputs: BTreeMap<RequirementId, Input>,
    mut warnings: Vec<String>,
) -> Verdict {
    let kind = state.kind;
    let rev = if rev.blueprint(kind).is_none() {
        let first = revision::first_alt_da();
        warnings.push(format!(
            "revision {} does not rate {}s (L2BEAT gave validiums and optimiums no stage before its alt-DA blueprint); assessed on the alt-DA blueprint of revision {}",
            rev.id,
            kind.noun(),
            first.id
        ));
        first
    } else {
        rev
    };
    let mut requirements = Vec::new();
    for (stage, id) in rev.requirements_for(kind) {
        let input = inputs.remove(&id);
        requirements.push(apply_rules(kind, stage, id, input, &mut warnings));
    }

    // Per stage: the requirements that stand in its way.
    let blocking: [Vec<&RequirementResult>; 3] = std::array::from_fn(|s| {
        requirements
            .iter()
            .filter(|r| r.stage as usize == s && r.status.blocks())
            .collect()
    });

    let mut level: i8 = -1;
    let mut downgrade = None;
    for (s, failing) in blocking.iter().enumerate() {
        if failing.is_empty() {
            level = s as i8;
            continue;
        }
        // Kept by a grace period only if every failing item is covered.
        let graces: Vec<_> = failing.iter().map(|r| rev.grace_for(r.id, as_of)).collect();
        if graces.iter().all(Option::is_some) {
            let deadline = graces
                .iter()
                .flatten()
                .map(|g| g.deadline)
                .min()
                .unwrap_or(as_of);
            let mut reasons: Vec<String> = failing
                .iter()
                .map(|r| format!("{} is {}: {}", r.id, r.status.as_str(), r.reason))
                .collect();
            reasons.extend(graces.iter().flatten().map(|g| g.note.to_string()));
            reasons.dedup();
            downgrade = Some(DowngradePending {
                to_stage: Stage::from_level(s as i8 - 1),
                deadline,
                reasons,
            });
            level = s as i8;
        }
        break;
    }

    let under_review = state.under_review;
    let stage = if under_review {
        Stage::UnderReview
    } else {
        Stage::from_level(level)
    };
    let missing = if under_review || level >= 2 {
        None
    } else {
        let next = (level + 1) as usize;
        // With a grace period, the kept stage's failing items are needed too.
        let mut ids: Vec<RequirementId> = Vec::new();
        if downgrade.is_some() {
            ids.extend(blocking[level as usize].iter().map(|r| r.id));
        }
        ids.extend(blocking[next].iter().map(|r| r.id));
        Some(Missing {
            next_stage: Stage::from_level(next as i8),
            requirements: ids,
        })
    };
    if under_review {
        match state.under_review_since {
            Some(d) => warnings.push(format!(
                "the whole project is under review (since {d}): no stage is given"
            )),
            None => warnings.push("the whole project is under review: no stage is given".into()),
        }
    }
    let unknown_needed: Vec<&str> = requirements
        .iter()
        .filter(|r| r.status == Status::Unknown && (r.stage as i8) <= level + 1)
        .map(|r| r.id.as_str())
        .collect();
    if !unknown_needed.is_empty() {
        warnings.push(format!(
            "not declared, counted as unmet: {}",
            unknown_needed.join(", ")
        ));
    }

    let others_reasons = if stage == Stage::NotStage0 {
        others_reasons(&requirements)
    } else {
        Vec::new()
    };

    Verdict {
        id: project.project.id.to_string(),
        name: project.project.name.clone(),
        kind,
        framework: rev.id,
        as_of,
        // Archived by the assessed day (a day before it, the project ran).
        archived: project.project.archived.filter(|d| *d <= as_of),
        stage,
        requirements,
        missing,
        others_reasons,
        warnings,
        downgrade_pending: if under_review { None } else { downgrade },
    }
}

/// L2BEAT's reasons for listing a project under "Others", from the Stage 0
/// requirements that stand in its way (in requirement order, each once).
fn others_reasons(requirements: &[RequirementResult]) -> Vec<OtherReason> {
    let mut out = Vec::new();
    for r in requirements
        .iter()
        .filter(|r| r.stage == 0 && r.status.blocks())
    {
        if let Some(code) = OtherReason::for_requirement(r.id)
            && !out.contains(&code)
        {
            out.push(code);
        }
    }
    out
}

/// Not-applicable rules by proof-system kind, then the input as given.
///
/// Default applicability: fraud-proof requirements do not apply to
/// validity-proof systems (rollups and validiums); everything else applies.
/// A declared `not-applicable` departing from that default is accepted when
/// it gives a reason (as L2BEAT's `null`), with a warning; without a reason
/// it is refused for the fraud-proof requirements of a fraud-proof system
/// (counted as unmet) and accepted with a warning elsewhere.
fn apply_rules(
    kind: Kind,
    stage: u8,
    id: RequirementId,
    input: Option<Input>,
    warnings: &mut Vec<String>,
) -> RequirementResult {
    let result = |status, reason: String, evidence, since, derived| RequirementResult {
        id,
        stage,
        status,
        reason,
        evidence,
        title: id.title(),
        since,
        derived,
        conflict: None,
    };
    if kind.validity_proofs() && id.fraud_proof_only() {
        if let Some(i) = &input {
            if i.status != Status::NotApplicable {
                warnings.push(format!(
                    "{id} is declared {} but does not apply to a {}; ignored",
                    i.status.as_str(),
                    kind.noun()
                ));
            }
        }
        return result(
            Status::NotApplicable,
            "not applicable: a validity-proof system has no fraud proofs".to_string(),
            Vec::new(),
            None,
            false,
        );
    }
    let Some(input) = input else {
        return result(
            Status::Unknown,
            "not declared: counts as unmet".into(),
            Vec::new(),
            None,
            false,
        );
    };
    if input.status == Status::NotApplicable && !input.derived {
        let council_item = matches!(
            id,
            RequirementId::CouncilProperlySetUp | RequirementId::CouncilOnlyForOnchainBugs
        );
        if council_item {
            // Not applicable without a council: the framework's own rule,
            // no departure from the default.
        } else if input.explained {
            warnings.push(format!(
                "{id} is declared not-applicable, departing from the default (it applies to {}s): {}",
                kind.noun(),
                input.reason
            ));
        } else if id.fraud_proof_only() {
            warnings.push(format!("{id} is declared not-applicable without a reason, but fraud-proof requirements apply to {}s: counted as unmet (give a reason to depart from the default)", kind.noun()));
            return result(
                Status::Unmet,
                format!(
                    "declared not-applicable without a reason, which a {} cannot be by default: {}",
                    kind.noun(),
                    input.reason
                ),
                input.evidence,
                input.since,
                input.derived,
            );
        } else {
            warnings.push(format!(
                "{id} is declared not-applicable and dropped from the stage computation"
            ));
        }
    }
    let conflict = input.conflict.clone();
    RequirementResult {
        conflict,
        ..result(
            input.status,
            input.reason,
            input.evidence,
            input.since,
            input.derived,
        )
    }
}
