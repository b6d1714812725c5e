//! The alt-DA derivations (`[governance.da]`): the DA verifier's exit
//! windows and the DA committee's decentralisation, on hand-built
//! structures whose answers follow from the rules by hand.

use l2stage_governance::{Analysis, DerivedStatus, analyze};
use l2stage_model::{Format, Kind, RequirementId, parse_str};

fn project(kind: &str, governance: &str) -> Result<l2stage_model::ProjectFile, String> {
    let src = format!("[project]\nid = \"t\"\nname = \"T\"\nkind = \"{kind}\"\n\n{governance}");
    parse_str("t.toml", &src, Format::Toml).map_err(|e| format!("{e:?}"))
}

fn run(kind: Kind, governance: &str) -> Analysis {
    let p = project(kind.as_str(), governance).unwrap_or_else(|e| panic!("{e}\n{governance}"));
    analyze(p.governance.as_ref().expect("governance"), kind).expect("analysis")
}

fn derived(a: &Analysis, id: RequirementId) -> (DerivedStatus, String) {
    let d = a
        .derived
        .get(&id)
        .unwrap_or_else(|| panic!("{id} not derived"));
    (d.status, d.reason.clone())
}

/// A DA committee of `n` member entities, threshold `k`, `outside` of them
/// outside the team; `unannounced` of the outside ones are not announced.
fn committee(k: usize, n: usize, outside: usize, unannounced: usize) -> String {
    let members: Vec<String> = (0..n)
        .map(|i| {
            if i < outside {
                let announced = if i < unannounced {
                    ", announced = false"
                } else {
                    ""
                };
                format!("{{ entity = \"Outside {i}\", affiliation = \"outside\"{announced} }}")
            } else {
                format!("{{ entity = \"Team {i}\", affiliation = \"team\" }}")
            }
        })
        .collect();
    format!(
        "[[governance.actors]]\nid = \"dac\"\nkind = \"multisig\"\nthreshold = {k}\nmembers = [{}]\n",
        members.join(", ")
    )
}

/// A validium: forced inclusion 1d, permissionless proving, no
/// finalization period: exit takes 1d. The team's multisig upgrades the
/// rollup contract through a `rollup_delay` timelock and the DA verifier
/// through a `verifier_delay` one.
fn validium(rollup_delay: &str, verifier_delay: &str, da: &str, extra: &str) -> String {
    format!(
        r#"[governance.exit]
forced_inclusion = "1d"
proposing = "permissionless"

[[governance.actors]]
id = "team"
kind = "multisig"
threshold = 2
members = [{{ entity = "A", affiliation = "team" }}, {{ entity = "B", affiliation = "team" }}, {{ entity = "C", affiliation = "team" }}]

[[governance.actors]]
id = "rollup-timelock"
kind = "timelock"
delay = "{rollup_delay}"
proposers = ["team"]

[[governance.actors]]
id = "verifier-timelock"
kind = "timelock"
delay = "{verifier_delay}"
proposers = ["team"]

{extra}

[[governance.powers]]
actor = "rollup-timelock"
power = "upgrade"
target = "Rollup"

[[governance.powers]]
actor = "verifier-timelock"
power = "upgrade"
target = "DACVerifier"

[governance.da]
{da}
"#
    )
}

/// The `validium` structure with the rollup behind 40d, the DA verifier
/// behind `verifier_delay`, analysed as `kind`.
fn with_verifier_delay(kind: Kind, verifier_delay: &str) -> Analysis {
    run(
        kind,
        &validium("40d", verifier_delay, "verifier = \"DACVerifier\"", ""),
    )
}

/// Requirement `id` derived for the `validium` structure (both delays 40d)
/// with the DA committee `dac` given by `committee`, analysed as `kind`.
fn committee_item(kind: Kind, id: RequirementId, committee: String) -> (DerivedStatus, String) {
    let a = run(
        kind,
        &validium(
            "40d",
            "40d",
            "verifier = \"DACVerifier\"\ncommittee = \"dac\"",
            &committee,
        ),
    );
    derived(&a, id)
}

/// The parse error of the `validium` structure (both delays 40d) with the
/// `[governance.da]` lines `da`.
fn da_error(da: &str) -> String {
    project("validium", &validium("40d", "40d", da, "")).unwrap_err()
}

#[test]
fn da_verifier_windows_follow_its_own_upgrade_path() {
    // Verifier upgrades wait 10d; exit takes 1d: a 9d window. The rollup's
    // own path (40d) does not decide the DA items.
    let a = with_verifier_delay(Kind::Validium, "10d");
    let (seven, reason) = derived(&a, RequirementId::DaVerifierSevenDayExitWindow);
    assert_eq!(seven, DerivedStatus::Met, "{reason}");
    assert!(reason.contains("9d"), "{reason}");
    assert!(reason.contains("verifier-timelock"), "{reason}");
    let (thirty, reason) = derived(&a, RequirementId::DaVerifierThirtyDayExitWindow);
    assert_eq!(thirty, DerivedStatus::Unmet, "{reason}");
    // The rollup-wide items see both paths: the smallest window is 9d.
    assert_eq!(
        derived(&a, RequirementId::ThirtyDayExitWindow).0,
        DerivedStatus::Unmet
    );

    // 5d on the verifier: a 4d window, under 7d.
    let a = with_verifier_delay(Kind::Validium, "5d");
    assert_eq!(
        derived(&a, RequirementId::DaVerifierSevenDayExitWindow).0,
        DerivedStatus::Unmet
    );
    // 31d on the verifier: a 30d window meets both.
    let a = with_verifier_delay(Kind::Optimium, "31d");
    assert_eq!(
        derived(&a, RequirementId::DaVerifierSevenDayExitWindow).0,
        DerivedStatus::Met
    );
    assert_eq!(
        derived(&a, RequirementId::DaVerifierThirtyDayExitWindow).0,
        DerivedStatus::Met
    );
}

