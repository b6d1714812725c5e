//! What can go wrong with a database, always naming the file.

use super::*;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database {path}: cannot create its directory: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "database {path} has schema version {found}, newer than this build of l2stage knows ({known}): upgrade l2stage"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("database {path}: journal mode is `{mode}`, expected WAL")]
    NotWal { path: PathBuf, mode: String },
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// An SQLite error on a named database file.
    #[error("database {path}: {source}")]
    Db {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot serialise the assessment: {0}")]
    Json(#[from] serde_json::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A value that cannot be stored (e.g. a number out of SQLite's range).
    #[error("cannot store: {0}")]
    Invalid(String),
    #[error(
        "database {path} is in use by another l2stage process{}: only one may write to it at a time (lock file {lock}); stop that process or give another --db",
        holder_note(holder.as_deref())
    )]
    Locked {
        path: PathBuf,
        lock: PathBuf,
        /// The process id written in the lock file, when readable.
        holder: Option<String>,
    },
    #[error("database {path}: cannot create or lock its lock file {lock}: {source}")]
    Lock {
        path: PathBuf,
        lock: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "database {path} is not an l2stage database ({reason}); refusing to touch it: give another --db"
    )]
    Foreign { path: PathBuf, reason: String },
    #[error("database {path} is unhealthy: {reason}")]
    Unhealthy { path: PathBuf, reason: String },
}

pub(crate) fn holder_note(holder: Option<&str>) -> String {
    match holder {
        Some(pid) => format!(" (pid {pid})"),
        None => String::new(),
    }
}

impl StoreError {
    /// The same error, naming the database file when it did not yet.
    pub(crate) fn at(self, path: &Path) -> StoreError {
        match self {
            StoreError::Sql(source) => StoreError::Db {
                path: path.to_path_buf(),
                source,
            },
            StoreError::Corrupt(m) => StoreError::Corrupt(format!("{}: {m}", path.display())),
            other => other,
        }
    }
}
