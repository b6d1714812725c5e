//! The `[labels]` section, value-locked CSV files and proof-system files:
//! valid inputs parse to the expected values; invalid ones are rejected with
//! an error naming the file, line and field. Never a panic.

use l2stage_model::labels::{
    ChangeKind, ProofKind, Severity, TrustedSetupRisk, parse_proof_system, parse_value_csv,
};
use l2stage_model::{Date, Format, LoadError, parse_str};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

const HEAD: &str = "[project]\nid = \"demo\"\nname = \"Demo\"\nkind = \"optimistic\"\n\n";

struct Located {
    file: String,
    line: usize,
    field: Option<String>,
    message: String,
    hint: Option<String>,
}

fn located(e: LoadError) -> Located {
    match e {
        LoadError::Invalid(inv) => Located {
            file: inv.file.clone(),
            line: inv.line,
            field: inv.field.clone(),
            message: inv.message.clone(),
            hint: inv.hint.clone(),
        },
        other => panic!("expected a located error, got {other}"),
    }
}

fn toml_err(body: &str) -> Located {
    let src = format!("{HEAD}{body}");
    located(parse_str("demo.toml", &src, Format::Toml).expect_err("must be rejected"))
}

#[test]
fn full_labels_section_parses() {
    let src = format!(
        "{HEAD}[labels]\nproof_systems = [\"op-cannon\", \"kona\"]\nlive_since = 2021-11-11\n\n\
[[labels.changes]]\ndate = 2024-09-11\nsummary = \"Granite\"\nsafety_relevant = true\nkind = \"implementation\"\n\n\
[[labels.changes]]\ndate = 2025-01-01\nsummary = \"Gas limit raised\"\nsafety_relevant = false\n\n\
[labels.value_locked]\ngap_tolerance_days = 40\npoints = [\n  {{ date = 2025-01-01, total = 200_000_000, eth = 60_000_000, stablecoins = 15_000_000 }},\n  {{ date = 2025-02-01, total = 1.5e8, eth = 5e7, stablecoins = 1e7, other = 9e7 }},\n]\n"
    );
    let p = parse_str("demo.toml", &src, Format::Toml).unwrap();
    let l = p.labels.unwrap();
    let ids: Vec<&str> = l.proof_systems.0.iter().map(|s| s.as_str()).collect();
    assert_eq!(ids, ["op-cannon", "kona"]);
    assert_eq!(l.live_since, Some(d("2021-11-11")));
    assert_eq!(l.changes.len(), 2);
    assert_eq!(l.changes[0].kind, Some(ChangeKind::Implementation));
    assert!(l.changes[0].safety_relevant);
    assert!(!l.changes[1].safety_relevant);
    let v = l.value_locked.unwrap();
    assert_eq!(v.gap_tolerance_days, 40);
    assert_eq!(v.major_stablecoins, ["USDC", "USDT", "DAI"]);
    let pts = v.points.unwrap();
    assert_eq!(pts.len(), 2);
    // `other` is only what is written; never derived.
    assert_eq!(pts[0].other, None);
    assert_eq!(pts[0].eth_and_stablecoins(), Some(75_000_000.0));
    assert_eq!(pts[1].other, Some(90_000_000.0));
}

#[test]
fn json_labels_section_parses() {
    let src = r#"{"project": {"id": "demo", "name": "Demo", "kind": "validity"},
 "labels": {"live_since": "2023-03-01",
   "value_locked": {"csv": "data/demo.csv", "major_stablecoins": ["USDC"]}}}"#;
    let p = parse_str("demo.json", src, Format::Json).unwrap();
    let v = p.labels.unwrap().value_locked.unwrap();
    assert_eq!(v.csv.as_deref(), Some("data/demo.csv"));
    assert_eq!(v.gap_tolerance_days, 45);
    assert_eq!(v.major_stablecoins, ["USDC"]);
}

#[test]
fn unsorted_points_name_the_line_of_the_later_point() {
    let e = toml_err(
        "[labels.value_locked]\npoints = [\n  { date = 2025-02-01, total = 2e8, eth = 1e8, stablecoins = 0 },\n  { date = 2025-01-01, total = 2e8, eth = 1e8, stablecoins = 0 },\n]\n",
    );
    assert_eq!(e.file, "demo.toml");
    assert_eq!(e.line, 9);
    assert_eq!(e.field.as_deref(), Some("labels.value_locked.points[1]"));
    assert!(e.message.contains("increasing date order"), "{}", e.message);
    assert!(e.message.contains("2025-01-01"), "{}", e.message);
}

