//! Unit tests of `structure`.

use super::*;

fn actor(id: &str, kind: ActorKind) -> Actor {
    Actor {
        kind,
        ..bare_eoa(id.into())
    }
}

fn timelock(id: &str, proposers: &[&str]) -> Actor {
    Actor {
        proposers: proposers.iter().map(|s| s.to_string()).collect(),
        delay: Some(DurationSpec::Seconds(86_400)),
        ..actor(id, ActorKind::Timelock)
    }
}

fn relay(id: &str, senders: &[&str]) -> Actor {
    Actor {
        senders: senders.iter().map(|s| s.to_string()).collect(),
        delay: Some(DurationSpec::Seconds(0)),
        ..actor(id, ActorKind::Relay)
    }
}

#[test]
fn a_loop_through_an_admin_proposer_drops_that_proposer() {
    // Arbitrum One: the timelock's admin is the executor it executes through.
    let mut actors = vec![
        timelock("l1-timelock", &["bridge", "executor"]),
        relay("executor", &["council", "l1-timelock"]),
        relay("bridge", &["dao"]),
        actor("council", ActorKind::Eoa),
        actor("dao", ActorKind::Dao),
    ];
    let derived = vec![DerivedProposer {
        timelock: "l1-timelock".into(),
        proposer: "executor".into(),
        warning: "counted".into(),
        evidence: "admin role".into(),
    }];
    let mut warnings = vec!["counted".to_string()];
    assert_eq!(break_loops(&mut actors, &derived, &mut warnings), None);
    assert_eq!(actors[0].proposers, vec!["bridge".to_string()]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("loop on chain: "), "{warnings:?}");
    assert!(find_cycle(&actors).is_none());
}

#[test]
fn a_loop_of_granted_roles_only_is_an_error_naming_it() {
    let mut actors = vec![timelock("t", &["x"]), relay("x", &["t"])];
    let err = break_loops(&mut actors, &[], &mut Vec::new()).expect("an error");
    assert!(
        err.contains("t (whose proposer is) → x (whose sender is) → t"),
        "{err}"
    );
}

#[test]
fn safes_owning_each_other_keep_one_edge() {
    let member = |a: &str| Member {
        entity: None,
        affiliation: None,
        announced: true,
        actor: Some(a.into()),
        address: None,
    };
    let mut a = actor("a", ActorKind::Multisig);
    a.members = vec![member("b")];
    let mut b = actor("b", ActorKind::Multisig);
    b.members = vec![member("a")];
    let mut actors = vec![a, b];
    let mut warnings = Vec::new();
    assert_eq!(break_loops(&mut actors, &[], &mut warnings), None);
    let nested = actors
        .iter()
        .filter(|x| x.members[0].actor.is_some())
        .count();
    assert_eq!(nested, 1);
    assert_eq!(warnings.len(), 1);
}

#[test]
fn slugs() {
    assert_eq!(slug("UpgradeExecutor"), "upgrade-executor");
    assert_eq!(slug("L1 Timelock"), "l1-timelock");
}
