//! Derivations on hand-built structures whose answers are known: the real
//! cases of shared/docs/stages.md §5 in miniature, and the tricky shapes.

use l2stage_governance::{Analysis, DerivedStatus, Rating, Threat, analyze};
use l2stage_model::{Format, Kind, RequirementId, parse_str};

const DAY: i64 = 86_400;

fn project(kind: &str, governance: &str) -> l2stage_model::ProjectFile {
    let src = format!("[project]\nid = \"t\"\nname = \"T\"\nkind = \"{kind}\"\n\n{governance}");
    match parse_str("t.toml", &src, Format::Toml) {
        Ok(p) => p,
        Err(e) => panic!("{e}\n{src}"),
    }
}

fn run(kind: &str, governance: &str) -> Analysis {
    let p = project(kind, governance);
    let k = if kind == "validity" {
        Kind::Validity
    } else {
        Kind::Optimistic
    };
    analyze(p.governance.as_ref().expect("governance"), k).expect("analysis")
}

fn status(a: &Analysis, id: RequirementId) -> DerivedStatus {
    a.derived
        .get(&id)
        .unwrap_or_else(|| panic!("{id} not derived"))
        .status
}

/// A council of `n` keys, threshold `k`, with `outside` of the entities
/// outside the team; `dup` keys belong to entity "Dup Co".
fn council(id: &str, k: usize, n: usize, outside: usize, dup: usize) -> String {
    let mut members = Vec::new();
    for i in 0..n {
        let (entity, aff) = if i < dup {
            ("Dup Co".to_string(), "outside")
        } else if i < dup + outside {
            (format!("Outside {i}"), "outside")
        } else {
            (format!("Team member {i}"), "team")
        };
        members.push(format!(
            "{{ entity = \"{entity}\", affiliation = \"{aff}\" }}"
        ));
    }
    format!(
        "[[governance.actors]]\nid = \"{id}\"\nkind = \"multisig\"\nsecurity_council = true\nthreshold = {k}\nmembers = [{}]\n",
        members.join(", ")
    )
}

const EXIT: &str = "[governance.exit]\nforced_inclusion = \"1d\"\nfinalization = \"6d 9h 36m\"\nproposing = \"permissionless\"\nchallenging = \"permissionless\"\n";

/// Arbitrum One's 2025 shape (stages.md §5).
fn arbitrum() -> String {
    format!(
        r#"{EXIT}
{council}
[[governance.actors]]
id = "dao"
kind = "dao"

[[governance.actors]]
id = "l2-timelock"
kind = "timelock"
delay = "8d"
proposers = ["dao", "security-council"]

[[governance.actors]]
id = "outbox"
kind = "relay"
delay = "6d 9h 36m"
senders = ["l2-timelock"]

[[governance.actors]]
id = "l1-timelock"
kind = "timelock"
delay = "3d"
proposers = ["outbox"]
cancellers = ["security-council"]

[[governance.powers]]
actor = "l1-timelock"
power = "upgrade"
target = "rollup contracts"

[[governance.powers]]
actor = "security-council"
power = "upgrade"
target = "rollup contracts (emergency)"
"#,
        council = council("security-council", 9, 12, 12, 0)
    )
}

#[test]
fn arbitrum_dao_path_gives_ten_days_yellow() {
    let a = run("optimistic", &arbitrum());
    let w = a.exit_window.as_ref().unwrap();
    assert_eq!(w.seconds, Some(10 * DAY));
    assert_eq!(w.rating, Rating::Yellow);
    assert_eq!(w.path, ["dao", "l2-timelock", "outbox", "l1-timelock"]);
    assert!(w.council_can_upgrade_instantly);
    assert!(w.arithmetic.contains("10d"), "{}", w.arithmetic);
    for id in [
        RequirementId::Principle,
        RequirementId::SevenDayExitWindow,
        RequirementId::CouncilProperlySetUp,
        RequirementId::ExitWithoutOperators,
        RequirementId::PermissionlessProofs,
        RequirementId::FiveExternalChallengers,
    ] {
        assert_eq!(
            status(&a, id),
            DerivedStatus::Met,
            "{id}: {:?}",
            a.derived[&id]
        );
    }
    assert_eq!(
        status(&a, RequirementId::ThirtyDayExitWindow),
        DerivedStatus::Unmet
    );
    assert_eq!(
        status(&a, RequirementId::CouncilOnlyForOnchainBugs),
        DerivedStatus::Unmet
    );
    // The evidence names the decisive path.
    let seven = &a.derived[&RequirementId::SevenDayExitWindow];
    assert!(
        seven
            .reason
            .contains("dao → l2-timelock → outbox → l1-timelock"),
        "{}",
        seven.reason
    );
    // The council also reaches the L1 timelock through the slow path: 4 upgrade paths in all.
    assert_eq!(a.upgrade_paths().count(), 3);
}

