//! BattleTested against hand-computed dates and amounts (docs/labels.md).
//!
//! Reminders for reading the expected dates: "more than 6 months" after a
//! start S is met from S + 6 calendar months + 1 day; the value must hold on
//! every day of [T, D] where T is the latest day with T + 6 months < D.

use l2stage_labels::battle_tested::{BattleTested, History, LabelStatus, Series, evaluate};
use l2stage_model::Date;
use l2stage_model::labels::{Change, ValuePoint};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

const M: f64 = 1_000_000.0;

/// A point: total and ETH+stablecoins in millions (split 60/40 when whole).
fn pt(date: &str, total_m: f64, eth_m: f64, stables_m: f64) -> ValuePoint {
    ValuePoint::new(
        d(date),
        total_m * M,
        Some(eth_m * M),
        Some(stables_m * M),
        None,
    )
    .unwrap()
}

/// Points on the first of every month from `from` (YYYY-MM) to `to` inclusive.
fn monthly(
    from: (i32, u32),
    to: (i32, u32),
    total_m: f64,
    eth_m: f64,
    stables_m: f64,
) -> Vec<ValuePoint> {
    let mut out = Vec::new();
    let (mut y, mut m) = from;
    while (y, m) <= to {
        out.push(pt(&format!("{y:04}-{m:02}-01"), total_m, eth_m, stables_m));
        m += 1;
        if m == 13 {
            m = 1;
            y += 1;
        }
    }
    out
}

/// $500M locked, $300M of it in ETH and $50M in stablecoins, Jan 2024 to Jan 2028.
fn healthy() -> Vec<ValuePoint> {
    monthly((2024, 1), (2028, 1), 500.0, 300.0, 50.0)
}

fn change(date: &str, safety_relevant: bool) -> Change {
    Change {
        date: d(date),
        summary: format!("change of {date}"),
        safety_relevant,
        kind: None,
        evidence: vec![],
    }
}

fn bt(live: Option<&str>, changes: &[Change], points: &[ValuePoint], as_of: &str) -> BattleTested {
    evaluate(
        History {
            live_since: live.map(d),
            changes,
            complete_until: None,
        },
        Series::Points {
            points,
            gap_tolerance_days: 45,
        },
        d(as_of),
    )
}

fn assert_missing(b: &BattleTested, needle: &str) {
    assert!(
        b.missing.iter().any(|m| m.contains(needle)),
        "no missing entry contains {needle:?}: {:#?}",
        b.missing
    );
}

#[test]
fn upgrade_five_months_ago_is_unmet_with_the_earliest_date() {
    let changes = [change("2026-01-15", true)];
    let b = bt(Some("2022-01-01"), &changes, &healthy(), "2026-06-15");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert_eq!(b.clock_start, Some(d("2026-01-15")));
    // 2026-01-15 + 6 months = 2026-07-15; more than that: 2026-07-16.
    assert_eq!(b.earliest, Some(d("2026-07-16")));
    assert_eq!(b.no_earliest_because, None);
    assert_eq!(b.since, None);
    assert_missing(&b, "safety-relevant change on 2026-01-15");
    assert_missing(&b, "only from 2026-07-16");
    assert_eq!(b.missing.len(), 1, "{:#?}", b.missing);
}

#[test]
fn exactly_six_months_is_not_more_than_six_months() {
    let changes = [change("2026-01-15", true)];
    let on = bt(Some("2022-01-01"), &changes, &healthy(), "2026-07-15");
    assert_eq!(on.status, LabelStatus::Unmet);
    assert_eq!(on.earliest, Some(d("2026-07-16")));
    let after = bt(Some("2022-01-01"), &changes, &healthy(), "2026-07-16");
    assert_eq!(after.status, LabelStatus::Met);
    assert_eq!(after.since, Some(d("2026-07-16")));
    assert_eq!(after.earliest, None);
    assert!(after.missing.is_empty());
}

