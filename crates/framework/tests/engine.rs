//! The engine's rules, asserted against the framework's definition
//! (shared/docs/stages.md §2–3) on small hand-written projects.

use l2stage_framework::{Selection, Stage, Status, Verdict, declared_verdict, revision};
use l2stage_model::{Date, Format, ProjectFile, RequirementId, parse_str};

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

/// A project of `kind` declaring the given `id = "status"` lines.
fn project(kind: &str, decls: &[(&str, &str)]) -> ProjectFile {
    let mut src = format!(
        "[project]\nid = \"t\"\nname = \"T\"\nkind = \"{kind}\"\nlinks.node_source = \"https://example.org/node\"\n[requirements]\n"
    );
    for (id, status) in decls {
        src.push_str(&format!("{id} = \"{status}\"\n"));
    }
    parse_str("t.toml", &src, Format::Toml).unwrap()
}

fn run(p: &ProjectFile, framework: Option<&str>, as_of: &str) -> Verdict {
    declared_verdict(
        p,
        Selection {
            framework,
            as_of: day(as_of),
        },
    )
    .unwrap()
}

const STAGE0_BASICS: [&str; 4] = [
    "calls-itself-rollup",
    "state-roots-on-l1",
    "data-on-l1",
    "node-source-available",
];
const PROOFS: [&str; 2] = ["proof-system", "five-external-challengers"];
const STAGE1_CORE: [&str; 3] = [
    "exit-without-operators",
    "seven-day-exit-window",
    "council-properly-set-up",
];
const STAGE2: [&str; 3] = [
    "permissionless-proofs",
    "thirty-day-exit-window",
    "council-only-for-onchain-bugs",
];

fn all_met_optimistic() -> Vec<(&'static str, &'static str)> {
    STAGE0_BASICS
        .iter()
        .chain(PROOFS.iter())
        .chain(STAGE1_CORE.iter())
        .chain(["principle"].iter())
        .chain(STAGE2.iter())
        .map(|id| (*id, "met"))
        .collect()
}

fn with(
    mut decls: Vec<(&'static str, &'static str)>,
    id: &'static str,
    status: &'static str,
) -> Vec<(&'static str, &'static str)> {
    decls.retain(|(i, _)| *i != id);
    if status != "omit" {
        decls.push((id, status));
    }
    decls
}

#[test]
fn revisions_are_selected_by_date() {
    assert_eq!(
        revision::in_force_on(day("2024-09-15")).unwrap().id,
        "2023-06"
    );
    assert_eq!(
        revision::in_force_on(day("2025-03-01")).unwrap().id,
        "2025-01"
    );
    assert_eq!(
        revision::in_force_on(day("2025-06-24")).unwrap().id,
        "2025-01"
    );
    assert_eq!(
        revision::in_force_on(day("2025-06-25")).unwrap().id,
        "2025-06"
    );
    assert_eq!(
        revision::in_force_on(day("2025-01-28")).unwrap().id,
        "2023-06"
    );
    assert_eq!(
        revision::in_force_on(day("2026-02-15")).unwrap().id,
        "2025-06"
    );
    assert_eq!(
        revision::in_force_on(day("2026-02-16")).unwrap().id,
        "2026-02"
    );
    assert!(revision::in_force_on(day("2022-01-01")).is_none());
    // Every revision has each requirement at most once, and its in-force dates increase.
    let revs = revision::revisions();
    for pair in revs.windows(2) {
        assert!(pair[0].in_force < pair[1].in_force);
    }
    for r in revs {
        let ids: Vec<_> = r.requirements().map(|(_, id)| id).collect();
        let mut dedup = ids.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(ids.len(), dedup.len(), "{} lists a requirement twice", r.id);
    }
}

#[test]
fn everything_met_is_stage_2_in_every_revision() {
    let p = project("optimistic", &all_met_optimistic());
    for (rev, as_of) in [
        ("2023-06", "2024-01-01"),
        ("2025-01", "2025-03-01"),
        ("2025-06", "2025-09-01"),
    ] {
        let v = run(&p, Some(rev), as_of);
        assert_eq!(v.stage, Stage::Stage2, "{rev}");
        assert_eq!(v.framework, rev);
        assert!(v.missing.is_none());
        assert!(v.downgrade_pending.is_none());
    }
}

