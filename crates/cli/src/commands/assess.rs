//! `l2stage assess PATH... [--format text|json|markdown] [--framework ID] [--as-of DATE]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use l2stage_framework::Selection;
use l2stage_report::{assess_project, Assessment};
use l2stage_model::{load_path, Date, LoadError, ProjectFile};

use crate::error::CliError;
use crate::render;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct AssessArgs {
    /// Project files (.toml or .json), or directories of them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Framework revision id (e.g. 2025-06); default: the one in force on --as-of.
    #[arg(long, value_name = "ID")]
    pub framework: Option<String>,
    /// Assess as of this day (YYYY-MM-DD): history up to it, and its revision. Default: today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Text output: also print the governance analysis behind derived
    /// requirements (decisive paths, delays and arithmetic).
    #[arg(long)]
    pub explain: bool,
}

pub fn parse_date(s: &str) -> Result<Date, String> {
    s.parse::<Date>().map_err(|e| e.to_string())
}

pub fn run(args: &AssessArgs) -> Result<ExitCode, CliError> {
    let projects = load_all(&args.paths)?;
    let sel = Selection { framework: args.framework.as_deref(), as_of: args.as_of.unwrap_or_else(Date::today) };
    let assessments = projects
        .iter()
        .map(|(_, p)| assess_project(p, sel))
        .collect::<Result<Vec<Assessment>, _>>()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let out = match args.format {
        OutputFormat::Json => l2stage_report::json(&assessments).map_err(|e| CliError::Runtime(e.to_string()))?,
        OutputFormat::Markdown => l2stage_report::markdown::render(&assessments),
        OutputFormat::Text => l2stage_report::text::render_opts(&assessments, args.explain),
    };
    render::write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Every project file named or inside a named directory, parsed. All invalid
/// files are reported, not just the first; nothing is assessed if any is.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<(PathBuf, ProjectFile)>, CliError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(project_files_in(p)?);
        } else {
            files.push(p.clone());
        }
    }
    let mut loaded = Vec::new();
    let mut errors: Vec<LoadError> = Vec::new();
    for f in files {
        match load_path(&f) {
            Ok(p) => loaded.push((f, p)),
            Err(e) => errors.push(e),
        }
    }
    // Two files claiming one id would make the output ambiguous.
    for (i, (path, p)) in loaded.iter().enumerate() {
        if let Some((other, _)) = loaded[..i].iter().find(|(_, q)| q.project.id == p.project.id) {
            return Err(CliError::Usage(format!(
                "{} and {} both define project id `{}`",
                other.display(),
                path.display(),
                p.project.id
            )));
        }
    }
    match errors.len() {
        0 => Ok(loaded),
        1 => Err(CliError::Input(miette::Report::new(errors.remove(0)))),
        n => {
            let text: Vec<String> = errors.into_iter().map(|e| format!("{:?}", miette::Report::new(e))).collect();
            Err(CliError::Usage(format!("{n} invalid project files:\n{}", text.join("\n"))))
        }
    }
}

/// The `.toml` and `.json` files directly inside a directory, sorted.
fn project_files_in(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let entries = std::fs::read_dir(dir).map_err(|e| CliError::Usage(format!("cannot read directory {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && l2stage_model::Format::from_path(p).is_some())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(CliError::Usage(format!("{}: no project files (.toml or .json) in this directory", dir.display())));
    }
    Ok(files)
}