#[test]
fn month_end_start_is_clamped() {
    // 2025-08-31 + 6 months = 2026-02-28 (February has no 31st).
    let changes = [change("2025-08-31", true)];
    let before = bt(Some("2022-01-01"), &changes, &healthy(), "2026-02-28");
    assert_eq!(before.status, LabelStatus::Unmet);
    assert_eq!(before.earliest, Some(d("2026-03-01")));
    let met = bt(Some("2022-01-01"), &changes, &healthy(), "2026-03-01");
    assert_eq!(met.status, LabelStatus::Met);
    assert_eq!(met.since, Some(d("2026-03-01")));
}

#[test]
fn tvl_dipping_to_90m_for_one_day_is_unmet() {
    let mut points = healthy();
    points.push(pt("2026-03-10", 90.0, 60.0, 20.0));
    points.push(pt("2026-03-11", 500.0, 300.0, 50.0));
    points.sort_by_key(|p| p.date);
    let b = bt(Some("2022-01-01"), &[], &points, "2026-06-15");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert_missing(
        &b,
        "value locked was $90,000,000 on 2026-03-10: not above $100,000,000",
    );
    // Only the total failed: $80M of ETH and stablecoins is enough.
    assert!(
        !b.missing.iter().any(|m| m.contains("ETH and major")),
        "{:#?}",
        b.missing
    );
    // The good run restarts on 2026-03-11: 2026-09-11 + 1 day.
    assert_eq!(b.earliest, Some(d("2026-09-12")));

    // The window of 2026-09-11 still holds the dip; the one of 2026-09-12 does not.
    let last_unmet = bt(Some("2022-01-01"), &[], &points, "2026-09-11");
    assert_eq!(last_unmet.status, LabelStatus::Unmet);
    let first_met = bt(Some("2022-01-01"), &[], &points, "2026-09-12");
    assert_eq!(first_met.status, LabelStatus::Met);
    assert_eq!(first_met.since, Some(d("2026-09-12")));
    let later = bt(Some("2022-01-01"), &[], &points, "2027-06-01");
    assert_eq!(later.since, Some(d("2026-09-12")));
}

#[test]
fn eth_and_stablecoins_at_49m_is_unmet_and_cannot_be_earned_as_is() {
    let points = monthly((2024, 1), (2027, 1), 500.0, 29.0, 20.0);
    let b = bt(Some("2022-01-01"), &[], &points, "2026-06-15");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert_missing(&b, "ETH and major stablecoins were $49,000,000");
    assert_missing(&b, "below $50,000,000");
    // The last observed value fails: never, if nothing changes.
    assert_eq!(b.earliest, None);
    assert_eq!(
        b.no_earliest_because.as_deref(),
        Some(
            "the last value-locked point (2026-06-01) is below the thresholds: the value locked would have to rise"
        )
    );
}

#[test]
fn a_gap_in_the_series_is_unknown_not_met() {
    // No point for 2026-03-01: 2026-02-01 to 2026-04-01 is 59 days.
    let points: Vec<ValuePoint> = healthy()
        .into_iter()
        .filter(|p| p.date != d("2026-03-01"))
        .collect();
    let b = bt(Some("2022-01-01"), &[], &points, "2026-06-15");
    assert_eq!(b.status, LabelStatus::Unknown);
    assert_eq!(b.since, None);
    assert_missing(
        &b,
        "between 2026-02-01 and 2026-04-01: 59 days apart, more than the 45-day gap tolerance",
    );
    // Even if the gap is never filled: known-good from 2026-04-01.
    assert_eq!(b.earliest, Some(d("2026-10-02")));

    // A tolerance of 60 days accepts the gap.
    let lenient = evaluate(
        History {
            live_since: Some(d("2022-01-01")),
            ..History::default()
        },
        Series::Points {
            points: &points,
            gap_tolerance_days: 60,
        },
        d("2026-06-15"),
    );
    assert_eq!(lenient.status, LabelStatus::Met);
    // Data starts 2024-01-01: met from 2024-07-02.
    assert_eq!(lenient.since, Some(d("2024-07-02")));

    // Once the gap has left the window, the label holds again.
    let later = bt(Some("2022-01-01"), &[], &points, "2026-12-15");
    assert_eq!(later.status, LabelStatus::Met);
    assert_eq!(later.since, Some(d("2026-10-02")));
}