#[test]
fn proof_system_is_stage_1_in_2023_and_stage_0_since_2025_06() {
    let p = project(
        "optimistic",
        &with(all_met_optimistic(), "proof-system", "unmet"),
    );
    let v = run(&p, Some("2023-06"), "2024-09-15");
    assert_eq!(v.stage, Stage::Stage0);
    assert_eq!(v.requirement(RequirementId::ProofSystem).unwrap().stage, 1);
    assert_eq!(v.missing.as_ref().unwrap().next_stage, Stage::Stage1);
    assert_eq!(
        v.missing.as_ref().unwrap().requirements,
        vec![RequirementId::ProofSystem]
    );

    let v = run(&p, Some("2025-06"), "2025-09-01");
    assert_eq!(v.stage, Stage::NotStage0);
    assert_eq!(v.requirement(RequirementId::ProofSystem).unwrap().stage, 0);
    assert_eq!(v.missing.as_ref().unwrap().next_stage, Stage::Stage0);
}

#[test]
fn stages_are_strictly_ordered() {
    // Stage 2 items met but a Stage 1 item unmet: Stage 0, not Stage 2.
    let p = project(
        "optimistic",
        &with(all_met_optimistic(), "seven-day-exit-window", "unmet"),
    );
    assert_eq!(run(&p, Some("2025-06"), "2025-09-01").stage, Stage::Stage0);
    // A Stage 0 item unmet: not even Stage 0, whatever else holds.
    let p = project(
        "optimistic",
        &with(all_met_optimistic(), "data-on-l1", "unmet"),
    );
    let v = run(&p, Some("2023-06"), "2024-09-15");
    assert_eq!(v.stage, Stage::NotStage0);
    assert_eq!(
        v.missing.unwrap().requirements,
        vec![RequirementId::DataOnL1]
    );
}

#[test]
fn unknown_counts_as_unmet_and_under_review_too() {
    let p = project(
        "optimistic",
        &with(all_met_optimistic(), "council-properly-set-up", "omit"),
    );
    let v = run(&p, Some("2025-06"), "2025-09-01");
    assert_eq!(v.stage, Stage::Stage0);
    assert_eq!(
        v.requirement(RequirementId::CouncilProperlySetUp)
            .unwrap()
            .status,
        Status::Unknown
    );
    assert!(
        v.warnings
            .iter()
            .any(|w| w.contains("council-properly-set-up"))
    );

    let p = project(
        "optimistic",
        &with(
            all_met_optimistic(),
            "council-properly-set-up",
            "under-review",
        ),
    );
    let v = run(&p, Some("2025-06"), "2025-09-01");
    assert_eq!(v.stage, Stage::Stage0);
    assert_eq!(
        v.requirement(RequirementId::CouncilProperlySetUp)
            .unwrap()
            .status,
        Status::UnderReview
    );

    // The principle left out is unknown, so unmet (never not-applicable).
    let p = project(
        "optimistic",
        &with(all_met_optimistic(), "principle", "omit"),
    );
    let v = run(&p, Some("2025-06"), "2025-09-01");
    assert_eq!(v.stage, Stage::Stage0);
    assert_eq!(
        v.requirement(RequirementId::Principle).unwrap().status,
        Status::Unknown
    );
}

#[test]
fn fraud_proof_items_do_not_apply_to_validity_rollups() {
    let decls: Vec<_> = all_met_optimistic()
        .into_iter()
        .filter(|(id, _)| !["five-external-challengers", "permissionless-proofs"].contains(id))
        .collect();
    let p = project("validity", &decls);
    let v = run(&p, Some("2025-06"), "2025-09-01");
    assert_eq!(v.stage, Stage::Stage2);
    for id in [
        RequirementId::FiveExternalChallengers,
        RequirementId::PermissionlessProofs,
    ] {
        assert_eq!(v.requirement(id).unwrap().status, Status::NotApplicable);
    }
    // The same declarations on an optimistic rollup leave them unknown: not Stage 0.
    let p = project("optimistic", &decls);
    assert_eq!(
        run(&p, Some("2025-06"), "2025-09-01").stage,
        Stage::NotStage0
    );
    // Declaring them not-applicable on an optimistic rollup does not help.
    let p = project(
        "optimistic",
        &with(
            all_met_optimistic(),
            "five-external-challengers",
            "not-applicable",
        ),
    );
    let v = run(&p, Some("2025-06"), "2025-09-01");
    assert_eq!(v.stage, Stage::NotStage0);
    assert_eq!(
        v.requirement(RequirementId::FiveExternalChallengers)
            .unwrap()
            .status,
        Status::Unmet
    );
    assert!(!v.warnings.is_empty());
}

