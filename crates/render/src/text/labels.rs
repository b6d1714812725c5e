//! The checklist's labels section: BattleTested and each proof system's
//! maturity (also the facts the Markdown report lists).

use std::fmt::Write;

use owo_colors::OwoColorize;

use super::Writer;

/// The labels beside the stage: BattleTested and each proof system's maturity.
pub(super) fn labels(out: &mut String, wr: &Writer, l: &l2stage_labels::Labels) {
    use l2stage_labels::{LabelStatus, MaturityRating};
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
    let sep = if when.is_empty() { "" } else { " " };
    wr.plain(
        out,
        &format!("    BattleTested  {status}{sep}"),
        18,
        when.trim_start(),
    );
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
            crate::format::usd(v.total),
            v.eth_and_stablecoins
                .map(|x| format!("{} in ETH and stablecoins", crate::format::usd(x)))
                .unwrap_or_else(|| "ETH/stablecoin split not given".into())
        ));
    }
    if let Some(src) = b.sources {
        facts.push(format!(
            "changes {}, value locked {}",
            src.changes.as_str(),
            src.value_locked.as_str()
        ));
    }
    if !facts.is_empty() {
        wr.para(out, "                  ", 18, &facts.join(" · "), |s| {
            s.dimmed().to_string()
        });
    }
    for m in &b.missing {
        wr.plain(out, "      - ", 8, m);
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
            MaturityRating::Mature => p.rating.as_str().green().bold().to_string(),
            MaturityRating::Maturing => p.rating.as_str().yellow().bold().to_string(),
            MaturityRating::Immature | MaturityRating::NotInProduction => {
                p.rating.as_str().red().bold().to_string()
            }
        };
        let _ = writeln!(out, "      {} ({})  {rating}", p.name.bold(), p.id);
        wr.para(
            out,
            "        ",
            8,
            &proof_system_facts(p).join(" · "),
            |s| s.dimmed().to_string(),
        );
        for m in &p.missing_for_next {
            wr.plain(out, "        ↳ ", 10, m);
        }
        for s in &p.shares_with {
            wr.plain(
                out,
                "        ↳ ",
                10,
                &format!(
                    "shares `{}` with {}",
                    s.component,
                    s.proof_systems.join(", ")
                ),
            );
        }
    }
    for n in &l.notes {
        wr.plain(out, &format!("    {} ", "!".yellow()), 6, n);
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
        Some(b) => format!("bounty {}", crate::format::usd(b)),
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
