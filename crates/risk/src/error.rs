//! Errors of the risk model. Every invalid input is reported as a value,
//! never a panic, so a CLI or a web server can turn it into a clear message.

/// Why a risk computation could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RiskError {
    /// A text could not be read as a number (`0.1`, `1/10`, `1e-5`).
    #[error(
        "{input:?} is not a number: {reason} (write a decimal like 0.1, a fraction like 1/10, or 1e-5)"
    )]
    Parse { input: String, reason: String },
    /// A probability (or a correlation) outside its allowed range.
    #[error("{name} must be {range}, got {value}")]
    OutOfRange {
        name: String,
        range: String,
        value: String,
    },
    /// A council shape `K/N` that does not describe a council.
    #[error("invalid council {input:?}: {reason}")]
    Council { input: String, reason: String },
    /// A model whose parts do not fit together (e.g. a member list that does
    /// not match the council size).
    #[error("{0}")]
    Invalid(String),
    /// A time horizon that is not `1y`, `6mo`, `90d`, `2w`, ... .
    #[error("invalid horizon {0:?}: write a number and a unit (d, w, mo, y), e.g. 1y or 90d")]
    Horizon(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = RiskError> = std::result::Result<T, E>;
