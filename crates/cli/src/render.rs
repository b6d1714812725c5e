//! Writing to the terminal.

use std::io::Write;

use crate::error::CliError;

/// Write to stdout; colours are stripped when stdout is not a terminal (or
/// NO_COLOR is set). A closed pipe (`| head`) is not an error. Control
/// characters other than our own colour codes are escaped whatever wrote
/// them (see [`l2stage_model::text::escape_terminal`]).
pub fn write_stdout(s: &str) -> Result<(), CliError> {
    let s = l2stage_model::text::escape_terminal(s);
    let mut out = anstream::stdout();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(CliError::from),
    }
}

/// Write one line to stderr, control characters escaped as on stdout.
pub fn eprint_line(s: &str) {
    eprintln!("{}", l2stage_model::text::escape_terminal(s));
}
