//! The JSON contract of `assess` (docs/json-output.md).

use l2stage_framework::Verdict;

use crate::error::CliError;

pub fn verdicts(verdicts: &[Verdict]) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(verdicts).map_err(|e| CliError::Runtime(e.to_string()))?;
    s.push('\n');
    Ok(s)
}
