//! Inputs of the labels shown beside the stage (BattleTested, proof-system
//! maturity): the `[labels]` section of a project file, the value-locked CSV
//! format and proof-system files. The labels crate evaluates them.
//!
//! Values are checked while they are deserialized, inside the value's own
//! `deserialize_newtype_struct` call, so that an error (a negative amount, a
//! split larger than the total, dates out of order) carries the span and the
//! field path of the offending value, like every other project-file error.

use std::collections::BTreeSet;
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::project::Slug;

mod csv;
mod proof_system;
mod uses;

pub use csv::{CSV_COLUMNS, MAX_CSV_BYTES, load_value_csv, parse_value_csv};
pub use proof_system::{
    Audit, BugBounty, Incident, ProofKind, ProofSystemFile, Severity, TrustedSetupRisk,
    load_proof_system, parse_proof_system, proof_system_schema,
};

/// Default largest gap, in days, between two value-locked points before the
/// days between them count as unknown (monthly points plus slack).
pub const DEFAULT_GAP_TOLERANCE_DAYS: u32 = 45;
/// Default list of the stablecoins counted as "major".
pub const DEFAULT_MAJOR_STABLECOINS: [&str; 3] = ["USDC", "USDT", "DAI"];
/// How far the parts of a value-locked point (ETH, stablecoins, other) may
/// differ from its total: the rounding of published figures, as a fraction.
pub const SPLIT_TOLERANCE: f64 = 0.005;

/// The `[labels]` section of a project file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelInputs {
    /// Ids of the proof systems the project uses; each is a file
    /// `proof-systems/<id>.toml` shared by every project that uses it.
    #[serde(default, skip_serializing_if = "ProofSystemIds::is_empty")]
    pub proof_systems: ProofSystemIds,
    /// The day the project went live on Ethereum mainnet. BattleTested's
    /// clock starts here unless a safety-relevant change came later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_since: Option<Date>,
    /// Code and configuration changes, in any order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// The last day up to which `changes` is known to list every
    /// safety-relevant change. Later, an undeclared change may have restarted
    /// the clock, so BattleTested cannot be met. Default: the list is
    /// complete (as when discovery produces it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes_complete_until: Option<Date>,
    /// Total value locked over time, split into ETH, major stablecoins and other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_locked: Option<ValueLocked>,
}

/// A dated change of code or configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The day the change took effect on mainnet (inclusive).
    pub date: Date,
    /// What changed.
    pub summary: String,
    /// Whether the change can affect the safety of users' funds (an upgrade
    /// of a proof system, bridge or verifier; a new verification key; a
    /// changed challenge period...). Only these restart BattleTested's clock.
    /// Required: a change is never assumed harmless.
    pub safety_relevant: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ChangeKind>,
    /// Links or `source:ID` references.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// What a change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Contract code (a new implementation behind a proxy, a new verifier).
    Implementation,
    /// A parameter or role (a key, a delay, a permissioned address).
    Configuration,
}

/// Ids of proof systems, each at most once, with the days each was in use
/// (`periods[i]` belongs to `ids[i]`; open when not given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProofSystemIds(pub Vec<Slug>, pub Vec<UsePeriod>);

/// When a project used a proof system: `since ≤ day < until`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsePeriod {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
}

impl UsePeriod {
    pub fn applies_on(&self, d: Date) -> bool {
        crate::date::within(self.since, self.until, d)
    }
}

impl ProofSystemIds {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The days `id` was in use (open when it is listed without dates).
    pub fn period(&self, id: &str) -> UsePeriod {
        self.0
            .iter()
            .position(|s| s.as_str() == id)
            .and_then(|i| self.1.get(i).copied())
            .unwrap_or_default()
    }
}

impl Serialize for ProofSystemIds {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        #[derive(Serialize)]
        struct Dated<'a> {
            id: &'a Slug,
            #[serde(flatten)]
            period: UsePeriod,
        }
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (i, id) in self.0.iter().enumerate() {
            let period = self.1.get(i).copied().unwrap_or_default();
            if period == UsePeriod::default() {
                seq.serialize_element(id)?;
            } else {
                seq.serialize_element(&Dated { id, period })?;
            }
        }
        seq.end()
    }
}

/// Where the value-locked series comes from, and how to read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueLocked {
    /// A CSV file holding the series, relative to the project file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv: Option<String>,
    /// The series written in the project file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<Vec<ValuePoint>>,
    /// The stablecoins counted in each point's `stablecoins` figure.
    pub major_stablecoins: Vec<String>,
    /// Largest gap in days between two points before the days between them
    /// are unknown; also how long the last point holds before `as_of`.
    pub gap_tolerance_days: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// One dated observation of the value locked, in US dollars. A part of the