#[test]
fn op_two_of_two_with_the_council_is_council_controlled() {
    let gov = format!(
        r#"[governance.exit]
forced_inclusion = "12h"
finalization = "7d"
proposing = "permissionless"
challenging = "permissionless"

{council}
[[governance.actors]]
id = "foundation"
kind = "multisig"
threshold = 5
members = [{{ entity = "F1", affiliation = "team" }}, {{ entity = "F2", affiliation = "team" }}, {{ entity = "F3", affiliation = "team" }}, {{ entity = "F4", affiliation = "team" }}, {{ entity = "F5", affiliation = "team" }}, {{ entity = "F6", affiliation = "team" }}, {{ entity = "F7", affiliation = "team" }}]

[[governance.actors]]
id = "upgrader"
kind = "multisig"
threshold = 2
members = [{{ actor = "foundation" }}, {{ actor = "security-council" }}]

[[governance.powers]]
actor = "upgrader"
power = "upgrade"
"#,
        council = council("security-council", 10, 13, 13, 0)
    );
    let a = run("optimistic", &gov);
    let w = a.exit_window.as_ref().unwrap();
    assert_eq!(w.rating, Rating::None);
    assert!(w.council_can_upgrade_instantly);
    assert_eq!(w.path, ["upgrader"]);
    let f = a.upgrade_paths().next().unwrap();
    assert!(f.council_controlled);
    assert_eq!(f.council_share["security-council"], (10, 13));
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Met);
    assert_eq!(
        status(&a, RequirementId::SevenDayExitWindow),
        DerivedStatus::Met
    );

    // The same 2-of-2 with a 1-of-2 instead: the foundation alone can upgrade.
    let weak = gov.replace(
        "threshold = 2\nmembers = [{ actor",
        "threshold = 1\nmembers = [{ actor",
    );
    let a = run("optimistic", &weak);
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Unmet);
    assert_eq!(
        status(&a, RequirementId::SevenDayExitWindow),
        DerivedStatus::Unmet
    );
    assert!(
        a.derived[&RequirementId::Principle]
            .reason
            .contains("1 of 2 of upgrader"),
        "{}",
        a.derived[&RequirementId::Principle].reason
    );
}

#[test]
fn council_of_eight_with_two_outside_is_not_properly_set_up() {
    let gov = format!(
        "{EXIT}\n{}\n[[governance.powers]]\nactor = \"sc\"\npower = \"upgrade\"\n",
        council("sc", 6, 8, 2, 0)
    );
    let a = run("optimistic", &gov);
    let c = &a.councils[0];
    assert_eq!(
        (
            c.entities,
            c.entity_threshold,
            c.outside_entities,
            c.blocking_minority
        ),
        (8, 6, 2, 3)
    );
    assert!(!c.properly_set_up);
    assert_eq!(
        status(&a, RequirementId::CouncilProperlySetUp),
        DerivedStatus::Unmet
    );
    assert!(
        a.derived[&RequirementId::CouncilProperlySetUp]
            .reason
            .contains("fewer than the 3 needed to block")
    );
    // Not properly set up, so its instant upgrade breaks the principle.
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Unmet);
    // With three outside it is fine.
    let gov = format!(
        "{EXIT}\n{}\n[[governance.powers]]\nactor = \"sc\"\npower = \"upgrade\"\n",
        council("sc", 6, 8, 3, 0)
    );
    let a = run("optimistic", &gov);
    assert!(
        a.councils[0].properly_set_up,
        "{:?}",
        a.councils[0].failures
    );
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Met);
}

