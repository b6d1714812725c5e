//! BattleTested: the code and configuration have held a large value, unchanged,
//! for more than six months. The exact rules are in docs/labels.md; in short,
//! on day `D` the label is met when
//!
//! 1. the clock start `S` (the later of `live_since` and the last
//!    safety-relevant change on or before `D`) is on or before `T`, the
//!    latest day such that `T + 6 calendar months < D`; and
//! 2. on every day of `[T, D]` the value locked is known and is strictly
//!    above $100M, with at least $50M in ETH and major stablecoins.
//!
//! Each condition is met, unmet or unknown; the label is unmet if either is
//! unmet, otherwise unknown if either is unknown, otherwise met. A day's
//! value is the last point on or before it (a step function); days in a gap
//! longer than the tolerance, before the first point, or more than the
//! tolerance after the last point, are unknown.

use serde::Serialize;

use l2stage_model::Date;
use l2stage_model::labels::{Change, ValuePoint};

use crate::calendar::{
    add_days, latest_start_more_than, more_than_months_after, next_day, prev_day,
};
use crate::money::usd_exact;

/// The code must have been unchanged for more than this many calendar months.
pub const QUIET_MONTHS: u32 = 6;
/// The total value locked must be strictly above this, in US dollars.
pub const MIN_TOTAL_USD: f64 = 100_000_000.0;
/// ETH plus major stablecoins must be at least this, in US dollars.
pub const MIN_ETH_AND_STABLECOINS_USD: f64 = 50_000_000.0;
/// Failing periods listed in `missing`, most recent first.
const MAX_LISTED: usize = 3;

/// A label's status. `unknown` means there is not enough data: never a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabelStatus {
    Met,
    Unmet,
    Unknown,
}

impl LabelStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LabelStatus::Met => "met",
            LabelStatus::Unmet => "unmet",
            LabelStatus::Unknown => "unknown",
        }
    }
}

/// The BattleTested label on one day (docs/json-output.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BattleTested {
    pub status: LabelStatus,
    /// When met: the first day of the current unbroken run of days on which
    /// it is met.
    pub since: Option<Date>,
    /// When not met: what fails or is not known, in words.
    pub missing: Vec<String>,
    /// When not met: the first day after `as_of` on which it would be met if
    /// no safety-relevant change happened and the value locked stayed at its
    /// last observed level (days up to `as_of` count as they are; a day
    /// without data counts against). `null` when that never happens.
    pub earliest: Option<Date>,
    /// When not met and `earliest` is null: why no date can be given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_earliest_because: Option<String>,
    /// Start of the code clock: `live_since` or the last safety-relevant change.
    pub clock_start: Option<Date>,
    pub last_safety_relevant_change: Option<ChangeRef>,
    /// The days over which the value locked had to hold: `[T, as_of]`.
    pub value_checked: Option<Period>,
    /// The last value-locked point on or before `as_of`.
    pub latest_value: Option<LatestValue>,
    pub gap_tolerance_days: Option<u32>,
    /// Where the change history and the value locked came from; present
    /// only when the project has chain data (`None`: both declared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<crate::chain::Sources>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeRef {
    pub date: Date,
    pub summary: String,
    /// The change's links (`source:ID` resolved when the project file
    /// defines the source).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatestValue {
    pub date: Date,
    pub total: f64,
    /// `null` when the source does not give the whole split.
    pub eth_and_stablecoins: Option<f64>,
}

/// What is known of a project's code and configuration history.
#[derive(Debug, Clone, Copy, Default)]
pub struct History<'a> {
    /// The day the project went live on mainnet.
    pub live_since: Option<Date>,
    pub changes: &'a [Change],
    /// The last day up to which `changes` lists every safety-relevant
    /// change; `None`: complete.
    pub complete_until: Option<Date>,
}

