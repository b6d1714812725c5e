//! `l2stage risk` as users and the product owner's checks call it: the
//! values of risk-model.md §1 in JSON (floating and exact, both formulas),
//! the generalisations, charts, `--project`, and exit status 2 for every
//! malformed argument. Expected values are computed independently (exact
//! fractions by hand or with Python's `fractions`), not by the crate.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .arg("risk")
        .args(args)
        .output()
        .expect("run l2stage")
}

fn json(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// Equal up to one ulp: the CLI prints the correctly rounded value (Python
/// reads it back exactly), but serde_json's default float parser may land
/// one ulp off.
fn same_float(a: f64, b: f64) {
    assert!(rel(a, b) <= f64::EPSILON, "{a} vs {b}");
}

#[test]
fn defaults_are_the_post() {
    let v = json(&[]);
    assert_eq!(v["formula"], "union");
    assert_eq!(v["horizon"], "1y");
    // P(X ≥ 4 of 7) = 341/125000, P(X ≥ 6 of 8) = 2341/10⁸, P(X ≥ 3 of 8) = 3809179/10⁸.
    same_float(f(&v["council_override"]["stage0"]), 0.002728);
    same_float(f(&v["council_override"]["stage1"]), 0.00002341);
    same_float(f(&v["council_blocked"]["stage1"]), 0.03809179);
    assert_eq!(v["exact"]["council_override"]["stage0"], "341/125000");
    assert_eq!(v["exact"]["crossovers"]["stage0_stage1"], "53/746");
    assert_eq!(v["exact"]["crossovers"]["stage1_stage2"], "2341/96193162");
    same_float(f(&v["crossovers"]["stage0_stage1"]), 53.0 / 746.0);
    same_float(f(&v["crossovers"]["stage1_stage2"]), 2341.0 / 96193162.0);
    assert!((f(&v["crossovers"]["stage0_stage1"]) - 0.0710456).abs() < 5e-8);
    assert!((f(&v["crossovers"]["stage1_stage2"]) - 2.43364e-5).abs() < 5e-11);
    // Without --proof-failure there is no failure nor optimal stage.
    assert!(v.get("failure").is_none());
    assert!(v.get("optimal_stage").is_none());
    // The other formula is alongside, labelled.
    assert_eq!(v["other_formula"]["formula"], "additive");
    assert_eq!(
        v["other_formula"]["exact"]["crossovers"]["stage0_stage1"],
        "270459/3809179"
    );
}

#[test]
fn additive_formula_as_published() {
    let v = json(&["--formula", "additive"]);
    assert_eq!(v["formula"], "additive");
    assert_eq!(v["exact"]["crossovers"]["stage0_stage1"], "270459/3809179");
    assert_eq!(v["exact"]["crossovers"]["stage1_stage2"], "2341/96190821");
    same_float(f(&v["crossovers"]["stage0_stage1"]), 270459.0 / 3809179.0);
    same_float(f(&v["crossovers"]["stage1_stage2"]), 2341.0 / 96190821.0);
    // The flat Stage 0 line: no p term for 4-of-7.
    assert_eq!(f(&v["proof_weight"]["stage0"]), 0.0);
    same_float(f(&v["proof_weight"]["stage1"]), 0.03809179);
}

#[test]
fn failure_and_optimal_stage_at_a_given_p() {
    let v = json(&["--proof-failure", "0.001"]);
    same_float(f(&v["failure"]["stage0"]), 0.002728);
    // 2341e-8 + 1e-3 · 3806838e-8 = 6147838e-11
    same_float(f(&v["failure"]["stage1"]), 6.147838e-5);
    same_float(f(&v["failure"]["stage2"]), 0.001);
    assert_eq!(v["optimal_stage"], 1);
    assert_eq!(v["exact"]["failure"]["stage1"], "3073919/50000000000");
    // The same p written as a fraction gives the same answer.
    let w = json(&["--proof-failure", "1/1000"]);
    assert_eq!(v["failure"], w["failure"]);
    // Below the Stage 1 = 2 crossover Stage 2 wins; above 53/746 Stage 0.
    assert_eq!(json(&["--proof-failure", "1e-5"])["optimal_stage"], 2);
    assert_eq!(json(&["--proof-failure", "0.1"])["optimal_stage"], 0);
    // Exactly at a crossover the higher stage is reported.
    assert_eq!(json(&["--proof-failure", "53/746"])["optimal_stage"], 1);
    // The sensitivity view names the input that moves the answer most.
    assert_eq!(v["sensitivity"]["most_influential"], "member_failure");
}

#[test]
fn other_council_shapes() {
    // 9-of-12 at q = 0.1: S = 33167/2e11, W = 2563730433/1e11 (fractions).
    let v = json(&["--stage1-council", "9/12"]);
    assert_eq!(
        v["exact"]["council_override"]["stage1"],
        "33167/200000000000"
    );
    assert_eq!(
        v["exact"]["proof_weight"]["stage1"],
        "2563730433/100000000000"
    );
    assert_eq!(v["exact"]["crossovers"]["stage0_stage1"], "83153/781506");
    assert_eq!(
        v["exact"]["crossovers"]["stage1_stage2"],
        "33167/194872539134"
    );
    assert!(rel(f(&v["council_override"]["stage1"]), 1.65835e-7) < 1e-12);
}

#[test]
fn correlated_members() {
    // Beta-binomial, q = 0.1, ρ = 0.1 (α = 0.9, β = 8.1): P(X ≥ 6 of 8)
    // = 19460505071/7040000000000 ≈ 0.00276428 — over 100× the independent value.
    let v = json(&["--correlation", "0.1"]);
    assert_eq!(
        v["exact"]["council_override"]["stage1"],
        "19460505071/7040000000000"
    );
    assert!(
        rel(
            f(&v["council_override"]["stage1"]),
            0.002_764_276_288_494_318
        ) < 1e-12
    );
    // ρ → 0 is the binomial.
    let w = json(&["--correlation", "1e-12"]);
    assert!(rel(f(&w["council_override"]["stage1"]), 0.00002341) < 1e-6);
    // A common shock: c + (1 − c)·2341e-8 = 100231759/1e10.
    let s = json(&["--common-shock", "0.01"]);
    assert_eq!(
        s["exact"]["council_override"]["stage1"],
        "100231759/10000000000"
    );
}

#[test]
fn missing_crossover_is_null() {
    // A single signer with q = 0.1 (F0 = 0.1) meets the 6-of-8 line at
    // p ≈ 2.6 > 1: Stage 1 is better for every proof system.
    let v = json(&["--stage0-council", "1/1"]);
    assert!(v["crossovers"]["stage0_stage1"].is_null());
    assert!(v["exact"]["crossovers"]["stage0_stage1"].is_null());
    assert_eq!(v["exact"]["crossovers"]["stage1_stage2"], "2341/96193162");
}

#[test]
fn horizon_is_carried() {
    let v = json(&["--horizon", "6mo"]);
    assert_eq!(v["horizon"], "6mo");
    assert_eq!(v["other_formula"]["horizon"], "6mo");
}

#[test]
fn malformed_arguments_exit_2() {
    let cases: &[&[&str]] = &[
        &["--member-failure", "1.5"],
        &["--member-failure", "-0.1"],
        &["--member-failure", "abc"],
        &["--member-failure", "nan"],
        &["--stage0-council", "8/7"],
        &["--stage1-council", "0/8"],
        &["--stage1-council", "6"],
        &["--stage1-council", "a/b"],
        &["--correlation", "1"],
        &["--correlation", "-0.1"],
        &["--proof-failure", "1.01"],
        &["--proof-failure", "1/0"],
        &["--common-shock", "2"],
        &["--formula", "sum"],
        &["--format", "yaml"],
        &["--horizon", "soon"],
    ];
    for args in cases {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?} should exit 2");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(args[0]),
            "{args:?}: error does not name the argument: {err}"
        );
    }
    let err = String::from_utf8_lossy(&run(&["--member-failure", "1.5"]).stderr).to_string();
    assert!(err.contains("must be in [0, 1]"), "{err}");
    let err = String::from_utf8_lossy(&run(&["--stage1-council", "9/8"]).stderr).to_string();
    assert!(err.contains("cannot exceed"), "{err}");
}

