//! A report a researcher can paste into a forum post.

use std::fmt::Write;

use l2stage_framework::{Status, Verdict};

use crate::Assessment;

/// Escape text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Met => "✅ met",
        Status::Unmet => "❌ unmet",
        Status::UnderReview => "🔍 under review",
        Status::NotApplicable => "➖ not applicable",
        Status::Unknown => "❔ unknown",
    }
}

fn evidence(items: &[String]) -> String {
    items
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if e.starts_with("http://") || e.starts_with("https://") {
                format!("[{}]({})", i + 1, e.replace(')', "%29").replace('|', "%7C"))
            } else {
                cell(e)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// L2BEAT's reason codes for "Others", e.g. ` (NO_PROOFS, CLOSED_PROOFS)`.
fn others(v: &Verdict) -> String {
    if v.others_reasons.is_empty() {
        return String::new();
    }
    let codes: Vec<String> = v
        .others_reasons
        .iter()
        .map(|r| format!("`{}`", r.code()))
        .collect();
    format!(" ({})", codes.join(", "))
}

pub fn render(assessments: &[Assessment]) -> String {
    let verdicts: Vec<&Verdict> = assessments.iter().map(|a| &a.verdict).collect();
    let verdicts = verdicts.as_slice();
    let mut out = String::new();
    if verdicts.len() > 1 {
        let _ = writeln!(
            out,
            "| Project | Kind | Stage | Framework | As of | Archived |\n|---|---|---|---|---|---|"
        );
        for v in verdicts {
            let _ = writeln!(
                out,
                "| {} | {} | **{}**{} | {} | {} | {} |",
                cell(&v.name),
                v.kind.as_str(),
                v.stage.label(),
                others(v),
                v.framework,
                v.as_of,
                v.archived.map(|d| d.to_string()).unwrap_or_default()
            );
        }
        out.push('\n');
    }
    for (a, v) in assessments.iter().zip(verdicts) {
        let _ = writeln!(out, "## {} — {}\n", cell(&v.name), v.stage.label());
        let _ = writeln!(
            out,
            "`{}` · {} · Stages Framework revision {} · as of {}{}\n",
            v.id,
            v.kind.noun(),
            v.framework,
            v.as_of,
            v.archived
                .map(|d| format!(" · archived {d}"))
                .unwrap_or_default()
        );
        if !v.others_reasons.is_empty() {
            let _ = writeln!(out, "**Others:**{}\n", others(v));
        }
        let _ = writeln!(
            out,
            "| Stage | Requirement | Status | Reason | Evidence |\n|---|---|---|---|---|"
        );
        for r in &v.requirements {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                r.stage,
                r.id.as_str(),
                status_label(r.status),
                cell(&r.reason),
                evidence(&r.evidence)
            );
        }
        out.push('\n');
        if let Some(m) = &v.missing {
            let ids: Vec<String> = m.requirements.iter().map(|r| format!("`{r}`")).collect();
            let _ = writeln!(
                out,
                "**Missing for {}:** {}\n",
                m.next_stage.label(),
                ids.join(", ")
            );
        }
        if let Some(d) = &v.downgrade_pending {
            let _ = writeln!(
                out,
                "**Downgrade pending** to {} on {}:\n",
                d.to_stage.label(),
                d.deadline
            );
            for r in &d.reasons {
                let _ = writeln!(out, "- {}", r.replace('\n', " "));
            }
            out.push('\n');
        }
        if !v.warnings.is_empty() {
            let _ = writeln!(out, "**Warnings:**\n");
            for w in &v.warnings {
                let _ = writeln!(out, "- {}", w.replace('\n', " "));
            }
            out.push('\n');
        }
        labels(&mut out, &a.labels);
    }
    // Markdown has no colours: every control character from input is
    // escaped at once (the output often reaches a terminal).
    l2stage_model::text::escape_text(&out).into_owned()
}

/// The labels beside the stage: BattleTested and each proof system's maturity.
fn labels(out: &mut String, l: &l2stage_labels::Labels) {
    use l2stage_labels::LabelStatus;
    let b = &l.battle_tested;
    let status = match b.status {
        LabelStatus::Met => "✅ met",
        LabelStatus::Unmet => "❌ unmet",
        LabelStatus::Unknown => "❔ unknown",
    };
    let when = match (b.since, b.earliest) {
        (Some(s), _) => format!(" since {s}"),
        (None, Some(e)) => format!(", earliest {e} if nothing changes"),
        (None, None) => String::new(),
    };
    let _ = writeln!(out, "**BattleTested:** {status}{when}\n");
    for m in &b.missing {
        let _ = writeln!(out, "- {}", m.replace('\n', " "));
    }
    if !b.missing.is_empty() {
        out.push('\n');
    }
    if l.proof_systems.is_empty() {
        let _ = writeln!(out, "**Proof systems:** none in use on this day\n");
    } else {
        let _ = writeln!(
            out,
            "**Proof systems:**\n\n| Proof system | Rating | Facts | Missing for the next rating |\n|---|---|---|---|"
        );
        for p in &l.proof_systems {
            let mut missing: Vec<String> = p.missing_for_next.clone();
            missing.extend(p.shares_with.iter().map(|s| {
                format!(
                    "shares `{}` with {}",
                    s.component,
                    s.proof_systems.join(", ")
                )
            }));
            let _ = writeln!(
                out,
                "| {} (`{}`) | **{}** | {} | {} |",
                cell(&p.name),
                p.id,
                p.rating.as_str(),
                cell(&crate::text::proof_system_facts(p).join(" · ")),
                cell(&missing.join("; "))
            );
        }
        out.push('\n');
    }
    for n in &l.notes {
        let _ = writeln!(out, "- {}", n.replace('\n', " "));
    }
    if !l.notes.is_empty() {
        out.push('\n');
    }
}
