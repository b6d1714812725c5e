//! `l2stage serve` as a process, against a shared or foreign database and
//! idle clients: a second server on the same file refuses to start,
//! naming the file and the process holding it; another application's
//! SQLite file is refused untouched; `--header-read-timeout` closes idle
//! connections.

mod serve_support;

use std::io::Read;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serve_support::{Options, Server};

fn serve(db: &Path, cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .arg("serve")
        .arg("--addr")
        .arg("127.0.0.1:0")
        .arg("--db")
        .arg(db)
        .current_dir(cwd)
        .env_remove("L2STAGE_TOKEN")
        .output()
        .expect("run l2stage serve")
}

fn options(db: &Path) -> Options<'_> {
    Options {
        db,
        catalog: None,
        token: None,
        today: None,
    }
}

#[test]
fn a_second_server_on_the_same_database_refuses_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("shared.db");
    let mut first = Server::start(options(&db));
    let second = serve(&db, dir.path());
    assert_eq!(second.status.code(), Some(1), "{second:?}");
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(
        err.contains(&db.display().to_string()),
        "names the file: {err}"
    );
    assert!(
        err.contains(&format!("pid {}", first.pid())),
        "names the process: {err}"
    );
    assert!(
        String::from_utf8_lossy(&second.stdout).is_empty(),
        "it never started"
    );
    // The first one is unaffected.
    let r = first.get("/healthz");
    assert_eq!((r.status, r.body.as_str()), (200, "ok\n"));
    // Once it has stopped, the file is free.
    first.terminate();
    let mut third = Server::start(options(&db));
    assert_eq!(third.get("/healthz").status, 200);
    third.kill();
    // Even after a kill -9 (the lock dies with the process).
    let again = Server::start(options(&db));
    assert_eq!(again.get("/healthz").status, 200);
}

#[test]
fn another_applications_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("accounts.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).expect("create");
        conn.execute_batch(
            "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT);
             INSERT INTO accounts (owner) VALUES ('someone');",
        )
        .expect("schema");
    }
    let before = std::fs::read(&db).expect("read");
    let out = serve(&db, dir.path());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&db.display().to_string())
            && err.contains("is not an l2stage database")
            && err.contains("accounts"),
        "{err}"
    );
    assert_eq!(std::fs::read(&db).expect("read"), before, "left untouched");
}

#[test]
fn idle_connections_are_closed_after_the_header_read_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("idle.db");
    let server = Server::start_with(options(&db), &["--header-read-timeout", "0.3"]);
    let mut idle = TcpStream::connect(&server.addr).expect("connect");
    // A safety net far above the timeout: the server closes first.
    idle.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut got = Vec::new();
    idle.read_to_end(&mut got).expect("closed by the server");
    assert!(got.is_empty());
    // The server still answers.
    assert_eq!(server.get("/healthz").status, 200);
    // Invalid limits are usage errors (exit 2), naming the flag's value.
    let out = Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .args(["serve", "--request-timeout", "0", "--db"])
        .arg(dir.path().join("never.db"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`0`"));
}
