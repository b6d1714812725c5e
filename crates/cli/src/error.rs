//! Errors of the command line and the exit status each one maps to.
//!
//! Exit statuses are part of the CLI contract: 0 whatever the verdict,
//! 2 for invalid input or arguments, 1 for anything else that went wrong
//! (I/O while writing output, a failed check such as `verify`).

use std::process::ExitCode;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Invalid user input: a project file, an argument value. Exit status 2.
    #[error("{0}")]
    Usage(String),
    /// Invalid input with a rich diagnostic (file, line, column, field). Exit 2.
    #[error("{0:?}")]
    Input(miette::Report),
    /// Output could not be written, or an environment problem. Exit 1.
    #[error("{0}")]
    Runtime(String),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) | CliError::Input(_) => ExitCode::from(2),
            CliError::Runtime(_) => ExitCode::from(1),
        }
    }
}

/// One error as a located diagnostic; several as one message listing all,
/// under "{n} {what}:".
pub fn report_all<E>(mut errors: Vec<E>, what: &str) -> CliError
where
    E: miette::Diagnostic + Send + Sync + 'static,
{
    if errors.len() == 1 {
        return CliError::Input(miette::Report::new(errors.remove(0)));
    }
    let n = errors.len();
    let text: Vec<String> = errors
        .into_iter()
        .map(|e| format!("{:?}", miette::Report::new(e)))
        .collect();
    CliError::Usage(format!("{n} {what}:\n{}", text.join("\n")))
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Runtime(e.to_string())
    }
}
