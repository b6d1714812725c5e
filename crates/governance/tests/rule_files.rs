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
