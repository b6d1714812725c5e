//! The risk model's answers as text for a terminal (`l2stage risk`), with
//! the one probability formatter every front end uses. Colours are ANSI
//! codes; the caller's stream strips them when stdout is not a terminal.

use std::fmt::Write as _;

use l2stage_risk::project::{ProjectRisk, Structure};
use l2stage_risk::sensitivity::Sensitivity;
use l2stage_risk::stages::{Crossovers, StageAnalysis};
use l2stage_risk::{BaseModel, Formula, ModelStage, Probability, RiskReport};
use owo_colors::OwoColorize;

use crate::format::probability as num;

fn stage_name(s: ModelStage) -> String {
    format!("Stage {}", s.number())
}

/// `l2stage risk --format text`: each stage's council tails and failure
/// probability, the crossovers, the least risky stage by p, the other
/// formula for comparison, the sensitivity and the assumptions. With
/// `exact`, exact fractions beside the inputs and crossovers.
pub fn report_text(model: &BaseModel, r: &RiskReport, exact: bool) -> String {
    let a = &r.analysis;
    let mut s = String::new();
    let formula_label = match a.formula {
        Formula::Union => "exact union formula",
        Formula::Additive => "additive formula, as published",
    };
    let _ = writeln!(
        s,
        "{} ({formula_label}; probabilities over {})",
        "Stage risk: when is Stage 1 or Stage 2 the safer choice?".bold(),
        a.horizon
    );
    let mut members = format!(
        "Each council member breaks with q = {}",
        shown(&model.member_failure, exact)
    );
    if !model.correlation.is_zero() {
        let _ = write!(
            members,
            ", correlated (rho = {})",
            shown(&model.correlation, exact)
        );
    } else {
        members.push_str(", independently");
    }
    if !model.common_shock.is_zero() {
        let _ = write!(
            members,
            "; all at once with c = {}",
            shown(&model.common_shock, exact)
        );
    }
    let _ = writeln!(s, "{members}.\n");

    let p = a.proof_failure;
    let _ = writeln!(
        s,
        "{:<22} {:>16} {:>16} {:>14}{}",
        "",
        "overrides",
        "blocked",
        "p weight",
        if p.is_some() {
            format!(" {:>14}", "failure")
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        "{:<22} {:>16} {:>16} {:>14}{}",
        "",
        "P(X >= k)",
        "P(X >= n-k+1)",
        "",
        p.map(|p| format!(" {:>14}", format!("at p={}", num(p))))
            .unwrap_or_default()
    );
    let fail = a.failure.as_ref();
    let best = a.optimal_stage;
    let mark = |st: ModelStage| {
        if best == Some(st) {
            "  <- least risky"
        } else {
            ""
        }
    };
    let rows = [
        (
            ModelStage::Zero,
            format!("Stage 0 ({} council)", a.councils.stage0),
            Some((
                a.council_override.stage0,
                a.council_blocked.stage0,
                a.proof_weight.stage0,
            )),
            fail.map(|f| f.stage0),
        ),
        (
            ModelStage::One,
            format!("Stage 1 ({} council)", a.councils.stage1),
            Some((
                a.council_override.stage1,
                a.council_blocked.stage1,
                a.proof_weight.stage1,
            )),
            fail.map(|f| f.stage1),
        ),
        (
            ModelStage::Two,
            "Stage 2 (no council)".to_string(),
            None,
            fail.map(|f| f.stage2),
        ),
    ];
    for (st, label, tails, f) in rows {
        let (o, b, w) = match tails {
            Some((o, b, w)) => (num(o), num(b), num(w)),
            None => ("-".into(), "-".into(), "1".into()),
        };
        let _ = writeln!(
            s,
            "{label:<22} {o:>16} {b:>16} {w:>14}{}{}",
            f.map(|f| format!(" {:>14}", num(f))).unwrap_or_default(),
            mark(st)
        );
    }

    let _ = writeln!(
        s,
        "\n{}",
        "Crossovers (proof-failure probability where two stages are equally risky)".bold()
    );
    crossovers(&mut s, a, exact);
    let _ = writeln!(
        s,
        "\n{}",
        "Least risky stage by proof-failure probability p".bold()
    );
    for range in &a.optimal_ranges {
        let _ = writeln!(
            s,
            "  {:<8} for {} <= p <= {}",
            stage_name(range.stage),
            num(range.from),
            num(range.to)
        );
    }
    if let (Some(p), Some(best), Some(f)) = (p, best, fail) {
        let fb = match best {
            ModelStage::Zero => f.stage0,
            ModelStage::One => f.stage1,
            ModelStage::Two => f.stage2,
        };
        let _ = writeln!(
            s,
            "  At p = {}: {} (loss probability {})",
            num(p),
            stage_name(best).bold(),
            num(fb)
        );
    }

    let o = &r.other_formula;
    let other = match o.formula {
        Formula::Union => "Exact union formula",
        Formula::Additive => "Additive formula (as published)",
    };
    let _ = writeln!(s, "\n{}", format!("{other}, for comparison").bold());
    crossovers(&mut s, o, exact);
    if let Some(sens) = &r.sensitivity {
        sensitivity(&mut s, sens);
    }
    let _ = writeln!(s, "\n{}", "Assumptions".bold());
    for line in &r.assumptions {
        let _ = writeln!(s, "  - {line}");
    }
    s
}

fn shown(p: &Probability, exact: bool) -> String {
    match p.exact().filter(|_| exact) {
        Some(e) if !e.denom().to_string().chars().all(|c| c == '1' || c == '0') => {
            format!(
                "{} ({})",
                num(p.value()),
                l2stage_risk::prob::fraction_string(e)
            )
        }
        _ => num(p.value()),
    }
}

fn crossovers(s: &mut String, a: &StageAnalysis, exact: bool) {
    let exact: Option<&Crossovers<String>> =
        a.exact.as_ref().filter(|_| exact).map(|e| &e.crossovers);
    let rows = [
        (
            "Stage 0 = Stage 1",
            a.crossovers.stage0_stage1,
            exact.and_then(|e| e.stage0_stage1.clone()),
        ),
        (
            "Stage 1 = Stage 2",
            a.crossovers.stage1_stage2,
            exact.and_then(|e| e.stage1_stage2.clone()),
        ),
    ];
    for (label, x, e) in rows {
        let value = match x {
            Some(x) => format!("p = {}", num(x)),
            None => "none in [0, 1]".into(),
        };
        let _ = writeln!(s, "  {label}   {value:<18} {}", e.unwrap_or_default());
    }
}

fn sensitivity(s: &mut String, sens: &Sensitivity) {
    let _ = writeln!(
        s,
        "\n{}",
        format!(
            "Sensitivity (d ln F / d ln x for the least risky stage, {})",
            stage_name(sens.optimal_stage)
        )
        .bold()
    );
    for p in &sens.parameters {
        let e = match sens.optimal_stage {
            ModelStage::Zero => p.elasticity.stage0,
            ModelStage::One => p.elasticity.stage1,
            ModelStage::Two => p.elasticity.stage2,
        };
        let e = e
            .map(|e| format!("{e:>7.2}"))
            .unwrap_or_else(|| format!("{:>7}", "-"));
        let _ = writeln!(
            s,
            "  {:<16} {e}   halved: {}, doubled: {}",
            p.parameter,
            stage_name(p.optimal_if_halved),
            stage_name(p.optimal_if_doubled)
        );
    }
    if let Some(m) = sens.most_influential {
        let _ = writeln!(s, "  Most influential: {m}");
    }
}

/// `l2stage risk --project --format text`: the council's override and
/// blocked probabilities, the loss with and without it, where Stage 2 is
/// safer, and the assumptions ([`crate::risk_input::project_risk_input`]).
pub fn project_text(name: &str, actor: &str, r: &ProjectRisk, assumptions: &[String]) -> String {
    let mut s = String::new();
    let c = &r.current;
    let _ = writeln!(
        s,
        "{} ({} formula; probabilities over {})",
        format!("Council risk of {name}").bold(),
        r.formula.as_str(),
        r.horizon
    );
    // A nested council's numbers are not tails of one count X.
    let (who, over, blocked) = match c.structure {
        Structure::Nested => ("entities", "", ""),
        Structure::Flat | Structure::Flattened => ("members", "P(X >= k)", "P(X >= n-k+1)"),
    };
    let _ = writeln!(
        s,
        "Security Council `{actor}`: {} ({} team, {} outside {who})\n",
        c.council, c.team_members, c.outside_members
    );
    let _ = writeln!(
        s,
        "  council overrides by itself  {over:<14} {}",
        num(c.council_override)
    );
    let _ = writeln!(
        s,
        "  council cannot fix a bug     {blocked:<14} {}",
        num(c.council_blocked)
    );
    if let (Some(p), Some(loss)) = (r.proof_failure, c.loss) {
        let _ = writeln!(
            s,
            "  loss with the council (p = {})            {}",
            num(p),
            num(loss)
        );
        let _ = writeln!(
            s,
            "  loss without it (Stage 2)                    {}",
            num(p)
        );
    }
    match c.stage2_safer_below {
        Some(x) => {
            let exact = c
                .exact
                .as_ref()
                .and_then(|e| e.stage2_safer_below.clone())
                .map(|e| format!("({e})"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "\n  Removing the council's power (Stage 2) is safer once the proof system fails with p < {} {exact}",
                num(x).bold()
            );
        }
        None => {
            let _ = writeln!(
                s,
                "\n  The council never beats the proof system alone in [0, 1]."
            );
        }
    }
    let _ = writeln!(s, "\n{}", "Assumptions".bold());
    for a in assumptions {
        let _ = writeln!(s, "  - {a}");
    }
    s
}
