//! Issue 14's rules, asserted on small hand-written projects: L2BEAT's
//! `null` (a declared not-applicable with a reason), the 2026 proving-system
//! items for optimistic rollups, validiums and optimiums on the alt-DA
//! blueprint, L2BEAT's reasons for "Others", and archived projects.

use l2stage_framework::{OtherReason, Selection, Stage, Status, Verdict, declared_verdict};
use l2stage_model::{Date, Format, ProjectFile, RequirementId, parse_str};

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

/// A project of `kind` with `[project]` extras and the given requirement
/// lines (`id = "met"` or `id = { status = ..., reason = ... }`).
fn project(kind: &str, extra: &str, decls: &[(&str, String)]) -> ProjectFile {
    let mut src = format!(
        "[project]\nid = \"t\"\nname = \"T\"\nkind = \"{kind}\"\nlinks.node_source = \"https://example.org/node\"\n{extra}\n[requirements]\n"
    );
    for (id, v) in decls {
        src.push_str(&format!("{id} = {v}\n"));
    }
    match parse_str("t.toml", &src, Format::Toml) {
        Ok(p) => p,
        Err(e) => panic!("{e:?}\n{src}"),
    }
}

fn run(p: &ProjectFile, as_of: &str) -> Verdict {
    declared_verdict(
        p,
        Selection {
            framework: None,
            as_of: day(as_of),
        },
    )
    .unwrap()
}

