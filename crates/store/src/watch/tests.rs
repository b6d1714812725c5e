use std::path::Path;
use std::process::Command;

use l2stage_assess::{Context, assess};
use l2stage_framework::Selection;
use l2stage_model::{Format, parse_str};

use super::*;
use crate::Origin;

// 2023-11-14T22:13:20Z and 2023-11-15T00:00:00Z.
const T1: u64 = 1_700_000_000;
const T2: u64 = 1_700_006_400;

const PROJECT: &str = r#"
[project]
id = "watched-demo"
name = "Watched Demo"
kind = "optimistic"

[requirements]
calls-itself-rollup = "met"
"#;

fn snapshot(project: &str, block: u64, timestamp: u64, threshold: u64) -> NewSnapshot {
    NewSnapshot {
        project: project.into(),
        chain_id: 1,
        block,
        block_hash: Some(format!("0x{block:064x}")),
        timestamp,
        data: serde_json::json!({ "safe": { "threshold": threshold } }),
    }
}

fn change(block: u64, timestamp: u64, kind: &str, before: &str, after: &str) -> NewChange {
    NewChange {
        block,
        timestamp,
        kind: kind.into(),
        address: "0x00000000000000000000000000000000000000aa".into(),
        field: "threshold".into(),
        before: Some(before.into()),
        after: Some(after.into()),
        safety_relevant: true,
        evidence: serde_json::json!({ "block": block, "calls": [format!("eth_call(getThreshold()) @ {block}")] }),
    }
}

fn point(date: &str, block: u64, eth: u64) -> ValuePoint {
    ValuePoint {
        date: date.parse().expect("date"),
        block,
        eth_usd: eth,
        stablecoin_usd: 2_000,
        other_usd: 3,
        detail: serde_json::json!({ "ETH": eth }),
    }
}

fn cycle(block: u64, timestamp: u64, observations: Vec<ProjectObservation>) -> WatchCycle {
    WatchCycle {
        chain_id: 1,
        block,
        timestamp,
        observations,
        values: vec![],
        assessments: vec![],
        log_cursor: None,
    }
}

/// Rows in every watch table and the history tables.
fn counts(s: &Store) -> Vec<i64> {
    [
        "watch_cycles",
        "watch_snapshot_data",
        "watch_snapshots",
        "watch_changes",
        "watch_faults",
        "value_points",
        "watch_log_cursors",
        "project_files",
        "assessments",
    ]
    .iter()
    .map(|t| {
        s.conn
            .query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
            .expect("count")
    })
    .collect()
}

#[test]
fn dates_are_the_utc_day_of_the_block_timestamp() {
    assert_eq!(
        date_of_timestamp(T1).expect("date").to_string(),
        "2023-11-14"
    );
    assert_eq!(
        date_of_timestamp(T2).expect("date").to_string(),
        "2023-11-15"
    );
    assert_eq!(
        date_of_timestamp(T2 - 1).expect("date").to_string(),
        "2023-11-14"
    );
    assert!(matches!(
        date_of_timestamp(u64::MAX),
        Err(StoreError::Invalid(_))
    ));
}