#[test]
fn no_council_items_may_be_not_applicable() {
    let decls = with(
        with(
            all_met_optimistic(),
            "council-properly-set-up",
            "not-applicable",
        ),
        "council-only-for-onchain-bugs",
        "not-applicable",
    );
    let v = run(
        &project("optimistic", &decls),
        Some("2025-06"),
        "2025-09-01",
    );
    assert_eq!(v.stage, Stage::Stage2);
}

#[test]
fn principle_grace_period_under_2025_01() {
    let p = project(
        "optimistic",
        &with(all_met_optimistic(), "principle", "unmet"),
    );
    let v = run(&p, Some("2025-01"), "2025-07-01");
    assert_eq!(v.stage, Stage::Stage1);
    let d = v.downgrade_pending.as_ref().expect("downgrade pending");
    assert_eq!(d.to_stage, Stage::Stage0);
    assert_eq!(d.deadline, day("2025-07-29"));
    assert!(d.reasons.iter().any(|r| r.contains("principle")));
    // The grace period never lifts a project above the stage it protects.
    assert_eq!(v.missing.as_ref().unwrap().next_stage, Stage::Stage2);
    assert!(
        v.missing
            .as_ref()
            .unwrap()
            .requirements
            .contains(&RequirementId::Principle)
    );

    let v = run(&p, Some("2025-01"), "2025-08-01");
    assert_eq!(v.stage, Stage::Stage0);
    assert!(v.downgrade_pending.is_none());
    // The deadline day itself is past the grace period.
    assert_eq!(run(&p, Some("2025-01"), "2025-07-29").stage, Stage::Stage0);
    assert_eq!(run(&p, Some("2025-01"), "2025-07-28").stage, Stage::Stage1);
    // Under 2025-06 the same grace applies.
    assert_eq!(run(&p, None, "2025-07-01").stage, Stage::Stage1);
    assert_eq!(run(&p, None, "2025-08-01").stage, Stage::Stage0);
}

#[test]
fn grace_only_covers_projects_failing_nothing_else() {
    let decls = with(
        with(all_met_optimistic(), "principle", "unmet"),
        "seven-day-exit-window",
        "unmet",
    );
    let v = run(
        &project("optimistic", &decls),
        Some("2025-01"),
        "2025-07-01",
    );
    assert_eq!(v.stage, Stage::Stage0);
    assert!(v.downgrade_pending.is_none());
}

#[test]
fn principle_does_not_exist_before_2025() {
    let p = project(
        "optimistic",
        &with(all_met_optimistic(), "principle", "unmet"),
    );
    let v = run(&p, None, "2024-09-15");
    assert_eq!(v.framework, "2023-06");
    assert_eq!(v.stage, Stage::Stage2);
    assert!(v.requirement(RequirementId::Principle).is_none());
}

#[test]
fn whole_project_under_review() {
    let src = "[project]\nid = \"t\"\nname = \"T\"\nkind = \"validity\"\nunder_review = true\n";
    let p = parse_str("t.toml", src, Format::Toml).unwrap();
    let v = run(&p, None, "2024-09-15");
    assert_eq!(v.stage, Stage::UnderReview);
    assert!(v.missing.is_none());
}