#[test]
fn a_gap_of_exactly_the_tolerance_is_accepted() {
    // 2026-01-01 to 2026-02-15 is 45 days: not more than the tolerance.
    let points = vec![
        pt("2025-06-01", 500.0, 300.0, 50.0),
        pt("2025-07-01", 500.0, 300.0, 50.0),
        pt("2025-08-01", 500.0, 300.0, 50.0),
        pt("2025-09-01", 500.0, 300.0, 50.0),
        pt("2025-10-01", 500.0, 300.0, 50.0),
        pt("2025-11-01", 500.0, 300.0, 50.0),
        pt("2025-12-01", 500.0, 300.0, 50.0),
        pt("2026-01-01", 500.0, 300.0, 50.0),
        pt("2026-02-15", 500.0, 300.0, 50.0),
    ];
    let b = bt(Some("2022-01-01"), &[], &points, "2026-03-01");
    assert_eq!(b.status, LabelStatus::Met);
    assert_eq!(b.since, Some(d("2025-12-02")));
}

#[test]
fn stale_data_is_unknown() {
    let points = monthly((2024, 1), (2026, 1), 500.0, 300.0, 50.0);
    // 2026-01-01 + 45 days = 2026-02-15: still covered; 2026-02-16 is not.
    let covered = bt(Some("2022-01-01"), &[], &points, "2026-02-15");
    assert_eq!(covered.status, LabelStatus::Met);
    let stale = bt(Some("2022-01-01"), &[], &points, "2026-02-16");
    assert_eq!(stale.status, LabelStatus::Unknown);
    assert_missing(
        &stale,
        "no value-locked data after 2026-01-01: more than 45 days before 2026-02-16",
    );
}

#[test]
fn data_starting_inside_the_window_is_unknown() {
    let points = monthly((2026, 3), (2026, 6), 500.0, 300.0, 50.0);
    let b = bt(Some("2020-01-01"), &[], &points, "2026-06-15");
    assert_eq!(b.status, LabelStatus::Unknown);
    assert_missing(
        &b,
        "no value-locked data before 2026-03-01; the value must be known from 2025-12-14",
    );
    assert_eq!(b.earliest, Some(d("2026-09-02")));
}

#[test]
fn exactly_100m_total_is_not_above() {
    // "above $100M" is strict: exactly $100,000,000 fails.
    let points = monthly((2024, 1), (2027, 1), 100.0, 60.0, 20.0);
    let b = bt(Some("2022-01-01"), &[], &points, "2026-06-15");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert_missing(&b, "value locked was $100,000,000");
}

#[test]
fn exactly_50m_of_eth_and_stablecoins_is_enough() {
    // "at least $50M" includes $50,000,000; one dollar above $100M passes.
    let points: Vec<ValuePoint> = monthly((2024, 1), (2027, 1), 1.0, 1.0, 0.0)
        .into_iter()
        .map(|p| {
            ValuePoint::new(
                p.date,
                100_000_001.0,
                Some(30_000_000.0),
                Some(20_000_000.0),
                None,
            )
            .unwrap()
        })
        .collect();
    let b = bt(Some("2022-01-01"), &[], &points, "2026-06-15");
    assert_eq!(b.status, LabelStatus::Met, "{:#?}", b.missing);
    assert_eq!(b.since, Some(d("2024-07-02")));
    // One dollar less of ETH fails.
    let short: Vec<ValuePoint> = points
        .iter()
        .map(|p| {
            ValuePoint::new(
                p.date,
                100_000_001.0,
                Some(29_999_999.0),
                Some(20_000_000.0),
                None,
            )
            .unwrap()
        })
        .collect();
    let b = bt(Some("2022-01-01"), &[], &short, "2026-06-15");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert_missing(&b, "ETH and major stablecoins were $49,999,999");
}