#[test]
fn a_cycle_stores_snapshots_changes_faults_values_and_the_cursor() {
    let mut s = Store::open_in_memory().expect("open");
    assert_eq!(s.watch_status("alpha").expect("status"), None);
    assert_eq!(s.last_snapshot("alpha").expect("snapshot"), None);
    assert_eq!(s.log_cursor(1).expect("cursor"), None);

    // Cycle 1: alpha read (first snapshot, no change), beta faulted.
    let mut c1 = cycle(
        100,
        T1,
        vec![
            ProjectObservation::Observed {
                snapshot: snapshot("alpha", 100, T1, 2),
                changes: vec![],
            },
            ProjectObservation::Fault {
                project: "beta".into(),
                block: 100,
                reason: "eth_call: connection reset".into(),
            },
        ],
    );
    c1.values = vec![("alpha".into(), point("2023-11-14", 100, 1_000))];
    c1.log_cursor = Some(100);
    let sum = s.record_watch_cycle(&c1).expect("cycle 1");
    assert_eq!(
        (
            sum.snapshots,
            sum.new_snapshot_data,
            sum.changes,
            sum.faults,
            sum.value_points
        ),
        (1, 1, 0, 1, 1)
    );
    let snap = s.last_snapshot("alpha").expect("snapshot").expect("some");
    assert_eq!(
        (
            snap.block,
            snap.timestamp,
            snap.date.to_string(),
            snap.chain_id
        ),
        (100, T1, "2023-11-14".to_string(), 1)
    );
    assert_eq!(snap.data["safe"]["threshold"], 2);
    assert_eq!(
        snap.block_hash.as_deref(),
        Some(&*format!("0x{:064x}", 100))
    );
    assert_eq!(s.log_cursor(1).expect("cursor"), Some(100));
    assert_eq!(s.log_cursor(10).expect("cursor"), None);

    let alpha = s.watch_status("alpha").expect("status").expect("watched");
    assert_eq!(
        alpha.verified,
        Some(Verified {
            block: 100,
            date: "2023-11-14".parse().expect("date"),
            timestamp: T1
        })
    );
    assert_eq!(alpha.fault, None);
    let beta = s.watch_status("beta").expect("status").expect("watched");
    assert_eq!(beta.verified, None);
    let fault = beta.fault.expect("fault");
    assert_eq!(
        (fault.block, fault.reason.as_str()),
        (100, "eth_call: connection reset")
    );

    // Cycle 2: alpha's threshold changed (a change), beta read at last.
    let sum = s
        .record_watch_cycle(&cycle(
            200,
            T2,
            vec![
                ProjectObservation::Observed {
                    snapshot: snapshot("alpha", 200, T2, 3),
                    changes: vec![change(150, T2, "safe-threshold-changed", "2", "3")],
                },
                ProjectObservation::Observed {
                    snapshot: snapshot("beta", 200, T2, 1),
                    changes: vec![],
                },
            ],
        ))
        .expect("cycle 2");
    assert_eq!(
        (
            sum.snapshots,
            sum.new_snapshot_data,
            sum.changes,
            sum.safety_relevant_changes
        ),
        (2, 2, 1, 1)
    );
    assert_eq!(
        s.watch_status("beta")
            .expect("status")
            .expect("watched")
            .fault,
        None,
        "a later reading clears the fault"
    );

    // Cycle 3: alpha faults; its last verified block stays 200. beta's
    // unchanged snapshot is not stored twice.
    let sum = s
        .record_watch_cycle(&cycle(
            300,
            T2 + 100,
            vec![
                ProjectObservation::Fault {
                    project: "alpha".into(),
                    block: 300,
                    reason: "x".repeat(MAX_FAULT_REASON + 10),
                },
                ProjectObservation::Observed {
                    snapshot: snapshot("beta", 300, T2 + 100, 1),
                    changes: vec![],
                },
            ],
        ))
        .expect("cycle 3");
    assert_eq!((sum.snapshots, sum.new_snapshot_data), (1, 0));
    let alpha = s.watch_status("alpha").expect("status").expect("watched");
    assert_eq!(alpha.verified.expect("verified").block, 200);
    let fault = alpha.fault.expect("fault");
    assert_eq!(fault.block, 300);
    assert_eq!(fault.reason.chars().count(), MAX_FAULT_REASON + 1);
    assert!(fault.reason.ends_with('…'));
    assert_eq!(
        s.last_snapshot("beta")
            .expect("snapshot")
            .expect("some")
            .block,
        300
    );

    let changes = s.changes("alpha", 50, None).expect("changes");
    assert_eq!(changes.len(), 1);
    let c = &changes[0];
    assert_eq!(
        (
            c.block,
            c.date.to_string(),
            c.kind.as_str(),
            c.project.as_str()
        ),
        (
            150,
            "2023-11-15".to_string(),
            "safe-threshold-changed",
            "alpha"
        )
    );
    assert_eq!(
        (c.before.as_deref(), c.after.as_deref()),
        (Some("2"), Some("3"))
    );
    assert!(c.safety_relevant);
    assert_eq!(c.evidence["calls"][0], "eth_call(getThreshold()) @ 150");
    assert!(s.changes("beta", 50, None).expect("changes").is_empty());
}