#[test]
fn history_applies_up_to_the_day() {
    let src = r#"
[project]
id = "t"
name = "T"
kind = "optimistic"
links.node_source = "https://example.org/node"
[requirements]
calls-itself-rollup = "met"
state-roots-on-l1 = "met"
data-on-l1 = "met"
node-source-available = "met"
proof-system = "unmet"
five-external-challengers = "met"
exit-without-operators = "met"
seven-day-exit-window = "met"
council-properly-set-up = "met"

[[history]]
date = 2024-08-17
summary = "proofs off"
requirements.proof-system = "unmet"

[[history]]
date = 2024-06-10
summary = "proofs on"
requirements.proof-system = { status = "met", reason = "fault proofs live" }

[[history]]
date = "2024-09-11"
summary = "proofs back"
requirements.proof-system = "met"
"#;
    let p = parse_str("t.toml", src, Format::Toml).unwrap();
    let stage = |d: &str| run(&p, None, d).stage;
    assert_eq!(stage("2024-06-09"), Stage::Stage0);
    assert_eq!(stage("2024-06-10"), Stage::Stage1);
    assert_eq!(stage("2024-08-16"), Stage::Stage1);
    assert_eq!(stage("2024-08-17"), Stage::Stage0);
    assert_eq!(stage("2024-09-11"), Stage::Stage1);
    let v = run(&p, None, "2024-07-01");
    let r = v.requirement(RequirementId::ProofSystem).unwrap();
    assert_eq!(r.since, Some(day("2024-06-10")));
    assert!(r.reason.contains("fault proofs live") && r.reason.contains("2024-06-10"));
}

#[test]
fn node_source_needs_a_link() {
    let src = "[project]\nid = \"t\"\nname = \"T\"\nkind = \"validity\"\n[requirements]\ncalls-itself-rollup = \"met\"\nstate-roots-on-l1 = \"met\"\ndata-on-l1 = \"met\"\nnode-source-available = \"met\"\n";
    let p = parse_str("t.toml", src, Format::Toml).unwrap();
    let v = run(&p, Some("2023-06"), "2024-01-01");
    assert_eq!(v.stage, Stage::NotStage0);
    assert_eq!(
        v.requirement(RequirementId::NodeSourceAvailable)
            .unwrap()
            .status,
        Status::Unmet
    );
    assert!(v.warnings.iter().any(|w| w.contains("node software")));
}

#[test]
fn explicit_revision_and_unknown_revision() {
    let p = project("optimistic", &all_met_optimistic());
    let v = run(&p, Some("2025-06"), "2024-01-01");
    assert!(v.warnings.iter().any(|w| w.contains("not yet in force")));
    let err = declared_verdict(
        &p,
        Selection {
            framework: Some("2024-13"),
            as_of: day("2025-01-01"),
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("2025-06"));
    // Before the framework existed: assessed under the first revision, with a note.
    let v = run(&p, None, "2022-01-01");
    assert_eq!(v.framework, "2023-06");
    assert!(v.warnings.iter().any(|w| w.contains("did not exist")));
}

#[test]
fn proving_system_grace_under_2026_02() {
    let mut decls: Vec<_> = all_met_optimistic()
        .into_iter()
        .filter(|(id, _)| !["five-external-challengers", "permissionless-proofs"].contains(id))
        .collect();
    decls.extend([
        ("no-red-trusted-setup", "met"),
        ("prover-source-published", "met"),
        ("verifiers-reproducible", "met"),
    ]);
    let p = project("validity", &decls);
    let v = run(&p, None, "2026-06-01");
    assert_eq!(v.framework, "2026-02");
    assert_eq!(v.stage, Stage::Stage1);
    let d = v.downgrade_pending.as_ref().unwrap();
    assert_eq!(d.deadline, day("2026-08-17"));
    assert!(
        d.reasons
            .iter()
            .any(|r| r.contains("programs-reproducible"))
    );
    assert_eq!(run(&p, None, "2026-09-01").stage, Stage::Stage0);
    // The same project before the revision was Stage 2.
    assert_eq!(run(&p, None, "2026-01-01").stage, Stage::Stage2);
    // The four items apply to optimistic rollups too (issue 14): left
    // undeclared they are unknown, so after the grace the project falls.
    let v = run(
        &project("optimistic", &all_met_optimistic()),
        None,
        "2026-09-01",
    );
    assert_eq!(v.stage, Stage::Stage0);
    assert_eq!(
        v.requirement(RequirementId::ProgramsReproducible)
            .unwrap()
            .status,
        Status::Unknown
    );
}
