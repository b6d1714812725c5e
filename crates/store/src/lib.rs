//! The history of what l2stage said, in an embedded SQLite database.
//!
//! Two append-only tables (triggers refuse UPDATE and DELETE):
//!
//! * `project_files`: every version of every project file that was accepted
//!   (from the catalog or the API), with its text and a hash of it, so any
//!   past verdict can be re-derived;
//! * `assessments`: every assessment made, with the framework revision, the
//!   as-of date, the input hash, the full assessment JSON (the same object
//!   `l2stage assess --format json` prints) and when it was made.
//!
//! What the watch loop reads on chain (snapshots, typed changes, faults,
//! value-locked points) lives in append-only tables of its own, written one
//! cycle per transaction: see [`watch`].
//!
//! The database runs in WAL mode with `synchronous = FULL`: a transaction
//! that returned is on disk, and a crash or `kill -9` during a write loses
//! nothing that was committed. Schema changes are numbered migrations
//! ([`migrations`]); a database written by a newer build is refused.
//!
//! Queries: a project's current verdict ([`Store::current`]), its
//! assessments in order with what changed ([`Store::assessments`]), and
//! every project's latest file ([`Store::load_current`]).
//!
//! Persistence only: the store keeps what the pipeline (`l2stage-assess`)
//! produced and never assesses anything itself; a stage timeline is
//! `l2stage_assess::timeline`.

pub mod chain_data;
mod error;
pub mod migrations;
mod open;
mod record;
mod rows;
pub mod watch;
pub mod watched_governance;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use l2stage_assess::Assessment;
use l2stage_model::{Date, Format, LoadError, ProjectFile, parse_str};

pub use watch::{
    CycleSummary, NewAssessment, NewChange, NewSnapshot, ProjectObservation, StoredChange,
    StoredSnapshot, ValuePoint, Verified, WatchCycle, WatchFault, WatchStatus,
};
pub use watched_governance::{GovernanceSource, NewGovernance, WatchedGovernance};

pub use error::StoreError;
pub use open::{APPLICATION_ID, HEALTH_CHECK_BUDGET, check_health, lock_path};
use open::{check_identity, lock};
pub(crate) use record::record_in;
use rows::{ASSESSMENT_COLS, FILE_COLS, assessment_row, file_row};

/// The version of the code that made an assessment.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Where a project file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Read from the catalog directory at start-up.
    Catalog,
    /// Submitted through `POST /api/v1/projects`.
    Api,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Catalog => "catalog",
            Origin::Api => "api",
        }
    }
    fn parse(s: &str) -> Result<Origin> {
        match s {
            "catalog" => Ok(Origin::Catalog),
            "api" => Ok(Origin::Api),
            other => Err(StoreError::Corrupt(format!("unknown origin `{other}`"))),
        }
    }
}

fn format_str(f: Format) -> &'static str {
    match f {
        Format::Toml => "toml",
        Format::Json => "json",
    }
}

fn parse_format(s: &str) -> Result<Format> {
    match s {
        "toml" => Ok(Format::Toml),
        "json" => Ok(Format::Json),
        other => Err(StoreError::Corrupt(format!("unknown format `{other}`"))),
    }
}

/// The hash that identifies a project file's input: SHA-256 over the
/// syntax and the exact text, hex-encoded.
pub fn input_hash(format: Format, text: &str) -> String {
    let mut h = Sha256::new();
    h.update(format_str(format).as_bytes());
    h.update([0u8]);
    h.update(text.as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// One stored version of a project file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFile {
    /// Row id; increases with every stored version.
    pub seq: i64,
    pub project_id: String,
    #[serde(serialize_with = "ser_format")]
    pub format: Format,
    #[serde(skip)]
    pub text: String,
    pub input_hash: String,
    pub origin: Origin,
    /// Where it was read from (catalog path), when known.
    pub source_name: Option<String>,
    /// RFC 3339, UTC.
    pub received_at: String,
}

fn ser_format<S: serde::Serializer>(f: &Format, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(format_str(*f))
}

/// One stored assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentRecord {
    pub seq: i64,
    pub project_id: String,
    /// The project file version assessed (`StoredFile::seq`).
    pub file_seq: i64,
    pub input_hash: String,
    pub origin: Origin,
    pub framework: String,
    pub as_of: Date,
    pub stage: String,
    pub name: String,
    pub kind: String,
    /// l2stage version that made it.
    pub engine: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The full assessment, as `l2stage assess --format json` prints it.
    #[serde(skip)]
    pub assessment_json: String,
}

