//! BattleTested from chain data, against dates and amounts computed by hand
//! from docs/labels.md: "more than 6 months" after S is met from S + 6
//! calendar months + 1 day; a total of exactly $100,000,000 fails and
//! $100,000,001 passes; $50,000,000 of ETH and stablecoins passes and
//! $49,999,999 fails.

use l2stage_labels::battle_tested::{History, LabelStatus, Series};
use l2stage_labels::chain::{
    CHAIN_GAP_TOLERANCE_DAYS, ChainChange, ChainData, ChainPoint, Source, Sources, evaluate,
};
use l2stage_model::Date;
use l2stage_model::labels::{Change, ValuePoint};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

const M: u64 = 1_000_000;

/// One point a day from `from` to `to` inclusive, blocks counting from 1000.
fn daily(from: &str, to: &str, eth: u64, stable: u64, other: u64) -> Vec<ChainPoint> {
    let (mut day, end) = (d(from), d(to));
    let mut out = Vec::new();
    let mut block = 1000;
    while day <= end {
        out.push(ChainPoint {
            date: day,
            block,
            eth_usd: eth,
            stablecoin_usd: stable,
            other_usd: other,
        });
        block += 7200;
        day = Date(day.0.succ_opt().unwrap());
    }
    out
}

fn set(points: &mut [ChainPoint], date: &str, eth: u64, stable: u64, other: u64) {
    let p = points.iter_mut().find(|p| p.date == d(date)).unwrap();
    p.eth_usd = eth;
    p.stablecoin_usd = stable;
    p.other_usd = other;
}

fn upgrade(date: &str, block: u64) -> ChainChange {
    ChainChange {
        date: d(date),
        block,
        kind: "implementation-upgraded".into(),
        address: "0x00000000000000000000000000000000000000aa".into(),
        field: "implementation".into(),
    }
}

/// $60M ETH + $0 stablecoins + $41M other = $101M a day through 2025, an
/// upgrade read on chain on 2025-01-15, watched all year.
fn year() -> ChainData {
    ChainData {
        points: daily("2025-01-01", "2025-12-31", 60 * M, 0, 41 * M),
        changes: vec![upgrade("2025-01-15", 123_456)],
        watched: Some((d("2025-01-01"), d("2025-12-31"))),
    }
}

fn eval(
    chain: &ChainData,
    live: Option<&str>,
    declared: &[Change],
    as_of: &str,
) -> l2stage_labels::BattleTested {
    evaluate(
        History {
            live_since: live.map(d),
            changes: declared,
            complete_until: None,
        },
        Series::Missing("no value-locked series"),
        Some(chain),
        d(as_of),
    )
}

#[test]
fn exactly_six_months_after_an_upgrade_is_not_enough() {
    let chain = year();
    let b = eval(&chain, Some("2024-06-01"), &[], "2025-07-15");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert_eq!(b.earliest, Some(d("2025-07-16")));
    assert_eq!(b.clock_start, Some(d("2025-01-15")));
    assert!(
        b.missing[0].contains("a safety-relevant change on 2025-01-15 restarted the clock")
            && b.missing[0].contains("read on chain at block 123456")
            && b.missing[0].contains("only from 2025-07-16"),
        "{:?}",
        b.missing
    );
    assert_eq!(
        b.sources,
        Some(Sources {
            changes: Source::Both,
            value_locked: Source::Chain
        })
    );
    let b = eval(&chain, Some("2024-06-01"), &[], "2025-07-16");
    assert_eq!(b.status, LabelStatus::Met);
    assert_eq!(b.since, Some(d("2025-07-16")));
    assert_eq!(b.latest_value.unwrap().total, 101_000_000.0);
    assert_eq!(b.gap_tolerance_days, Some(CHAIN_GAP_TOLERANCE_DAYS));
}

#[test]
fn an_upgrade_five_months_ago_gives_its_earliest_date() {
    let chain = ChainData {
        changes: vec![upgrade("2025-03-10", 9_000)],
        ..year()
    };
    // 2025-08-10 is five months after the upgrade.
    let b = eval(&chain, Some("2024-06-01"), &[], "2025-08-10");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert_eq!(b.earliest, Some(d("2025-09-11")));
    let last = b.last_safety_relevant_change.unwrap();
    assert_eq!(last.date, d("2025-03-10"));
    assert_eq!(last.evidence, vec!["block 9000".to_string()]);
}

#[test]
fn the_total_must_be_strictly_above_100m_every_day() {
    let mut chain = year();
    // One day at exactly $100,000,000.
    set(&mut chain.points, "2025-09-10", 60 * M, 0, 40 * M);
    let b = eval(&chain, Some("2024-06-01"), &[], "2025-10-01");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert!(
        b.missing.contains(
            &"value locked was $100,000,000 on 2025-09-10: not above $100,000,000".to_string()
        ),
        "{:?}",
        b.missing
    );
    // The run of good days restarts on 2025-09-11: + 6 months + 1 day.
    assert_eq!(b.earliest, Some(d("2026-03-12")));
    // One dollar more passes.
    set(&mut chain.points, "2025-09-10", 60 * M, 0, 40 * M + 1);
    let b = eval(&chain, Some("2024-06-01"), &[], "2025-10-01");
    assert_eq!(b.status, LabelStatus::Met, "{:?}", b.missing);
    assert_eq!(b.since, Some(d("2025-07-16")));
}

