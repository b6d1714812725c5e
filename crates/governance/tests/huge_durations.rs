//! Durations in blocks so long their seconds overflow: refused when the
//! structure is validated (a clear error on the field), never a panic or a
//! delay silently read as zero in the analysis.

use l2stage_model::governance::Governance;
use serde_json::json;

fn gov(forced: &str, delay: &str) -> Result<Governance, serde_json::Error> {
    serde_json::from_value(json!({
        "block_time": "12s",
        "exit": {"forced_inclusion": forced, "finalization": "7d", "proposing": ["ops"], "self_propose": "7d", "challenging": "permissionless"},
        "actors": [{"id": "ops", "kind": "eoa"}],
        "powers": [{"actor": "ops", "power": "upgrade", "delay": delay}],
    }))
}

#[test]
fn block_counts_whose_seconds_overflow_are_refused() {
    for (forced, delay, field) in [
        // Too long whatever the block time: refused as the file is read.
        ("9223372036854775808 blocks @ 1s", "1h", None),
        ("18446744073709551615 blocks", "1h", None),
        ("1d", "18446744073709551615 blocks @ 12s", None),
        // Too long at the structure's 12 s block time: refused on the field.
        ("1d", "1000000000000000 blocks", Some("delay")),
        ("900000000000000 blocks", "1h", Some("forced_inclusion")),
    ] {
        let text = match (gov(forced, delay), field) {
            (Err(e), None) => e.to_string(),
            (Ok(g), Some(field)) => {
                let e = g.validate().map(|_| ()).expect_err(forced);
                let text = format!("{e:?}");
                assert!(text.contains(field), "{forced} / {delay}: {text}");
                text
            }
            (r, _) => panic!("{forced} / {delay}: refused at the wrong step: {r:?}"),
        };
        assert!(text.contains("too long"), "{forced} / {delay}: {text}");
    }
    // Long but representable: accepted, and the analysis runs.
    let g = gov("1000000 blocks", "1h").expect("structure");
    g.validate().expect("a long delay that fits");
    l2stage_governance::analyze(&g, l2stage_model::Kind::Optimistic).expect("analysis");
}

#[test]
fn analysis_of_an_unvalidated_huge_delay_does_not_panic() {
    // Built in code, past the parser's bound: the analysis saturates.
    use l2stage_model::DurationSpec;
    let mut g = gov("1d", "1h").expect("structure");
    let blocks = |count| DurationSpec::Blocks {
        count,
        block_time: Some(1),
    };
    g.exit.forced_inclusion = Some(blocks(1 << 63));
    g.powers[0].delay = Some(blocks(i64::MAX as u64));
    let _ = l2stage_governance::analyze(&g, l2stage_model::Kind::Optimistic);
}