/// The value-locked data available for a project.
#[derive(Debug, Clone, Copy)]
pub enum Series<'a> {
    /// None declared or none loaded: why, in words.
    Missing(&'a str),
    Points {
        points: &'a [ValuePoint],
        gap_tolerance_days: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Met,
    Unmet,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Hole {
    NoData,
    /// A point whose ETH/stablecoin split is not (fully) given, and whose
    /// known part does not reach the threshold on its own.
    Split,
    BeforeFirst {
        first: Date,
    },
    Gap {
        from: Date,
        to: Date,
        days: i64,
    },
    Stale {
        last: Date,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Class {
    Good,
    Bad { total_low: bool, share_low: bool },
    Unknown(Hole),
}

/// Consecutive days with one class. `from: None` is "since forever".
#[derive(Debug, Clone, Copy)]
struct Segment<'a> {
    from: Option<Date>,
    to: Date,
    class: Class,
    point: Option<&'a ValuePoint>,
}

fn classify(p: &ValuePoint) -> Class {
    // "above" is strict; "at least" is not. NaN fails both.
    let total_low = p.total.partial_cmp(&MIN_TOTAL_USD) != Some(std::cmp::Ordering::Greater);
    let enough = |v: f64| v >= MIN_ETH_AND_STABLECOINS_USD;
    // The share test: known when the whole split is given, or when the
    // known part alone already reaches the threshold (a lower bound).
    let share_ok = match p.eth_and_stablecoins() {
        Some(v) => Some(enough(v)),
        None if enough(p.eth_and_stablecoins_at_least()) => Some(true),
        None => None,
    };
    let share_low = share_ok == Some(false);
    if total_low || share_low {
        Class::Bad {
            total_low,
            share_low,
        }
    } else if share_ok.is_none() {
        Class::Unknown(Hole::Split)
    } else {
        Class::Good
    }
}

/// Every day up to `as_of`, classified, as segments in date order.
fn segments<'a>(points: &[&'a ValuePoint], tol: u32, as_of: Date) -> Vec<Segment<'a>> {
    let no_data = || Segment {
        from: None,
        to: as_of,
        class: Class::Unknown(Hole::NoData),
        point: None,
    };
    let Some(first) = points.first() else {
        return vec![no_data()];
    };
    let mut out = Vec::new();
    if let Some(before) = prev_day(first.date) {
        out.push(Segment {
            from: None,
            to: before,
            class: Class::Unknown(Hole::BeforeFirst { first: first.date }),
            point: None,
        });
    }
    let tol = i64::from(tol);
    for (i, p) in points.iter().enumerate() {
        let class = classify(p);
        let point = Some(*p);
        let end = match points.get(i + 1) {
            Some(next) => prev_day(next.date),
            None => Some(as_of),
        };
        let Some(end) = end else {
            return vec![no_data()];
        };
        let span = p.date.days_until(end);
        let limit = match points.get(i + 1) {
            // A gap longer than the tolerance: only the point's own day is known.
            Some(next) if p.date.days_until(next.date) > tol => Some((
                p.date,
                Hole::Gap {
                    from: p.date,
                    to: next.date,
                    days: p.date.days_until(next.date),
                },
            )),
            Some(_) => None,
            // The last point holds for `tol` days.
            None if span > tol => {
                add_days(p.date, tol.unsigned_abs()).map(|d| (d, Hole::Stale { last: p.date }))
            }
            None => None,
        };
        match limit {
            None => out.push(Segment {
                from: Some(p.date),
                to: end,
                class,
                point,
            }),
            Some((known_to, hole)) => {
                out.push(Segment {
                    from: Some(p.date),
                    to: known_to,
                    class,
                    point,
                });
                if let Some(from) = next_day(known_to)
                    && from <= end
                {
                    out.push(Segment {
                        from: Some(from),
                        to: end,
                        class: Class::Unknown(hole),
                        point: None,
                    });
                }
            }
        }
    }
    out
}

