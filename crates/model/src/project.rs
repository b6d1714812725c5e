//! The project file: one rollup, its declared requirements and their history.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::requirement::{Declared, DeclaredStatus, RequirementId};

/// A whole project file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    pub project: ProjectMeta,
    /// Declared statuses before the first history entry.
    #[serde(default, skip_serializing_if = "Requirements::is_empty")]
    pub requirements: Requirements,
    /// Dated changes, each overriding what came before from its date on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// Inputs of the BattleTested and proof-system maturity labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<crate::labels::LabelInputs>,
    /// The governance structure requirements are derived from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governance: Option<crate::governance::Governance>,
    /// How `l2stage watch` re-reads the project from the chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery: Option<crate::discovery::DiscoveryRecipe>,
}

/// The proof-system family and where data is kept; the blueprint and the
/// not-applicable rules depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Optimistic rollup: fraud proofs, data on Ethereum.
    Optimistic,
    /// Validity (ZK) rollup: validity proofs, data on Ethereum.
    Validity,
    /// Validity proofs, data kept off Ethereum (attested by a committee or
    /// an external DA layer).
    Validium,
    /// Fraud proofs, data kept off Ethereum.
    Optimium,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Optimistic,
        Kind::Validity,
        Kind::Validium,
        Kind::Optimium,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Optimistic => "optimistic",
            Kind::Validity => "validity",
            Kind::Validium => "validium",
            Kind::Optimium => "optimium",
        }
    }

    /// State roots are adjudicated by fraud proofs (optimistic rollups and
    /// optimiums).
    pub fn fraud_proofs(self) -> bool {
        matches!(self, Kind::Optimistic | Kind::Optimium)
    }

    /// State roots are adjudicated by validity proofs (validity rollups and
    /// validiums).
    pub fn validity_proofs(self) -> bool {
        matches!(self, Kind::Validity | Kind::Validium)
    }

    /// Data is kept off Ethereum: assessed on the alt-DA blueprint.
    pub fn alt_da(self) -> bool {
        matches!(self, Kind::Validium | Kind::Optimium)
    }

    /// In prose: "optimistic rollup", "validium", ...
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Optimistic => "optimistic rollup",
            Kind::Validity => "validity rollup",
            Kind::Validium => "validium",
            Kind::Optimium => "optimium",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectMeta {
    /// Slug: lowercase letters, digits and single dashes.
    pub id: Slug,
    /// Other ids the project is known by (e.g. L2BEAT's slug): `assess`,
    /// the dashboard and the API accept them for `id`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Slug>,
    pub name: String,
    pub kind: Kind,
    /// The whole project is under review.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub under_review: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// The day the project was archived (shut down or no longer tracked):
    /// it is assessed as of this day unless another day is asked for, and
    /// listed apart from live projects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<Date>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Links {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
    /// Node software that rebuilds the state from L1 data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_source: Option<String>,
    /// The public list of Security Council members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub council_members: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
}

impl Links {
    pub fn is_empty(&self) -> bool {
        *self == Links::default()
    }
}

/// Where facts came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Short name, cited in evidence as `source:ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessed: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A dated change to a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// The day the change took effect (inclusive).
    pub date: Date,
    /// What happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// The project becomes (true) or stops being (false) wholly under review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under_review: Option<bool>,
    /// The project switched proof-system family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    #[serde(default, skip_serializing_if = "Requirements::is_empty")]
    pub requirements: Requirements,
}

/// Declared requirements keyed by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Requirements(pub BTreeMap<RequirementId, Declared>);

impl Requirements {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Deserializes one requirement's value knowing its id, so that rules about
/// the value (the principle is never not-applicable) fail at the value's own
/// location in the file.
struct DeclaredFor(RequirementId);

impl<'de> DeserializeSeed<'de> for DeclaredFor {
    type Value = Declared;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Declared, D::Error> {
        let declared = Declared::deserialize(d)?;
        if self.0 == RequirementId::Principle && declared.status == DeclaredStatus::NotApplicable {
            return Err(de::Error::custom(
                "the principle is never not-applicable: declare it met, unmet or under-review (unknown counts as unmet)",
            ));
        }
        Ok(declared)
    }
}

impl<'de> Deserialize<'de> for Requirements {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ReqVisitor;
        impl<'de> Visitor<'de> for ReqVisitor {
            type Value = Requirements;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of requirement id = status")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Requirements, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(id) = map.next_key::<RequirementId>()? {
                    let value = map.next_value_seed(DeclaredFor(id))?;
                    if out.insert(id, value).is_some() {
                        // TOML rejects duplicate keys itself; JSON does not.
                        return Err(de::Error::custom(format!(
                            "requirement `{id}` is declared twice"
                        )));
                    }
                }
                Ok(Requirements(out))
            }
        }
        d.deserialize_map(ReqVisitor)
    }
}

