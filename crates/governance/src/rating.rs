//! The exit-window rating: the one place where the 7-day and 30-day
//! thresholds of the Stages Framework turn a window into a colour. Front
//! ends (CLI, API, dashboard) read the rating from here, or from the
//! `rating` an analysis already carries, instead of comparing seconds to
//! their own copies of the thresholds.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One day, in seconds.
pub const DAY_SECONDS: i64 = 86_400;
/// The Stage 1 bar (`seven-day-exit-window`): upgrades by actors weaker
/// than a properly set-up council must leave users at least this long.
pub const SEVEN_DAYS_SECONDS: i64 = 7 * DAY_SECONDS;
/// The Stage 2 bar (`thirty-day-exit-window`): every upgrade not tied to
/// an on-chain provable bug must leave users at least this long.
pub const THIRTY_DAYS_SECONDS: i64 = 30 * DAY_SECONDS;

/// Exit-window colour, as the field displays it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    /// ≤ 0, or users cannot exit without the operators at all.
    None,
    /// < 7 days.
    Red,
    /// 7–30 days.
    Yellow,
    /// ≥ 30 days.
    Green,
}

impl Rating {
    /// Every rating, worst first.
    pub const ALL: [Rating; 4] = [Rating::None, Rating::Red, Rating::Yellow, Rating::Green];

    /// The rating of an exit window in seconds; `None` means users cannot
    /// exit without the operators.
    pub fn of(window: Option<i64>) -> Rating {
        match window {
            None => Rating::None,
            Some(w) if w <= 0 => Rating::None,
            Some(w) if w < SEVEN_DAYS_SECONDS => Rating::Red,
            Some(w) if w < THIRTY_DAYS_SECONDS => Rating::Yellow,
            Some(_) => Rating::Green,
        }
    }

    /// The name used in JSON and on the dashboard (`none`, `red`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::None => "none",
            Rating::Red => "red",
            Rating::Yellow => "yellow",
            Rating::Green => "green",
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An exit-window rating name that is not one of `none`, `red`, `yellow`,
/// `green`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown exit-window rating `{0}`, expected one of `none`, `red`, `yellow`, `green`")]
pub struct UnknownRating(pub String);

impl FromStr for Rating {
    type Err = UnknownRating;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rating::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRating(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_the_frameworks_seven_and_thirty_days() {
        assert_eq!(SEVEN_DAYS_SECONDS, 604_800);
        assert_eq!(THIRTY_DAYS_SECONDS, 2_592_000);
    }

    #[test]
    fn boundaries() {
        assert_eq!(Rating::of(None), Rating::None);
        assert_eq!(Rating::of(Some(0)), Rating::None);
        assert_eq!(Rating::of(Some(-5)), Rating::None);
        assert_eq!(Rating::of(Some(1)), Rating::Red);
        assert_eq!(Rating::of(Some(604_799)), Rating::Red);
        assert_eq!(Rating::of(Some(604_800)), Rating::Yellow);
        assert_eq!(Rating::of(Some(2_591_999)), Rating::Yellow);
        assert_eq!(Rating::of(Some(2_592_000)), Rating::Green);
        assert_eq!(Rating::of(Some(i64::MAX)), Rating::Green);
    }

    #[test]
    fn names_round_trip_through_str_and_serde() {
        for r in Rating::ALL {
            assert_eq!(r.as_str().parse::<Rating>(), Ok(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
            assert_eq!(serde_json::from_str::<Rating>(&json).unwrap(), r);
        }
        assert_eq!(
            "amber".parse::<Rating>().unwrap_err().to_string(),
            "unknown exit-window rating `amber`, expected one of `none`, `red`, `yellow`, `green`"
        );
    }
}