#[test]
fn duplicate_point_dates_are_rejected() {
    let e = toml_err(
        "[labels.value_locked]\npoints = [\n  { date = 2025-01-01, total = 2e8, eth = 1e8, stablecoins = 0 },\n  { date = 2025-01-01, total = 3e8, eth = 1e8, stablecoins = 0 },\n]\n",
    );
    assert_eq!(e.line, 9);
    assert!(e.message.contains("increasing date order"), "{}", e.message);
}

#[test]
fn negative_amount_names_the_value() {
    let e = toml_err(
        "[labels.value_locked]\npoints = [\n  { date = 2025-01-01, total = 2e8, eth = 1e8, stablecoins = 0 },\n  { date = 2025-02-01, total = 2e8,\n    eth = -5, stablecoins = 0 },\n]\n",
    );
    assert_eq!(e.line, 10);
    assert_eq!(
        e.field.as_deref(),
        Some("labels.value_locked.points[1].eth")
    );
    assert!(e.message.contains("cannot be negative"), "{}", e.message);
}

#[test]
fn split_larger_than_total_is_rejected_at_the_point() {
    // 60M + 50M = 110M > 100M (beyond the 0.5% rounding slack).
    let e = toml_err(
        "[labels.value_locked]\n[[labels.value_locked.points]]\ndate = 2025-01-01\ntotal = 100_000_000\neth = 60_000_000\nstablecoins = 50_000_000\n",
    );
    assert_eq!(e.line, 7, "the [[...points]] header line");
    assert_eq!(e.field.as_deref(), Some("labels.value_locked.points[0]"));
    assert!(e.message.contains("larger than the total"), "{}", e.message);
    assert!(e.message.contains("110000000"), "{}", e.message);
}

#[test]
fn split_within_rounding_is_accepted() {
    // 50.2M + 50M = 100.2M: 0.2% above the total, within the 0.5% slack.
    let src = format!(
        "{HEAD}[labels.value_locked]\npoints = [{{ date = 2025-01-01, total = 100_000_000, eth = 50_200_000, stablecoins = 50_000_000 }}]\n"
    );
    let p = parse_str("demo.toml", &src, Format::Toml).unwrap();
    let pts = p.labels.unwrap().value_locked.unwrap().points.unwrap();
    assert_eq!(pts[0].eth_and_stablecoins(), Some(100_200_000.0));
}

#[test]
fn split_with_other_must_add_up() {
    // 10 + 10 + 10 = 30M against a total of 100M.
    let e = toml_err(
        "[labels.value_locked]\npoints = [{ date = 2025-01-01, total = 1e8, eth = 1e7, stablecoins = 1e7, other = 1e7 }]\n",
    );
    assert_eq!(e.line, 7);
    assert!(e.message.contains("does not add up"), "{}", e.message);
}

#[test]
fn series_needs_exactly_one_source() {
    let e = toml_err("[labels.value_locked]\ngap_tolerance_days = 30\n");
    assert_eq!(e.field.as_deref(), Some("labels.value_locked"));
    assert!(e.message.contains("give the series"), "{}", e.message);
    let e = toml_err("[labels.value_locked]\ncsv = \"a.csv\"\npoints = []\n");
    assert!(e.message.contains("not both"), "{}", e.message);
}

#[test]
fn csv_path_must_be_relative() {
    let e = toml_err("[labels.value_locked]\ncsv = \"/home/me/tvl.csv\"\n");
    assert_eq!(e.field.as_deref(), Some("labels.value_locked"));
    assert!(
        e.message.contains("relative to the project file"),
        "{}",
        e.message
    );
}

#[test]
fn zero_gap_tolerance_is_rejected() {
    let e = toml_err("[labels.value_locked]\ncsv = \"a.csv\"\ngap_tolerance_days = 0\n");
    assert!(e.message.contains("at least 1"), "{}", e.message);
}

#[test]
fn change_without_safety_flag_is_rejected() {
    let e = toml_err("[[labels.changes]]\ndate = 2025-01-01\nsummary = \"x\"\n");
    assert_eq!(e.line, 6);
    assert!(
        e.field
            .as_deref()
            .unwrap_or("")
            .starts_with("labels.changes"),
        "{:?}",
        e.field
    );
    assert!(
        e.message.contains("missing field `safety_relevant`"),
        "{}",
        e.message
    );
}

#[test]
fn misspelt_labels_key_gets_a_hint() {
    let e = toml_err("[labels]\nlive_snce = 2021-01-01\n");
    assert_eq!(e.line, 7);
    assert_eq!(e.field.as_deref(), Some("labels.live_snce"));
    assert_eq!(e.hint.as_deref(), Some("did you mean `live_since`?"));
}

