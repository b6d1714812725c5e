//! `l2stage changes`: the JSON it prints is byte for byte the body of `GET
//! /api/v1/projects/{id}/changes` from a running `l2stage serve` over the
//! same database (which it reads while the server holds the writer's
//! lock); the text lists the same changes with the watch status; bad
//! arguments exit 2.

mod serve_support;

use std::path::Path;
use std::process::{Command, Output};

use l2stage_store::{NewChange, NewSnapshot, ProjectObservation, Store, WatchCycle};
use serve_support::{Options, Server, project};

// 2024-03-01T12:00:00Z.
const T1: u64 = 1_709_294_400;
const DAY: u64 = 86_400;
const HOSTILE: &str = "<b>\u{1b}[31mred\u{7}";

fn change(block: u64, timestamp: u64, kind: &str, before: &str, after: &str) -> NewChange {
    NewChange {
        block,
        timestamp,
        kind: kind.into(),
        address: "0x00000000000000000000000000000000000000aa".into(),
        field: "threshold".into(),
        before: Some(before.into()),
        after: Some(after.into()),
        safety_relevant: kind != "field-changed",
        evidence: serde_json::json!({ "block": block, "calls": [format!("eth_call(getThreshold()) @ {block}")] }),
    }
}

fn observed(project: &str, block: u64, timestamp: u64, changes: Vec<NewChange>) -> WatchCycle {
    WatchCycle {
        chain_id: 1,
        block,
        timestamp,
        observations: vec![ProjectObservation::Observed {
            snapshot: NewSnapshot {
                project: project.into(),
                chain_id: 1,
                block,
                block_hash: None,
                timestamp,
                data: serde_json::json!({ "block": block }),
            },
            changes,
        }],
        values: vec![],
        assessments: vec![],
        log_cursor: None,
    }
}

/// A catalog of alpha and beta, and a database where alpha has three
/// changes (verified at block 300) and beta none (never watched).
fn setup(dir: &Path) {
    let catalog = dir.join("catalog");
    std::fs::create_dir_all(&catalog).expect("catalog dir");
    std::fs::write(catalog.join("alpha.toml"), project("alpha", "Alpha")).expect("alpha");
    std::fs::write(catalog.join("beta.toml"), project("beta", "Beta")).expect("beta");
    let mut store = Store::open(&dir.join("l2stage.db")).expect("store");
    store
        .record_watch_cycle(&observed(
            "alpha",
            100,
            T1,
            vec![change(100, T1, "safe-threshold-changed", "1", "2")],
        ))
        .expect("cycle 1");
    store
        .record_watch_cycle(&observed(
            "alpha",
            200,
            T1 + DAY,
            vec![change(200, T1 + DAY, "field-changed", HOSTILE, "ok")],
        ))
        .expect("cycle 2");
    store
        .record_watch_cycle(&observed(
            "alpha",
            300,
            T1 + 2 * DAY,
            vec![change(
                300,
                T1 + 2 * DAY,
                "implementation-upgraded",
                "0x01",
                "0x02",
            )],
        ))
        .expect("cycle 3");
}

fn changes(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .arg("changes")
        .args(args)
        .arg("--db")
        .arg(db)
        .env("NO_COLOR", "1")
        .output()
        .expect("run l2stage changes")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

#[test]
fn json_is_the_api_body_and_text_lists_the_same_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    setup(dir.path());
    let db = dir.path().join("l2stage.db");
    let catalog = dir.path().join("catalog");
    let server = Server::start(Options {
        db: &db,
        catalog: Some(&catalog),
        token: None,
        today: Some("2024-06-01"),
    });
    for (cli, query) in [
        (vec!["alpha"], ""),
        (vec!["alpha", "--limit", "2"], "?limit=2"),
        (vec!["beta"], ""),
    ] {
        let mut args = cli.clone();
        args.extend(["--format", "json"]);
        let out = changes(&db, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let id = cli[0];
        let api = server.get(&format!("/api/v1/projects/{id}/changes{query}"));
        assert_eq!(api.status, 200, "{}", api.body);
        let printed = stdout(&out);
        assert_eq!(
            printed.strip_suffix('\n'),
            Some(api.body.as_str()),
            "{cli:?}"
        );
    }
    // Following the next link agrees too.
    let page1 = server.get("/api/v1/projects/alpha/changes?limit=2").json();
    let seq = page1["changes"][1]["seq"].as_i64().expect("seq");
    let next = page1["next"].as_str().expect("next").to_string();
    let out = changes(
        &db,
        &[
            "alpha",
            "--limit",
            "2",
            "--before",
            &seq.to_string(),
            "--format",
            "json",
        ],
    );
    assert_eq!(
        stdout(&out).strip_suffix('\n'),
        Some(server.get(&next).body.as_str())
    );
    let body: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(body["changes"][0]["block"], 100);
    assert_eq!(body["next"], serde_json::Value::Null);

    let out = changes(&db, &["alpha"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "alpha: verified on chain at block 300 (2024-03-03), chain 1"
    );
    assert_eq!(lines[1], "changes on chain, newest first:");
    assert!(
        lines[2].starts_with("  #")
            && lines[2]
                .ends_with(" block 300 (2024-03-03) implementation-upgraded [safety-relevant]"),
        "{text}"
    );
    assert_eq!(
        lines[3],
        "      threshold of 0x00000000000000000000000000000000000000aa: 0x01 -> 0x02"
    );
    assert_eq!(lines[4], "      evidence: eth_call(getThreshold()) @ 300");
    assert!(
        lines[5].ends_with(" block 200 (2024-03-02) field-changed"),
        "{text}"
    );
    // Control characters from the database are shown escaped.
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("<b>\\x1b[31mred\\x07 -> ok"), "{text}");
    assert_eq!(text.lines().count(), 1 + 1 + 3 * 3);

    let out = changes(&db, &["beta"]);
    assert_eq!(
        stdout(&out),
        "beta: not watched: no watch cycle has read this project\nno changes recorded\n"
    );
    let out = changes(&db, &["alpha", "--limit", "1"]);
    let text = stdout(&out);
    assert!(
        text.lines()
            .last()
            .expect("line")
            .starts_with("more: l2stage changes alpha --limit 1 --before "),
        "{text}"
    );
}

#[test]
fn bad_arguments_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    setup(dir.path());
    let db = dir.path().join("l2stage.db");
    for (args, needle) in [
        (vec!["nope"], "no project with id `nope` in database"),
        (
            vec!["alpha", "--limit", "0"],
            "expected a whole number from 1 to 500",
        ),
        (vec!["alpha", "--before", "x"], "invalid `before` `x`"),
        (vec!["alpha", "--format", "xml"], "invalid value 'xml'"),
    ] {
        let out = changes(&db, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let out = changes(&dir.path().join("missing.db"), &["alpha"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("missing.db") && err.contains("no database"),
        "{err}"
    );
    assert!(
        !dir.path().join("missing.db").exists(),
        "nothing is created"
    );
}
