//! BattleTested from chain data (docs/labels.md, "From chain data"): value
//! locked read on chain (daily points, whole US dollars, split into ETH,
//! major stablecoins and other), the safety-relevant changes a watch of the
//! chain recorded, and how far that watch reaches (the date of the last
//! watched block). Pure: the reading and the storing happen elsewhere
//! (`l2stage-discovery`'s `value` module, `l2stage-store`).
//!
//! The chain data are turned into the same [`History`] and [`Series`] as
//! declared data, so the rules of [`crate::battle_tested::evaluate`] apply
//! unchanged:
//!
//! * **value locked**: when at least one chain point exists, the series is
//!   the chain points alone, with a gap tolerance of
//!   [`CHAIN_GAP_TOLERANCE_DAYS`] (a day without a point, e.g. because its
//!   price round was stale, is unknown, never carried over); otherwise the
//!   declared series;
//! * **changes**: the declared changes plus every safety-relevant change read
//!   on chain; `live_since` stays the declared one;
//! * **complete until**: a watch known to cover `[from, until]` makes the
//!   history complete until `until`, provided the declared history reaches
//!   the day before `from` (a declared list without `changes_complete_until`
//!   is taken to do so); otherwise the declared `changes_complete_until`
//!   stands, since nothing is known between it and the watch's start.

use serde::Serialize;

use l2stage_model::Date;
use l2stage_model::labels::{Change, ChangeKind, ValuePoint};

use crate::battle_tested::{self, BattleTested, History, Series};
use crate::calendar::prev_day;

/// Chain points are read for every day: a missing day is unknown.
pub const CHAIN_GAP_TOLERANCE_DAYS: u32 = 1;

/// One day's value locked read on chain, in whole US dollars (floored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChainPoint {
    pub date: Date,
    /// The block read: the last block at or before the date's 00:00 UTC.
    pub block: u64,
    pub eth_usd: u64,
    pub stablecoin_usd: u64,
    pub other_usd: u64,
}

impl ChainPoint {
    pub fn total_usd(&self) -> u64 {
        self.eth_usd
            .saturating_add(self.stablecoin_usd)
            .saturating_add(self.other_usd)
    }

    /// The same point as the labels' (declared) value point, fully split.
    pub fn to_value_point(&self) -> ValuePoint {
        ValuePoint {
            date: self.date,
            total: self.total_usd() as f64,
            eth: Some(self.eth_usd as f64),
            stablecoins: Some(self.stablecoin_usd as f64),
            other: Some(self.other_usd as f64),
        }
    }
}

/// A safety-relevant change recorded by watching the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainChange {
    /// UTC date of the block's timestamp.
    pub date: Date,
    pub block: u64,
    /// The change kind (`implementation-upgraded`, `owner-changed`, ...).
    pub kind: String,
    pub address: String,
    pub field: String,
}

impl ChainChange {
    fn to_change(&self) -> Change {
        let code = matches!(
            self.kind.as_str(),
            "implementation-upgraded"
                | "beacon-upgraded"
                | "verifier-changed"
                | "game-implementation-changed"
                | "contract-appeared"
                | "contract-disappeared"
        );
        Change {
            date: self.date,
            summary: format!(
                "{} of {} ({}), read on chain at block {}",
                self.kind, self.address, self.field, self.block
            ),
            safety_relevant: true,
            kind: Some(if code {
                ChangeKind::Implementation
            } else {
                ChangeKind::Configuration
            }),
            evidence: vec![format!("block {}", self.block)],
        }
    }
}

/// What watching the chain knows about one project.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChainData {
    /// Value-locked points read on chain, any order (one per date; a later
    /// one for the same date wins).
    pub points: Vec<ChainPoint>,
    /// The safety-relevant changes recorded (others are ignored).
    pub changes: Vec<ChainChange>,
    /// The dates of the first and the last watched block: every
    /// safety-relevant change in between is in `changes`. `None`: the
    /// project is not watched (changes come from the declarations only).
    pub watched: Option<(Date, Date)>,
}

/// Where an input of the label came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Source {
    #[serde(rename = "read on chain")]
    Chain,
    #[serde(rename = "declared")]
    Declared,
    /// Declared changes completed by a watch of the chain.
    #[serde(rename = "declared and read on chain")]
    Both,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Chain => "read on chain",
            Source::Declared => "declared",
            Source::Both => "declared and read on chain",
        }
    }
}

/// Which source each input of BattleTested came from (present in the output
/// only when the project has chain data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sources {
    pub changes: Source,
    pub value_locked: Source,
}

/// Evaluate BattleTested on `as_of` from the declarations and, when given,
/// the chain data. Without chain data this is exactly
/// [`battle_tested::evaluate`]; with it, `sources` says what was used.
pub fn evaluate(
    declared: History<'_>,
    declared_series: Series<'_>,
    chain: Option<&ChainData>,
    as_of: Date,
) -> BattleTested {
    let Some(chain) = chain else {
        return battle_tested::evaluate(declared, declared_series, as_of);
    };
    // Changes: declared ∪ read on chain.
    let mut changes: Vec<Change> = declared.changes.to_vec();
    changes.extend(chain.changes.iter().map(ChainChange::to_change));
    let (complete_until, changes_source) = match chain.watched {
        None => (declared.complete_until, Source::Declared),
        Some((from, until)) => {
            let reaches = match (declared.complete_until, prev_day(from)) {
                (None, _) => true,
                (Some(c), Some(before)) => c >= before,
                (Some(_), None) => true,
            };
            let source = if declared.changes.is_empty() && declared.live_since.is_none() {
                Source::Chain
            } else {
                Source::Both
            };
            if reaches {
                let until = declared.complete_until.map_or(until, |c| c.max(until));
                (Some(until), source)
            } else {
                (declared.complete_until, source)
            }
        }
    };
    // Value locked: the chain points alone when there are any.
    let mut points: Vec<ChainPoint> = chain.points.clone();
    // Stable sort then keep the last of each date: a later point wins.
    points.sort_by_key(|p| p.date);
    let mut latest: Vec<ChainPoint> = Vec::with_capacity(points.len());
    for p in points {
        match latest.last_mut() {
            Some(last) if last.date == p.date => *last = p,
            _ => latest.push(p),
        }
    }
    let values: Vec<ValuePoint> = latest.iter().map(ChainPoint::to_value_point).collect();
    let (series, value_source) = if values.is_empty() {
        (declared_series, Source::Declared)
    } else {
        (
            Series::Points {
                points: &values,
                gap_tolerance_days: CHAIN_GAP_TOLERANCE_DAYS,
            },
            Source::Chain,
        )
    };
    let mut out = battle_tested::evaluate(
        History {
            live_since: declared.live_since,
            changes: &changes,
            complete_until,
        },
        series,
        as_of,
    );
    out.sources = Some(Sources {
        changes: changes_source,
        value_locked: value_source,
    });
    out
}
