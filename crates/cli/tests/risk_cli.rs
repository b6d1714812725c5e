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
    // One number format: 3 significant digits, scientific below 1e-3;
    // exact fractions only with --exact.
    for part in [
        "Stage 0 (4/7 council)",
        "Stage 1 (6/8 council)",
        "0.00273",
        "2.34e-5",
        "p = 0.071",
        "p = 2.43e-5",
        "least risky",
        "horizon",
    ] {
        assert!(s.contains(part), "missing {part:?} in:\n{s}");
    }
    for absent in ["53/746", "2341/96193162", "0.002728", "2.43364e-5"] {
        assert!(!s.contains(absent), "{absent:?} without --exact in:\n{s}");
    }
    let out = run(&["--proof-failure", "0.001", "--exact"]);
    let s = String::from_utf8(out.stdout).unwrap();
    for part in ["53/746", "2341/96193162", "270459/3809179"] {
        assert!(s.contains(part), "missing {part:?} with --exact in:\n{s}");
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

fn base_toml() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.join("fixtures/base-2025.toml")
        .to_str()
        .unwrap()
        .to_string()
}

fn has_assumption(v: &Value, part: &str) -> bool {
    v["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a.as_str().unwrap().contains(part))
}

#[test]
fn base_nested_council_exactly() {
    // Base's upgrade Safe: 2 of (2 of (Security Council 7/10, Coinbase
    // 3/6), Optimism Foundation 5/7). Coinbase's six keys are one entity,
    // the Foundation's seven too: each of those Safes breaks (its broken
    // keys can sign, and its honest keys cannot) with q = 0.1, together.
    // The council's ten independent members: S7 = P(Bin(10, 0.1) ≥ 7) =
    // 5701/625000000, B4 = P(Bin(10, 0.1) ≥ 4) = 7996999/625000000.
    // Overrides: all three Safes sign wrongly: S7 · 0.1 · 0.1 = 5701/6.25e10.
    // Blocked: any one cannot sign: 1 − (1 − B4) · 0.9² = 12522756919/6.25e10.
    // Overriding needs the council's 7, which also blocks it, so the union
    // slope is P(blocked) − P(overrides) = 6261375609/3.125e10, and
    // Stage 2 is safer below S / (1 − slope) = 5701/49977248782.
    // (Python fractions, and a brute force over the 10 members' count and
    // the two entities, deciding from the signatures themselves.)
    let base = base_toml();
    let v = json(&["--project", &base]);
    let c = &v["current"];
    assert_eq!(c["council"], "2 of (2 of (7/10, 3/6), 5/7)");
    assert_eq!(c["structure"], "nested");
    assert_eq!(c["team_members"], 1, "Coinbase");
    assert_eq!(c["outside_members"], 11, "10 members and the Foundation");
    assert_eq!(c["exact"]["council_override"], "5701/62500000000");
    assert_eq!(c["exact"]["council_blocked"], "12522756919/62500000000");
    assert_eq!(c["exact"]["proof_weight"], "6261375609/31250000000");
    assert_eq!(c["exact"]["stage2_safer_below"], "5701/49977248782");
    same_float(f(&c["council_override"]), 5701.0 / 62500000000.0);
    same_float(f(&c["council_blocked"]), 0.200364110704);
    same_float(f(&c["stage2_safer_below"]), 5701.0 / 49977248782.0);
    assert!(has_assumption(&v, "nested council"), "{v}");
    assert!(!has_assumption(&v, "approximation"), "{v}");

    // Loss at p = 1/1000: S + p · slope = 6264226109/3.125e13.
    let v = json(&["--project", &base, "--proof-failure", "0.001"]);
    assert_eq!(v["current"]["exact"]["loss"], "6264226109/31250000000000");
    same_float(f(&v["current"]["loss"]), 6264226109.0 / 31250000000000.0);
    // Additive: slope P(blocked); S / (1 − P(blocked)) = 5701/49977243081.
    let v = json(&["--project", &base, "--formula", "additive"]);
    assert_eq!(
        v["current"]["exact"]["proof_weight"],
        "12522756919/62500000000"
    );
    assert_eq!(
        v["current"]["exact"]["stage2_safer_below"],
        "5701/49977243081"
    );
    // Coinbase is the only team entity, within one Safe: the block
    // changes nothing.
    let v = json(&["--project", &base, "--team-block"]);
    assert_eq!(
        v["current"]["exact"]["council_override"],
        "5701/62500000000"
    );
    // A common shock c breaks every key of every Safe:
    // c + (1 − c) · S = 1/100 + 99/100 · 5701/6.25e10 = 62500564399/6.25e12.
    let v = json(&["--project", &base, "--common-shock", "0.01"]);
    assert_eq!(
        v["current"]["exact"]["council_override"],
        "62500564399/6250000000000"
    );

    let out = run(&["--project", &base]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("2 of (2 of (7/10, 3/6), 5/7) (1 team, 11 outside entities)"),
        "{text}"
    );
    assert!(text.contains("9.12e-8"), "{text}");
}

/// A flagged 2-of-2 of `safe-a` and `safe-b` with the given members.
fn nested_file(dir: &Path, name: &str, root_members: &str, a: &str, b: &str) -> String {
    let s = format!(
        r#"[project]
id = "nested-rollup"
name = "Nested Rollup"
kind = "optimistic"

[governance.exit]
forced_inclusion = "1d"
finalization = "7d"
proposing = "permissionless"
challenging = "permissionless"

[[governance.actors]]
id = "council"
kind = "multisig"
security_council = true
threshold = 2
members = [{root_members}]

[[governance.actors]]
id = "safe-a"
kind = "multisig"
threshold = 2
members = [{a}]

[[governance.actors]]
id = "safe-b"
kind = "multisig"
threshold = 3
members = [{b}]
"#
    );
    let path = dir.join(name);
    std::fs::write(&path, s).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn nested_council_with_an_entity_in_two_safes() {
    // 2 of (A = 2 of (X, Y, Z), B = 3 of (X, V, W, U)), q = 0.1; X holds a
    // key in both Safes and breaks in both at once.
    // Overrides: X broken (0.1): A needs 1 of Y, Z (1 − 0.81 = 0.19), B 2
    // of V, W, U (3 · 0.01 · 0.9 + 0.001 = 0.028); X honest (0.9): A needs
    // Y and Z (0.01), B all three (0.001):
    // 0.1 · 0.19 · 0.028 + 0.9 · 0.01 · 0.001 = 541/10⁶.
    // Blocked (A at 2 broken, B at 2): X broken: 1 − 0.81 · 0.729 = 0.40951;
    // X honest: 1 − 0.99 · 0.972 = 0.03772: 0.1 · 0.40951 + 0.9 · 0.03772 =
    // 74899/10⁶. (Checked by brute force over the six entities with Python
    // fractions; X counted as two independent entities would give
    // 259/2500000.)
    let dir = tempfile::tempdir().unwrap();
    let o = r#"affiliation = "outside""#;
    let t = r#"affiliation = "team""#;
    let file = |name: &str, x: &str, v: &str| {
        nested_file(
            dir.path(),
            name,
            r#"{ actor = "safe-a" }, { actor = "safe-b" }"#,
            &format!(
                r#"{{ entity = "X", {x} }}, {{ entity = "Y", {o} }}, {{ entity = "Z", {o} }}"#
            ),
            &format!(
                r#"{{ entity = "X", {x} }}, {{ entity = "V", {v} }}, {{ entity = "W", {o} }}, {{ entity = "U", {o} }}"#
            ),
        )
    };
    let shared = file("shared.toml", o, o);
    let v = json(&["--project", &shared]);
    let c = &v["current"];
    assert_eq!(c["council"], "2 of (2/3, 3/4)");
    assert_eq!(c["structure"], "nested");
    assert_eq!(c["exact"]["council_override"], "541/1000000");
    assert_eq!(c["exact"]["council_blocked"], "74899/1000000");
    assert!(has_assumption(&v, "`X` signs in several"), "{v}");

    // X and V on the team, breaking together with --team-block (0.1): A
    // then needs 1 of Y, Z (0.19) and B 1 of W, U (0.19); otherwise A
    // needs Y and Z and B cannot reach 3: 0.1 · 0.19² = 361/10⁵.
    let team = file("team.toml", t, t);
    let v = json(&["--project", &team, "--team-block"]);
    assert_eq!(v["current"]["exact"]["council_override"], "361/100000");
    assert_eq!(v["current"]["exact"]["council_blocked"], "11791/100000");
    assert_eq!(v["current"]["team_members"], 2);
    // Without the block, as before.
    let v = json(&["--project", &team]);
    assert_eq!(v["current"]["exact"]["council_override"], "541/1000000");
}

#[test]
fn nested_council_beyond_the_exact_model_is_flattened() {
    // 2 of (safe-a, T, T): T's two keys give two signatures beside a
    // nested Safe, which a K-of-m over signers cannot express. Flattened:
    // T alone reaches the threshold, so any 1 of the 4 entities X, Y, Z, T:
    // 1 − 0.9⁴ = 3439/10⁴ (the exact answer would be about 0.1).
    let dir = tempfile::tempdir().unwrap();
    let path = nested_file(
        dir.path(),
        "mixed.toml",
        r#"{ actor = "safe-a" }, { entity = "T", affiliation = "team" }, { entity = "T", affiliation = "team" }"#,
        r#"{ entity = "X" }, { entity = "Y" }, { entity = "Z" }"#,
        r#"{ entity = "W" }, { entity = "V" }, { entity = "U" }"#,
    );
    let v = json(&["--project", &path]);
    let c = &v["current"];
    assert_eq!(c["structure"], "flattened");
    assert_eq!(c["council"], "1/4");
    assert_eq!(c["exact"]["council_override"], "3439/10000");
    assert!(has_assumption(&v, "nested council"), "{v}");
    assert!(has_assumption(&v, "holds several of its keys"), "{v}");
    assert!(has_assumption(&v, "approximation"), "{v}");

    // With T and K holding one key each every signer gives one signature,
    // and it is exact: 2 of the independent events A (2 of 3 break:
    // 3 · 0.01 · 0.9 + 0.001 = 0.028), T (0.1), K (0.1):
    // 0.028 · (1 − 0.9²) + 0.972 · 0.1² = 0.01504 = 47/3125.
    let path = nested_file(
        dir.path(),
        "keys.toml",
        r#"{ actor = "safe-a" }, { entity = "T", affiliation = "team" }, { entity = "K" }"#,
        r#"{ entity = "X" }, { entity = "Y" }, { entity = "Z" }"#,
        r#"{ entity = "W" }, { entity = "V" }, { entity = "U" }"#,
    );
    let v = json(&["--project", &path]);
    assert_eq!(v["current"]["structure"], "nested");
    assert_eq!(v["current"]["council"], "2 of (2/3, 1/1, 1/1)");
    assert_eq!(v["current"]["exact"]["council_override"], "47/3125");
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
