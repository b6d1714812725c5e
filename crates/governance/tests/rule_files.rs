//! "Where is `X` decided?": each requirement the structure decides has its
//! own file in `src/requirements/`, named after the id, opening with the
//! id and the revision that introduced it.

use std::path::Path;

use l2stage_model::RequirementId;

/// Files of `src/requirements/` that hold shared arithmetic, not a rule.
const HELPERS: &[&str] = &["mod.rs", "da_committee.rs", "da_verifier.rs"];

#[test]
fn every_rule_file_is_named_after_a_requirement_and_cites_its_revision() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/requirements");
    let mut rules = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("src/requirements") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("utf-8");
        if HELPERS.contains(&name.as_str()) {
            continue;
        }
        let stem = name.strip_suffix(".rs").expect("a .rs file");
        let id: RequirementId = stem
            .replace('_', "-")
            .parse()
            .unwrap_or_else(|e| panic!("{name} is not named after a requirement: {e}"));
        let text = std::fs::read_to_string(dir.join(&name)).expect("read");
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("//! `{}`", id.as_str())),
            "{name} must open with its id: {first}"
        );
        let head: String = text.lines().take(3).collect();
        assert!(
            ["2023-06", "2025-01", "2025-06", "2026-02"]
                .iter()
                .any(|r| head.contains(r)),
            "{name} must name the revision that introduced it"
        );
        let mod_rs = std::fs::read_to_string(dir.join("mod.rs")).expect("mod.rs");
        assert!(
            mod_rs.contains(&format!("{stem}::derive(i)")),
            "{name} is not dispatched from requirements::derive"
        );
        rules.push(id);
    }
    // The twelve requirements the governance structure decides.
    assert_eq!(rules.len(), 12, "{rules:?}");
}

/// A council of 8 outside entities (6 to sign) upgrading through a 10-day
/// timelock; fraud proofs open to anyone.
const STRUCTURE: &str = r#"
[governance.exit]
forced_inclusion = "1d"
finalization = "7d"
proposing = "permissionless"
challenging = "permissionless"

[[governance.actors]]
id = "council"
kind = "multisig"
security_council = true
threshold = 6
members = [
  { entity = "A", affiliation = "outside" }, { entity = "B", affiliation = "outside" },
  { entity = "C", affiliation = "outside" }, { entity = "D", affiliation = "outside" },
  { entity = "E", affiliation = "outside" }, { entity = "F", affiliation = "outside" },
  { entity = "G", affiliation = "outside" }, { entity = "H", affiliation = "outside" },
]

[[governance.actors]]
id = "timelock"
kind = "timelock"
delay = "10d"
proposers = ["council"]

[[governance.powers]]
actor = "timelock"
power = "upgrade"
target = "rollup contracts"
"#;

fn analysed(kind: &str) -> (l2stage_model::ProjectFile, l2stage_governance::Analysis) {
    let src = format!("[project]\nid = \"t\"\nname = \"T\"\nkind = \"{kind}\"\n{STRUCTURE}");
    let p = l2stage_model::parse_str("t.toml", &src, l2stage_model::Format::Toml)
        .unwrap_or_else(|e| panic!("{e}"));
    let k = if kind == "validity" {
        l2stage_model::Kind::Validity
    } else {
        l2stage_model::Kind::Optimistic
    };
    let a = l2stage_governance::analyze(p.governance.as_ref().expect("governance"), k)
        .expect("analysis");
    (p, a)
}

/// The dispatch in `requirements::derive`: which ids the structure decides
/// for each kind, and that declared-only ids are left to the project file.
#[test]
fn the_structure_decides_exactly_the_governance_requirements() {
    use RequirementId::*;
    use l2stage_governance::requirements::{Inputs, derive};
    let (p, optimistic) = analysed("optimistic");
    assert_eq!(
        optimistic.derived.keys().copied().collect::<Vec<_>>(),
        vec![
            FiveExternalChallengers,
            Principle,
            ExitWithoutOperators,
            SevenDayExitWindow,
            CouncilProperlySetUp,
            PermissionlessProofs,
            ThirtyDayExitWindow,
            CouncilOnlyForOnchainBugs,
        ]
    );
    let (_, validity) = analysed("validity");
    assert!(!validity.derived.contains_key(&PermissionlessProofs));
    assert!(!validity.derived.contains_key(&FiveExternalChallengers));
    assert_eq!(validity.derived.len(), 6);

    let gov = p.governance.as_ref().expect("governance");
    let inputs = Inputs::new(gov, l2stage_model::Kind::Optimistic, &optimistic);
    for id in [
        ProofSystem,
        DataOnL1,
        NodeSourceAvailable,
        DaVerifierSecureOnL1,
    ] {
        assert_eq!(derive(id, &inputs), None, "{id}");
    }
    // No DA section: the DA rules have nothing to decide.
    for id in [DaVerifierSevenDayExitWindow, DaCommitteeDecentralized] {
        assert_eq!(derive(id, &inputs), None, "{id}");
    }
    // 10d − (1d + 7d) = 2d: the council controls the only path, so the
    // 7-day rule is met and the 30-day rule is not.
    let seven = derive(SevenDayExitWindow, &inputs).expect("derived");
    assert_eq!(seven.status, l2stage_governance::DerivedStatus::Met);
    assert_eq!(optimistic.derived.get(&SevenDayExitWindow), Some(&seven));
    let thirty = derive(ThirtyDayExitWindow, &inputs).expect("derived");
    assert_eq!(thirty.status, l2stage_governance::DerivedStatus::Unmet);
    assert!(thirty.reason.contains("2d"), "{}", thirty.reason);
}
