//! A verdict as the pages say it: the sentence under the stage, what the
//! next stage needs, a pending downgrade's countdown and the requirement
//! checklist, from the typed [`Verdict`] of an assessment.

use l2stage_framework::{DowngradePending, RequirementResult, Stage, Status, Verdict};
use l2stage_model::Date;

use super::evidence::{EvidenceLink, evidence, no_negative};
use super::exit::{ExitView, duration_words};

pub struct Req {
    pub id: &'static str,
    pub title: &'static str,
    pub status_label: &'static str,
    pub status_class: &'static str,
    pub icon: &'static str,
    pub reason: String,
    /// Evidence that is an http(s) link.
    pub links: Vec<EvidenceLink>,
    /// Evidence that is text (e.g. a derivation's actor paths).
    pub notes: Vec<String>,
    pub derived: bool,
}

pub struct Group {
    pub title: String,
    pub reqs: Vec<Req>,
}

pub struct MissingView {
    pub next: &'static str,
    /// What the project fails: (id, title).
    pub items: Vec<(&'static str, &'static str)>,
    /// What its file does not declare: (id, title).
    pub needs_data: Vec<(&'static str, &'static str)>,
}

pub struct PendingView {
    pub countdown: String,
    pub reasons: Vec<String>,
}

pub fn status_view(s: Status) -> (&'static str, &'static str, &'static str) {
    match s {
        Status::Met => ("met", "s-met", "✓"),
        Status::Unmet => ("unmet", "s-unmet", "✗"),
        Status::UnderReview => ("under review", "s-review", "…"),
        Status::NotApplicable => ("not applicable", "s-na", "–"),
        Status::Unknown => ("needs data", "s-unknown", "?"),
    }
}

/// The verdict in plain words, one or two sentences after the stage:
/// why the project is not at the next stage, and what its exit window
/// means for users.
pub fn verdict_sentence(v: &Verdict, ew: &ExitView) -> String {
    let mut out = format!("{}.", v.stage.label());
    let lower = |t: &str| {
        let mut c = t.chars();
        match c.next() {
            Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
            None => String::new(),
        }
    };
    let list = |rs: &[&RequirementResult]| {
        let mut names: Vec<String> = rs.iter().take(2).map(|r| lower(r.title)).collect();
        if rs.len() > 2 {
            names.push(format!("{} more", rs.len() - 2));
        }
        names.join("; ")
    };
    match (v.stage, split_missing(v)) {
        (Stage::UnderReview, _) => out.push_str(
            " Its verdict is under review: a requirement it depends on is being checked.",
        ),
        (Stage::Stage2, _) => out.push_str(" It meets every requirement of the framework."),
        (Stage::NotStage0, Some((_, fails, _))) if !fails.is_empty() => {
            out.push_str(&format!(" It fails Stage 0: {}.", list(&fails)))
        }
        (_, Some((next, fails, _))) if !fails.is_empty() => out.push_str(&format!(
            " For {} it lacks: {}.",
            next.label(),
            list(&fails)
        )),
        (_, Some((next, _, unknown))) if !unknown.is_empty() => out.push_str(&format!(
            " {} depends on {} requirement{} its project file does not declare yet.",
            next.label(),
            unknown.len(),
            if unknown.len() == 1 { "" } else { "s" }
        )),
        _ => {}
    }
    let council = ew
        .detail
        .contains("Security Council can upgrade without delay");
    match (ew.class, ew.seconds) {
        ("ew-unknown", _) => {}
        _ if ew.unbounded => out.push_str(
            " Nothing can upgrade it, so users can always exit before a change.",
        ),
        (_, Some(s)) if council => out.push_str(&format!(
            " The Security Council can upgrade instantly; other upgrades leave users {} to exit.",
            duration_words(s)
        )),
        (_, Some(s)) => out.push_str(&format!(
            " Upgrades leave users {} to exit.",
            duration_words(s)
        )),
        _ if council => out.push_str(
            " The Security Council can upgrade instantly, so users have no window to exit before an upgrade.",
        ),
        _ => out.push_str(" Users have no window to exit before an upgrade."),
    }
    out
}
/// What stands between a project and its next stage, split into what it
/// fails (unmet, under review) and what its file does not declare
/// (unknown: needs data). `None` at Stage 2 or under review.
pub fn split_missing(
    v: &Verdict,
) -> Option<(Stage, Vec<&RequirementResult>, Vec<&RequirementResult>)> {
    let m = v.missing.as_ref()?;
    let reqs: Vec<_> = m
        .requirements
        .iter()
        .filter_map(|id| v.requirement(*id))
        .collect();
    let (unknown, fails): (Vec<_>, Vec<_>) =
        reqs.into_iter().partition(|r| r.status == Status::Unknown);
    Some((m.next_stage, fails, unknown))
}

