//! The l2stage project file: what one rollup declares about itself, over time.
//!
//! This crate only knows the *format*: types, parsing with located errors and
//! the JSON Schema. What the declarations mean is the framework crate's job.

pub mod date;
pub mod discovery;
pub mod duration;
pub mod governance;
pub mod labels;
pub mod limits;
mod locate;
pub mod parse;
pub mod project;
pub mod requirement;
pub mod text;

pub use date::Date;
pub use discovery::{DiscoveryRecipe, Escrow, EvmAddress, TokenSymbol};
pub use duration::{DurationSpec, format_seconds, parse_duration};
pub use parse::{
    CATALOG_DATA_FILES, Format, InvalidFile, LoadError, MAX_FILE_BYTES, files_in, load_path,
    parse_str, read_text,
};
pub use project::{
    HistoryEntry, Kind, Links, Origin, ProjectFile, ProjectMeta, ProjectState, Requirements, Slug,
    Source,
};
pub use requirement::{Declared, DeclaredStatus, RequirementId};

/// The JSON Schema of the project file.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(ProjectFile);
    serde_json::to_value(&schema).unwrap_or(serde_json::Value::Null)
}
