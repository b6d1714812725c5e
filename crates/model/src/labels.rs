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
use crate::parse::{Format, LoadError, error_at, parse_document};
use crate::project::{Slug, Source};

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

/// Deserializes one proof-system entry (an id, or `{ id, since, until }`)
/// knowing the ids before it.
struct IdNotIn<'a>(&'a [Slug]);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatedUse {
    id: Slug,
    #[serde(default)]
    since: Option<Date>,
    #[serde(default)]
    until: Option<Date>,
}

impl<'de> DeserializeSeed<'de> for IdNotIn<'_> {
    type Value = (Slug, UsePeriod);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        // Checks run inside the visitor, so the error carries the entry's
        // own position.
        struct V<'a>(&'a [Slug]);
        impl V<'_> {
            fn fresh<E: de::Error>(
                &self,
                id: Slug,
                period: UsePeriod,
            ) -> Result<(Slug, UsePeriod), E> {
                if self.0.contains(&id) {
                    Err(E::custom(format!("proof system `{id}` is listed twice")))
                } else {
                    Ok((id, period))
                }
            }
        }
        impl<'de> Visitor<'de> for V<'_> {
            type Value = (Slug, UsePeriod);
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a proof-system id, or a table { id, since, until }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let id = Slug::parse(v).map_err(E::custom)?;
                self.fresh(id, UsePeriod::default())
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let u = DatedUse::deserialize(de::value::MapAccessDeserializer::new(map))?;
                if let (Some(s), Some(e)) = (u.since, u.until)
                    && e <= s
                {
                    return Err(de::Error::custom(format!(
                        "`until` ({e}) must be after `since` ({s})"
                    )));
                }
                self.fresh(
                    u.id,
                    UsePeriod {
                        since: u.since,
                        until: u.until,
                    },
                )
            }
        }
        d.deserialize_any(V(self.0))
    }
}

impl<'de> Deserialize<'de> for ProofSystemIds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ProofSystemIds;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of proof-system ids")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ProofSystemIds, A::Error> {
                let mut ids: Vec<Slug> = Vec::new();
                let mut periods = Vec::new();
                while let Some((id, period)) = seq.next_element_seed(IdNotIn(&ids))? {
                    ids.push(id);
                    periods.push(period);
                }
                Ok(ProofSystemIds(ids, periods))
            }
        }
        d.deserialize_seq(V)
    }
}

impl schemars::JsonSchema for ProofSystemIds {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ProofSystemIds".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let slug = g.subschema_for::<Slug>();
        let date = g.subschema_for::<Date>();
        schemars::json_schema!({
            "type": "array",
            "items": {
                "anyOf": [
                    slug.clone(),
                    {
                        "type": "object",
                        "properties": { "id": slug, "since": date.clone(), "until": date },
                        "required": ["id"],
                        "additionalProperties": false,
                        "description": "A proof system used only from `since` (inclusive) until `until` (exclusive)."
                    }
                ]
            },
            "description": "Ids of proof-system files (proof-systems/<id>.toml), each at most once; a table { id, since, until } for one used only for a while."
        })
    }
}

// ---------------------------------------------------------------------------
// The value-locked CSV format.

/// The columns of a value-locked CSV file.
pub const CSV_COLUMNS: [&str; 5] = ["date", "total", "eth", "stablecoins", "other"];

