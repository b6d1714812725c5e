//! L2BEAT's five risk categories for a Stage 0, a Stage 1 and a Stage 2
//! catalog project, with levels justified from each file's sources.

use std::path::Path;

use l2stage_assess::risk_summary::Level;
use l2stage_assess::{Assessment, Context};
use l2stage_framework::{Selection, Stage};
use l2stage_model::load_path;

fn assess(id: &str, day: &str) -> Assessment {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../catalog")
        .join(format!("{id}.toml"));
    let p = load_path(&path).unwrap_or_else(|e| panic!("{e}"));
    l2stage_assess::assess(
        &p,
        &Context::new(Selection {
            framework: None,
            as_of: day.parse().unwrap(),
        }),
    )
    .unwrap()
}

fn levels(a: &Assessment) -> [Level; 5] {
    let r = &a.risk_summary;
    [
        r.state_validation.level,
        r.data_availability.level,
        r.exit_window.level,
        r.sequencer_failure.level,
        r.proposer_failure.level,
    ]
}

/// Linea (Stage 0): validity proofs and data on Ethereum (good, good); its
/// file records no forced-inclusion mechanism (L2BEAT: SEQUENCER_NO_MECHANISM)
/// so users cannot exit without the operators: exit window none (bad) and
/// sequencer failure bad; proposers are whitelisted but anyone may propose
/// after 182 days 12 hours without a state root (good).
#[test]
fn linea_stage_0() {
    let a = assess("linea", "2025-09-01");
    assert_eq!(a.verdict.stage, Stage::Stage0);
    use Level::*;
    assert_eq!(
        levels(&a),
        [Good, Good, Bad, Bad, Good],
        "{:#?}",
        a.risk_summary
    );
    assert!(
        a.risk_summary
            .proposer_failure
            .text
            .contains("182 days 12 hours"),
        "{}",
        a.risk_summary.proposer_failure.text
    );
}

/// Arbitrum One (Stage 1 in 2025): BoLD lets anyone challenge (good), data
/// on Ethereum (good), the DAO path leaves 10 days (7–30: warning), the
/// sequencer can delay a forced transaction 1 day (good), proposing is
/// permissionless (good).
#[test]
fn arbitrum_one_stage_1() {
    let a = assess("arbitrum-one", "2025-09-01");
    assert_eq!(a.verdict.stage, Stage::Stage1);
    use Level::*;
    assert_eq!(
        levels(&a),
        [Good, Good, Warning, Good, Good],
        "{:#?}",
        a.risk_summary
    );
    assert!(a.risk_summary.exit_window.text.contains("10 days"));
    assert!(a.risk_summary.sequencer_failure.text.contains("1 day"));
}

/// Fuel v1 (Stage 2, archived 2025-06-20): immutable contracts (its
/// structure has no actor and no power), permissionless fraud proofs, data
/// on Ethereum, users exit without the operators: all good, and the exit
/// window is unbounded.
#[test]
fn fuel_v1_stage_2() {
    let a = assess("fuel-v1", "2025-01-01");
    assert_eq!(a.verdict.stage, Stage::Stage2);
    assert_eq!(levels(&a), [Level::Good; 5], "{:#?}", a.risk_summary);
    assert!(
        a.risk_summary.exit_window.text.starts_with("Unbounded"),
        "{}",
        a.risk_summary.exit_window.text
    );
}

/// A project without structure and without declarations: unknown, and the
/// text names what is missing.
#[test]
fn missing_data_is_unknown_not_bad() {
    let src = r#"
[project]
id = "bare"
name = "Bare"
kind = "optimistic"
"#;
    let p = l2stage_model::parse_str("bare.toml", src, l2stage_model::Format::Toml).unwrap();
    let a = l2stage_assess::assess(
        &p,
        &Context::new(Selection {
            framework: None,
            as_of: "2025-09-01".parse().unwrap(),
        }),
    )
    .unwrap();
    assert_eq!(levels(&a), [Level::Unknown; 5], "{:#?}", a.risk_summary);
    assert!(
        a.risk_summary
            .state_validation
            .text
            .contains("proof-system")
    );
    assert!(
        a.risk_summary
            .sequencer_failure
            .text
            .contains("forced_inclusion")
    );
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["risk_summary"]["exit_window"]["level"], "unknown");
}