#[test]
fn two_keys_of_one_entity_do_not_make_seventy_five_percent() {
    // 9 of 12 keys looks like 75%, but one entity holds two keys: 11
    // entities, and 8 of them reach 9 signatures: 8/11 = 72.7%.
    let gov = format!(
        "{EXIT}\n{}\n[[governance.powers]]\nactor = \"sc\"\npower = \"upgrade\"\n",
        council("sc", 9, 12, 10, 2)
    );
    let a = run("optimistic", &gov);
    let c = &a.councils[0];
    assert_eq!(
        (c.keys, c.threshold, c.entities, c.entity_threshold),
        (12, 9, 11, 8)
    );
    assert!(!c.properly_set_up);
    assert!(
        c.failures.iter().any(|f| f.contains("72.7%")),
        "{:?}",
        c.failures
    );
    assert_eq!(
        status(&a, RequirementId::CouncilProperlySetUp),
        DerivedStatus::Unmet
    );
}

fn pause(duration: &str) -> String {
    format!(
        "{EXIT}\n{}\n[[governance.actors]]\nid = \"team\"\nkind = \"eoa\"\naffiliation = \"team\"\n\n[[governance.powers]]\nactor = \"sc\"\npower = \"upgrade\"\n\n[[governance.powers]]\nactor = \"team\"\npower = \"pause-withdrawals\"\n{duration}\n",
        council("sc", 9, 12, 12, 0)
    )
}

#[test]
fn a_pause_that_expires_is_not_a_principle_violation() {
    let a = run("optimistic", &pause("duration = \"14d\""));
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Met);
    assert!(a.notes.iter().any(|n| n.contains("at most 14d")));
    let a = run("optimistic", &pause("duration = \"indefinite\""));
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Unmet);
    let f = a
        .findings
        .iter()
        .find(|f| f.threat == Threat::Block)
        .unwrap();
    assert_eq!(f.path, ["team"]);
    // No duration given is taken as indefinite.
    let a = run("optimistic", &pause(""));
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Unmet);
}

#[test]
fn a_team_canceller_is_a_veto_not_an_upgrade() {
    let gov = format!(
        "{EXIT}\n{}\n[[governance.actors]]\nid = \"team\"\nkind = \"eoa\"\naffiliation = \"team\"\n\n[[governance.actors]]\nid = \"tl\"\nkind = \"timelock\"\ndelay = \"10d\"\nproposers = [\"sc\"]\ncancellers = [\"team\"]\n\n[[governance.powers]]\nactor = \"tl\"\npower = \"upgrade\"\n",
        council("sc", 9, 12, 12, 0)
    );
    let a = run("optimistic", &gov);
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Met);
    assert!(
        a.notes.iter().any(|n| n.contains("team can cancel")),
        "{:?}",
        a.notes
    );
    // As proposer instead, the team's upgrades wait 10d − 7d 9h 36m: under 7 days.
    let gov = gov.replace(
        "proposers = [\"sc\"]\ncancellers = [\"team\"]",
        "proposers = [\"team\"]",
    );
    let a = run("optimistic", &gov);
    assert_eq!(
        status(&a, RequirementId::SevenDayExitWindow),
        DerivedStatus::Unmet
    );
    assert_eq!(a.exit_window.as_ref().unwrap().rating, Rating::Red);
}

#[test]
fn allow_listed_proposer_without_fallback_can_block() {
    let gov = format!(
        "[governance.exit]\nforced_inclusion = \"1d\"\nfinalization = \"1h\"\nproposing = [\"op\"]\n\n{}\n[[governance.actors]]\nid = \"op\"\nkind = \"eoa\"\naffiliation = \"team\"\n",
        council("sc", 9, 12, 12, 0)
    );
    let a = run("validity", &gov);
    assert_eq!(
        status(&a, RequirementId::ExitWithoutOperators),
        DerivedStatus::Unmet
    );
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Unmet);
    assert!(a.exit_time_seconds.is_none());
    // A self-propose fallback fixes both.
    let a = run(
        "validity",
        &gov.replace(
            "proposing = [\"op\"]",
            "proposing = [\"op\"]\nself_propose = \"7d\"",
        ),
    );
    assert_eq!(
        status(&a, RequirementId::ExitWithoutOperators),
        DerivedStatus::Met
    );
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Met);
    assert_eq!(a.exit_time_seconds, Some(8 * 86_400 + 3_600));
}

