//! Proof-system maturity ratings against the rules of docs/labels.md, with
//! hand-computed dates.

use l2stage_labels::maturity::{CheckStatus, MaturityRating, ProofSystemSummary, summarize};
use l2stage_labels::registry::{ProofSystem, Registry};
use l2stage_model::labels::parse_proof_system;
use l2stage_model::{Date, Format, Slug};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// In production since 2021-01-01, audited by two firms, $2M bounty, no
/// trusted setup, everything reproducible.
const MATURE: &str = r#"
name = "Demo fault proofs"
kind = "fraud"
implementation = "demo-vm + demo-program"
version = "v3"
in_production_since = 2021-01-01
trusted_setup_risk = "none"
prover_source_published = true
verifier_reproducible = true
programs_reproducible = true
shared_components = ["revm"]

[[audits]]
firm = "Firm A"
date = 2020-11-01
url = "https://example.org/a.pdf"

[[audits]]
firm = "Firm B"
date = 2022-05-01
url = "https://example.org/b.pdf"

[bug_bounty]
max_usd = 2_000_000
url = "https://example.org/bounty"
"#;

fn system(id: &str, src: &str) -> ProofSystem {
    ProofSystem {
        id: Slug::parse(id).unwrap(),
        file: parse_proof_system(id, src, Format::Toml).unwrap(),
    }
}

fn rate(src: &str, as_of: &str) -> ProofSystemSummary {
    summarize(&system("demo", src), vec![], d(as_of))
}

fn criterion(s: &ProofSystemSummary, id: &str) -> CheckStatus {
    s.criteria
        .iter()
        .find(|c| c.id.as_str() == id)
        .unwrap_or_else(|| panic!("no criterion {id}"))
        .status
}

#[test]
fn everything_shown_is_mature() {
    let s = rate(MATURE, "2026-06-15");
    assert_eq!(s.rating, MaturityRating::Mature);
    // 2021-01-01 to 2026-06-15: 5 years and 5 whole months.
    assert_eq!(s.months_in_production, Some(65));
    assert_eq!(s.audit_firms, ["Firm A", "Firm B"]);
    assert_eq!(s.bug_bounty_usd, Some(2_000_000.0));
    assert!(s.missing_for_next.is_empty());
    assert_eq!(s.criteria.len(), 14);
    assert!(s.criteria.iter().all(|c| c.status == CheckStatus::Met));
}

#[test]
fn under_24_months_is_maturing() {
    // 2021-01-01 + 24 months = 2023-01-01.
    let s = rate(MATURE, "2022-12-31");
    assert_eq!(s.rating, MaturityRating::Maturing);
    assert_eq!(s.months_in_production, Some(23));
    assert_eq!(criterion(&s, "production-24-months"), CheckStatus::Unmet);
    assert_eq!(
        s.missing_for_next,
        ["production-24-months: in production since 2021-01-01: 24 months only on 2023-01-01"]
    );
    assert_eq!(rate(MATURE, "2023-01-01").rating, MaturityRating::Mature);
}

#[test]
fn under_6_months_is_immature_and_before_launch_not_in_production() {
    // 2021-01-01 + 6 months = 2021-07-01; the second audit is not out yet.
    let s = rate(MATURE, "2021-06-30");
    assert_eq!(s.rating, MaturityRating::Immature);
    assert_eq!(criterion(&s, "production-6-months"), CheckStatus::Unmet);
    assert_eq!(s.audits.len(), 1, "the 2022 audit is after as_of");
    assert_eq!(rate(MATURE, "2021-07-01").rating, MaturityRating::Maturing);
    let s = rate(MATURE, "2020-12-31");
    assert_eq!(s.rating, MaturityRating::NotInProduction);
    assert_eq!(s.months_in_production, None);
    assert_eq!(s.missing_for_next[0], "not in production until 2021-01-01");
}

#[test]
fn a_critical_incident_weighs_for_6_then_12_months() {
    let src = format!(
        "{MATURE}\n[[incidents]]\ndate = 2026-03-01\nsummary = \"Invalid proof accepted on a testnet fork\"\nseverity = \"critical\"\n"
    );
    // Within the 6 months before as_of.
    let s = rate(&src, "2026-06-15");
    assert_eq!(s.rating, MaturityRating::Immature);
    assert_eq!(
        criterion(&s, "no-critical-incident-6-months"),
        CheckStatus::Unmet
    );
    // 2026-09-01 - 6 months = 2026-03-01: an incident on that day no longer counts.
    assert_eq!(rate(&src, "2026-08-31").rating, MaturityRating::Immature);
    let s = rate(&src, "2026-09-01");
    assert_eq!(s.rating, MaturityRating::Maturing);
    assert_eq!(
        criterion(&s, "no-serious-incident-12-months"),
        CheckStatus::Unmet
    );
    // 2027-03-01 - 12 months = 2026-03-01.
    assert_eq!(rate(&src, "2027-02-28").rating, MaturityRating::Maturing);
    assert_eq!(rate(&src, "2027-03-01").rating, MaturityRating::Mature);
    // Before the incident happened, it does not count.
    assert_eq!(rate(&src, "2026-02-28").rating, MaturityRating::Mature);
}

