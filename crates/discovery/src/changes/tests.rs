//! Unit tests of `changes`.

use super::*;

fn addr(b: u8) -> Address {
    Address::repeat_byte(b)
}

fn snapshot(block: u64, contracts: Vec<(Address, ContractState)>) -> Snapshot {
    Snapshot {
        version: SNAPSHOT_VERSION,
        chain_id: 1,
        block,
        block_hash: Some(B256::repeat_byte(9)),
        timestamp: Some(1_700_000_000),
        entries: vec![addr(1)],
        contracts: contracts.into_iter().collect(),
    }
}

fn proxy() -> ContractState {
    ContractState {
        code_hash: Some(B256::repeat_byte(0xc0)),
        implementation: Some(addr(0x11)),
        admin: Some(addr(0x22)),
        roles: BTreeMap::from([("PAUSER_ROLE".into(), BTreeSet::from([addr(0x33)]))]),
        template: Some("Portal".into()),
        fields: BTreeMap::from([
            (
                "finalizationPeriodSeconds()".into(),
                FieldState {
                    value: "604800".into(),
                    class: FieldClass::ExitParameter,
                },
            ),
            (
                "version()".into(),
                FieldState {
                    value: "1".into(),
                    class: FieldClass::Other,
                },
            ),
        ]),
        ..ContractState::default()
    }
}

fn safe(threshold: u64) -> ContractState {
    ContractState {
        code_hash: Some(B256::repeat_byte(0x5a)),
        safe: Some(SafeState {
            owners: vec![addr(0x41), addr(0x42), addr(0x43)],
            threshold,
            modules: vec![],
        }),
        ..ContractState::default()
    }
}

#[test]
fn a_snapshot_round_trips_exactly_through_json() {
    let s = snapshot(7, vec![(addr(1), proxy()), (addr(2), safe(2))]);
    let json = serde_json::to_string(&s).unwrap();
    let back: Snapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    // Absent values are left out; the class is kebab-case.
    assert!(!json.contains("null"), "{json}");
    assert!(json.contains(r#""class":"exit-parameter""#), "{json}");
    // Unknown keys are refused, not ignored.
    let bad = json.replacen("\"version\"", "\"versio\"", 1);
    assert!(serde_json::from_str::<Snapshot>(&bad).is_err());
}

#[test]
fn the_same_state_at_another_block_is_no_change() {
    let a = snapshot(7, vec![(addr(1), proxy()), (addr(2), safe(2))]);
    let b = snapshot(9, vec![(addr(1), proxy()), (addr(2), safe(2))]);
    assert_eq!(diff(&a, &b), vec![]);
}

#[test]
fn each_kind_of_change_with_its_safety_and_evidence() {
    let before = snapshot(
        7,
        vec![(addr(1), proxy()), (addr(2), safe(2)), (addr(3), safe(1))],
    );
    let mut p = proxy();
    p.implementation = Some(addr(0x12));
    p.roles.get_mut("PAUSER_ROLE").unwrap().extend([addr(0x34)]);
    p.roles.get_mut("PAUSER_ROLE").unwrap().remove(&addr(0x33));
    p.fields.get_mut("version()").unwrap().value = "2".into();
    p.fields
        .get_mut("finalizationPeriodSeconds()")
        .unwrap()
        .value = "1".into();
    let after = snapshot(
        12,
        vec![(addr(1), p), (addr(2), safe(1)), (addr(4), safe(1))],
    );
    let changes = diff(&before, &after);
    type Row<'a> = (
        ChangeKind,
        Address,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        bool,
    );
    let got: Vec<Row> = changes
        .iter()
        .map(|c| {
            (
                c.kind,
                c.address,
                c.field.as_str(),
                c.before.as_deref(),
                c.after.as_deref(),
                c.safety_relevant,
            )
        })
        .collect();
    let (i11, i12) = (addr(0x11).to_string(), addr(0x12).to_string());
    let (m33, m34) = (addr(0x33).to_string(), addr(0x34).to_string());
    let code = B256::repeat_byte(0x5a).to_string();
    use ChangeKind as K;
    assert_eq!(
        got,
        vec![
            (
                K::ImplementationUpgraded,
                addr(1),
                "implementation",
                Some(i11.as_str()),
                Some(i12.as_str()),
                true
            ),
            (
                K::RoleGranted,
                addr(1),
                "roles.PAUSER_ROLE",
                None,
                Some(m34.as_str()),
                true
            ),
            (
                K::RoleRevoked,
                addr(1),
                "roles.PAUSER_ROLE",
                Some(m33.as_str()),
                None,
                true
            ),
            (
                K::ExitParameterChanged,
                addr(1),
                "finalizationPeriodSeconds()",
                Some("604800"),
                Some("1"),
                true
            ),
            (
                K::FieldChanged,
                addr(1),
                "version()",
                Some("1"),
                Some("2"),
                false
            ),
            (
                K::SafeThresholdChanged,
                addr(2),
                "safe.threshold",
                Some("2"),
                Some("1"),
                true
            ),
            (
                K::ContractDisappeared,
                addr(3),
                "code",
                Some(code.as_str()),
                None,
                true
            ),
            (
                K::ContractAppeared,
                addr(4),
                "code",
                None,
                Some(code.as_str()),
                true
            ),
        ]
    );
    assert_eq!(
        changes[0].evidence,
        Evidence {
            block: 12,
            calls: vec![format!(
                "eth_getStorageAt({}, 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc) @ 12",
                addr(1)
            )],
        }
    );
    assert_eq!(
        changes[5].evidence.calls,
        vec![format!("eth_call({}, getThreshold()) @ 12", addr(2))]
    );
}

#[test]
fn kinds_serialize_as_their_names() {
    for k in ChangeKind::ALL {
        assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        let back: ChangeKind = serde_json::from_value(k.as_str().into()).unwrap();
        assert_eq!(back, k);
    }
    let c = Change {
        kind: ChangeKind::OwnerChanged,
        address: addr(1),
        field: "owner".into(),
        before: None,
        after: Some(addr(2).to_string()),
        safety_relevant: true,
        evidence: Evidence {
            block: 3,
            calls: vec![],
        },
    };
    let j = serde_json::to_value(&c).unwrap();
    assert_eq!(j["kind"], "owner-changed");
    assert_eq!(j["before"], serde_json::Value::Null);
    assert_eq!(serde_json::from_value::<Change>(j).unwrap(), c);
}
