//! The labels beside the stage as `l2stage assess` shows them: the JSON
//! contract (`labels.battle_tested`, `labels.proof_systems`), proof-system
//! files beside the project or from `--proof-systems`, CSV series, located
//! errors with exit status 2, and the text and Markdown reports.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_l2stage"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run l2stage")
}

fn json_in(dir: &Path, args: &[&str]) -> Value {
    let out = run_in(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const PROOF_SYSTEM: &str = r#"
name = "Demo VM"
kind = "fraud"
implementation = "demo program on the demo VM"
in_production_since = 2024-01-10
trusted_setup_risk = "none"
prover_source_published = true
verifier_reproducible = true
programs_reproducible = true

[[audits]]
firm = "Firm A"
date = 2023-12-01
url = "https://example.org/a.pdf"

[[audits]]
firm = "Firm B"
date = 2026-03-01
url = "https://example.org/b.pdf"

[bug_bounty]
max_usd = 1_500_000
url = "https://example.org/bounty"
"#;

/// A project upgraded on 2026-01-15, $500M locked ($350M in ETH and
/// stablecoins) on the first of every month from January 2025.
fn project(proof_systems: &str) -> String {
    let mut points = String::new();
    for (y, months) in [(2025, 1..=12), (2026, 1..=12)] {
        for m in months {
            points.push_str(&format!(
                "  {{ date = {y}-{m:02}-01, total = 500_000_000, eth = 300_000_000, stablecoins = 50_000_000 }},\n"
            ));
        }
    }
    format!(
        "[project]\nid = \"demo\"\nname = \"Demo\"\nkind = \"optimistic\"\n\n\
[labels]\nproof_systems = [{proof_systems}]\nlive_since = 2023-06-01\n\n\
[[labels.changes]]\ndate = 2026-01-15\nsummary = \"Upgrade 7\"\nsafety_relevant = true\n\n\
[[labels.changes]]\ndate = 2026-04-01\nsummary = \"Fee parameter\"\nsafety_relevant = false\n\n\
[labels.value_locked]\npoints = [\n{points}]\n"
    )
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "demo.toml", &project("\"demo-vm\""));
    write(dir.path(), "proof-systems/demo-vm.toml", PROOF_SYSTEM);
    dir
}

#[test]
fn json_contract_of_an_unmet_label() {
    let dir = setup();
    let v = json_in(
        dir.path(),
        &[
            "assess",
            "demo.toml",
            "--as-of",
            "2026-06-15",
            "--format",
            "json",
        ],
    );
    let bt = &v[0]["labels"]["battle_tested"];
    for key in ["status", "since", "missing", "earliest"] {
        assert!(
            bt.get(key).is_some(),
            "labels.battle_tested.{key} missing: {bt}"
        );
    }
    assert_eq!(bt["status"], "unmet");
    assert_eq!(bt["since"], Value::Null);
    // 2026-01-15 + 6 months = 2026-07-15; more than that: 2026-07-16.
    assert_eq!(bt["earliest"], "2026-07-16");
    assert_eq!(bt["clock_start"], "2026-01-15");
    let missing = bt["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].as_str().unwrap().contains("2026-01-15"));

    let ps = &v[0]["labels"]["proof_systems"][0];
    assert_eq!(ps["id"], "demo-vm");
    assert_eq!(ps["kind"], "fraud");
    // 2024-01-10 to 2026-06-15: 29 whole months; two firms; $1.5M bounty.
    assert_eq!(ps["months_in_production"], 29);
    assert_eq!(ps["rating"], "mature");
    assert_eq!(ps["audit_firms"], serde_json::json!(["Firm A", "Firm B"]));
}

#[test]
fn json_contract_of_a_met_label() {
    let dir = setup();
    let v = json_in(
        dir.path(),
        &[
            "assess",
            "demo.toml",
            "--as-of",
            "2026-07-16",
            "--format",
            "json",
        ],
    );
    let bt = &v[0]["labels"]["battle_tested"];
    assert_eq!(bt["status"], "met");
    assert_eq!(bt["since"], "2026-07-16");
    assert_eq!(bt["earliest"], Value::Null);
    assert_eq!(bt["missing"], serde_json::json!([]));
}

#[test]
fn as_of_hides_later_audits_and_changes() {
    let dir = setup();
    // Before the upgrade of 2026-01-15 and before Firm B's audit.
    let v = json_in(
        dir.path(),
        &[
            "assess",
            "demo.toml",
            "--as-of",
            "2025-12-31",
            "--format",
            "json",
        ],
    );
    let bt = &v[0]["labels"]["battle_tested"];
    assert_eq!(bt["status"], "met");
    // Data from 2025-01-01: met from 2025-07-02.
    assert_eq!(bt["since"], "2025-07-02");
    let ps = &v[0]["labels"]["proof_systems"][0];
    assert_eq!(ps["audit_firms"], serde_json::json!(["Firm A"]));
    assert_eq!(ps["months_in_production"], 23);
    assert_eq!(ps["rating"], "maturing");
}

#[test]
fn proof_systems_directory_flag() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "projects/demo.toml", &project("\"demo-vm\""));
    write(dir.path(), "shared/demo-vm.toml", PROOF_SYSTEM);
    // Nothing beside the project file: the id is unknown, a located error.
    let out = run_in(
        dir.path(),
        &["assess", "projects/demo.toml", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    // file:line:column, the field, the offending id (the message may wrap).
    assert!(err.contains("demo.toml:7:18"), "{err}");
    assert!(err.contains("labels.proof_systems[0]"), "{err}");
    assert!(err.contains("unknown proof"), "{err}");
    assert!(err.contains("`demo-vm`"), "{err}");
    // With the flag it resolves.
    let v = json_in(
        dir.path(),
        &[
            "assess",
            "projects/demo.toml",
            "--proof-systems",
            "shared",
            "--as-of",
            "2026-06-15",
            "--format",
            "json",
        ],
    );
    assert_eq!(v[0]["labels"]["proof_systems"][0]["id"], "demo-vm");
    // A directory that does not exist is a usage error.
    let out = run_in(
        dir.path(),
        &["assess", "projects/demo.toml", "--proof-systems", "nowhere"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn csv_series_relative_to_the_project_file() {
    let dir = tempfile::tempdir().unwrap();
    let toml = "[project]\nid = \"demo\"\nname = \"Demo\"\nkind = \"validity\"\n\n[labels]\nlive_since = 2024-01-01\n\n[labels.value_locked]\ncsv = \"data/demo.csv\"\n";
    write(dir.path(), "p/demo.toml", toml);
    let mut csv = String::from("# demo series\ndate,total,eth,stablecoins\n");
    for m in 1..=12 {
        csv.push_str(&format!("2025-{m:02}-01,200000000,40000000,20000000\n"));
    }
    write(dir.path(), "p/data/demo.csv", &csv);
    let v = json_in(
        dir.path(),
        &[
            "assess",
            "p/demo.toml",
            "--as-of",
            "2025-12-15",
            "--format",
            "json",
        ],
    );
    let bt = &v[0]["labels"]["battle_tested"];
    assert_eq!(bt["status"], "met", "{bt}");
    assert_eq!(bt["since"], "2025-07-02");
    assert_eq!(v[0]["labels"]["proof_systems"], serde_json::json!([]));

    // A malformed line names the CSV file and line; exit status 2.
    csv.push_str("2025-12-15,200000000,-5,20000000\n");
    write(dir.path(), "p/data/demo.csv", &csv);
    let out = run_in(dir.path(), &["assess", "p/demo.toml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("demo.csv:15:"), "{err}");
    assert!(err.contains("cannot be negative"), "{err}");
}

#[test]
fn project_without_labels_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bare.toml",
        "[project]\nid = \"bare\"\nname = \"Bare\"\nkind = \"optimistic\"\n",
    );
    let v = json_in(
        dir.path(),
        &[
            "assess",
            "bare.toml",
            "--as-of",
            "2026-01-01",
            "--format",
            "json",
        ],
    );
    let bt = &v[0]["labels"]["battle_tested"];
    assert_eq!(bt["status"], "unknown");
    assert_eq!(bt["earliest"], Value::Null);
    assert_eq!(bt["missing"].as_array().unwrap().len(), 2);
}

#[test]
fn text_and_markdown_show_the_labels() {
    let dir = setup();
    let out = run_in(
        dir.path(),
        &["assess", "demo.toml", "--as-of", "2026-06-15"],
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("BattleTested  unmet · earliest 2026-07-16"),
        "{text}"
    );
    assert!(text.contains("Demo VM (demo-vm)  mature"), "{text}");
    let out = run_in(
        dir.path(),
        &[
            "assess",
            "demo.toml",
            "--as-of",
            "2026-06-15",
            "--format",
            "markdown",
        ],
    );
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("**BattleTested:** ❌ unmet, earliest 2026-07-16 if nothing changes"),
        "{md}"
    );
    assert!(md.contains("| Demo VM (`demo-vm`) | **mature** |"), "{md}");
}

#[test]
fn schema_covers_labels_and_proof_system_files() {
    let out = run_in(&repo(), &["schema"]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("safety_relevant") && s.contains("gap_tolerance_days"));
    let out = run_in(&repo(), &["schema", "--proof-system"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["properties"]["trusted_setup_risk"].is_object(), "{v}");
}

fn project_in<'a>(v: &'a Value, id: &str) -> &'a Value {
    v.as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

#[test]
fn catalog_projects_share_one_proof_system_entry() {
    let v = json_in(
        &repo(),
        &[
            "assess",
            "catalog",
            "--as-of",
            "2026-11-21",
            "--format",
            "json",
        ],
    );
    let op = &project_in(&v, "op-mainnet")["labels"]["proof_systems"][0];
    assert_eq!(op["id"], "op-cannon");
    // In production since 2024-06-10: 29 whole months on 2026-11-21.
    assert_eq!(op["months_in_production"], 29);
    assert_eq!(op["rating"], "mature");
    // Base replaced Cannon with Azul on 2026-05-26: in production for 5
    // whole months on 2026-11-21, no audit or bounty recorded.
    let base = &project_in(&v, "base")["labels"]["proof_systems"][0];
    assert_eq!(base["id"], "base-azul");
    assert_eq!(base["months_in_production"], 5);
    assert_eq!(base["rating"], "immature");
    // Before Azul both projects list the one Cannon entry, summarised alike.
    let before = json_in(
        &repo(),
        &[
            "assess",
            "catalog",
            "--as-of",
            "2026-05-25",
            "--format",
            "json",
        ],
    );
    let op = &project_in(&before, "op-mainnet")["labels"]["proof_systems"][0];
    let base = &project_in(&before, "base")["labels"]["proof_systems"][0];
    assert_eq!(op["id"], "op-cannon");
    assert_eq!(op, base, "one entry, the same summary for both projects");
    let arb = &project_in(&v, "arbitrum-one")["labels"]["proof_systems"][0];
    assert_eq!(arb["id"], "arbitrum-bold");
    // Since 2025-02-15: 21 months, below the 24 a mature rating needs.
    assert_eq!(arb["months_in_production"], 21);
    assert_eq!(arb["rating"], "maturing");
    assert_eq!(
        arb["shares_with"],
        serde_json::json!([{ "component": "go-ethereum", "proof_systems": ["op-cannon"] }])
    );
    // OP Mainnet's change history is claimed complete only up to 2025-12-02.
    assert_eq!(
        project_in(&v, "op-mainnet")["labels"]["battle_tested"]["status"],
        "unknown"
    );
    // Recent safety-relevant changes restarted the six-month clock: Base's
    // verifier replacement of 2026-07-28 and Arbitrum One's ArbOS 61 of
    // 2026-08-19, so both are unmet on 2026-11-21.
    for id in ["base", "arbitrum-one"] {
        assert_eq!(
            project_in(&v, id)["labels"]["battle_tested"]["status"],
            "unmet",
            "{id}"
        );
    }
}

#[test]
fn catalog_op_mainnet_after_upgrade_16() {
    let v = json_in(
        &repo(),
        &[
            "assess",
            "catalog/op-mainnet.toml",
            "--as-of",
            "2025-09-01",
            "--format",
            "json",
        ],
    );
    let labels = &v[0]["labels"];
    let bt = &labels["battle_tested"];
    assert_eq!(bt["status"], "unmet");
    assert_eq!(bt["clock_start"], "2025-07-14");
    assert!(
        bt["missing"][0]
            .as_str()
            .unwrap()
            .contains("only from 2026-01-15")
    );
    // The last value-locked point (2024-01-26) is too old to project from.
    assert_eq!(bt["earliest"], Value::Null);
    // 2024-06-10 to 2025-09-01: 14 months. The high incident of 2024-08-16
    // is not after 2025-09-01 - 12 months = 2024-09-01, so only age is missing.
    let ps = &labels["proof_systems"][0];
    assert_eq!(ps["months_in_production"], 14);
    assert_eq!(ps["rating"], "maturing");
    assert_eq!(
        ps["missing_for_next"],
        serde_json::json!([
            "production-24-months: in production since 2024-06-10: 24 months only on 2026-06-10"
        ])
    );
}
