//! Durations as people write them: `"7d"`, `"12h"`, `"6d 8h"`, `"6.4d"`,
//! `"0s"`, or `"45818 blocks"` (converted with the file's block time, or an
//! inline one: `"45818 blocks @ 12s"`).

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// A written duration, before block counts are converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationSpec {
    Seconds(u64),
    /// A number of blocks, with the block time in seconds when given inline.
    Blocks {
        count: u64,
        block_time: Option<u64>,
    },
}

impl DurationSpec {
    /// Seconds, using `block_time` (seconds) for block counts without their own.
    pub fn seconds(self, block_time: Option<u64>) -> Option<u64> {
        match self {
            DurationSpec::Seconds(s) => Some(s),
            DurationSpec::Blocks {
                count,
                block_time: inline,
            } => inline.or(block_time).and_then(|bt| count.checked_mul(bt)),
        }
    }

    pub fn is_blocks_without_time(self) -> bool {
        matches!(
            self,
            DurationSpec::Blocks {
                block_time: None,
                ..
            }
        )
    }
}

/// The longest duration accepted, in seconds (about 31 million years): far
/// beyond any real delay, and small enough that sums of a few stay exact
/// and fit in an `i64`.
pub const MAX_SECONDS: u64 = 1_000_000_000_000_000;

const UNITS: &[(&str, u64)] = &[
    ("w", 604_800),
    ("d", 86_400),
    ("h", 3_600),
    ("m", 60),
    ("s", 1),
];

/// Parse a duration string; errors say what is accepted.
pub fn parse_duration(s: &str) -> Result<DurationSpec, String> {
    let err = || {
        format!(
            "invalid duration `{s}`: use e.g. \"7d\", \"12h\", \"6d 8h\", \"6.4d\", \"0s\" or \"45818 blocks\" (units w, d, h, m, s)"
        )
    };
    let t = s.trim();
    if let Some(rest) = t
        .strip_suffix("blocks")
        .or_else(|| t.split_once("blocks").map(|(a, _)| a))
    {
        let count: u64 = rest.trim().parse().map_err(|_| err())?;
        let block_time = match t.split_once('@') {
            Some((_, bt)) => match parse_duration(bt)? {
                DurationSpec::Seconds(0) => {
                    return Err(format!(
                        "invalid duration `{s}`: block time must be positive"
                    ));
                }
                DurationSpec::Seconds(x) => Some(x),
                DurationSpec::Blocks { .. } => return Err(err()),
            },
            None => None,
        };
        if t.contains('@') && !t.ends_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(err());
        }
        // A block is at least a second long, so a count over the bound is
        // too long whatever block time converts it.
        let too_long = match block_time {
            Some(bt) => count.checked_mul(bt).is_none_or(|s| s > MAX_SECONDS),
            None => count > MAX_SECONDS,
        };
        if too_long {
            return Err(format!("invalid duration `{s}`: too long"));
        }
        return Ok(DurationSpec::Blocks { count, block_time });
    }
    if t.is_empty() {
        return Err(err());
    }
    let mut total: f64 = 0.0;
    for token in t.split_whitespace() {
        let split = token
            .find(|c: char| c.is_ascii_alphabetic())
            .ok_or_else(err)?;
        let (num, unit) = token.split_at(split);
        let factor = UNITS
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, f)| *f)
            .ok_or_else(err)?;
        let n: f64 = num.parse().map_err(|_| err())?;
        if !n.is_finite() || n < 0.0 {
            return Err(err());
        }
        total += n * factor as f64;
    }
    if total > MAX_SECONDS as f64 {
        return Err(format!("invalid duration `{s}`: too long"));
    }
    Ok(DurationSpec::Seconds(total.round() as u64))
}

/// Human form of a number of seconds: `10d`, `6d 9h 36m`, `0s`.
pub fn format_seconds(secs: i64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let sign = if secs < 0 { "-" } else { "" };
    let mut rest = secs.unsigned_abs();
    let mut parts = Vec::new();
    for (unit, f) in &UNITS[1..] {
        if rest >= *f {
            parts.push(format!("{}{unit}", rest / f));
            rest %= f;
        }
    }
    format!("{sign}{}", parts.join(" "))
}