#[test]
fn allow_listed_challengers_count_outside_entities() {
    let mut actors = String::new();
    let mut ids = Vec::new();
    for i in 0..6 {
        let aff = if i < 4 { "outside" } else { "team" };
        actors.push_str(&format!("[[governance.actors]]\nid = \"c{i}\"\nkind = \"eoa\"\naffiliation = \"{aff}\"\nentity = \"E{i}\"\n\n"));
        ids.push(format!("\"c{i}\""));
    }
    let gov = format!(
        "[governance.exit]\nforced_inclusion = \"1d\"\nfinalization = \"7d\"\nproposing = \"permissionless\"\nchallenging = [{}]\n\n{actors}",
        ids.join(", ")
    );
    let a = run("optimistic", &gov);
    assert_eq!(
        status(&a, RequirementId::FiveExternalChallengers),
        DerivedStatus::Unmet
    );
    assert!(
        a.derived[&RequirementId::FiveExternalChallengers]
            .reason
            .starts_with("4 allow-listed")
    );
    assert_eq!(
        status(&a, RequirementId::PermissionlessProofs),
        DerivedStatus::Unmet
    );
    // The challengers colluding with a proposer can forge: no council here.
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Unmet);
    let a = run(
        "optimistic",
        &gov.replace(
            "affiliation = \"team\"\nentity = \"E4\"",
            "affiliation = \"outside\"\nentity = \"E4\"",
        ),
    );
    assert_eq!(
        status(&a, RequirementId::FiveExternalChallengers),
        DerivedStatus::Met
    );
}

#[test]
fn bug_conditioned_council_power_allows_stage_2_items() {
    let gov = format!(
        "{EXIT}\n{}\n[[governance.actors]]\nid = \"dao\"\nkind = \"dao\"\n\n[[governance.actors]]\nid = \"tl\"\nkind = \"timelock\"\ndelay = \"40d\"\nproposers = [\"dao\"]\n\n[[governance.powers]]\nactor = \"tl\"\npower = \"upgrade\"\n\n[[governance.powers]]\nactor = \"sc\"\npower = \"upgrade\"\ncondition = \"onchain-bug\"\n",
        council("sc", 9, 12, 12, 0)
    );
    let a = run("optimistic", &gov);
    for id in [
        RequirementId::ThirtyDayExitWindow,
        RequirementId::CouncilOnlyForOnchainBugs,
        RequirementId::Principle,
        RequirementId::SevenDayExitWindow,
    ] {
        assert_eq!(
            status(&a, id),
            DerivedStatus::Met,
            "{id}: {:?}",
            a.derived[&id]
        );
    }
    let w = a.exit_window.as_ref().unwrap();
    assert_eq!(
        w.seconds,
        Some(40 * DAY - (DAY + 6 * DAY + 9 * 3_600 + 36 * 60))
    );
    assert_eq!(w.rating, Rating::Green);
}

#[test]
fn no_council_and_immutable() {
    let a = run(
        "validity",
        "[governance.exit]\nforced_inclusion = \"1d\"\nproposing = \"permissionless\"\n",
    );
    assert_eq!(
        status(&a, RequirementId::CouncilProperlySetUp),
        DerivedStatus::NotApplicable
    );
    assert_eq!(
        status(&a, RequirementId::CouncilOnlyForOnchainBugs),
        DerivedStatus::NotApplicable
    );
    assert_eq!(
        status(&a, RequirementId::ThirtyDayExitWindow),
        DerivedStatus::Met
    );
    // Nothing can upgrade: the window is unbounded, green, with no seconds.
    let w = a.exit_window.as_ref().expect("an unbounded window");
    assert!(w.unbounded);
    assert_eq!(w.seconds, None);
    assert_eq!(w.rating, l2stage_governance::Rating::Green);
    assert!(w.path.is_empty());
    // Fraud-proof items are not derived for validity rollups.
    assert!(!a.derived.contains_key(&RequirementId::PermissionlessProofs));
}