#[test]
fn eth_and_stablecoins_must_reach_50m() {
    // $30M ETH + $19,999,999 stablecoins = $49,999,999, plus $60M other.
    let chain = ChainData {
        points: daily("2025-01-01", "2025-12-31", 30 * M, 20 * M - 1, 60 * M),
        ..year()
    };
    let b = eval(&chain, Some("2024-06-01"), &[], "2025-10-01");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert!(
        b.missing
            .iter()
            .any(|m| m
                == "ETH and major stablecoins were $49,999,999 on 2025-10-01: below $50,000,000"),
        "{:?}",
        b.missing
    );
    assert_eq!(b.earliest, None);
    // Exactly $50,000,000 passes.
    let chain = ChainData {
        points: daily("2025-01-01", "2025-12-31", 30 * M, 20 * M, 60 * M),
        ..year()
    };
    let b = eval(&chain, Some("2024-06-01"), &[], "2025-10-01");
    assert_eq!(b.status, LabelStatus::Met);
}

#[test]
fn a_missing_day_is_unknown_not_carried_over() {
    let mut chain = year();
    chain.points.retain(|p| p.date != d("2025-09-05"));
    let b = eval(&chain, Some("2024-06-01"), &[], "2025-10-01");
    assert_eq!(b.status, LabelStatus::Unknown);
    assert!(
        b.missing.contains(
            &"no value-locked data between 2025-09-04 and 2025-09-06: 2 days apart, more than the 1-day gap tolerance"
                .to_string()
        ),
        "{:?}",
        b.missing
    );
}

#[test]
fn the_last_watched_day_bounds_the_history() {
    let chain = ChainData {
        watched: Some((d("2025-01-01"), d("2025-09-30"))),
        ..year()
    };
    let b = eval(&chain, Some("2024-06-01"), &[], "2025-09-30");
    assert_eq!(b.status, LabelStatus::Met);
    let b = eval(&chain, Some("2024-06-01"), &[], "2025-10-01");
    assert_eq!(b.status, LabelStatus::Unknown);
    assert!(
        b.missing[0].contains("complete until 2025-09-30"),
        "{:?}",
        b.missing
    );
}

#[test]
fn a_declared_history_ending_before_the_watch_leaves_a_hole() {
    let chain = year();
    let b = evaluate(
        History {
            live_since: Some(d("2024-06-01")),
            changes: &[],
            complete_until: Some(d("2024-11-30")),
        },
        Series::Missing("none"),
        Some(&chain),
        d("2025-10-01"),
    );
    assert_eq!(b.status, LabelStatus::Unknown);
    assert!(
        b.missing[0].contains("complete until 2024-11-30"),
        "{:?}",
        b.missing
    );
    // Reaching the day before the watch's first day closes the hole.
    let b = evaluate(
        History {
            live_since: Some(d("2024-06-01")),
            changes: &[],
            complete_until: Some(d("2024-12-31")),
        },
        Series::Missing("none"),
        Some(&chain),
        d("2025-10-01"),
    );
    assert_eq!(b.status, LabelStatus::Met);
}

#[test]
fn without_a_clock_start_the_chain_alone_is_unknown() {
    let chain = ChainData {
        changes: vec![],
        ..year()
    };
    let b = eval(&chain, None, &[], "2025-10-01");
    assert_eq!(b.status, LabelStatus::Unknown);
    assert_eq!(
        b.sources,
        Some(Sources {
            changes: Source::Chain,
            value_locked: Source::Chain
        })
    );
}

#[test]
fn declared_points_are_used_when_nothing_was_read() {
    let declared =
        vec![ValuePoint::new(d("2025-01-01"), 500e6, Some(300e6), Some(50e6), None).unwrap()];
    let chain = ChainData {
        points: vec![],
        ..year()
    };
    let b = evaluate(
        History {
            live_since: Some(d("2024-06-01")),
            changes: &[],
            complete_until: None,
        },
        Series::Points {
            points: &declared,
            gap_tolerance_days: 400,
        },
        Some(&chain),
        d("2025-10-01"),
    );
    assert_eq!(b.status, LabelStatus::Met);
    assert_eq!(b.latest_value.unwrap().total, 500e6);
    assert_eq!(b.sources.unwrap().value_locked, Source::Declared);
    // With chain points, the declared ones are not used at all.
    let b = evaluate(
        History {
            live_since: Some(d("2024-06-01")),
            changes: &[],
            complete_until: None,
        },
        Series::Points {
            points: &declared,
            gap_tolerance_days: 400,
        },
        Some(&year()),
        d("2025-10-01"),
    );
    assert_eq!(b.latest_value.unwrap().total, 101e6);
}

#[test]
fn a_later_point_for_the_same_date_wins() {
    let mut chain = year();
    let mut again = chain.points[200];
    again.other_usd = 0;
    chain.points.push(again);
    let b = eval(&chain, Some("2024-06-01"), &[], "2025-10-01");
    assert_eq!(b.status, LabelStatus::Unmet);
}

#[test]
fn without_chain_data_nothing_changes_and_no_sources_key() {
    let declared =
        vec![ValuePoint::new(d("2025-01-01"), 500e6, Some(300e6), Some(50e6), None).unwrap()];
    let h = History {
        live_since: Some(d("2024-06-01")),
        changes: &[],
        complete_until: None,
    };
    let s = Series::Points {
        points: &declared,
        gap_tolerance_days: 400,
    };
    let b = evaluate(h, s, None, d("2025-10-01"));
    assert_eq!(
        b,
        l2stage_labels::battle_tested::evaluate(h, s, d("2025-10-01"))
    );
    let json = serde_json::to_value(&b).unwrap();
    assert!(json.get("sources").is_none());
    let b = eval(&year(), Some("2024-06-01"), &[], "2025-10-01");
    let json = serde_json::to_value(&b).unwrap();
    assert_eq!(
        json["sources"],
        serde_json::json!({"changes": "declared and read on chain", "value_locked": "read on chain"})
    );
}