#[test]
fn duplicate_proof_system_is_rejected_at_the_second() {
    let e = toml_err("[labels]\nproof_systems = [\n  \"sp1\",\n  \"sp1\",\n]\n");
    assert_eq!(e.line, 9);
    assert_eq!(e.field.as_deref(), Some("labels.proof_systems[1]"));
    assert!(e.message.contains("listed twice"), "{}", e.message);
}

#[test]
fn a_proof_system_can_be_listed_for_a_period() {
    let src = format!(
        "{HEAD}[labels]\nproof_systems = [\"stwo\", {{ id = \"stone\", until = 2025-10-19 }}]\n"
    );
    let p = parse_str("demo.toml", &src, Format::Toml).unwrap();
    let ids = &p.labels.as_ref().unwrap().proof_systems;
    let names: Vec<&str> = ids.0.iter().map(|s| s.as_str()).collect();
    assert_eq!(names, ["stwo", "stone"]);
    let stone = ids.period("stone");
    assert_eq!(stone.until, Some(d("2025-10-19")));
    assert!(stone.applies_on(d("2025-10-18")) && !stone.applies_on(d("2025-10-19")));
    assert!(ids.period("stwo").applies_on(d("2020-01-01")));
    // Written back: a plain id stays a string, a dated one a table.
    let json = serde_json::to_value(ids).unwrap();
    assert_eq!(
        json,
        serde_json::json!(["stwo", { "id": "stone", "until": "2025-10-19" }])
    );
}

#[test]
fn bad_proof_system_periods_are_located() {
    let e = toml_err(
        "[labels]\nproof_systems = [\n  \"a\",\n  { id = \"b\", since = 2025-10-19, until = 2025-01-01 },\n]\n",
    );
    assert_eq!(e.line, 9);
    assert_eq!(e.field.as_deref(), Some("labels.proof_systems[1]"));
    assert!(e.message.contains("must be after `since`"), "{}", e.message);
    let e = toml_err(
        "[labels]\nproof_systems = [\n  \"a\",\n  { id = \"a\", until = 2025-01-01 },\n]\n",
    );
    assert_eq!(e.field.as_deref(), Some("labels.proof_systems[1]"));
    assert!(e.message.contains("listed twice"), "{}", e.message);
    let e = toml_err("[labels]\nproof_systems = [{ id = \"a\", untill = 2025-01-01 }]\n");
    assert!(
        e.message.contains("unknown field `untill`"),
        "{}",
        e.message
    );
}

// --- CSV -----------------------------------------------------------------

fn csv_err(src: &str) -> Located {
    located(parse_value_csv("data/x.csv", src).expect_err("must be rejected"))
}

#[test]
fn csv_parses_with_comments_and_any_column_order() {
    let src = "# Source: https://example.org/tvl\n\ndate,eth,total,stablecoins,other\n2025-01-01,60000000,200000000,15000000,125000000\n2025-02-01,1e8,2.5e8,5e7,\n";
    let pts = parse_value_csv("x.csv", src).unwrap();
    assert_eq!(pts.len(), 2);
    assert_eq!(pts[0].date, d("2025-01-01"));
    assert_eq!(pts[0].total, 200_000_000.0);
    assert_eq!(pts[0].eth, Some(60_000_000.0));
    assert_eq!(pts[1].total, 250_000_000.0);
    assert_eq!(pts[1].other, None, "an empty cell is not given");
}

#[test]
fn csv_parts_the_source_does_not_give_are_left_empty() {
    let src = "date,total,eth,stablecoins
2025-01-01,3e9,,2e9
2025-02-01,3e9,,
";
    let pts = parse_value_csv("x.csv", src).unwrap();
    assert_eq!(pts[0].eth, None);
    assert_eq!(pts[0].stablecoins, Some(2e9));
    assert_eq!(pts[0].eth_and_stablecoins(), None);
    assert_eq!(pts[0].eth_and_stablecoins_at_least(), 2e9);
    assert_eq!(pts[1].stablecoins, None);
    // The total is always required.
    let e = csv_err(
        "date,total,eth,stablecoins
2025-01-01,,1,1
",
    );
    assert_eq!(e.field.as_deref(), Some("total"));
    // Known parts still cannot exceed the total.
    let e = csv_err(
        "date,total,eth,stablecoins
2025-01-01,1e8,,2e8
",
    );
    assert!(
        e.message.contains("stablecoins = 200000000 exceeds total"),
        "{}",
        e.message
    );
}

#[test]
fn csv_unsorted_dates_name_file_and_line() {
    let e = csv_err(
        "# comment\ndate,total,eth,stablecoins\n2025-02-01,2e8,1e8,0\n2025-01-01,2e8,1e8,0\n",
    );
    assert_eq!(e.file, "data/x.csv");
    assert_eq!(e.line, 4);
    assert_eq!(e.field.as_deref(), Some("date"));
    assert!(e.message.contains("increasing date order"), "{}", e.message);
}