#[test]
fn immutable_da_verifier_meets_both_windows() {
    let gov = r#"[governance.exit]
forced_inclusion = "1d"
proposing = "permissionless"

[[governance.actors]]
id = "team"
kind = "eoa"

[[governance.powers]]
actor = "team"
power = "upgrade"
target = "Rollup"

[governance.da]
verifier = "DACVerifier"
verifier_immutable = true
"#;
    let a = run(Kind::Validium, gov);
    for id in [
        RequirementId::DaVerifierSevenDayExitWindow,
        RequirementId::DaVerifierThirtyDayExitWindow,
    ] {
        let (s, reason) = derived(&a, id);
        assert_eq!(s, DerivedStatus::Met, "{id}: {reason}");
        assert!(reason.contains("cannot be upgraded"), "{reason}");
    }
    // The rollup contract is upgradable instantly by one key: the rollup
    // item is unmet, the DA ones are not affected.
    assert_eq!(
        derived(&a, RequirementId::SevenDayExitWindow).0,
        DerivedStatus::Unmet
    );
}

#[test]
fn da_committee_decentralisation_follows_l2beats_bar() {
    let case = |k, n, outside, unannounced| {
        committee_item(
            Kind::Validium,
            RequirementId::DaCommitteeDecentralized,
            committee(k, n, outside, unannounced),
        )
    };
    // 5 of 6, 5 outside: 2 honest members can refuse (2/6 ≤ 1/3). Met.
    let (s, reason) = case(5, 6, 5, 0);
    assert_eq!(s, DerivedStatus::Met, "{reason}");
    assert!(reason.contains("5 of 6"), "{reason}");
    // 4 of 6: 3 honest needed, 3/6 > 1/3.
    let (s, reason) = case(4, 6, 6, 0);
    assert_eq!(s, DerivedStatus::Unmet);
    assert!(reason.contains("3 of 6 honest"), "{reason}");
    // 5 of 5: too few members.
    let (s, reason) = case(5, 5, 5, 0);
    assert_eq!(s, DerivedStatus::Unmet);
    assert!(reason.contains("≥6 needed"), "{reason}");
    // 6 of 7 with only 4 outside.
    let (s, reason) = case(6, 7, 4, 0);
    assert_eq!(s, DerivedStatus::Unmet);
    assert!(reason.contains("4 outside member entities"), "{reason}");
    // An unannounced member fails it.
    let (s, reason) = case(5, 6, 5, 1);
    assert_eq!(s, DerivedStatus::Unmet);
    assert!(reason.contains("not publicly announced"), "{reason}");
}

#[test]
fn da_attested_by_an_independent_party_when_the_team_cannot_reach_the_quorum() {
    let case = |k, n, outside| {
        committee_item(
            Kind::Optimium,
            RequirementId::DaAttestedByIndependentParty,
            committee(k, n, outside, 0),
        )
    };
    // 2 of 3 with 2 team members: the team attests alone.
    let (s, reason) = case(2, 3, 1);
    assert_eq!(s, DerivedStatus::Unmet, "{reason}");
    assert!(reason.contains("reach the quorum of 2 alone"), "{reason}");
    // 3 of 4 with 2 outside: at least one outside signature is needed.
    let (s, reason) = case(3, 4, 2);
    assert_eq!(s, DerivedStatus::Met, "{reason}");
}

#[test]
fn no_da_table_derives_no_da_items() {
    let gov = validium("40d", "40d", "", "");
    let a = run(Kind::Validium, &gov);
    for id in [
        RequirementId::DaVerifierSevenDayExitWindow,
        RequirementId::DaVerifierThirtyDayExitWindow,
        RequirementId::DaCommitteeDecentralized,
    ] {
        assert!(
            !a.derived.contains_key(&id),
            "{id} derived without a DA table"
        );
    }
}

#[test]
fn da_table_errors_name_the_field() {
    let err = da_error("verifier = \"DACVerifer\"");
    assert!(err.contains("governance.da.verifier"), "{err}");
    assert!(
        err.contains("DACVerifier"),
        "hint names the close target: {err}"
    );

    let err = da_error("verifier = \"DACVerifier\"\nverifier_immutable = true");
    assert!(err.contains("governance.da.verifier_immutable"), "{err}");

    let err = da_error("committee = \"team-timelock\"");
    assert!(err.contains("governance.da.committee"), "{err}");

    let err = da_error("committee = \"rollup-timelock\"");
    assert!(err.contains("model it as a multisig"), "{err}");
}