/// First day of the run of good days that ends on the last segment's last
/// day, or `None` when that day is not good.
fn trailing_good_start(segs: &[Segment<'_>]) -> Option<Date> {
    let mut start = None;
    for s in segs.iter().rev() {
        if s.class != Class::Good {
            break;
        }
        start = s.from;
    }
    start
}

fn when(s: &Segment<'_>) -> String {
    match s.from {
        Some(f) if f == s.to => format!("on {f}"),
        Some(f) => format!("from {f} to {}", s.to),
        None => format!("until {}", s.to),
    }
}

/// Evaluate BattleTested on `as_of`. Changes and points dated after `as_of`
/// are ignored.
pub fn evaluate(history: History<'_>, series: Series<'_>, as_of: Date) -> BattleTested {
    let History {
        live_since,
        changes,
        complete_until,
    } = history;
    let mut missing = Vec::new();

    // 1. The code clock.
    let last_change = changes
        .iter()
        .filter(|c| c.safety_relevant && c.date <= as_of)
        .max_by_key(|c| c.date);
    let clock_start = match (live_since, last_change.map(|c| c.date)) {
        (Some(l), Some(c)) => Some(l.max(c)),
        (l, c) => l.or(c),
    };
    let window_start = latest_start_more_than(as_of, QUIET_MONTHS);
    let code = match (clock_start, window_start) {
        (Some(s), Some(t)) if s <= t => Check::Met,
        (Some(_), Some(_)) => Check::Unmet,
        _ => Check::Unknown,
    };
    // A change after the history's known end could have restarted the clock.
    let incomplete = complete_until.filter(|c| *c < as_of);
    let code = match (code, incomplete) {
        (Check::Met, Some(_)) => Check::Unknown,
        (c, _) => c,
    };
    if let Some(c) = incomplete {
        missing.push(format!(
            "the change history is only known to be complete until {c} (`changes_complete_until`): a later safety-relevant change may have restarted the clock"
        ));
    }
    match (code, clock_start) {
        (Check::Met, _) => {}
        (Check::Unknown, Some(_)) if incomplete.is_some() => {}
        (_, None) => missing.push(format!(
            "the clock start is unknown: no `live_since` date and no safety-relevant change on or before {as_of}"
        )),
        (Check::Unknown, Some(_)) => {
            missing.push(format!("{as_of} is outside the supported calendar"));
        }
        (Check::Unmet, Some(s)) => {
            let from = more_than_months_after(s, QUIET_MONTHS)
                .map(|d| d.to_string())
                .unwrap_or_else(|| "an unrepresentable date".into());
            missing.push(match last_change {
                _ if s > as_of => format!("not live on mainnet until {s} (`live_since`)"),
                Some(c) if c.date == s => format!(
                    "a safety-relevant change on {s} restarted the clock ({}): unchanged for more than {QUIET_MONTHS} months only from {from}",
                    c.summary.trim_end_matches('.')
                ),
                _ => format!(
                    "live on mainnet since {s}: unchanged for more than {QUIET_MONTHS} months only from {from}"
                ),
            });
        }
    }

    // 2. The value locked over [T, as_of].
    let mut sorted: Vec<&ValuePoint> = Vec::new();
    let (segs, tolerance) = match series {
        Series::Missing(why) => {
            missing.push(why.to_string());
            (None, None)
        }
        Series::Points {
            points,
            gap_tolerance_days,
        } => {
            sorted = points.iter().filter(|p| p.date <= as_of).collect();
            sorted.sort_by_key(|p| p.date);
            sorted.dedup_by_key(|p| p.date);
            let tol = gap_tolerance_days.max(1);
            (Some(segments(&sorted, tol, as_of)), Some(tol))
        }
    };
    let value = match (&segs, window_start) {
        (Some(segs), Some(t)) => {
            let in_window: Vec<&Segment<'_>> = segs.iter().filter(|s| s.to >= t).collect();
            let bad: Vec<&&Segment<'_>> = in_window
                .iter()
                .filter(|s| matches!(s.class, Class::Bad { .. }))
                .collect();
            let holes: Vec<&&Segment<'_>> = in_window
                .iter()
                .filter(|s| matches!(s.class, Class::Unknown(_)))
                .collect();
            for s in bad.iter().rev().take(MAX_LISTED) {
                if let (
                    Class::Bad {
                        total_low,
                        share_low,
                    },
                    Some(p),
                ) = (s.class, s.point)
                {
                    let share = p
                        .eth_and_stablecoins()
                        .unwrap_or(p.eth_and_stablecoins_at_least());
                    if total_low {
                        missing.push(format!(
                            "value locked was {} {}: not above {}",
                            usd_exact(p.total),
                            when(s),
                            usd_exact(MIN_TOTAL_USD)
                        ));
                    }
                    if share_low {
                        missing.push(format!(
                            "ETH and major stablecoins were {} {}: below {}",
                            usd_exact(share),
                            when(s),
                            usd_exact(MIN_ETH_AND_STABLECOINS_USD)
                        ));
                    }
                }
            }
            if bad.len() > MAX_LISTED {
                missing.push(format!(
                    "and {} earlier periods below the thresholds since {t}",
                    bad.len() - MAX_LISTED
                ));
            }
            let tol = tolerance.unwrap_or(1);
            for s in holes.iter().rev().take(MAX_LISTED) {
                if let Class::Unknown(hole) = s.class {
                    missing.push(match hole {
                        Hole::NoData => format!("no value-locked point on or before {as_of}"),
                        Hole::Split => {
                            let known = s.point.map(|p| p.eth_and_stablecoins_at_least()).unwrap_or(0.0);
                            if known > 0.0 {
                                format!(
                                    "the ETH/stablecoin split of the value locked {} is not fully given: the known part, {}, does not show {}",
                                    when(s),
                                    usd_exact(known),
                                    usd_exact(MIN_ETH_AND_STABLECOINS_USD)
                                )
                            } else {
                                format!(
                                    "the ETH/stablecoin split of the value locked {} is not given: at least {} in ETH and major stablecoins is not shown",
                                    when(s),
                                    usd_exact(MIN_ETH_AND_STABLECOINS_USD)
                                )
                            }
                        }
                        Hole::BeforeFirst { first } => format!(
                            "no value-locked data before {first}; the value must be known from {t}"
                        ),
                        Hole::Gap { from, to, days } => format!(
                            "no value-locked data between {from} and {to}: {days} days apart, more than the {tol}-day gap tolerance"
                        ),
                        Hole::Stale { last } => format!(
                            "no value-locked data after {last}: more than {tol} days before {as_of}"
                        ),
                    });
                }
            }
            if !bad.is_empty() {
                Check::Unmet
            } else if !holes.is_empty() {
                Check::Unknown
            } else {
                Check::Met
            }
        }
        _ => Check::Unknown,
    };

    let status = if code == Check::Unmet || value == Check::Unmet {
        LabelStatus::Unmet
    } else if code == Check::Unknown || value == Check::Unknown {
        LabelStatus::Unknown
    } else {
        LabelStatus::Met
    };

    let latest = sorted.last().copied();
    let trailing = segs.as_deref().and_then(trailing_good_start);
    let mut no_earliest_because = None;
    let (since, earliest) = match (status, clock_start) {
        (LabelStatus::Met, Some(s)) => (
            trailing.and_then(|g| more_than_months_after(s.max(g), QUIET_MONTHS)),
            None,
        ),
        (LabelStatus::Met, None) => (None, None),
        (_, Some(_)) if incomplete.is_some() => {
            no_earliest_because = incomplete.map(|c| format!(
                "the change history is only known to be complete until {c}: a later safety-relevant change may have restarted the clock"
            ));
            (None, None)
        }
        (_, Some(s)) => {
            // If nothing changes: no new safety-relevant change, and the value
            // stays at its last observed level (which must pass).
            let stays_good = latest.is_some_and(|p| classify(p) == Class::Good);
            let start = trailing.or_else(|| next_day(as_of));
            let earliest = match (stays_good, start) {
                (true, Some(g)) => more_than_months_after(s.max(g), QUIET_MONTHS)
                    .and_then(|e| next_day(as_of).map(|tomorrow| e.max(tomorrow))),
                _ => None,
            };
            if earliest.is_none() {
                no_earliest_because = Some(match latest {
                    None => {
                        "no value-locked point: the value locked is not known to hold".to_string()
                    }
                    Some(p) => match classify(p) {
                        Class::Good => "no later day is known to qualify".to_string(),
                        Class::Bad { .. } => format!(
                            "the last value-locked point ({}) is below the thresholds: the value locked would have to rise",
                            p.date
                        ),
                        Class::Unknown(_) => format!(
                            "the last value-locked point ({}) does not show at least {} in ETH and major stablecoins",
                            p.date,
                            crate::money::usd(MIN_ETH_AND_STABLECOINS_USD)
                        ),
                    },
                });
            }
            (None, earliest)
        }
        (_, None) => {
            if status != LabelStatus::Met {
                no_earliest_because = Some(
                    "the clock start is unknown: no `live_since` and no safety-relevant change"
                        .to_string(),
                );
            }
            (None, None)
        }
    };

    BattleTested {
        status,
        since,
        missing: if status == LabelStatus::Met {
            Vec::new()
        } else {
            missing
        },
        earliest,
        no_earliest_because,
        clock_start,
        last_safety_relevant_change: last_change.map(|c| ChangeRef {
            date: c.date,
            summary: c.summary.clone(),
            evidence: c.evidence.clone(),
        }),
        value_checked: window_start.map(|t| Period { from: t, to: as_of }),
        latest_value: latest.map(|p| LatestValue {
            date: p.date,
            total: p.total,
            eth_and_stablecoins: p.eth_and_stablecoins(),
        }),
        gap_tolerance_days: tolerance,
        sources: None,
    }
}