#[test]
fn a_change_that_is_not_safety_relevant_keeps_the_clock() {
    let changes = [change("2026-05-01", false)];
    let b = bt(Some("2025-01-01"), &changes, &healthy(), "2026-06-15");
    assert_eq!(b.status, LabelStatus::Met);
    assert_eq!(b.clock_start, Some(d("2025-01-01")));
    assert_eq!(b.last_safety_relevant_change, None);
    // 2025-01-01 + 6 months = 2025-07-01, so met from 2025-07-02.
    assert_eq!(b.since, Some(d("2025-07-02")));

    // The same change, safety-relevant, restarts the clock.
    let changes = [change("2026-05-01", true)];
    let b = bt(Some("2025-01-01"), &changes, &healthy(), "2026-06-15");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert_eq!(b.earliest, Some(d("2026-11-02")));
}

#[test]
fn only_the_last_safety_relevant_change_on_or_before_as_of_counts() {
    let changes = [
        change("2024-03-01", true),
        change("2025-02-10", true),
        change("2025-06-01", false),
        change("2026-09-01", true), // after as_of: ignored
    ];
    let b = bt(None, &changes, &healthy(), "2026-06-15");
    assert_eq!(b.status, LabelStatus::Met);
    assert_eq!(b.clock_start, Some(d("2025-02-10")));
    assert_eq!(b.since, Some(d("2025-08-11")));
    assert_eq!(
        b.last_safety_relevant_change.as_ref().map(|c| c.date),
        Some(d("2025-02-10"))
    );
}

#[test]
fn points_after_as_of_are_ignored() {
    let mut points = monthly((2024, 1), (2026, 6), 500.0, 300.0, 50.0);
    points.push(pt("2026-07-01", 10.0, 5.0, 5.0));
    let b = bt(Some("2022-01-01"), &[], &points, "2026-06-15");
    assert_eq!(b.status, LabelStatus::Met);
    assert_eq!(b.latest_value.map(|v| v.date), Some(d("2026-06-01")));
    let after = bt(Some("2022-01-01"), &[], &points, "2026-07-01");
    assert_eq!(after.status, LabelStatus::Unmet);
}

#[test]
fn no_clock_start_is_unknown() {
    let b = bt(
        None,
        &[change("2025-01-01", false)],
        &healthy(),
        "2026-06-15",
    );
    assert_eq!(b.status, LabelStatus::Unknown);
    assert_eq!(b.earliest, None);
    assert_missing(&b, "the clock start is unknown");
    assert!(
        b.no_earliest_because
            .as_deref()
            .is_some_and(|w| w.starts_with("the clock start is unknown")),
        "{:?}",
        b.no_earliest_because
    );
}

#[test]
fn a_certain_failure_beats_missing_data() {
    let points = monthly((2024, 1), (2027, 1), 80.0, 60.0, 10.0);
    let b = bt(None, &[], &points, "2026-06-15");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert_missing(&b, "the clock start is unknown");
    assert_missing(&b, "$80,000,000");
}

#[test]
fn no_series_is_unknown() {
    let b = evaluate(
        History {
            live_since: Some(d("2020-01-01")),
            ..History::default()
        },
        Series::Missing("no value-locked series"),
        d("2026-06-15"),
    );
    assert_eq!(b.status, LabelStatus::Unknown);
    assert_eq!(b.missing, ["no value-locked series"]);
    assert_eq!(b.earliest, None);
}

#[test]
fn not_yet_live_is_unmet_with_earliest() {
    let b = bt(Some("2026-08-01"), &[], &healthy(), "2026-06-15");
    assert_eq!(b.status, LabelStatus::Unmet);
    assert_missing(&b, "not live on mainnet until 2026-08-01");
    assert_eq!(b.earliest, Some(d("2027-02-02")));
}

#[test]
fn window_is_reported() {
    let b = bt(Some("2022-01-01"), &[], &healthy(), "2026-06-15");
    let w = b.value_checked.unwrap();
    assert_eq!((w.from, w.to), (d("2025-12-14"), d("2026-06-15")));
    assert_eq!(b.gap_tolerance_days, Some(45));
    let v = b.latest_value.unwrap();
    assert_eq!(v.total, 500.0 * M);
    assert_eq!(v.eth_and_stablecoins, Some(350.0 * M));
}

