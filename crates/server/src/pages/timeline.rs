//! A project's stage timeline (re-derived from its file) and its stored
//! assessments, as the project page shows them.

use l2stage_assess::{CauseKind, TimelineEntry};
use l2stage_framework::Stage;

use super::evidence::no_negative;
use super::stage_class;
use crate::api::{Change, HistoryRecord};

pub struct TimelineRow {
    pub date: String,
    pub until: String,
    pub stage_label: &'static str,
    pub stage_class: &'static str,
    pub pending: Option<String>,
    pub framework: &'static str,
    pub causes: Vec<(&'static str, String)>,
}

pub struct HistoryRow {
    pub created: String,
    pub as_of: String,
    pub stage_label: &'static str,
    pub stage_class: &'static str,
    pub framework: String,
    pub change: &'static str,
    pub hash: String,
    pub hash_short: String,
    pub origin: &'static str,
}

pub fn cause_label(k: CauseKind) -> &'static str {
    match k {
        CauseKind::Start => "start",
        CauseKind::ProjectHistory => "project change",
        CauseKind::FrameworkRevision => "framework revision",
        CauseKind::GraceDeadline => "grace deadline",
        CauseKind::GovernanceStructure => "governance",
    }
}

pub fn change_label(c: Change) -> &'static str {
    match c {
        Change::First => "first assessment",
        Change::ProjectFile => "new project file",
        Change::FrameworkRevision => "framework revision",
        Change::Engine => "newer l2stage",
        Change::NewDay => "re-assessed on a later day",
        Change::None => "—",
    }
}

impl From<&TimelineEntry> for TimelineRow {
    fn from(t: &TimelineEntry) -> TimelineRow {
        TimelineRow {
            date: t.date.to_string(),
            until: t.until.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            stage_label: t.stage.label(),
            stage_class: stage_class(t.stage),
            pending: t
                .downgrade_pending
                .map(|d| format!("downgrade pending until {d}")),
            framework: t.framework,
            causes: t
                .causes
                .iter()
                .map(|c| (cause_label(c.kind), no_negative(&c.detail)))
                .collect(),
        }
    }
}

/// A stored stage by its id (`stage-1`); an unknown one (a stage a
/// future l2stage may add) shows as under review.
fn stored_stage(s: &str) -> Stage {
    crate::params::STAGES
        .iter()
        .copied()
        .find(|st| st.as_str() == s)
        .unwrap_or(Stage::UnderReview)
}

impl From<&HistoryRecord> for HistoryRow {
    fn from(h: &HistoryRecord) -> HistoryRow {
        let st = stored_stage(&h.stage);
        HistoryRow {
            created: h.created_at.replace('T', " ").chars().take(19).collect(),
            as_of: h.as_of.clone(),
            stage_label: st.label(),
            stage_class: stage_class(st),
            framework: h.framework.clone(),
            change: change_label(h.change),
            hash: h.input_hash.clone(),
            hash_short: h.input_hash.chars().take(10).collect(),
            origin: h.origin.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use l2stage_store::Origin;

    use super::*;

    fn record(stage: &str) -> HistoryRecord {
        HistoryRecord {
            seq: 3,
            created_at: "2026-11-21T17:15:02.123Z".into(),
            as_of: "2026-11-21".into(),
            framework: "2026-02".into(),
            stage: stage.into(),
            name: "OP Mainnet".into(),
            input_hash: "9f2c0123456789abcdef".into(),
            file_seq: 1,
            origin: Origin::Api,
            engine: "0.1.0".into(),
            change: Change::NewDay,
            previous_stage: None,
            stage_changed: false,
        }
    }

    #[test]
    fn a_stored_assessment_as_a_row() {
        let row = HistoryRow::from(&record("stage-1"));
        assert_eq!(row.created, "2026-11-21 17:15:02");
        assert_eq!((row.stage_label, row.stage_class), ("Stage 1", "st-1"));
        assert_eq!(row.change, "re-assessed on a later day");
        assert_eq!(row.hash_short, "9f2c012345");
        assert_eq!(row.origin, "api");
        // A stage this l2stage does not know shows as under review.
        let row = HistoryRow::from(&record("stage-9"));
        assert_eq!((row.stage_label, row.stage_class), ("Under review", "st-r"));
    }
}