#[test]
fn csv_negative_value_names_line_and_column() {
    let e = csv_err("date,total,eth,stablecoins\n2025-01-01,2e8,1e8,0\n2025-02-01,2e8,-1,0\n");
    assert_eq!(e.line, 3);
    assert_eq!(e.field.as_deref(), Some("eth"));
    assert!(e.message.contains("cannot be negative"), "{}", e.message);
}

#[test]
fn csv_split_larger_than_total_names_the_line() {
    let e = csv_err("date,total,eth,stablecoins\n2025-01-01,100000000,60000000,50000000\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("larger than the total"), "{}", e.message);
}

#[test]
fn csv_other_malformations() {
    let e = csv_err("# c\ndate,total,eth,stablecoin\n");
    assert_eq!(e.line, 2);
    assert!(
        e.message.contains("unknown column `stablecoin`"),
        "{}",
        e.message
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean `stablecoins`?"));
    let e = csv_err("date,total,eth\n");
    assert!(
        e.message.contains("no `stablecoins` column"),
        "{}",
        e.message
    );
    let e = csv_err("date,total,eth,stablecoins\n2025-01-01,2e8,1e8\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("expected 4"), "{}", e.message);
    let e = csv_err("date,total,eth,stablecoins\n2025-13-01,2e8,1e8,0\n");
    assert_eq!(e.field.as_deref(), Some("date"));
    let e = csv_err("date,total,eth,stablecoins\n2025-01-01,\"1,000\",1e8,0\n");
    assert_eq!(e.line, 2);
    let e = csv_err("date,total,eth,stablecoins\n2025-01-01,NaN,1e8,0\n");
    assert_eq!(e.field.as_deref(), Some("total"));
    let e = csv_err("# only comments\n");
    assert!(e.message.contains("no header line"), "{}", e.message);
}

// --- proof-system files ----------------------------------------------------

#[test]
fn proof_system_file_parses() {
    let src = r#"
name = "Demo prover"
kind = "validity"
implementation = "demo-prover + Groth16 wrapper"
version = "v2"
in_production_since = 2024-03-01
trusted_setup_risk = "low"
prover_source_published = true
verifier_reproducible = true
shared_components = ["plonky3", "gnark"]

[[audits]]
firm = "Firm A"
date = 2024-01-10
url = "https://example.org/a.pdf"

[bug_bounty]
max_usd = 1_000_000
url = "https://example.org/bounty"

[[incidents]]
date = 2024-06-01
summary = "Soundness bug reported and fixed"
severity = "critical"
"#;
    let ps = parse_proof_system("demo.toml", src, Format::Toml).unwrap();
    assert_eq!(ps.kind, ProofKind::Validity);
    assert_eq!(ps.trusted_setup_risk, Some(TrustedSetupRisk::Low));
    assert_eq!(ps.programs_reproducible, None);
    assert_eq!(ps.audits[0].date, d("2024-01-10"));
    assert_eq!(ps.bug_bounty.unwrap().max_usd, 1_000_000.0);
    assert_eq!(ps.incidents[0].severity, Severity::Critical);
    assert_eq!(ps.shared_components.len(), 2);
}

#[test]
fn proof_system_errors_are_located() {
    let e = located(
        parse_proof_system(
            "ps.toml",
            "name = \"x\"\nkind = \"zk\"\nimplementation = \"y\"\n",
            Format::Toml,
        )
        .unwrap_err(),
    );
    assert_eq!(e.line, 2);
    assert_eq!(e.field.as_deref(), Some("kind"));
    assert!(e.hint.unwrap_or_default().contains("fraud, validity, tee"));
    let e = located(
        parse_proof_system(
            "ps.toml",
            "name = \"x\"\nkind = \"tee\"\nimplementation = \"y\"\n[bug_bounty]\nmax_usd = -1\nurl = \"u\"\n",
            Format::Toml,
        )
        .unwrap_err(),
    );
    assert_eq!(e.line, 5);
    assert_eq!(e.field.as_deref(), Some("bug_bounty.max_usd"));
}

#[test]
fn schema_documents_the_labels_section() {
    let s = l2stage_model::json_schema().to_string();
    for key in [
        "value_locked",
        "safety_relevant",
        "gap_tolerance_days",
        "proof_systems",
        "live_since",
    ] {
        assert!(s.contains(key), "{key} missing from the schema");
    }
    let ps = l2stage_model::labels::proof_system_schema().to_string();
    for key in [
        "trusted_setup_risk",
        "programs_reproducible",
        "shared_components",
        "in_production_since",
    ] {
        assert!(
            ps.contains(key),
            "{key} missing from the proof-system schema"
        );
    }
}
