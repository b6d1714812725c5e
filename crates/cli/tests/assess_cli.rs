//! The `assess` command as users and scripts call it: the catalog's dated
//! verdicts (shared/docs/stages.md §5), the JSON contract, exit statuses.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_l2stage"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run l2stage")
}

fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn stage_of(verdicts: &Value, id: &str) -> String {
    verdicts
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("{id} missing from output"))["stage"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn catalog_as_of_2024_09_15_matches_the_field() {
    let v = json(&[
        "assess",
        "catalog",
        "--as-of",
        "2024-09-15",
        "--format",
        "json",
    ]);
    let expected = [
        ("arbitrum-one", "stage-1"),
        ("op-mainnet", "stage-1"),
        ("dydx-v3", "stage-1"),
        ("zksync-lite", "stage-1"),
        ("degate-v1", "stage-2"),
        ("fuel-v1", "stage-2"),
        ("base", "stage-0"),
        ("blast", "stage-0"),
        ("starknet", "stage-0"),
        ("mode", "stage-0"),
        ("lisk", "stage-0"),
        ("polygon-zkevm", "stage-0"),
        ("zksync-era", "under-review"),
        ("scroll", "not-stage-0"),
        ("linea", "not-stage-0"),
    ];
    for (id, stage) in expected {
        assert_eq!(stage_of(&v, id), stage, "{id}");
    }
    // Rollups are assessed under the revision in force that day; validiums
    // and optimiums only have the 2026 alt-DA blueprint.
    for p in v.as_array().unwrap() {
        let expected_revision = match p["kind"].as_str() {
            Some("validium" | "optimium") => "2026-02",
            _ => "2023-06",
        };
        assert_eq!(p["framework"], expected_revision, "{}", p["id"]);
        assert_eq!(p["as_of"], "2024-09-15");
    }
}

#[test]
fn op_mainnet_2024_story() {
    for (day, stage) in [
        ("2024-06-01", "stage-0"),
        ("2024-06-10", "stage-1"),
        ("2024-08-16", "stage-1"),
        ("2024-08-20", "stage-0"),
        ("2024-09-15", "stage-1"),
    ] {
        let v = json(&[
            "assess",
            "catalog/op-mainnet.toml",
            "--as-of",
            day,
            "--format",
            "json",
        ]);
        assert_eq!(stage_of(&v, "op-mainnet"), stage, "as of {day}");
    }
}

#[test]
fn every_catalog_entry_cites_sources() {
    let dir = repo().join("catalog");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if l2stage_model::Format::of_project_file(&path).is_none() {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("[[project.sources]]"),
            "{} has no sources",
            path.display()
        );
        assert!(
            text.contains("https://"),
            "{} cites no link",
            path.display()
        );
        n += 1;
    }
    assert!(n >= 15, "catalog has {n} projects");
}