#[test]
fn stored_changes_serialise_as_the_api_contract() {
    let mut s = Store::open_in_memory().expect("open");
    s.record_watch_cycle(&cycle(
        7,
        T1,
        vec![ProjectObservation::Observed {
            snapshot: snapshot("alpha", 7, T1, 1),
            changes: vec![NewChange {
                before: None,
                ..change(7, T1, "contract-appeared", "", "0xabc")
            }],
        }],
    ))
    .expect("cycle");
    let c = &s.changes("alpha", 1, None).expect("changes")[0];
    // The keys in the contract's order (serde_json's Value would sort them).
    let text = serde_json::to_string(c).expect("json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("parse");
    let keys = [
        "block",
        "date",
        "kind",
        "address",
        "field",
        "before",
        "after",
        "safety_relevant",
        "evidence",
        "project",
        "seq",
    ];
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| text.find(&format!("\"{k}\":")).expect(k))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert_eq!(
        json.as_object().expect("object").len(),
        keys.len(),
        "{text}"
    );
    assert_eq!(json["date"], "2023-11-14");
    assert_eq!(json["before"], serde_json::Value::Null);
    assert_eq!(json["block"], 7);
}

#[test]
fn changes_are_newest_first_and_paginate_by_seq() {
    let mut s = Store::open_in_memory().expect("open");
    for i in 0..5u64 {
        s.record_watch_cycle(&cycle(
            10 + i,
            T1 + i,
            vec![
                ProjectObservation::Observed {
                    snapshot: snapshot("alpha", 10 + i, T1 + i, i),
                    changes: vec![change(10 + i, T1 + i, "safe-threshold-changed", "a", "b")],
                },
                ProjectObservation::Observed {
                    snapshot: snapshot("beta", 10 + i, T1 + i, i),
                    changes: vec![change(10 + i, T1 + i, "owner-changed", "a", "b")],
                },
            ],
        ))
        .expect("cycle");
    }
    let page1 = s.changes("alpha", 2, None).expect("page 1");
    assert_eq!(page1.iter().map(|c| c.block).collect::<Vec<_>>(), [14, 13]);
    let page2 = s.changes("alpha", 2, Some(page1[1].seq)).expect("page 2");
    assert_eq!(page2.iter().map(|c| c.block).collect::<Vec<_>>(), [12, 11]);
    let page3 = s.changes("alpha", 2, Some(page2[1].seq)).expect("page 3");
    assert_eq!(page3.iter().map(|c| c.block).collect::<Vec<_>>(), [10]);
    assert!(
        s.changes("alpha", 2, Some(page3[0].seq))
            .expect("end")
            .is_empty()
    );
    assert!(page1.iter().all(|c| c.project == "alpha"));

    let recent = s.recent_changes(3).expect("recent");
    assert_eq!(
        recent
            .iter()
            .map(|c| (c.project.as_str(), c.block))
            .collect::<Vec<_>>(),
        [("beta", 14), ("alpha", 14), ("beta", 13)]
    );
    assert_eq!(s.recent_changes(100).expect("all").len(), 10);
}

