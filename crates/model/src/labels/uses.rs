//! Deserializing a project's proof-system list: plain ids, or dated
//! `{ id, since, until }` entries, each id at most once per period.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};

use super::{ProofSystemIds, UsePeriod};
use crate::date::Date;
use crate::project::Slug;

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
