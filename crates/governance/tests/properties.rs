//! Monotonicity: more delay never shortens an exit window; a higher
//! threshold or one power fewer never breaks a principle that held.

use l2stage_governance::{Analysis, DerivedStatus, Threat, analyze};
use l2stage_model::governance::Governance;
use l2stage_model::{Kind, RequirementId};
use proptest::prelude::*;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
enum Spec {
    Eoa {
        outside: bool,
    },
    Multisig {
        k: usize,
        members: Vec<Option<usize>>,
        council: bool,
        outside_mask: u32,
    },
    Timelock {
        delay_h: u64,
        proposers: Vec<usize>,
    },
    Relay {
        delay_h: u64,
        senders: Vec<usize>,
    },
}

/// Actors only reference earlier ones, so the graph is acyclic by construction.
/// (actors, powers as (holder, kind, unused), finalization hours, forced inclusion)
type Structure = (Vec<Spec>, Vec<(usize, u8, bool)>, u64, bool);

fn structure() -> impl Strategy<Value = Structure> {
    (2usize..9).prop_flat_map(|n| {
        let specs = (0..n)
            .map(|i| {
                let earlier = i;
                let mut options: Vec<BoxedStrategy<Spec>> =
                    vec![any::<bool>().prop_map(|o| Spec::Eoa { outside: o }).boxed()];
                options.push(
                    (
                        1usize..12,
                        proptest::collection::vec(proptest::option::of(0..earlier.max(1)), 1..12),
                        any::<bool>(),
                        any::<u32>(),
                    )
                        .prop_map(move |(k, members, council, mask)| {
                            let members: Vec<Option<usize>> = members
                                .into_iter()
                                .map(|m| if earlier == 0 { None } else { m })
                                .collect();
                            Spec::Multisig {
                                k: k.min(members.len()),
                                members,
                                council,
                                outside_mask: mask,
                            }
                        })
                        .boxed(),
                );
                if earlier > 0 {
                    options.push(
                        (0u64..400, proptest::collection::vec(0..earlier, 1..3))
                            .prop_map(|(d, p)| Spec::Timelock {
                                delay_h: d,
                                proposers: p,
                            })
                            .boxed(),
                    );
                    options.push(
                        (0u64..400, proptest::collection::vec(0..earlier, 1..3))
                            .prop_map(|(d, s)| Spec::Relay {
                                delay_h: d,
                                senders: s,
                            })
                            .boxed(),
                    );
                }
                proptest::strategy::Union::new(options).boxed()
            })
            .collect::<Vec<_>>();
        let powers = proptest::collection::vec((0..n, 0u8..4, any::<bool>()), 1..6);
        (specs, powers, 0u64..300, any::<bool>())
    })
}

fn id(i: usize) -> String {
    format!("a{i}")
}

fn to_json(specs: &[Spec], powers: &[(usize, u8, bool)], fin_h: u64, forced: bool) -> Value {
    let mut council_used = false;
    let actors: Vec<Value> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| match s {
            Spec::Eoa { outside } => json!({"id": id(i), "kind": "eoa", "affiliation": if *outside {"outside"} else {"team"}}),
            Spec::Multisig { k, members, council, outside_mask } => {
                let is_council = *council && !council_used;
                council_used |= is_council;
                let members: Vec<Value> = members
                    .iter()
                    .enumerate()
                    .map(|(j, m)| match m {
                        Some(a) if !matches!(specs[*a], Spec::Timelock { .. } | Spec::Relay { .. }) => json!({"actor": id(*a)}),
                        _ => json!({"entity": format!("e{i}-{j}"), "affiliation": if outside_mask >> (j % 32) & 1 == 1 {"outside"} else {"team"}}),
                    })
                    .collect();
                json!({"id": id(i), "kind": "multisig", "threshold": k, "members": members, "security_council": is_council})
            }
            Spec::Timelock { delay_h, proposers } => {
                json!({"id": id(i), "kind": "timelock", "delay": format!("{delay_h}h"), "proposers": proposers.iter().map(|p| id(*p)).collect::<Vec<_>>()})
            }
            Spec::Relay { delay_h, senders } => {
                json!({"id": id(i), "kind": "relay", "delay": format!("{delay_h}h"), "senders": senders.iter().map(|p| id(*p)).collect::<Vec<_>>()})
            }
        })
        .collect();
    let kinds = [
        "upgrade",
        "replace-verifier",
        "pause-withdrawals",
        "blocklist",
    ];
    let powers: Vec<Value> = powers
        .iter()
        .map(|(a, k, _)| json!({"actor": id(*a), "power": kinds[*k as usize]}))
        .collect();
    let mut exit = json!({"finalization": format!("{fin_h}h"), "proposing": "permissionless", "challenging": "permissionless"});
    if forced {
        exit["forced_inclusion"] = json!("1d");
    }
    json!({"exit": exit, "actors": actors, "powers": powers})
}

