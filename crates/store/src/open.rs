//! Opening a database safely: the single writer's lock file, the
//! application id that tells l2stage's databases from foreign ones, and the
//! bounded health check.

use super::*;

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
pub(crate) fn lock(db: &Path) -> Result<std::fs::File> {
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
pub(crate) fn check_identity(conn: &Connection, path: &Path) -> Result<()> {
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
