//! `l2stage assess --db FILE`: the verdicts rest on what watching the chain
//! stored in that database, as the service's do — the watched governance
//! structure merged with the project file (its warnings added) and
//! BattleTested's chain data; without watch rows, the file alone.

use std::path::Path;
use std::process::Command;

use l2stage_store::{
    GovernanceSource, NewGovernance, NewSnapshot, ProjectObservation, Store, ValuePoint, WatchCycle,
};

// 2025-09-30T12:00:00Z.
const TS: u64 = 1_759_233_600;

fn assess_json(args: &[&str]) -> serde_json::Value {
    assess_on("2025-10-01", args)
}

fn assess_on(as_of: &str, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .args(["assess", "base", "--as-of", as_of, "--format", "json"])
        .args(args)
        .output()
        .expect("run l2stage");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    match v {
        serde_json::Value::Array(mut a) => a.remove(0),
        other => other,
    }
}

#[test]
fn assess_with_a_database_uses_the_watched_structure_and_chain_data() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/base.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let file = l2stage_model::parse_str("base.toml", &text, l2stage_model::Format::Toml).unwrap();
    let hash = l2stage_store::input_hash(l2stage_model::Format::Toml, &text);
    let mut governance = serde_json::to_value(file.governance.as_ref().unwrap()).unwrap();
    // The chain says the forced-inclusion delay is a day, not 12 h.
    governance["exit"]["forced_inclusion"] = "1d".into();

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let empty = dir.path().join("empty.db");
    drop(Store::open(&empty).unwrap());
    let mut store = Store::open(&db).unwrap();
    let cycle = WatchCycle {
        chain_id: 1,
        block: 100,
        timestamp: TS,
        observations: vec![ProjectObservation::Observed {
            snapshot: NewSnapshot {
                project: "base".into(),
                chain_id: 1,
                block: 100,
                block_hash: None,
                timestamp: TS,
                data: serde_json::json!({ "block": 100 }),
            },
            changes: vec![],
        }],
        values: vec![(
            "base".into(),
            ValuePoint {
                date: "2025-09-30".parse().unwrap(),
                block: 99,
                eth_usd: 60_000_000,
                stablecoin_usd: 45_000_000,
                other_usd: 1_000_000,
                detail: serde_json::json!({}),
            },
        )],
        assessments: vec![],
        log_cursor: None,
    };
    let warning =
        "read on chain at block 100: forced inclusion is 1d, the project file declares 12h";
    store
        .record_watch_cycle_with(
            &cycle,
            &[NewGovernance {
                project: "base".into(),
                block: 100,
                timestamp: TS,
                input_hash: hash,
                source: GovernanceSource::Declared,
                governance,
                warnings: vec![warning.into()],
            }],
        )
        .unwrap();
    drop(store);

    let plain = assess_json(&[]);
    let with_empty = assess_json(&["--db", empty.to_str().unwrap()]);
    assert_eq!(
        plain, with_empty,
        "a database without watch rows changes nothing"
    );
    let watched = assess_json(&["--db", db.to_str().unwrap()]);
    let warnings = watched["warnings"].to_string();
    assert!(warnings.contains(warning), "{warnings}");
    assert!(!plain["warnings"].to_string().contains(warning));
    let bt = &watched["labels"]["battle_tested"];
    assert_eq!(bt["sources"]["value_locked"], "read on chain", "{bt}");
    assert_eq!(bt["latest_value"]["date"], "2025-09-30", "{bt}");
    assert_eq!(bt["latest_value"]["total"], 106_000_000.0, "{bt}");
    assert!(plain["labels"]["battle_tested"].get("sources").is_none());
    // The structure assessed is the watched one (base's applies from
    // 2026-03-04): its exit window changed with the forced-inclusion delay.
    let plain = assess_on("2026-04-01", &[]);
    let watched = assess_on("2026-04-01", &["--db", db.to_str().unwrap()]);
    assert!(!plain["exit_window"].is_null(), "{plain}");
    assert_ne!(plain["exit_window"], watched["exit_window"]);
}
