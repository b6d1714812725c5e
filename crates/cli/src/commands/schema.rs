//! `l2stage schema [--proof-system]`: the JSON Schema of the project file
//! (or of a proof-system file).

use std::process::ExitCode;

use crate::error::CliError;

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Print the schema of a proof-system file (proof-systems/<id>.toml) instead.
    #[arg(long)]
    pub proof_system: bool,
}

pub fn run(args: &SchemaArgs) -> Result<ExitCode, CliError> {
    let schema = if args.proof_system {
        l2stage_model::labels::proof_system_schema()
    } else {
        l2stage_model::json_schema()
    };
    let text =
        serde_json::to_string_pretty(&schema).map_err(|e| CliError::Runtime(e.to_string()))?;
    crate::render::write_stdout(&format!("{text}\n"))?;
    Ok(ExitCode::SUCCESS)
}
