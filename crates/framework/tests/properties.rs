//! Property: whatever the declarations, the stage never sits above a stage
//! whose requirements are unmet (grace periods aside, which are checked to
//! only ever keep the stage whose items they cover).

use l2stage_framework::{Selection, Stage, declared_verdict, revision};
use l2stage_model::{
    Date, Declared, DeclaredStatus, Kind, ProjectFile, RequirementId, Requirements,
};
use proptest::prelude::*;

fn status() -> impl Strategy<Value = Option<DeclaredStatus>> {
    prop_oneof![
        Just(None),
        Just(Some(DeclaredStatus::Met)),
        Just(Some(DeclaredStatus::Met)),
        Just(Some(DeclaredStatus::Unmet)),
        Just(Some(DeclaredStatus::UnderReview)),
        Just(Some(DeclaredStatus::NotApplicable)),
    ]
}

fn project(kind: Kind, statuses: &[Option<DeclaredStatus>]) -> ProjectFile {
    let reqs = RequirementId::ALL
        .iter()
        .zip(statuses)
        .filter_map(|(id, s)| {
            let s = (*s)?;
            // The parser rejects a not-applicable principle; mirror it.
            (!(*id == RequirementId::Principle && s == DeclaredStatus::NotApplicable))
                .then(|| (*id, Declared::bare(s)))
        })
        .collect();
    let mut p: ProjectFile = serde_json::from_value(serde_json::json!({
        "project": { "id": "p", "name": "P", "kind": kind.as_str(), "links": {"node_source": "https://example.org"} }
    }))
    .unwrap();
    p.requirements = Requirements(reqs);
    p
}

proptest! {
    #[test]
    fn stage_never_above_an_unmet_stage(
        kind_idx in 0usize..4,
        statuses in proptest::collection::vec(status(), RequirementId::ALL.len()),
        rev_idx in 0usize..4,
        day_offset in 0i64..1200,
    ) {
        let kind = Kind::ALL[kind_idx];
        let p = project(kind, &statuses);
        let rev = &revision::revisions()[rev_idx];
        let as_of = Date(Date::from_ymd(2023, 6, 1).unwrap().0 + chrono::Days::new(day_offset as u64));
        let v = declared_verdict(&p, Selection { framework: Some(rev.id), as_of }).unwrap();
        // Validiums and optimiums fall forward to the first alt-DA blueprint.
        let rev = revision::by_id(v.framework).unwrap();
        prop_assert!(rev.blueprint(kind).is_some());
        prop_assert_eq!(v.requirements.len(), rev.requirements_for(kind).count());
        let level = v.stage.level().unwrap();
        prop_assert!(v.stage != Stage::UnderReview);
        for r in &v.requirements {
            if r.status.blocks() && (r.stage as i8) <= level {
                // Only a grace period may keep a stage with an unmet item, and
                // only for the stage the item belongs to.
                prop_assert!(rev.grace_for(r.id, as_of).is_some(), "{} unmet at stage {} but verdict {:?}", r.id, r.stage, v.stage);
                prop_assert_eq!(r.stage as i8, level);
                prop_assert!(v.downgrade_pending.is_some());
            }
        }
        // And the stage is the highest one reachable: the next stage has a blocker.
        if let Some(m) = &v.missing {
            prop_assert!(!m.requirements.is_empty());
            prop_assert_eq!(m.next_stage.level().unwrap(), level + 1);
        } else {
            prop_assert_eq!(v.stage, Stage::Stage2);
        }
    }
}