#[test]
fn a_later_value_point_for_the_same_date_supersedes() {
    let mut s = Store::open_in_memory().expect("open");
    s.record_value_points(
        "alpha",
        &[point("2024-01-02", 20, 5), point("2024-01-01", 10, 1)],
    )
    .expect("points");
    s.record_value_points("alpha", &[point("2024-01-02", 21, 7)])
        .expect("points");
    s.record_value_points("beta", &[point("2024-01-01", 10, 99)])
        .expect("points");
    let pts = s.value_points("alpha").expect("read");
    assert_eq!(
        pts.iter()
            .map(|p| (p.date.to_string(), p.block, p.eth_usd))
            .collect::<Vec<_>>(),
        [
            ("2024-01-01".to_string(), 10, 1),
            ("2024-01-02".to_string(), 21, 7)
        ]
    );
    assert_eq!(pts[1].total_usd(), 7 + 2_000 + 3);
    assert_eq!(pts[1].detail["ETH"], 7);
    // A value SQLite cannot hold is refused, and nothing of the call is kept.
    let err = s
        .record_value_points(
            "alpha",
            &[
                point("2024-01-03", 30, 1),
                point("2024-01-04", 40, u64::MAX),
            ],
        )
        .expect_err("out of range");
    assert!(err.to_string().contains("eth_usd"), "{err}");
    assert_eq!(s.value_points("alpha").expect("read").len(), 2);
}

#[test]
fn a_failing_insert_mid_cycle_leaves_nothing() {
    let mut s = Store::open_in_memory().expect("open");
    s.record_watch_cycle(&cycle(
        1,
        T1,
        vec![ProjectObservation::Observed {
            snapshot: snapshot("alpha", 1, T1, 1),
            changes: vec![],
        }],
    ))
    .expect("first cycle");
    let before = counts(&s);
    // The second project's change has an empty kind: the CHECK constraint
    // fails after the cycle row, alpha's snapshot and change, and a fault
    // were inserted.
    let mut bad = cycle(
        2,
        T2,
        vec![
            ProjectObservation::Observed {
                snapshot: snapshot("alpha", 2, T2, 5),
                changes: vec![change(2, T2, "safe-threshold-changed", "1", "5")],
            },
            ProjectObservation::Fault {
                project: "gamma".into(),
                block: 2,
                reason: "timeout".into(),
            },
            ProjectObservation::Observed {
                snapshot: snapshot("beta", 2, T2, 1),
                changes: vec![change(2, T2, "", "1", "2")],
            },
        ],
    );
    bad.values = vec![("alpha".into(), point("2023-11-15", 2, 1))];
    bad.log_cursor = Some(2);
    let err = s.record_watch_cycle(&bad).expect_err("constraint");
    assert!(err.to_string().contains("CHECK"), "{err}");
    assert_eq!(counts(&s), before, "nothing of the failed cycle is stored");
    assert_eq!(
        s.last_snapshot("alpha").expect("snap").expect("some").block,
        1
    );
    assert_eq!(s.watch_status("gamma").expect("status"), None);
    assert_eq!(s.log_cursor(1).expect("cursor"), None);

    // A block number SQLite cannot hold: refused the same way.
    let mut huge = bad.clone();
    huge.observations.truncate(2);
    huge.observations.push(ProjectObservation::Fault {
        project: "delta".into(),
        block: u64::MAX,
        reason: "r".into(),
    });
    let err = s.record_watch_cycle(&huge).expect_err("range");
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert_eq!(counts(&s), before);
}

