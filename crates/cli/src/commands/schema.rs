//! `l2stage schema`: the JSON Schema of the project file.

use std::process::ExitCode;

use crate::error::CliError;

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {}

pub fn run(_args: &SchemaArgs) -> Result<ExitCode, CliError> {
    let schema = l2stage_model::json_schema();
    let text = serde_json::to_string_pretty(&schema).map_err(|e| CliError::Runtime(e.to_string()))?;
    crate::render::write_stdout(&format!("{text}\n"))?;
    Ok(ExitCode::SUCCESS)
}
