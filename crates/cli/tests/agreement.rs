//! Agreement with L2BEAT (issue 14): every row of
//! catalog/l2beat-agreement.toml — a catalog project, a day, L2BEAT's stage
//! that day and the config it was read from — against `l2stage assess
//! catalog --as-of DAY`. A deliberate difference carries its explanation and
//! l2stage's stage; a `pending` row is a known disagreement the catalog has
//! yet to fix, asserted to still disagree so that the flag cannot outlive it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const STAGES: [&str; 5] = [
    "not-stage-0",
    "stage-0",
    "stage-1",
    "stage-2",
    "under-review",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    row: Vec<Row>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    id: String,
    date: toml::value::Datetime,
    l2beat: String,
    config: String,
    read: toml::value::Datetime,
    #[serde(default)]
    explanation: Option<String>,
    #[serde(default)]
    l2stage: Option<String>,
    #[serde(default)]
    pending: Option<String>,
}

fn table() -> Vec<Row> {
    let path = repo().join("catalog/l2beat-agreement.toml");
    let text = std::fs::read_to_string(&path).expect("agreement table");
    match toml::from_str::<Table>(&text) {
        Ok(t) => t.row,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// `assess catalog --as-of DAY --format json`, by project id.
fn catalog_stages(day: &str) -> BTreeMap<String, Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .args(["assess", "catalog", "--as-of", day, "--format", "json"])
        .current_dir(repo())
        .output()
        .expect("run l2stage");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v.as_array()
        .expect("array")
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_string(), p.clone()))
        .collect()
}

#[test]
fn rows_are_well_formed() {
    let rows = table();
    let mut seen = BTreeSet::new();
    for r in &rows {
        let at = format!("{} on {}", r.id, r.date);
        assert!(
            seen.insert((r.id.clone(), r.date.to_string())),
            "{at}: twice"
        );
        assert!(
            STAGES.contains(&r.l2beat.as_str()),
            "{at}: stage {}",
            r.l2beat
        );
        assert!(
            r.config.starts_with("packages/config/src/") && r.config.ends_with(".ts"),
            "{at}: config {}",
            r.config
        );
        assert!(r.date.date.is_some() && r.date.time.is_none(), "{at}: date");
        assert!(r.read.date.is_some() && r.read.time.is_none(), "{at}: read");
        match (&r.explanation, &r.l2stage) {
            (Some(e), Some(s)) => {
                assert!(!e.trim().is_empty(), "{at}: empty explanation");
                assert!(STAGES.contains(&s.as_str()), "{at}: stage {s}");
                assert_ne!(s, &r.l2beat, "{at}: an explained difference that is none");
            }
            (None, None) => {}
            _ => panic!("{at}: `explanation` and `l2stage` go together"),
        }
        assert!(
            !(r.pending.is_some() && r.explanation.is_some()),
            "{at}: a row is either pending or explained"
        );
    }
    // The original 15 on both days.
    for day in ["2024-09-15", "2026-12-06"] {
        let n = rows.iter().filter(|r| r.date.to_string() == day).count();
        assert!(n >= 15, "{n} rows on {day}");
    }
}

#[test]
fn catalog_agrees_with_l2beat() {
    let rows = table();
    let days: BTreeSet<String> = rows.iter().map(|r| r.date.to_string()).collect();
    let mut failures = Vec::new();
    let mut compared = 0;
    for day in days {
        let stages = catalog_stages(&day);
        for r in rows.iter().filter(|r| r.date.to_string() == day) {
            let Some(v) = stages.get(&r.id) else {
                failures.push(format!("{} on {day}: not in the catalog", r.id));
                continue;
            };
            let got = v["stage"].as_str().unwrap_or_default();
            let want = r.l2stage.as_deref().unwrap_or(&r.l2beat);
            compared += 1;
            if r.pending.is_some() {
                if got == r.l2beat {
                    failures.push(format!(
                        "{} on {day}: now agrees with L2BEAT ({got}): remove `pending`",
                        r.id
                    ));
                }
            } else if got != want {
                failures.push(format!(
                    "{} on {day}: l2stage {got}, expected {want} (L2BEAT {} per {} read {}); warnings: {}",
                    r.id, r.l2beat, r.config, r.read, v["warnings"]
                ));
            }
        }
    }
    assert!(compared >= 30, "{compared} rows compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
