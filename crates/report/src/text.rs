//! A terminal checklist. Colours are written as ANSI codes; the caller's
//! stream strips them when stdout is not a terminal.

use std::fmt::Write;

use owo_colors::OwoColorize;

use l2stage_framework::{Stage, Status, Verdict};
use l2stage_governance::Rating;
use l2stage_model::format_seconds;
// Every string from input (names, reasons, evidence, actors...) is escaped:
// the output reaches terminals.
use l2stage_model::text::escape as esc;

use crate::Assessment;

pub fn render(assessments: &[Assessment]) -> String {
    render_opts(assessments, false)
}

/// `explain`: also print every governance finding with its path and arithmetic.
pub fn render_opts(assessments: &[Assessment], explain: bool) -> String {
    let verdicts: Vec<&Verdict> = assessments.iter().map(|a| &a.verdict).collect();
    let verdicts = verdicts.as_slice();
    let mut out = String::new();
    let many = assessments.len() > 1;
    for (i, a) in assessments.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        // Archived projects come last (see `l2stage_report::live_first`),
        // under their own heading when listed with live ones.
        let first_archived = a.verdict.archived.is_some()
            && (i == 0 || assessments[i - 1].verdict.archived.is_none());
        if many && first_archived {
            let _ = writeln!(out, "{}\n", "Archived projects".bold().underline());
        }
        verdict(&mut out, &a.verdict);
        governance(&mut out, a, explain);
        labels(&mut out, &a.labels);
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
        "{} ({}) · {} · framework {} · as of {}{}",
        esc(&v.name).bold(),
        esc(v.id.as_str()),
        v.kind.as_str(),
        v.framework,
        v.as_of,
        v.archived
            .map(|d| format!(" · archived {d}"))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "  {}", stage_colored(v.stage));
    if !v.others_reasons.is_empty() {
        let codes: Vec<String> = v
            .others_reasons
            .iter()
            .map(|r| format!("{} ({})", r.code(), r.label()))
            .collect();
        let _ = writeln!(out, "  {} {}", "Others:".red(), codes.join(", "));
    }
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
                esc(&r.reason),
                width = width
            );
            for e in &r.evidence {
                let _ = writeln!(
                    out,
                    "      {:<width$}  {}",
                    "",
                    format!("↳ {}", esc(e)).dimmed(),
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
            let _ = writeln!(out, "    - {}", esc(r));
        }
    }
    if !v.warnings.is_empty() {
        let _ = writeln!(out, "\n  {}", "Warnings".yellow().bold());
        for w in &v.warnings {
            let _ = writeln!(out, "    ! {}", esc(w));
        }
    }
}

fn summary(out: &mut String, verdicts: &[&Verdict]) {
    let _ = writeln!(out, "{}", "Summary".bold().underline());
    let width = verdicts.iter().map(|v| v.id.len()).max().unwrap_or(0);
    for (i, v) in verdicts.iter().enumerate() {
        if v.archived.is_some() && (i == 0 || verdicts[i - 1].archived.is_none()) {
            let _ = writeln!(out, "  {}", "Archived".dimmed());
        }
        let _ = writeln!(
            out,
            "  {:<width$}  {}{}{}",
            esc(v.id.as_str()),
            stage_colored(v.stage),
            v.archived
                .map(|d| format!(" (archived {d})"))
                .unwrap_or_default(),
            if v.others_reasons.is_empty() {
                String::new()
            } else {
                let codes: Vec<&str> = v.others_reasons.iter().map(|r| r.code()).collect();
                format!(" [{}]", codes.join(", "))
            },
            width = width
        );
    }
}

fn rating_colored(r: Rating, text: &str) -> String {
    match r {
        Rating::None => text.red().bold().to_string(),
        Rating::Red => text.red().to_string(),
        Rating::Yellow => text.yellow().to_string(),
        Rating::Green => text.green().to_string(),
    }
}

fn window_text(seconds: Option<i64>) -> String {
    match seconds {
        Some(s) if s > 0 => format_seconds(s),
        _ => "none".into(),
    }
}

/// The exit window line, and with `explain` the decisive paths and arithmetic.
fn governance(out: &mut String, a: &Assessment, explain: bool) {
    if let Some(w) = &a.exit_window {
        let _ = writeln!(
            out,
            "\n  {} {} ({}) via {}{}",
            "Exit window:".bold(),
            rating_colored(w.rating, &window_text(w.seconds)),
            w.rating.as_str(),
            esc(&w.path.join(" → ")),
            if w.council_can_upgrade_instantly {
                "; the Security Council can upgrade instantly"
            } else {
                ""
            }
        );
    }
    let Some(g) = a.governance.as_ref().filter(|_| explain) else {
        return;
    };
    let _ = writeln!(out, "\n  {}", "Governance analysis".underline());
    let _ = writeln!(
        out,
        "    Time to exit when operators are hostile: {}",
        esc(&g.exit_time_arithmetic)
    );
    for c in &g.councils {
        let verdict = if c.properly_set_up {
            "properly set up".green().to_string()
        } else {
            "not properly set up".red().to_string()
        };
        let _ = writeln!(out, "    Council {}: {verdict}", esc(&c.summary()));
        for f in &c.failures {
            let _ = writeln!(out, "      - {}", esc(f));
        }
    }
    for f in &g.findings {
        let who = if f.council_controlled {
            " [needs ≥75% of the council]".green().to_string()
        } else {
            String::new()
        };
        let bug = if f.bug_conditioned {
            " [on-chain bug only]"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    • {} — {}{who}{bug}\n        path: {}\n        {}\n        exit window: {}",
            esc(&f.power.to_string()),
            esc(&f.coalition.to_string()),
            esc(&f.path.join(" → ")),
            esc(&f.arithmetic),
            rating_colored(
                f.rating,
                &format!(
                    "{} ({})",
                    window_text(f.exit_window_seconds),
                    f.rating.as_str()
                )
            )
        );
    }
    for id in g.derived.keys() {
        if let Some(r) = a.verdict.requirement(*id) {
            let _ = writeln!(out, "    {} {}: {}", mark(r.status), id, esc(&r.reason));
        }
    }
}

