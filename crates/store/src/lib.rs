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
pub mod migrations;
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

/// The version of the code that made an assessment.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

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

fn holder_note(holder: Option<&str>) -> String {
    match holder {
        Some(pid) => format!(" (pid {pid})"),
        None => String::new(),
    }
}

impl StoreError {
    /// The same error, naming the database file when it did not yet.
    fn at(self, path: &Path) -> StoreError {
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

/// `PRAGMA application_id` of every l2stage database: the ASCII bytes
/// `L2ST` (0x4C325354). A file with another id, or with id 0 and tables
/// that are not l2stage's, is refused.
pub const APPLICATION_ID: i32 = 0x4C32_5354;

/// How long `/healthz`'s database check may run (`PRAGMA quick_check` on
/// a large database is cut short, and what it read counts as healthy).
pub const HEALTH_CHECK_BUDGET: std::time::Duration = std::time::Duration::from_millis(250);

/// The lock file that makes one process the database's only writer: the
/// database's file name with `.lock` appended, in the same directory.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    db.with_file_name(name)
}

/// Take the writer's lock of `db` (released when the returned file is
/// closed, also when the process dies), and write our process id in it.
fn lock(db: &Path) -> Result<std::fs::File> {
    use std::io::{Read, Seek, Write};
    let lock = lock_path(db);
    let err = |source| StoreError::Lock {
        path: db.to_path_buf(),
        lock: lock.clone(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock)
        .map_err(err)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            let pid = text.trim();
            return Err(StoreError::Locked {
                path: db.to_path_buf(),
                lock,
                holder: (!pid.is_empty() && pid.len() <= 20).then(|| pid.to_string()),
            });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(err(e)),
    }
    file.set_len(0).map_err(err)?;
    file.seek(std::io::SeekFrom::Start(0)).map_err(err)?;
    writeln!(file, "{}", std::process::id()).map_err(err)?;
    file.flush().map_err(err)?;
    Ok(file)
}

/// Refuse a file that is not an l2stage database, before anything is
/// written to it: another application's id, or id 0 with tables that are
/// not l2stage's. (An l2stage database made before the id existed has id
/// 0 and `schema_migrations`; it gets the id when migrated.)
fn check_identity(conn: &Connection, path: &Path) -> Result<()> {
    let foreign = |reason: String| StoreError::Foreign {
        path: path.to_path_buf(),
        reason,
    };
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    if id != 0 {
        return Err(foreign(format!(
            "its application_id is {id:#010x}, l2stage's is {APPLICATION_ID:#010x}"
        )));
    }
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let tables = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let ours = [
        "assessments",
        "project_files",
        "schema_migrations",
        "value_points",
        "watch_changes",
        "watch_cycles",
        "watch_faults",
        "watch_governance",
        "watch_governance_data",
        "watch_log_cursors",
        "watch_snapshot_data",
        "watch_snapshots",
    ];
    if tables.is_empty() && version == 0 {
        return Ok(()); // a new, empty file
    }
    if tables.iter().any(|t| t == "schema_migrations")
        && tables.iter().all(|t| ours.contains(&t.as_str()))
    {
        return Ok(()); // made by l2stage before the application id
    }
    let mut shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
    if tables.len() > 5 {
        shown.push("...");
    }
    Err(foreign(format!(
        "application_id 0, user_version {version}, tables {}",
        if shown.is_empty() {
            "none".to_string()
        } else {
            shown.join(", ")
        }
    )))
}

/// Check the database file as a fresh reader sees it: it opens, it is
/// l2stage's, and `PRAGMA quick_check` finds nothing wrong within
/// [`HEALTH_CHECK_BUDGET`] (a check cut short by the budget counts as
/// healthy).
pub fn check_health(path: &Path) -> Result<()> {
    use rusqlite::OpenFlags;
    let unhealthy = |reason: String| StoreError::Unhealthy {
        path: path.to_path_buf(),
        reason,
    };
    if !path.is_file() {
        return Err(unhealthy("the file is missing".into()));
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| unhealthy(e.to_string()))?;
    let _ = conn.busy_timeout(HEALTH_CHECK_BUDGET);
    let deadline = std::time::Instant::now() + HEALTH_CHECK_BUDGET;
    conn.progress_handler(1000, Some(move || std::time::Instant::now() > deadline))
        .map_err(|e| unhealthy(e.to_string()))?;
    let id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| unhealthy(e.to_string()))?;
    if id != APPLICATION_ID {
        return Err(unhealthy(format!(
            "its application_id is {id:#010x}, not l2stage's"
        )));
    }
    let rows = conn.prepare("PRAGMA quick_check(5)").and_then(|mut stmt| {
        stmt.query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()
    });
    match rows {
        Ok(rows) if rows == ["ok"] => Ok(()),
        Ok(rows) => Err(unhealthy(format!("quick_check: {}", rows.join("; ")))),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::OperationInterrupted =>
        {
            Ok(())
        }
        Err(e) => Err(unhealthy(e.to_string())),
    }
}

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