#[test]
fn structural_errors_are_located() {
    let bad = [
        (
            "[governance.exit]\nproposing = \"permissionless\"\n[[governance.actors]]\nid = \"a\"\nkind = \"timelock\"\ndelay = \"1d\"\nproposers = [\"b\"]\n[[governance.actors]]\nid = \"b\"\nkind = \"timelock\"\ndelay = \"1d\"\nproposers = [\"a\"]\n",
            "cycle in the actor graph",
            "governance.actors",
        ),
        (
            "[governance.exit]\nproposing = \"permissionless\"\n[[governance.powers]]\nactor = \"secutiry-council\"\npower = \"upgrade\"\n[[governance.actors]]\nid = \"security-council\"\nkind = \"eoa\"\n",
            "unknown actor `secutiry-council`",
            "governance.powers[0].actor",
        ),
        (
            "[governance.exit]\nproposing = \"permissionless\"\n[[governance.actors]]\nid = \"m\"\nkind = \"multisig\"\nthreshold = 3\nmembers = [{ entity = \"a\" }]\n",
            "threshold 3 is more than the 1 members",
            "governance.actors[0].threshold",
        ),
        (
            "[governance.exit]\nproposing = \"permissionless\"\nforced_inclusion = \"100 blocks\"\n",
            "no block time",
            "governance.exit.forced_inclusion",
        ),
        (
            "[governance.exit]\nproposing = \"permissionless\"\nfinalization = \"7 days\"\n",
            "invalid duration",
            "governance.exit.finalization",
        ),
        (
            "[governance.exit]\nproposing = \"some\"\n",
            "unknown participation",
            "governance.exit.proposing",
        ),
    ];
    for (gov, msg, field) in bad {
        let src = format!("[project]\nid = \"t\"\nname = \"T\"\nkind = \"optimistic\"\n\n{gov}");
        let err = match parse_str("t.toml", &src, Format::Toml) {
            Ok(_) => panic!("accepted:\n{gov}"),
            Err(l2stage_model::LoadError::Invalid(e)) => e,
            Err(e) => panic!("{e}"),
        };
        assert!(err.message.contains(msg), "{} lacks {msg}", err.message);
        assert!(
            err.field.as_deref().is_some_and(|f| f.starts_with(field)),
            "{:?} vs {field}",
            err.field
        );
        assert!(
            err.line > 5,
            "line {} should point into the governance section",
            err.line
        );
    }
}

/// Base's 2025 shape (docs.base.org, "Security Council for Base"): the
/// upgrade Safe is a 2-of-2 of a coordinator (2-of-2 of a 7-of-10 council
/// and Coinbase's 3-of-6) and the Optimism Foundation's 5-of-7. Base counts
/// "9 out of the 12 entities": the ten council members, Optimism, Coinbase.
fn base_shaped(council_threshold: usize, foundation_entity: &str) -> String {
    let seats: Vec<String> = (1..=10)
        .map(|i| format!("{{ entity = \"Seat {i}\", affiliation = \"outside\" }}"))
        .collect();
    let coinbase = ["{ entity = \"Coinbase\", affiliation = \"team\" }"; 6].join(", ");
    let foundation =
        vec![format!("{{ entity = \"{foundation_entity}\", affiliation = \"outside\" }}"); 7]
            .join(", ");
    format!(
        r#"{EXIT}
[[governance.actors]]
id = "upgrader"
kind = "multisig"
security_council = true
threshold = 2
members = [{{ actor = "coordinator" }}, {{ actor = "foundation" }}]

[[governance.actors]]
id = "coordinator"
kind = "multisig"
threshold = 2
members = [{{ actor = "council" }}, {{ actor = "coinbase" }}]

[[governance.actors]]
id = "council"
kind = "multisig"
threshold = {council_threshold}
members = [{}]

[[governance.actors]]
id = "coinbase"
kind = "multisig"
threshold = 3
members = [{coinbase}]

[[governance.actors]]
id = "foundation"
kind = "multisig"
threshold = 5
members = [{foundation}]

[[governance.powers]]
actor = "upgrader"
power = "upgrade"
"#,
        seats.join(", ")
    )
}

#[test]
fn a_nested_council_counts_entities_across_its_safes() {
    let a = run("optimistic", &base_shaped(7, "Optimism Foundation"));
    let c = &a.councils[0];
    assert_eq!(
        (c.entities, c.entity_threshold, c.supermajority),
        (12, 9, 9)
    );
    assert_eq!(
        c.nested,
        ["coordinator", "council", "coinbase", "foundation"]
    );
    // 10 seats + the Foundation outside; Coinbase alone, or 4 seats, block.
    assert_eq!((c.outside_entities, c.blocking_minority), (11, 1));
    assert!(c.properly_set_up, "{:?}", c.failures);
    assert_eq!(
        status(&a, RequirementId::CouncilProperlySetUp),
        DerivedStatus::Met
    );
    let f = a.upgrade_paths().next().unwrap();
    assert!(f.council_controlled);
    assert_eq!(f.council_share["upgrader"], (9, 12));
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Met);

    // A 6-of-10 council: 8 of 12 entities, 66.7%.
    let a = run("optimistic", &base_shaped(6, "Optimism Foundation"));
    let c = &a.councils[0];
    assert_eq!((c.entities, c.entity_threshold), (12, 8));
    assert!(!c.properly_set_up);
    assert!(
        c.failures
            .iter()
            .any(|f| f.contains("8/12 = 66.7% is below 75%") && f.contains("nested Safes")),
        "{:?}",
        c.failures
    );
    assert_eq!(status(&a, RequirementId::Principle), DerivedStatus::Unmet);
}