impl schemars::JsonSchema for Requirements {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Requirements".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let status = generator.subschema_for::<DeclaredStatus>();
        let declared = schemars::json_schema!({
            "oneOf": [
                status,
                {
                    "type": "object",
                    "properties": {
                        "status": status,
                        "reason": { "type": "string", "minLength": 1 },
                        "evidence": { "type": "array", "items": { "type": "string" } }
                    },
                    "required": ["status"],
                    "additionalProperties": false
                }
            ]
        });
        let props: serde_json::Map<String, serde_json::Value> = RequirementId::ALL
            .iter()
            .map(|r| {
                let mut s = declared.clone();
                s.insert("description".into(), r.title().into());
                (r.as_str().to_string(), s.into())
            })
            .collect();
        schemars::json_schema!({
            "type": "object",
            "description": "Declared statuses keyed by requirement id. A requirement left out is unknown and counts as unmet.",
            "properties": props,
            "additionalProperties": false
        })
    }
}

/// A project id: lowercase letters, digits and single inner dashes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parse(s: &str) -> Result<Slug, String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok {
            Ok(Slug(s.to_string()))
        } else {
            Err(format!(
                "invalid id `{s}`: use 1-64 lowercase letters, digits and single dashes, e.g. `op-mainnet`"
            ))
        }
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Slug::parse(&s).map_err(de::Error::custom)
    }
}

impl schemars::JsonSchema for Slug {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Slug".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
            "maxLength": 64
        })
    }
}

/// Where a requirement's current declaration came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// `None`: the base `[requirements]`; otherwise the history entry's date.
    pub since: Option<Date>,
    pub summary: Option<String>,
}

/// The project as it stood on one day, after applying its history.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectState {
    pub kind: Kind,
    pub under_review: bool,
    /// When `under_review` was last set by history, if it was.
    pub under_review_since: Option<Date>,
    pub requirements: BTreeMap<RequirementId, (Declared, Origin)>,
}

impl ProjectFile {
    /// The address of the source cited as `source:ID`, if the file defines it.
    pub fn source_url(&self, id: &str) -> Option<&str> {
        self.project
            .sources
            .iter()
            .find(|s| s.id.as_deref() == Some(id))
            .map(|s| s.url.as_str())
    }

    /// Whether `name` is this project's id or one of its aliases.
    pub fn answers_to(&self, name: &str) -> bool {
        self.project.id.as_str() == name || self.project.aliases.iter().any(|a| a.as_str() == name)
    }

    /// The first of this project's names (its id, then its aliases) that
    /// `other` also answers to: two such files in one catalog would make an
    /// id ambiguous.
    pub fn shared_name(&self, other: &ProjectFile) -> Option<&str> {
        std::iter::once(&self.project.id)
            .chain(&self.project.aliases)
            .map(|n| n.as_str())
            .find(|n| other.answers_to(n))
    }

    /// Checks across fields that serde cannot express.
    pub fn validate(&self) -> Result<(), crate::governance::FieldError> {
        use crate::governance::{FieldError, PathSeg};
        for (i, a) in self.project.aliases.iter().enumerate() {
            let dup = self.project.aliases[..i].contains(a);
            if *a == self.project.id || dup {
                return Err(FieldError {
                    path: vec![
                        PathSeg::Key("project".into()),
                        PathSeg::Key("aliases".into()),
                        PathSeg::Index(i),
                    ],
                    message: if dup {
                        format!("alias `{a}` is listed twice")
                    } else {
                        format!("alias `{a}` is the project's own id")
                    },
                    hint: None,
                });
            }
        }
        if let Some(d) = &self.discovery {
            d.validate()?;
        }
        match &self.governance {
            Some(g) => g.validate(),
            None => Ok(()),
        }
    }

    /// History entries in effect order: by date, then file order.
    pub fn history_in_order(&self) -> Vec<&HistoryEntry> {
        let mut h: Vec<&HistoryEntry> = self.history.iter().collect();
        h.sort_by_key(|e| e.date); // stable: same-date entries keep file order
        h
    }

    /// Apply every history entry dated on or before `as_of`.
    pub fn state_at(&self, as_of: Date) -> ProjectState {
        let base = Origin {
            since: None,
            summary: None,
        };
        let mut state = ProjectState {
            kind: self.project.kind,
            under_review: self.project.under_review,
            under_review_since: None,
            requirements: self
                .requirements
                .0
                .iter()
                .map(|(id, d)| (*id, (d.clone(), base.clone())))
                .collect(),
        };
        for entry in self
            .history_in_order()
            .into_iter()
            .filter(|e| e.date <= as_of)
        {
            if let Some(k) = entry.kind {
                state.kind = k;
            }
            if let Some(u) = entry.under_review {
                state.under_review = u;
                state.under_review_since = Some(entry.date);
            }
            let origin = Origin {
                since: Some(entry.date),
                summary: entry.summary.clone(),
            };
            for (id, d) in &entry.requirements.0 {
                state.requirements.insert(*id, (d.clone(), origin.clone()));
            }
        }
        state
    }
}
