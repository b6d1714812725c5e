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
use l2stage_render::risk_input::{
    ProjectRiskError, ProjectRiskOptions, project_risk_input, project_risk_json,
};
use l2stage_render::risk_text::project_text;
use l2stage_risk::project::assess;
use l2stage_risk::report;
use l2stage_risk::{BaseModel, CouncilShape, Formula, Horizon, Probability};
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
            let mut s = l2stage_render::risk_text::report_text(&model, &report, args.exact);
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

// ---------------------------------------------------------------- --project

fn run_project(args: &RiskArgs, path: &Path) -> Result<ExitCode, CliError> {
    if !args.correlation.is_zero() {
        return Err(CliError::Usage(
            "--correlation is not supported with --project (members there have their own entities); use --team-block or --common-shock".into(),
        ));
    }
    let file = l2stage_model::load_path(path).map_err(crate::error::load_error)?;
    let opts = ProjectRiskOptions {
        member_failure: (*args.member_failure).clone(),
        proof_failure: args.proof_failure.as_deref().cloned(),
        common_shock: (*args.common_shock).clone(),
        team_block: args.team_block,
        formula: formula(args.formula),
        horizon: args.horizon,
    };
    let setup = project_risk_input(&file, &opts).map_err(|e| match e {
        ProjectRiskError::Council(e) => CliError::Usage(e.to_string()),
        e => CliError::Usage(format!("{}: {e}", path.display())),
    })?;
    let risk = assess(&setup.input).map_err(|e| CliError::Usage(e.to_string()))?;
    let out = match args.format {
        OutputFormat::Json => pretty(
            &project_risk_json(&file, &setup, &risk)
                .map_err(|e| CliError::Runtime(e.to_string()))?,
        )?,
        OutputFormat::Text => project_text(
            &file.project.name,
            &setup.actor.id,
            &risk,
            &setup.assumptions,
        ),
    };
    render::write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}
