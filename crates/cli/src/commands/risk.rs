//! `l2stage risk`: when is Stage 1 or Stage 2 the safer choice?
//!
//! ```text
//! l2stage risk [--member-failure Q] [--stage0-council K/N] [--stage1-council K/N]
//!              [--proof-failure P] [--correlation RHO] [--common-shock C]
//!              [--formula union|additive] [--format text|json] [--horizon 1y]
//!              [--chart FILE.svg [--chart-type stages|regions]]
//! l2stage risk --project FILE [--member-failure Q] [--proof-failure P]
//!              [--common-shock C] [--team-block] [--format text|json]
//! ```
//!
//! Numbers are read exactly (`0.1` is 1/10), so every answer also comes as
//! an exact fraction. The model and the JSON contract are in docs/risk.md.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use l2stage_render::chart::{ChartOptions, regions_chart_svg, stage_chart_svg};
use l2stage_render::risk_input::{CouncilInput, council_input};
use l2stage_risk::project::{ProjectRisk, ProjectRiskInput, Structure, assess};
use l2stage_risk::provers::ProofSystem;
use l2stage_risk::report;
use l2stage_risk::sensitivity::Sensitivity;
use l2stage_risk::stages::{Crossovers, StageAnalysis};
use l2stage_risk::{BaseModel, CouncilShape, Formula, Horizon, Probability, RiskReport, Stage};
use owo_colors::OwoColorize;
use serde_json::{Value, json};

