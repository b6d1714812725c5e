//! The catalog's structural descriptions (2025) give the field's verdicts
//! from derivations alone (shared/docs/stages.md §5).

use std::path::Path;

use l2stage_assess::Context;
use l2stage_framework::{Selection, Stage};
use l2stage_governance::Rating;
use l2stage_model::{ProjectFile, RequirementId, load_path};

const DAY: i64 = 86_400;

/// Requirements the governance analysis can decide.
const DERIVABLE: &[RequirementId] = &[
    RequirementId::Principle,
    RequirementId::SevenDayExitWindow,
    RequirementId::ThirtyDayExitWindow,
    RequirementId::CouncilProperlySetUp,
    RequirementId::ExitWithoutOperators,
    RequirementId::CouncilOnlyForOnchainBugs,
    RequirementId::PermissionlessProofs,
    RequirementId::FiveExternalChallengers,
];

fn load(id: &str) -> ProjectFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../catalog")
        .join(format!("{id}.toml"));
    load_path(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Base's 2025 structure (three Safes, the Optimism Foundation in the
/// quorum), kept as a fixture since the catalog file moved to the 2026 one.
fn load_base_2025() -> ProjectFile {
    fixture("base-2025.toml")
}

/// A 2025 structure kept as a test fixture (the repository's `fixtures/` folder).
fn fixture(file: &str) -> ProjectFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(file);
    load_path(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// The same project with every derivable requirement's declaration removed,
/// from the base and from every history entry.
fn structure_only(mut p: ProjectFile) -> ProjectFile {
    for id in DERIVABLE {
        p.requirements.0.remove(id);
        for h in &mut p.history {
            h.requirements.0.remove(id);
        }
    }
    p
}

fn assess(p: &ProjectFile, day: &str) -> l2stage_assess::Assessment {
    l2stage_assess::assess(
        p,
        &Context::new(Selection {
            framework: None,
            as_of: day.parse().unwrap(),
        }),
    )
    .unwrap()
}

/// Fails with the requirements' table unless `a` rates `stage`.
fn assert_stage(a: &l2stage_assess::Assessment, stage: Stage) {
    assert_eq!(a.verdict.stage, stage, "{:#?}", a.verdict.requirements);
}

/// The derived exit window, checked to be rated `None` (no window).
fn no_exit_window(a: &l2stage_assess::Assessment) -> &l2stage_governance::ExitWindow {
    let w = a.exit_window.as_ref().expect("exit window");
    assert_eq!(w.rating, Rating::None);
    w
}

/// The analysis' council setup of `actor` (`what` names it on failure).
fn council<'a>(
    a: &'a l2stage_assess::Assessment,
    actor: &str,
    what: &str,
) -> &'a l2stage_governance::CouncilSetup {
    let g = a.governance.as_ref().expect("analysis");
    g.councils.iter().find(|c| c.actor == actor).expect(what)
}

#[test]
fn arbitrum_one_stage_1_with_a_ten_day_dao_window() {
    let p = structure_only(load("arbitrum-one"));
    let a = assess(&p, "2025-09-01");
    assert_stage(&a, Stage::Stage1);
    let w = a.exit_window.as_ref().expect("exit window");
    assert_eq!(w.seconds, Some(10 * DAY), "{}", w.arithmetic);
    assert_eq!(w.rating, Rating::Yellow);
    assert!(w.council_can_upgrade_instantly);
    assert_eq!(
        w.path.first().map(String::as_str),
        Some("dao"),
        "{:?}",
        w.path
    );
    for id in DERIVABLE {
        let r = a.verdict.requirement(*id).unwrap();
        assert!(r.derived, "{id} not derived");
    }
}

#[test]
fn op_mainnet_stage_1_with_no_exit_window() {
    let p = structure_only(load("op-mainnet"));
    let a = assess(&p, "2025-09-01");
    assert_stage(&a, Stage::Stage1);
    let w = no_exit_window(&a);
    assert!(w.council_can_upgrade_instantly);
    assert!(
        a.exit_windows.iter().all(|f| f.council_controlled),
        "an upgrade path avoids the council"
    );
}

#[test]
fn scroll_stage_1_with_no_exit_window() {
    // Scroll's 2025 structure (9/12 council), kept as a fixture.
    let p = structure_only(fixture("scroll-2025.toml"));
    let a = assess(&p, "2025-09-01");
    assert_stage(&a, Stage::Stage1);
    let w = no_exit_window(&a);
    assert!(w.council_can_upgrade_instantly);
}

