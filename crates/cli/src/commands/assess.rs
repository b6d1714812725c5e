//! `l2stage assess PATH... [--format text|json|markdown] [--framework ID] [--as-of DATE] [--proof-systems DIR]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use l2stage_assess::{Context, assess};
use l2stage_framework::Selection;
use l2stage_model::Date;

use crate::error::{CliError, catalog_error};
use crate::render;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct AssessArgs {
    /// Project files (.toml or .json), or directories of them. A PATH that
    /// does not exist is looked up in the catalog: `catalog` is the whole
    /// catalog, a project id or alias (`arbitrum`) that project.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Catalog directory in which ids (and the word `catalog`) are looked
    /// up. Default: the catalog built into the binary.
    #[arg(long, value_name = "DIR")]
    pub catalog: Option<PathBuf>,
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
    /// Text output: wrap lines to this many columns. Default: $COLUMNS, else
    /// the terminal's width, else 100 (when piped).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(40..))]
    pub width: Option<u16>,
    /// Markdown output: every reason, piece of evidence and warning in full
    /// (default: a summary of a few KB a project).
    #[arg(long)]
    pub full: bool,
    /// Directory of proof-system files (<id>.toml) the projects' labels refer
    /// to. Default: `proof-systems/` beside each project file.
    #[arg(long, value_name = "DIR")]
    pub proof_systems: Option<PathBuf>,
    /// Assess with what watching the chain stored in this database (read
    /// only): BattleTested's chain data and the watched governance
    /// structure (docs/discovery.md, "Watching").
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

pub fn parse_date(s: &str) -> Result<Date, String> {
    s.parse::<Date>().map_err(|e| e.to_string())
}

/// Flags that only mean something for one output format.
fn check_flags(args: &AssessArgs) -> Result<(), CliError> {
    let only = |flag: &str, format: &str| {
        Err(CliError::Usage(format!(
            "{flag} applies only to --format {format}; drop {flag} or use --format {format}"
        )))
    };
    if args.explain && args.format != OutputFormat::Text {
        return only("--explain", "text");
    }
    if args.width.is_some() && args.format != OutputFormat::Text {
        return only("--width", "text");
    }
    if args.full && args.format != OutputFormat::Markdown {
        return only("--full", "markdown");
    }
    Ok(())
}

/// Columns to wrap text to: --width, else $COLUMNS, else the terminal's
/// width when stdout is one, else 100.
fn width(args: &AssessArgs) -> usize {
    use std::io::IsTerminal;
    if let Some(w) = args.width {
        return w.into();
    }
    if let Some(w) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w > 0)
    {
        return w;
    }
    if std::io::stdout().is_terminal()
        && let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size()
    {
        return w.into();
    }
    l2stage_render::text::DEFAULT_WIDTH
}

pub fn run(args: &AssessArgs) -> Result<ExitCode, CliError> {
    check_flags(args)?;
    let paths = resolve(&args.paths, args.catalog.as_deref())?;
    let mut catalog = l2stage_assess::catalog::load(&paths, args.proof_systems.as_deref())
        .map_err(catalog_error)?;
    let mut chain_warnings: Vec<Vec<String>> = vec![Vec::new(); catalog.files.len()];
    if let Some(db) = &args.db {
        let store =
            l2stage_store::Store::open_read_only(db).map_err(|e| CliError::Usage(e.to_string()))?;
        let runtime = |e: l2stage_store::StoreError| CliError::Runtime(e.to_string());
        for (f, warnings) in catalog.files.iter_mut().zip(chain_warnings.iter_mut()) {
            let id = f.project.project.id.to_string();
            f.labels.chain = store.chain_data(&id).map_err(runtime)?;
            let hash = l2stage_store::input_hash(f.format, &f.text);
            if let Some(w) = store.watched_governance(&id, &hash).map_err(runtime)? {
                match w.apply_to(&f.project) {
                    Ok(merged) => {
                        f.project = merged;
                        *warnings = w.warnings;
                    }
                    Err(e) => {
                        eprintln!("warning: {}: {e}; the file's own is used", f.path.display())
                    }
                }
            }
        }
    }
    let sel = Selection {
        framework: args.framework.as_deref(),
        as_of: args.as_of.unwrap_or_else(Date::today),
    };
    // A project not yet live on that day gets no verdict: said on stderr,
    // and an error when no project is left.
    let mut not_live = Vec::new();
    let mut assessments = Vec::with_capacity(catalog.files.len());
    for (f, warnings) in catalog.files.iter().zip(&chain_warnings) {
        if let Some(why) = l2stage_assess::not_live_on(&f.project, sel.as_of) {
            not_live.push(why);
            continue;
        }
        let mut a = assess(&f.project, &Context::new(sel).with_labels(&f.labels))
            .map_err(|e| CliError::Usage(e.to_string()))?;
        a.verdict.warnings.extend(warnings.iter().cloned());
        assessments.push(a);
    }
    if assessments.is_empty() && !not_live.is_empty() {
        return Err(CliError::Usage(not_live.join("\n")));
    }
    for why in &not_live {
        eprintln!("note: {why}");
    }
    l2stage_assess::live_first(&mut assessments);
    let out = match args.format {
        OutputFormat::Json => {
            l2stage_assess::json(&assessments).map_err(|e| CliError::Runtime(e.to_string()))?
        }
        OutputFormat::Markdown => l2stage_render::markdown::render_with(&assessments, args.full),
        OutputFormat::Text => l2stage_render::text::render_with(
            &assessments,
            l2stage_render::text::Options {
                explain: args.explain,
                width: width(args),
            },
        ),
    };
    render::write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Paths as given when they exist; otherwise `catalog` is the catalog
/// directory and an id or alias is that catalog project's file.
fn resolve(paths: &[PathBuf], catalog: Option<&Path>) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::with_capacity(paths.len());
    let mut dir: Option<PathBuf> = None;
    for p in paths {
        let name = p.to_str().unwrap_or("");
        let id_like = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if p.exists() || !id_like {
            out.push(p.clone());
            continue;
        }
        let d = match &dir {
            Some(d) => d.clone(),
            None => {
                let d = crate::catalog::dir(catalog)?;
                dir = Some(d.clone());
                d
            }
        };
        if name == "catalog" {
            out.push(d);
            continue;
        }
        match l2stage_assess::catalog::find(&d, name).map_err(catalog_error)? {
            Some(f) => out.push(f),
            None => {
                return Err(CliError::Usage(format!(
                    "{name}: no such file, and no catalog project has this id or alias"
                )));
            }
        }
    }
    Ok(out)
}
