//! Long chains of timelocks and relays (as deep as validation allows): the
//! analysis walks them without recursion and keeps one copy of each
//! chain, and its answers are the sums a reader can check by hand.

use l2stage_governance::{Threat, analyze};
use l2stage_model::Kind;
use l2stage_model::governance::Governance;
use serde_json::{Value, json};

const HOUR: u64 = 3_600;

/// A 12-member council (threshold 10, 9 outside), then `n` actors of
/// `kind` (1h each) one behind the other, the first controlled by the
/// council; the last holds `upgrade` and is the only allowed proposer of
/// state roots (no fallback).
fn line(n: usize, kind: &str) -> Governance {
    let members: Vec<Value> = (0..12)
        .map(|m| json!({"entity": format!("m{m}"), "affiliation": if m < 9 {"outside"} else {"team"}}))
        .collect();
    let mut actors = vec![
        json!({"id": "council", "kind": "multisig", "threshold": 10, "security_council": true, "members": members}),
    ];
    let field = if kind == "relay" {
        "senders"
    } else {
        "proposers"
    };
    for i in 1..=n {
        let prev = if i == 1 {
            "council".to_string()
        } else {
            format!("a{}", i - 1)
        };
        actors.push(json!({"id": format!("a{i}"), "kind": kind, "delay": "1h", field: [prev]}));
    }
    let last = format!("a{n}");
    let g: Governance = serde_json::from_value(json!({
        "exit": {"forced_inclusion": "1d", "finalization": "7d", "proposing": [last], "challenging": "permissionless"},
        "actors": actors,
        "powers": [{"actor": last, "power": "upgrade"}],
    }))
    .expect("structure");
    g.validate().expect("within the limits");
    g
}

fn check(n: usize, kind: &str) {
    let g = line(n, kind);
    let a = analyze(&g, Kind::Optimistic).expect("analysis");
    let upgrades: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.threat == Threat::Upgrade)
        .collect();
    assert_eq!(upgrades.len(), 1);
    let f = upgrades[0];
    // council, a1 … an
    assert_eq!(f.path.len(), n + 1);
    assert_eq!(f.path[0], "council");
    assert_eq!(f.path[n], format!("a{n}"));
    assert_eq!(f.delay_seconds, n as u64 * HOUR);
    // The council's 10 of 12 is the coalition behind the whole line.
    assert_eq!(f.council_share.get("council"), Some(&(10, 12)));
    assert!(f.council_controlled);
    // Stopping the only proposer needs the council too: its cost is
    // counted through every actor of the line.
    let stop = a
        .findings
        .iter()
        .find(|f| f.power == "stop proposing state roots")
        .expect("liveness finding");
    assert_eq!(stop.council_share.get("council"), Some(&(10, 12)));
}

#[test]
fn eight_thousand_timelocks() {
    check(8_000, "timelock");
}

#[test]
fn ten_thousand_relays() {
    check(10_000, "relay");
}

#[test]
fn short_line_sums() {
    // Three timelocks: the arithmetic names each.
    let g = line(3, "timelock");
    let a = analyze(&g, Kind::Optimistic).expect("analysis");
    let f = a
        .findings
        .iter()
        .find(|f| f.threat == Threat::Upgrade)
        .expect("upgrade");
    assert_eq!(f.path, ["council", "a1", "a2", "a3"]);
    assert!(
        f.arithmetic
            .starts_with("delay a1 1h + a2 1h + a3 1h = 3h;"),
        "{}",
        f.arithmetic
    );
}

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }

    /// `k` references to actors before `i`, or `anyone`.
    fn pick(&mut self, i: usize, k: usize) -> Vec<String> {
        (0..k)
            .map(|_| match self.below(i + 1) {
                0 => "anyone".to_string(),
                _ => format!("x{}", self.below(i)),
            })
            .collect()
    }
}

