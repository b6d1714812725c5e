//! A project's stage over time, derived from its own file.
//!
//! A verdict can only change on a day when one of its inputs changes: a
//! dated entry of the project's history, a framework revision coming into
//! force, a grace period ending, or the governance structure taking
//! effect. The timeline assesses the project on each such day (from the
//! first revision on) and keeps the days where the stage, or a pending
//! downgrade, changed — with the inputs that changed that day as causes.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::{AssessError, Decided, decide};
use l2stage_framework::{Selection, Stage, revision::revisions};
use l2stage_model::{Date, ProjectFile};

/// Why a verdict changed on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CauseKind {
    /// The first day of the timeline: the first framework revision.
    Start,
    /// A dated change in the project file's history.
    ProjectHistory,
    /// A framework revision came into force.
    FrameworkRevision,
    /// A grace period ended.
    GraceDeadline,
    /// The project's governance structure took effect.
    GovernanceStructure,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    pub kind: CauseKind,
    pub detail: String,
}

/// From `date` (until the next entry) the project stood at `stage`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub date: Date,
    /// The next entry's date; `None` for the last one.
    pub until: Option<Date>,
    pub stage: Stage,
    /// The revision in force that day.
    pub framework: &'static str,
    /// Set when a grace period alone keeps the stage: the day it ends.
    pub downgrade_pending: Option<Date>,
    pub causes: Vec<Cause>,
}

/// Every day up to `until` on which the project's verdict could change.
fn change_days(project: &ProjectFile, start: Date, until: Date) -> BTreeSet<Date> {
    let mut days = BTreeSet::new();
    for rev in revisions() {
        days.insert(rev.in_force);
        days.extend(rev.grace.iter().map(|g| g.deadline));
    }
    days.extend(project.history.iter().map(|h| h.date));
    if let Some(g) = &project.governance {
        days.extend(g.since);
        days.extend(g.until);
    }
    days.into_iter()
        .filter(|d| *d > start && *d <= until)
        .collect()
}

/// The inputs that changed on `day`.
fn causes_on(project: &ProjectFile, day: Date) -> Vec<Cause> {
    let mut causes = Vec::new();
    for h in project
        .history_in_order()
        .into_iter()
        .filter(|h| h.date == day)
    {
        causes.push(Cause {
            kind: CauseKind::ProjectHistory,
            detail: h
                .summary
                .clone()
                .unwrap_or_else(|| "a dated change in the project file".to_string()),
        });
    }
    for rev in revisions().iter().filter(|r| r.in_force == day) {
        causes.push(Cause {
            kind: CauseKind::FrameworkRevision,
            detail: format!("framework revision {} in force: {}", rev.id, rev.summary),
        });
    }
    let mut notes: Vec<&str> = Vec::new();
    for g in revisions()
        .iter()
        .flat_map(|r| r.grace.iter())
        .filter(|g| g.deadline == day)
    {
        if !notes.contains(&g.note) {
            notes.push(g.note);
        }
    }
    for note in notes {
        causes.push(Cause {
            kind: CauseKind::GraceDeadline,
            detail: format!("grace period ended: {note}"),
        });
    }
    if let Some(g) = &project.governance {
        if g.since == Some(day) {
            causes.push(Cause {
                kind: CauseKind::GovernanceStructure,
                detail: "the described governance structure takes effect".to_string(),
            });
        }
        if g.until == Some(day) {
            causes.push(Cause {
                kind: CauseKind::GovernanceStructure,
                detail: "the described governance structure no longer applies (it was replaced)"
                    .to_string(),
            });
        }
    }
    causes
}

/// The stage decided on `day` (no labels or risk summary: only the stage
/// and a pending downgrade are read).
fn at(project: &ProjectFile, day: Date) -> Result<Decided, AssessError> {
    decide(
        project,
        Selection {
            framework: None,
            as_of: day,
        },
    )
}

/// The project's stage timeline from the first framework revision up to and
/// including `until`. Empty when `until` is before the first revision.
pub fn timeline(project: &ProjectFile, until: Date) -> Result<Vec<TimelineEntry>, AssessError> {
    let Some(first) = revisions().first() else {
        return Ok(Vec::new());
    };
    let start = first.in_force;
    if until < start {
        return Ok(Vec::new());
    }
    let entry = |day: Date, a: &Decided, causes: Vec<Cause>| TimelineEntry {
        date: day,
        until: None,
        stage: a.verdict.stage,
        framework: a.verdict.framework,
        downgrade_pending: a.verdict.downgrade_pending.as_ref().map(|d| d.deadline),
        causes,
    };
    let a0 = at(project, start)?;
    let mut start_causes = vec![Cause {
        kind: CauseKind::Start,
        detail: format!(
            "first revision of the Stages Framework ({}) in force",
            first.id
        ),
    }];
    start_causes.extend(
        causes_on(project, start)
            .into_iter()
            .filter(|c| c.kind != CauseKind::FrameworkRevision),
    );
    let mut out = vec![entry(start, &a0, start_causes)];
    for day in change_days(project, start, until) {
        let a = at(project, day)?;
        let Some(last) = out.last_mut() else {
            break;
        };
        let pending = a.verdict.downgrade_pending.as_ref().map(|d| d.deadline);
        if a.verdict.stage == last.stage && pending == last.downgrade_pending {
            continue;
        }
        last.until = Some(day);
        out.push(entry(day, &a, causes_on(project, day)));
    }
    Ok(out)
}