/// Parse a value-locked CSV file: `#` comment lines and blank lines are
/// skipped; the first other line is the header naming the columns
/// (`date,total,eth,stablecoins` and optionally `other`, in any order); every
/// following line is one point, in strictly increasing date order. Amounts
/// are plain decimal US dollars (no thousands separators); `eth`,
/// `stablecoins` and `other` may be left empty when the source does not give
/// them (unknown, never guessed). Errors name the file, line and column.
/// `name` is used in error messages.
pub fn parse_value_csv(name: &str, src: &str) -> Result<Vec<ValuePoint>, LoadError> {
    let fail = |offset: usize, field: Option<&str>, msg: &str, hint: Option<String>| {
        error_at(name, src, offset, field.map(str::to_string), msg, hint)
    };
    let mut header: Option<Vec<(usize, usize)>> = None; // (column index in CSV_COLUMNS, _)
    let mut points: Vec<ValuePoint> = Vec::new();
    let mut offset = 0usize;
    for raw_line in src.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        // A byte-order mark on the first line is not part of the data.
        let (line, bom) = match line.strip_prefix('\u{feff}') {
            Some(rest) => (rest, '\u{feff}'.len_utf8()),
            None => (line, 0),
        };
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // Cells with their byte offset in `src`.
        let mut cells: Vec<(usize, &str)> = Vec::new();
        let mut pos = line_start + bom;
        for cell in line.split(',') {
            let lead = cell.len() - cell.trim_start().len();
            let t = cell.trim();
            let t = t
                .strip_prefix('"')
                .and_then(|c| c.strip_suffix('"'))
                .unwrap_or(t);
            cells.push((pos + lead, t));
            pos += cell.len() + 1;
        }
        match &header {
            None => {
                let mut cols = Vec::new();
                for (i, (at, cell)) in cells.iter().enumerate() {
                    let lower = cell.to_ascii_lowercase();
                    let Some(c) = CSV_COLUMNS.iter().position(|k| *k == lower) else {
                        let hint =
                            crate::requirement::closest_of(&lower, CSV_COLUMNS.iter().copied())
                                .map(|c| format!("did you mean `{c}`?"))
                                .unwrap_or_else(|| format!("columns: {}", CSV_COLUMNS.join(", ")));
                        return Err(fail(
                            *at,
                            None,
                            &format!("unknown column `{cell}` in the header line"),
                            Some(hint),
                        ));
                    };
                    if cols.iter().any(|(k, _)| *k == c) {
                        return Err(fail(
                            *at,
                            None,
                            &format!("column `{lower}` appears twice"),
                            None,
                        ));
                    }
                    cols.push((c, i));
                }
                for required in &CSV_COLUMNS[..4] {
                    if !cols.iter().any(|(k, _)| CSV_COLUMNS[*k] == *required) {
                        return Err(fail(
                            line_start,
                            None,
                            &format!("the header line has no `{required}` column"),
                            Some("the header is `date,total,eth,stablecoins` with an optional `other`".into()),
                        ));
                    }
                }
                header = Some(cols);
            }
            Some(cols) => {
                if cells.len() != cols.len() {
                    return Err(fail(
                        line_start,
                        None,
                        &format!(
                            "expected {} comma-separated values (as in the header), found {}",
                            cols.len(),
                            cells.len()
                        ),
                        None,
                    ));
                }
                let cell_of = |k: usize| -> Option<(usize, &str)> {
                    cols.iter()
                        .find(|(c, _)| *c == k)
                        .and_then(|(_, i)| cells.get(*i).copied())
                };
                let (date_at, date_s) = cell_of(0).unwrap_or((line_start, ""));
                let date: Date = date_s.parse().map_err(|e: crate::date::DateParseError| {
                    fail(date_at, Some("date"), &e.to_string(), None)
                })?;
                let mut amounts = [None; 5];
                for (k, slot) in amounts.iter_mut().enumerate().skip(1) {
                    let Some((at, s)) = cell_of(k) else { continue };
                    if k >= 2 && s.is_empty() {
                        continue; // a part the source does not give: unknown
                    }
                    let v = s
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .ok_or_else(|| {
                            fail(
                                at,
                                Some(CSV_COLUMNS[k]),
                                &format!("`{s}` is not an amount"),
                                Some(
                                    "write plain decimal US dollars, e.g. 1250000000 or 1.25e9"
                                        .into(),
                                ),
                            )
                        })?;
                    check_amount(v).map_err(|e| fail(at, Some(CSV_COLUMNS[k]), &e, None))?;
                    *slot = Some(v);
                }
                if let Some(prev) = points.last()
                    && date <= prev.date
                {
                    return Err(fail(
                        date_at,
                        Some("date"),
                        &format!(
                            "points must be in increasing date order: {date} does not come after the previous point's {}",
                            prev.date
                        ),
                        None,
                    ));
                }
                let p = ValuePoint::new(
                    date,
                    amounts[1].unwrap_or(0.0),
                    amounts[2],
                    amounts[3],
                    amounts[4],
                )
                .map_err(|e| fail(line_start, None, &e, None))?;
                points.push(p);
            }
        }
    }
    if header.is_none() {
        return Err(fail(
            0,
            None,
            "no header line: the file must start (after `#` comments) with `date,total,eth,stablecoins`",
            None,
        ));
    }
    Ok(points)
}

