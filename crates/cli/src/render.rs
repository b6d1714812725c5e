//! Writing to the terminal.

use std::io::Write;

use crate::error::CliError;

/// Write to stdout; colours are stripped when stdout is not a terminal (or
/// NO_COLOR is set). A closed pipe (`| head`) is not an error.
pub fn write_stdout(s: &str) -> Result<(), CliError> {
    let mut out = anstream::stdout();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(CliError::from),
    }
}