use crate::error::CliError;
use crate::render;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormulaArg {
    /// Exact probability of the union of the two failure paths.
    Union,
    /// The post's published sum (counts one event twice).
    Additive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChartType {
    /// Failure probability of each stage against p (the post's figure).
    Stages,
    /// The least risky stage over the (p, q) plane.
    Regions,
}

/// Probabilities are boxed: with their exact rationals they would make
/// this the largest variant of the command enum by far.
#[derive(Debug, clap::Args)]
pub struct RiskArgs {
    /// Probability that one council member breaks within the horizon
    /// (signs wrong things and refuses right ones): 0.1, 1/10 or 1e-3.
    #[arg(long, value_name = "Q", default_value = report::DEFAULT_MEMBER_FAILURE, value_parser = parse_member_failure, allow_negative_numbers = true)]
    pub member_failure: Box<Probability>,
    /// Stage 0 council, K signatures of N members.
    #[arg(long, value_name = "K/N", default_value = report::DEFAULT_STAGE0_COUNCIL, value_parser = parse_council, allow_negative_numbers = true)]
    pub stage0_council: CouncilShape,
    /// Stage 1 council, K signatures of N members.
    #[arg(long, value_name = "K/N", default_value = report::DEFAULT_STAGE1_COUNCIL, value_parser = parse_council, allow_negative_numbers = true)]
    pub stage1_council: CouncilShape,
    /// Probability that the proof system fails within the horizon; adds each
    /// stage's failure probability and the optimal stage.
    #[arg(long, value_name = "P", value_parser = parse_proof_failure, allow_negative_numbers = true)]
    pub proof_failure: Option<Box<Probability>>,
    /// Intra-class correlation of member failures (beta-binomial with mean
    /// Q), in [0, 1).
    #[arg(long, value_name = "RHO", default_value = report::DEFAULT_CORRELATION, value_parser = parse_correlation, allow_negative_numbers = true)]
    pub correlation: Box<Probability>,
    /// Probability that every member breaks at once (otherwise members
    /// break as above).
    #[arg(long, value_name = "C", default_value = report::DEFAULT_COMMON_SHOCK, value_parser = parse_common_shock, allow_negative_numbers = true)]
    pub common_shock: Box<Probability>,
    /// How the council's two failure paths combine.
    #[arg(long, value_enum, default_value = "union")]
    pub formula: FormulaArg,
    /// Period the probabilities refer to (1y, 6mo, 90d, 2w); a label carried
    /// into every result.
    #[arg(long, value_name = "PERIOD", default_value = report::DEFAULT_HORIZON, value_parser = parse_horizon)]
    pub horizon: Horizon,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Text output: also print exact fractions beside the inputs and the
    /// crossovers (JSON always has them under `exact`).
    #[arg(long)]
    pub exact: bool,
    /// Also write a chart (SVG) to this file.
    #[arg(long, value_name = "FILE.svg", conflicts_with = "project")]
    pub chart: Option<PathBuf>,
    /// Which chart --chart draws.
    #[arg(long, value_enum, default_value = "stages", requires = "chart")]
    pub chart_type: ChartType,
    /// Assess the Security Council of a project file ([governance] actor with
    /// `security_council = true`) instead of the post's two councils.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["stage0_council", "stage1_council"])]
    pub project: Option<PathBuf>,
    /// With --project: team members break together (one block) instead of
    /// independently.
    #[arg(long, requires = "project")]
    pub team_block: bool,
}

// Validation lives in the risk crate (l2stage_risk::report), shared with
// `GET /api/v1/risk`, so the command line and the API cannot drift.
// Parsers and defaults are the risk crate's (`report`), shared with the
// web API so the two cannot drift.

fn boxed(r: l2stage_risk::Result<Probability>) -> Result<Box<Probability>, String> {
    r.map(Box::new).map_err(|e| e.to_string())
}

fn parse_member_failure(s: &str) -> Result<Box<Probability>, String> {
    boxed(report::parse_member_failure(s))
}

fn parse_proof_failure(s: &str) -> Result<Box<Probability>, String> {
    boxed(report::parse_proof_failure(s))
}

fn parse_common_shock(s: &str) -> Result<Box<Probability>, String> {
    boxed(report::parse_common_shock(s))
}

fn parse_correlation(s: &str) -> Result<Box<Probability>, String> {
    boxed(report::parse_correlation(s))
}

fn parse_council(s: &str) -> Result<CouncilShape, String> {
    report::parse_council(s).map_err(|e| e.to_string())
}

fn parse_horizon(s: &str) -> Result<Horizon, String> {
    report::parse_horizon(s).map_err(|e| e.to_string())
}

fn formula(f: FormulaArg) -> Formula {
    match f {
        FormulaArg::Union => Formula::Union,
        FormulaArg::Additive => Formula::Additive,
    }
}

pub fn run(args: &RiskArgs) -> Result<ExitCode, CliError> {
    if let Some(path) = &args.project {
        return run_project(args, path);
    }
    let model = BaseModel {
        member_failure: (*args.member_failure).clone(),
        stage0: args.stage0_council,
        stage1: args.stage1_council,
        correlation: (*args.correlation).clone(),
        common_shock: (*args.common_shock).clone(),
        formula: formula(args.formula),
        horizon: args.horizon,
    };
    let params = report::RiskParams {
        model,
        proof_failure: args.proof_failure.as_deref().cloned(),
    };
    let report = report::risk_report(&params).map_err(|e| CliError::Usage(e.to_string()))?;
    let model = params.model;
    if let Some(path) = &args.chart {
        let opts = ChartOptions {
            proof_failure: args.proof_failure.as_deref().map(Probability::value),
            ..ChartOptions::default()
        };
        let svg = match args.chart_type {
            ChartType::Stages => stage_chart_svg(&model, &opts),
            ChartType::Regions => regions_chart_svg(&model, &opts),
        }
        .map_err(|e| CliError::Runtime(e.to_string()))?;
        std::fs::write(path, svg).map_err(|e| crate::error::io_runtime("write chart", path, &e))?;
    }
    let out = match args.format {
        OutputFormat::Json => {
            let mut v =
                report::report_json(&report).map_err(|e| CliError::Runtime(e.to_string()))?;
            if let (Some(path), Some(obj)) = (&args.chart, v.as_object_mut()) {
                obj.insert("chart".into(), json!({"path": path.display().to_string(), "type": chart_name(args.chart_type)}));
            }
            pretty(&v)?
        }
        OutputFormat::Text => {
            let mut s = text(&model, &report, args.exact);
            if let Some(path) = &args.chart {
                let _ = writeln!(
                    s,
                    "\nChart ({}) written to {}",
                    chart_name(args.chart_type),
                    path.display()
                );
            }
            s
        }
    };
    render::write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn chart_name(t: ChartType) -> &'static str {
    match t {
        ChartType::Stages => "stages",
        ChartType::Regions => "regions",
    }
}

fn pretty(v: &Value) -> Result<String, CliError> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| CliError::Runtime(e.to_string()))
}