#[test]
fn a_high_incident_only_blocks_mature() {
    let src = format!(
        "{MATURE}\n[[incidents]]\ndate = 2026-03-01\nsummary = \"Fell back to permissioned proofs\"\nseverity = \"high\"\n"
    );
    let s = rate(&src, "2026-06-15");
    assert_eq!(s.rating, MaturityRating::Maturing);
    assert_eq!(
        criterion(&s, "no-critical-incident-6-months"),
        CheckStatus::Met
    );
}

#[test]
fn undeclared_facts_are_unknown_and_not_credited() {
    let src = MATURE.replace("programs_reproducible = true\n", "");
    let s = rate(&src, "2026-06-15");
    assert_eq!(s.rating, MaturityRating::Maturing);
    assert_eq!(criterion(&s, "programs-reproducible"), CheckStatus::Unknown);
    assert_eq!(
        s.missing_for_next,
        [
            "programs-reproducible: not declared whether the program hashes are reproducible from source"
        ]
    );
    let src = MATURE.replace("trusted_setup_risk = \"none\"\n", "");
    let s = rate(&src, "2026-06-15");
    assert_eq!(s.rating, MaturityRating::Immature);
    assert_eq!(
        criterion(&s, "trusted-setup-not-high-risk"),
        CheckStatus::Unknown
    );
}

#[test]
fn trusted_setup_levels() {
    let medium = MATURE.replace(
        "trusted_setup_risk = \"none\"",
        "trusted_setup_risk = \"medium\"",
    );
    assert_eq!(rate(&medium, "2026-06-15").rating, MaturityRating::Maturing);
    let low = MATURE.replace(
        "trusted_setup_risk = \"none\"",
        "trusted_setup_risk = \"low\"",
    );
    assert_eq!(rate(&low, "2026-06-15").rating, MaturityRating::Mature);
    let high = MATURE.replace(
        "trusted_setup_risk = \"none\"",
        "trusted_setup_risk = \"high\"",
    );
    assert_eq!(rate(&high, "2026-06-15").rating, MaturityRating::Immature);
}

#[test]
fn bounty_and_audit_thresholds() {
    let small = MATURE.replace("max_usd = 2_000_000", "max_usd = 999_999");
    let s = rate(&small, "2026-06-15");
    assert_eq!(s.rating, MaturityRating::Maturing);
    assert_eq!(criterion(&s, "bounty-at-least-1m"), CheckStatus::Unmet);
    let exactly = MATURE.replace("max_usd = 2_000_000", "max_usd = 1_000_000");
    assert_eq!(rate(&exactly, "2026-06-15").rating, MaturityRating::Mature);
    let later = MATURE.replace(
        "url = \"https://example.org/bounty\"",
        "url = \"https://example.org/bounty\"\nsince = 2026-07-01",
    );
    let s = rate(&later, "2026-06-15");
    assert_eq!(
        s.rating,
        MaturityRating::Immature,
        "the bounty starts after as_of"
    );
    assert_eq!(s.bug_bounty_usd, None);
    let one_firm = MATURE.replace("firm = \"Firm B\"", "firm = \"firm a \"");
    let s = rate(&one_firm, "2026-06-15");
    assert_eq!(
        s.audit_firms.len(),
        1,
        "firm names compare trimmed, case-insensitively"
    );
    assert_eq!(s.rating, MaturityRating::Maturing);
}

#[test]
fn tee_is_at_most_maturing() {
    let tee = MATURE.replace("kind = \"fraud\"", "kind = \"tee\"");
    let s = rate(&tee, "2026-06-15");
    assert_eq!(s.rating, MaturityRating::Maturing);
    assert_eq!(criterion(&s, "not-tee"), CheckStatus::Unmet);
}

#[test]
fn shared_components_are_found_across_the_registry() {
    let mut reg = Registry::new();
    let other = MATURE.replace(
        "shared_components = [\"revm\"]",
        "shared_components = [\"revm\", \"sp1\"]",
    );
    for (id, src) in [
        ("alpha", MATURE),
        ("beta", other.as_str()),
        ("gamma", &MATURE.replace("[\"revm\"]", "[\"geth\"]")),
    ] {
        let ps = system(id, src);
        reg.insert(ps.id, ps.file);
    }
    let shares = reg.shares_with("alpha");
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0].component, "revm");
    assert_eq!(shares[0].proof_systems, ["beta"]);
    assert!(reg.shares_with("gamma").is_empty());
}

/// The criteria a summary lists are `CriterionId::ALL`, in order, each at
/// its own level, with the ids the JSON output has always used.
#[test]
fn criteria_follow_the_criterion_ids() {
    use l2stage_labels::CriterionId;
    let s = rate(MATURE, "2026-06-15");
    let ids: Vec<CriterionId> = s.criteria.iter().map(|c| c.id).collect();
    assert_eq!(ids, CriterionId::ALL);
    assert!(s.criteria.iter().all(|c| c.level == c.id.level()));
    let json = serde_json::to_value(&s.criteria[0]).unwrap();
    assert_eq!(json["id"], "production-6-months");
    assert_eq!(json["level"], "maturing");
    let basic = CriterionId::ALL
        .iter()
        .filter(|c| c.level() == MaturityRating::Maturing)
        .count();
    assert_eq!((basic, CriterionId::ALL.len()), (6, 14));
    let mut names: Vec<&str> = CriterionId::ALL.iter().map(|c| c.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 14, "criterion ids are distinct");
}