#[test]
fn json_contract_shape() {
    let v = json(&[
        "assess",
        "fixtures/grace.toml",
        "--framework",
        "2025-01",
        "--as-of",
        "2025-07-01",
        "--format",
        "json",
    ]);
    let p = &v[0];
    for key in [
        "id",
        "name",
        "framework",
        "as_of",
        "stage",
        "requirements",
        "missing",
        "warnings",
        "downgrade_pending",
    ] {
        assert!(p.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(p["stage"], "stage-1");
    assert_eq!(p["framework"], "2025-01");
    let d = &p["downgrade_pending"];
    assert_eq!(d["to_stage"], "stage-0");
    assert_eq!(d["deadline"], "2025-07-29");
    assert!(
        d["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("principle"))
    );
    let r = &p["requirements"][0];
    for key in ["id", "stage", "status", "reason", "evidence"] {
        assert!(r.get(key).is_some(), "requirement lacks {key}");
    }
    assert!(r["stage"].is_u64());
    assert!(r["evidence"].is_array());
    let statuses = ["met", "unmet", "under-review", "not-applicable", "unknown"];
    for r in p["requirements"].as_array().unwrap() {
        assert!(statuses.contains(&r["status"].as_str().unwrap()));
    }
    assert_eq!(p["missing"]["next_stage"], "stage-2");

    let v = json(&[
        "assess",
        "fixtures/grace.toml",
        "--framework",
        "2025-01",
        "--as-of",
        "2025-08-01",
        "--format",
        "json",
    ]);
    assert_eq!(v[0]["stage"], "stage-0");
    assert!(v[0]["downgrade_pending"].is_null());
    assert_eq!(
        v[0]["missing"]["requirements"],
        serde_json::json!(["principle"])
    );
}

#[test]
fn invalid_file_exits_2_naming_line_and_field_and_prints_no_verdict() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("fixtures/grace.toml"),
        tmp.path().join("good.toml"),
    )
    .unwrap();
    std::fs::write(tmp.path().join("bad.toml"), "[project]\nid = \"x\"\nname = \"X\"\nkind = \"optimistic\"\n[requirements]\nproof-sytem = \"met\"\n").unwrap();
    let out = bin()
        .args(["assess", "--format", "json"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "partial output on invalid input");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:6:1"), "{err}");
    assert!(err.contains("requirements.proof-sytem"), "{err}");
    assert!(err.contains("did you mean `proof-system`?"), "{err}");
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(
        run(&["assess", "catalog", "--as-of", "2024-13-01"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["assess", "catalog", "--framework", "1999-01"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["assess", "no/such/file.toml"]).status.code(), Some(2));
    assert_eq!(run(&["assess"]).status.code(), Some(2));
    assert_eq!(run(&["assess", "Cargo.lock"]).status.code(), Some(2));
}

#[test]
fn exit_0_whatever_the_stage_and_text_has_no_colour_when_piped() {
    let out = run(&["assess", "catalog", "--as-of", "2024-09-15"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "ANSI codes in piped output");
    assert!(text.contains("Not even Stage 0"));
    assert!(text.contains("Summary"));
}

#[test]
fn markdown_report() {
    let out = run(&[
        "assess",
        "fixtures/grace.toml",
        "--as-of",
        "2025-07-01",
        "--format",
        "markdown",
    ]);
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("## Grace Demo — Stage 1"), "{md}");
    assert!(md.contains("| Stage | Requirement | Status | Reason | Evidence |"));
    assert!(md.contains("**Downgrade pending** to Stage 0 on 2025-07-29"));
}

#[test]
fn schema_describes_the_file() {
    let out = run(&["schema"]);
    assert!(out.status.success());
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = s.to_string();
    for needle in [
        "\"project\"",
        "\"requirements\"",
        "\"history\"",
        "proof-system",
        "council-only-for-onchain-bugs",
        "optimistic",
        "validium",
        "optimium",
        "da-committee-decentralized",
        "calls-itself-validium-or-optimium",
        "\"archived\"",
        "verifier_immutable",
    ] {
        assert!(text.contains(needle), "schema lacks {needle}");
    }
}

/// Base counts its upgrade quorum across three Safes: 9 of 12 entities
/// (docs.base.org, "Security Council for Base"). Derived from the structure,
/// with no disagreement with the declared statuses.
#[test]
fn base_nested_council_derives_stage_1_without_conflicts() {
    let v = json(&[
        "assess",
        "fixtures/base-2025.toml",
        "--as-of",
        "2025-09-01",
        "--format",
        "json",
    ]);
    assert_eq!(stage_of(&v, "base"), "stage-1");
    let p = &v.as_array().unwrap()[0];
    let reqs = p["requirements"].as_array().unwrap();
    let council = reqs
        .iter()
        .find(|r| r["id"] == "council-properly-set-up")
        .unwrap();
    assert_eq!(council["status"], "met");
    assert_eq!(council["derived"], true, "{council}");
    assert!(
        council["evidence"].as_array().unwrap().iter().any(|e| e
            .as_str()
            .unwrap()
            .contains("12 entities, 9 needed (75.0%)")),
        "{council}"
    );
    for r in reqs {
        assert!(r.get("conflict").is_none_or(|c| c.is_null()), "{r}");
    }
}

/// Scroll's 2025 structure (a 9/12 council) was replaced on 2026-06-01 by a
/// 3-of-4 team multisig: the section's `until` stops its derivations there.
#[test]
fn scroll_structure_stops_applying_when_replaced() {
    let at = |day: &str| {
        let v = json(&[
            "assess",
            "fixtures/scroll-2025.toml",
            "--as-of",
            day,
            "--format",
            "json",
        ]);
        v.as_array().unwrap()[0].clone()
    };
    let derived = |p: &serde_json::Value| {
        p["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["derived"] == true)
            .count()
    };
    let before = at("2026-05-31");
    assert_eq!(before["stage"], "stage-1");
    assert!(derived(&before) > 0);
    let after = at("2026-06-01");
    assert_eq!(after["stage"], "stage-0");
    assert_eq!(derived(&after), 0, "{after}");
    assert!(
        after["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("until 2026-06-01")),
        "{after}"
    );
}

/// Issue 14 on the catalog today: Polygon zkEVM is in L2BEAT's Others with
/// NO_PROOFS since 2025-12-03; the three archived projects are dated,
/// assessed on their archive day and listed after the live ones.
#[test]
fn catalog_today_others_reasons_and_archived() {
    let v = json(&[
        "assess",
        "catalog",
        "--as-of",
        "2026-12-06",
        "--format",
        "json",
    ]);
    let projects = v.as_array().unwrap();
    let polygon = projects
        .iter()
        .find(|p| p["id"] == "polygon-zkevm")
        .unwrap();
    assert_eq!(polygon["stage"], "not-stage-0");
    assert_eq!(polygon["others_reasons"], serde_json::json!(["NO_PROOFS"]));
    assert_eq!(polygon["archived"], Value::Null);
    let archived: Vec<(&str, &str)> = projects
        .iter()
        .filter(|p| !p["archived"].is_null())
        .map(|p| (p["id"].as_str().unwrap(), p["archived"].as_str().unwrap()))
        .collect();
    assert_eq!(
        archived,
        [
            ("degate-v1", "2025-07-09"),
            ("dydx-v3", "2024-12-05"),
            ("fuel-v1", "2025-06-20"),
            ("polynomial", "2026-04-15"),
        ]
    );
    // Archived last, each assessed as of its archive date.
    let first_archived = projects
        .iter()
        .position(|p| !p["archived"].is_null())
        .unwrap();
    assert!(
        projects[first_archived..]
            .iter()
            .all(|p| !p["archived"].is_null())
    );
    for p in &projects[first_archived..] {
        assert_eq!(p["as_of"], p["archived"]);
    }
    // The day before the move to Others it was Stage 0, with no reasons.
    let v = json(&[
        "assess",
        "catalog/polygon-zkevm.toml",
        "--as-of",
        "2025-12-02",
        "--format",
        "json",
    ]);
    assert_eq!(stage_of(&v, "polygon-zkevm"), "stage-0");
    assert_eq!(v[0]["others_reasons"], serde_json::json!([]));

    let out = run(&["assess", "catalog", "--as-of", "2026-12-06"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let heading = text.find("Archived projects").expect("archived heading");
    let dydx = text.find("dYdX v3 (dydx-v3)").unwrap();
    let polygon = text.find("Polygon zkEVM (polygon-zkevm)").unwrap();
    assert!(polygon < heading && heading < dydx);
    assert!(text.contains("Others: NO_PROOFS (No proofs)"));
    assert!(text.contains("archived 2024-12-05"));
    let md = String::from_utf8(
        run(&[
            "assess",
            "catalog",
            "--as-of",
            "2026-12-06",
            "--format",
            "markdown",
        ])
        .stdout,
    )
    .unwrap();
    assert!(md.contains("**Others:** (`NO_PROOFS`)"), "{md}");
}

/// A validium end to end: the alt-DA blueprint, with the DA verifier's
/// windows and the committee derived from `[governance.da]`.
#[test]
fn validium_fixture_derives_the_da_items() {
    let v = json(&[
        "assess",
        "fixtures/validium.toml",
        "--as-of",
        "2026-12-06",
        "--format",
        "json",
    ]);
    let p = &v[0];
    assert_eq!(p["kind"], "validium");
    assert_eq!(p["framework"], "2026-02");
    assert_eq!(p["stage"], "stage-1");
    let req = |id: &str| {
        p["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
            .clone()
    };
    for (id, status) in [
        ("da-verifier-seven-day-exit-window", "met"),
        ("da-committee-decentralized", "met"),
        ("da-verifier-thirty-day-exit-window", "unmet"),
        ("five-external-challengers", "not-applicable"),
    ] {
        assert_eq!(req(id)["status"], status, "{id}");
    }
    assert_eq!(req("da-committee-decentralized")["derived"], true);
    assert!(
        req("da-verifier-thirty-day-exit-window")["reason"]
            .as_str()
            .unwrap()
            .contains("9d via team → verifier-timelock")
    );
    assert_eq!(
        p["missing"]["requirements"],
        serde_json::json!([
            "thirty-day-exit-window",
            "da-verifier-thirty-day-exit-window",
            "da-mechanism-economic-security"
        ])
    );
}

/// Before their archive dates the archived three ran: not listed apart.
#[test]
fn archived_projects_are_live_before_their_archive_date() {
    let v = json(&[
        "assess",
        "catalog",
        "--as-of",
        "2024-09-15",
        "--format",
        "json",
    ]);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|p| p["archived"].is_null())
    );
    let text =
        String::from_utf8(run(&["assess", "catalog", "--as-of", "2024-09-15"]).stdout).unwrap();
    assert!(!text.contains("Archived"));
    // Between dYdX's (2024-12-05) and Fuel's (2025-06-20) archive dates.
    let v = json(&[
        "assess",
        "catalog",
        "--as-of",
        "2025-01-01",
        "--format",
        "json",
    ]);
    let archived: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["archived"].is_null())
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(archived, ["dydx-v3"]);
    assert_eq!(v.as_array().unwrap().last().unwrap()["id"], "dydx-v3");
}

/// Before a project's `live_since` there is no verdict: alone, a clear
/// error (exit 2); in a catalog, a note on stderr and the project left out.
#[test]
fn no_verdict_before_a_project_went_live() {
    let out = run(&["assess", "catalog/unichain.toml", "--as-of", "2024-09-15"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Unichain was not live on Ethereum mainnet before 2025-02-12"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    let out = run(&[
        "assess",
        "catalog",
        "--as-of",
        "2024-09-15",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("note: Unichain was not live"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let ids: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["id"].as_str().expect("id"))
        .collect();
    assert!(!ids.contains(&"unichain"), "{ids:?}");
    assert!(ids.contains(&"arbitrum-one"), "{ids:?}");
    // From its launch day on, it is assessed.
    let v = json(&[
        "assess",
        "catalog/unichain.toml",
        "--as-of",
        "2025-02-12",
        "--format",
        "json",
    ]);
    assert_eq!(v[0]["id"], "unichain");
}
