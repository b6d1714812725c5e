//! Query-string parameters shared by the API and the pages. Anything
//! malformed or unknown is a 400 with a message naming the parameter.

use l2stage_framework::Stage;
use l2stage_model::{Date, Kind};

use crate::error::ApiError;

pub const STAGES: [Stage; 5] = [
    Stage::NotStage0,
    Stage::Stage0,
    Stage::Stage1,
    Stage::Stage2,
    Stage::UnderReview,
];

pub fn parse_stage(s: &str) -> Result<Stage, ApiError> {
    STAGES
        .iter()
        .copied()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "invalid stage `{s}`: expected one of {}",
                STAGES.map(|s| s.as_str()).join(", ")
            ))
        })
}

pub fn parse_kind(s: &str) -> Result<Kind, ApiError> {
    match s {
        "optimistic" => Ok(Kind::Optimistic),
        "validity" => Ok(Kind::Validity),
        "validium" => Ok(Kind::Validium),
        "optimium" => Ok(Kind::Optimium),
        _ => Err(ApiError::bad_request(format!(
            "invalid kind `{s}`: expected optimistic, validity, validium or optimium"
        ))),
    }
}

pub fn parse_date(name: &str, s: &str) -> Result<Date, ApiError> {
    s.parse::<Date>()
        .map_err(|e| ApiError::bad_request(format!("invalid `{name}`: {e}")))
}

/// Decode `a=1&b=2` into pairs; a malformed escape is a 400.
pub fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    match raw {
        None | Some("") => Ok(Vec::new()),
        Some(q) => serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}"))),
    }
}

/// Refuse parameters not in `known`, and any given twice.
pub fn check_known(pairs: &[(String, String)], known: &[&str]) -> Result<(), ApiError> {
    for (i, (k, _)) in pairs.iter().enumerate() {
        if !known.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unknown query parameter `{k}`; expected {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    format!("one of: {}", known.join(", "))
                }
            )));
        }
        if pairs[..i].iter().any(|(k2, _)| k2 == k) {
            return Err(ApiError::bad_request(format!(
                "query parameter `{k}` is given twice"
            )));
        }
    }
    Ok(())
}

/// The day and revision to assess under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct When {
    pub as_of: Option<Date>,
    pub framework: Option<String>,
}

/// Filters of the project list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub when: When,
    pub stages: Vec<Stage>,
    pub kind: Option<Kind>,
}

fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

pub fn when(pairs: &[(String, String)]) -> Result<When, ApiError> {
    Ok(When {
        as_of: value(pairs, "as_of")
            .map(|v| parse_date("as_of", v))
            .transpose()?,
        framework: value(pairs, "framework").map(str::to_string),
    })
}

/// `stage` may list several stages separated by commas.
pub fn list_query(pairs: &[(String, String)]) -> Result<ListQuery, ApiError> {
    let stages = match value(pairs, "stage") {
        None => Vec::new(),
        Some(v) => v
            .split(',')
            .map(|s| parse_stage(s.trim()))
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(ListQuery {
        when: when(pairs)?,
        stages,
        kind: value(pairs, "kind").map(parse_kind).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Vec<(String, String)> {
        pairs(Some(q)).expect("pairs")
    }

    #[test]
    fn list_filters() {
        let q = list_query(&p("stage=stage-1,stage-2&kind=validity&as_of=2024-09-15")).expect("ok");
        assert_eq!(q.stages, [Stage::Stage1, Stage::Stage2]);
        assert_eq!(q.kind, Some(Kind::Validity));
        assert_eq!(q.when.as_of, "2024-09-15".parse().ok());
        // Empty values mean "no filter" (a form's "any" option).
        assert_eq!(
            list_query(&p("stage=&kind=")).expect("ok"),
            ListQuery::default()
        );
    }

    #[test]
    fn bad_values_name_the_parameter() {
        let e = list_query(&p("stage=3")).expect_err("bad stage");
        assert!(e.body.message.contains("invalid stage `3`"), "{e:?}");
        let e = list_query(&p("as_of=2024-02-30")).expect_err("bad date");
        assert!(e.body.message.contains("as_of"), "{e:?}");
        let e = list_query(&p("kind=zk")).expect_err("bad kind");
        assert!(
            e.body
                .message
                .contains("optimistic, validity, validium or optimium"),
            "{e:?}"
        );
        let e = check_known(&p("stage=stage-1&colour=red"), &["stage"]).expect_err("unknown");
        assert!(e.body.message.contains("`colour`"), "{e:?}");
        let e = check_known(&p("stage=a&stage=b"), &["stage"]).expect_err("twice");
        assert!(e.body.message.contains("twice"), "{e:?}");
    }
}
