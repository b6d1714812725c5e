//! `l2stage serve` as a process: kill -9 during a stream of submissions
//! loses nothing acknowledged; restarts add history without rewriting it;
//! an invalid catalog refuses to start with a located error.

mod serve_support;

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::mpsc;

use serve_support::{Options, Server, TOKEN, post_project, project};

use l2stage_store::Store;

#[test]
fn kill_9_during_submissions_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("l2stage.db");
    let catalog = dir.path().join("catalog");
    std::fs::create_dir(&catalog).expect("mkdir");
    std::fs::write(
        catalog.join("base.toml"),
        project("base-project", "Base Project"),
    )
    .expect("write");

    let mut server = Server::start(Options {
        db: &db,
        catalog: Some(&catalog),
        token: Some(TOKEN),
        today: None,
    });
    let addr = server.addr.clone();
    let (tx, rx) = mpsc::channel::<u32>();
    // Even requests add a project, odd ones change the same one: both kinds
    // of write are in flight when the server dies.
    let poster = std::thread::spawn(move || {
        let mut acked = Vec::new();
        for i in 0..20_000u32 {
            let body = if i % 2 == 0 {
                project(&format!("crash-{i}"), &format!("Crash {i}"))
            } else {
                project("moving", &format!("Moving {i}"))
            };
            match post_project(&addr, TOKEN, &body) {
                Ok(r) if r.status == 201 => {
                    acked.push(i);
                    if tx.send(i).is_err() {
                        break;
                    }
                }
                Ok(r) => panic!("unexpected answer {}: {}", r.status, r.body),
                Err(_) => break, // the server is gone
            }
        }
        acked
    });
    // Let a stream build up, then kill -9 while requests keep coming.
    for _ in 0..60 {
        rx.recv()
            .expect("the server stopped acknowledging submissions");
    }
    server.kill();
    drop(rx);
    let acked = poster.join().expect("poster thread");
    assert!(acked.len() >= 60, "{} acknowledged", acked.len());

    let server = Server::start(Options {
        db: &db,
        catalog: Some(&catalog),
        token: Some(TOKEN),
        today: None,
    });
    let list = server.get("/api/v1/projects").json();
    let listed: BTreeSet<String> = list["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .filter_map(|p| p["id"].as_str().map(str::to_string))
        .collect();
    for i in acked.iter().filter(|i| *i % 2 == 0) {
        assert!(
            listed.contains(&format!("crash-{i}")),
            "crash-{i} acknowledged but lost"
        );
        let r = server.get(&format!("/api/v1/projects/crash-{i}"));
        assert_eq!(r.status, 200);
    }
    let moving: Vec<u32> = acked.iter().copied().filter(|i| i % 2 == 1).collect();
    let history = server.get("/api/v1/projects/moving/history").json();
    let names: BTreeSet<String> = history["assessments"]
        .as_array()
        .expect("assessments")
        .iter()
        .filter_map(|a| a["name"].as_str().map(str::to_string))
        .collect();
    for i in &moving {
        assert!(
            names.contains(&format!("Moving {i}")),
            "version {i} acknowledged but lost"
        );
    }
    // The current version is the last acknowledged one, or one committed
    // just before the kill whose answer never arrived.
    let current = server.get("/api/v1/projects/moving").json();
    let n: u32 = current["name"]
        .as_str()
        .and_then(|s| s.strip_prefix("Moving "))
        .and_then(|s| s.parse().ok())
        .expect("name");
    assert!(
        n >= moving.last().copied().unwrap_or(0),
        "current {n} older than acknowledged"
    );
    drop(server);

    let store = Store::open(&db).expect("reopen");
    assert_eq!(store.integrity_check().expect("integrity_check"), ["ok"]);
}

#[test]
fn restarts_add_history_and_never_rewrite_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("data/l2stage.db");
    let catalog = dir.path().join("catalog");
    std::fs::create_dir(&catalog).expect("mkdir");
    let file = catalog.join("alpha.toml");
    std::fs::write(&file, project("alpha", "Alpha")).expect("write");
    let start = |today: &str| {
        Server::start(Options {
            db: &db,
            catalog: Some(&catalog),
            token: None,
            today: Some(today),
        })
    };

    let mut s = start("2026-01-01");
    assert!(
        s.summary.contains("1 new project files, 1 new assessments"),
        "{}",
        s.summary
    );
    assert!(s.summary.contains("submissions disabled"), "{}", s.summary);
    let first = s.get("/api/v1/projects/alpha/history").json();
    // A clean stop (SIGTERM) exits 0.
    assert!(s.terminate().success());

    // Same files, same day: nothing new.
    let s = start("2026-01-01");
    assert!(
        s.summary.contains("0 new project files, 0 new assessments"),
        "{}",
        s.summary
    );
    drop(s);

    // A changed file: a new version and a new assessment.
    let changed = project("alpha", "Alpha").replace(
        "principle = \"met\"",
        "principle = { status = \"unmet\", reason = \"A team multisig can upgrade instantly.\" }",
    );
    std::fs::write(&file, changed).expect("write");
    let s = start("2026-01-01");
    assert!(
        s.summary.contains("1 new project files, 1 new assessments"),
        "{}",
        s.summary
    );
    let h = s.get("/api/v1/projects/alpha/history").json();
    let recs = h["assessments"].as_array().expect("assessments");
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0], first["assessments"][0], "history rewritten");
    assert_eq!(recs[1]["change"], "project-file");
    assert_eq!(
        (recs[0]["stage"].as_str(), recs[1]["stage"].as_str()),
        (Some("stage-1"), Some("stage-0"))
    );
    assert_eq!(s.get("/api/v1/projects/alpha").json()["stage"], "stage-0");
    drop(s);

    // A new day: the same file is assessed again.
    let s = start("2026-01-02");
    assert!(
        s.summary.contains("0 new project files, 1 new assessments"),
        "{}",
        s.summary
    );
    let h = s.get("/api/v1/projects/alpha/history").json();
    assert_eq!(h["assessments"][2]["change"], "new-day");
}

