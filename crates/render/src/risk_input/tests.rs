//! Unit tests of `risk_input`.

use super::*;

/// An outer `safes`-of-`safes` multisig (¾ threshold) over Safes of
/// `keys` keys, no entity in two of them.
fn wide(safes: usize, keys: usize) -> Governance {
    let mut actors = Vec::new();
    for j in 0..safes {
        let members: Vec<serde_json::Value> = (0..keys)
            .map(|i| serde_json::json!({"entity": format!("e{j}-{i}"), "affiliation": "outside"}))
            .collect();
        actors.push(serde_json::json!({"id": format!("s{j}"), "kind": "multisig", "threshold": keys * 3 / 4, "members": members}));
    }
    let signers: Vec<serde_json::Value> = (0..safes)
        .map(|j| serde_json::json!({"actor": format!("s{j}")}))
        .collect();
    actors.push(serde_json::json!({"id": "c", "kind": "multisig", "threshold": safes * 3 / 4, "security_council": true, "members": signers}));
    let g: Governance = serde_json::from_value(serde_json::json!({
        "exit": {"proposing": "permissionless"},
        "actors": actors,
    }))
    .unwrap();
    g.validate().unwrap();
    g
}

#[test]
fn a_nested_council_too_large_to_assess_exactly_is_flattened() {
    let input = |g: &Governance| {
        let actor = g.actors.iter().find(|a| a.security_council).unwrap();
        council_input(
            actor,
            g,
            &Probability::parse("q", "0.1").unwrap(),
            false,
            &Probability::zero(),
        )
        .unwrap()
    };
    // 10 Safes of 24 keys: 10·576 + 1,000 = 6,760 per state, times
    // 240² keys: 389,376,000, within the bound: exact.
    let g = wide(10, 24);
    let i = input(&g);
    match &i.council {
        CouncilStructure::Nested(n) => assert_eq!(exact_work(n), 389_376_000),
        other => panic!("{other:?}"),
    }
    // 40 Safes of 24 keys (an 11 s computation): 40·576 + 64,000 =
    // 87,040 per state, times 960²: flattened to its 960 entities.
    let g = wide(40, 24);
    let i = input(&g);
    match &i.council {
        CouncilStructure::Flattened(c) => assert_eq!(c.members.len(), 960),
        other => panic!("{other:?}"),
    }
    assert!(
        i.notes
            .iter()
            .any(|n| n.contains("too large to assess Safe by Safe exactly")),
        "{:?}",
        i.notes
    );
}

/// The council input of the security council in the project file at
/// `rel` (relative to this crate), at q = 0.1, no correlation.
fn security_council_input(rel: &str) -> CouncilInput {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let file = l2stage_model::load_path(&path).unwrap();
    let gov = file.governance.as_ref().unwrap();
    let actor = gov.actors.iter().find(|a| a.security_council).unwrap();
    council_input(
        actor,
        gov,
        &Probability::parse("q", "0.1").unwrap(),
        false,
        &Probability::zero(),
    )
    .unwrap()
}

#[test]
fn base_is_a_nested_council() {
    // Base's 2025 structure, kept as a fixture (the catalog file now
    // describes the 2026 one, checked below).
    let input = security_council_input("../../fixtures/base-2025.toml");
    match &input.council {
        CouncilStructure::Nested(n) => {
            assert_eq!(n.root.describe(), "2 of (2 of (7/10, 3/6), 5/7)")
        }
        other => panic!("{other:?}"),
    }
    assert!(input.notes[0].starts_with("nested council (Safes "));
}

#[test]
fn base_after_leaving_the_superchain_is_a_nested_council() {
    // Since 2026-03-04: 2 of (Coinbase 3/6, Security Council 8/11).
    let input = security_council_input("../../catalog/base.toml");
    match &input.council {
        CouncilStructure::Nested(n) => {
            assert_eq!(n.root.describe(), "2 of (3/6, 8/11)")
        }
        other => panic!("{other:?}"),
    }
}

fn options(team_block: bool, common_shock: &str) -> ProjectRiskOptions {
    ProjectRiskOptions {
        member_failure: Probability::parse("member failure", "0.1").unwrap(),
        proof_failure: Some(Probability::parse("proof failure", "1/1000").unwrap()),
        common_shock: Probability::parse("common shock", common_shock).unwrap(),
        team_block,
        formula: Formula::Union,
        horizon: Horizon::default(),
    }
}

fn catalog(file: &str) -> ProjectFile {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../catalog")
        .join(file);
    l2stage_model::load_path(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn project_input_names_its_council_and_assumptions_in_order() {
    let file = catalog("arbitrum-one.toml");
    let setup = project_risk_input(&file, &options(true, "1/100")).unwrap();
    assert_eq!(setup.actor.id, "security-council");
    assert_eq!(
        setup.assumptions[..5],
        [
            "each key breaks with q = 0.1 within 1y",
            "keys of one entity break together",
            "team members break together as one block",
            "members without a declared affiliation are counted as team",
            "with probability c = 0.01 every member breaks at once",
        ]
    );
    assert!(matches!(
        setup.input.proof,
        Some(ProofSystem::Single { ref p }) if p.value() == 0.001
    ));
    // The arbitrum council: 9 of 12 keys.
    let v = project_risk_json(
        &file,
        &setup,
        &l2stage_risk::project::assess(&setup.input).unwrap(),
    )
    .unwrap();
    assert_eq!(v["council_actor"], "security-council");
    assert_eq!(v["project"]["id"], "arbitrum-one");
    assert_eq!(v["current"]["council"], "9/12");
    assert_eq!(v["assumptions"].as_array().unwrap().len(), 5);
}

#[test]
fn project_input_errors_say_what_is_missing() {
    let mut file = catalog("arbitrum-one.toml");
    if let Some(g) = file.governance.as_mut() {
        for a in &mut g.actors {
            a.security_council = false;
        }
    }
    assert_eq!(
        project_risk_input(&file, &options(false, "0")).unwrap_err(),
        ProjectRiskError::NoCouncil
    );
    file.governance = None;
    assert_eq!(
        project_risk_input(&file, &options(false, "0")).unwrap_err(),
        ProjectRiskError::NoGovernance
    );
}

#[test]
fn the_council_on_a_day_as_the_dashboard_models_it() {
    let file = catalog("arbitrum-one.toml");
    let day: Date = "2026-12-06".parse().unwrap();
    let (id, shape, nested) = council_shape(&file, day).unwrap();
    assert_eq!(
        (id.as_str(), shape.to_string(), nested),
        ("security-council", "9/12".to_string(), false)
    );
    let (gov, actor) = security_council(&file, day).unwrap();
    // A flat council has no nested model.
    assert!(nested_council(gov, actor, &BaseModel::default()).is_none());
    let mut none = file.clone();
    none.governance = None;
    assert!(security_council(&none, day).is_none());
}