#[test]
fn a_cycle_stores_its_assessments_once() {
    let mut s = Store::open_in_memory().expect("open");
    let project = parse_str("watched.toml", PROJECT, Format::Toml).expect("project");
    let assessment = assess(
        &project,
        &Context::new(Selection {
            framework: None,
            as_of: "2025-01-01".parse().expect("date"),
        }),
    )
    .expect("assess");
    let mut c = cycle(
        5,
        T1,
        vec![ProjectObservation::Observed {
            snapshot: snapshot("watched-demo", 5, T1, 1),
            changes: vec![],
        }],
    );
    c.assessments = vec![NewAssessment {
        format: Format::Toml,
        text: PROJECT.into(),
        origin: Origin::Catalog,
        source_name: Some("watched.toml".into()),
        assessment,
    }];
    assert_eq!(
        s.record_watch_cycle(&c).expect("cycle").assessments_added,
        1
    );
    assert_eq!(
        s.record_watch_cycle(&c).expect("again").assessments_added,
        0
    );
    let cur = s.current("watched-demo").expect("current").expect("some");
    assert_eq!(cur.as_of.to_string(), "2025-01-01");
    assert_eq!(s.counts().expect("counts"), (1, 1));
    // The cursor alone: no cycle row.
    let only_cursor = WatchCycle {
        log_cursor: Some(42),
        ..cycle(42, T2, vec![])
    };
    let sum = s.record_watch_cycle(&only_cursor).expect("cursor");
    assert_eq!(sum.cycle_seq, None);
    assert_eq!(s.log_cursor(1).expect("cursor"), Some(42));
    let sum = s
        .record_watch_cycle(&WatchCycle {
            log_cursor: Some(43),
            ..cycle(43, T2, vec![])
        })
        .expect("cursor");
    assert_eq!(sum, CycleSummary::default());
    assert_eq!(s.log_cursor(1).expect("cursor"), Some(43));
}

#[test]
fn watch_history_is_append_only() {
    let mut s = Store::open_in_memory().expect("open");
    let mut c = cycle(
        1,
        T1,
        vec![
            ProjectObservation::Observed {
                snapshot: snapshot("alpha", 1, T1, 1),
                changes: vec![change(1, T1, "owner-changed", "a", "b")],
            },
            ProjectObservation::Fault {
                project: "beta".into(),
                block: 1,
                reason: "r".into(),
            },
        ],
    );
    c.values = vec![("alpha".into(), point("2023-11-14", 1, 1))];
    s.record_watch_cycle(&c).expect("cycle");
    for table in [
        "watch_cycles",
        "watch_snapshot_data",
        "watch_snapshots",
        "watch_changes",
        "watch_faults",
        "value_points",
    ] {
        for sql in [
            format!("UPDATE {table} SET rowid = rowid"),
            format!("DELETE FROM {table}"),
        ] {
            let err = s.conn.execute(&sql, []).expect_err(&sql);
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
    }
}

const CHILD_DB_ENV: &str = "L2STAGE_STORE_TEST_CHILD_DB";

/// Run by `kill_9_during_a_cycle_loses_nothing_stored_before` in a child
/// process: stores one cycle, then stops inside the next one's open
/// transaction (see `tests_hook`) until killed.
#[test]
#[ignore = "a helper run in a child process by kill_9_during_a_cycle_loses_nothing_stored_before"]
fn child_holds_a_cycle_open() {
    let Some(db) = std::env::var_os(CHILD_DB_ENV) else {
        panic!("run by kill_9_during_a_cycle_loses_nothing_stored_before only");
    };
    let mut s = Store::open(Path::new(&db)).expect("open");
    // The first cycle runs without the pause.
    s.record_watch_cycle(&cycle(
        1,
        T1,
        vec![ProjectObservation::Observed {
            snapshot: snapshot("alpha", 1, T1, 1),
            changes: vec![],
        }],
    ))
    .expect("first cycle");
    tests_hook::ARMED.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut second = cycle(
        2,
        T2,
        vec![
            ProjectObservation::Observed {
                snapshot: snapshot("alpha", 2, T2, 9),
                changes: vec![change(2, T2, "safe-threshold-changed", "1", "9")],
            },
            ProjectObservation::Observed {
                snapshot: snapshot("beta", 2, T2, 1),
                changes: vec![],
            },
        ],
    );
    second.log_cursor = Some(2);
    // Pauses forever after alpha's rows are written.
    let _ = s.record_watch_cycle(&second);
    unreachable!("the hook never returns");
}

#[test]
fn kill_9_during_a_cycle_loses_nothing_stored_before() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("watch.db");
    let pause = dir.path().join("paused");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--ignored",
            "--exact",
            "watch::tests::child_holds_a_cycle_open",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(CHILD_DB_ENV, &db)
        .env(tests_hook::PAUSE_ENV, &pause)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the child");
    // Wait (bounded) for the child to pause inside its second cycle.
    let mut waited = 0;
    while !pause.exists() {
        if let Some(status) = child.try_wait().expect("child") {
            let mut err = String::new();
            use std::io::Read;
            let _ = child
                .stderr
                .take()
                .expect("stderr")
                .read_to_string(&mut err);
            panic!("the child exited ({status}) before pausing: {err}");
        }
        assert!(waited < 600, "the child did not pause within 60 s");
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    }
    child.kill().expect("kill -9"); // SIGKILL on Unix
    child.wait().expect("reap");

    let mut s = Store::open(&db).expect("reopen after the kill");
    assert_eq!(s.integrity_check().expect("check"), ["ok"]);
    let snap = s.last_snapshot("alpha").expect("snapshot").expect("kept");
    assert_eq!(
        (snap.block, snap.data["safe"]["threshold"].clone()),
        (1, 1.into())
    );
    assert!(s.changes("alpha", 10, None).expect("changes").is_empty());
    assert_eq!(s.last_snapshot("beta").expect("snapshot"), None);
    assert_eq!(s.log_cursor(1).expect("cursor"), None);
    let cycles: i64 = s
        .conn
        .query_row("SELECT COUNT(*) FROM watch_cycles", [], |r| r.get(0))
        .expect("count");
    assert_eq!(cycles, 1);
    // The next cycle resumes from the kept snapshot.
    let sum = s
        .record_watch_cycle(&cycle(
            3,
            T2,
            vec![ProjectObservation::Observed {
                snapshot: snapshot("alpha", 3, T2, 9),
                changes: vec![change(3, T2, "safe-threshold-changed", "1", "9")],
            }],
        ))
        .expect("next cycle");
    assert_eq!(sum.changes, 1);
    assert_eq!(s.changes("alpha", 10, None).expect("changes")[0].block, 3);
}

