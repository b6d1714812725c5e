//! Drawing the permission graph as SVG, as the dashboard does on each
//! project page view: structures of up to 400 boxes (actors + powers) and a
//! real-sized one. Built as governance clusters of 10 actors each (a
//! council, a team multisig, EOAs, a DAO, chained timelocks and a relay),
//! linked so paths cross clusters (the generator of the governance
//! crate's analysis bench).

use criterion::{Criterion, criterion_group, criterion_main};
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

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("graph");
    group.sample_size(10);
    // The dashboard draws structures of up to 400 boxes (actors + powers)
    // on each project page view: 40 clusters of 10 actors, no powers.
    let page = structure(40, 0);
    assert_eq!(page.actors.len() + page.powers.len(), 400);
    group.bench_function("svg graph of 400 boxes", |b| {
        b.iter(|| l2stage_render::graph::svg(&page))
    });
    let real = structure(3, 12);
    group.bench_function("svg graph of 66 boxes", |b| {
        b.iter(|| l2stage_render::graph::svg(&real))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
