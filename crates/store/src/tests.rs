use super::*;
use l2stage_assess::{Context, assess};
use l2stage_framework::Stage;

/// Meets every Stage 1 requirement except the principle (shared with the
/// CLI's tests).
const GRACE: &str = include_str!("../../../fixtures/grace.toml");

fn day(s: &str) -> Date {
    s.parse().expect("test date")
}

fn parse(src: &str) -> ProjectFile {
    parse_str("test.toml", src, Format::Toml).expect("valid test project")
}

fn assessed(src: &str, as_of: &str) -> Assessment {
    assess(&parse(src), &Context::on(day(as_of))).expect("assess")
}

fn submit(store: &mut Store, src: &str, as_of: &str, origin: Origin) -> Recorded {
    let a = assessed(src, as_of);
    store
        .record(NewSubmission {
            format: Format::Toml,
            text: src,
            origin,
            source_name: None,
            assessment: &a,
        })
        .expect("record")
}

#[test]
fn migrations_apply_once_and_newer_databases_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sub/dir/l2stage.db");
    {
        let s = Store::open(&path).expect("open");
        assert_eq!(s.schema_version().expect("version"), migrations::latest());
        let mode: String = s
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "wal");
        let sync: i64 = s
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .expect("sync");
        assert_eq!(sync, 2, "synchronous = FULL");
    }
    // Reopening applies nothing twice.
    let s = Store::open(&path).expect("reopen");
    let applied: i64 = s
        .conn
        .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
        .expect("count");
    assert_eq!(applied, migrations::latest());
    s.conn
        .pragma_update(None, "user_version", migrations::latest() + 1)
        .expect("bump");
    drop(s);
    match Store::open(&path) {
        Err(StoreError::TooNew { found, known, .. }) => {
            assert_eq!(
                (found, known),
                (migrations::latest() + 1, migrations::latest())
            )
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
}

#[test]
fn record_adds_only_what_changed() {
    let mut s = Store::open_in_memory().expect("open");
    let r1 = submit(&mut s, GRACE, "2024-01-01", Origin::Catalog);
    assert!(r1.file_changed && r1.assessment_added);
    // Same file, same day: nothing new.
    let r2 = submit(&mut s, GRACE, "2024-01-01", Origin::Catalog);
    assert_eq!(
        (
            r2.file_changed,
            r2.assessment_added,
            r2.file_seq,
            r2.assessment_seq
        ),
        (false, false, r1.file_seq, r1.assessment_seq)
    );
    // Same file, another day: a new assessment of the same file version.
    let r3 = submit(&mut s, GRACE, "2025-08-01", Origin::Catalog);
    assert!(!r3.file_changed && r3.assessment_added);
    assert_eq!(r3.file_seq, r1.file_seq);
    // A changed file: a new version and a new assessment.
    let changed = GRACE.replace("A team multisig", "A 2/3 team multisig");
    let r4 = submit(&mut s, &changed, "2025-08-01", Origin::Api);
    assert!(r4.file_changed && r4.assessment_added);
    // Back to the first text: still a new version (history is a sequence).
    let r5 = submit(&mut s, GRACE, "2025-08-01", Origin::Api);
    assert!(r5.file_changed);
    assert_eq!(s.counts().expect("counts"), (3, 4));

    let files = s.files("grace-demo").expect("files");
    assert_eq!(files.len(), 3);
    assert_eq!(files[0].input_hash, files[2].input_hash);
    assert_ne!(files[0].input_hash, files[1].input_hash);
    assert_eq!(files[1].origin, Origin::Api);
    assert_eq!(
        s.latest_file("grace-demo", Some(Origin::Catalog))
            .expect("latest")
            .map(|f| f.seq),
        Some(files[0].seq)
    );

    let hist = s.assessments("grace-demo").expect("assessments");
    assert_eq!(hist.len(), 4);
    assert_eq!(hist[0].stage, "stage-1");
    assert_eq!(hist[0].framework, "2023-06");
    assert_eq!(
        hist[1].stage, "stage-0",
        "principle unmet after the grace period"
    );
    let cur = s.current("grace-demo").expect("current").expect("some");
    assert_eq!(cur.seq, r5.assessment_seq);
    assert_ne!(r4.assessment_seq, r5.assessment_seq);
    // The stored JSON is the assessment itself.
    let v: serde_json::Value = serde_json::from_str(&cur.assessment_json).expect("json");
    assert_eq!(v["id"], "grace-demo");
    assert_eq!(v["as_of"], "2025-08-01");
    assert!(s.current("nope").expect("current").is_none());
}

#[test]
fn history_is_append_only() {
    let mut s = Store::open_in_memory().expect("open");
    submit(&mut s, GRACE, "2024-01-01", Origin::Catalog);
    for sql in [
        "UPDATE assessments SET stage = 'stage-2'",
        "DELETE FROM assessments",
        "UPDATE project_files SET source = ''",
        "DELETE FROM project_files",
    ] {
        let err = s.conn.execute(sql, []).expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
}

#[test]
fn load_current_returns_each_projects_latest_file() {
    let mut s = Store::open_in_memory().expect("open");
    submit(&mut s, GRACE, "2024-01-01", Origin::Catalog);
    let other = GRACE
        .replace("grace-demo", "another")
        .replace("Grace Demo", "Another");
    submit(&mut s, &other, "2024-01-01", Origin::Catalog);
    let changed = GRACE.replace("Grace Demo", "Grace Demo Renamed");
    submit(&mut s, &changed, "2024-01-01", Origin::Api);
    let (cur, bad) = s.load_current().expect("load");
    assert!(bad.is_empty());
    let names: Vec<(&str, &str)> = cur
        .iter()
        .map(|c| (c.file.project_id.as_str(), c.project.project.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [("another", "Another"), ("grace-demo", "Grace Demo Renamed")]
    );
    // What was loaded is what was stored: both still assess to Stage 1.
    for c in &cur {
        let a = assess(&c.project, &Context::on(day("2024-01-01"))).expect("assess");
        assert_eq!(a.verdict.stage, Stage::Stage1);
    }
}

#[test]
fn integrity_check_passes_on_a_fresh_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = Store::open(&dir.path().join("x.db")).expect("open");
    submit(&mut s, GRACE, "2024-01-01", Origin::Catalog);
    assert_eq!(s.integrity_check().expect("check"), ["ok"]);
}

#[test]
fn input_hash_depends_on_syntax_and_text() {
    let a = input_hash(Format::Toml, "x");
    assert_eq!(a.len(), 64);
    assert_ne!(a, input_hash(Format::Json, "x"));
    assert_ne!(a, input_hash(Format::Toml, "x "));
    assert_eq!(a, input_hash(Format::Toml, "x"));
}

#[test]
fn one_writer_per_database_and_the_lock_names_the_holder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("one.db");
    let first = Store::open(&path).expect("open");
    // The lock file beside the database holds our process id.
    let lock = lock_path(&path);
    assert_eq!(lock, dir.path().join("one.db.lock"));
    assert_eq!(
        std::fs::read_to_string(&lock).expect("lock file").trim(),
        std::process::id().to_string()
    );
    // A second opening (a second server) is refused, naming the file and
    // the process holding it.
    let e = Store::open(&path).expect_err("second writer");
    assert!(matches!(e, StoreError::Locked { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(
        msg.contains(&format!("pid {}", std::process::id())),
        "{msg}"
    );
    // Released when the first store closes.
    drop(first);
    let again = Store::open(&path).expect("reopen after close");
    assert_eq!(
        again.schema_version().expect("version"),
        migrations::latest()
    );
}

fn application_id(path: &Path) -> i32 {
    let conn = Connection::open(path).expect("open raw");
    conn.query_row("PRAGMA application_id", [], |r| r.get(0))
        .expect("application_id")
}

#[test]
fn new_databases_carry_the_application_id_and_old_ones_get_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ids.db");
    drop(Store::open(&path).expect("create"));
    assert_eq!(application_id(&path), 0x4C32_5354);
    // An l2stage database from before the id (id 0, our tables) opens,
    // keeps its history, and gets the id.
    {
        let mut s = Store::open(&path).expect("open");
        submit(&mut s, GRACE, "2024-01-01", Origin::Catalog);
    }
    {
        let conn = Connection::open(&path).expect("open raw");
        conn.pragma_update(None, "application_id", 0)
            .expect("clear id");
    }
    assert_eq!(application_id(&path), 0);
    let s = Store::open(&path).expect("legacy database opens");
    assert_eq!(s.counts().expect("counts"), (1, 1));
    drop(s);
    assert_eq!(application_id(&path), APPLICATION_ID);
}

#[test]
fn another_applications_sqlite_file_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Tables of another application, id 0.
    let path = dir.path().join("other.db");
    {
        let conn = Connection::open(&path).expect("create");
        conn.execute_batch("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ann');")
            .expect("schema");
    }
    let before = std::fs::read(&path).expect("read");
    let e = Store::open(&path).expect_err("foreign file");
    assert!(matches!(e, StoreError::Foreign { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("tables users"),
        "{msg}"
    );
    // Nothing was added to it (no l2stage tables, still not WAL).
    assert_eq!(std::fs::read(&path).expect("read"), before);
    // Another application's id, even with no tables.
    let path = dir.path().join("tagged.db");
    {
        let conn = Connection::open(&path).expect("create");
        conn.pragma_update(None, "application_id", 0x0F0F_0F0F)
            .expect("id");
    }
    let msg = Store::open(&path).expect_err("tagged file").to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("0x0f0f0f0f"),
        "{msg}"
    );
}

#[test]
fn database_errors_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Not SQLite at all.
    let path = dir.path().join("text.db");
    std::fs::write(
        &path,
        "this is not a database, just some text\n".repeat(200),
    )
    .expect("write");
    let msg = Store::open(&path).expect_err("not sqlite").to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("not a database"),
        "{msg}"
    );
    // A query on an open store: the error names the file too.
    let path = dir.path().join("q.db");
    let s = Store::open(&path).expect("open");
    s.conn
        .execute_batch("DROP TABLE assessments")
        .expect("break the schema");
    let msg = s.current("x").expect_err("no table").to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("assessments"),
        "{msg}"
    );
}

#[test]
fn the_health_check_reads_the_file_afresh() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("health.db");
    let mut s = Store::open(&path).expect("open");
    for i in 0..40 {
        let src = GRACE.replace("grace-demo", &format!("grace-{i}"));
        submit(&mut s, &src, "2024-01-01", Origin::Api);
    }
    check_health(&path).expect("healthy");
    // Every page in the main file, then garbage over the pages after the
    // first (the schema page stays readable).
    s.conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    let mut bytes = std::fs::read(&path).expect("read");
    assert!(bytes.len() > 3 * 4096, "{} bytes", bytes.len());
    for b in &mut bytes[4096..] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).expect("corrupt");
    let e = check_health(&path).expect_err("corrupt");
    let msg = e.to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("unhealthy"),
        "{msg}"
    );
    // A missing file is unhealthy too.
    drop(s);
    std::fs::remove_file(&path).expect("remove");
    assert!(check_health(&path).is_err());
}
