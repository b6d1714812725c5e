//! A terminal checklist. Colours are written as ANSI codes; the caller's
//! stream strips them when stdout is not a terminal.

use std::fmt::Write;

use owo_colors::OwoColorize;

use l2stage_framework::{Stage, Status, Verdict};

use crate::Assessment;

pub fn render(assessments: &[Assessment]) -> String {
    let verdicts: Vec<&Verdict> = assessments.iter().map(|a| &a.verdict).collect();
    let verdicts = verdicts.as_slice();
    let mut out = String::new();
    for (i, v) in verdicts.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        verdict(&mut out, v);
    }
    if verdicts.len() > 1 {
        out.push('\n');
        summary(&mut out, verdicts);
    }
    out
}

fn stage_colored(stage: Stage) -> String {
    let label = stage.label();
    match stage {
        Stage::NotStage0 => label.red().bold().to_string(),
        Stage::Stage0 => label.yellow().bold().to_string(),
        Stage::Stage1 => label.green().bold().to_string(),
        Stage::Stage2 => label.bright_green().bold().to_string(),
        Stage::UnderReview => label.blue().bold().to_string(),
    }
}

fn mark(status: Status) -> String {
    match status {
        Status::Met => "✓".green().to_string(),
        Status::Unmet => "✗".red().to_string(),
        Status::UnderReview => "…".blue().to_string(),
        Status::NotApplicable => "–".dimmed().to_string(),
        Status::Unknown => "?".yellow().to_string(),
    }
}

fn verdict(out: &mut String, v: &Verdict) {
    let _ = writeln!(
        out,
        "{} ({}) · {} · framework {} · as of {}",
        v.name.bold(),
        v.id,
        v.kind.as_str(),
        v.framework,
        v.as_of
    );
    let _ = writeln!(out, "  {}", stage_colored(v.stage));
    let width = v
        .requirements
        .iter()
        .map(|r| r.id.as_str().len())
        .max()
        .unwrap_or(0);
    for stage in 0..=2u8 {
        let reqs: Vec<_> = v.requirements.iter().filter(|r| r.stage == stage).collect();
        if reqs.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n  {}",
            format!("Stage {stage} requirements").underline()
        );
        for r in reqs {
            let _ = writeln!(
                out,
                "    {} {:<width$}  {:<14} {}",
                mark(r.status),
                r.id.as_str(),
                r.status.as_str(),
                r.reason,
                width = width
            );
            for e in &r.evidence {
                let _ = writeln!(
                    out,
                    "      {:<width$}  {}",
                    "",
                    format!("↳ {e}").dimmed(),
                    width = width + 15
                );
            }
        }
    }
    if let Some(m) = &v.missing {
        let ids: Vec<&str> = m.requirements.iter().map(|r| r.as_str()).collect();
        let _ = writeln!(
            out,
            "\n  {} {}: {}",
            "Missing for".bold(),
            m.next_stage.label(),
            ids.join(", ")
        );
    }
    if let Some(d) = &v.downgrade_pending {
        let _ = writeln!(
            out,
            "\n  {} to {} on {}",
            "Downgrade pending:".yellow().bold(),
            d.to_stage.label(),
            d.deadline
        );
        for r in &d.reasons {
            let _ = writeln!(out, "    - {r}");
        }
    }
    if !v.warnings.is_empty() {
        let _ = writeln!(out, "\n  {}", "Warnings".yellow().bold());
        for w in &v.warnings {
            let _ = writeln!(out, "    ! {w}");
        }
    }
}

fn summary(out: &mut String, verdicts: &[&Verdict]) {
    let _ = writeln!(out, "{}", "Summary".bold().underline());
    let width = verdicts.iter().map(|v| v.id.len()).max().unwrap_or(0);
    for v in verdicts {
        let _ = writeln!(
            out,
            "  {:<width$}  {}",
            v.id,
            stage_colored(v.stage),
            width = width
        );
    }
}
