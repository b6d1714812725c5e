//! `l2stage graph FILE --format dot|mermaid|svg`: the permission graph.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::error::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    /// A standalone SVG image, laid out by l2stage itself.
    Svg,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// A project file with a [governance] section.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Graphviz DOT, a Mermaid flowchart, or an SVG image (as on the
    /// dashboard's project page).
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
}

pub fn run(args: &GraphArgs) -> Result<ExitCode, CliError> {
    if args.file.is_dir() {
        return Err(CliError::Usage(format!(
            "{} is a directory: `graph` draws one project, so give it a project file (e.g. {})",
            args.file.display(),
            args.file.join("<id>.toml").display()
        )));
    }
    let project = l2stage_model::load_path(&args.file).map_err(crate::error::load_error)?;
    let Some(gov) = &project.governance else {
        return Err(CliError::Usage(format!(
            "{}: no [governance] section: nothing to draw (see docs/project-format.md)",
            args.file.display()
        )));
    };
    // The drawing is of the file's structure whatever the day; say so when
    // that structure is not (or no longer) the one in force.
    let today = l2stage_model::Date::today();
    if !gov.applies_on(today) {
        let span = match (gov.since, gov.until) {
            (Some(s), Some(u)) => format!("from {s} until {u}"),
            (Some(s), None) => format!("from {s}"),
            (None, Some(u)) => format!("until {u}"),
            (None, None) => String::new(),
        };
        crate::render::eprint_line(&format!(
            "note: {}: this structure describes the project {span}, not today ({today})",
            args.file.display()
        ));
    }
    let out = match args.format {
        GraphFormat::Dot => l2stage_render::graph::dot(gov, &project.project.name),
        GraphFormat::Mermaid => l2stage_render::graph::mermaid(gov),
        GraphFormat::Svg => {
            let mut s = l2stage_render::graph::svg(gov);
            s.push('\n');
            s
        }
    };
    crate::render::write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}