const FILE_COLS: &str =
    "id, project_id, format, source, input_hash, origin, source_name, received_at";

fn file_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<StoredFile>> {
    let format: String = r.get(2)?;
    let origin: String = r.get(5)?;
    let (format, origin) = match (parse_format(&format), Origin::parse(&origin)) {
        (Ok(f), Ok(o)) => (f, o),
        (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
    };
    Ok(Ok(StoredFile {
        seq: r.get(0)?,
        project_id: r.get(1)?,
        format,
        text: r.get(3)?,
        input_hash: r.get(4)?,
        origin,
        source_name: r.get(6)?,
        received_at: r.get(7)?,
    }))
}

const ASSESSMENT_COLS: &str = "a.id, a.project_id, a.file_id, a.input_hash, f.origin, a.framework, a.as_of, a.stage, a.name, a.kind, a.engine, a.created_at, a.assessment";

fn assessment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<AssessmentRecord>> {
    let origin: String = r.get(4)?;
    let as_of: String = r.get(6)?;
    let origin = match Origin::parse(&origin) {
        Ok(o) => o,
        Err(e) => return Ok(Err(e)),
    };
    let as_of = match as_of.parse::<Date>() {
        Ok(d) => d,
        Err(e) => return Ok(Err(StoreError::Corrupt(e.to_string()))),
    };
    Ok(Ok(AssessmentRecord {
        seq: r.get(0)?,
        project_id: r.get(1)?,
        file_seq: r.get(2)?,
        input_hash: r.get(3)?,
        origin,
        framework: r.get(5)?,
        as_of,
        stage: r.get(7)?,
        name: r.get(8)?,
        kind: r.get(9)?,
        engine: r.get(10)?,
        created_at: r.get(11)?,
        assessment_json: r.get(12)?,
    }))
}

/// [`Store::record`] inside a transaction the caller commits.
pub(crate) fn record_in(
    tx: &rusqlite::Transaction<'_>,
    sub: NewSubmission<'_>,
    now: &str,
) -> Result<Recorded> {
    let v = &sub.assessment.verdict;
    let project_id = v.id.as_str();
    let hash = input_hash(sub.format, sub.text);
    let json = serde_json::to_string(sub.assessment)?;
    let latest: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, input_hash FROM project_files WHERE project_id = ?1 ORDER BY id DESC LIMIT 1",
            params![project_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (file_seq, file_changed) = match latest {
        Some((id, h)) if h == hash => (id, false),
        _ => {
            tx.execute(
                "INSERT INTO project_files (project_id, format, source, input_hash, origin, source_name, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    project_id,
                    format_str(sub.format),
                    sub.text,
                    hash,
                    sub.origin.as_str(),
                    sub.source_name,
                    now
                ],
            )?;
            (tx.last_insert_rowid(), true)
        }
    };
    let as_of = v.as_of.to_string();
    let existing: Option<i64> = if file_changed {
        None
    } else {
        tx.query_row(
            "SELECT id FROM assessments WHERE file_id = ?1 AND framework = ?2 AND as_of = ?3 AND engine = ?4 AND assessment = ?5
             ORDER BY id DESC LIMIT 1",
            params![file_seq, v.framework, as_of, ENGINE_VERSION, json],
            |r| r.get(0),
        )
        .optional()?
    };
    let (assessment_seq, assessment_added) = match existing {
        Some(id) => (id, false),
        None => {
            tx.execute(
                "INSERT INTO assessments (project_id, file_id, input_hash, framework, as_of, stage, name, kind, engine, assessment, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    project_id,
                    file_seq,
                    hash,
                    v.framework,
                    as_of,
                    v.stage.as_str(),
                    v.name,
                    v.kind.as_str(),
                    ENGINE_VERSION,
                    json,
                    now
                ],
            )?;
            (tx.last_insert_rowid(), true)
        }
    };
    Ok(Recorded {
        file_seq,
        assessment_seq,
        file_changed,
        assessment_added,
    })
}

#[cfg(test)]
mod tests;