#[test]
fn text_output_is_readable() {
    let out = run(&["--proof-failure", "0.001"]);
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    for part in [
        "Stage 0 (4/7 council)",
        "Stage 1 (6/8 council)",
        "0.002728",
        "2.341e-5",
        "p = 0.0710456",
        "53/746",
        "p = 2.43364e-5",
        "2341/96193162",
        "270459/3809179",
        "least risky",
        "horizon",
    ] {
        assert!(s.contains(part), "missing {part:?} in:\n{s}");
    }
    // No colour codes when not on a terminal.
    assert!(!s.contains('\u{1b}'));
}

#[test]
fn charts_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let stages = dir.path().join("stages.svg");
    let out = run(&[
        "--chart",
        stages.to_str().unwrap(),
        "--proof-failure",
        "0.001",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(&stages).unwrap();
    assert!(svg.starts_with("<svg"));
    for part in [
        "1e-4",
        "p = 2.43e-5",
        "p = 0.0710",
        "Stage 2 (proof system only)",
    ] {
        assert!(svg.contains(part), "missing {part}");
    }
    assert!(!svg.contains("9.9999"), "unformatted log tick");

    let regions = dir.path().join("regions.svg");
    let v = json(&[
        "--chart",
        regions.to_str().unwrap(),
        "--chart-type",
        "regions",
    ]);
    assert_eq!(v["chart"]["type"], "regions");
    let svg = std::fs::read_to_string(&regions).unwrap();
    assert!(svg.contains("Stage 0 best") && svg.contains("Stage 2 best"));

    // An unwritable path is a runtime failure (1), not a usage error.
    let out = run(&["--chart", "/nonexistent-dir/x.svg"]);
    assert_eq!(out.status.code(), Some(1));
}

fn project_file(dir: &Path, governance: bool) -> String {
    let mut s = String::from(
        "[project]\nid = \"test-rollup\"\nname = \"Test Rollup\"\nkind = \"optimistic\"\n",
    );
    if governance {
        s.push_str(
            r#"
[governance.exit]
forced_inclusion = "1d"
finalization = "7d"
proposing = "permissionless"
challenging = "permissionless"

[[governance.actors]]
id = "security-council"
kind = "multisig"
security_council = true
threshold = 6
members = [
  { entity = "A", affiliation = "outside" }, { entity = "B", affiliation = "outside" },
  { entity = "C", affiliation = "outside" }, { entity = "D", affiliation = "outside" },
  { entity = "E", affiliation = "outside" }, { entity = "F", affiliation = "outside" },
  { entity = "T1", affiliation = "team" }, { entity = "T2", affiliation = "team" },
]

[[governance.powers]]
actor = "security-council"
power = "upgrade"
"#,
        );
    }
    let path = dir.join(if governance {
        "with.toml"
    } else {
        "without.toml"
    });
    std::fs::write(&path, s).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn project_council() {
    let dir = tempfile::tempdir().unwrap();
    let with = project_file(dir.path(), true);
    // Eight independent members, 6-of-8: the post's Stage 1 council.
    let v = json(&["--project", &with, "--proof-failure", "0.001"]);
    assert_eq!(v["project"]["id"], "test-rollup");
    assert_eq!(v["current"]["council"], "6/8");
    assert_eq!(v["current"]["exact"]["council_override"], "2341/100000000");
    assert_eq!(v["current"]["exact"]["stage2_safer_below"], "2341/96193162");
    same_float(f(&v["current"]["loss"]), 6.147838e-5);
    assert_eq!(v["current"]["team_members"], 2);
    // The two team members breaking together: 0.9·P(Y ≥ 6 of 6) +
    // 0.1·P(Y ≥ 4 of 6) = 9e-7 + 1.27e-4 = 1279/10⁷.
    let b = json(&["--project", &with, "--team-block"]);
    assert_eq!(b["current"]["exact"]["council_override"], "1279/10000000");
    // No governance, or a council flag alongside: usage errors.
    let without = project_file(dir.path(), false);
    assert_eq!(run(&["--project", &without]).status.code(), Some(2));
    assert_eq!(
        run(&["--project", &with, "--stage1-council", "6/8"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["--project", &with, "--correlation", "0.1"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["--team-block"]).status.code(), Some(2));

    // Base's nested council: 12 entities across three Safes, 9 needed
    // (docs.base.org); flattened to any 9 of 12 with q = 0.1:
    // Σ_{k=9..12} C(12,k) 0.1^k 0.9^(12−k) = 33167/2·10¹¹ (Python fractions).
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let base = root.join("catalog/base.toml");
    let v = json(&["--project", base.to_str().unwrap()]);
    assert_eq!(v["current"]["council"], "9/12");
    assert_eq!(v["current"]["team_members"], 1, "Coinbase");
    assert_eq!(
        v["current"]["exact"]["council_override"],
        "33167/200000000000"
    );
    assert!(
        v["assumptions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().contains("nested council")),
        "{v}"
    );
    assert_eq!(
        run(&["--project", "/nonexistent.toml"]).status.code(),
        Some(2)
    );
    let text = String::from_utf8(run(&["--project", &with]).stdout).unwrap();
    assert!(
        text.contains("Removing the council's power (Stage 2) is safer"),
        "{text}"
    );
}

#[test]
fn json_numbers_are_the_correctly_rounded_fractions() {
    // Read the printed text with Rust's exact float parser.
    let out = run(&["--format", "json", "--formula", "additive"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let number_after = |key: &str| -> f64 {
        let i = text.find(&format!("\"{key}\": ")).unwrap() + key.len() + 4;
        let end = text[i..].find([',', '\n']).unwrap();
        text[i..i + end].trim().parse().unwrap()
    };
    assert_eq!(number_after("stage0_stage1"), 270459.0 / 3809179.0);
    assert_eq!(number_after("stage1_stage2"), 2341.0 / 96190821.0);
}
