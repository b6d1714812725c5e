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