/// split that the source does not give is `None`: it is never guessed, and
/// the labels treat it as unknown (the known parts still count as a lower
/// bound of ETH plus major stablecoins).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ValuePoint {
    pub date: Date,
    pub total: f64,
    /// ETH and ETH derivatives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eth: Option<f64>,
    /// The major stablecoins (`major_stablecoins`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stablecoins: Option<f64>,
    /// Everything else.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<f64>,
}

impl ValuePoint {
    /// ETH plus major stablecoins, when both are known.
    pub fn eth_and_stablecoins(&self) -> Option<f64> {
        Some(self.eth? + self.stablecoins?)
    }

    /// The known part of ETH plus major stablecoins: a lower bound.
    pub fn eth_and_stablecoins_at_least(&self) -> f64 {
        self.eth.unwrap_or(0.0) + self.stablecoins.unwrap_or(0.0)
    }

    /// Build a point, checking the amounts and the split (the rules are the
    /// same for the project file and for CSV files): every amount finite and
    /// non-negative; the parts given never exceed the total by more than the
    /// rounding slack; when all three parts are given, they add up to the
    /// total within the slack.
    pub fn new(
        date: Date,
        total: f64,
        eth: Option<f64>,
        stablecoins: Option<f64>,
        other: Option<f64>,
    ) -> Result<ValuePoint, String> {
        for (name, v) in [
            ("total", Some(total)),
            ("eth", eth),
            ("stablecoins", stablecoins),
            ("other", other),
        ] {
            if let Some(v) = v {
                check_amount(v).map_err(|e| format!("{name}: {e}"))?;
            }
        }
        let slack = total * SPLIT_TOLERANCE;
        let given: Vec<&str> = [("eth", eth), ("stablecoins", stablecoins), ("other", other)]
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(n, _)| *n)
            .collect();
        let parts = eth.unwrap_or(0.0) + stablecoins.unwrap_or(0.0) + other.unwrap_or(0.0);
        if parts > total + slack {
            return Err(format!(
                "the split is larger than the total: {} = {} exceeds total = {}",
                given.join(" + "),
                plain(parts),
                plain(total)
            ));
        }
        if given.len() == 3 && parts < total - slack {
            return Err(format!(
                "the split does not add up: eth + stablecoins + other = {} is below total = {} (more than {}% apart)",
                plain(parts),
                plain(total),
                SPLIT_TOLERANCE * 100.0
            ));
        }
        Ok(ValuePoint {
            date,
            total,
            eth,
            stablecoins,
            other,
        })
    }
}

fn plain(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn check_amount(v: f64) -> Result<f64, String> {
    if !v.is_finite() {
        Err("an amount must be a finite number of US dollars".into())
    } else if v < 0.0 {
        Err(format!("an amount cannot be negative (got {})", plain(v)))
    } else {
        Ok(v)
    }
}

// ---------------------------------------------------------------------------
// Checked deserialization: the check runs inside the value's own
// `deserialize_newtype_struct`, so toml attaches the value's span to its error
// and serde_path_to_error records its path.

struct Checked<T, F>(F, PhantomData<T>);

impl<'de, T, R, F> Visitor<'de> for Checked<T, F>
where
    T: Deserialize<'de>,
    F: FnOnce(T) -> Result<R, String>,
{
    type Value = R;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<R, D::Error> {
        let v = T::deserialize(d)?;
        (self.0)(v).map_err(de::Error::custom)
    }
}

fn deserialize_checked<'de, D, T, R, F>(d: D, name: &'static str, check: F) -> Result<R, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
    F: FnOnce(T) -> Result<R, String>,
{
    d.deserialize_newtype_struct(name, Checked(check, PhantomData))
}

/// A non-negative, finite amount of US dollars.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Usd(f64);

impl<'de> Deserialize<'de> for Usd {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_checked(d, "Usd", |v: f64| check_amount(v).map(Usd))
    }
}

impl schemars::JsonSchema for Usd {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Usd".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "number",
            "minimum": 0,
            "description": "An amount in US dollars."
        })
    }
}

/// A value-locked point as written; checked into a [`ValuePoint`].
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read by serde
#[schemars(rename = "ValuePoint")]
struct RawPoint {
    date: Date,
    /// Total value locked, US dollars.
    total: Usd,
    /// ETH and ETH derivatives, US dollars. Leave out when the source does
    /// not give it: it is then unknown, never guessed.
    #[serde(default)]
    eth: Option<Usd>,
    /// Major stablecoins (the series' `major_stablecoins`), US dollars.
    /// Leave out when the source does not give it.
    #[serde(default)]
    stablecoins: Option<Usd>,
    /// Everything else, US dollars.
    #[serde(default)]
    other: Option<Usd>,
}

