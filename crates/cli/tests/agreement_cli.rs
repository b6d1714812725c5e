//! The agreement table with L2BEAT (`catalog/agreement/*.toml`): every row's
//! l2stage verdict is what `l2stage assess` computes for that project on the
//! day the L2BEAT config was read, and rows that claim no difference have the
//! same stage as L2BEAT ("Others" being "not even Stage 0").

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn l2beat_to_l2stage(stage: &str) -> Option<&'static str> {
    match stage {
        "Stage 0" => Some("stage-0"),
        "Stage 1" => Some("stage-1"),
        "Stage 2" => Some("stage-2"),
        "Others" => Some("not-stage-0"),
        "Under review" => Some("under-review"),
        _ => None,
    }
}

fn rows() -> Vec<(PathBuf, toml::Value)> {
    let dir = repo().join("catalog/agreement");
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("catalog/agreement")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("toml"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for row in doc["row"].as_array().expect("[[row]]") {
            out.push((path.clone(), row.clone()));
        }
    }
    out
}

#[test]
fn every_agreement_row_matches_the_assessment() {
    let rows = rows();
    assert!(rows.len() >= 15, "{} rows", rows.len());
    for (path, row) in rows {
        let id = row["id"].as_str().unwrap();
        let read = row["read"]
            .as_datetime()
            .expect("read is a date")
            .to_string();
        let l2beat = row["l2beat_stage"].as_str().unwrap();
        let claimed = row["l2stage"].as_str().unwrap();
        let difference = row["difference"].as_str().unwrap();
        assert!(
            row["l2beat_config"]
                .as_str()
                .unwrap()
                .starts_with("packages/config/src/projects/"),
            "{id}: config path"
        );
        let file = repo().join("catalog").join(format!("{id}.toml"));
        assert!(
            file.is_file(),
            "{}: {id} has no catalog file",
            path.display()
        );
        let out = Command::new(env!("CARGO_BIN_EXE_l2stage"))
            .args([
                "assess",
                file.to_str().unwrap(),
                "--as-of",
                &read,
                "--format",
                "json",
            ])
            .output()
            .expect("run l2stage");
        assert!(
            out.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let stage = v[0]["stage"].as_str().unwrap();
        let ours: Vec<&str> = v[0]["others_reasons"]
            .as_array()
            .expect("others_reasons")
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        if let Some(theirs) = row.get("l2beat_reasons").and_then(|r| r.as_array()) {
            for code in theirs.iter().map(|c| c.as_str().unwrap()) {
                if ["NO_PROOFS", "CLOSED_PROOFS", "NO_DA_ORACLE"].contains(&code) {
                    assert!(
                        ours.contains(&code),
                        "{id}: L2BEAT's {code} missing from {ours:?}"
                    );
                }
            }
        }
        assert_eq!(stage, claimed, "{id}: l2stage verdict on {read}");
        let expected = l2beat_to_l2stage(l2beat)
            .unwrap_or_else(|| panic!("{id}: unknown L2BEAT stage {l2beat}"));
        if difference.is_empty() {
            assert_eq!(
                stage, expected,
                "{id}: differs from L2BEAT without an explanation"
            );
        } else {
            assert_ne!(
                stage, expected,
                "{id}: explains a difference that does not exist"
            );
        }
    }
}
