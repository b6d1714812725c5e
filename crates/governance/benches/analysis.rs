//! Analysis of a large structure: 1,000 actors and 10,000 powers (target:
//! well under a second). Built as 100 governance clusters of 10 actors each
//! (a council, a team multisig, EOAs, a DAO, chained timelocks and a relay),
//! linked so paths cross clusters. Plus the deepest lines validation
//! allows: 8,000 timelocks and 8,000 relays one behind the other (target:
//! well under a second and 200 MB; the chains share their steps). Drawing
//! the graph is benchmarked in l2stage-render (`benches/graph.rs`).

use criterion::{Criterion, criterion_group, criterion_main};
use l2stage_governance::analyze;
use l2stage_model::Kind;
use l2stage_model::governance::Governance;
use serde_json::{Value, json};

fn structure(clusters: usize, powers_per_cluster: usize) -> Governance {
    let mut actors: Vec<Value> = Vec::new();
    let mut powers: Vec<Value> = Vec::new();
    for c in 0..clusters {
        let id = |s: &str| format!("c{c}-{s}");
        let members: Vec<Value> = (0..12).map(|m| json!({"entity": format!("c{c}-m{m}"), "affiliation": if m % 3 == 0 {"team"} else {"outside"}})).collect();
        actors.push(json!({"id": id("council"), "kind": "multisig", "threshold": 9, "members": members, "security_council": c == 0}));
        let team: Vec<Value> = (0..5)
            .map(|m| json!({"entity": format!("c{c}-t{m}"), "affiliation": "team"}))
            .collect();
        actors.push(json!({"id": id("team"), "kind": "multisig", "threshold": 3, "members": team}));
        actors.push(json!({"id": id("eoa1"), "kind": "eoa", "affiliation": "team"}));
        actors.push(json!({"id": id("eoa2"), "kind": "eoa", "affiliation": "outside"}));
        actors.push(json!({"id": id("dao"), "kind": "dao"}));
        // Cross-cluster link: the previous cluster's council may also propose.
        let mut proposers = vec![id("dao"), id("team")];
        if c > 0 {
            proposers.push(format!("c{}-council", c - 1));
        }
        actors.push(
            json!({"id": id("tl1"), "kind": "timelock", "delay": "8d", "proposers": proposers}),
        );
        actors.push(json!({"id": id("relay"), "kind": "relay", "delay": "6d 9h 36m", "senders": [id("tl1")]}));
        actors.push(json!({"id": id("tl2"), "kind": "timelock", "delay": "3d", "proposers": [id("relay"), id("council")], "cancellers": [id("eoa1")]}));
        actors.push(json!({"id": id("tl3"), "kind": "timelock", "delay": "1d", "proposers": [id("eoa1")], "executors": [id("eoa2")]}));
        actors.push(json!({"id": id("nested"), "kind": "multisig", "threshold": 2, "members": [{"actor": id("team")}, {"actor": id("council")}]}));
        let holders = ["tl2", "tl3", "council", "nested", "eoa1", "team"];
        let kinds = [
            "upgrade",
            "replace-verifier",
            "pause-withdrawals",
            "blocklist",
            "change-parameters",
            "sequence",
        ];
        for p in 0..powers_per_cluster {
            let mut power = json!({"actor": id(holders[p % holders.len()]), "power": kinds[(p / holders.len()) % kinds.len()], "target": format!("contract {p}")});
            if p % 7 == 0 && kinds[(p / holders.len()) % kinds.len()] == "pause-withdrawals" {
                power["duration"] = json!("14d");
            }
            powers.push(power);
        }
    }
    let v = json!({
        "exit": {"forced_inclusion": "1d", "finalization": "6d 9h 36m", "proposing": "permissionless", "challenging": "permissionless"},
        "actors": actors,
        "powers": powers,
    });
    let g: Governance = serde_json::from_value(v).expect("valid structure");
    g.validate().expect("validates");
    g
}

/// One key, then `n` actors of `kind` (1h each) one behind the other; the
/// last holds `upgrade`.
fn line(n: usize, kind: &str) -> Governance {
    let field = if kind == "relay" {
        "senders"
    } else {
        "proposers"
    };
    let mut actors = vec![json!({"id": "a0", "kind": "eoa"})];
    for i in 1..=n {
        actors.push(json!({"id": format!("a{i}"), "kind": kind, "delay": "1h", field: [format!("a{}", i - 1)]}));
    }
    let v = json!({
        "exit": {"forced_inclusion": "1d", "finalization": "7d", "proposing": "permissionless", "challenging": "permissionless"},
        "actors": actors,
        "powers": [{"actor": format!("a{n}"), "power": "upgrade"}],
    });
    let g: Governance = serde_json::from_value(v).expect("valid structure");
    g.validate().expect("validates");
    g
}

fn bench(c: &mut Criterion) {
    let g = structure(100, 100);
    assert_eq!(g.actors.len(), 1_000);
    assert_eq!(g.powers.len(), 10_000);
    let mut group = c.benchmark_group("governance");
    group.sample_size(10);
    group.bench_function("validate 1000 actors", |b| {
        b.iter(|| g.validate().expect("valid"))
    });
    group.bench_function("analyze 1000 actors / 10000 powers", |b| {
        b.iter(|| analyze(&g, Kind::Optimistic).expect("analysis"))
    });
    for kind in ["timelock", "relay"] {
        let g = line(8_000, kind);
        group.bench_function(format!("validate a line of 8000 {kind}s"), |b| {
            b.iter(|| g.validate().expect("valid"))
        });
        group.bench_function(format!("analyze a line of 8000 {kind}s"), |b| {
            b.iter(|| analyze(&g, Kind::Optimistic).expect("analysis"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
