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

/// Units of the two-unit forms below: name, compact suffix, seconds.
const WORD_UNITS: [(&str, &str, u64); 4] = [
    ("day", "d", 86_400),
    ("hour", "h", 3_600),
    ("minute", "m", 60),
    ("second", "s", 1),
];

/// The two largest adjacent units of a duration, rounded down.
fn two_units(secs: u64) -> Vec<(usize, u64)> {
    let mut rest = secs;
    let mut out = Vec::new();
    for (i, (_, _, f)) in WORD_UNITS.iter().enumerate() {
        if rest >= *f {
            out.push((i, rest / f));
            rest %= f;
        }
        if out.len() == 2 || (!out.is_empty() && i + 1 > out[0].0 + 1) {
            break;
        }
    }
    out
}

/// A duration in words, its two largest adjacent units: `7 days 12 hours`,
/// `30 days`, `1 hour`, `0 seconds`. Negative durations read
/// `-7 days 12 hours` (callers should say what a negative window means
/// rather than print one).
///
/// Lives here, beside [`format_seconds`], because the analysis writes it
/// into its sentences too; front ends reach it as
/// `l2stage_render::format::duration`.
pub fn in_words(secs: i64) -> String {
    if secs == 0 {
        return "0 seconds".into();
    }
    let sign = if secs < 0 { "-" } else { "" };
    let words: Vec<String> = two_units(secs.unsigned_abs())
        .into_iter()
        .map(|(i, n)| {
            let unit = WORD_UNITS[i].0;
            format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
        })
        .collect();
    format!("{sign}{}", words.join(" "))
}

/// The same duration, compact for tables: `7d 12h`, `30d`, `1h`, `0s`
/// (two units, rounded down; [`format_seconds`] writes every unit).
pub fn compact(secs: i64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let sign = if secs < 0 { "-" } else { "" };
    let words: Vec<String> = two_units(secs.unsigned_abs())
        .into_iter()
        .map(|(i, n)| format!("{n}{}", WORD_UNITS[i].1))
        .collect();
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

    #[test]
    fn durations_in_words_and_compact() {
        assert_eq!(in_words(7 * 86_400 + 12 * 3_600), "7 days 12 hours");
        assert_eq!(in_words(30 * 86_400), "30 days");
        assert_eq!(in_words(3_600), "1 hour");
        assert_eq!(in_words(86_400 + 30), "1 day");
        assert_eq!(in_words(90), "1 minute 30 seconds");
        assert_eq!(in_words(0), "0 seconds");
        assert_eq!(in_words(-86_400), "-1 day");
        assert_eq!(compact(552_960), "6d 9h");
        assert_eq!(compact(43_200), "12h");
        assert_eq!(compact(0), "0s");
    }
}
