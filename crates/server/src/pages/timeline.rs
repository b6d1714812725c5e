//! A project's stage timeline (re-derived from its file) and its stored
//! assessments, as the project page shows them.

use l2stage_assess::{CauseKind, TimelineEntry};
use l2stage_framework::Stage;
use l2stage_model::Date;

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

/// A timeline strip: one coloured segment per period, with year ticks.
pub fn timeline_svg(entries: &[TimelineEntry], end: Date) -> String {
    timeline_svg_sized(entries, end, 1000.0, 12)
}

/// The timeline strip `w` units wide with at most `max_ticks` year ticks:
/// the page draws a 1000-wide one for screens and a 380-wide one for
/// phones, so that its 11 px labels stay 11 px instead of shrinking.
pub fn timeline_svg_sized(entries: &[TimelineEntry], end: Date, w: f64, max_ticks: i32) -> String {
    const H: f64 = 58.0;
    let Some(first) = entries.first() else {
        return String::new();
    };
    let start = first.date;
    let span = start.days_until(end).max(1) as f64;
    let x = |d: Date| (start.days_until(d) as f64 / span * w).clamp(0.0, w);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {H}" width="100%" role="img" aria-label="Stage timeline"><g font-family="system-ui, sans-serif" font-size="11">"#
    );
    for e in entries {
        let x0 = x(e.date);
        let x1 = x(e.until.unwrap_or(end));
        let colour = l2stage_render::badge::stage_colour(e.stage);
        out.push_str(&format!(
            r#"<rect x="{x0:.1}" y="4" width="{:.1}" height="26" fill="{colour}"><title>{} from {}</title></rect>"#,
            (x1 - x0).max(1.0),
            e.stage.label(),
            e.date
        ));
        if x1 - x0 > 60.0 {
            out.push_str(&format!(
                r##"<text x="{:.1}" y="21" fill="#fff" font-weight="600">{}</text>"##,
                x0 + 6.0,
                e.stage.label()
            ));
        }
    }
    let (y0, y1) = (
        start.0.format("%Y").to_string(),
        end.0.format("%Y").to_string(),
    );
    if let (Ok(y0), Ok(y1)) = (y0.parse::<i32>(), y1.parse::<i32>()) {
        // At most about a dozen ticks, whatever the span.
        let step = usize::try_from(((y1 - y0) / max_ticks.max(1)).max(1)).unwrap_or(1);
        for y in ((y0 + 1)..=y1).step_by(step) {
            if let Some(d) = Date::from_ymd(y, 1, 1) {
                let xx = x(d);
                out.push_str(&format!(
                    r##"<line x1="{xx:.1}" y1="2" x2="{xx:.1}" y2="36" stroke="#1f2328" stroke-width="1" stroke-dasharray="2,2"/><text x="{:.1}" y="50" fill="#59636e" text-anchor="middle">{y}</text>"##,
                    xx
                ));
            }
        }
    }
    out.push_str("</g></svg>");
    out
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