/// The labels beside the stage: BattleTested and each proof system's maturity.
fn labels(out: &mut String, l: &l2stage_labels::Labels) {
    use l2stage_labels::{LabelStatus, Rating};
    let _ = writeln!(out, "\n  {}", "Labels".underline());
    let b = &l.battle_tested;
    let status = match b.status {
        LabelStatus::Met => "met".green().bold().to_string(),
        LabelStatus::Unmet => "unmet".red().bold().to_string(),
        LabelStatus::Unknown => "unknown".yellow().bold().to_string(),
    };
    let when = match (b.since, b.earliest) {
        (Some(s), _) => format!(" since {s}"),
        (None, Some(e)) => format!(" · earliest {e} if nothing changes"),
        (None, None) => String::new(),
    };
    let _ = writeln!(out, "    BattleTested  {status}{when}");
    let mut facts = Vec::new();
    if let Some(c) = b.clock_start {
        facts.push(format!("clock from {c}"));
    }
    if let Some(w) = b.value_checked {
        facts.push(format!("value checked {} to {}", w.from, w.to));
    }
    if let Some(v) = b.latest_value {
        facts.push(format!(
            "{}: {} locked, {}",
            v.date,
            l2stage_labels::money::usd(v.total),
            v.eth_and_stablecoins
                .map(|x| format!("{} in ETH and stablecoins", l2stage_labels::money::usd(x)))
                .unwrap_or_else(|| "ETH/stablecoin split not given".into())
        ));
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "                  {}", facts.join(" · ").dimmed());
    }
    for m in &b.missing {
        let _ = writeln!(out, "      - {}", esc(m));
    }
    if l.proof_systems.is_empty() {
        let _ = writeln!(
            out,
            "    Proof systems {}",
            "none in use on this day".dimmed()
        );
    } else {
        let _ = writeln!(out, "    Proof systems");
    }
    for p in &l.proof_systems {
        let rating = match p.rating {
            Rating::Mature => p.rating.as_str().green().bold().to_string(),
            Rating::Maturing => p.rating.as_str().yellow().bold().to_string(),
            Rating::Immature | Rating::NotInProduction => {
                p.rating.as_str().red().bold().to_string()
            }
        };
        let _ = writeln!(
            out,
            "      {} ({})  {rating}",
            esc(&p.name).bold(),
            esc(&p.id.to_string())
        );
        let _ = writeln!(
            out,
            "        {}",
            esc(&proof_system_facts(p).join(" · ")).dimmed()
        );
        for m in &p.missing_for_next {
            let _ = writeln!(out, "        ↳ {}", esc(m));
        }
        for s in &p.shares_with {
            let _ = writeln!(
                out,
                "        ↳ shares `{}` with {}",
                esc(&s.component),
                esc(&s.proof_systems.join(", "))
            );
        }
    }
    for n in &l.notes {
        let _ = writeln!(out, "    {} {}", "!".yellow(), esc(n));
    }
}

/// One line of facts about a proof system, shared with the Markdown report.
pub(crate) fn proof_system_facts(p: &l2stage_labels::ProofSystemSummary) -> Vec<String> {
    let yes_no = |v: Option<bool>| match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not declared",
    };
    let mut facts = vec![p.kind.as_str().to_string()];
    if let Some(v) = &p.version {
        facts.push(v.clone());
    }
    facts.push(match (p.in_production_since, p.months_in_production) {
        (Some(s), Some(m)) => format!("in production since {s} ({m} months)"),
        (Some(s), None) => format!("in production from {s}"),
        _ => "production date not declared".into(),
    });
    facts.push(format!(
        "{} audit(s) by {} firm(s)",
        p.audits.len(),
        p.audit_firms.len()
    ));
    facts.push(match p.bug_bounty_usd {
        Some(b) => format!("bounty {}", l2stage_labels::money::usd(b)),
        None => "no bounty".into(),
    });
    facts.push(format!("{} incident(s)", p.incidents.len()));
    facts.push(format!(
        "trusted setup {}",
        p.trusted_setup_risk
            .map(|r| r.as_str())
            .unwrap_or("not declared")
    ));
    facts.push(format!(
        "prover source {}",
        yes_no(p.prover_source_published)
    ));
    facts.push(format!(
        "verifier reproducible {}",
        yes_no(p.verifier_reproducible)
    ));
    facts.push(format!(
        "programs reproducible {}",
        yes_no(p.programs_reproducible)
    ));
    facts
}