/// Deserializes one point knowing the previous point's date.
struct PointAfter(Option<Date>);

impl<'de> DeserializeSeed<'de> for PointAfter {
    type Value = ValuePoint;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ValuePoint, D::Error> {
        deserialize_checked(d, "ValuePoint", |r: RawPoint| {
            if let Some(prev) = self.0
                && r.date <= prev
            {
                return Err(format!(
                    "points must be in increasing date order: {} does not come after the previous point's {}",
                    r.date, prev
                ));
            }
            ValuePoint::new(
                r.date,
                r.total.0,
                r.eth.map(|v| v.0),
                r.stablecoins.map(|v| v.0),
                r.other.map(|o| o.0),
            )
        })
    }
}

/// The inline series: checked point by point, dates strictly increasing.
struct Points(Vec<ValuePoint>);

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Points;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of value-locked points")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Points, A::Error> {
                let mut out: Vec<ValuePoint> = Vec::new();
                while let Some(p) = seq.next_element_seed(PointAfter(out.last().map(|p| p.date)))? {
                    out.push(p);
                }
                Ok(Points(out))
            }
        }
        d.deserialize_seq(V)
    }
}

impl schemars::JsonSchema for Points {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ValuePoints".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let point = g.subschema_for::<RawPoint>();
        schemars::json_schema!({
            "type": "array",
            "items": point,
            "description": "Dated points in strictly increasing date order. Between two points the earlier value holds (step)."
        })
    }
}

fn default_stablecoins() -> Vec<String> {
    DEFAULT_MAJOR_STABLECOINS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn default_gap() -> u32 {
    DEFAULT_GAP_TOLERANCE_DAYS
}

/// `[labels.value_locked]` as written; checked into a [`ValueLocked`].
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawValueLocked {
    /// A CSV file with the series (columns `date,total,eth,stablecoins[,other]`),
    /// relative to the project file. Either this or `points`.
    #[serde(default)]
    csv: Option<String>,
    /// The series itself. Either this or `csv`.
    #[serde(default)]
    points: Option<Points>,
    /// The stablecoins counted in the `stablecoins` figures.
    #[serde(default = "default_stablecoins")]
    major_stablecoins: Vec<String>,
    /// Largest gap in days between two points before the days between them
    /// are unknown; also how long the last point holds. Default 45.
    #[serde(default = "default_gap")]
    gap_tolerance_days: u32,
    /// Links or `source:ID` references for the figures.
    #[serde(default)]
    evidence: Vec<String>,
}

fn check_value_locked(r: RawValueLocked) -> Result<ValueLocked, String> {
    match (&r.csv, &r.points) {
        (Some(_), Some(_)) => {
            return Err("give either `csv` or `points`, not both".into());
        }
        (None, None) => {
            return Err("give the series: `points = [...]` or `csv = \"data/FILE.csv\"`".into());
        }
        _ => {}
    }
    if let Some(csv) = &r.csv {
        let p = Path::new(csv);
        if csv.trim().is_empty()
            || p.is_absolute()
            || csv.starts_with('/')
            || csv.starts_with('\\')
            || csv.contains(':')
            || csv.contains('\0')
            || csv.split(['/', '\\']).any(|c| c == "..")
        {
            return Err(format!(
                "`csv` must be a path relative to the project file and inside its directory (no `..`), e.g. \"data/my-rollup.csv\" (got \"{}\")",
                crate::text::quote(csv)
            ));
        }
    }
    if r.gap_tolerance_days == 0 {
        return Err("`gap_tolerance_days` must be at least 1".into());
    }
    if r.major_stablecoins.is_empty() {
        return Err("`major_stablecoins` must name at least one stablecoin".into());
    }
    let mut seen = BTreeSet::new();
    for s in &r.major_stablecoins {
        if s.trim().is_empty() || !seen.insert(s.to_ascii_uppercase()) {
            return Err(format!(
                "`major_stablecoins`: `{s}` is empty or listed twice"
            ));
        }
    }
    Ok(ValueLocked {
        csv: r.csv,
        points: r.points.map(|p| p.0),
        major_stablecoins: r.major_stablecoins,
        gap_tolerance_days: r.gap_tolerance_days,
        evidence: r.evidence,
    })
}

impl<'de> Deserialize<'de> for ValueLocked {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_checked(d, "ValueLocked", check_value_locked)
    }
}

impl schemars::JsonSchema for ValueLocked {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ValueLocked".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut s = RawValueLocked::json_schema(g);
        s.insert(
            "oneOf".into(),
            serde_json::json!([{ "required": ["csv"] }, { "required": ["points"] }]),
        );
        s
    }
}