#[test]
fn scroll_after_its_council_was_replaced_is_stage_0() {
    // Since 2026-06-01 a 3-of-4 team Safe holds the council's roles: it
    // fails the council requirements and upgrades instantly.
    let p = structure_only(load("scroll"));
    let a = assess(&p, "2026-12-06");
    assert_stage(&a, Stage::Stage0);
    let c = council(&a, "scroll-admin-multisig", "the flagged admin Safe");
    assert_eq!((c.entities, c.entity_threshold), (4, 3));
    no_exit_window(&a);
}

#[test]
fn base_stage_1_from_its_nested_council() {
    // Base counts 9 of 12 entities across three Safes (docs.base.org).
    let p = structure_only(load_base_2025());
    let a = assess(&p, "2025-09-01");
    assert_stage(&a, Stage::Stage1);
    let c = council(&a, "base-governance-multisig", "the nested council");
    assert_eq!((c.entities, c.entity_threshold), (12, 9));
    no_exit_window(&a);
}

#[test]
fn base_after_leaving_the_superchain_still_counts_9_of_12() {
    // Since 2026-03-04: 2 of (Coinbase 3/6, council 8/11); eight council
    // members and Coinbase are 9 of the 12 entities (75%).
    let p = structure_only(load("base"));
    let a = assess(&p, "2026-12-06");
    assert_stage(&a, Stage::Stage1);
    let c = council(&a, "base-governance-multisig", "the nested council");
    assert_eq!((c.entities, c.entity_threshold), (12, 9));
    let w = no_exit_window(&a);
    assert!(w.council_can_upgrade_instantly);
    // Before 2026-03-04 the file has no structure in force.
    assert!(assess(&p, "2026-03-03").governance.is_none());
}

#[test]
fn derived_evidence_resolves_cited_sources() {
    let mut p = load("arbitrum-one");
    let g = p.governance.as_mut().expect("structure");
    g.exit.evidence = vec!["source:l2beat-page".into()];
    let page = p
        .project
        .sources
        .iter()
        .find(|s| s.id.as_deref() == Some("l2beat-page"))
        .expect("the catalog cites L2BEAT's page")
        .url
        .clone();
    let a = assess(&p, "2025-09-01");
    let r = a
        .verdict
        .requirement(RequirementId::ExitWithoutOperators)
        .unwrap();
    assert!(r.derived);
    assert!(r.evidence.contains(&page), "{:?}", r.evidence);
    assert!(
        r.evidence.iter().all(|e| !e.starts_with("source:")),
        "{:?}",
        r.evidence
    );
    let mut seen = std::collections::HashSet::new();
    assert!(r.evidence.iter().all(|e| seen.insert(e)), "repeated links");
}

#[test]
fn structural_projects_include_a_stage_0_team_multisig() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
    let mut structural = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if l2stage_model::Format::of_project_file(&path).is_none() {
            continue;
        }
        let p = load_path(&path).unwrap();
        if p.governance.is_some() {
            structural.push(structure_only(p));
        }
    }
    assert!(
        structural.len() >= 5,
        "{} structural projects",
        structural.len()
    );
    let stage0: Vec<_> = structural
        .iter()
        .map(|p| (p.project.id.to_string(), assess(p, "2025-09-01")))
        .filter(|(_, a)| a.verdict.stage == Stage::Stage0)
        .collect();
    assert!(
        !stage0.is_empty(),
        "no Stage 0 project among the structural ones"
    );
    // Its downfall is derived: a team path breaks the principle or the 7-day window.
    let (id, a) = &stage0[0];
    let broken = [RequirementId::Principle, RequirementId::SevenDayExitWindow]
        .iter()
        .any(|r| {
            a.verdict
                .requirement(*r)
                .is_some_and(|x| x.derived && x.status.blocks())
        });
    assert!(
        broken,
        "{id}: Stage 0 but not because of a derived governance failure"
    );
}

#[test]
fn structures_do_not_change_2024_verdicts() {
    for (id, stage) in [
        ("arbitrum-one", Stage::Stage1),
        ("op-mainnet", Stage::Stage1),
        ("scroll", Stage::NotStage0),
    ] {
        let a = assess(&load(id), "2024-09-15");
        assert_eq!(a.verdict.stage, stage, "{id}");
        assert!(
            a.exit_window.is_none(),
            "{id}: structure applied before its `since`"
        );
    }
}
