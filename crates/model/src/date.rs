//! Calendar dates as written in project files: `2024-06-10`, either a bare
//! TOML date or a string (JSON has no date type).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A day, without time or zone. Ordered, so history can be sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

impl Date {
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(y, m, d).map(Date)
    }

    /// Today in UTC.
    pub fn today() -> Date {
        Date(chrono::Utc::now().date_naive())
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        (later.0 - self.0).num_days()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date `{input}`: expected YYYY-MM-DD, a real calendar day")]
pub struct DateParseError {
    pub input: String,
}

impl FromStr for Date {
    type Err = DateParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateParseError {
            input: s.to_string(),
        };
        // Exactly YYYY-MM-DD: chrono alone would accept e.g. `2024-6-1`.
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(err());
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| err())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl<'de> Visitor<'de> for DateVisitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                v.parse().map_err(E::custom)
            }
            // A bare TOML date arrives as toml's datetime map.
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Date, A::Error> {
                let dt =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (dt.date, dt.time, dt.offset) {
                    (Some(d), None, None) => {
                        Date::from_ymd(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                            .ok_or_else(|| {
                                de::Error::custom(format!(
                                    "invalid date `{dt}`: not a real calendar day"
                                ))
                            })
                    }
                    _ => Err(de::Error::custom(format!(
                        "invalid date `{dt}`: expected a plain date YYYY-MM-DD, without time"
                    ))),
                }
            }
        }
        d.deserialize_any(DateVisitor)
    }
}

impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "A calendar day, YYYY-MM-DD (in TOML also a bare date)."
        })
    }
}

/// Whether `d` lies in `[since, until)`, either bound optional.
pub fn within(since: Option<Date>, until: Option<Date>, d: Date) -> bool {
    since.is_none_or(|s| s <= d) && until.is_none_or(|u| d < u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_iso_days() {
        assert_eq!(
            "2024-06-10".parse::<Date>().unwrap(),
            Date::from_ymd(2024, 6, 10).unwrap()
        );
        for bad in [
            "2024-6-10",
            "2024-02-30",
            "2024-13-01",
            "20240610",
            "2024-06-10T00:00",
            "",
            "abcd-ef-gh",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn days_between() {
        let a = Date::from_ymd(2024, 1, 1).unwrap();
        let b = Date::from_ymd(2024, 3, 1).unwrap();
        assert_eq!(a.days_until(b), 60);
        assert_eq!(b.days_until(a), -60);
    }
}
