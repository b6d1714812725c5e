//! Errors of the command line and the exit status each one maps to.
//!
//! Exit statuses are part of the CLI contract: 0 whatever the verdict,
//! 2 for invalid input or arguments, 1 for anything else that went wrong
//! (I/O while writing output, a failed check such as `verify`).

use std::any::Any;
use std::path::Path;
use std::process::ExitCode;

use l2stage_assess::catalog::CatalogError;
use l2stage_model::LoadError;

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
        let e = errors.remove(0);
        return match plain_io(&e) {
            Some(line) => CliError::Usage(line),
            None => CliError::Input(miette::Report::new(e)),
        };
    }
    let n = errors.len();
    let text: Vec<String> = errors
        .into_iter()
        .map(|e| match plain_io(&e) {
            Some(line) => format!("  × {line}"),
            None => format!("{:?}", miette::Report::new(e)),
        })
        .collect();
    CliError::Usage(format!("{n} {what}:\n{}", text.join("\n")))
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Runtime(format!("cannot write output: {}", io_reason(&e)))
    }
}

/// Why an I/O operation failed, in words, once: the OS message without its
/// "(os error N)" suffix, lower-cased ("no such file or directory").
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = match s.find(" (os error") {
        Some(i) => &s[..i],
        None => &s[..],
    };
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The one style of every I/O failure: what was being done, to which path,
/// and why — "cannot read project file a.toml: no such file or directory".
pub fn io_message(what: &str, path: &Path, e: &std::io::Error) -> String {
    format!("cannot {what} {}: {}", path.display(), io_reason(e))
}

/// An I/O failure on user input (a file named on the command line): exit 2.
pub fn io_usage(what: &str, path: &Path, e: &std::io::Error) -> CliError {
    CliError::Usage(io_message(what, path, e))
}

/// An I/O failure while writing output: exit 1.
pub fn io_runtime(what: &str, path: &Path, e: &std::io::Error) -> CliError {
    CliError::Runtime(io_message(what, path, e))
}

/// A project file that could not be read (or is not a project file), as
/// one plain line; `None` for located errors, which keep their diagnostic.
fn plain_io(e: &dyn Any) -> Option<String> {
    let load = e.downcast_ref::<LoadError>().or_else(|| {
        match e.downcast_ref::<l2stage_labels::LabelsError>() {
            Some(l2stage_labels::LabelsError::Load(l)) => Some(l),
            _ => None,
        }
    })?;
    match load {
        LoadError::Io { path, source } => Some(io_message("read", path, source)),
        LoadError::UnsupportedType { path } if path.is_dir() => Some(format!(
            "{} is a directory: a project file (.toml or .json) is needed here",
            path.display()
        )),
        LoadError::UnsupportedType { path } => Some(format!(
            "{}: not a project file: project files end in .toml or .json",
            path.display()
        )),
        LoadError::NotAFile { .. } | LoadError::TooLarge { .. } | LoadError::Refused { .. } => {
            Some(load.to_string())
        }
        LoadError::Invalid(_) => None,
    }
}

/// A project file loaded from the command line: read failures as one
/// plain line (exit 2), invalid contents as a located diagnostic.
pub fn load_error(e: LoadError) -> CliError {
    report_all(vec![e], "invalid project files")
}

/// Project files that could not be loaded (`assess`, `serve`): every
/// invalid file or label input listed, located.
pub fn catalog_error(e: CatalogError) -> CliError {
    match e {
        CatalogError::Invalid(errors) => report_all(errors, "invalid project files"),
        CatalogError::Labels(errors) => report_all(errors, "invalid label inputs"),
        CatalogError::ProofSystemsDir { path } => CliError::Usage(format!(
            "--proof-systems {}: not a directory",
            l2stage_model::text::path(&path)
        )),
        other => CliError::Usage(other.to_string()),
    }
}