/// "Stage 1 until 2026-08-17 (254 days), then Stage 0 unless …".
pub fn countdown(stage: Stage, d: &DowngradePending, as_of: Date) -> String {
    let days = as_of.days_until(d.deadline);
    let left = match days {
        1 => " (1 day)".to_string(),
        n if n > 1 => format!(" ({n} days)"),
        _ => String::new(),
    };
    // "principle is unmet: …" names a requirement: its title.
    let titles: Vec<&str> = d
        .reasons
        .iter()
        .filter_map(|r| r.split_once(" is unmet"))
        .filter_map(|(id, _)| id.trim().parse::<l2stage_model::RequirementId>().ok())
        .map(|id| id.title())
        .collect();
    let unless = if titles.is_empty() {
        " unless the missing requirements are met".to_string()
    } else {
        format!(" unless it meets: {}", titles.join("; "))
    };
    format!(
        "{} until {}{left}, then {}{unless}",
        stage.label(),
        d.deadline,
        d.to_stage.label()
    )
}

/// The message shown instead of verdicts for a day before the first
/// framework revision.
pub fn before_framework(as_of: Date) -> Option<String> {
    let start = l2stage_framework::revision::revisions()
        .first()
        .map(|r| r.in_force)?;
    (as_of < start).then(|| {
        format!(
            "No stages on {as_of}: the Stages Framework did not exist yet. Its first revision is in force from {start}; pick that day or a later one."
        )
    })
}

impl MissingView {
    /// What the verdict's next stage needs; `None` at Stage 2 or under
    /// review.
    pub fn of(v: &Verdict) -> Option<MissingView> {
        let pair = |r: &&RequirementResult| (r.id.as_str(), r.title);
        split_missing(v).map(|(next, fails, unknown)| MissingView {
            next: next.label(),
            items: fails.iter().map(pair).collect(),
            needs_data: unknown.iter().map(pair).collect(),
        })
    }
}

impl PendingView {
    /// The verdict's pending downgrade as of `as_of`, if any.
    pub fn of(v: &Verdict, as_of: Date) -> Option<PendingView> {
        v.downgrade_pending.as_ref().map(|d| PendingView {
            countdown: countdown(v.stage, d, as_of),
            reasons: d.reasons.iter().map(|r| no_negative(r)).collect(),
        })
    }
}

impl From<&RequirementResult> for Req {
    fn from(r: &RequirementResult) -> Req {
        let (status_label, status_class, icon) = status_view(r.status);
        let mut links = Vec::new();
        let mut notes = Vec::new();
        for e in r.evidence.iter().map(|e| evidence(e)) {
            match e.href {
                Some(href) => links.push(EvidenceLink { href, text: e.text }),
                None => notes.push(no_negative(&e.text)),
            }
        }
        Req {
            id: r.id.as_str(),
            title: r.title,
            status_label,
            status_class,
            icon,
            // Missing data is not the project's failure: said so, not
            // "counts as unmet" (the JSON keeps the engine's text).
            reason: if r.status == Status::Unknown && r.reason.starts_with("not declared") {
                "Needs data: the project file does not declare this yet, so l2stage cannot rate it."
                    .to_string()
            } else {
                no_negative(&r.reason)
            },
            links,
            notes,
            derived: r.derived,
        }
    }
}

/// The requirement checklist, one group per stage that has requirements.
pub fn requirement_groups(v: &Verdict) -> Vec<Group> {
    (0..=2u8)
        .filter_map(|stage| {
            let reqs: Vec<Req> = v
                .requirements
                .iter()
                .filter(|r| r.stage == stage)
                .map(Req::from)
                .collect();
            (!reqs.is_empty()).then(|| Group {
                title: format!("Stage {stage}"),
                reqs,
            })
        })
        .collect()
}

/// The engine's warnings as the page lists them: the undeclared
/// requirements are listed as "needs data", so the warning that counts
/// them as unmet is not repeated.
pub fn warnings(v: &Verdict) -> Vec<String> {
    v.warnings
        .iter()
        .filter(|w| !w.starts_with("not declared, counted as unmet"))
        .map(|w| no_negative(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use l2stage_model::RequirementId;

    use super::*;

    fn result(status: Status, reason: &str, evidence: &[&str]) -> RequirementResult {
        RequirementResult {
            id: RequirementId::SevenDayExitWindow,
            stage: 1,
            status,
            reason: reason.into(),
            evidence: evidence.iter().map(|e| e.to_string()).collect(),
            title: "Users have at least 7 days to exit",
            since: None,
            derived: true,
            conflict: None,
        }
    }

    #[test]
    fn a_requirement_reads_as_people_read_it() {
        let r = Req::from(&result(
            Status::Unmet,
            "window = -2d 3h",
            &["https://example.org/x", "path: dao -> timelock = -1d"],
        ));
        assert_eq!(
            (r.id, r.status_label, r.status_class, r.icon),
            ("seven-day-exit-window", "unmet", "s-unmet", "✗")
        );
        assert_eq!(r.reason, "window = none (2d 3h too short)");
        assert_eq!(r.links.len(), 1);
        assert_eq!(r.links[0].href, "https://example.org/x");
        assert_eq!(r.notes, ["path: dao -> timelock = none (1d too short)"]);
        // Missing data is not the project's failure.
        let unknown = Req::from(&result(
            Status::Unknown,
            "not declared, counted as unmet",
            &[],
        ));
        assert_eq!(unknown.status_label, "needs data");
        assert!(
            unknown.reason.starts_with("Needs data: "),
            "{}",
            unknown.reason
        );
    }
}