/// Probabilities for people: the one formatter the CLI and the server
/// share (3 significant digits, scientific below 1e-3).
use l2stage_render::format::probability as num;

fn stage_name(s: Stage) -> String {
    format!("Stage {}", s.number())
}

fn text(model: &BaseModel, r: &RiskReport, exact: bool) -> String {
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
    let mark = |st: Stage| {
        if best == Some(st) {
            "  <- least risky"
        } else {
            ""
        }
    };
    let rows = [
        (
            Stage::Zero,
            format!("Stage 0 ({} council)", a.councils.stage0),
            Some((
                a.council_override.stage0,
                a.council_blocked.stage0,
                a.proof_weight.stage0,
            )),
            fail.map(|f| f.stage0),
        ),
        (
            Stage::One,
            format!("Stage 1 ({} council)", a.councils.stage1),
            Some((
                a.council_override.stage1,
                a.council_blocked.stage1,
                a.proof_weight.stage1,
            )),
            fail.map(|f| f.stage1),
        ),
        (
            Stage::Two,
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
            Stage::Zero => f.stage0,
            Stage::One => f.stage1,
            Stage::Two => f.stage2,
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
            Stage::Zero => p.elasticity.stage0,
            Stage::One => p.elasticity.stage1,
            Stage::Two => p.elasticity.stage2,
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

// ---------------------------------------------------------------- --project

fn run_project(args: &RiskArgs, path: &Path) -> Result<ExitCode, CliError> {
    if !args.correlation.is_zero() {
        return Err(CliError::Usage(
            "--correlation is not supported with --project (members there have their own entities); use --team-block or --common-shock".into(),
        ));
    }
    let file = l2stage_model::load_path(path).map_err(crate::error::load_error)?;
    let gov = file.governance.as_ref().ok_or_else(|| {
        CliError::Usage(format!(
            "{}: no [governance] section, so no Security Council to assess",
            path.display()
        ))
    })?;
    let council = gov.security_councils().next().ok_or_else(|| {
        CliError::Usage(format!(
            "{}: no multisig actor with `security_council = true` in [governance]",
            path.display()
        ))
    })?;
    let CouncilInput {
        council: project_council,
        notes,
    } = council_input(
        council,
        gov,
        &args.member_failure,
        args.team_block,
        &args.common_shock,
    )
    .map_err(|e| CliError::Usage(e.to_string()))?;
    let input = ProjectRiskInput {
        council: project_council,
        proof: args
            .proof_failure
            .as_deref()
            .map(|p| ProofSystem::Single { p: p.clone() }),
        formula: formula(args.formula),
        horizon: args.horizon,
        candidate: None,
    };
    let risk = assess(&input).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut assumptions = vec![
        format!(
            "each key breaks with q = {} within {}",
            num(args.member_failure.value()),
            args.horizon
        ),
        "keys of one entity break together".to_string(),
        if args.team_block {
            "team members break together as one block".to_string()
        } else {
            "entities break independently of each other".to_string()
        },
        "members without a declared affiliation are counted as team".to_string(),
    ];
    if !args.common_shock.is_zero() {
        assumptions.push(format!(
            "with probability c = {} every member breaks at once",
            num(args.common_shock.value())
        ));
    }
    assumptions.extend(notes);
    let out = match args.format {
        OutputFormat::Json => {
            let mut v =
                serde_json::to_value(&risk).map_err(|e| CliError::Runtime(e.to_string()))?;
            if let Some(obj) = v.as_object_mut() {
                obj.insert(
                    "project".into(),
                    json!({"id": file.project.id.as_str(), "name": file.project.name}),
                );
                obj.insert("council_actor".into(), json!(council.id));
                obj.insert("assumptions".into(), json!(assumptions));
            }
            pretty(&v)?
        }
        OutputFormat::Text => project_text(&file.project.name, &council.id, &risk, &assumptions),
    };
    render::write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn project_text(name: &str, actor: &str, r: &ProjectRisk, assumptions: &[String]) -> String {
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