/// Largest value-locked CSV file read, in bytes: 16 MiB (ten years of daily
/// points take under 1 MiB).
pub const MAX_CSV_BYTES: u64 = 16 * 1024 * 1024;

/// Read a value-locked CSV file: a regular file of at most
/// [`MAX_CSV_BYTES`], UTF-8 (see [`crate::read_text`]). Where it may be is
/// the caller's check (`l2stage_labels::Inputs::load`).
pub fn load_value_csv(path: &Path) -> Result<Vec<ValuePoint>, LoadError> {
    let src = crate::parse::read_text(path, MAX_CSV_BYTES)?;
    parse_value_csv(&path.display().to_string(), &src)
}

// ---------------------------------------------------------------------------
// Proof-system files.

/// One proof-system implementation, shared by every project using it. Its id
/// is the file's name: `proof-systems/<id>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofSystemFile {
    /// Display name.
    pub name: String,
    pub kind: ProofKind,
    /// The implementation: prover, on-chain verifier or VM, program.
    pub implementation: String,
    /// The version in production.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// First day it secured funds on Ethereum mainnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_production_since: Option<Date>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audits: Vec<Audit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bug_bounty: Option<BugBounty>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<Incident>,
    /// Risk of the trusted setup; `none` when there is no setup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_setup_risk: Option<TrustedSetupRisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_setup_note: Option<String>,
    /// The prover's (or challenger's) source code is public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prover_source_published: Option<bool>,
    /// The on-chain verifier (or VM) can be rebuilt from source and matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier_reproducible: Option<bool>,
    /// The program hashes (verification keys, absolute prestate, enclave
    /// measurements) can be rebuilt from source and matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programs_reproducible: Option<bool>,
    /// Components (libraries, VMs, clients) other implementations may share:
    /// two proof systems sharing one are not independent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_components: Vec<Slug>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// The proof-system family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProofKind {
    Fraud,
    Validity,
    /// Trusted execution environment attestations.
    Tee,
}

impl ProofKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProofKind::Fraud => "fraud",
            ProofKind::Validity => "validity",
            ProofKind::Tee => "tee",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    pub firm: String,
    /// Date of the report.
    pub date: Date,
    /// The report.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BugBounty {
    /// Largest payout, US dollars.
    #[serde(deserialize_with = "usd")]
    #[schemars(with = "Usd")]
    pub max_usd: f64,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// When the bounty (at this size) started, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
}

fn usd<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Usd::deserialize(d).map(|u| u.0)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub date: Date,
    pub summary: String,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// How bad an incident was.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// No funds at risk.
    Low,
    /// Degraded service, no funds at risk.
    Medium,
    /// Proving halted, or the system fell back to a permissioned mode.
    High,
    /// Funds lost, or an invalid state could have been finalised.
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Trusted-setup risk, after L2BEAT's colours: `none` (no setup: fraud
/// proofs, STARKs), `low` (green: a large public ceremony), `medium`
/// (yellow), `high` (red: few or unverifiable participants).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum TrustedSetupRisk {
    None,
    Low,
    Medium,
    High,
}

impl TrustedSetupRisk {
    pub fn as_str(self) -> &'static str {
        match self {
            TrustedSetupRisk::None => "none",
            TrustedSetupRisk::Low => "low",
            TrustedSetupRisk::Medium => "medium",
            TrustedSetupRisk::High => "high",
        }
    }
}

/// Read and parse a proof-system file (`.toml` or `.json`), with located errors.
pub fn load_proof_system(path: &Path) -> Result<ProofSystemFile, LoadError> {
    let format = Format::from_path(path).ok_or_else(|| LoadError::UnsupportedType {
        path: path.to_path_buf(),
    })?;
    let src = crate::parse::read_text(path, crate::parse::MAX_FILE_BYTES)?;
    parse_proof_system(&path.display().to_string(), &src, format)
}

/// Parse a proof-system file's text. `name` is used in error messages.
pub fn parse_proof_system(
    name: &str,
    src: &str,
    format: Format,
) -> Result<ProofSystemFile, LoadError> {
    parse_document(name, src, format)
}

/// The JSON Schema of a proof-system file.
pub fn proof_system_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(ProofSystemFile);
    serde_json::to_value(&schema).unwrap_or(serde_json::Value::Null)
}
