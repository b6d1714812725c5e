//! The time horizon: q and p are probabilities of breaking *within* a
//! stated period, and a result without its period is meaningless (10% per
//! year and 10% per decade are very different councils).
//!
//! The post states no period. l2stage reads its numbers as probabilities
//! over one year and defaults to `1y`; every result carries the horizon.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::error::{Result, RiskError};

/// Days in a year (Julian year).
const DAYS_PER_YEAR: f64 = 365.25;

/// A period: a positive amount of a unit, printed like `1y`, `6mo`, `90d`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Horizon {
    amount: f64,
    unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    fn suffix(self) -> &'static str {
        match self {
            Unit::Day => "d",
            Unit::Week => "w",
            Unit::Month => "mo",
            Unit::Year => "y",
        }
    }
    fn days(self) -> f64 {
        match self {
            Unit::Day => 1.0,
            Unit::Week => 7.0,
            Unit::Month => DAYS_PER_YEAR / 12.0,
            Unit::Year => DAYS_PER_YEAR,
        }
    }
}

impl Default for Horizon {
    /// One year: the reading of the post's unstated period.
    fn default() -> Self {
        Self {
            amount: 1.0,
            unit: Unit::Year,
        }
    }
}

impl Horizon {
    /// Length in days.
    pub fn days(&self) -> f64 {
        self.amount * self.unit.days()
    }

    /// Length in years.
    pub fn years(&self) -> f64 {
        self.days() / DAYS_PER_YEAR
    }
}

/// Converts a probability of breaking within `from` to one within `to`,
/// assuming a constant hazard: `1 − (1−q)^(to/from)`, computed as
/// `−expm1(t · ln(1−q))` so small probabilities keep their digits.
pub fn rescale(q: f64, from: &Horizon, to: &Horizon) -> f64 {
    if q >= 1.0 {
        return 1.0;
    }
    let t = to.days() / from.days();
    -((t * (-q).ln_1p()).exp_m1())
}

impl fmt::Display for Horizon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.suffix())
    }
}

impl FromStr for Horizon {
    type Err = RiskError;

    /// `1y`, `6mo`, `90d`, `2w`, also `1 year`, `6 months`.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        let bad = || RiskError::Horizon(s.to_string());
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let (num, unit) = t.split_at(split);
        let amount: f64 = num.parse().map_err(|_| bad())?;
        let unit = match unit.trim() {
            "d" | "day" | "days" => Unit::Day,
            "w" | "week" | "weeks" => Unit::Week,
            "mo" | "month" | "months" => Unit::Month,
            "y" | "yr" | "year" | "years" => Unit::Year,
            _ => return Err(bad()),
        };
        if !(amount.is_finite() && amount > 0.0 && amount <= 1e6) {
            return Err(bad());
        }
        Ok(Self { amount, unit })
    }
}

impl Serialize for Horizon {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        assert_eq!(Horizon::default().to_string(), "1y");
        assert_eq!("6mo".parse::<Horizon>().unwrap().to_string(), "6mo");
        assert_eq!("90 days".parse::<Horizon>().unwrap().to_string(), "90d");
        assert_eq!("2w".parse::<Horizon>().unwrap().days(), 14.0);
        for bad in ["", "y", "1", "0y", "-1y", "1m", "1 fortnight", "nany"] {
            assert!(bad.parse::<Horizon>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn constant_hazard_rescaling() {
        let year: Horizon = "1y".parse().unwrap();
        let two: Horizon = "2y".parse().unwrap();
        // 1 − 0.9² = 0.19
        assert!((rescale(0.1, &year, &two) - 0.19).abs() < 1e-15);
        // Tiny probabilities scale linearly without losing digits.
        let r = rescale(1e-20, &year, &two);
        assert!((r - 2e-20).abs() < 1e-33);
    }
}