/// A file to store with its assessment.
#[derive(Debug, Clone, Copy)]
pub struct NewSubmission<'a> {
    pub format: Format,
    pub text: &'a str,
    pub origin: Origin,
    pub source_name: Option<&'a str>,
    pub assessment: &'a Assessment,
}

/// What [`Store::record`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub file_seq: i64,
    pub assessment_seq: i64,
    /// A new version of the project file was stored.
    pub file_changed: bool,
    /// A new assessment row was stored (false: an identical one existed).
    pub assessment_added: bool,
}

/// A project's latest file, parsed.
#[derive(Debug, Clone)]
pub struct CurrentProject {
    pub file: StoredFile,
    pub project: ProjectFile,
}

/// A stored file that no longer parses (the format changed since).
#[derive(Debug)]
pub struct Unreadable {
    pub file: StoredFile,
    pub error: LoadError,
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The writer's lock (see [`lock_path`]), held while the store is open.
    _lock: Option<std::fs::File>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Open (creating if needed) the database at `path` as its only
    /// writer, switch it to WAL and apply pending migrations.
    ///
    /// Refused, naming the file: when another process holds its lock
    /// ([`StoreError::Locked`], with that process's id), and when the file
    /// is not an l2stage database ([`StoreError::Foreign`]).
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let lock = lock(path)?;
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Store::setup(conn, path.to_path_buf(), true, Some(lock)).map_err(|e| e.at(path))
    }

    /// Open an existing database to read it only: no lock is taken (a
    /// `serve` or `watch` may be writing it meanwhile), nothing is written
    /// and nothing migrated. Refused, naming the file: a missing file, a
    /// file that is not an l2stage database, and one whose schema is older
    /// or newer than this build's (open it once with `l2stage serve` or
    /// `l2stage watch` to migrate it).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        use rusqlite::OpenFlags;
        if !path.is_file() {
            return Err(StoreError::Unhealthy {
                path: path.to_path_buf(),
                reason: "no database at this path".into(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Store::check_readable(&conn, path).map_err(|e| e.at(path))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            _lock: None,
        })
    }

    fn check_readable(conn: &Connection, path: &Path) -> Result<()> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        check_identity(conn, path)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > migrations::latest() {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                known: migrations::latest(),
            });
        }
        if version < migrations::latest() {
            return Err(StoreError::Unhealthy {
                path: path.to_path_buf(),
                reason: format!(
                    "its schema version is {version}, older than this build's ({}): open it once with `l2stage serve` or `l2stage watch` to migrate it",
                    migrations::latest()
                ),
            });
        }
        Ok(())
    }

    /// A private in-memory database (tests, one-off runs).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        Store::setup(conn, PathBuf::from(":memory:"), false, None)
    }

    fn setup(
        conn: Connection,
        path: PathBuf,
        wal: bool,
        lock: Option<std::fs::File>,
    ) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        check_identity(&conn, &path)?;
        if wal {
            let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::NotWal { path, mode });
            }
        }
        // FULL: a committed transaction survives power loss too, not only a
        // crash of the process.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store {
            conn,
            path,
            _lock: lock,
        };
        migrations::migrate(&mut store.conn, &store.path)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (number of the last migration applied).
    fn schema_version_(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check`: `["ok"]` when the database is sound.
    fn integrity_check_(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The latest stored file of a project, from any origin or from one.
    fn latest_file_(&self, project_id: &str, origin: Option<Origin>) -> Result<Option<StoredFile>> {
        let sql = format!(
            "SELECT {FILE_COLS} FROM project_files WHERE project_id = ?1 {} ORDER BY id DESC LIMIT 1",
            if origin.is_some() {
                "AND origin = ?2"
            } else {
                "AND ?2 IS NULL"
            }
        );
        let row = self
            .conn
            .query_row(
                &sql,
                params![project_id, origin.map(Origin::as_str)],
                file_row,
            )
            .optional()?;
        row.transpose()
    }

    /// Store a project file (when it differs from the project's latest one)
    /// and its assessment (unless an identical one — same file version,
    /// revision and day — exists), in one transaction: either both are
    /// stored or neither.
    fn record_(&mut self, sub: NewSubmission<'_>) -> Result<Recorded> {
        let now = now_rfc3339();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let r = record_in(&tx, sub, &now)?;
        tx.commit()?;
        Ok(r)
    }

    /// Every project's latest file, parsed, sorted by project id; files that
    /// no longer parse are returned apart.
    fn load_current_(&self) -> Result<(Vec<CurrentProject>, Vec<Unreadable>)> {
        let sql = format!(
            "SELECT {FILE_COLS} FROM project_files f
             WHERE id = (SELECT MAX(id) FROM project_files g WHERE g.project_id = f.project_id)
             ORDER BY project_id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let files = stmt
            .query_map([], file_row)?
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .collect::<Result<Vec<_>>>()?;
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        for file in files {
            let name = file
                .source_name
                .clone()
                .unwrap_or_else(|| format!("{} (stored #{})", file.project_id, file.seq));
            match parse_str(&name, &file.text, file.format) {
                Ok(project) => ok.push(CurrentProject { file, project }),
                Err(error) => bad.push(Unreadable { file, error }),
            }
        }
        Ok((ok, bad))
    }

    /// Every stored version of a project's file, oldest first.
    fn files_(&self, project_id: &str) -> Result<Vec<StoredFile>> {
        let sql =
            format!("SELECT {FILE_COLS} FROM project_files WHERE project_id = ?1 ORDER BY id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map(params![project_id], file_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().collect()
    }

    /// Every assessment of a project, oldest first.
    fn assessments_(&self, project_id: &str) -> Result<Vec<AssessmentRecord>> {
        let sql = format!(
            "SELECT {ASSESSMENT_COLS} FROM assessments a JOIN project_files f ON f.id = a.file_id
             WHERE a.project_id = ?1 ORDER BY a.id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map(params![project_id], assessment_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().collect()
    }

    /// A project's current verdict: its latest stored assessment.
    fn current_(&self, project_id: &str) -> Result<Option<AssessmentRecord>> {
        let sql = format!(
            "SELECT {ASSESSMENT_COLS} FROM assessments a JOIN project_files f ON f.id = a.file_id
             WHERE a.project_id = ?1 ORDER BY a.id DESC LIMIT 1"
        );
        let row = self
            .conn
            .query_row(&sql, params![project_id], assessment_row)
            .optional()?;
        row.transpose()
    }

    /// Number of stored (files, assessments).
    fn counts_(&self) -> Result<(i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM project_files), (SELECT COUNT(*) FROM assessments)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }
}

/// The public queries: every error names the database file.
#[allow(missing_docs)]
impl Store {
    pub fn schema_version(&self) -> Result<i64> {
        let r = self.schema_version_();
        r.map_err(|e| e.at(&self.path))
    }

    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let r = self.integrity_check_();
        r.map_err(|e| e.at(&self.path))
    }

    pub fn latest_file(
        &self,
        project_id: &str,
        origin: Option<Origin>,
    ) -> Result<Option<StoredFile>> {
        let r = self.latest_file_(project_id, origin);
        r.map_err(|e| e.at(&self.path))
    }

    pub fn record(&mut self, sub: NewSubmission<'_>) -> Result<Recorded> {
        let r = self.record_(sub);
        r.map_err(|e| e.at(&self.path))
    }

    pub fn load_current(&self) -> Result<(Vec<CurrentProject>, Vec<Unreadable>)> {
        let r = self.load_current_();
        r.map_err(|e| e.at(&self.path))
    }

    pub fn files(&self, project_id: &str) -> Result<Vec<StoredFile>> {
        let r = self.files_(project_id);
        r.map_err(|e| e.at(&self.path))
    }

    pub fn assessments(&self, project_id: &str) -> Result<Vec<AssessmentRecord>> {
        let r = self.assessments_(project_id);
        r.map_err(|e| e.at(&self.path))
    }

    pub fn current(&self, project_id: &str) -> Result<Option<AssessmentRecord>> {
        let r = self.current_(project_id);
        r.map_err(|e| e.at(&self.path))
    }

    pub fn counts(&self) -> Result<(i64, i64)> {
        let r = self.counts_();
        r.map_err(|e| e.at(&self.path))
    }
}

#[cfg(test)]
mod tests;
