//! `l2stage risk` (placeholder until the risk model lands).

use std::process::ExitCode;

use crate::error::CliError;

#[derive(Debug, clap::Args)]
pub struct RiskArgs {}

pub fn run(_args: &RiskArgs) -> Result<ExitCode, CliError> {
    Err(CliError::Runtime("not implemented yet".into()))
}