#[test]
fn an_unknown_split_is_unknown_unless_the_known_part_suffices() {
    // Stablecoins alone ($60M) already reach $50M: ETH need not be known.
    let enough: Vec<ValuePoint> = healthy()
        .iter()
        .map(|p| ValuePoint::new(p.date, p.total, None, Some(60.0 * M), None).unwrap())
        .collect();
    let b = bt(Some("2022-01-01"), &[], &enough, "2026-06-15");
    assert_eq!(b.status, LabelStatus::Met);
    assert_eq!(b.latest_value.unwrap().eth_and_stablecoins, None);
    // Only $40M of stablecoins known and ETH not given: unknown, not unmet.
    let short: Vec<ValuePoint> = healthy()
        .iter()
        .map(|p| ValuePoint::new(p.date, p.total, None, Some(40.0 * M), None).unwrap())
        .collect();
    let b = bt(Some("2022-01-01"), &[], &short, "2026-06-15");
    assert_eq!(b.status, LabelStatus::Unknown);
    assert_missing(&b, "the known part, $40,000,000, does not show $50,000,000");
    // A total at or below $100M fails whatever the split.
    let low: Vec<ValuePoint> = healthy()
        .iter()
        .map(|p| ValuePoint::new(p.date, 90.0 * M, None, None, None).unwrap())
        .collect();
    assert_eq!(
        bt(Some("2022-01-01"), &[], &low, "2026-06-15").status,
        LabelStatus::Unmet
    );
}

#[test]
fn an_incomplete_change_history_cannot_be_met() {
    let history = |until: &str| History {
        live_since: Some(d("2022-01-01")),
        changes: &[],
        complete_until: Some(d(until)),
    };
    let points = healthy();
    let series = || Series::Points {
        points: &points,
        gap_tolerance_days: 45,
    };
    // Known complete through as_of: met.
    let b = evaluate(history("2026-06-15"), series(), d("2026-06-15"));
    assert_eq!(b.status, LabelStatus::Met);
    // Known only until the day before: a change may have happened since.
    let b = evaluate(history("2026-06-14"), series(), d("2026-06-15"));
    assert_eq!(b.status, LabelStatus::Unknown);
    assert_eq!(b.earliest, None);
    assert_missing(&b, "only known to be complete until 2026-06-14");
    // A known recent change is unmet whatever came after.
    let changes = [change("2026-03-01", true)];
    let b = evaluate(
        History {
            changes: &changes,
            ..history("2026-04-01")
        },
        series(),
        d("2026-06-15"),
    );
    assert_eq!(b.status, LabelStatus::Unmet);
}

mod properties {
    use super::*;
    use l2stage_labels::calendar::{next_day, prev_day};
    use proptest::prelude::*;

    fn day(n: i64) -> Date {
        Date(d("2024-01-01").0 + chrono::Duration::days(n))
    }

    fn inputs() -> impl Strategy<Value = Generated> {
        (
            proptest::option::of(0i64..900),
            proptest::collection::vec((0i64..1200, any::<bool>()), 0..4),
            proptest::collection::vec(
                (
                    prop_oneof![9 => 1i64..40, 1 => 40i64..100],
                    prop_oneof![9 => 110.0f64..400.0, 1 => 0.0f64..150.0],
                    prop_oneof![9 => 0.5f64..1.0, 1 => 0.0f64..0.5],
                ),
                0..40,
            ),
            0i64..1400,
            1u32..90,
        )
    }

    type Generated = (
        Option<i64>,
        Vec<(i64, bool)>,
        Vec<(i64, f64, f64)>,
        i64,
        u32,
    );

    fn build(g: &Generated) -> (Option<Date>, Vec<Change>, Vec<ValuePoint>, Date, u32) {
        let (live, changes, steps, as_of, tol) = g;
        let mut points = Vec::new();
        let mut at = 0i64;
        for (step, total_m, share) in steps {
            at += step;
            let total = total_m * M;
            points.push(
                ValuePoint::new(day(at), total, Some(total * share), Some(0.0), None).unwrap(),
            );
        }
        let changes = changes
            .iter()
            .map(|(n, s)| Change {
                date: day(*n),
                summary: "c".into(),
                safety_relevant: *s,
                kind: None,
                evidence: vec![],
            })
            .collect();
        (live.map(day), changes, points, day(*as_of), *tol)
    }