/// A small random structure: actor 0 is a flagged 6-of-8 council; each
/// later actor is a key, a multisig of earlier actors, a timelock (its
/// proposers and maybe restricted executors earlier actors or `anyone`)
/// or a relay. Powers sit on random actors.
fn random(seed: u64) -> Governance {
    let mut r = Lcg(seed
        .wrapping_mul(2862933555777941757)
        .wrapping_add(3037000493));
    let members: Vec<Value> = (0..8)
        .map(|m| json!({"entity": format!("m{m}"), "affiliation": "outside"}))
        .collect();
    let mut actors = vec![
        json!({"id": "x0", "kind": "multisig", "threshold": 6, "security_council": true, "members": members}),
    ];
    let n = 2 + r.below(9);
    let mut kinds = vec!["multisig"];
    for i in 1..n {
        let kind = ["eoa", "multisig", "timelock", "timelock", "relay"][r.below(5)];
        let a = match kind {
            "eoa" => json!({"id": format!("x{i}"), "kind": "eoa"}),
            "multisig" => {
                // Members are keys or earlier multisigs and keys.
                let nested: Vec<Value> = (0..1 + r.below(3))
                    .map(|j| {
                        let t = r.below(i);
                        if matches!(kinds[t], "multisig" | "eoa") && r.below(2) == 0 {
                            json!({"actor": format!("x{t}")})
                        } else {
                            json!({"entity": format!("k{i}-{j}")})
                        }
                    })
                    .collect();
                let k = 1 + r.below(nested.len());
                json!({"id": format!("x{i}"), "kind": "multisig", "threshold": k, "members": nested})
            }
            "timelock" => {
                let k = 1 + r.below(3);
                let mut t = json!({"id": format!("x{i}"), "kind": "timelock", "delay": format!("{}h", r.below(50)), "proposers": r.pick(i, k)});
                if r.below(3) == 0 {
                    let k = 1 + r.below(2);
                    t["executors"] = json!(r.pick(i, k));
                }
                t
            }
            _ => {
                let k = 1 + r.below(2);
                json!({"id": format!("x{i}"), "kind": "relay", "delay": format!("{}h", 1 + r.below(50)), "senders": r.pick(i, k)})
            }
        };
        kinds.push(kind);
        actors.push(a);
    }
    let powers: Vec<Value> = (0..1 + r.below(4))
        .map(|_| json!({"actor": format!("x{}", r.below(n)), "power": "upgrade"}))
        .collect();
    let g: Governance = serde_json::from_value(json!({
        "exit": {"forced_inclusion": "1d", "finalization": "7d", "proposing": "permissionless", "challenging": "permissionless"},
        "actors": actors,
        "powers": powers,
    }))
    .expect("structure");
    g.validate().expect("valid");
    g
}

/// Every chain into `id`, by plain recursion: (actor ids, delay, the
/// restricted executors on the way).
fn chains_by_hand(g: &Governance, id: &str) -> Vec<(Vec<String>, u64, Vec<String>)> {
    if id == "anyone" {
        return vec![(vec!["anyone".into()], 0, vec![])];
    }
    let a = g.actor(id).expect("actor");
    let own = a.delay.and_then(|d| d.seconds(None)).unwrap_or(0);
    let restricted: Vec<String> =
        if !a.executors.is_empty() && !a.executors.iter().any(|e| e == "anyone") {
            a.executors.clone()
        } else {
            vec![]
        };
    if a.controllers().is_empty() {
        return vec![(vec![id.to_string()], own, vec![])];
    }
    let mut out = Vec::new();
    for c in a.controllers() {
        for (mut path, delay, mut ex) in chains_by_hand(g, c) {
            path.push(id.to_string());
            ex.extend(restricted.iter().cloned());
            out.push((path, delay + own, ex));
        }
    }
    out
}

/// The fewest council entities that make `id` act, by plain recursion.
fn cost_by_hand(g: &Governance, id: &str) -> u32 {
    if id == "anyone" {
        return 0;
    }
    if id == "x0" {
        return 6;
    }
    let a = g.actor(id).expect("actor");
    match a.kind {
        l2stage_model::governance::ActorKind::Multisig => {
            let mut costs: Vec<u32> = a
                .members
                .iter()
                .map(|m| m.actor.as_deref().map_or(0, |t| cost_by_hand(g, t)))
                .collect();
            costs.sort_unstable();
            costs.iter().take(a.threshold.unwrap_or(0) as usize).sum()
        }
        l2stage_model::governance::ActorKind::Timelock
        | l2stage_model::governance::ActorKind::Relay => {
            let best = a
                .controllers()
                .iter()
                .map(|c| cost_by_hand(g, c))
                .min()
                .unwrap_or(0);
            let restricted = !a.executors.is_empty() && !a.executors.iter().any(|e| e == "anyone");
            let exec = if restricted {
                a.executors
                    .iter()
                    .map(|e| cost_by_hand(g, e))
                    .min()
                    .unwrap_or(0)
            } else {
                0
            };
            best + exec
        }
        _ => 0,
    }
}

#[test]
fn findings_match_chains_enumerated_by_hand() {
    // The shared-step, stack-walked enumeration finds the same chains, in
    // the same order, with the same delays and council shares, as a plain
    // recursive enumeration, on 500 random structures.
    let (mut long, mut shared, mut with_executors) = (0, 0, 0);
    for seed in 0..500 {
        let g = random(seed);
        let a = analyze(&g, Kind::Optimistic).expect("analysis");
        let mut want = Vec::new();
        for p in &g.powers {
            for (path, delay, ex) in chains_by_hand(&g, &p.actor) {
                let share = cost_by_hand(&g, &path[0])
                    + ex.iter().map(|e| cost_by_hand(&g, e)).sum::<u32>();
                long += usize::from(path.len() >= 3);
                shared += usize::from(share > 0);
                with_executors += usize::from(!ex.is_empty());
                want.push((path, delay, share));
            }
        }
        let got: Vec<(Vec<String>, u64, u32)> = a
            .findings
            .iter()
            .map(|f| (f.path.clone(), f.delay_seconds, f.council_share["x0"].0))
            .collect();
        assert_eq!(got, want, "seed {seed}: {g:#?}");
    }
    // The structures do exercise long chains, council shares and
    // restricted executors.
    assert!(
        long > 200 && shared > 200 && with_executors > 50,
        "{long} {shared} {with_executors}"
    );
}