#[test]
fn an_entity_in_two_nested_safes_is_counted_once() {
    // Seat 1 also holds all of the "foundation" keys: 11 entities, and the
    // 7 seats (Seat 1 among them) plus Coinbase reach every threshold: 8.
    let a = run("optimistic", &base_shaped(7, "Seat 1"));
    let c = &a.councils[0];
    assert_eq!((c.entities, c.entity_threshold), (11, 8));
    // 8/11 = 72.7%: below the bar, which counting Seat 1 twice would hide.
    assert!(!c.properly_set_up);
    assert!(
        c.failures.iter().any(|f| f.contains("8/11 = 72.7%")),
        "{:?}",
        c.failures
    );
}

#[test]
fn a_team_safe_that_reaches_the_quorum_alone_is_no_council() {
    // 1-of-2 at both levels: Coinbase alone upgrades.
    let gov = base_shaped(7, "Optimism Foundation")
        .replace(
            "threshold = 2\nmembers = [{ actor = \"council\" }",
            "threshold = 1\nmembers = [{ actor = \"council\" }",
        )
        .replace(
            "threshold = 2\nmembers = [{ actor = \"coordinator\" }",
            "threshold = 1\nmembers = [{ actor = \"coordinator\" }",
        );
    let a = run("optimistic", &gov);
    let c = &a.councils[0];
    // Blocking needs 4 seats, Coinbase and the Foundation.
    assert_eq!((c.entity_threshold, c.blocking_minority), (1, 6));
    assert!(!c.properly_set_up);
    assert!(
        c.failures
            .iter()
            .any(|f| f.contains("cannot block a quorum: the other 1 reach it alone")),
        "{:?}",
        c.failures
    );
}

#[test]
fn too_many_entities_shared_between_safes_is_not_countable() {
    // Two Safes with the same 13 members, both needed: 13 shared entities,
    // more than are tried exhaustively. Reported, never guessed as set up.
    let members: Vec<String> = (0..13)
        .map(|i| format!("{{ entity = \"E{i}\", affiliation = \"outside\" }}"))
        .collect();
    let safe = |id: &str| {
        format!(
            "[[governance.actors]]\nid = \"{id}\"\nkind = \"multisig\"\nthreshold = 10\nmembers = [{}]\n",
            members.join(", ")
        )
    };
    let gov = format!(
        "{EXIT}\n[[governance.actors]]\nid = \"root\"\nkind = \"multisig\"\nsecurity_council = true\nthreshold = 2\nmembers = [{{ actor = \"a\" }}, {{ actor = \"b\" }}]\n\n{}\n{}\n[[governance.powers]]\nactor = \"root\"\npower = \"upgrade\"\n",
        safe("a"),
        safe("b")
    );
    let a = run("optimistic", &gov);
    let c = &a.councils[0];
    assert_eq!(c.entities, 13);
    assert!(!c.properly_set_up);
    assert!(
        c.failures
            .iter()
            .any(|f| f.contains("13 entities sign in more than one of its nested Safes")),
        "{:?}",
        c.failures
    );
}

#[test]
fn a_council_not_properly_set_up_still_upgrades_instantly_in_the_json() {
    // The Arbitrum shape with a council whose members are not declared
    // outside the team: not properly set up, but still the flagged council
    // upgrading with no delay — the headline says so, as the text does.
    let g = arbitrum().replace(
        &council("security-council", 9, 12, 12, 0),
        &council("security-council", 9, 12, 0, 0),
    );
    let a = run("optimistic", &g);
    assert_eq!(
        status(&a, RequirementId::CouncilProperlySetUp),
        DerivedStatus::Unmet
    );
    let w = a.exit_window.as_ref().unwrap();
    assert!(w.council_can_upgrade_instantly, "{w:?}");
}
