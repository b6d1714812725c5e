//! Changes between snapshots of a real governance on anvil: a Safe 1.4.1
//! (2 of 3) owning the ProxyAdmin of an OpenZeppelin 5
//! TransparentUpgradeableProxy (real bytecode from contracts/real). The
//! Safe lowers its threshold, then upgrades the proxy: each shows up as
//! exactly one typed, safety-relevant change at the block that shows it.

use alloy::primitives::{Address, Bytes};
use alloy::sol_types::SolValue;
use l2stage_discovery::testkit::real::{
    OZ_TRANSPARENT_PROXY, SafeKit, keys, safe141_exec, upgrade_and_call,
};
use l2stage_discovery::testkit::{self, Chain, Owner, change_threshold};
use l2stage_discovery::{
    ChangeKind, Config, Evidence, ProjectJob, Rpc, Snapshot, abi, diff, discover_many,
};

async fn snapshot(rpc: &mut Rpc, entries: &[Address], block: u64) -> Snapshot {
    let cfg = Config::default();
    let jobs = [ProjectJob {
        project: "p".into(),
        entries: entries.to_vec(),
        config: &cfg,
    }];
    let mut out = discover_many(rpc, &jobs, Some(block)).await.unwrap();
    let d = out.remove(0).1.unwrap();
    Snapshot::from_discovered(&d)
}

#[tokio::test]
async fn a_threshold_change_and_an_upgrade_are_typed_changes_at_their_blocks() {
    let chain = Chain::start().await;
    let kit = SafeKit::deploy(&chain).await;
    let signers = keys(3, 3);
    let safe = kit.safe(&chain, &signers, 2).await;
    let logic = chain.deploy("MiniVerifier", vec![]).await;
    let proxy = chain
        .deploy_real(
            OZ_TRANSPARENT_PROXY,
            (logic, safe, Bytes::new()).abi_encode_params(),
        )
        .await;
    let next_logic = chain.deploy("MiniVerifier", vec![]).await;
    let b0 = chain.block_number().await;

    // One client for every cycle, re-pinned each time (as a watch loop).
    let mut rpc = Rpc::new(&chain.url(), testkit::test_options()).unwrap();
    let s0 = snapshot(&mut rpc, &[proxy], b0).await;
    let proxy_admin = s0.contracts[&proxy].admin.expect("OZ 5 proxy admin");
    assert_eq!(s0.contracts[&proxy_admin].owner, Some(safe));
    assert_eq!(s0.contracts[&safe].safe.as_ref().unwrap().threshold, 2);
    assert_eq!(s0.contracts[&proxy].implementation, Some(logic));
    assert_eq!(s0.block, b0);
    assert_eq!(s0.chain_id, 31337);
    assert!(s0.block_hash.is_some() && s0.timestamp.is_some());

    // The Safe lowers its threshold to 1.
    let two: Vec<Owner> = signers[..2].iter().map(|k| Owner::Key(*k)).collect();
    safe141_exec(&chain, safe, &two, safe, change_threshold(1)).await;
    let b1 = chain.block_number().await;
    // Then, with one signature, upgrades the proxy.
    let one = vec![Owner::Key(signers[0])];
    safe141_exec(
        &chain,
        safe,
        &one,
        proxy_admin,
        upgrade_and_call(proxy, next_logic, vec![]),
    )
    .await;
    let b2 = chain.block_number().await;
    assert!(b0 < b1 && b1 < b2);

    let s1 = snapshot(&mut rpc, &[proxy], b1).await;
    let s2 = snapshot(&mut rpc, &[proxy], b2).await;
    // Unchanged at the same state: nothing.
    assert_eq!(diff(&s0, &snapshot(&mut rpc, &[proxy], b0).await), vec![]);

    let threshold = diff(&s0, &s1);
    assert_eq!(threshold.len(), 1, "{threshold:#?}");
    let c = &threshold[0];
    assert_eq!(
        (c.kind, c.address, c.field.as_str()),
        (ChangeKind::SafeThresholdChanged, safe, "safe.threshold")
    );
    assert_eq!(
        (c.before.as_deref(), c.after.as_deref()),
        (Some("2"), Some("1"))
    );
    assert!(c.safety_relevant);
    assert_eq!(
        c.evidence,
        Evidence {
            block: b1,
            calls: vec![format!("eth_call({safe}, getThreshold()) @ {b1}")],
        }
    );

    let upgrade = diff(&s1, &s2);
    assert_eq!(upgrade.len(), 1, "{upgrade:#?}");
    let c = &upgrade[0];
    assert_eq!(
        (c.kind, c.address, c.field.as_str()),
        (ChangeKind::ImplementationUpgraded, proxy, "implementation")
    );
    assert_eq!(
        (c.before.clone(), c.after.clone()),
        (Some(logic.to_string()), Some(next_logic.to_string()))
    );
    assert!(c.safety_relevant);
    assert_eq!(
        c.evidence,
        Evidence {
            block: b2,
            calls: vec![format!(
                "eth_getStorageAt({proxy}, {}) @ {b2}",
                abi::IMPLEMENTATION_SLOT
            )],
        }
    );
    // Both at once, by address order.
    let both: Vec<ChangeKind> = diff(&s0, &s2).iter().map(|c| c.kind).collect();
    let mut expected = vec![
        (proxy, ChangeKind::ImplementationUpgraded),
        (safe, ChangeKind::SafeThresholdChanged),
    ];
    expected.sort();
    assert_eq!(
        both,
        expected.into_iter().map(|(_, k)| k).collect::<Vec<_>>()
    );

    // What a store keeps: the JSON round-trips exactly.
    let json = serde_json::to_value(&s2).unwrap();
    assert_eq!(serde_json::from_value::<Snapshot>(json).unwrap(), s2);
}