#[test]
fn a_reader_opens_the_database_while_the_writer_holds_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("l2stage.db");
    match Store::open_read_only(&db) {
        Err(StoreError::Unhealthy { reason, .. }) => {
            assert!(reason.contains("no database"), "{reason}")
        }
        other => panic!("expected a missing database, got {other:?}"),
    }
    let mut writer = Store::open(&db).expect("writer");
    writer
        .record_watch_cycle(&cycle(
            9,
            T1,
            vec![ProjectObservation::Observed {
                snapshot: snapshot("alpha", 9, T1, 1),
                changes: vec![change(9, T1, "owner-changed", "a", "b")],
            }],
        ))
        .expect("cycle");
    // The writer still holds its lock: a second writer is refused, a
    // reader is not, and sees what was committed.
    assert!(matches!(Store::open(&db), Err(StoreError::Locked { .. })));
    let reader = Store::open_read_only(&db).expect("reader");
    assert_eq!(
        reader.changes("alpha", 10, None).expect("changes")[0].block,
        9
    );
    assert!(
        reader
            .conn
            .execute("DELETE FROM schema_migrations", [])
            .is_err()
    );
    drop(reader);
    // A database of an older schema is refused with the way out.
    writer
        .conn
        .pragma_update(None, "user_version", 1)
        .expect("downgrade the version");
    drop(writer);
    let err = Store::open_read_only(&db).expect_err("older schema");
    assert!(err.to_string().contains("schema version is 1"), "{err}");
    assert!(err.to_string().contains("l2stage watch"), "{err}");
}