fn analyse(v: &Value) -> Option<Analysis> {
    let g: Governance = serde_json::from_value(v.clone()).ok()?;
    g.validate().ok()?;
    analyze(&g, Kind::Optimistic).ok()
}

fn principle(a: &Analysis) -> DerivedStatus {
    a.derived[&RequirementId::Principle].status
}

/// Findings that break the principle: dangerous, not council-controlled,
/// under 7 days to exit.
fn violations(a: &Analysis) -> Vec<(Vec<String>, String)> {
    a.findings
        .iter()
        .filter(|f| f.threat != Threat::Limited && !f.bug_conditioned && !f.council_controlled)
        .filter(|f| f.exit_window_seconds.is_none_or(|w| w < 7 * 86_400))
        .map(|f| (f.path.clone(), f.power.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn more_delay_never_lowers_an_exit_window((specs, powers, fin, forced) in structure(), pick in any::<prop::sample::Index>(), extra in 1u64..500) {
        let before_json = to_json(&specs, &powers, fin, forced);
        let Some(before) = analyse(&before_json) else { return Ok(()) };
        let mut after_specs = specs.clone();
        let delayed: Vec<usize> = after_specs.iter().enumerate().filter(|(_, s)| matches!(s, Spec::Timelock { .. } | Spec::Relay { .. })).map(|(i, _)| i).collect();
        if delayed.is_empty() { return Ok(()) }
        match &mut after_specs[delayed[pick.index(delayed.len())]] {
            Spec::Timelock { delay_h, .. } | Spec::Relay { delay_h, .. } => *delay_h += extra,
            _ => unreachable!(),
        }
        let after = analyse(&to_json(&after_specs, &powers, fin, forced)).expect("still valid");
        prop_assert_eq!(before.findings.len(), after.findings.len());
        for (b, a) in before.findings.iter().zip(&after.findings) {
            prop_assert_eq!(&b.path, &a.path);
            prop_assert!(a.exit_window_seconds.unwrap_or(i64::MIN) >= b.exit_window_seconds.unwrap_or(i64::MIN));
        }
        let w = |x: &Analysis| x.exit_window.as_ref().map(|w| w.seconds.unwrap_or(i64::MIN));
        prop_assert!(w(&after) >= w(&before), "{:?} < {:?}", w(&after), w(&before));
        if principle(&before) == DerivedStatus::Met {
            prop_assert_eq!(principle(&after), DerivedStatus::Met);
        }
    }

    #[test]
    fn higher_threshold_never_breaks_the_principle((specs, powers, fin, forced) in structure(), pick in any::<prop::sample::Index>()) {
        let Some(before) = analyse(&to_json(&specs, &powers, fin, forced)) else { return Ok(()) };
        let mut after_specs = specs.clone();
        let msigs: Vec<usize> = after_specs.iter().enumerate().filter(|(_, s)| matches!(s, Spec::Multisig { .. })).map(|(i, _)| i).collect();
        if msigs.is_empty() { return Ok(()) }
        if let Spec::Multisig { k, members, .. } = &mut after_specs[msigs[pick.index(msigs.len())]] {
            if *k >= members.len() { return Ok(()) }
            *k += 1;
        }
        let after = analyse(&to_json(&after_specs, &powers, fin, forced)).expect("still valid");
        // Every violation after was one before: none appears.
        let (vb, va) = (violations(&before), violations(&after));
        prop_assert!(va.iter().all(|v| vb.contains(v)), "new violation: {:?} not in {:?}", va, vb);
        if principle(&before) == DerivedStatus::Met {
            prop_assert_eq!(principle(&after), DerivedStatus::Met);
        }
    }

    #[test]
    fn removing_a_power_never_breaks_the_principle((specs, powers, fin, forced) in structure(), pick in any::<prop::sample::Index>()) {
        let Some(before) = analyse(&to_json(&specs, &powers, fin, forced)) else { return Ok(()) };
        let mut fewer = powers.clone();
        fewer.remove(pick.index(fewer.len()));
        let after = analyse(&to_json(&specs, &fewer, fin, forced)).expect("still valid");
        let (vb, va) = (violations(&before), violations(&after));
        prop_assert!(va.iter().all(|v| vb.contains(v)), "new violation: {:?} not in {:?}", va, vb);
        prop_assert!(va.len() <= vb.len());
        if principle(&before) == DerivedStatus::Met {
            prop_assert_eq!(principle(&after), DerivedStatus::Met);
        }
    }
}