    /// The generator reaches every outcome, so the property below is not vacuous.
    #[test]
    fn generator_reaches_every_outcome() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let mut seen = std::collections::HashSet::new();
        let mut with_earliest = 0;
        for _ in 0..500 {
            let g = inputs().new_tree(&mut runner).unwrap().current();
            let (live, changes, points, as_of, tol) = build(&g);
            let b = evaluate(
                History {
                    live_since: live,
                    changes: &changes,
                    complete_until: None,
                },
                Series::Points {
                    points: &points,
                    gap_tolerance_days: tol,
                },
                as_of,
            );
            seen.insert(b.status);
            with_earliest += usize::from(b.earliest.is_some());
        }
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(with_earliest > 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Never panics; `since` is given exactly when met, and is the first
        /// day of the run; `earliest` is after as_of.
        #[test]
        fn since_and_earliest_are_consistent(g in inputs()) {
            let (live, changes, points, as_of, tol) = build(&g);
            let eval = |on: Date| evaluate(History { live_since: live, changes: &changes, complete_until: None }, Series::Points { points: &points, gap_tolerance_days: tol }, on);
            let b = eval(as_of);
            match b.status {
                LabelStatus::Met => {
                    let since = b.since.expect("met has a since");
                    prop_assert!(since <= as_of);
                    prop_assert!(b.earliest.is_none() && b.missing.is_empty());
                    prop_assert_eq!(eval(since).status, LabelStatus::Met);
                    let before = prev_day(since).unwrap();
                    prop_assert_ne!(eval(before).status, LabelStatus::Met);
                }
                _ => {
                    prop_assert!(b.since.is_none());
                    prop_assert!(!b.missing.is_empty());
                    if let Some(e) = b.earliest {
                        prop_assert!(e > as_of);
                    }
                }
            }
            // If nothing changes, the label is met on `earliest` (the series
            // extended daily with its last point, as the projection assumes).
            if let (Some(e), Some(last)) = (b.earliest, points.iter().rfind(|p| p.date <= as_of)) {
                let mut extended: Vec<ValuePoint> = points.iter().filter(|p| p.date <= as_of).cloned().collect();
                // Days up to as_of count as they are: fill from the day after
                // the last point when as_of is still covered by it (same
                // class), else from the day after as_of.
                let covered = last.date.days_until(as_of) <= i64::from(tol);
                let mut t = next_day(if covered { last.date } else { as_of }).unwrap();
                while t <= e {
                    extended.push(ValuePoint { date: t, ..*last });
                    t = next_day(t).unwrap();
                }
                let past: Vec<Change> = changes.iter().filter(|c| c.date <= as_of).cloned().collect();
                let then = evaluate(History { live_since: live, changes: &past, complete_until: None }, Series::Points { points: &extended, gap_tolerance_days: tol }, e);
                prop_assert_eq!(then.status, LabelStatus::Met, "earliest {} not met: {:?}", e, then.missing);
                // ...and not the day before, unless that is as_of itself.
                let before = prev_day(e).unwrap();
                if before > as_of {
                    let then = evaluate(History { live_since: live, changes: &past, complete_until: None }, Series::Points { points: &extended, gap_tolerance_days: tol }, before);
                    prop_assert_ne!(then.status, LabelStatus::Met, "met already on {}", before);
                }
            }
        }
    }
}

#[test]
fn extreme_dates_do_not_panic() {
    let first = d("0000-01-01");
    let last = d("9999-12-31");
    let points = [
        ValuePoint::new(first, 2e8, Some(1e8), None, None).unwrap(),
        ValuePoint::new(last, 2e8, Some(1e8), None, None).unwrap(),
    ];
    let changes = [change("9999-12-31", true)];
    for as_of in [first, last, d("5000-06-30")] {
        for live in [None, Some(first), Some(last)] {
            let b = evaluate(
                History {
                    live_since: live,
                    changes: &changes,
                    complete_until: Some(first),
                },
                Series::Points {
                    points: &points,
                    gap_tolerance_days: u32::MAX,
                },
                as_of,
            );
            assert!(b.status == LabelStatus::Met || !b.missing.is_empty());
        }
    }
}