/// A duration in words, its two largest adjacent units, rounded down:
/// `7 days 12 hours`, `30 days`, `1 hour`, `0 seconds`; negative ones read
/// `-7 days 12 hours`. The sentences of an assessment (its risk summary)
/// are written with it, so it lives below the pipeline.
pub fn in_words(secs: i64) -> String {
    const WORDS: [(&str, u64); 4] = [
        ("day", 86_400),
        ("hour", 3_600),
        ("minute", 60),
        ("second", 1),
    ];
    if secs == 0 {
        return "0 seconds".into();
    }
    let sign = if secs < 0 { "-" } else { "" };
    let mut rest = secs.unsigned_abs();
    let mut words: Vec<String> = Vec::new();
    let mut first = None;
    for (i, (unit, f)) in WORDS.iter().enumerate() {
        if rest >= *f {
            let n = rest / f;
            rest %= f;
            first.get_or_insert(i);
            words.push(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
        }
        // Two units at most, and only adjacent ones (`1 day`, not
        // `1 day 30 seconds`).
        if words.len() == 2 || first.is_some_and(|f| i > f) {
            break;
        }
    }
    format!("{sign}{}", words.join(" "))
}

impl fmt::Display for DurationSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationSpec::Seconds(s) => f.write_str(&format_seconds(*s as i64)),
            DurationSpec::Blocks {
                count,
                block_time: None,
            } => write!(f, "{count} blocks"),
            DurationSpec::Blocks {
                count,
                block_time: Some(bt),
            } => write!(f, "{count} blocks @ {bt}s"),
        }
    }
}

impl Serialize for DurationSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DurationSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        parse_duration(&s).map_err(de::Error::custom)
    }
}

impl schemars::JsonSchema for DurationSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A duration: \"7d\", \"12h\", \"6d 8h\", \"6.4d\", \"0s\", or \"45818 blocks\" (uses governance.block_time) or \"45818 blocks @ 12s\"."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_words() {
        assert_eq!(in_words(7 * 86_400 + 12 * 3_600), "7 days 12 hours");
        assert_eq!(in_words(30 * 86_400), "30 days");
        assert_eq!(in_words(3_600), "1 hour");
        // Adjacent units only: the 30 seconds of a day are dropped.
        assert_eq!(in_words(86_400 + 30), "1 day");
        assert_eq!(in_words(90), "1 minute 30 seconds");
        assert_eq!(in_words(0), "0 seconds");
        assert_eq!(in_words(-86_400), "-1 day");
        // 2^63 s = 106751991167300 days and 55808 s (15 h 30 min 8 s).
        assert_eq!(in_words(i64::MIN), "-106751991167300 days 15 hours");
    }

    #[test]
    fn parses_human_units() {
        assert_eq!(parse_duration("7d"), Ok(DurationSpec::Seconds(604_800)));
        assert_eq!(parse_duration("12h"), Ok(DurationSpec::Seconds(43_200)));
        assert_eq!(
            parse_duration("6d 8h"),
            Ok(DurationSpec::Seconds(6 * 86_400 + 8 * 3_600))
        );
        assert_eq!(parse_duration("6.4d"), Ok(DurationSpec::Seconds(552_960)));
        assert_eq!(parse_duration("0s"), Ok(DurationSpec::Seconds(0)));
        assert_eq!(parse_duration("2w"), Ok(DurationSpec::Seconds(1_209_600)));
        assert_eq!(
            parse_duration("45818 blocks"),
            Ok(DurationSpec::Blocks {
                count: 45_818,
                block_time: None
            })
        );
        assert_eq!(
            parse_duration("45818 blocks @ 12s"),
            Ok(DurationSpec::Blocks {
                count: 45_818,
                block_time: Some(12)
            })
        );
        assert_eq!(
            parse_duration("45818 blocks").unwrap().seconds(Some(12)),
            Some(549_816)
        );
        for bad in [
            "",
            "7",
            "d",
            "7 days",
            "-1d",
            "7x",
            "1e400d",
            "NaNd",
            "blocks",
            "3 blocks @ 0s",
            "5 blocks @ 2 blocks",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn formats_seconds() {
        assert_eq!(format_seconds(864_000), "10d");
        assert_eq!(format_seconds(552_960), "6d 9h 36m");
        assert_eq!(format_seconds(-3_600), "-1h");
        assert_eq!(format_seconds(0), "0s");
    }
}