#[test]
fn invalid_catalog_refuses_to_start_with_a_located_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let catalog = dir.path().join("catalog");
    std::fs::create_dir(&catalog).expect("mkdir");
    std::fs::write(
        catalog.join("bad.toml"),
        "[project]\nid = \"bad\"\nnme = \"Bad\"\nkind = \"optimistic\"\n",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("x.db"))
        .arg("--catalog")
        .arg(&catalog)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:3:1"), "{err}");
    assert!(err.contains("did you mean `name`?"), "{err}");
    assert!(
        !dir.path().join("x.db").exists(),
        "no database for a refused start"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("y.db"))
        .arg("--token-file")
        .arg(dir.path().join("missing-token"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read token file"));
}

/// `GET /api/v1/risk` and `l2stage risk --format json` give the same JSON
/// for the same inputs.
#[test]
fn risk_api_matches_the_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(Options {
        db: &dir.path().join("l2stage.db"),
        catalog: None,
        token: None,
        today: None,
    });
    for (query, flags) in [
        ("", vec![]),
        (
            "?proof_failure=0.001&stage1_council=9/12&member_failure=1/20&horizon=6mo",
            vec![
                "--proof-failure",
                "0.001",
                "--stage1-council",
                "9/12",
                "--member-failure",
                "1/20",
                "--horizon",
                "6mo",
            ],
        ),
        (
            "?formula=additive&correlation=0.2",
            vec!["--formula", "additive", "--correlation", "0.2"],
        ),
    ] {
        let api = server.get(&format!("/api/v1/risk{query}"));
        assert_eq!(api.status, 200, "{query}: {}", api.body);
        let out = Command::new(env!("CARGO_BIN_EXE_l2stage"))
            .args(["risk", "--format", "json"])
            .args(&flags)
            .output()
            .expect("run l2stage risk");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cli: serde_json::Value = serde_json::from_slice(&out.stdout).expect("cli json");
        assert_eq!(api.json(), cli, "{query}");
    }
}

/// The service and `l2stage assess catalog --format json` say the same
/// thing about every catalog project (labels read beside the files too).
#[test]
fn api_matches_assess_for_the_catalog() {
    let dir = tempfile::tempdir().expect("tempdir");
    let catalog = serve_support::repo().join("catalog");
    let server = Server::start(Options {
        db: &dir.path().join("l2stage.db"),
        catalog: Some(&catalog),
        token: None,
        today: None,
    });
    for as_of in ["2024-09-15", "2025-03-01"] {
        let out = Command::new(env!("CARGO_BIN_EXE_l2stage"))
            .args(["assess", "--format", "json", "--as-of", as_of])
            .arg(&catalog)
            .output()
            .expect("run l2stage assess");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cli: serde_json::Value = serde_json::from_slice(&out.stdout).expect("cli json");
        let cli = cli.as_array().expect("array");
        let list = server
            .get(&format!("/api/v1/projects?as_of={as_of}"))
            .json();
        assert_eq!(list["count"], cli.len(), "{as_of}");
        for v in cli {
            let id = v["id"].as_str().expect("id");
            let api = server.get(&format!("/api/v1/projects/{id}?as_of={as_of}"));
            assert_eq!(api.status, 200, "{id}");
            assert_eq!(&api.json(), v, "{id} on {as_of}");
        }
    }
}

/// A submission stays the current version across restarts until the
/// catalog's own file changes.
#[test]
fn submissions_survive_restarts_until_the_catalog_file_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("l2stage.db");
    let catalog = dir.path().join("catalog");
    std::fs::create_dir(&catalog).expect("mkdir");
    let file = catalog.join("alpha.toml");
    std::fs::write(&file, project("alpha", "Alpha")).expect("write");
    let start = || {
        Server::start(Options {
            db: &db,
            catalog: Some(&catalog),
            token: Some(TOKEN),
            today: Some("2026-01-01"),
        })
    };
    let s = start();
    let r = post_project(&s.addr, TOKEN, &project("alpha", "Alpha (submitted)")).expect("post");
    assert_eq!(r.status, 201, "{}", r.body);
    drop(s);
    let s = start();
    assert_eq!(
        s.get("/api/v1/projects/alpha").json()["name"],
        "Alpha (submitted)"
    );
    drop(s);
    std::fs::write(&file, project("alpha", "Alpha (catalog v2)")).expect("write");
    let s = start();
    assert_eq!(
        s.get("/api/v1/projects/alpha").json()["name"],
        "Alpha (catalog v2)"
    );
    let files = s.get("/api/v1/projects/alpha/history").json()["files"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|x| x["origin"].as_str().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    assert_eq!(files, ["catalog", "api", "catalog"]);
}
