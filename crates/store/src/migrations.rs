//! Numbered schema migrations.
//!
//! The database's `PRAGMA user_version` is the number of the last migration
//! applied; each migration runs in its own transaction together with the
//! bump of that number and a row in `schema_migrations`, so a crash leaves
//! the schema at one version or the next, never between. Migrations are
//! only ever appended to [`MIGRATIONS`]; a released one is never edited.
//! Every database also carries l2stage's `PRAGMA application_id`
//! ([`crate::APPLICATION_ID`]), set when it is created (or first opened by
//! a build that knows it).

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior, params};

use crate::{Result, StoreError};

/// (version, description, SQL), in order; versions are 1, 2, 3, ...
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "project files and assessments, append-only",
        r#"
CREATE TABLE schema_migrations (
    version     INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at  TEXT NOT NULL
);

-- Every accepted version of a project file, with its text.
CREATE TABLE project_files (
    id          INTEGER PRIMARY KEY,
    project_id  TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('toml', 'json')),
    source      TEXT NOT NULL,
    input_hash  TEXT NOT NULL,
    origin      TEXT NOT NULL CHECK (origin IN ('catalog', 'api')),
    source_name TEXT,
    received_at TEXT NOT NULL
);
CREATE INDEX project_files_by_project ON project_files (project_id, id);

-- Every assessment made.
CREATE TABLE assessments (
    id          INTEGER PRIMARY KEY,
    project_id  TEXT NOT NULL,
    file_id     INTEGER NOT NULL REFERENCES project_files (id),
    input_hash  TEXT NOT NULL,
    framework   TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    stage       TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    engine      TEXT NOT NULL,
    assessment  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX assessments_by_project ON assessments (project_id, id);
CREATE INDEX assessments_by_file ON assessments (file_id, as_of);

-- History is never rewritten.
CREATE TRIGGER project_files_no_update BEFORE UPDATE ON project_files
BEGIN SELECT RAISE(ABORT, 'project_files is append-only'); END;
CREATE TRIGGER project_files_no_delete BEFORE DELETE ON project_files
BEGIN SELECT RAISE(ABORT, 'project_files is append-only'); END;
CREATE TRIGGER assessments_no_update BEFORE UPDATE ON assessments
BEGIN SELECT RAISE(ABORT, 'assessments is append-only'); END;
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments
BEGIN SELECT RAISE(ABORT, 'assessments is append-only'); END;
"#,
    ),
    (
        2,
        "watch cycles: snapshots, changes, faults, value points",
        crate::watch::MIGRATION_SQL,
    ),
    (
        3,
        "the governance structure each watch cycle assessed a project with",
        crate::watched_governance::MIGRATION_SQL,
    ),
];

/// The schema version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

/// Apply every migration newer than the database's version.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > latest() {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: current,
            known: latest(),
        });
    }
    for (version, description, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        // Another process may have migrated meanwhile.
        let now_at: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now_at >= *version {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?1, ?2, ?3)",
            params![version, description, crate::now_rfc3339()],
        )?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    // New databases, and those made before l2stage set its id, get it
    // (the caller checked the file is l2stage's).
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if id != crate::APPLICATION_ID {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.pragma_update(None, "application_id", crate::APPLICATION_ID)?;
        tx.commit()?;
    }
    Ok(())
}
