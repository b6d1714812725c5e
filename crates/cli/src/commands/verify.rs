//! `l2stage verify PROJECT_FILE --rpc URL [--block N] [--config FILE]
//! [--format text|json]`: re-discover what the project file declares and
//! report every mismatch as a diff. Exit 0 when claims and chain agree, 1
//! when they disagree (or the node fails), 2 for invalid input.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::commands::discover::RpcArgs;
use crate::error::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// A project file whose [governance] actors (or powers) carry addresses.
    #[arg(value_name = "PROJECT_FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub rpc: RpcArgs,
    /// Output format: a diff (declared `-`, on chain `+`), or JSON.
    #[arg(long, value_enum, default_value = "text")]
    pub format: VerifyFormat,
}

pub fn run(args: &VerifyArgs) -> Result<ExitCode, CliError> {
    let project = l2stage_model::load_path(&args.file).map_err(crate::error::load_error)?;
    let Some(gov) = &project.governance else {
        return Err(CliError::Usage(format!(
            "{}: no [governance] section: nothing to verify (see docs/project-format.md)",
            args.file.display()
        )));
    };
    l2stage_discovery::verify::entries(gov)
        .map_err(|e| CliError::Usage(format!("{}: {e}", args.file.display())))?;
    let (report, _) = args.rpc.read(
        async |rpc, block, config, progress| {
            l2stage_discovery::verify::verify(rpc, gov, block, config, progress).await
        },
        |(_, d)| d,
    )?;
    let out = match args.format {
        VerifyFormat::Text => {
            l2stage_discovery::verify::render_text(&report, &args.file.display().to_string())
        }
        VerifyFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::Runtime(e.to_string()))?;
            s.push('\n');
            s
        }
    };
    crate::render::write_stdout(&out)?;
    Ok(if report.agree {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