fn met(ids: &[&'static str]) -> Vec<(&'static str, String)> {
    ids.iter().map(|id| (*id, "\"met\"".to_string())).collect()
}

fn with(
    mut decls: Vec<(&'static str, String)>,
    id: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    decls.retain(|(i, _)| *i != id);
    decls.push((id, value.to_string()));
    decls
}

/// `run` on a project of `kind` whose declarations are `decls` with `id`
/// declared `value` instead.
fn run_with(
    kind: &str,
    decls: Vec<(&'static str, String)>,
    id: &'static str,
    value: &str,
    as_of: &str,
) -> Verdict {
    run(&project(kind, "", &with(decls, id, value)), as_of)
}

const NA_WITH_REASON: &str =
    "{ status = \"not-applicable\", reason = \"proofs are ZK proofs open to anyone\" }";

const ROLLUP: &[&str] = &[
    "calls-itself-rollup",
    "state-roots-on-l1",
    "data-on-l1",
    "node-source-available",
    "proof-system",
    "five-external-challengers",
    "principle",
    "exit-without-operators",
    "seven-day-exit-window",
    "council-properly-set-up",
    "permissionless-proofs",
    "thirty-day-exit-window",
    "council-only-for-onchain-bugs",
];
const PROVING: &[&str] = &[
    "no-red-trusted-setup",
    "prover-source-published",
    "verifiers-reproducible",
    "programs-reproducible",
];

fn optimistic_all_met() -> Vec<(&'static str, String)> {
    met(ROLLUP).into_iter().chain(met(PROVING)).collect()
}

#[test]
fn not_applicable_with_reason_on_five_external_challengers_gives_stage_2() {
    // Facet/Ethscriptions: L2BEAT leaves the item null and shows Stage 2.
    let p = project(
        "optimistic",
        "",
        &with(
            optimistic_all_met(),
            "five-external-challengers",
            NA_WITH_REASON,
        ),
    );
    for as_of in ["2025-09-01", "2026-12-06"] {
        let v = run(&p, as_of);
        assert_eq!(v.stage, Stage::Stage2, "{as_of}: {:?}", v.warnings);
        let r = v
            .requirement(RequirementId::FiveExternalChallengers)
            .unwrap();
        assert_eq!(r.status, Status::NotApplicable);
        assert!(
            r.reason.contains("ZK proofs open to anyone"),
            "{}",
            r.reason
        );
        assert!(
            v.warnings
                .iter()
                .any(|w| w.contains("five-external-challengers")
                    && w.contains("departing from the default")),
            "{:?}",
            v.warnings
        );
    }
    // Without a reason it departs from the default unexplained: unmet, as
    // before, and the project is in L2BEAT's Others for closed proofs.
    let p = project(
        "optimistic",
        "",
        &with(
            optimistic_all_met(),
            "five-external-challengers",
            "\"not-applicable\"",
        ),
    );
    let v = run(&p, "2025-09-01");
    assert_eq!(v.stage, Stage::NotStage0);
    assert_eq!(
        v.requirement(RequirementId::FiveExternalChallengers)
            .unwrap()
            .status,
        Status::Unmet
    );
    assert_eq!(v.others_reasons, vec![OtherReason::ClosedProofs]);
}

#[test]
fn proving_items_apply_to_optimistic_rollups_under_2026_02() {
    // Met: Stage 2.
    let v = run(
        &project("optimistic", "", &optimistic_all_met()),
        "2026-12-06",
    );
    assert_eq!(v.framework, "2026-02");
    assert_eq!(v.stage, Stage::Stage2);
    for id in PROVING {
        let r = v.requirement(id.parse().unwrap()).unwrap();
        assert_eq!((r.stage, r.status), (1, Status::Met), "{id}");
    }

    // Unmet: kept at Stage 1 during the grace, downgrade pending to Stage 0.
    let mut decls: Vec<_> = met(ROLLUP);
    decls.extend(PROVING.iter().map(|id| (*id, "\"unmet\"".to_string())));
    let p = project("optimistic", "", &decls);
    let v = run(&p, "2026-06-01");
    assert_eq!(v.stage, Stage::Stage1);
    let d = v.downgrade_pending.as_ref().expect("downgrade pending");
    assert_eq!(d.to_stage, Stage::Stage0);
    assert_eq!(d.deadline, day("2026-08-17"));
    assert!(
        d.reasons
            .iter()
            .any(|r| r.contains("prover-source-published"))
    );
    // On the deadline and after it: Stage 0, nothing pending.
    for as_of in ["2026-08-17", "2026-12-06"] {
        let v = run(&p, as_of);
        assert_eq!(v.stage, Stage::Stage0, "{as_of}");
        assert!(v.downgrade_pending.is_none());
        let missing = &v.missing.as_ref().unwrap().requirements;
        assert!(missing.contains(&RequirementId::ProgramsReproducible));
    }
    // Before the revision they were not part of the framework: Stage 2.
    assert_eq!(run(&p, "2026-02-15").stage, Stage::Stage2);

    // Not applicable with a reason (L2BEAT's null): Stage 2, with warnings.
    let mut decls: Vec<_> = met(ROLLUP);
    decls.extend(PROVING.iter().map(|id| (*id, NA_WITH_REASON.to_string())));
    let v = run(&project("optimistic", "", &decls), "2026-12-06");
    assert_eq!(v.stage, Stage::Stage2);
    assert_eq!(
        v.warnings
            .iter()
            .filter(|w| w.contains("departing from the default"))
            .count(),
        4,
        "{:?}",
        v.warnings
    );
}

const ALT_DA_STAGE0: &[&str] = &[
    "calls-itself-validium-or-optimium",
    "state-roots-on-l1",
    "proof-system",
    "da-attested-by-independent-party",
    "node-source-available",
    "five-external-challengers",
];
const ALT_DA_STAGE1: &[&str] = &[
    "principle",
    "exit-without-operators",
    "seven-day-exit-window",
    "council-properly-set-up",
    "da-verifier-secure-on-l1",
    "da-verifier-seven-day-exit-window",
    "da-committee-decentralized",
    "no-red-trusted-setup",
    "prover-source-published",
    "verifiers-reproducible",
    "programs-reproducible",
];
const ALT_DA_STAGE2: &[&str] = &[
    "permissionless-proofs",
    "thirty-day-exit-window",
    "council-only-for-onchain-bugs",
    "da-verifier-thirty-day-exit-window",
    "da-mechanism-economic-security",
];

fn alt_da_all_met() -> Vec<(&'static str, String)> {
    met(ALT_DA_STAGE0)
        .into_iter()
        .chain(met(ALT_DA_STAGE1))
        .chain(met(ALT_DA_STAGE2))
        .collect()
}

#[test]
fn alt_da_blueprint_has_exactly_the_issues_ids() {
    for kind in ["validium", "optimium"] {
        let v = run(&project(kind, "", &alt_da_all_met()), "2026-12-06");
        let by_stage = |s: u8| -> Vec<&str> {
            v.requirements
                .iter()
                .filter(|r| r.stage == s)
                .map(|r| r.id.as_str())
                .collect()
        };
        assert_eq!(by_stage(0), ALT_DA_STAGE0, "{kind}");
        assert_eq!(by_stage(1), ALT_DA_STAGE1, "{kind}");
        assert_eq!(by_stage(2), ALT_DA_STAGE2, "{kind}");
        // No rollup-only item slips in.
        assert!(v.requirement(RequirementId::DataOnL1).is_none());
        assert!(v.requirement(RequirementId::CallsItselfRollup).is_none());
    }
}

#[test]
fn a_validium_at_each_stage() {
    let kind = "validium";
    let all = alt_da_all_met();
    let v = run(&project(kind, "", &all), "2026-12-06");
    assert_eq!(v.stage, Stage::Stage2);
    // The fraud-proof items do not apply to validity proofs.
    for id in [
        RequirementId::FiveExternalChallengers,
        RequirementId::PermissionlessProofs,
    ] {
        assert_eq!(v.requirement(id).unwrap().status, Status::NotApplicable);
    }

    let v = run_with(
        kind,
        all.clone(),
        "da-mechanism-economic-security",
        "\"unmet\"",
        "2026-12-06",
    );
    assert_eq!(v.stage, Stage::Stage1);
    assert_eq!(
        v.missing.unwrap().requirements,
        vec![RequirementId::DaMechanismEconomicSecurity]
    );

    let v = run_with(
        kind,
        all.clone(),
        "da-committee-decentralized",
        "\"unmet\"",
        "2026-12-06",
    );
    assert_eq!(v.stage, Stage::Stage0);
    assert!(v.others_reasons.is_empty());

    let v = run_with(
        kind,
        all.clone(),
        "da-attested-by-independent-party",
        "\"unmet\"",
        "2026-12-06",
    );
    assert_eq!(v.stage, Stage::NotStage0);
    assert_eq!(v.others_reasons, vec![OtherReason::NoDaOracle]);
}

#[test]
fn an_optimium_at_each_stage() {
    let kind = "optimium";
    let all = alt_da_all_met();
    assert_eq!(
        run(&project(kind, "", &all), "2026-12-06").stage,
        Stage::Stage2
    );

    let v = run_with(
        kind,
        all.clone(),
        "permissionless-proofs",
        "\"unmet\"",
        "2026-12-06",
    );
    assert_eq!(v.stage, Stage::Stage1);

    let v = run_with(
        kind,
        all.clone(),
        "da-verifier-seven-day-exit-window",
        "\"unmet\"",
        "2026-12-06",
    );
    assert_eq!(v.stage, Stage::Stage0);

    // Fraud-proof items apply to an optimium: five outside challengers are
    // needed for Stage 0.
    let v = run_with(
        kind,
        all.clone(),
        "five-external-challengers",
        "\"unmet\"",
        "2026-12-06",
    );
    assert_eq!(v.stage, Stage::NotStage0);
    assert_eq!(v.others_reasons, vec![OtherReason::ClosedProofs]);

    // A proving item unmet during the grace: Stage 1 kept, downgrade pending.
    let v = run_with(
        kind,
        all.clone(),
        "verifiers-reproducible",
        "\"unmet\"",
        "2026-06-01",
    );
    assert_eq!(v.stage, Stage::Stage1);
    assert_eq!(v.downgrade_pending.unwrap().deadline, day("2026-08-17"));
}

#[test]
fn alt_da_before_2026_uses_the_first_alt_da_blueprint_with_a_warning() {
    let v = run(&project("validium", "", &alt_da_all_met()), "2024-09-15");
    assert_eq!(v.framework, "2026-02");
    assert_eq!(v.stage, Stage::Stage2);
    assert!(
        v.warnings
            .iter()
            .any(|w| w.contains("revision 2023-06 does not rate validiums")),
        "{:?}",
        v.warnings
    );
}

#[test]
fn others_reasons_map_failed_stage_0_items_to_l2beat_codes() {
    let decls = with(
        with(met(ROLLUP), "proof-system", "\"unmet\""),
        "five-external-challengers",
        "\"under-review\"",
    );
    let v = run(&project("optimistic", "", &decls), "2025-09-01");
    assert_eq!(v.stage, Stage::NotStage0);
    assert_eq!(
        v.others_reasons,
        vec![OtherReason::NoProofs, OtherReason::ClosedProofs]
    );
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(
        json["others_reasons"],
        serde_json::json!(["NO_PROOFS", "CLOSED_PROOFS"])
    );
    assert_eq!(json["archived"], serde_json::Value::Null);

    // A Stage 0 failure L2BEAT has no code for: not even Stage 0, no code.
    let v = run_with(
        "optimistic",
        met(ROLLUP),
        "data-on-l1",
        "\"unmet\"",
        "2025-09-01",
    );
    assert_eq!(v.stage, Stage::NotStage0);
    assert!(v.others_reasons.is_empty());

    // Under the 2023 revision the proof system was a Stage 1 item: failing
    // it gives Stage 0, not Others.
    let v = run(&project("optimistic", "", &decls), "2024-09-15");
    assert_eq!(v.stage, Stage::Stage0);
    assert!(v.others_reasons.is_empty());
}

#[test]
fn archived_projects_are_assessed_as_of_their_archive_date() {
    let decls = with(met(ROLLUP), "seven-day-exit-window", "\"unmet\"");
    let p = project("validity", "archived = 2024-12-05", &decls);
    // Today is after the archive date: the verdict is the archive day's.
    let v = run(&p, "2026-12-06");
    assert_eq!(v.as_of, day("2024-12-05"));
    assert_eq!(v.archived, Some(day("2024-12-05")));
    assert_eq!(v.framework, "2023-06");
    assert_eq!(v.stage, Stage::Stage0);
    assert!(
        v.warnings
            .iter()
            .any(|w| w.contains("archived on 2024-12-05") && w.contains("not 2026-12-06")),
        "{:?}",
        v.warnings
    );
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["archived"], "2024-12-05");
    assert_eq!(json["as_of"], "2024-12-05");
    // A day before the archive date is assessed on that day, when the
    // project was still live.
    let v = run(&p, "2024-09-15");
    assert_eq!(v.as_of, day("2024-09-15"));
    assert_eq!(v.archived, None);
    assert!(!v.warnings.iter().any(|w| w.contains("archived on")));
    // On the archive date itself it is archived.
    assert_eq!(run(&p, "2024-12-05").archived, Some(day("2024-12-05")));
}

#[test]
fn council_items_not_applicable_without_a_council_raise_no_departure_warning() {
    let no_council = "{ status = \"not-applicable\", reason = \"There is no Security Council.\" }";
    let decls = with(
        with(optimistic_all_met(), "council-properly-set-up", no_council),
        "council-only-for-onchain-bugs",
        no_council,
    );
    let v = run(&project("optimistic", "", &decls), "2026-12-06");
    assert_eq!(v.stage, Stage::Stage2);
    assert!(
        !v.warnings.iter().any(|w| w.contains("departing")),
        "{:?}",
        v.warnings
    );
    // Any other item declared so does warn.
    let v = run_with(
        "optimistic",
        optimistic_all_met(),
        "seven-day-exit-window",
        no_council,
        "2026-12-06",
    );
    assert_eq!(
        v.warnings
            .iter()
            .filter(|w| w.contains("seven-day-exit-window") && w.contains("departing"))
            .count(),
        1
    );
}
